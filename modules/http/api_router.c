/* REST routing (see api_router.h): authentication, path matching, query
 * parameters and the bodies of every endpoint. Listing bodies are built by
 * splicing the JSON the capture process rendered, never re-parsing it. */
#include "api_router.h"
#include "api_alerts.h"

#include <math.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api_metrics.h"
#include "api_regex.h"
#include "api_stats.h"

#define CT_JSON "application/json"
#define CT_TEXT "text/plain"
#define CT_METRICS "text/plain; version=0.0.4; charset=utf-8"
#define CT_MARKDOWN "text/markdown; charset=utf-8"

#define LIMIT_DEFAULT 50
#define LIMIT_MAX 1000

static const char oom_body[] = "{\"schema_version\":1,\"status\":500,\"error\":\"out of memory\"}";

/* ---- helpers shared by api_server.c ----------------------------------- */

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

long api_url_decode(const char *in, size_t len, char *out, size_t cap, bool form)
{
    if (!out || cap == 0) return -1;
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        char c = in[i];
        if (c == '%') {
            if (len - i < 3) return -1;
            int h = hexval(in[i + 1]), l = hexval(in[i + 2]);
            if (h < 0 || l < 0) return -1;
            c = (char)(h << 4 | l);
            i += 2;
        } else if (c == '+' && form) {
            c = ' ';
        }
        if (c == '\0' || o + 1 >= cap) return -1;
        out[o++] = c;
    }
    out[o] = '\0';
    return (long)o;
}

int api_parse_ssrc(const char *text, unsigned *out)
{
    if (!text) return -1;
    if (text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) text += 2;
    unsigned v = 0;
    size_t n = 0;
    for (; text[n]; n++) {
        int d = hexval(text[n]);
        if (d < 0 || n >= 8) return -1;
        v = v << 4 | (unsigned)d;
    }
    if (n == 0) return -1;
    *out = v;
    return 0;
}

static bool sha256(const char *p, size_t n, unsigned char md[32])
{
    unsigned int mdlen = 0;
    return EVP_Digest(p, n, md, &mdlen, EVP_sha256(), NULL) == 1 && mdlen == 32;
}

static bool ows(char c)
{
    return c == ' ' || c == '\t';
}

bool api_bearer_ok(const char *authorization, const char *key)
{
    if (!authorization || !key || !*key) return false;
    /* HTTP's optional whitespace around the value, and one or more spaces
     * or tabs after the scheme, as clients send them. */
    while (ows(*authorization))
        authorization++;
    if (strncasecmp(authorization, "Bearer", 6) != 0 || !ows(authorization[6])) return false;
    const char *token = authorization + 6;
    while (ows(*token))
        token++;
    size_t len = strlen(token);
    while (len && ows(token[len - 1]))
        len--;
    /* Digests of both sides have a fixed length: comparing them leaks
     * neither the key's bytes nor its length. */
    unsigned char a[32], b[32];
    if (!sha256(token, len, a) || !sha256(key, strlen(key), b)) return false;
    return CRYPTO_memcmp(a, b, sizeof a) == 0;
}

/* ---- responses -------------------------------------------------------- */

static void set_oom(api_response_t *resp)
{
    free(resp->body);
    resp->status = 500;
    resp->content_type = CT_JSON;
    resp->allow = NULL;
    resp->challenge = false;
    resp->body = malloc(sizeof oom_body);
    resp->body_len = resp->body ? sizeof oom_body - 1 : 0;
    if (resp->body) memcpy(resp->body, oom_body, sizeof oom_body);
}

static void set_body(api_response_t *resp, int status, const char *ctype, char *body, size_t len)
{
    if (!body) {
        set_oom(resp);
        return;
    }
    resp->status = status;
    resp->content_type = ctype;
    resp->body = body;
    resp->body_len = len;
}

static void set_copy(api_response_t *resp, int status, const char *ctype, const char *p, size_t len)
{
    char *body = malloc(len + 1);
    if (body) {
        if (len) memcpy(body, p, len);
        body[len] = '\0';
    }
    set_body(resp, status, ctype, body, len);
}

static void set_error(api_response_t *resp, int status, const char *msg)
{
    json_t *j = json_pack("{s:i,s:i,s:s}", "schema_version", 1, "status", status, "error", msg);
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    set_body(resp, status, CT_JSON, text, text ? strlen(text) : 0);
}

