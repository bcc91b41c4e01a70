/* MCP over stdio (see api_server_stdio.h). */
#include "api_server_stdio.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define IN_FD 0
#define OUT_FD 1
/* Unprocessed input: one whole message and a read's worth after it. */
#define IN_CAP (MCP_MESSAGE_MAX + (64 * 1024))
#define READ_CHUNK (64 * 1024)
/* How long answers still queued at the end of input may take to go out. */
#define LAST_FLUSH_MS 2000
/* One write after POLLOUT: a pipe that polls writable has a page free, so a
 * write this size never blocks (stdout stays blocking: its open file may be
 * shared, with a terminal's stderr say, and O_NONBLOCK would reach that too). */
#define WRITE_STEP 4096

struct api_stdio {
    uv_poll_t poll;       /* stdin */
    uv_idle_t idle;       /* stdin a regular file (epoll refuses those): read on each turn */
    uv_poll_t out_poll;   /* stdout writable again */
    uv_timer_t out_timer; /* stdout not pollable: retry on a timer */
    bool polling, out_pollable, out_waiting;
    const api_store_t *store;
    const mcp_config_t *cfg;
    void (*on_eof)(void *ud);
    void *ud;
    char *in; /* IN_CAP bytes: complete lines, then a partial one */
    size_t in_len;
    size_t scan_from; /* while a request runs: where the lines after it begin */
    bool skipping;    /* the current line is too long: drop it up to its newline */
    bool in_eof;
    char *out; /* answers not yet written: out[out_off, out_len) */
    size_t out_off, out_len, out_cap;
    bool processing;
    bool done;
    int closing; /* handles still closing */
};

static void finish(api_stdio_t *io);

/* ---- output: a bounded queue, written as stdout takes it ------------------------------------ */

static void want_writable(api_stdio_t *io, bool want);

static void flush(api_stdio_t *io)
{
    while (io->out_off < io->out_len) {
        struct pollfd pf = {.fd = OUT_FD, .events = POLLOUT};
        int ready = poll(&pf, 1, 0);
        if (ready < 0 && errno == EINTR) continue;
        if (ready == 0) break; /* full: on_writable resumes */
        if (ready < 0 || (pf.revents & (POLLERR | POLLNVAL))) {
            io->out_off = io->out_len; /* the client is gone; the end of stdin follows */
            break;
        }
        size_t n = io->out_len - io->out_off;
        ssize_t w = write(OUT_FD, io->out + io->out_off, n < WRITE_STEP ? n : WRITE_STEP);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && errno == EAGAIN) break;
        if (w <= 0) { /* the client is gone; the end of stdin follows */
            io->out_off = io->out_len;
            break;
        }
        io->out_off += (size_t)w;
    }
    if (io->out_off == io->out_len) io->out_off = io->out_len = 0;
    want_writable(io, io->out_len > 0);
}

static void on_writable(uv_poll_t *p, int status, int events)
{
    (void)status;
    (void)events;
    flush(p->data);
}

static void on_out_timer(uv_timer_t *t)
{
    flush(t->data);
}

static void want_writable(api_stdio_t *io, bool want)
{
    if (want == io->out_waiting || io->done) return;
    io->out_waiting = want;
    if (io->out_pollable) {
        if (want)
            uv_poll_start(&io->out_poll, UV_WRITABLE, on_writable);
        else
            uv_poll_stop(&io->out_poll);
    } else if (want) {
        uv_timer_start(&io->out_timer, on_out_timer, 10, 10);
    } else {
        uv_timer_stop(&io->out_timer);
    }
}

/* One message and its newline onto the queue. A client that lets more than
 * out_max bytes wait is not reading: it is dropped, not buffered for. */
static void send_line(api_stdio_t *io, const char *p, size_t n)
{
    if (io->done) return;
    size_t queued = io->out_len - io->out_off;
    if (queued + n + 1 > API_STDIO_OUT_MAX) {
        fprintf(stderr,
                "sipnab-api: the MCP client is not reading its answers (%zu bytes waiting): "
                "closing stdio\n",
                queued);
        finish(io);
        return;
    }
    if (io->out_len + n + 1 > io->out_cap) {
        if (io->out_off) { /* reuse what was written before growing */
            memmove(io->out, io->out + io->out_off, queued);
            io->out_len = queued;
            io->out_off = 0;
        }
        size_t cap = io->out_cap ? io->out_cap : 64 * 1024;
        while (cap < io->out_len + n + 1)
            cap *= 2;
        if (cap != io->out_cap) {
            char *b = realloc(io->out, cap);
            if (!b) {
                fprintf(stderr,
                        "sipnab-api: out of memory queueing an MCP answer: closing stdio\n");
                finish(io);
                return;
            }
            io->out = b;
            io->out_cap = cap;
        }
    }
    memcpy(io->out + io->out_len, p, n);
    io->out[io->out_len + n] = '\n';
    io->out_len += n + 1;
    flush(io);
}

/* ---- input ------------------------------------------------------------------------------------
 */

/* What stdin holds now, into the free end of the input buffer (never more:
 * a full buffer leaves the rest in the pipe, and the client waits). */
static void read_available(api_stdio_t *io)
{
    for (int i = 0; i < 16 && !io->in_eof && io->in_len < IN_CAP; i++) {
        size_t room = IN_CAP - io->in_len;
        ssize_t n = read(IN_FD, io->in + io->in_len, room < READ_CHUNK ? room : READ_CHUNK);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) return;
        if (n <= 0) {
            io->in_eof = true;
            return;
        }
        io->in_len += (size_t)n;
    }
}

