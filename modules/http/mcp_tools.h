/* The MCP tools: their definitions (input and output JSON Schemas, read-only
 * annotations) and their handlers over the API process's store. Listings
 * and single resources go through the REST router (api_route), so a
 * filter, a state or a page means exactly what it means on /v1/...; the
 * tools add cursors, the row cap, and fenced text for the model. Pure. */
#ifndef SNB_MCP_TOOLS_H
#define SNB_MCP_TOOLS_H

#include <jansson.h>
#include <stddef.h>

#include "api_store.h"

#define MCP_MAX_ROWS_DEFAULT 1000
/* Cursors are "offset:N", opaque to clients. */
#define MCP_CURSOR_PREFIX "offset:"

typedef struct mcp_tool_call {
    json_t *result; /* the CallToolResult (content, structuredContent, isError) */
    size_t rows;    /* dialogs, streams, messages or problems returned */
} mcp_tool_call_t;

/* Every tool's definition, for tools/list (a new reference). */
json_t *mcp_tools_list(void);

/* Whether name is a tool (so a log line never repeats an unknown name). */
bool mcp_tool_known(const char *name);

/* A long tool's report of its work (find_problems, search_messages): every
 * MCP_PROGRESS_EVERY dialogs or streams it calls tick with the units done
 * and their total (0: not known); tick answers false when the client
 * cancelled the call, and the tool stops with MCP_TOOL_CANCELLED. */
typedef struct mcp_progress {
    bool (*tick)(void *ud, size_t done, size_t total);
    void *ud;
} mcp_progress_t;

#define MCP_PROGRESS_EVERY 256
#define MCP_TOOL_CANCELLED 1

/* Run one tool. 0 with out->result set (a failure the model can act on,
 * such as a bad filter or an unknown Call-ID, is a result with isError);
 * -32602 with err set when the arguments do not fit the input schema or the
 * tool is unknown; -32603 without memory. */
int mcp_tools_call(const api_store_t *store, size_t max_rows, const char *name, const json_t *args,
                   mcp_tool_call_t *out, char *err, size_t errlen);
/* The same, reporting progress (NULL: none); MCP_TOOL_CANCELLED, with no
 * result, when progress->tick said the call was cancelled. */
int mcp_tools_call_progress(const api_store_t *store, size_t max_rows, const char *name,
                            const json_t *args, const mcp_progress_t *progress,
                            mcp_tool_call_t *out, char *err, size_t errlen);

/* A cursor this server issued, to its offset; false for anything else. */
bool mcp_cursor_parse(const char *text, size_t *offset);
/* s with every byte but [A-Za-z0-9-._~] as %XX, appended to b (for paths
 * and URIs). 0, or -1 without memory. */
int mcp_percent_encode(api_buf_t *b, const char *s);

#endif
