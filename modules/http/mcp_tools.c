/* The MCP tools (see mcp_tools.h). */
#include "mcp_tools.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api_regex.h"
#include "api_router.h"
#include "mcp_fence.h"
#include "mcp_ladder.h"

#define PAGE_DEFAULT 100
#define MOS_POOR_DEFAULT 3.6

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
    const char *required; /* a JSON array of the argument names required, or NULL */
} tool_def_t;

static const char *const list_dialogs_args[] = {"filter", "state", "limit", "cursor", NULL};
static const char *const get_dialog_args[] = {"call_id", "max_messages", "cursor", NULL};
static const char *const report_args[] = {"call_id", "format", NULL};
static const char *const list_streams_args[] = {"filter", "orphaned", "mos_below",
                                                "limit",  "cursor",   NULL};
static const char *const get_stream_args[] = {"ssrc", NULL};
static const char *const no_args[] = {NULL};
static const char *const problems_args[] = {"limit", "mos_below", NULL};
static const char *const get_message_args[] = {"call_id", "index", NULL};
static const char *const ladder_args[] = {"call_id", "max_messages", "cursor", NULL};
static const char *const search_args[] = {"pattern", "call_id", "limit", "cursor", NULL};
static const char *const annotation_args[] = {"call_id", "limit", "cursor", NULL};
static const char *const alerts_args[] = {"type",  "source", "since", "until",
                                          "limit", "cursor", NULL};

#define ANNOTATION_OUT(key)                                                                        \
    "{\"type\":\"object\",\"properties\":{" PAGE_OUT ",\"dialogs\":{\"type\":\"array\","           \
    "\"items\":{\"type\":\"object\",\"properties\":{\"call_id\":{\"type\":\"string\"},\"" key      \
    "\":{}}}},\"note\":{\"type\":\"string\"}},\"required\":[\"total\",\"dialogs\"]}"
