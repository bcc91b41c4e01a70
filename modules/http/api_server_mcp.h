/* /mcp on the API's listener: collecting the POSTed body as MHD hands it
 * over in pieces (capped at MCP_MESSAGE_MAX: beyond, the rest is dropped and
 * the request answered 413), then the pure transport logic (mcp_http.c). */
#ifndef SNB_API_SERVER_MCP_H
#define SNB_API_SERVER_MCP_H

#include <microhttpd.h>
#include <stdbool.h>
#include <stddef.h>

#include "mcp_http.h"

typedef struct api_mcp_upload {
    char *data;
    size_t len;
    bool too_large, oom;
} api_mcp_upload_t;

void api_mcp_upload_add(api_mcp_upload_t *u, const char *data, size_t len);
void api_mcp_upload_free(api_mcp_upload_t *u);

/* The answer to a whole /mcp request (authenticated by the caller). */
void api_mcp_answer(const api_store_t *store, const mcp_config_t *cfg, struct MHD_Connection *c,
                    const char *method, const api_mcp_upload_t *u, api_response_t *resp);

#endif