static void set_buf(api_response_t *resp, int status, const char *ctype, api_buf_t *b, int rc)
{
    if (rc != 0) {
        api_buf_free(b);
        set_oom(resp);
        return;
    }
    if (!b->data && api_buf_append(b, "", 0) != 0) {
        set_oom(resp);
        return;
    }
    set_body(resp, status, ctype, b->data, b->len);
}

/* ---- query parameters ------------------------------------------------- */

typedef struct qparam {
    const char *name;
    char *value; /* decoded, malloc'd; NULL when absent (the last one wins) */
} qparam_t;

static void qparams_free(qparam_t *ps, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(ps[i].value);
        ps[i].value = NULL;
    }
}

/* Decode every pair of `query` (so a malformed escape anywhere is an error)
 * and keep the values of the wanted names. 0, -1 malformed, -2 no memory. */
static int decode_query(const char *query, qparam_t *ps, size_t n)
{
    if (!query) return 0;
    const char *p = query;
    while (*p) {
        size_t plen = strcspn(p, "&");
        const char *eq = memchr(p, '=', plen);
        size_t klen = eq ? (size_t)(eq - p) : plen;
        size_t vlen = eq ? plen - klen - 1 : 0;
        if (plen) {
            char *key = malloc(klen + 1), *val = malloc(vlen + 1);
            if (!key || !val) {
                free(key);
                free(val);
                return -2;
            }
            if (api_url_decode(p, klen, key, klen + 1, true) < 0 ||
                api_url_decode(eq ? eq + 1 : "", vlen, val, vlen + 1, true) < 0) {
                free(key);
                free(val);
                return -1;
            }
            for (size_t i = 0; i < n && val; i++) {
                if (strcmp(key, ps[i].name) == 0) {
                    free(ps[i].value);
                    ps[i].value = val;
                    val = NULL;
                }
            }
            free(key);
            free(val);
        }
        p += plen;
        if (*p == '&') p++;
    }
    return 0;
}

/* Non-negative decimal. Saturates at 2^53 - 1, the largest integer every
 * JSON client reads back exactly (the offset is echoed in the body). */
static bool parse_count(const char *s, size_t *out)
{
    const uint64_t max = (UINT64_C(1) << 53) - 1;
    if (!*s) return false;
    uint64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9') return false;
        v = v * 10 + (uint64_t)(*s - '0');
        if (v > max) v = max;
    }
    *out = v > SIZE_MAX ? SIZE_MAX : (size_t)v;
    return true;
}

/* limit and offset of a listing; false (and a 400 in resp) on garbage. */
/* decode_query, answering 400 (or 500 without memory) when it fails. */
static bool parse_query(const char *query, qparam_t *ps, size_t n, api_response_t *resp)
{
    int q = decode_query(query, ps, n);
    if (q == -2)
        set_oom(resp);
    else if (q != 0)
        set_error(resp, 400, "malformed percent-encoding in query");
    return q == 0;
}

static bool parse_page(const qparam_t *limit, const qparam_t *offset, size_t *lim, size_t *off,
                       api_response_t *resp)
{
    *lim = LIMIT_DEFAULT;
    *off = 0;
    if (limit->value && !parse_count(limit->value, lim)) {
        set_error(resp, 400, "limit must be a non-negative integer");
        return false;
    }
    if (*lim > LIMIT_MAX) *lim = LIMIT_MAX;
    if (offset->value && !parse_count(offset->value, off)) {
        set_error(resp, 400, "offset must be a non-negative integer");
        return false;
    }
    return true;
}

/* ---- listings --------------------------------------------------------- */

typedef struct page {
    api_buf_t items;
    size_t offset, limit, total, emitted;
    int rc;
} page_t;

/* Count a match; splice its element if it falls in the page. An empty
 * element would break the array, so it becomes null. */
static void page_add(page_t *pg, const char *json, size_t len)
{
    size_t index = pg->total++;
    if (index < pg->offset || pg->emitted >= pg->limit) return;
    if (pg->emitted++) pg->rc |= api_buf_append(&pg->items, ",", 1);
    pg->rc |= len ? api_buf_append(&pg->items, json, len) : api_buf_append(&pg->items, "null", 4);
}

