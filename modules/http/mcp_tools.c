/* The MCP tools (see mcp_tools.h). */
#include "mcp_tools.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_router.h"
#include "mcp_fence.h"

#define PAGE_DEFAULT 100
#define MOS_POOR_DEFAULT 3.6
#define CURSOR_PREFIX "offset:"

/* ---- definitions ------------------------------------------------------------------------------
 */

#define PAGE_ARGS                                                                                  \
    "\"limit\":{\"type\":\"integer\",\"minimum\":1,\"description\":\"rows per page (default "      \
    "100, at most --mcp-max-rows)\"},"                                                             \
    "\"cursor\":{\"type\":\"string\",\"description\":\"nextCursor of the previous page\"}"
#define PAGE_OUT                                                                                   \
    "\"total\":{\"type\":\"integer\"},\"offset\":{\"type\":\"integer\"},\"limit\":{\"type\":"      \
    "\"integer\"},\"nextCursor\":{\"type\":\"string\"}"

typedef struct tool_def {
    const char *name, *title, *description;
    const char *input;  /* the JSON Schema's properties (JSON text, without braces) */
    const char *output; /* the output schema (JSON text) */
    const char *const *args;
    const char *required; /* argument names required, or NULL */
} tool_def_t;

static const char *const list_dialogs_args[] = {"filter", "state", "limit", "cursor", NULL};
static const char *const get_dialog_args[] = {"call_id", "max_messages", "cursor", NULL};
static const char *const report_args[] = {"call_id", "format", NULL};
static const char *const list_streams_args[] = {"filter", "orphaned", "mos_below",
                                                "limit",  "cursor",   NULL};
static const char *const get_stream_args[] = {"ssrc", NULL};
static const char *const no_args[] = {NULL};
static const char *const problems_args[] = {"limit", "mos_below", NULL};

