/* MCP Streamable HTTP (see mcp_http.h). */
#include "mcp_http.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CT_JSON "application/json"
#define CT_SSE "text/event-stream"

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

/* The SSE stream of one answer: each message an event of its own. */
typedef struct sse {
    const mcp_http_request_t *req;
    api_buf_t events;
    bool oom;
} sse_t;

static void sse_event(void *ud, const char *json, size_t len)
{
    sse_t *s = ud;
    /* JSON text from jansson holds no raw newline: one data line. */
    if (api_buf_append(&s->events, "event: message\ndata: ", 21) ||
        api_buf_append(&s->events, json, len) || api_buf_append(&s->events, "\n\n", 2))
        s->oom = true;
}

/* 2026-07-28 over HTTP: a client cancels by closing its response stream
 * (the legacy revisions send notifications/cancelled, which reaches us only
 * after the call, and say a disconnect is not a cancellation). */
static bool gone(void *ud, const json_t *id, bool modern)
{
    (void)id;
    const sse_t *s = ud;
    return modern && s->req->disconnected && s->req->disconnected(s->req->ud);
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
        mcp_reply_t r;
        mcp_rpc_unsupported_version(req->protocol_version, &r);
        reply_json(resp, 400, &r);
        return;
    }
    if (req->body_too_large) {
        refuse(resp, 413, MCP_INVALID_REQUEST, "message too large");
        return;
    }
    sse_t sse = {.req = req};
    mcp_io_t io = {.http = true,
                   .hdr_version = req->protocol_version,
                   .hdr_method = req->mcp_method,
                   .hdr_name = req->mcp_name,
                   .notify = has_media(req->accept, CT_SSE) ? sse_event : NULL,
                   .cancelled = gone,
                   .ud = &sse};
    mcp_reply_t r;
    mcp_rpc_handle_io(store, cfg, &io, req->body ? req->body : "", req->body_len, &r);
    if (r.cancelled) { /* the client left: nobody reads this */
        api_buf_free(&sse.events);
        resp->status = 202;
        resp->content_type = CT_JSON;
        return;
    }
    if (!r.body && r.error == 0) { /* a notification or a response: accepted */
        resp->status = 202;
        resp->content_type = CT_JSON;
        return;
    }
    if (r.notified && r.body) { /* the notifications, then the answer, as one SSE stream */
        sse_event(&sse, r.body, r.len);
        free(r.body);
        if (sse.oom) {
            api_buf_free(&sse.events);
            refuse(resp, 500, MCP_INTERNAL_ERROR, "out of memory");
            return;
        }
        resp->status = 200;
        resp->content_type = CT_SSE;
        resp->body = sse.events.data;
        resp->body_len = sse.events.len;
        return;
    }
    api_buf_free(&sse.events);
    /* A malformed message is still answered 200 with its JSON-RPC error
     * when it was a request; a version or header refused is 400 (so a
     * client probing eras sees it as HTTP says); otherwise 400 says the
     * body was refused. */
    bool refused = r.error == MCP_UNSUPPORTED_VERSION || r.error == MCP_HEADER_MISMATCH;
    reply_json(resp, r.is_request && !refused ? 200 : 400, &r);
}
