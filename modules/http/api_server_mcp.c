/* /mcp on the API's listener (see api_server_mcp.h). */
#include "api_server_mcp.h"

#include <poll.h>
#include <stdlib.h>
#include <string.h>

void api_mcp_upload_add(api_mcp_upload_t *u, const char *data, size_t len)
{
    if (u->too_large || u->oom) return;
    if (len > MCP_MESSAGE_MAX - u->len) {
        u->too_large = true;
        free(u->data);
        u->data = NULL;
        u->len = 0;
        return;
    }
    char *p = realloc(u->data, u->len + len + 1);
    if (!p) {
        u->oom = true;
        return;
    }
    memcpy(p + u->len, data, len);
    u->data = p;
    u->len += len;
    p[u->len] = '\0';
}

void api_mcp_upload_free(api_mcp_upload_t *u)
{
    if (!u) return;
    free(u->data);
    free(u);
}

static const char *header(struct MHD_Connection *c, const char *name)
{
    return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

/* Whether the client closed its connection while its call ran: a hang-up
 * or an end of stream waits on the socket (TLS or not, the FIN is seen). */
static bool connection_gone(void *ud)
{
    struct MHD_Connection *c = ud;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (!ci) return false;
    struct pollfd pf = {.fd = ci->connect_fd, .events = POLLRDHUP};
    return poll(&pf, 1, 0) > 0 && (pf.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

void api_mcp_answer(const api_store_t *store, const mcp_config_t *cfg, struct MHD_Connection *c,
                    const char *method, const api_mcp_upload_t *u, api_response_t *resp)
{
    mcp_http_request_t req = {
        .method = method,
        .host = header(c, MHD_HTTP_HEADER_HOST),
        .origin = header(c, "Origin"),
        .accept = header(c, MHD_HTTP_HEADER_ACCEPT),
        .content_type = header(c, MHD_HTTP_HEADER_CONTENT_TYPE),
        .protocol_version = header(c, "MCP-Protocol-Version"),
        .mcp_method = header(c, "Mcp-Method"),
        .mcp_name = header(c, "Mcp-Name"),
        .disconnected = connection_gone,
        .ud = c,
        .body = u->data,
        .body_len = u->len,
        .body_too_large = u->too_large || u->oom,
    };
    mcp_http_handle(store, cfg, &req, resp);
}