static void page_respond(page_t *pg, const char *array, api_response_t *resp)
{
    api_buf_t b = {0};
    int rc = pg->rc;
    rc |= api_buf_printf(
        &b, "{\"schema_version\":1,\"total\":%zu,\"offset\":%zu,\"limit\":%zu,\"%s\":[", pg->total,
        pg->offset, pg->limit, array);
    rc |= api_buf_append(&b, pg->items.data, pg->items.len);
    rc |= api_buf_append(&b, "]}", 2);
    api_buf_free(&pg->items);
    set_buf(resp, 200, CT_JSON, &b, rc);
}

/* ?filter=EXPR in the --filter language, compiled against the fields that
 * travelled with the records; a bad one is a 400 that says where. */
static snb_filter_t *compile_filter(const api_field_table_t *t, const char *expr,
                                    api_response_t *resp)
{
    char err[512], text[600];
    snb_filter_t *f = api_field_table_compile(t, expr, err, sizeof err);
    if (!f) {
        char *nl = strchr(err, '\n'); /* the first line; the caret lines do not fit JSON errors */
        if (nl) *nl = '\0';
        snprintf(text, sizeof text, "bad filter: %s", err);
        set_error(resp, 400, text);
    }
    return f;
}

typedef struct dialog_filter {
    page_t pg;
    snb_filter_t *expr; /* ?filter=, the --filter language */
    int state;          /* -1: any */
    api_regex_t *re;    /* ?from= */
} dialog_filter_t;

static bool list_dialog(void *ud, const api_dialog_t *d)
{
    dialog_filter_t *f = ud;
    if (f->state < 0 && !f->re &&
        !f->expr) { /* unfiltered: total is the count; stop after the page */
        page_add(&f->pg, d->summary_json, d->summary_len);
        return f->pg.emitted < f->pg.limit;
    }
    if (f->state >= 0 && d->state != f->state) return true;
    if (f->expr && !api_values_match(f->expr, &d->values)) return true;
    if (f->re && !api_regex_match(f->re, d->from_user, strlen(d->from_user)))
        return !api_regex_too_expensive(f->re);
    page_add(&f->pg, d->summary_json, d->summary_len);
    return true;
}

static void get_dialogs(const api_store_t *store, const char *query, api_response_t *resp)
{
    qparam_t ps[] = {
        {"state", NULL}, {"from", NULL}, {"limit", NULL}, {"offset", NULL}, {"filter", NULL}};
    size_t nps = sizeof ps / sizeof ps[0];
    dialog_filter_t f = {.state = -1};
    if (!parse_query(query, ps, nps, resp)) goto out;
    if (ps[4].value &&
        !(f.expr = compile_filter(api_store_dialog_fields(store), ps[4].value, resp)))
        goto out;
    if (!parse_page(&ps[2], &ps[3], &f.pg.limit, &f.pg.offset, resp)) goto out;
    if (ps[0].value && (f.state = api_state_from(ps[0].value)) < 0) {
        set_error(resp, 400, "unknown dialog state");
        goto out;
    }
    if (ps[1].value) {
        char err[300], text[340];
        if (!(f.re = api_regex_compile(ps[1].value, err, sizeof err))) {
            snprintf(text, sizeof text, "invalid from regex %s", err);
            if (strcmp(err, "out of memory") == 0)
                set_oom(resp);
            else
                set_error(resp, 400, text);
            goto out;
        }
    }
    if (f.pg.limit || f.state >= 0 || f.re || f.expr)
        api_store_foreach_dialog(store, list_dialog, &f);
    if (f.state < 0 && !f.re && !f.expr) f.pg.total = api_store_dialog_count(store);
    if (f.re && api_regex_too_expensive(f.re))
        set_error(resp, 400, "from regex too expensive: it keeps exceeding its match limit");
    else
        page_respond(&f.pg, "dialogs", resp);
out:
    api_buf_free(&f.pg.items);
    snb_filter_free(f.expr);
    api_regex_free(f.re);
    qparams_free(ps, nps);
}

typedef struct stream_filter {
    page_t pg;
    snb_filter_t *expr;
    int orphaned; /* -1: any */
    bool mos_set;
    double mos_below;
} stream_filter_t;

