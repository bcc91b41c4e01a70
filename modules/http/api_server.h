/* The API process's server: libmicrohttpd driven from a libuv loop (MHD's
 * epoll fd watched by uv_poll, its timeout by a uv_timer), single-threaded,
 * so the store needs no locks. The feed from the capture process arrives
 * on the same loop. */
#ifndef SNB_API_SERVER_H
#define SNB_API_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct api_settings {
    char *listen;
    char *api_key, *metrics_key;
    char *cert_pem, *key_pem; /* empty: plain HTTP */
    int64_t max_conn;
    int64_t rate_limit;
    int64_t idle_timeout_s;
    int64_t max_request;
    char *user;
    int64_t mcp_max_rows; /* rows per MCP tool answer (--mcp-max-rows) */
    bool mcp_stdio;       /* serve MCP on stdin/stdout (--mcp); listen "" = no HTTP */
} api_settings_t;

typedef struct api_server api_server_t;

/* Bind and start serving on the settings' listen address (before privileges
 * are dropped: the port may be privileged). NULL with why on failure. */
api_server_t *api_server_start(const api_settings_t *s, char *why, size_t whylen);
/* Serve, reading frames from feed_fd, until it closes. 0, or -1 on a broken
 * feed. */
int api_server_run(api_server_t *srv, int feed_fd);
void api_server_free(api_server_t *srv);

/* Confine this process with Landlock (api_server_sandbox.c): no file can
 * be opened or created, no TCP socket bound or connected. Returns the ABI
 * applied (0: not available), with a description in what. */
int api_sandbox_landlock(char *what, size_t len);
/* Then a seccomp allow-list (api_seccomp.c): no new socket, no
 * datagram egress, only the system calls serving needs. 0, or -1 when not
 * applied; what says which. */
int api_sandbox_seccomp(char *what, size_t len);

#endif