static const tool_def_t tools[] = {
    {"list_dialogs", "List SIP dialogs",
     "SIP dialogs in creation order, one summary each (call_id, from, to, state, timing, "
     "final_code). filter takes the sipnab --filter language (e.g. state == 'Failed' && "
     "final_code >= 500), evaluated as GET /v1/dialogs?filter= is; page with cursor.",
     "\"filter\":{\"type\":\"string\",\"description\":\"an expression in the sipnab --filter "
     "language\"},\"state\":{\"type\":\"string\",\"description\":\"Trying, Ringing, InCall, "
     "Completed, Failed, Cancelled, Registered, Expired, Pending, Active, Terminated or "
     "Transferring\"}," PAGE_ARGS,
     "{\"type\":\"object\",\"properties\":{" PAGE_OUT ",\"dialogs\":{\"type\":\"array\",\"items\":"
     "{\"type\":\"object\"}}},\"required\":[\"total\",\"dialogs\"]}",
     list_dialogs_args, NULL},
    {"get_dialog", "Get one SIP dialog",
     "The full dialog of a Call-ID (timing, SDP timeline, diagnosis, RTP streams) with its "
     "message ladder messages[], paginated by max_messages and cursor.",
     "\"call_id\":{\"type\":\"string\"},\"max_messages\":{\"type\":\"integer\",\"minimum\":1,"
     "\"description\":\"messages per page (default 100, at most --mcp-max-rows)\"},"
     "\"cursor\":{\"type\":\"string\",\"description\":\"nextCursor of the previous page of "
     "messages\"}",
     "{\"type\":\"object\",\"properties\":{\"call_id\":{\"type\":\"string\"},\"messages\":{"
     "\"type\":\"array\",\"items\":{\"type\":\"object\"}},\"messages_total\":{\"type\":"
     "\"integer\"},\"messages_offset\":{\"type\":\"integer\"},\"nextCursor\":{\"type\":"
     "\"string\"}},\"required\":[\"call_id\",\"messages\",\"messages_total\"]}",
     get_dialog_args, "call_id"},
    {"get_call_report", "Get a call report",
     "The call report of a Call-ID, as GET /v1/dialogs/{call_id}/report: JSON (the dialog with "
     "diagnosis.summary) or the Markdown report of sipnab --call-report.",
     "\"call_id\":{\"type\":\"string\"},\"format\":{\"type\":\"string\",\"enum\":[\"json\","
     "\"markdown\"],\"description\":\"default json\"}",
     "{\"type\":\"object\",\"properties\":{\"call_id\":{\"type\":\"string\"},\"markdown\":{"
     "\"type\":\"string\"}}}",
     report_args, "call_id"},
    {"list_streams", "List RTP streams",
     "RTP streams with their quality (MOS, jitter, loss). filter takes the sipnab "
     "--stream-filter language; orphaned: streams with no dialog; mos_below: streams whose "
     "known MOS is below it.",
     "\"filter\":{\"type\":\"string\"},\"orphaned\":{\"type\":\"boolean\"},\"mos_below\":{"
     "\"type\":\"number\"}," PAGE_ARGS,
     "{\"type\":\"object\",\"properties\":{" PAGE_OUT ",\"streams\":{\"type\":\"array\",\"items\":"
     "{\"type\":\"object\"}}},\"required\":[\"total\",\"streams\"]}",
     list_streams_args, NULL},
    {"get_stream", "Get one RTP stream",
     "The full RTP stream of an SSRC (quality intervals, RTCP, DTMF); with a repeated SSRC, the "
     "stream stored last.",
     "\"ssrc\":{\"type\":\"string\",\"description\":\"0x1a2b3c4d or 1a2b3c4d\"}",
     "{\"type\":\"object\"}", get_stream_args, "ssrc"},
    {"get_stats", "Get capture statistics",
     "Dialogs by state, streams (total, orphaned, active) and PDD percentiles, as GET /v1/stats.",
     "",
     "{\"type\":\"object\",\"properties\":{\"dialogs\":{\"type\":\"object\"},\"streams\":{"
     "\"type\":\"object\"},\"timing\":{\"type\":\"object\"}}}",
     no_args, NULL},
    {"find_problems", "Find problem calls",
     "Calls and streams worth a look, worst first: failed calls, diagnoses (one-way audio, no "
     "media, NAT mismatch, ...) and streams with a MOS below mos_below (default 3.6), each with "
     "its evidence.",
     "\"limit\":{\"type\":\"integer\",\"minimum\":1},\"mos_below\":{\"type\":\"number\"}",
     "{\"type\":\"object\",\"properties\":{\"total\":{\"type\":\"integer\"},\"problems\":{"
     "\"type\":\"array\",\"items\":{\"type\":\"object\"}}},\"required\":[\"total\","
     "\"problems\"]}",
     problems_args, NULL},
};
#define N_TOOLS (sizeof tools / sizeof tools[0])

static const tool_def_t *tool_find(const char *name)
{
    for (size_t i = 0; name && i < N_TOOLS; i++)
        if (strcmp(tools[i].name, name) == 0) return &tools[i];
    return NULL;
}

bool mcp_tool_known(const char *name)
{
    return tool_find(name) != NULL;
}

static json_t *tool_json(const tool_def_t *t)
{
    char *input = NULL;
    if (asprintf(&input, "{\"type\":\"object\",\"properties\":{%s},\"additionalProperties\":false}",
                 t->input) < 0)
        return NULL;
    json_t *in = json_loads(input, 0, NULL), *out = json_loads(t->output, 0, NULL);
    free(input);
    if (in && t->required) json_object_set_new(in, "required", json_pack("[s]", t->required));
    json_t *o = in && out ? json_pack("{s:s,s:s,s:s,s:o,s:o,s:{s:b,s:b,s:b}}", "name", t->name,
                                      "title", t->title, "description", t->description,
                                      "inputSchema", in, "outputSchema", out, "annotations",
                                      "readOnlyHint", 1, "destructiveHint", 0, "openWorldHint", 0)
                          : NULL;
    if (!o) {
        json_decref(in);
        json_decref(out);
    }
    return o;
}