static bool list_stream(void *ud, const api_stream_t *st)
{
    stream_filter_t *f = ud;
    if (f->orphaned >= 0 && st->orphaned != (f->orphaned == 1)) return true;
    /* Unknown MOS (< 0, or not a number) never counts as below anything. */
    if (f->mos_set && !(st->mos >= 0 && st->mos < f->mos_below)) return true;
    if (f->expr && !api_values_match(f->expr, &st->values)) return true;
    page_add(&f->pg, st->list_json, st->list_len);
    return true;
}

/* true/false in any case (Python's requests sends True and False), 1/0. */
static bool parse_bool(const char *s, int *out)
{
    if (strcasecmp(s, "true") == 0 || strcmp(s, "1") == 0)
        *out = 1;
    else if (strcasecmp(s, "false") == 0 || strcmp(s, "0") == 0)
        *out = 0;
    else
        return false;
    return true;
}

static void get_streams(const api_store_t *store, const char *query, api_response_t *resp)
{
    qparam_t ps[] = {{"orphaned", NULL},
                     {"mos_below", NULL},
                     {"limit", NULL},
                     {"offset", NULL},
                     {"filter", NULL}};
    size_t nps = sizeof ps / sizeof ps[0];
    stream_filter_t f = {.orphaned = -1};
    if (!parse_query(query, ps, nps, resp)) goto out;
    if (ps[4].value &&
        !(f.expr = compile_filter(api_store_stream_fields(store), ps[4].value, resp)))
        goto out;
    if (!parse_page(&ps[2], &ps[3], &f.pg.limit, &f.pg.offset, resp)) goto out;
    if (ps[0].value && !parse_bool(ps[0].value, &f.orphaned)) {
        set_error(resp, 400, "orphaned must be true, false (any case), 1 or 0");
        goto out;
    }
    if (ps[1].value) {
        char *end;
        f.mos_below = strtod(ps[1].value, &end);
        if (end == ps[1].value || *end || !isfinite(f.mos_below)) {
            set_error(resp, 400, "mos_below must be a number");
            goto out;
        }
        f.mos_set = true;
    }
    api_store_foreach_stream(store, list_stream, &f);
    page_respond(&f.pg, "streams", resp);
out:
    api_buf_free(&f.pg.items);
    snb_filter_free(f.expr);
    qparams_free(ps, nps);
}

/* GET /v1/alerts: type, source (exact address), since and until (capture
 * time, ISO 8601 UTC or epoch seconds), paged like /v1/dialogs. */
static void get_alerts(const api_store_t *store, const char *query, api_response_t *resp)
{
    qparam_t ps[] = {{"type", NULL},  {"source", NULL}, {"since", NULL},
                     {"until", NULL}, {"limit", NULL},  {"offset", NULL}};
    size_t nps = sizeof ps / sizeof ps[0];
    api_alerts_query_t q = {.type = NULL};
    api_buf_t b = {0};
    if (!parse_query(query, ps, nps, resp)) goto out;
    if (!parse_page(&ps[4], &ps[5], &q.limit, &q.offset, resp)) goto out;
    q.type = ps[0].value;
    q.source = ps[1].value;
    for (int i = 0; i < 2; i++) {
        const char *v = ps[2 + i].value;
        int64_t t = v ? api_alerts_parse_time(v) : 0;
        if (t < 0) {
            set_error(resp, 400, "since and until must be ISO 8601 UTC times or epoch seconds");
            goto out;
        }
        if (i == 0)
            q.since_us = t;
        else
            q.until_us = t;
    }
    set_buf(resp, 200, CT_JSON, &b, api_alerts_render(api_store_alerts(store), &q, &b));
out:
    qparams_free(ps, nps);
}

/* ---- single resources ------------------------------------------------- */

/* The q-value of a media type in an Accept header (RFC 9110 §12.5.1):
 * its own entry, else text/ *, else * / *; -1 when none names it. */
