/* MCP resources (see mcp_resources.h). */
#include "mcp_resources.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_router.h"
#include "mcp_tools.h"

#define STATS_URI "sipnab://stats"
#define DIALOG_URI_PREFIX "sipnab://dialogs/"
#define REPORT_URI_SUFFIX "/report"
#define CALL_ID_MAX 1024

typedef struct listing {
    size_t offset, limit, seen;
    json_t *resources;
    bool oom;
} listing_t;

/* name: stolen. */
static json_t *resource(const char *uri, json_t *name, const char *title, const char *mime)
{
    return json_pack("{s:s,s:o,s:s,s:s}", "uri", uri, "name", name, "title", title, "mimeType",
                     mime);
}

static bool list_dialog(void *ud, const api_dialog_t *d)
{
    listing_t *l = ud;
    if (l->seen++ < l->offset) return true;
    if (json_array_size(l->resources) == l->limit) return false;
    api_buf_t uri = {0};
    int rc = api_buf_printf(&uri, DIALOG_URI_PREFIX) | mcp_percent_encode(&uri, d->call_id) |
             api_buf_append(&uri, REPORT_URI_SUFFIX, sizeof REPORT_URI_SUFFIX);
    /* The Call-ID as its name; a Call-ID that is not UTF-8 by its URI. */
    json_t *name = rc ? NULL : json_string(d->call_id);
    if (!rc && !name) name = json_string(uri.data);
    if (rc || json_array_append_new(l->resources,
                                    resource(uri.data, name, "Call report", "text/markdown")) != 0)
        l->oom = true;
    api_buf_free(&uri);
    return !l->oom;
}

int mcp_resources_list(const api_store_t *store, size_t max_rows, const json_t *params,
                       json_t **result, char *err, size_t errlen)
{
    listing_t l = {.limit = max_rows ? max_rows : MCP_MAX_ROWS_DEFAULT};
    json_t *cursor = json_object_get(params, "cursor");
    *result = NULL;
    if (cursor &&
        (!json_is_string(cursor) || !mcp_cursor_parse(json_string_value(cursor), &l.offset))) {
        snprintf(err, errlen, "cursor must be a nextCursor returned by resources/list");
        return -32602;
    }
    /* The stats resource is the first row of the first page. */
    l.resources = json_array();
    if (l.resources && l.offset == 0)
        l.oom = json_array_append_new(l.resources,
                                      resource(STATS_URI, json_string("stats"),
                                               "Capture statistics", "application/json")) != 0;
    l.seen = 1;
    if (l.resources && !l.oom) api_store_foreach_dialog(store, list_dialog, &l);
    *result = l.resources && !l.oom ? json_pack("{s:O}", "resources", l.resources) : NULL;
    size_t rows = l.offset + json_array_size(l.resources);
    if (*result && rows < 1 + api_store_dialog_count(store)) {
        char next[40];
        snprintf(next, sizeof next, MCP_CURSOR_PREFIX "%zu", rows);
        json_object_set_new(*result, "nextCursor", json_string(next));
    }
    json_decref(l.resources);
    return *result ? 0 : -32603;
}

/* The Call-ID of a report URI (decoded into out), or false. */
static bool report_call_id(const char *uri, char *out, size_t cap)
{
    size_t plen = strlen(DIALOG_URI_PREFIX), slen = strlen(REPORT_URI_SUFFIX), len = strlen(uri);
    if (len <= plen + slen || strncmp(uri, DIALOG_URI_PREFIX, plen) != 0 ||
        strcmp(uri + len - slen, REPORT_URI_SUFFIX) != 0)
        return false;
    long n = api_url_decode(uri + plen, len - plen - slen, out, cap, false);
    return n > 0 && strlen(out) == (size_t)n;
}

/* contents[0] of a resource read through a tool. */
static int read_through_tool(const api_store_t *store, const char *uri, const char *tool,
                             json_t *args, json_t **result)
{
    mcp_tool_call_t call;
    char err[160];
    int rc = mcp_tools_call(store, 1, tool, args, &call, err, sizeof err);
    json_decref(args);
    if (rc) return rc == -32603 ? -32603 : MCP_RESOURCE_NOT_FOUND;
    if (json_is_true(json_object_get(call.result, "isError"))) {
        json_decref(call.result);
        return MCP_RESOURCE_NOT_FOUND;
    }
    bool stats = strcmp(tool, "get_stats") == 0;
    /* Statistics carry no capture text: plain JSON. A report does: the
     * tool's fenced text. */
    char *json =
        stats ? json_dumps(json_object_get(call.result, "structuredContent"), JSON_COMPACT) : NULL;
    const char *text =
        stats ? json
              : json_string_value(json_object_get(
                    json_array_get(json_object_get(call.result, "content"), 0), "text"));
    *result = text ? json_pack("{s:[{s:s,s:s,s:s}]}", "contents", "uri", uri, "mimeType",
                               stats ? "application/json" : "text/markdown", "text", text)
                   : NULL;
    free(json);
    json_decref(call.result);
    return *result ? 0 : -32603;
}

int mcp_resources_read(const api_store_t *store, const json_t *params, json_t **result, char *err,
                       size_t errlen)
{
    const char *uri = json_string_value(json_object_get(params, "uri"));
    char call_id[CALL_ID_MAX];
    *result = NULL;
    if (!uri) {
        snprintf(err, errlen, "resources/read needs params.uri (a string)");
        return -32602;
    }
    int rc = MCP_RESOURCE_NOT_FOUND;
    if (strcmp(uri, STATS_URI) == 0)
        rc = read_through_tool(store, uri, "get_stats", json_object(), result);
    else if (report_call_id(uri, call_id, sizeof call_id))
        rc = read_through_tool(store, uri, "get_call_report",
                               json_pack("{s:s,s:s}", "call_id", call_id, "format", "markdown"),
                               result);
    if (rc == MCP_RESOURCE_NOT_FOUND) snprintf(err, errlen, "resource not found");
    return rc;
}

json_t *mcp_resource_templates(void)
{
    return json_pack("{s:[{s:s,s:s,s:s,s:s}]}", "resourceTemplates", "uriTemplate",
                     DIALOG_URI_PREFIX "{call_id}" REPORT_URI_SUFFIX, "name", "report", "title",
                     "Call report of a Call-ID (percent-encoded)", "mimeType", "text/markdown");
}
