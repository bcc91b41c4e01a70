/* MCP Streamable HTTP (see mcp_http.h). */
#include "mcp_http.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CT_JSON "application/json"

static void reply_json(api_response_t *resp, int status, mcp_reply_t *r)
{
    resp->status = r->body ? status : 500;
    resp->content_type = CT_JSON;
    resp->body = r->body;
    resp->body_len = r->len;
}

/* An HTTP-level refusal, its body a JSON-RPC error (as the SDKs read it). */
static void refuse(api_response_t *resp, int status, int code, const char *message)
{
    mcp_reply_t r;
    mcp_rpc_error(code, message, &r);
    reply_json(resp, status, &r);
}

bool mcp_http_origin_ok(const char *origin, const char *host)
{
    if (!origin) return true;
    const char *sep = strstr(origin, "://");
    if (!sep || !host || !*host) return false;
    const char *authority = sep + 3;
    size_t len = strcspn(authority, "/");
    return len == strlen(host) && strncasecmp(authority, host, len) == 0;
}

static bool has_media(const char *header, const char *type)
{
    return header && strcasestr(header, type) != NULL;
}

void mcp_http_handle(const api_store_t *store, const mcp_config_t *cfg,
                     const mcp_http_request_t *req, api_response_t *resp)
{
    memset(resp, 0, sizeof *resp);
    if (!mcp_http_origin_ok(req->origin, req->host)) {
        refuse(resp, 403, MCP_INVALID_REQUEST, "Origin not allowed");
        return;
    }
    if (!req->method || strcmp(req->method, "POST") != 0) {
        /* No server-initiated stream to GET, no session to DELETE. */
        refuse(resp, 405, MCP_INVALID_REQUEST, "method not allowed: POST JSON-RPC messages");
        resp->allow = "POST";
        return;
    }
    if (req->accept && !has_media(req->accept, CT_JSON) && !has_media(req->accept, "*/*")) {
        refuse(resp, 406, MCP_INVALID_REQUEST, "Accept must include application/json");
        return;
    }
    if (!has_media(req->content_type, CT_JSON)) {
        refuse(resp, 415, MCP_INVALID_REQUEST, "Content-Type must be application/json");
        return;
    }
    if (req->protocol_version && !mcp_protocol_version_supported(req->protocol_version)) {
        refuse(resp, 400, MCP_INVALID_REQUEST, "unsupported MCP-Protocol-Version");
        return;
    }
    if (req->body_too_large) {
        refuse(resp, 413, MCP_INVALID_REQUEST, "message too large");
        return;
    }
    mcp_reply_t r;
    mcp_rpc_handle(store, cfg, req->body ? req->body : "", req->body_len, &r);
    if (!r.body && r.error == 0) { /* a notification or a response: accepted */
        resp->status = 202;
        resp->content_type = CT_JSON;
        return;
    }
    /* A malformed message is still answered 200 with its JSON-RPC error
     * when it was a request; otherwise 400 says the body was refused. */
    reply_json(resp, r.is_request ? 200 : 400, &r);
}