/* While a request runs (mcp_io_t.cancelled): read ahead, flush progress,
 * and look through the whole lines after it for its cancellation. They
 * stay where they are and are served after it. */
static bool look_ahead_cancelled(void *ud, const json_t *id, bool modern)
{
    (void)modern;
    api_stdio_t *io = ud;
    if (io->done) return true; /* the client was dropped: stop */
    read_available(io);
    flush(io);
    while (io->scan_from < io->in_len) {
        const char *line = io->in + io->scan_from;
        const char *nl = memchr(line, '\n', io->in_len - io->scan_from);
        if (!nl) break;
        io->scan_from = (size_t)(nl - io->in) + 1;
        if (mcp_rpc_cancels(line, (size_t)(nl - line), id)) return true;
    }
    return false;
}

static void notify(void *ud, const char *json, size_t len)
{
    send_line(ud, json, len);
}

static void answer(api_stdio_t *io, const char *msg, size_t len, size_t next)
{
    mcp_reply_t r;
    if (io->skipping) {
        mcp_rpc_error(MCP_INVALID_REQUEST, "message too large", &r);
    } else {
        io->scan_from = next;
        mcp_io_t mio = {.notify = notify, .cancelled = look_ahead_cancelled, .ud = io};
        mcp_rpc_handle_io(io->store, io->cfg, &mio, msg, len, &r);
    }
    if (r.body) send_line(io, r.body, r.len);
    free(r.body);
}

/* Serve every whole line held; keep a partial one for the next read. */
static void process(api_stdio_t *io)
{
    if (io->processing) return;
    io->processing = true;
    size_t pos = 0;
    while (!io->done && pos < io->in_len) {
        char *nl = memchr(io->in + pos, '\n', io->in_len - pos);
        if (io->skipping) {
            if (!nl) {
                pos = io->in_len;
                break;
            }
            answer(io, NULL, 0, 0);
            io->skipping = false;
            pos = (size_t)(nl - io->in) + 1;
            continue;
        }
        if (!nl) {
            if (io->in_len - pos > MCP_MESSAGE_MAX) { /* too long: drop it up to its newline */
                io->skipping = true;
                pos = io->in_len;
            }
            break;
        }
        size_t len = (size_t)(nl - io->in) - pos, next = (size_t)(nl - io->in) + 1;
        while (len && io->in[pos + len - 1] == '\r')
            len--;
        if (len) answer(io, io->in + pos, len, next);
        pos = next;
    }
    if (pos) {
        memmove(io->in, io->in + pos, io->in_len - pos);
        io->in_len -= pos;
    }
    io->processing = false;
    if (io->in_eof && !io->done) finish(io);
}

static void read_some(api_stdio_t *io)
{
    for (int i = 0; i < 16 && !io->done && !io->in_eof; i++) {
        size_t before = io->in_len;
        read_available(io);
        if (io->in_len == before && !io->in_eof) return; /* nothing more now */
        process(io);
    }
    if (io->in_eof && !io->done) process(io);
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

/* ---- lifetime ---------------------------------------------------------------------------------
 */

/* The answers still queued get a last chance (a client that closed stdin
 * may still read stdout), bounded in time. */
static void last_flush(api_stdio_t *io)
{
    uint64_t end = uv_hrtime() / 1000000 + LAST_FLUSH_MS;
    while (io->out_off < io->out_len) {
        uint64_t now = uv_hrtime() / 1000000;
        if (now >= end) break;
        struct pollfd pf = {.fd = OUT_FD, .events = POLLOUT};
        if (poll(&pf, 1, (int)(end - now)) <= 0) break;
        size_t n = io->out_len - io->out_off;
        ssize_t w = write(OUT_FD, io->out + io->out_off, n < WRITE_STEP ? n : WRITE_STEP);
        if (w < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (w <= 0) break;
        io->out_off += (size_t)w;
    }
}

static void finish(api_stdio_t *io)
{
    if (io->done) return;
    if (io->in_eof) last_flush(io);
    want_writable(io, false);
    io->done = true;
    if (io->polling)
        uv_poll_stop(&io->poll);
    else
        uv_idle_stop(&io->idle);
    io->on_eof(io->ud);
}

api_stdio_t *api_stdio_start(uv_loop_t *loop, const api_store_t *store, const mcp_config_t *cfg,
                             void (*on_eof)(void *ud), void *ud)
{
    api_stdio_t *io = calloc(1, sizeof *io);
    char *in = io ? malloc(IN_CAP) : NULL;
    if (!in) {
        free(io);
        return NULL;
    }
    *io = (api_stdio_t){.store = store, .cfg = cfg, .on_eof = on_eof, .ud = ud, .in = in};
    io->poll.data = io->idle.data = io->out_poll.data = io->out_timer.data = io;
    uv_timer_init(loop, &io->out_timer);
    io->out_pollable = uv_poll_init(loop, &io->out_poll, OUT_FD) == 0;
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
    if (--io->closing) return; /* the last of its handles frees it */
    free(io->in);
    free(io->out);
    free(io);
}

void api_stdio_close(api_stdio_t *io)
{
    if (!io) return;
    io->closing = 2 + io->out_pollable;
    uv_close(io->polling ? (uv_handle_t *)&io->poll : (uv_handle_t *)&io->idle, on_closed);
    uv_close((uv_handle_t *)&io->out_timer, on_closed);
    if (io->out_pollable) uv_close((uv_handle_t *)&io->out_poll, on_closed);
}