#define ANNOTATION_ARGS                                                                            \
    "\"call_id\":{\"type\":\"string\",\"description\":\"only this call\"}," PAGE_ARGS

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
     get_dialog_args, "[\"call_id\"]"},
    {"get_call_report", "Get a call report",
     "The call report of a Call-ID, as GET /v1/dialogs/{call_id}/report: JSON (the dialog with "
     "diagnosis.summary) or the Markdown report of sipnab --call-report.",
     "\"call_id\":{\"type\":\"string\"},\"format\":{\"type\":\"string\",\"enum\":[\"json\","
     "\"markdown\"],\"description\":\"default json\"}",
     "{\"type\":\"object\",\"properties\":{\"call_id\":{\"type\":\"string\"},\"markdown\":{"
     "\"type\":\"string\"}}}",
     report_args, "[\"call_id\"]"},
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
     "{\"type\":\"object\"}", get_stream_args, "[\"ssrc\"]"},
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
    {"get_message", "Get one SIP message",
     "Message index (0-based) of a Call-ID: the record get_dialog returns in messages[] (the "
     "--json fields the store keeps) and its ladder entry (time, addresses, label). The API "
     "store keeps a summary of each message, never its text: text is always null and "
     "text_kept false (headers beyond those fields and bodies are not available).",
     "\"call_id\":{\"type\":\"string\"},\"index\":{\"type\":\"integer\",\"minimum\":0}",
     "{\"type\":\"object\",\"properties\":{\"call_id\":{\"type\":\"string\"},\"index\":{"
     "\"type\":\"integer\"},\"messages_total\":{\"type\":\"integer\"},\"message\":{\"type\":"
     "\"object\"},\"ladder\":{\"type\":[\"object\",\"null\"]},\"text\":{\"type\":\"null\"},"
     "\"text_kept\":{\"type\":\"boolean\"}},\"required\":[\"call_id\",\"index\",\"message\","
     "\"text_kept\"]}",
     get_message_args, "[\"call_id\",\"index\"]"},
    {"render_ladder", "Render a call ladder",
     "A plain-text ladder of a Call-ID: one line per message kept (milliseconds from the first, "
     "source -> destination, label, retransmissions marked), paginated by max_messages and "
     "cursor.",
     "\"call_id\":{\"type\":\"string\"},\"max_messages\":{\"type\":\"integer\",\"minimum\":1,"
     "\"description\":\"lines per page (default 100, at most --mcp-max-rows)\"},\"cursor\":{"
     "\"type\":\"string\"}",
     "{\"type\":\"object\",\"properties\":{\"call_id\":{\"type\":\"string\"},\"ladder\":{"
     "\"type\":\"string\"},\"messages_total\":{\"type\":\"integer\"},\"messages_offset\":{"
     "\"type\":\"integer\"},\"lines\":{\"type\":\"integer\"},\"nextCursor\":{\"type\":"
     "\"string\"}},\"required\":[\"call_id\",\"ladder\",\"messages_total\"]}",
     ladder_args, "[\"call_id\"]"},
    {"search_messages", "Search SIP messages",
     "A PCRE2 regular expression over what the store keeps of each message: its label (request "
     "method, or status code and reason) and the From, To and User-Agent of its --json record. "
     "Dialogs are scanned in creation order; a page stops at limit matches, 10000 dialogs or "
     "500 ms, and nextCursor resumes at the next dialog. Each match is bounded (match and "
     "depth limits); a pattern that keeps hitting them is refused. Message texts are not kept, "
     "so other headers and bodies cannot be searched.",
     "\"pattern\":{\"type\":\"string\",\"maxLength\":1024,\"description\":\"a PCRE2 "
     "regex\"},\"call_id\":{\"type\":\"string\",\"description\":\"only this call\"}," PAGE_ARGS,
     "{\"type\":\"object\",\"properties\":{\"matches\":{\"type\":\"array\",\"items\":{"
     "\"type\":\"object\"}},\"dialogs_scanned\":{\"type\":\"integer\"},\"stopped\":{\"type\":"
     "\"string\"},\"nextCursor\":{\"type\":\"string\"}},\"required\":[\"matches\","
     "\"dialogs_scanned\"]}",
     search_args, "[\"pattern\"]"},
    {"security_findings", "Security findings",
     "The security alerts the security module raised (scanners, floods, brute force, ...), as "
     "GET /v1/alerts: filter by type, source address, since and until (ISO 8601 UTC or epoch "
     "seconds). Empty, with a note, when no alert is held (the module not loaded, or nothing "
     "found).",
     "\"type\":{\"type\":\"string\"},\"source\":{\"type\":\"string\",\"description\":\"an "
     "exact address\"},\"since\":{\"type\":\"string\"},\"until\":{\"type\":\"string\"}," PAGE_ARGS,
     "{\"type\":\"object\",\"properties\":{" PAGE_OUT ",\"alerts\":{\"type\":\"array\","
     "\"items\":{\"type\":\"object\"}},\"note\":{\"type\":\"string\"}},\"required\":[\"total\","
     "\"alerts\"]}",
     alerts_args, NULL},
    {"stir_results", "STIR/SHAKEN results",
     "The stir_shaken annotation of each dialog that has one (Identity verification: "
     "attestation, verstat, failures). Empty, with a note, when no dialog has one (the stir "
     "module not loaded, or no signed INVITE).",
     ANNOTATION_ARGS, ANNOTATION_OUT("stir_shaken"), annotation_args, NULL},
    {"siprec_metadata", "SIPREC metadata",
     "The siprec_metadata annotation of each dialog that has one (recording session "
     "participants, streams). Empty, with a note, when no dialog has one (the siprec module "
     "not loaded, or no recording session).",
     ANNOTATION_ARGS, ANNOTATION_OUT("siprec_metadata"), annotation_args, NULL},
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
    if (in && t->required) json_object_set_new(in, "required", json_loads(t->required, 0, NULL));
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
    const mcp_progress_t *progress; /* NULL: none */
    size_t done, total;             /* units of work seen, and expected (progress) */
    bool cancelled;
} call_ctx_t;

