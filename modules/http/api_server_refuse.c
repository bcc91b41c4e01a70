/* Turning away connections beyond the cap (see api_server_refuse.h). The
 * answer is written, our side shut down, and what the client still sends
 * (its request) read and dropped until it closes or LINGER_MS pass: closing
 * with unread data would reset the connection and could destroy the answer
 * before the client reads it. At most MAX_LINGERING wait like that; beyond,
 * a socket is closed at once. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api_server_refuse.h"

#define LINGER_MS 1000
#define MAX_LINGERING 256

static const char answer_503[] =
    "HTTP/1.1 503 Service Unavailable\r\n"
    "Content-Type: application/json\r\n"
    "Cache-Control: no-store\r\n"
    "Retry-After: 1\r\n"
    "Connection: close\r\n"
    "Content-Length: 68\r\n"
    "\r\n"
    "{\"schema_version\":1,\"status\":503,\"error\":\"connection limit "
    "reached\"}";

typedef struct lingering {
    uv_tcp_t tcp;
    uv_timer_t timer;
    uv_shutdown_t shutdown;
    struct api_refuser *owner;
    struct lingering *prev, *next;
    int open_handles;
} lingering_t;

struct api_refuser {
    uv_loop_t *loop;
    bool tls;
    bool closing;
    lingering_t *head;
    unsigned count;
};

static void maybe_free_refuser(api_refuser_t *r)
{
    if (r->closing && !r->head) free(r);
}

static void on_handle_closed(uv_handle_t *h)
{
    lingering_t *l = h->data;
    if (--l->open_handles) return;
    api_refuser_t *r = l->owner;
    if (l->prev)
        l->prev->next = l->next;
    else
        r->head = l->next;
    if (l->next) l->next->prev = l->prev;
    r->count--;
    free(l);
    maybe_free_refuser(r);
}

static void finish(lingering_t *l)
{
    if (uv_is_closing((uv_handle_t *)&l->tcp)) return;
    uv_close((uv_handle_t *)&l->tcp, on_handle_closed);
    uv_close((uv_handle_t *)&l->timer, on_handle_closed);
}

static void on_linger_timeout(uv_timer_t *t)
{
    finish(t->data);
}

static void drop_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)h;
    (void)suggested;
    static char sink[4096];
    *buf = uv_buf_init(sink, sizeof sink);
}

static void drop_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    (void)buf;
    if (n < 0) finish(s->data); /* EOF: the client has read the answer and gone */
}

static void on_shutdown(uv_shutdown_t *req, int status)
{
    (void)status;
    lingering_t *l = req->data;
    if (uv_is_closing((uv_handle_t *)&l->tcp)) return;
    if (uv_read_start((uv_stream_t *)&l->tcp, drop_alloc, drop_read) != 0) finish(l);
}

api_refuser_t *api_refuser_new(uv_loop_t *loop, bool tls)
{
    api_refuser_t *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->loop = loop;
    r->tls = tls;
    return r;
}

void api_refuser_take(api_refuser_t *r, int fd)
{
    lingering_t *l =
        r->tls || r->closing || r->count >= MAX_LINGERING ? NULL : calloc(1, sizeof *l);
    if (!l) {
        close(fd);
        return;
    }
    if (uv_tcp_init(r->loop, &l->tcp) != 0) {
        free(l);
        close(fd);
        return;
    }
    l->tcp.data = l;
    if (uv_tcp_open(&l->tcp, fd) != 0) {
        close(fd); /* not the handle's: it did not take it */
        fd = -1;
    }
    uv_timer_init(r->loop, &l->timer);
    l->timer.data = l;
    l->owner = r;
    l->open_handles = 2;
    l->next = r->head;
    if (r->head) r->head->prev = l;
    r->head = l;
    r->count++;
    uv_buf_t b = uv_buf_init((char *)answer_503, sizeof answer_503 - 1);
    l->shutdown.data = l;
    if (fd < 0 || uv_try_write((uv_stream_t *)&l->tcp, &b, 1) != (int)b.len ||
        uv_shutdown(&l->shutdown, (uv_stream_t *)&l->tcp, on_shutdown) != 0) {
        finish(l);
        return;
    }
    uv_timer_start(&l->timer, on_linger_timeout, LINGER_MS, 0);
}

void api_refuser_close(api_refuser_t *r)
{
    if (!r) return;
    r->closing = true;
    for (lingering_t *l = r->head; l; l = l->next)
        finish(l);
    maybe_free_refuser(r);
}