json_t *mcp_tools_list(void)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < N_TOOLS; i++) {
        if (json_array_append_new(a, tool_json(&tools[i])) != 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

/* ---- arguments --------------------------------------------------------------------------------
 */

typedef struct call_ctx {
    const api_store_t *store;
    size_t max_rows;
    const json_t *args;
    char *err;
    size_t errlen;
} call_ctx_t;

static bool bad_arg(call_ctx_t *c, const char *key, const char *want)
{
    snprintf(c->err, c->errlen, "argument '%s' must be %s", key, want);
    return false;
}

/* Absent: *out unchanged. */
static bool arg_string(call_ctx_t *c, const char *key, const char **out)
{
    json_t *v = json_object_get(c->args, key);
    if (!v) return true;
    if (!json_is_string(v)) return bad_arg(c, key, "a string");
    *out = json_string_value(v);
    if (strlen(*out) != json_string_length(v)) return bad_arg(c, key, "a string without NUL");
    return true;
}

static bool arg_count(call_ctx_t *c, const char *key, size_t *out)
{
    json_t *v = json_object_get(c->args, key);
    if (!v) return true;
    if (!json_is_integer(v) || json_integer_value(v) < 1)
        return bad_arg(c, key, "an integer of at least 1");
    *out = (size_t)json_integer_value(v);
    if (*out > c->max_rows) *out = c->max_rows;
    return true;
}

static bool arg_number(call_ctx_t *c, const char *key, double *out, bool *set)
{
    json_t *v = json_object_get(c->args, key);
    if (!v) return true;
    if (!json_is_number(v)) return bad_arg(c, key, "a number");
    *out = json_number_value(v);
    *set = true;
    return true;
}

/* "offset:N"; absent is 0. */
static bool arg_cursor(call_ctx_t *c, size_t *offset)
{
    const char *text = NULL;
    *offset = 0;
    if (!arg_string(c, "cursor", &text)) return false;
    if (!text) return true;
    size_t n = strlen(CURSOR_PREFIX);
    const char *digits = text + n;
    if (strncmp(text, CURSOR_PREFIX, n) != 0 || !*digits || strlen(digits) > 15 ||
        strspn(digits, "0123456789") != strlen(digits))
        return bad_arg(c, "cursor", "a nextCursor returned by this tool");
    *offset = (size_t)strtoull(digits, NULL, 10);
    return true;
}

static bool args_known(call_ctx_t *c, const tool_def_t *t)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)c->args, key, v)
    {
        bool known = false;
        for (const char *const *a = t->args; *a && !known; a++)
            known = strcmp(*a, key) == 0;
        if (!known) {
            snprintf(c->err, c->errlen, "unknown argument for %s", t->name);
            return false;
        }
    }
    return true;
}

/* ---- results ----------------------------------------------------------------------------------
 */

static json_t *text_result(const char *text, bool is_error)
{
    return json_pack("{s:[{s:s,s:s}],s:b}", "content", "type", "text", "text", text ? text : "",
                     "isError", is_error);
}

/* structured as structuredContent, and its JSON text fenced in content. */
static json_t *data_result(json_t *structured, const char *what)
{
    if (!structured) return NULL;
    char *dump = json_dumps(structured, JSON_COMPACT);
    char *fenced = dump ? mcp_fence(what, dump, strlen(dump)) : NULL;
    free(dump);
    json_t *r = fenced ? text_result(fenced, false) : NULL;
    free(fenced);
    if (!r || json_object_set_new(r, "structuredContent", structured) != 0) {
        json_decref(r);
        json_decref(structured);
        return NULL;
    }
    return r;
}

/* ---- the router behind ------------------------------------------------------------------------
 */

static int percent_encode(api_buf_t *b, const char *s)
{
    int rc = 0;
    for (; *s && !rc; s++) {
        unsigned char ch = (unsigned char)*s;
        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
            strchr("-._~", ch))
            rc = api_buf_append(b, s, 1);
        else
            rc = api_buf_printf(b, "%%%02X", ch);
    }
    return rc;
}

static int query_add(api_buf_t *q, const char *key, const char *value)
{
    if (!value) return 0;
    int rc = api_buf_printf(q, "%s%s=", q->len ? "&" : "", key);
    return rc | percent_encode(q, value);
}

/* GET path?query through the REST router. 200: *body is its JSON (or, for
 * text, a string); else *body is NULL and *error_result a tool error. */
