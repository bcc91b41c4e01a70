/* MCP over stdio (see api_server_stdio.h). */
#include "api_server_stdio.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define IN_FD 0
#define OUT_FD 1

struct api_stdio {
    uv_poll_t poll;
    uv_idle_t idle; /* stdin a regular file (epoll refuses those): read on each turn */
    bool polling;
    const api_store_t *store;
    const mcp_config_t *cfg;
    void (*on_eof)(void *ud);
    void *ud;
    char *line; /* the line so far, up to MCP_MESSAGE_MAX bytes */
    size_t len;
    bool skipping; /* the current line is too long: drop it up to its newline */
    bool done;
};

/* The whole answer, then a newline; waits while the reader is slow. */
static void write_all(const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(OUT_FD, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && errno == EAGAIN) {
            struct pollfd pf = {.fd = OUT_FD, .events = POLLOUT};
            poll(&pf, 1, 1000);
            continue;
        }
        if (w <= 0) return; /* the client is gone; the end of stdin follows */
        p += w;
        n -= (size_t)w;
    }
}

static void answer(api_stdio_t *io, const char *msg, size_t len)
{
    mcp_reply_t r;
    if (io->skipping)
        mcp_rpc_error(MCP_INVALID_REQUEST, "message too large", &r);
    else
        mcp_rpc_handle(io->store, io->cfg, msg, len, &r);
    if (!r.body) return;
    write_all(r.body, r.len);
    write_all("\n", 1);
    free(r.body);
}

static void take(api_stdio_t *io, const char *p, size_t n)
{
    while (n) {
        const char *nl = memchr(p, '\n', n);
        size_t part = nl ? (size_t)(nl - p) : n;
        if (!io->skipping && part > MCP_MESSAGE_MAX - io->len) {
            io->skipping = true;
            io->len = 0;
        }
        if (!io->skipping) {
            memcpy(io->line + io->len, p, part);
            io->len += part;
        }
        if (!nl) return;
        size_t len = io->len;
        while (len && io->line[len - 1] == '\r')
            len--;
        if (len || io->skipping) answer(io, io->line, len);
        io->len = 0;
        io->skipping = false;
        p += part + 1;
        n -= part + 1;
    }
}

static void finish(api_stdio_t *io)
{
    if (io->done) return;
    io->done = true;
    if (io->polling)
        uv_poll_stop(&io->poll);
    else
        uv_idle_stop(&io->idle);
    io->on_eof(io->ud);
}

static void read_some(api_stdio_t *io)
{
    char buf[1 << 16];
    for (int i = 0; i < 16 && !io->done; i++) {
        ssize_t n = read(IN_FD, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) return;
        if (n <= 0) {
            finish(io);
            return;
        }
        take(io, buf, (size_t)n);
    }
}

static void on_readable(uv_poll_t *p, int status, int events)
{
    (void)status;
    (void)events;
    read_some(p->data);
}

static void on_idle(uv_idle_t *h)
{
    read_some(h->data);
}

api_stdio_t *api_stdio_start(uv_loop_t *loop, const api_store_t *store, const mcp_config_t *cfg,
                             void (*on_eof)(void *ud), void *ud)
{
    api_stdio_t *io = calloc(1, sizeof *io);
    if (!io || !(io->line = malloc(MCP_MESSAGE_MAX))) {
        free(io);
        return NULL;
    }
    *io = (api_stdio_t){.store = store, .cfg = cfg, .on_eof = on_eof, .ud = ud, .line = io->line};
    io->poll.data = io->idle.data = io;
    if (uv_poll_init(loop, &io->poll, IN_FD) == 0) {
        fcntl(IN_FD, F_SETFL, fcntl(IN_FD, F_GETFL) | O_NONBLOCK);
        io->polling = true;
        uv_poll_start(&io->poll, UV_READABLE | UV_DISCONNECT, on_readable);
    } else {
        uv_idle_init(loop, &io->idle);
        uv_idle_start(&io->idle, on_idle);
    }
    return io;
}

static void on_closed(uv_handle_t *h)
{
    api_stdio_t *io = h->data;
    free(io->line);
    free(io);
}

void api_stdio_close(api_stdio_t *io)
{
    if (!io) return;
    uv_close(io->polling ? (uv_handle_t *)&io->poll : (uv_handle_t *)&io->idle, on_closed);
}
