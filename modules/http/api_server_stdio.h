/* MCP over stdio (sipnab --mcp): newline-delimited JSON-RPC read from fd 0
 * and answered on fd 1, on the API process's loop, from its store. The
 * capture process hands the API process its own stdin and stdout, so the
 * client talks to the confined process only. A line longer than
 * MCP_MESSAGE_MAX is dropped up to its newline and answered with an error.
 * Answers and progress notifications go out through a queue written as
 * stdout takes them, never blocking the loop; a client that lets more than
 * API_STDIO_OUT_MAX bytes wait is not reading, and is dropped with a line
 * on stderr. While a request runs, the lines after it are read ahead for
 * its notifications/cancelled (then no answer is sent).
 * At end of input, or when the client is dropped, on_eof runs (the process
 * then exits, and sipnab stops). */
#ifndef SNB_API_SERVER_STDIO_H
#define SNB_API_SERVER_STDIO_H

#include <uv.h>

#include "mcp_rpc.h"

typedef struct api_stdio api_stdio_t;

/* Answers allowed to wait for a client that reads slowly. */
#define API_STDIO_OUT_MAX (32u * 1024u * 1024u)

api_stdio_t *api_stdio_start(uv_loop_t *loop, const api_store_t *store, const mcp_config_t *cfg,
                             void (*on_eof)(void *ud), void *ud);
/* Close its handles (the loop must run once more to finish). */
void api_stdio_close(api_stdio_t *io);

#endif