static int route(const call_ctx_t *c, const char *path, const api_buf_t *query, const char *accept,
                 json_t **body, json_t **error_result)
{
    static const api_auth_t no_auth = {NULL, NULL}; /* the transport authenticated */
    api_request_t req = {.method = "GET",
                         .path = path,
                         .query = query && query->len ? query->data : NULL,
                         .accept = accept};
    api_response_t resp;
    api_route(c->store, &no_auth, &req, &resp);
    *body = NULL;
    *error_result = NULL;
    if (resp.status == 200) {
        if (strncmp(resp.content_type, "application/json", 16) == 0)
            *body = json_loadb(resp.body, resp.body_len, 0, NULL);
        else
            *body = json_stringn(resp.body, resp.body_len);
    } else {
        json_t *e = json_loadb(resp.body, resp.body_len, 0, NULL);
        const char *msg = json_string_value(json_object_get(e, "error"));
        *error_result = text_result(msg ? msg : "request failed", true);
        json_decref(e);
    }
    int rc = resp.status == 500 || (!*body && !*error_result) ? -32603 : 0;
    free(resp.body);
    return rc;
}

static void set_next_cursor(json_t *o, const char *key, size_t offset, size_t returned,
                            size_t total)
{
    char next[40];
    if (returned && offset + returned < total) {
        snprintf(next, sizeof next, CURSOR_PREFIX "%zu", offset + returned);
        json_object_set_new(o, key, json_string(next));
    }
}

/* A REST listing (/v1/dialogs or /v1/streams) as a page with a cursor. */
static int listing(call_ctx_t *c, const char *path, const char *array, api_buf_t *q,
                   mcp_tool_call_t *out)
{
    size_t limit = PAGE_DEFAULT < c->max_rows ? PAGE_DEFAULT : c->max_rows, offset;
    if (!arg_count(c, "limit", &limit) || !arg_cursor(c, &offset)) return -32602;
    char page[64];
    snprintf(page, sizeof page, "%slimit=%zu&offset=%zu", q->len ? "&" : "", limit, offset);
    if (api_buf_append(q, page, strlen(page) + 1) != 0) return -32603;
    json_t *body, *err;
    int rc = route(c, path, q, NULL, &body, &err);
    if (rc || err) {
        out->result = err;
        return rc;
    }
    size_t n = json_array_size(json_object_get(body, array));
    set_next_cursor(body, "nextCursor", offset, n,
                    (size_t)json_integer_value(json_object_get(body, "total")));
    out->rows = n;
    out->result = data_result(body, array[0] == 'd' ? "SIP dialogs" : "RTP streams");
    return out->result ? 0 : -32603;
}

/* ---- tools ------------------------------------------------------------------------------------
 */

static int list_dialogs(call_ctx_t *c, mcp_tool_call_t *out)
{
    const char *filter = NULL, *state = NULL;
    if (!arg_string(c, "filter", &filter) || !arg_string(c, "state", &state)) return -32602;
    api_buf_t q = {0};
    int rc = query_add(&q, "filter", filter) | query_add(&q, "state", state);
    rc = rc ? -32603 : listing(c, "/v1/dialogs", "dialogs", &q, out);
    api_buf_free(&q);
    return rc;
}

static int list_streams(call_ctx_t *c, mcp_tool_call_t *out)
{
    const char *filter = NULL;
    double mos = 0;
    bool mos_set = false;
    json_t *orphaned = json_object_get(c->args, "orphaned");
    if (!arg_string(c, "filter", &filter) || !arg_number(c, "mos_below", &mos, &mos_set))
        return -32602;
    if (orphaned && !json_is_boolean(orphaned)) return bad_arg(c, "orphaned", "a boolean"), -32602;
    if (mos_set && !isfinite(mos)) return bad_arg(c, "mos_below", "a finite number"), -32602;
    api_buf_t q = {0};
    char mos_text[40];
    snprintf(mos_text, sizeof mos_text, "%.17g", mos);
    int rc = query_add(&q, "filter", filter) |
             query_add(&q, "orphaned", orphaned ? (json_is_true(orphaned) ? "1" : "0") : NULL) |
             query_add(&q, "mos_below", mos_set ? mos_text : NULL);
    rc = rc ? -32603 : listing(c, "/v1/streams", "streams", &q, out);
    api_buf_free(&q);
    return rc;
}

/* "/v1/<kind>/<id percent-encoded><suffix>" */
static char *resource_path(const char *kind, const char *id, const char *suffix)
{
    api_buf_t b = {0};
    int rc = api_buf_printf(&b, "/v1/%s/", kind) | percent_encode(&b, id) |
             api_buf_append(&b, suffix, strlen(suffix) + 1);
    if (rc) api_buf_free(&b);
    return rc ? NULL : b.data;
}