static double accept_q(const char *accept, const char *type, int *rank_out)
{
    double best = -1;
    int best_rank = -1; /* 2 exact, 1 type/ *, 0 * / * */
    size_t tlen = strlen(type);
    const char *slash = strchr(type, '/');
    size_t major = slash ? (size_t)(slash - type) : tlen;
    for (const char *p = accept; p && *p;) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        size_t len = strcspn(p, ",");
        size_t mlen = strcspn(p, ";,");
        while (mlen && (p[mlen - 1] == ' ' || p[mlen - 1] == '\t'))
            mlen--;
        int rank = -1;
        if (mlen == tlen && strncasecmp(p, type, tlen) == 0)
            rank = 2;
        else if (mlen == major + 2 && strncasecmp(p, type, major) == 0 && p[major] == '/' &&
                 p[major + 1] == '*')
            rank = 1;
        else if (mlen == 3 && strncmp(p, "*/*", 3) == 0)
            rank = 0;
        if (rank > best_rank) {
            double q = 1;
            for (const char *param = memchr(p, ';', len); param && param < p + len;
                 param = memchr(param + 1, ';', (size_t)(p + len - param - 1))) {
                const char *v = param + 1;
                while (*v == ' ' || *v == '\t')
                    v++;
                if ((v[0] == 'q' || v[0] == 'Q') && v[1] == '=') q = strtod(v + 2, NULL);
            }
            best = q;
            best_rank = rank;
        }
        p += len;
    }
    *rank_out = best_rank;
    return best;
}

/* Markdown only when the client prefers it to JSON (q-values honoured:
 * "application/json, text/markdown;q=0.1" gets JSON; "text/markdown" or
 * "text/markdown, * / *" gets Markdown). */
static bool wants_markdown(const char *accept)
{
    if (!accept) return false;
    int md_rank, json_rank;
    double md = accept_q(accept, "text/markdown", &md_rank);
    double json = accept_q(accept, "application/json", &json_rank);
    /* a tie goes to the one the client named, then to JSON */
    return md > 0 && (md > json || (md == json && md_rank > json_rank));
}

/* The decoded path segment in a malloc'd buffer; NULL and a response set
 * on a malformed escape or no memory. */
static char *decode_segment(const char *seg, size_t len, api_response_t *resp)
{
    char *out = malloc(len + 1);
    if (!out) {
        set_oom(resp);
        return NULL;
    }
    if (api_url_decode(seg, len, out, len + 1, false) < 0) {
        free(out);
        set_error(resp, 400, "malformed percent-encoding in path");
        return NULL;
    }
    return out;
}

static void get_dialog(const api_store_t *store, const char *seg, size_t len, bool report,
                       const char *accept, api_response_t *resp)
{
    char *id = decode_segment(seg, len, resp);
    if (!id) return;
    const api_dialog_t *d = api_store_find_dialog(store, id, strlen(id));
    free(id);
    if (!d)
        set_error(resp, 404, "dialog not found");
    else if (report && wants_markdown(accept))
        set_copy(resp, 200, CT_MARKDOWN, d->report_markdown, d->markdown_len);
    else
        set_copy(resp, 200, CT_JSON, d->full_json, d->full_len);
}

typedef struct same_ssrc {
    const api_stream_t *served;
    json_t *others;
} same_ssrc_t;

static bool other_stream(void *ud, const api_stream_t *st)
{
    same_ssrc_t *same = ud;
    if (st == same->served || !same->others) return true;
    json_error_t e;
    json_t *o = json_loadb(st->list_json, st->list_len, 0, &e);
    if (o) json_array_append_new(same->others, o);
    return true;
}

