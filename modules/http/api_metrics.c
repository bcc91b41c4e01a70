/* GET /metrics: Prometheus text exposition 0.0.4 of the store (see
 * api_metrics.h). Families come out in a fixed order and label values in
 * sorted key order, so a scrape is deterministic. */
#include "api_metrics.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Shortest %g text that reads back as the same double; Prometheus
 * spellings for the non-finite ones. */
static void fmt_double(double v, char *out, size_t size)
{
    if (isnan(v)) {
        snprintf(out, size, "NaN");
        return;
    }
    if (isinf(v)) {
        snprintf(out, size, v > 0 ? "+Inf" : "-Inf");
        return;
    }
    /* Whole numbers in full ("10", not "1e+01"), like the integer samples. */
    if (v > -1e15 && v < 1e15 && v == (double)(int64_t)v) {
        snprintf(out, size, "%.0f", v);
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(out, size, "%.*g", prec, v);
        if (strtod(out, NULL) == v) return;
    }
}

static int put_help(api_buf_t *b, const char *name, const char *type, const char *help)
{
    return api_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Backslash, double quote and newline escaped, as the format requires. */
static int put_label_value(api_buf_t *b, const char *v)
{
    int rc = 0;
    for (const char *p = v; *p && rc == 0; p++) {
        if (*p == '\\')
            rc = api_buf_append(b, "\\\\", 2);
        else if (*p == '"')
            rc = api_buf_append(b, "\\\"", 2);
        else if (*p == '\n')
            rc = api_buf_append(b, "\\n", 2);
        else
            rc = api_buf_append(b, p, 1);
    }
    return rc;
}

/* A counter value from the counters JSON: integers as integers, reals in
 * shortest form; false when it is not a number (no sample then). */
static bool json_value_text(const json_t *v, char *out, size_t size)
{
    if (json_is_integer(v)) {
        snprintf(out, size, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return true;
    }
    if (json_is_real(v)) {
        fmt_double(json_real_value(v), out, size);
        return true;
    }
    return false;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The keys of an object, sorted; *n = 0 and NULL for a non-object or an
 * empty one. -1 when out of memory. */
static int sorted_keys(const json_t *obj, const char ***keys, size_t *n)
{
    *keys = NULL;
    *n = 0;
    size_t count = json_is_object(obj) ? json_object_size(obj) : 0;
    if (!count) return 0;
    const char **k = malloc(count * sizeof *k);
    if (!k) return -1;
    const char *key;
    json_t *v;
    size_t i = 0;
    /* jansson's iteration macro takes a non-const object; it does not modify it */
    json_object_foreach((json_t *)obj, key, v)
    {
        if (i < count) k[i++] = key;
    }
    qsort(k, i, sizeof *k, cmp_str);
    *keys = k;
    *n = i;
    return 0;
}

#define HIST_MAX 8

typedef struct hist {
    const char *name, *help;
    double le[HIST_MAX]; /* finite bounds; +Inf is implicit */
    size_t nle;
    size_t counts[HIST_MAX]; /* per bucket, not cumulative */
    size_t count;
    double sum;
} hist_t;

static void hist_add(hist_t *h, double v)
{
    size_t i = 0;
    while (i < h->nle && !(v <= h->le[i]))
        i++;
    if (i < h->nle) h->counts[i]++;
    h->count++;
    h->sum += v;
}

static int put_hist(api_buf_t *b, const hist_t *h)
{
    int rc = put_help(b, h->name, "histogram", h->help);
    size_t cum = 0;
    char num[64];
    for (size_t i = 0; i < h->nle; i++) {
        cum += h->counts[i];
        fmt_double(h->le[i], num, sizeof num);
        rc |= api_buf_printf(b, "%s_bucket{le=\"%s\"} %zu\n", h->name, num, cum);
    }
    rc |= api_buf_printf(b, "%s_bucket{le=\"+Inf\"} %zu\n", h->name, h->count);
    fmt_double(h->sum, num, sizeof num);
    rc |= api_buf_printf(b, "%s_sum %s\n%s_count %zu\n", h->name, num, h->name, h->count);
    return rc;
}

typedef struct dialog_acc {
    size_t by_state[API_STATE_COUNT];
    size_t diag[32]; /* by diagnosis kind (api_store_kinds) */
    size_t pdd_counts[HIST_MAX], pdd_count;
    int64_t pdd_sum_ms; /* exact: summed in integers */
} dialog_acc_t;

static const int32_t pdd_le_ms[] = {500, 1000, 2000, 3000, 5000, 10000};
#define PDD_NLE (sizeof pdd_le_ms / sizeof pdd_le_ms[0])

static bool acc_dialog(void *ud, const api_dialog_t *d)
{
    dialog_acc_t *a = ud;
    if (d->state < API_STATE_COUNT) a->by_state[d->state]++;
    for (unsigned k = 0; k < 32; k++)
        if (d->diag_flags & (1u << k)) a->diag[k]++;
    if (d->pdd_ms >= 0) {
        size_t i = 0;
        while (i < PDD_NLE && d->pdd_ms > pdd_le_ms[i])
            i++;
        if (i < PDD_NLE) a->pdd_counts[i]++;
        a->pdd_count++;
        a->pdd_sum_ms += d->pdd_ms;
    }
    return true;
}

typedef struct stream_acc {
    size_t active, established, orphaned;
    hist_t mos, jitter, loss;
} stream_acc_t;

static bool acc_stream(void *ud, const api_stream_t *st)
{
    stream_acc_t *a = ud;
    a->active += st->active;
    if (st->orphaned)
        a->orphaned++;
    else
        a->established++;
    /* Non-finite values cannot be bucketed meaningfully: left out. */
    if (isfinite(st->mos) && st->mos >= 0) hist_add(&a->mos, st->mos);
    if (isfinite(st->jitter_ms)) hist_add(&a->jitter, st->jitter_ms);
    if (isfinite(st->loss_pct)) hist_add(&a->loss, st->loss_pct);
    return true;
}

/* Lowercase of an ASCII state name ("InCall" -> "incall"). */
static void lower(const char *in, char *out, size_t size)
{
    size_t i = 0;
    for (; in[i] && i + 1 < size; i++)
        out[i] = snb_ascii_lower(in[i]);
    out[i] = '\0';
}

/* Prometheus metric and label names: [a-zA-Z_:][a-zA-Z0-9_:]* (labels
 * without ':'). A family from the capture process that breaks this is left
 * out rather than making the whole exposition invalid. */
static bool valid_name(const char *n, bool label)
{
    if (!n || !*n) return false;
    for (const char *p = n; *p; p++) {
        char c = *p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
                  (!label && c == ':') || (p != n && c >= '0' && c <= '9');
        if (!ok) return false;
    }
    return true;
}

/* Family names already written: a second family of the same name would
 * make the exposition invalid, so the first one wins. */
typedef struct seen {
    const char **names;
    size_t n, cap;
} seen_t;

static bool seen_has(const seen_t *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->names[i], name)) return true;
    return false;
}

static int seen_add(seen_t *s, const char *name)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        const char **g = realloc(s->names, cap * sizeof *g);
        if (!g) return -1;
        s->names = g;
        s->cap = cap;
    }
    s->names[s->n++] = name;
    return 0;
}