static bool arg_required(call_ctx_t *c, const char *key, const char **out)
{
    *out = NULL;
    if (!arg_string(c, key, out)) return false;
    if (!*out || !**out) return bad_arg(c, key, "a non-empty string (required)");
    return true;
}

static int get_dialog(call_ctx_t *c, mcp_tool_call_t *out)
{
    const char *call_id;
    size_t max = PAGE_DEFAULT < c->max_rows ? PAGE_DEFAULT : c->max_rows, offset;
    if (!arg_required(c, "call_id", &call_id) || !arg_count(c, "max_messages", &max) ||
        !arg_cursor(c, &offset))
        return -32602;
    char *path = resource_path("dialogs", call_id, "");
    json_t *body = NULL, *err = NULL;
    int rc = path ? route(c, path, NULL, NULL, &body, &err) : -32603;
    free(path);
    if (rc || err) {
        out->result = err;
        return rc;
    }
    /* Its messages as --json renders them when the feed carried them, else
     * the ladder; one page: a long call has thousands of messages. */
    const api_dialog_t *d = api_store_find_dialog(c->store, call_id, strlen(call_id));
    json_t *records =
        d && d->messages_len ? json_loadb(d->messages_json, d->messages_len, 0, NULL) : NULL;
    json_t *all = json_is_array(records) ? records : json_object_get(body, "messages");
    json_t *page = json_array();
    size_t total = json_array_size(all);
    for (size_t i = offset; page && i < total && json_array_size(page) < max; i++)
        json_array_append(page, json_array_get(all, i));
    out->rows = json_array_size(page);
    json_object_set_new(body, "messages", page ? page : json_array());
    json_decref(records);
    json_object_set_new(body, "messages_total", json_integer((json_int_t)total));
    json_object_set_new(body, "messages_offset", json_integer((json_int_t)offset));
    set_next_cursor(body, "nextCursor", offset, out->rows, total);
    out->result = data_result(body, "A SIP dialog and its messages");
    return out->result ? 0 : -32603;
}

static int get_call_report(call_ctx_t *c, mcp_tool_call_t *out)
{
    const char *call_id, *format = "json";
    if (!arg_required(c, "call_id", &call_id) || !arg_string(c, "format", &format)) return -32602;
    bool markdown = strcmp(format, "markdown") == 0;
    if (!markdown && strcmp(format, "json") != 0)
        return bad_arg(c, "format", "\"json\" or \"markdown\""), -32602;
    char *path = resource_path("dialogs", call_id, "/report");
    json_t *body = NULL, *err = NULL;
    int rc = path ? route(c, path, NULL, markdown ? "text/markdown" : NULL, &body, &err) : -32603;
    free(path);
    if (rc || err) {
        out->result = err;
        return rc;
    }
    out->rows = 1;
    if (!markdown) {
        out->result = data_result(body, "A call report (JSON)");
        return out->result ? 0 : -32603;
    }
    const char *text = json_string_value(body);
    char *fenced = mcp_fence("A call report (Markdown)", text, json_string_length(body));
    out->result = fenced ? text_result(fenced, false) : NULL;
    free(fenced);
    if (out->result)
        json_object_set_new(out->result, "structuredContent",
                            json_pack("{s:s,s:O}", "call_id", call_id, "markdown", body));
    json_decref(body);
    return out->result ? 0 : -32603;
}

static int get_stream(call_ctx_t *c, mcp_tool_call_t *out)
{
    const char *ssrc;
    if (!arg_required(c, "ssrc", &ssrc)) return -32602;
    char *path = resource_path("streams", ssrc, "");
    json_t *body = NULL, *err = NULL;
    int rc = path ? route(c, path, NULL, NULL, &body, &err) : -32603;
    free(path);
    if (rc || err) {
        out->result = err;
        return rc;
    }
    out->rows = 1;
    out->result = data_result(body, "An RTP stream");
    return out->result ? 0 : -32603;
}

static int get_stats(call_ctx_t *c, mcp_tool_call_t *out)
{
    json_t *body = NULL, *err = NULL;
    int rc = route(c, "/v1/stats", NULL, NULL, &body, &err);
    if (rc || err) {
        out->result = err;
        return rc;
    }
    out->result = data_result(body, "Capture statistics");
    return out->result ? 0 : -32603;
}

