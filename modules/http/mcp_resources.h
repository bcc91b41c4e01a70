/* MCP resources (2025-11-25 resources/list and resources/read): the
 * capture's statistics (sipnab://stats, JSON) and each dialog's call report
 * (sipnab://dialogs/{Call-ID percent-encoded}/report, the Markdown report
 * fenced as untrusted capture text). Read through the tools (get_stats,
 * get_call_report), so a resource says what the tool says. Pure. */
#ifndef SNB_MCP_RESOURCES_H
#define SNB_MCP_RESOURCES_H

#include <jansson.h>
#include <stddef.h>

#include "api_store.h"

#define MCP_RESOURCE_NOT_FOUND -32002

/* The ListResourcesResult for params (cursor optional), max_rows per page.
 * 0 with *result set; -32602 (err set) for a bad cursor; -32603 without
 * memory. */
int mcp_resources_list(const api_store_t *store, size_t max_rows, const json_t *params,
                       json_t **result, char *err, size_t errlen);

/* The ReadResourceResult for params.uri. 0 with *result set; -32602 (err
 * set) without a uri; MCP_RESOURCE_NOT_FOUND for a uri that names nothing
 * held; -32603 without memory. */
int mcp_resources_read(const api_store_t *store, const json_t *params, json_t **result, char *err,
                       size_t errlen);

/* The ListResourceTemplatesResult: the report URI template. NULL without
 * memory. */
json_t *mcp_resource_templates(void);

#endif
