/* The Model Context Protocol's JSON-RPC 2.0 layer, shared by both
 * transports (Streamable HTTP at /mcp, newline-delimited stdio): one
 * message in, at most one message out. Stateless: initialize negotiates a
 * protocol version and describes the server, but every request is served
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

/* The newest revision first: what a client asking for another gets. */
extern const char *const mcp_protocol_versions[];
bool mcp_protocol_version_supported(const char *v);

typedef struct mcp_config {
    size_t max_rows; /* --mcp-max-rows; 0: MCP_MAX_ROWS_DEFAULT */
    FILE *log;       /* one line per tool call; NULL: none */
} mcp_config_t;

typedef struct mcp_reply {
    char *body; /* malloc'd JSON text; NULL when nothing is due (a notification or a response) */
    size_t len;
    bool is_request; /* the message was a request (it has an id and a method) */
    int error;       /* the JSON-RPC error code answered, 0 for a result */
} mcp_reply_t;

/* Handle one message. Always fills reply (an out-of-memory error when even
 * that cannot be built leaves body NULL with error -32603). */
void mcp_rpc_handle(const api_store_t *store, const mcp_config_t *cfg, const char *msg, size_t len,
                    mcp_reply_t *reply);

/* The error reply for a message that could not be read at all (too large). */
void mcp_rpc_error(int code, const char *message, mcp_reply_t *reply);

#endif