/* ---- find_problems ----------------------------------------------------------------------------
 */

/* How much each finding weighs in the ranking: what an operator would look
 * at first (no audio at all) above what may be the network's normal (a
 * busy callee). */
static double kind_weight(const char *kind)
{
    static const struct {
        const char *kind;
        double weight;
    } weights[] = {{"one_way_audio", 5}, {"no_media", 4}, {"nat_mismatch", 2}};
    for (size_t i = 0; i < sizeof weights / sizeof weights[0]; i++)
        if (strcmp(weights[i].kind, kind) == 0) return weights[i].weight;
    return 1;
}

#define STATE_FAILED 4

typedef struct problem {
    const api_dialog_t *d;  /* NULL: an orphaned stream */
    const api_stream_t *st; /* the orphaned stream */
    double score;
    size_t order;
} problem_t;

typedef struct problems {
    call_ctx_t *c;
    double mos_below;
    json_t *poor_by_call; /* call_id -> [stream evidence] */
    problem_t *v;
    size_t n, cap;
    bool oom;
} problems_t;

static json_t *stream_evidence(const api_stream_t *st)
{
    char ssrc[16];
    snprintf(ssrc, sizeof ssrc, "0x%08x", st->ssrc);
    return json_pack("{s:s,s:s,s:f,s:f,s:f}", "kind", "poor_quality", "ssrc", ssrc, "mos", st->mos,
                     "jitter_ms", st->jitter_ms, "loss_pct", st->loss_pct);
}

static double stream_score(const api_stream_t *st, double below)
{
    return 2 + (below - st->mos);
}

static bool push_problem(problems_t *p, problem_t pr)
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 64;
        problem_t *v = realloc(p->v, cap * sizeof *v);
        if (!v) {
            p->oom = true;
            return false;
        }
        p->v = v;
        p->cap = cap;
    }
    pr.order = p->n;
    p->v[p->n++] = pr;
    return true;
}

static bool see_stream(void *ud, const api_stream_t *st)
{
    problems_t *p = ud;
    if (!(st->mos >= 0 && st->mos < p->mos_below)) return true;
    if (st->orphaned || !st->call_id || !*st->call_id)
        return push_problem(p, (problem_t){.st = st, .score = stream_score(st, p->mos_below)});
    json_t *list = json_object_get(p->poor_by_call, st->call_id);
    if (!list) {
        list = json_array();
        if (!list || json_object_set_new(p->poor_by_call, st->call_id, list) != 0) {
            p->oom = true;
            return false;
        }
    }
    if (json_array_append_new(list, stream_evidence(st)) != 0) p->oom = true;
    return !p->oom;
}

static bool see_dialog(void *ud, const api_dialog_t *d)
{
    problems_t *p = ud;
    size_t nk = 0;
    const char *const *kinds = api_store_kinds(p->c->store, &nk);
    double score = d->state == STATE_FAILED ? 3 : 0;
    for (size_t k = 0; k < nk && k < 32; k++)
        if (d->diag_flags & (1u << k)) score += kind_weight(kinds[k]);
    json_t *poor = json_object_get(p->poor_by_call, d->call_id);
    for (size_t i = 0; i < json_array_size(poor); i++) {
        json_t *mos = json_object_get(json_array_get(poor, i), "mos");
        score += 2 + (p->mos_below - json_real_value(mos));
    }
    if (score > 0) return push_problem(p, (problem_t){.d = d, .score = score});
    return true;
}