/* One unit of a long tool's work done: every MCP_PROGRESS_EVERY units the
 * transport hears of it (and may say the call was cancelled). False once
 * it was. */
static bool work_unit(call_ctx_t *c)
{
    if (c->cancelled) return false;
    if (++c->done % MCP_PROGRESS_EVERY || !c->progress || !c->progress->tick) return true;
    c->cancelled = !c->progress->tick(c->progress->ud, c->done, c->total);
    return !c->cancelled;
}

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

bool mcp_cursor_parse(const char *text, size_t *offset)
{
    size_t n = strlen(MCP_CURSOR_PREFIX);
    const char *digits = text + n;
    if (strncmp(text, MCP_CURSOR_PREFIX, n) != 0 || !*digits || strlen(digits) > 15 ||
        strspn(digits, "0123456789") != strlen(digits))
        return false;
    *offset = (size_t)strtoull(digits, NULL, 10);
    return true;
}

/* "offset:N"; absent is 0. */
static bool arg_cursor(call_ctx_t *c, size_t *offset)
{
    const char *text = NULL;
    *offset = 0;
    if (!arg_string(c, "cursor", &text)) return false;
    if (text && !mcp_cursor_parse(text, offset))
        return bad_arg(c, "cursor", "a nextCursor returned by this tool");
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

int mcp_percent_encode(api_buf_t *b, const char *s)
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
    return rc | mcp_percent_encode(q, value);
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
        snprintf(next, sizeof next, MCP_CURSOR_PREFIX "%zu", offset + returned);
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
    out->result = data_result(body, strcmp(array, "dialogs") == 0   ? "SIP dialogs"
                                    : strcmp(array, "streams") == 0 ? "RTP streams"
                                                                    : "Security alerts");
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
    int rc = api_buf_printf(&b, "/v1/%s/", kind) | mcp_percent_encode(&b, id) |
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

/* A dialog's messages as --json renders them (the feed's messages_json), a
 * new reference; NULL when the feed did not carry them. */
static json_t *dialog_records(const api_dialog_t *d)
{
    json_t *r =
        d && d->messages_len ? json_loadb(d->messages_json, d->messages_len, 0, NULL) : NULL;
    if (!json_is_array(r)) {
        json_decref(r);
        return NULL;
    }
    return r;
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
    json_t *records = dialog_records(api_store_find_dialog(c->store, call_id, strlen(call_id)));
    json_t *all = records ? records : json_object_get(body, "messages");
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
    if (!work_unit(p->c)) return false;
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
    if (!work_unit(p->c)) return false;
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
    c->total = api_store_stream_count(c->store) + api_store_dialog_count(c->store);
    if (p.poor_by_call) api_store_foreach_stream(c->store, see_stream, &p);
    if (p.poor_by_call && !p.oom && !c->cancelled)
        api_store_foreach_dialog(c->store, see_dialog, &p);
    json_t *list = c->cancelled ? NULL : json_array();
    if (!p.poor_by_call || p.oom || !list) {
        json_decref(list);
        json_decref(p.poor_by_call);
        free(p.v);
        return c->cancelled ? MCP_TOOL_CANCELLED : -32603;
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

/* ---- one call's messages ----------------------------------------------------------------------
 */

/* The dialog of the call_id argument, with its full JSON (a new reference);
 * NULL with out->result a tool error when it is not held. */
static json_t *held_dialog(call_ctx_t *c, const char *call_id, const api_dialog_t **d,
                           mcp_tool_call_t *out)
{
    *d = api_store_find_dialog(c->store, call_id, strlen(call_id));
    if (!*d) {
        out->result = text_result("dialog not found", true);
        return NULL;
    }
    return json_loadb((*d)->full_json, (*d)->full_len, 0, NULL);
}

static bool arg_index(call_ctx_t *c, const char *key, size_t *out)
{
    json_t *v = json_object_get(c->args, key);
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return bad_arg(c, key, "an integer of at least 0 (required)");
    *out = (size_t)json_integer_value(v);
    return true;
}

static int get_message(call_ctx_t *c, mcp_tool_call_t *out)
{
    const char *call_id;
    size_t index;
    if (!arg_required(c, "call_id", &call_id) || !arg_index(c, "index", &index)) return -32602;
    const api_dialog_t *d;
    json_t *full = held_dialog(c, call_id, &d, out);
    if (!full) return out->result ? 0 : -32603;
    json_t *records = dialog_records(d);
    json_t *ladder = json_object_get(full, "messages");
    json_t *all = records ? records : ladder;
    size_t total = json_array_size(all);
    if (index >= total) {
        char text[96];
        snprintf(text, sizeof text, "index out of range: the dialog has %zu messages", total);
        out->result = text_result(text, true);
    } else {
        out->rows = 1;
        json_t *body = json_pack("{s:s,s:I,s:I,s:O,s:O?,s:n,s:b,s:s}", "call_id", call_id, "index",
                                 (json_int_t)index, "messages_total", (json_int_t)total, "message",
                                 json_array_get(all, index), "ladder",
                                 json_array_get(ladder, index), "text", "text_kept", 0, "text_note",
                                 "the API store keeps a summary of each message, not its text");
        out->result = data_result(body, "A SIP message");
    }
    json_decref(records);
    json_decref(full);
    return out->result ? 0 : -32603;
}

static int render_ladder(call_ctx_t *c, mcp_tool_call_t *out)
{
    const char *call_id;
    size_t max = PAGE_DEFAULT < c->max_rows ? PAGE_DEFAULT : c->max_rows, offset;
    if (!arg_required(c, "call_id", &call_id) || !arg_count(c, "max_messages", &max) ||
        !arg_cursor(c, &offset))
        return -32602;
    const api_dialog_t *d;
    json_t *full = held_dialog(c, call_id, &d, out);
    if (!full) return out->result ? 0 : -32603;
    json_t *ladder = json_object_get(full, "messages");
    size_t total = json_array_size(ladder);
    char *text = mcp_ladder_render(ladder, offset, max, &out->rows);
    char *fenced = text ? mcp_fence("A SIP call ladder", text, strlen(text)) : NULL;
    json_t *body = text ? json_pack("{s:s,s:s,s:I,s:I,s:I}", "call_id", call_id, "ladder", text,
                                    "messages_total", (json_int_t)total, "messages_offset",
                                    (json_int_t)offset, "lines", (json_int_t)out->rows)
                        : NULL;
    if (body) set_next_cursor(body, "nextCursor", offset, out->rows, total);
    out->result = fenced && body ? text_result(fenced, false) : NULL;
    if (out->result)
        json_object_set_new(out->result, "structuredContent", body);
    else
        json_decref(body);
    free(fenced);
    free(text);
    json_decref(full);
    return out->result ? 0 : -32603;
}

/* ---- search_messages --------------------------------------------------------------------------
 */

#define SEARCH_PATTERN_MAX 1024
#define SEARCH_DIALOGS_MAX 10000
#define SEARCH_BUDGET_MS 500.0

typedef struct search {
    call_ctx_t *c;
    api_regex_t *re;
    size_t limit, skip, seen, scanned;
    json_t *matches;
    const char *stopped; /* why the page ended early, or NULL */
    size_t next;         /* the dialog offset to resume at */
    double deadline_ms;
    bool cut_in_dialog; /* the budget ran out inside a dialog */
    bool oom;
} search_t;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* The fields of one message the regex runs over, into matched. */
static void search_fields(search_t *s, json_t *entry, json_t *record, json_t *matched)
{
    static const char *const record_fields[] = {"request_uri", "from", "to", "ua"};
    const char *label = json_string_value(json_object_get(entry, "label"));
    if (label && api_regex_match(s->re, label, strlen(label)))
        json_object_set_new(matched, "label", json_string(label));
    for (size_t k = 0; k < sizeof record_fields / sizeof record_fields[0]; k++) {
        json_t *v = json_object_get(record, record_fields[k]);
        if (json_is_string(v) &&
            api_regex_match(s->re, json_string_value(v), json_string_length(v)))
            json_object_set(matched, record_fields[k], v);
    }
}

/* A dialog's matches into rows (new reference). */
static json_t *search_dialog(search_t *s, const api_dialog_t *d)
{
    json_t *full = json_loadb(d->full_json, d->full_len, 0, NULL), *rows = json_array();
    json_t *records = dialog_records(d), *ladder = json_object_get(full, "messages");
    for (size_t i = 0; rows && i < json_array_size(ladder); i++) {
        json_t *e = json_array_get(ladder, i), *matched = json_object();
        if (matched) search_fields(s, e, json_array_get(records, i), matched);
        if (json_object_size(matched))
            json_array_append_new(rows, json_pack("{s:O?,s:I,s:O?,s:O?,s:O?,s:O?,s:O}", "call_id",
                                                  json_object_get(full, "call_id"), "index",
                                                  (json_int_t)i, "t_ms", json_object_get(e, "t_ms"),
                                                  "src", json_object_get(e, "src"), "dst",
                                                  json_object_get(e, "dst"), "label",
                                                  json_object_get(e, "label"), "matched", matched));
        json_decref(matched);
        if (api_regex_too_expensive(s->re)) break;
        /* A dialog may keep thousands of messages (max_messages): the
         * budget holds within one too. */
        if (i + 1 < json_array_size(ladder) && now_ms() > s->deadline_ms) {
            s->cut_in_dialog = true;
            break;
        }
    }
    if (!full || !rows) s->oom = true;
    json_decref(records);
    json_decref(full);
    return rows;
}

static bool search_next_dialog(void *ud, const api_dialog_t *d)
{
    search_t *s = ud;
    if (s->seen++ < s->skip) return true;
    if (!work_unit(s->c)) return false;
    if (s->scanned == SEARCH_DIALOGS_MAX || now_ms() > s->deadline_ms) {
        s->stopped = s->scanned == SEARCH_DIALOGS_MAX ? "dialogs" : "time";
        return false;
    }
    json_t *rows = search_dialog(s, d);
    size_t have = json_array_size(s->matches), n = json_array_size(rows);
    /* Resume at this dialog (none of its rows is lost) unless it is the
     * page's first: then it is cut, and the next page starts after it. */
    if (have && (have + n > s->limit || s->cut_in_dialog)) {
        s->stopped = s->cut_in_dialog ? "time" : "limit";
        json_decref(rows);
        return false;
    }
    s->scanned++;
    s->next = s->seen;
    for (size_t i = 0; i < n && json_array_size(s->matches) < s->limit; i++)
        json_array_append(s->matches, json_array_get(rows, i));
    if (s->cut_in_dialog)
        s->stopped = "time (this dialog's later messages were not searched)";
    else if (n > s->limit)
        s->stopped = "limit (this dialog's later matches were left out)";
    json_decref(rows);
    return !s->oom && !api_regex_too_expensive(s->re) && !(n > s->limit) && !s->cut_in_dialog;
}

static bool search_one(void *ud, const api_dialog_t *d)
{
    search_t *s = ud;
    s->skip = 0;
    return search_next_dialog(ud, d);
}

static int search_messages(call_ctx_t *c, mcp_tool_call_t *out)
{
    const char *pattern, *call_id = NULL;
    search_t s = {.c = c, .limit = PAGE_DEFAULT < c->max_rows ? PAGE_DEFAULT : c->max_rows};
    if (!arg_required(c, "pattern", &pattern) || !arg_string(c, "call_id", &call_id) ||
        !arg_count(c, "limit", &s.limit) || !arg_cursor(c, &s.skip))
        return -32602;
    if (strlen(pattern) > SEARCH_PATTERN_MAX)
        return bad_arg(c, "pattern", "at most 1024 bytes long"), -32602;
    const api_dialog_t *only =
        call_id ? api_store_find_dialog(c->store, call_id, strlen(call_id)) : NULL;
    if (call_id && !only) {
        out->result = text_result("dialog not found", true);
        return out->result ? 0 : -32603;
    }
    char err[300], text[340];
    if (!(s.re = api_regex_compile(pattern, err, sizeof err))) {
        if (strcmp(err, "out of memory") == 0) return -32603;
        snprintf(text, sizeof text, "invalid regex %s", err);
        out->result = text_result(text, true);
        return out->result ? 0 : -32603;
    }
    s.next = s.skip;
    s.matches = json_array();
    s.deadline_ms = now_ms() + SEARCH_BUDGET_MS;
    size_t held = api_store_dialog_count(c->store);
    c->total = only ? 1 : held > s.skip ? held - s.skip : 0;
    if (c->total > SEARCH_DIALOGS_MAX) c->total = SEARCH_DIALOGS_MAX;
    if (s.matches && only) {
        if (s.skip == 0) search_one(&s, only);
    } else if (s.matches) {
        api_store_foreach_dialog(c->store, search_next_dialog, &s);
    }
    json_t *body = NULL;
    if (c->cancelled) {
        json_decref(s.matches);
        api_regex_free(s.re);
        return MCP_TOOL_CANCELLED;
    }
    if (api_regex_too_expensive(s.re)) {
        out->result = text_result("regex too expensive: it keeps exceeding its match limit", true);
    } else if (s.matches && !s.oom) {
        out->rows = json_array_size(s.matches);
        body = json_pack("{s:s,s:I,s:O}", "pattern", pattern, "dialogs_scanned",
                         (json_int_t)s.scanned, "matches", s.matches);
        if (body && s.stopped) {
            char next[40];
            snprintf(next, sizeof next, MCP_CURSOR_PREFIX "%zu", s.next);
            json_object_set_new(body, "stopped", json_string(s.stopped));
            if (!call_id) json_object_set_new(body, "nextCursor", json_string(next));
        }
        out->result = data_result(body, "SIP messages matching a pattern");
    }
    json_decref(s.matches);
    api_regex_free(s.re);
    return out->result ? 0 : -32603;
}

/* ---- annotations and alerts -------------------------------------------------------------------
 */

/* Whether the dialog's full JSON may hold a non-null key (a cheap test
 * before parsing it). */
static bool may_carry(const api_dialog_t *d, const char *quoted_key)
{
    size_t klen = strlen(quoted_key);
    const char *p = d->full_json, *end = d->full_json + d->full_len;
    while ((p = memmem(p, (size_t)(end - p), quoted_key, klen))) {
        p += klen;
        if ((size_t)(end - p) < 4 || memcmp(p, "null", 4) != 0) return true;
    }
    return false;
}

typedef struct annotations {
    const char *key;
    char quoted[64]; /* "key": */
    size_t offset, limit, total;
    json_t *rows;
    bool oom;
} annotations_t;

static bool annotation_of(void *ud, const api_dialog_t *d)
{
    annotations_t *a = ud;
    if (!may_carry(d, a->quoted)) return true;
    json_t *full = json_loadb(d->full_json, d->full_len, 0, NULL);
    json_t *v = json_object_get(full, a->key);
    if (v && !json_is_null(v)) {
        if (a->total >= a->offset && json_array_size(a->rows) < a->limit &&
            json_array_append_new(a->rows,
                                  json_pack("{s:O?,s:O}", "call_id",
                                            json_object_get(full, "call_id"), a->key, v)) != 0)
            a->oom = true;
        a->total++;
    }
    if (!full) a->oom = true;
    json_decref(full);
    return !a->oom;
}

/* The dialogs whose full JSON carries key (not null), paged; a note when
 * none does. */
static int annotation_listing(call_ctx_t *c, const char *key, const char *module,
                              mcp_tool_call_t *out)
{
    const char *call_id = NULL;
    annotations_t a = {.key = key,
                       .limit = PAGE_DEFAULT < c->max_rows ? PAGE_DEFAULT : c->max_rows};
    if (!arg_string(c, "call_id", &call_id) || !arg_count(c, "limit", &a.limit) ||
        !arg_cursor(c, &a.offset))
        return -32602;
    snprintf(a.quoted, sizeof a.quoted, "\"%s\":", key);
    a.rows = json_array();
    if (a.rows && call_id) {
        const api_dialog_t *d = api_store_find_dialog(c->store, call_id, strlen(call_id));
        if (!d) {
            json_decref(a.rows);
            out->result = text_result("dialog not found", true);
            return out->result ? 0 : -32603;
        }
        annotation_of(&a, d);
    } else if (a.rows) {
        api_store_foreach_dialog(c->store, annotation_of, &a);
    }
    json_t *body = NULL;
    if (a.rows && !a.oom) {
        out->rows = json_array_size(a.rows);
        body = json_pack("{s:I,s:I,s:I,s:O}", "total", (json_int_t)a.total, "offset",
                         (json_int_t)a.offset, "limit", (json_int_t)a.limit, "dialogs", a.rows);
        if (body) set_next_cursor(body, "nextCursor", a.offset, out->rows, a.total);
        if (body && !a.total) {
            char note[200];
            snprintf(note, sizeof note,
                     "no dialog held carries %s: the %s module is not loaded, or it found nothing "
                     "to say",
                     key, module);
            json_object_set_new(body, "note", json_string(note));
        }
        out->result = data_result(body, "Dialog annotations");
    }
    json_decref(a.rows);
    return out->result ? 0 : -32603;
}

static int stir_results(call_ctx_t *c, mcp_tool_call_t *out)
{
    return annotation_listing(c, "stir_shaken", "stir", out);
}

static int siprec_metadata(call_ctx_t *c, mcp_tool_call_t *out)
{
    return annotation_listing(c, "siprec_metadata", "siprec", out);
}

static int security_findings(call_ctx_t *c, mcp_tool_call_t *out)
{
    const char *type = NULL, *source = NULL, *since = NULL, *until = NULL;
    if (!arg_string(c, "type", &type) || !arg_string(c, "source", &source) ||
        !arg_string(c, "since", &since) || !arg_string(c, "until", &until))
        return -32602;
    api_buf_t q = {0};
    int rc = query_add(&q, "type", type) | query_add(&q, "source", source) |
             query_add(&q, "since", since) | query_add(&q, "until", until);
    rc = rc ? -32603 : listing(c, "/v1/alerts", "alerts", &q, out);
    api_buf_free(&q);
    json_t *sc = out->result ? json_object_get(out->result, "structuredContent") : NULL;
    if (!rc && sc && json_integer_value(json_object_get(sc, "total")) == 0)
        json_object_set_new(sc, "note",
                            json_string("no security alert held that fits: the security module "
                                        "is not loaded, or it raised none"));
    return rc;
}

/* ---- dispatch ---------------------------------------------------------------------------------
 */

typedef int (*tool_fn)(call_ctx_t *c, mcp_tool_call_t *out);

static const struct {
    const char *name;
    tool_fn fn;
} handlers[] = {
    {"list_dialogs", list_dialogs},
    {"get_dialog", get_dialog},
    {"get_call_report", get_call_report},
    {"list_streams", list_streams},
    {"get_stream", get_stream},
    {"get_stats", get_stats},
    {"find_problems", find_problems},
    {"get_message", get_message},
    {"render_ladder", render_ladder},
    {"search_messages", search_messages},
    {"security_findings", security_findings},
    {"stir_results", stir_results},
    {"siprec_metadata", siprec_metadata},
};

int mcp_tools_call(const api_store_t *store, size_t max_rows, const char *name, const json_t *args,
                   mcp_tool_call_t *out, char *err, size_t errlen)
{
    return mcp_tools_call_progress(store, max_rows, name, args, NULL, out, err, errlen);
}

int mcp_tools_call_progress(const api_store_t *store, size_t max_rows, const char *name,
                            const json_t *args, const mcp_progress_t *progress,
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
                    .errlen = errlen,
                    .progress = progress};
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
    if (rc == MCP_TOOL_CANCELLED) snprintf(err, errlen, "cancelled");
    if (rc) {
        json_decref(out->result);
        out->result = NULL;
        out->rows = 0;
    }
    return rc;
}