/* One family the capture process collected (see snb_core_metrics_json):
 * samples sorted by their label values, so a scrape is deterministic. */
static int cmp_sample(const void *a, const void *b)
{
    const json_t *x = *(const json_t *const *)a, *y = *(const json_t *const *)b;
    char *tx = json_dumps(json_object_get(x, "labels"), JSON_COMPACT | JSON_SORT_KEYS);
    char *ty = json_dumps(json_object_get(y, "labels"), JSON_COMPACT | JSON_SORT_KEYS);
    int c = strcmp(tx ? tx : "", ty ? ty : "");
    free(tx);
    free(ty);
    return c;
}

static int put_family(api_buf_t *b, const json_t *f, seen_t *seen)
{
    const char *name = json_string_value(json_object_get(f, "name"));
    const char *type = json_string_value(json_object_get(f, "type"));
    const char *help = json_string_value(json_object_get(f, "help"));
    const json_t *samples = json_object_get(f, "samples");
    if (!valid_name(name, false) || seen_has(seen, name) || !json_is_array(samples)) return 0;
    if (!type || (strcmp(type, "counter") != 0 && strcmp(type, "gauge") != 0)) return 0;
    if (seen_add(seen, name) != 0) return -1;
    size_t n = json_array_size(samples);
    const json_t **sorted = n ? malloc(n * sizeof *sorted) : NULL;
    if (n && !sorted) return -1;
    for (size_t i = 0; i < n; i++)
        sorted[i] = json_array_get(samples, i);
    if (n > 1) qsort(sorted, n, sizeof *sorted, cmp_sample);
    /* HELP text: one line, backslash and newline escaped. */
    int rc = api_buf_printf(b, "# HELP %s ", name);
    for (const char *p = help ? help : ""; *p && rc == 0; p++)
        rc = *p == '\\'   ? api_buf_append(b, "\\\\", 2)
             : *p == '\n' ? api_buf_append(b, "\\n", 2)
                          : api_buf_append(b, p, 1);
    rc |= api_buf_printf(b, "\n# TYPE %s %s\n", name, type);
    for (size_t i = 0; i < n && rc == 0; i++) {
        char val[64];
        if (!json_value_text(json_object_get(sorted[i], "value"), val, sizeof val)) continue;
        const json_t *labels = json_object_get(sorted[i], "labels");
        const char **keys;
        size_t nk;
        if (sorted_keys(labels, &keys, &nk) != 0) {
            rc = -1;
            break;
        }
        bool ok = true;
        for (size_t k = 0; k < nk; k++)
            ok &= valid_name(keys[k], true) && json_is_string(json_object_get(labels, keys[k]));
        if (ok) {
            rc |= api_buf_printf(b, "%s", name);
            for (size_t k = 0; k < nk; k++) {
                rc |= api_buf_printf(b, "%s%s=\"", k ? "," : "{", keys[k]);
                rc |= put_label_value(b, json_string_value(json_object_get(labels, keys[k])));
                rc |= api_buf_append(b, "\"", 1);
            }
            rc |= api_buf_printf(b, "%s %s\n", nk ? "}" : "", val);
        }
        free(keys);
    }
    free(sorted);
    return rc;
}

