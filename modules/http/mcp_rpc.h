/* The Model Context Protocol's JSON-RPC 2.0 layer, shared by both
 * transports (Streamable HTTP at /mcp, newline-delimited stdio): one
 * message in, at most one answer out, progress notifications before it.
 * Both protocol eras: the legacy revisions (2025-11-25 and earlier), where
 * initialize negotiates a version, and the stateless 2026-07-28, where each
 * request carries its version and client capabilities in params._meta and
 * server/discover describes the server. Either way every request is served
 * on its own (a session holds nothing a request needs), so any number of
 * clients can use the same store. Hostile input (malformed JSON, a batch,
 * wrong types, unknown methods or tools, oversized messages) gets a
 * JSON-RPC error, never more memory than the cap. Pure. */
#ifndef SNB_MCP_RPC_H
#define SNB_MCP_RPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "api_store.h"

/* Largest message accepted (a tool call is a few hundred bytes). */
#define MCP_MESSAGE_MAX (256 * 1024)

#define MCP_PARSE_ERROR -32700
#define MCP_INVALID_REQUEST -32600
#define MCP_METHOD_NOT_FOUND -32601
#define MCP_INVALID_PARAMS -32602
#define MCP_INTERNAL_ERROR -32603
/* 2026-07-28: HTTP headers missing or unlike the body (Mcp-Method, ...). */
#define MCP_HEADER_MISMATCH -32020
/* 2026-07-28: a version in _meta (or MCP-Protocol-Version) we do not speak;
 * data: {requested, supported}. */
#define MCP_UNSUPPORTED_VERSION -32022

/* The legacy revisions, newest first: what initialize negotiates (a client
 * asking for another, 2026-07-28 included, gets the first). */
extern const char *const mcp_protocol_versions[];
/* The stateless revisions, spoken per request through params._meta. */
extern const char *const mcp_modern_versions[];
/* Either era. */
bool mcp_protocol_version_supported(const char *v);
bool mcp_protocol_version_modern(const char *v);

/* The _meta keys of 2026-07-28. */
#define MCP_META_VERSION "io.modelcontextprotocol/protocolVersion"
#define MCP_META_CAPABILITIES "io.modelcontextprotocol/clientCapabilities"

typedef struct mcp_config {
    size_t max_rows; /* --mcp-max-rows; 0: MCP_MAX_ROWS_DEFAULT */
    FILE *log;       /* one line per tool call; NULL: none */
} mcp_config_t;

typedef struct mcp_reply {
    char *body; /* malloc'd JSON text; NULL when nothing is due (a notification or a response) */
    size_t len;
    bool is_request; /* the message was a request (it has an id and a method) */
    bool modern;     /* it declared a 2026-07-28 version in _meta */
    bool cancelled;  /* the client cancelled it while it ran: no answer is due */
    int error;       /* the JSON-RPC error code answered, 0 for a result */
    size_t notified; /* progress notifications sent before the answer */
} mcp_reply_t;

/* What a transport adds to one message's handling; every member optional. */
typedef struct mcp_io {
    /* Streamable HTTP: the headers a 2026-07-28 request must carry, equal
     * to its body's values (NULL: absent). */
    bool http;
    const char *hdr_version, *hdr_method, *hdr_name;
    /* A notification (notifications/progress) to send now, ahead of the
     * answer; json is borrowed for the call. */
    void (*notify)(void *ud, const char *json, size_t len);
    /* Polled between units of a long tool: whether the client has
     * cancelled the request with this id. */
    bool (*cancelled)(void *ud, const json_t *id, bool modern);
    void *ud;
} mcp_io_t;

/* Handle one message. Always fills reply (an out-of-memory error when even
 * that cannot be built leaves body NULL with error -32603). */
void mcp_rpc_handle(const api_store_t *store, const mcp_config_t *cfg, const char *msg, size_t len,
                    mcp_reply_t *reply);
/* The same with a transport's io (NULL: none). */
void mcp_rpc_handle_io(const api_store_t *store, const mcp_config_t *cfg, const mcp_io_t *io,
                       const char *msg, size_t len, mcp_reply_t *reply);

/* Whether msg is a notifications/cancelled naming the request id (a
 * transport's look-ahead while that request runs). */
bool mcp_rpc_cancels(const char *msg, size_t len, const json_t *id);

/* The error reply for a message that could not be read at all (too large). */
void mcp_rpc_error(int code, const char *message, mcp_reply_t *reply);
/* The -32022 reply (with data.requested and data.supported) for a version
 * we do not speak, named outside the body (MCP-Protocol-Version). */
void mcp_rpc_unsupported_version(const char *requested, mcp_reply_t *reply);

#endif