static int by_score(const void *a, const void *b)
{
    const problem_t *x = a, *y = b;
    if (x->score != y->score) return x->score > y->score ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

static json_t *dialog_problem(problems_t *p, const problem_t *pr)
{
    const api_dialog_t *d = pr->d;
    json_t *summary = json_loadb(d->summary_json, d->summary_len, 0, NULL);
    json_t *evidence = json_array();
    if (d->state == STATE_FAILED)
        json_array_append_new(evidence, json_pack("{s:s,s:O?}", "kind", "failed_call", "final_code",
                                                  json_object_get(summary, "final_code")));
    size_t nk = 0;
    const char *const *kinds = api_store_kinds(p->c->store, &nk);
    for (size_t k = 0; k < nk && k < 32; k++)
        if (d->diag_flags & (1u << k))
            json_array_append_new(evidence, json_pack("{s:s}", "kind", kinds[k]));
    json_t *poor = json_object_get(p->poor_by_call, d->call_id);
    for (size_t i = 0; i < json_array_size(poor); i++)
        json_array_append(evidence, json_array_get(poor, i));
    return json_pack("{s:s,s:f,s:o,s:o*}", "call_id", d->call_id, "score", pr->score, "evidence",
                     evidence, "dialog", summary);
}

static int find_problems(call_ctx_t *c, mcp_tool_call_t *out)
{
    size_t limit = PAGE_DEFAULT < c->max_rows ? PAGE_DEFAULT : c->max_rows;
    problems_t p = {.c = c, .mos_below = MOS_POOR_DEFAULT, .poor_by_call = json_object()};
    bool mos_set = false;
    if (!arg_count(c, "limit", &limit) || !arg_number(c, "mos_below", &p.mos_below, &mos_set) ||
        !isfinite(p.mos_below)) {
        json_decref(p.poor_by_call);
        if (!c->err[0]) bad_arg(c, "mos_below", "a finite number");
        return -32602;
    }
    if (p.poor_by_call) api_store_foreach_stream(c->store, see_stream, &p);
    if (p.poor_by_call && !p.oom) api_store_foreach_dialog(c->store, see_dialog, &p);
    json_t *list = json_array();
    if (!p.poor_by_call || p.oom || !list) {
        json_decref(list);
        json_decref(p.poor_by_call);
        free(p.v);
        return -32603;
    }
    if (p.n) qsort(p.v, p.n, sizeof *p.v, by_score);
    for (size_t i = 0; i < p.n && i < limit; i++) {
        const problem_t *pr = &p.v[i];
        json_t *item;
        if (pr->d) {
            item = dialog_problem(&p, pr);
        } else {
            item = json_pack("{s:n,s:f,s:[o]}", "call_id", "score", pr->score, "evidence",
                             stream_evidence(pr->st));
            json_object_set_new(item, "orphaned_stream", json_true());
        }
        json_array_append_new(list, item);
    }
    out->rows = json_array_size(list);
    json_t *body = json_pack("{s:i,s:f,s:o}", "total", (json_int_t)p.n, "mos_below", p.mos_below,
                             "problems", list);
    json_decref(p.poor_by_call);
    free(p.v);
    out->result = data_result(body, "Problem calls and streams with their evidence");
    return out->result ? 0 : -32603;
}

/* ---- dispatch ---------------------------------------------------------------------------------
 */

typedef int (*tool_fn)(call_ctx_t *c, mcp_tool_call_t *out);

static const struct {
    const char *name;
    tool_fn fn;
} handlers[] = {
    {"list_dialogs", list_dialogs},       {"get_dialog", get_dialog},
    {"get_call_report", get_call_report}, {"list_streams", list_streams},
    {"get_stream", get_stream},           {"get_stats", get_stats},
    {"find_problems", find_problems},
};

int mcp_tools_call(const api_store_t *store, size_t max_rows, const char *name, const json_t *args,
                   mcp_tool_call_t *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    err[0] = '\0';
    const tool_def_t *t = tool_find(name);
    if (!t) {
        snprintf(err, errlen, "unknown tool");
        return -32602;
    }
    json_t *empty = json_object();
    call_ctx_t c = {.store = store,
                    .max_rows = max_rows ? max_rows : MCP_MAX_ROWS_DEFAULT,
                    .args = args ? args : empty,
                    .err = err,
                    .errlen = errlen};
    int rc = -32603;
    if (!empty)
        ;
    else if (!json_is_object(c.args))
        rc = (snprintf(err, errlen, "arguments must be an object"), -32602);
    else if (!args_known(&c, t))
        rc = -32602;
    else
        for (size_t i = 0; i < sizeof handlers / sizeof handlers[0]; i++)
            if (strcmp(handlers[i].name, name) == 0) rc = handlers[i].fn(&c, out);
    json_decref(empty);
    if (rc == -32603 && !err[0]) snprintf(err, errlen, "out of memory");
    if (rc) {
        json_decref(out->result);
        out->result = NULL;
        out->rows = 0;
    }
    return rc;
}