/* Families the REST spec promises even before anything fills them (no
 * detector module loaded: no alerts, but the family is there). */
static const struct {
    const char *name, *help;
} contract_families[] = {
    {"sipnab_messages_total", "SIP messages by method"},
    {"sipnab_responses_total", "SIP responses by status code"},
    {"sipnab_capture_packets_total", "Total packets captured"},
    {"sipnab_reassembly_timeouts_total", "TCP/IP reassembly sessions that timed out"},
    {"sipnab_security_alerts_total", "Security alerts by type"},
};

char *api_metrics_render(const api_store_t *store, size_t *len)
{
    const json_t *c = api_store_counters(store);
    dialog_acc_t d = {0};
    stream_acc_t s = {
        .mos = {"sipnab_mos", "RTP MOS estimate", {1, 2, 2.5, 3, 3.5, 4, 4.5}, 7, {0}, 0, 0},
        .jitter = {"sipnab_jitter_ms",
                   "RTP jitter in milliseconds",
                   {5, 10, 20, 50, 100, 200},
                   6,
                   {0},
                   0,
                   0},
        .loss = {"sipnab_loss_percent",
                 "RTP packet loss in percent",
                 {0.1, 0.5, 1, 2, 5, 10},
                 6,
                 {0},
                 0,
                 0},
    };
    api_store_foreach_dialog(store, acc_dialog, &d);
    api_store_foreach_stream(store, acc_stream, &s);

    api_buf_t b = {0};
    seen_t seen = {0};
    int rc = put_help(&b, "sipnab_dialogs_total", "counter", "Total dialogs by state");
    for (unsigned i = 0; i < API_STATE_COUNT; i++) {
        char name[32];
        lower(api_state_name(i), name, sizeof name);
        rc |= api_buf_printf(&b, "sipnab_dialogs_total{state=\"%s\"} %zu\n", name, d.by_state[i]);
    }
    rc |= put_help(&b, "sipnab_rtp_streams_active", "gauge", "RTP streams currently receiving");
    rc |= api_buf_printf(&b, "sipnab_rtp_streams_active %zu\n", s.active);
    rc |= put_help(&b, "sipnab_rtp_streams_total", "counter", "RTP streams by status");
    rc |= api_buf_printf(&b,
                         "sipnab_rtp_streams_total{status=\"established\"} %zu\n"
                         "sipnab_rtp_streams_total{status=\"orphaned\"} %zu\n",
                         s.established, s.orphaned);

    hist_t pdd = {"sipnab_pdd_seconds", "Post-dial delay in seconds", {0}, PDD_NLE, {0}, 0, 0};
    for (size_t i = 0; i < PDD_NLE; i++) {
        pdd.le[i] = pdd_le_ms[i] / 1000.0;
        pdd.counts[i] = d.pdd_counts[i];
    }
    pdd.count = d.pdd_count;
    pdd.sum = (double)d.pdd_sum_ms / 1000.0;
    rc |= put_hist(&b, &pdd);
    rc |= put_hist(&b, &s.mos);
    rc |= put_hist(&b, &s.jitter);
    rc |= put_hist(&b, &s.loss);

    /* Every kind the capture process's modules diagnose (the REST spec's
     * three before any table arrived). */
    static const char *const spec_kinds[] = {"one_way_audio", "nat_mismatch", "no_media"};
    size_t nk;
    const char *const *kinds = api_store_kinds(store, &nk);
    if (!nk) kinds = spec_kinds, nk = 3;
    rc |= put_help(&b, "sipnab_diagnosis_total", "counter", "Dialogs by diagnosis");
    for (size_t k = 0; k < nk && k < 32; k++) {
        rc |= api_buf_printf(&b, "sipnab_diagnosis_total{kind=\"");
        rc |= put_label_value(&b, kinds[k]);
        rc |= api_buf_printf(&b, "\"} %zu\n", d.diag[k]);
    }
    /* 1 once a capture file has been read to the end and everything it gave
     * has reached this process (scripts and tests wait on it). */
    const json_t *done = json_object_get(c, "feed_complete");
    rc |= put_help(&b, "sipnab_api_feed_complete", "gauge",
                   "1 when the capture has ended and the API holds all of it");
    rc |= api_buf_printf(&b, "sipnab_api_feed_complete %d\n", json_is_true(done) ? 1 : 0);
    /* How far behind the capture the dialogs arrive (live captures). */
    const api_feed_lag_t *lag = &api_store_totals(store)->lag;
    hist_t lh = {"sipnab_api_feed_lag_seconds",
                 "Seconds from the capture of a dialog's latest message to its arrival in the API "
                 "process (live captures)",
                 {0},
                 API_LAG_NLE,
                 {0},
                 (size_t)lag->count,
                 lag->sum_s};
    for (size_t i = 0; i < API_LAG_NLE; i++) {
        lh.le[i] = api_lag_le_s[i];
        lh.counts[i] = (size_t)lag->counts[i];
    }
    rc |= put_hist(&b, &lh);
    static const char *const own[] = {"sipnab_dialogs_total",
                                      "sipnab_rtp_streams_active",
                                      "sipnab_rtp_streams_total",
                                      "sipnab_pdd_seconds",
                                      "sipnab_mos",
                                      "sipnab_jitter_ms",
                                      "sipnab_loss_percent",
                                      "sipnab_diagnosis_total",
                                      "sipnab_api_feed_complete",
                                      "sipnab_api_feed_lag_seconds"};
    for (size_t i = 0; i < sizeof own / sizeof own[0] && rc == 0; i++)
        rc |= seen_add(&seen, own[i]);
    /* Then every family the capture process's modules collected. */
    const json_t *families = json_object_get(c, "families");
    for (size_t i = 0; i < json_array_size(families) && rc == 0; i++)
        rc |= put_family(&b, json_array_get(families, i), &seen);
    for (size_t i = 0; i < sizeof contract_families / sizeof contract_families[0] && rc == 0; i++)
        if (!seen_has(&seen, contract_families[i].name))
            rc |= put_help(&b, contract_families[i].name, "counter", contract_families[i].help);
    free(seen.names);
    if (rc != 0) {
        api_buf_free(&b);
        return NULL;
    }
    *len = b.len;
    return b.data;
}
