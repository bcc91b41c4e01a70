/* MCP's Streamable HTTP transport at /mcp, minus the sockets: a POSTed
 * JSON-RPC message in, the answer out as application/json, or as a
 * text/event-stream (its progress notifications, then the answer) when the
 * request asked for progress and the client accepts SSE. The checks the
 * transport spec asks of a server: Origin (against DNS rebinding, a
 * browser page must not reach a local sipnab), Accept, Content-Type,
 * MCP-Protocol-Version (and for 2026-07-28 Mcp-Method and Mcp-Name against
 * the body), and 202 with no body for a notification or a response. A
 * 2026-07-28 request whose client disconnects is cancelled (the revision's
 * HTTP cancellation). Authentication is the REST API's bearer key, checked
 * by the caller before the body is read. No session: Mcp-Session-Id is
 * neither issued nor needed, and GET (a server-initiated stream) is 405. Pure. */
#ifndef SNB_MCP_HTTP_H
#define SNB_MCP_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "api_router.h"
#include "mcp_rpc.h"

#define MCP_HTTP_PATH "/mcp"

typedef struct mcp_http_request {
    const char *method;
    const char *host, *origin, *accept, *content_type, *protocol_version; /* NULL: absent */
    const char *mcp_method, *mcp_name; /* 2026-07-28 routing headers; NULL: absent */
    /* Whether the client has gone (its connection closed); NULL: unknown. */
    bool (*disconnected)(void *ud);
    void *ud;
    const char *body;
    size_t body_len;
    bool body_too_large; /* more than MCP_MESSAGE_MAX bytes came (and were dropped) */
} mcp_http_request_t;

/* Always fills resp (a JSON or SSE body; none for 202). */
void mcp_http_handle(const api_store_t *store, const mcp_config_t *cfg,
                     const mcp_http_request_t *req, api_response_t *resp);

/* Whether an Origin header may reach us: absent (not a browser), or the
 * same host and port as the Host header. */
bool mcp_http_origin_ok(const char *origin, const char *host);

#endif