static void get_stream(const api_store_t *store, const char *seg, size_t len, api_response_t *resp)
{
    char *text = decode_segment(seg, len, resp);
    if (!text) return;
    unsigned ssrc;
    int rc = api_parse_ssrc(text, &ssrc);
    free(text);
    if (rc != 0) {
        set_error(resp, 400, "invalid SSRC (expected 1 to 8 hex digits, optional 0x)");
        return;
    }
    const api_stream_t *st = api_store_find_ssrc(store, (uint32_t)ssrc);
    if (!st) {
        set_error(resp, 404, "stream not found");
        return;
    }
    same_ssrc_t same = {.served = st, .others = json_array()};
    api_store_foreach_ssrc(store, (uint32_t)ssrc, other_stream, &same);
    if (!same.others || json_array_size(same.others) == 0) {
        json_decref(same.others);
        set_copy(resp, 200, CT_JSON, st->full_json, st->full_len);
        return;
    }
    /* Several 5-tuples share the SSRC: the one with the most packets, and
     * the list entries of the others (docs/modules/http.md). */
    json_error_t e;
    json_t *full = json_loadb(st->full_json, st->full_len, 0, &e);
    if (full) json_object_set(full, "same_ssrc", same.others);
    json_decref(same.others);
    char *body = full ? json_dumps(full, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(full);
    set_body(resp, 200, CT_JSON, body, body ? strlen(body) : 0);
}

/* ---- routing ---------------------------------------------------------- */

typedef enum route {
    R_NONE,
    R_METRICS,
    R_DIALOGS,
    R_DIALOG,
    R_REPORT,
    R_STREAMS,
    R_STREAM,
    R_STATS,
    R_ALERTS,
} route_t;

static const char *after_prefix(const char *s, const char *prefix)
{
    size_t n = strlen(prefix);
    return strncmp(s, prefix, n) == 0 ? s + n : NULL;
}

/* The route of a path, and for the per-resource ones the raw segment. */
static route_t match(const char *path, const char **seg, size_t *seglen)
{
    const char *rest;
    if (strcmp(path, "/metrics") == 0) return R_METRICS;
    if (strcmp(path, "/v1/dialogs") == 0) return R_DIALOGS;
    if (strcmp(path, "/v1/streams") == 0) return R_STREAMS;
    if (strcmp(path, "/v1/stats") == 0) return R_STATS;
    if (strcmp(path, "/v1/alerts") == 0) return R_ALERTS;
    if ((rest = after_prefix(path, "/v1/dialogs/"))) {
        const char *slash = strchr(rest, '/');
        *seg = rest;
        *seglen = slash ? (size_t)(slash - rest) : strlen(rest);
        if (*seglen == 0) return R_NONE;
        if (!slash) return R_DIALOG;
        return strcmp(slash, "/report") == 0 ? R_REPORT : R_NONE;
    }
    if ((rest = after_prefix(path, "/v1/streams/"))) {
        *seg = rest;
        *seglen = strlen(rest);
        return *seglen && !strchr(rest, '/') ? R_STREAM : R_NONE;
    }
    return R_NONE;
}

static bool authorized(const api_auth_t *auth, bool metrics, const char *authorization)
{
    const char *api_key = auth && auth->api_key && *auth->api_key ? auth->api_key : NULL;
    const char *metrics_key =
        auth && auth->metrics_key && *auth->metrics_key ? auth->metrics_key : NULL;
    if (metrics && metrics_key)
        return api_bearer_ok(authorization, metrics_key) ||
               (api_key && api_bearer_ok(authorization, api_key));
    return !api_key || api_bearer_ok(authorization, api_key);
}

void api_route(const api_store_t *store, const api_auth_t *auth, const api_request_t *req,
               api_response_t *resp)
{
    memset(resp, 0, sizeof *resp);
    const char *method = req->method ? req->method : "";
    const char *path = req->path ? req->path : "";
    bool get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;

    if (strcmp(path, "/health") == 0) {
        if (!get) {
            set_error(resp, 405, "method not allowed");
            if (resp->status == 405) resp->allow = "GET";
        } else {
            set_copy(resp, 200, CT_TEXT, "ok", 2);
        }
        return;
    }
    /* Before 404/405, so an unauthenticated client learns nothing. */
    if (!authorized(auth, strcmp(path, "/metrics") == 0, req->authorization)) {
        set_error(resp, 401, "unauthorized");
        resp->challenge = resp->status == 401;
        return;
    }
    const char *seg = NULL;
    size_t seglen = 0;
    route_t r = match(path, &seg, &seglen);
    if (r == R_NONE) {
        set_error(resp, 404, "not found");
        return;
    }
    if (!get) {
        set_error(resp, 405, "method not allowed");
        if (resp->status == 405) resp->allow = "GET";
        return;
    }
    switch (r) {
    case R_METRICS: {
        size_t len = 0;
        char *text = api_metrics_render(store, &len);
        set_body(resp, 200, CT_METRICS, text, len);
        break;
    }
    case R_DIALOGS:
        get_dialogs(store, req->query, resp);
        break;
    case R_DIALOG:
    case R_REPORT:
        get_dialog(store, seg, seglen, r == R_REPORT, req->accept, resp);
        break;
    case R_STREAMS:
        get_streams(store, req->query, resp);
        break;
    case R_STREAM:
        get_stream(store, seg, seglen, resp);
        break;
    case R_ALERTS:
        get_alerts(store, req->query, resp);
        break;
    case R_STATS: {
        size_t len = 0;
        char *text = api_stats_json(store, &len);
        set_body(resp, 200, CT_JSON, text, len);
        break;
    }
    case R_NONE:
        break;
    }
}
