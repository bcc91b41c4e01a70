/* One health probe (see http_health.h): a non-blocking socket watched by a
 * uv_poll, OpenSSL for TLS (no certificate check: we know whom we call),
 * and a timer for the deadline. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "http_health.h"

static const char request[] = "GET /health HTTP/1.1\r\nHost: sipnab\r\nConnection: close\r\n\r\n";

typedef enum { CONNECTING, HANDSHAKE, SENDING, RECEIVING } step_t;

struct http_probe {
    uv_poll_t poll;
    uv_timer_t timer;
    int fd;
    int open_handles;
    step_t step;
    SSL_CTX *ctx;
    SSL *ssl;
    size_t sent, got;
    char answer[16];
    http_probe_done_cb done;
    void *ud;
};

static void on_closed(uv_handle_t *h)
{
    http_probe_t *p = h->data;
    if (--p->open_handles) return;
    SSL_free(p->ssl);
    SSL_CTX_free(p->ctx);
    close(p->fd);
    free(p);
}

static void finish(http_probe_t *p, bool answered, const char *why)
{
    http_probe_done_cb done = p->done;
    p->done = NULL;
    if (!uv_is_closing((uv_handle_t *)&p->poll)) {
        uv_close((uv_handle_t *)&p->poll, on_closed);
        uv_close((uv_handle_t *)&p->timer, on_closed);
    }
    if (done) done(p->ud, answered, why);
}

static void on_deadline(uv_timer_t *t)
{
    http_probe_t *p = t->data;
    finish(p, false,
           p->step == CONNECTING  ? "no connection"
           : p->step == HANDSHAKE ? "no TLS handshake"
           : p->step == SENDING   ? "request not taken"
                                  : "no answer");
}

static void wait_for(http_probe_t *p, int events);

/* A TLS call that wants to wait: wait for what it wants; true if so. */
static bool tls_waits(http_probe_t *p, int rc)
{
    int err = SSL_get_error(p->ssl, rc);
    if (err == SSL_ERROR_WANT_READ) wait_for(p, UV_READABLE);
    if (err == SSL_ERROR_WANT_WRITE) wait_for(p, UV_WRITABLE);
    return err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE;
}

/* Move as far as the socket lets us, then wait for it again. */
static void advance(http_probe_t *p)
{
    if (p->step == CONNECTING) {
        int err = 0;
        socklen_t len = sizeof err;
        if (getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err) {
            finish(p, false, strerror(err ? err : errno));
            return;
        }
        p->step = p->ssl ? HANDSHAKE : SENDING;
    }
    if (p->step == HANDSHAKE) {
        int rc = SSL_connect(p->ssl);
        if (rc != 1) {
            if (!tls_waits(p, rc)) finish(p, false, "TLS handshake failed");
            return;
        }
        p->step = SENDING;
    }
    while (p->step == SENDING) {
        size_t left = sizeof request - 1 - p->sent;
        long n = p->ssl ? SSL_write(p->ssl, request + p->sent, (int)left)
                        : (long)send(p->fd, request + p->sent, left, MSG_NOSIGNAL);
        if (n <= 0) {
            if (p->ssl ? tls_waits(p, (int)n) : (errno == EAGAIN || errno == EINTR))
                wait_for(p, p->ssl ? 0 : UV_WRITABLE);
            else
                finish(p, false, "request refused");
            return;
        }
        p->sent += (size_t)n;
        if (p->sent == sizeof request - 1) p->step = RECEIVING;
    }
    while (p->got < sizeof p->answer) {
        size_t want = sizeof p->answer - p->got;
        long n = p->ssl ? SSL_read(p->ssl, p->answer + p->got, (int)want)
                        : (long)recv(p->fd, p->answer + p->got, want, 0);
        if (n > 0) {
            p->got += (size_t)n;
            continue;
        }
        if (n < 0 && (p->ssl ? tls_waits(p, (int)n) : (errno == EAGAIN || errno == EINTR))) {
            wait_for(p, p->ssl ? 0 : UV_READABLE);
            return;
        }
        break; /* closed (or failed) before a whole status line */
    }
    if (p->got >= 12 && memcmp(p->answer, "HTTP/1.", 7) == 0)
        finish(p, true, NULL);
    else
        finish(p, false, "closed without an answer");
}

static void on_ready(uv_poll_t *h, int status, int events)
{
    (void)events;
    http_probe_t *p = h->data;
    if (status < 0 && p->step == CONNECTING) {
        finish(p, false, uv_strerror(status));
        return;
    }
    advance(p);
}

/* events 0: keep what tls_waits chose. */
static void wait_for(http_probe_t *p, int events)
{
    if (events) uv_poll_start(&p->poll, events, on_ready);
}

http_probe_t *http_probe_start(uv_loop_t *loop, const struct sockaddr *addr, socklen_t len,
                               bool tls, uint64_t timeout_ms, http_probe_done_cb done, void *ud)
{
    http_probe_t *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->fd = socket(addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (p->fd < 0) {
        free(p);
        return NULL;
    }
    if (tls) {
        p->ctx = SSL_CTX_new(TLS_client_method());
        p->ssl = p->ctx ? SSL_new(p->ctx) : NULL;
        if (!p->ssl || SSL_set_fd(p->ssl, p->fd) != 1) {
            SSL_free(p->ssl);
            SSL_CTX_free(p->ctx);
            close(p->fd);
            free(p);
            return NULL;
        }
        SSL_set_verify(p->ssl, SSL_VERIFY_NONE, NULL);
    }
    if (connect(p->fd, addr, len) != 0 && errno != EINPROGRESS) {
        SSL_free(p->ssl);
        SSL_CTX_free(p->ctx);
        close(p->fd);
        free(p);
        return NULL;
    }
    p->done = done;
    p->ud = ud;
    p->step = CONNECTING;
    uv_poll_init_socket(loop, &p->poll, p->fd);
    p->poll.data = p;
    uv_timer_init(loop, &p->timer);
    p->timer.data = p;
    p->open_handles = 2;
    uv_timer_start(&p->timer, on_deadline, timeout_ms, 0);
    uv_poll_start(&p->poll, UV_WRITABLE, on_ready);
    return p;
}

void http_probe_cancel(http_probe_t *p)
{
    if (!p) return;
    p->done = NULL;
    finish(p, false, NULL);
}
