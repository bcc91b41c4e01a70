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

/* One family with a sample per key of counters[group]. */
static int put_labeled(api_buf_t *b, const json_t *counters, const char *group, const char *name,
                       const char *label, const char *help)
{
    const json_t *obj = json_object_get(counters, group);
    const char **keys;
    size_t n;
    if (sorted_keys(obj, &keys, &n) != 0) return -1;
    int rc = put_help(b, name, "counter", help);
    for (size_t i = 0; i < n && rc == 0; i++) {
        char val[64];
        if (!json_value_text(json_object_get(obj, keys[i]), val, sizeof val)) continue;
        rc |= api_buf_printf(b, "%s{%s=\"", name, label);
        rc |= put_label_value(b, keys[i]);
        rc |= api_buf_printf(b, "\"} %s\n", val);
    }
    free(keys);
    return rc;
}

static int put_scalar(api_buf_t *b, const json_t *counters, const char *key, const char *name,
                      const char *help)
{
    char val[64] = "0";
    const json_t *v = json_object_get(counters, key);
    if (v) json_value_text(v, val, sizeof val);
    return put_help(b, name, "counter", help) | api_buf_printf(b, "%s %s\n", name, val);
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
    size_t diag[5];
    size_t pdd_counts[HIST_MAX], pdd_count;
    int64_t pdd_sum_ms; /* exact: summed in integers */
} dialog_acc_t;

static const int32_t pdd_le_ms[] = {500, 1000, 2000, 3000, 5000, 10000};
#define PDD_NLE (sizeof pdd_le_ms / sizeof pdd_le_ms[0])

static bool acc_dialog(void *ud, const api_dialog_t *d)
{
    dialog_acc_t *a = ud;
    if (d->state < API_STATE_COUNT) a->by_state[d->state]++;
    for (unsigned k = 0; k < 5; k++)
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

/* The Prometheus name of a module counter: sipnab_<key>_total with every
 * character outside [a-zA-Z0-9_] as '_'. malloc'd; NULL when out of memory. */
static char *module_metric_name(const char *key)
{
    size_t n = strlen(key);
    char *out = malloc(n + sizeof "sipnab__total");
    if (!out) return NULL;
    memcpy(out, "sipnab_", 7);
    for (size_t i = 0; i < n; i++) {
        char c = key[i];
        bool ok =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        out[7 + i] = ok ? c : '_';
    }
    memcpy(out + 7 + n, "_total", sizeof "_total");
    return out;
}

static const char *const builtin_totals[] = {
    "sipnab_dialogs_total",         "sipnab_messages_total",
    "sipnab_responses_total",       "sipnab_rtp_streams_total",
    "sipnab_capture_packets_total", "sipnab_reassembly_timeouts_total",
    "sipnab_security_alerts_total", "sipnab_diagnosis_total",
    "sipnab_api_feed_complete",
};

static bool is_builtin(const char *name)
{
    for (size_t i = 0; i < sizeof builtin_totals / sizeof builtin_totals[0]; i++)
        if (strcmp(name, builtin_totals[i]) == 0) return true;
    return false;
}

typedef struct mod_metric {
    char *name;
    const char *key;
} mod_metric_t;

static int cmp_mod(const void *a, const void *b)
{
    const mod_metric_t *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : strcmp(x->key, y->key);
}

/* One family per module counter. Two keys that sanitise to the same name (or
 * to a built-in family) would make the exposition invalid: the first in
 * sorted order wins, the rest are left out. */
static int put_modules(api_buf_t *b, const json_t *counters)
{
    const json_t *obj = json_object_get(counters, "modules");
    const char **keys;
    size_t n;
    if (sorted_keys(obj, &keys, &n) != 0) return -1;
    if (!n) return 0;
    mod_metric_t *m = calloc(n, sizeof *m);
    int rc = m ? 0 : -1;
    for (size_t i = 0; i < n && rc == 0; i++) {
        m[i].key = keys[i];
        m[i].name = module_metric_name(keys[i]);
        if (!m[i].name) rc = -1;
    }
    if (rc == 0) qsort(m, n, sizeof *m, cmp_mod);
    for (size_t i = 0; i < n && rc == 0; i++) {
        char val[64];
        if (!json_value_text(json_object_get(obj, m[i].key), val, sizeof val)) continue;
        if (is_builtin(m[i].name) || (i && strcmp(m[i].name, m[i - 1].name) == 0)) continue;
        const char *name = m[i].name;
        int keylen = (int)(strlen(name) - strlen("sipnab__total")); /* the sanitised key */
        rc |= api_buf_printf(b, "# HELP %s Module counter %.*s\n# TYPE %s counter\n%s %s\n", name,
                             keylen, name + 7, name, name, val);
    }
    for (size_t i = 0; m && i < n; i++)
        free(m[i].name);
    free(m);
    free(keys);
    return rc;
}

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
    int rc = put_help(&b, "sipnab_dialogs_total", "counter", "Total dialogs by state");
    for (unsigned i = 0; i < API_STATE_COUNT; i++) {
        char name[32];
        lower(api_state_name(i), name, sizeof name);
        rc |= api_buf_printf(&b, "sipnab_dialogs_total{state=\"%s\"} %zu\n", name, d.by_state[i]);
    }
    rc |=
        put_labeled(&b, c, "messages", "sipnab_messages_total", "method", "SIP messages by method");
    rc |= put_labeled(&b, c, "responses", "sipnab_responses_total", "code",
                      "SIP responses by status code");
    rc |= put_help(&b, "sipnab_rtp_streams_active", "gauge", "RTP streams currently receiving");
    rc |= api_buf_printf(&b, "sipnab_rtp_streams_active %zu\n", s.active);
    rc |= put_help(&b, "sipnab_rtp_streams_total", "counter", "RTP streams by status");
    rc |= api_buf_printf(&b,
                         "sipnab_rtp_streams_total{status=\"established\"} %zu\n"
                         "sipnab_rtp_streams_total{status=\"orphaned\"} %zu\n",
                         s.established, s.orphaned);
    rc |= put_scalar(&b, c, "capture_packets", "sipnab_capture_packets_total",
                     "Total packets captured");
    rc |= put_scalar(&b, c, "reassembly_timeouts", "sipnab_reassembly_timeouts_total",
                     "TCP/IP reassembly sessions that timed out");

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

    rc |= put_labeled(&b, c, "security_alerts", "sipnab_security_alerts_total", "type",
                      "Security alerts by type");
    static const char *const kinds[5] = {"one_way_audio", "nat_mismatch", "no_media", "late_media",
                                         "codec_asymmetry"};
    rc |= put_help(&b, "sipnab_diagnosis_total", "counter", "Dialogs by media diagnosis");
    for (unsigned k = 0; k < 5; k++)
        rc |= api_buf_printf(&b, "sipnab_diagnosis_total{kind=\"%s\"} %zu\n", kinds[k], d.diag[k]);
    /* 1 once a capture file has been read to the end and everything it gave
     * has reached this process (scripts and tests wait on it). */
    const json_t *done = json_object_get(c, "feed_complete");
    rc |= put_help(&b, "sipnab_api_feed_complete", "gauge",
                   "1 when the capture has ended and the API holds all of it");
    rc |= api_buf_printf(&b, "sipnab_api_feed_complete %d\n", json_is_true(done) ? 1 : 0);
    rc |= put_modules(&b, c);
    if (rc != 0) {
        api_buf_free(&b);
        return NULL;
    }
    *len = b.len;
    return b.data;
}
