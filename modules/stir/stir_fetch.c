/* See stir_fetch.h. The classic libuv + curl multi pairing: curl tells us
 * which sockets to watch (socket_cb) and when to call it back (timer_cb);
 * libuv tells curl what happened (curl_multi_socket_action). */
#include "stir_fetch.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "stir_addr.h"

typedef struct xfer {
    struct stir_fetcher *f;
    CURL *easy;
    char *url;
    stir_body_t body;
    bool refused; /* an address was refused by the SSRF guard */
    struct xfer *next;
} xfer_t;

typedef struct sock {
    uv_poll_t poll;
    curl_socket_t fd;
    struct stir_fetcher *f;
    struct sock *next, **prev; /* the watched sockets, closed at free */
} sock_t;

struct stir_fetcher {
    uv_loop_t *loop;
    stir_fetch_conf_t conf;
    CURLM *multi;
    uv_timer_t timer;
    xfer_t *active;
    unsigned n_active;
    sock_t *socks;
    unsigned open_handles; /* the timer and polls not yet closed */
    bool dying;
    stir_fetch_done_cb cb;
    void *ud;
};

static const char *const names[STIR_FETCH_RESULT_COUNT] = {
    "ok",        "refused_address", "timeout",   "too_large", "http_error",
    "tls_error", "network_error",   "bad_chain", "cache_hit",
};

const char *stir_fetch_result_name(stir_fetch_result_t r)
{
    return r < STIR_FETCH_RESULT_COUNT ? names[r] : "?";
}

static void maybe_free(stir_fetcher_t *f)
{
    if (f->dying && !f->open_handles) free(f);
}

static void handle_closed(uv_handle_t *h)
{
    stir_fetcher_t *f = h->data;
    if (h->type == UV_POLL) free(h); /* a sock_t, poll first */
    f->open_handles--;
    maybe_free(f);
}

static void xfer_free(xfer_t *x)
{
    curl_multi_remove_handle(x->f->multi, x->easy);
    curl_easy_cleanup(x->easy);
    stir_body_free(&x->body);
    free(x->url);
    free(x);
}

static bool is_tls_error(CURLcode rc)
{
    switch (rc) {
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_USE_SSL_FAILED:
        return true;
    default:
        return false;
    }
}

static stir_fetch_result_t classify(xfer_t *x, CURLcode rc)
{
    if (x->refused && rc != CURLE_OK) return STIR_FETCH_REFUSED_ADDRESS;
    if (x->body.too_large || rc == CURLE_FILESIZE_EXCEEDED) return STIR_FETCH_TOO_LARGE;
    if (rc == CURLE_OPERATION_TIMEDOUT) return STIR_FETCH_TIMEOUT;
    if (is_tls_error(rc)) return STIR_FETCH_TLS_ERROR;
    if (rc == CURLE_OK) {
        long status = 0;
        curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
        return status == 200 ? STIR_FETCH_OK : STIR_FETCH_HTTP_ERROR;
    }
    if (rc == CURLE_HTTP_RETURNED_ERROR || rc == CURLE_UNSUPPORTED_PROTOCOL ||
        rc == CURLE_TOO_MANY_REDIRECTS || rc == CURLE_WEIRD_SERVER_REPLY)
        return STIR_FETCH_HTTP_ERROR;
    return STIR_FETCH_NETWORK_ERROR;
}

/* Finished transfers: tell the caller, then forget them. */
static void check_done(stir_fetcher_t *f)
{
    CURLMsg *m;
    int left;
    while ((m = curl_multi_info_read(f->multi, &left))) {
        if (m->msg != CURLMSG_DONE) continue;
        xfer_t **pp = &f->active;
        while (*pp && (*pp)->easy != m->easy_handle)
            pp = &(*pp)->next;
        xfer_t *x = *pp;
        if (!x) continue;
        CURLcode rc = m->data.result; /* m is invalid once the handle is removed */
        *pp = x->next;
        f->n_active--;
        stir_fetch_result_t r = classify(x, rc);
        struct curl_header *h = NULL;
        const char *cc =
            curl_easy_header(x->easy, "Cache-Control", 0, CURLH_HEADER, -1, &h) == CURLHE_OK
                ? h->value
                : NULL;
        f->cb(f->ud, x->url, r, &x->body, cc);
        xfer_free(x);
    }
}

static void on_poll(uv_poll_t *h, int status, int events)
{
    sock_t *s = (sock_t *)h;
    int flags = status < 0 ? CURL_CSELECT_ERR
                           : (events & UV_READABLE ? CURL_CSELECT_IN : 0) |
                                 (events & UV_WRITABLE ? CURL_CSELECT_OUT : 0);
    int running;
    curl_multi_socket_action(s->f->multi, s->fd, flags, &running);
    check_done(s->f);
}

static void on_timer(uv_timer_t *t)
{
    stir_fetcher_t *f = t->data;
    int running;
    curl_multi_socket_action(f->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    check_done(f);
}

static void sock_close(sock_t *s)
{
    *s->prev = s->next;
    if (s->next) s->next->prev = s->prev;
    uv_poll_stop(&s->poll);
    uv_close((uv_handle_t *)&s->poll, handle_closed);
}

static int socket_cb(CURL *e, curl_socket_t fd, int what, void *userp, void *socketp)
{
    (void)e;
    stir_fetcher_t *f = userp;
    sock_t *s = socketp;
    if (what == CURL_POLL_REMOVE) {
        if (s) {
            sock_close(s);
            curl_multi_assign(f->multi, fd, NULL);
        }
        return 0;
    }
    if (!s) {
        s = calloc(1, sizeof *s);
        if (!s || uv_poll_init_socket(f->loop, &s->poll, fd) != 0) {
            free(s);
            return -1;
        }
        s->fd = fd;
        s->f = f;
        s->poll.data = f;
        s->next = f->socks;
        if (s->next) s->next->prev = &s->next;
        s->prev = &f->socks;
        f->socks = s;
        f->open_handles++;
        curl_multi_assign(f->multi, fd, s);
    }
    int events = (what & CURL_POLL_IN ? UV_READABLE : 0) | (what & CURL_POLL_OUT ? UV_WRITABLE : 0);
    uv_poll_start(&s->poll, events, on_poll);
    return 0;
}

static int timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
    (void)multi;
    stir_fetcher_t *f = userp;
    if (timeout_ms < 0)
        uv_timer_stop(&f->timer);
    else
        uv_timer_start(&f->timer, on_timer, (uint64_t)timeout_ms, 0);
    return 0;
}

/* The SSRF guard on the address curl is about to connect to. */
static curl_socket_t open_socket(void *clientp, curlsocktype purpose, struct curl_sockaddr *a)
{
    xfer_t *x = clientp;
    if (purpose != CURLSOCKTYPE_IPCXN) return CURL_SOCKET_BAD;
    if (!x->f->conf.allow_private && !stir_addr_allowed(&a->addr)) {
        x->refused = true;
        return CURL_SOCKET_BAD;
    }
    return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
    xfer_t *x = ud;
    /* a short count makes curl stop with CURLE_WRITE_ERROR */
    return stir_body_append(&x->body, p, size * n, x->f->conf.max_size) ? size * n : 0;
}

stir_fetcher_t *stir_fetcher_new(uv_loop_t *loop, const stir_fetch_conf_t *conf,
                                 stir_fetch_done_cb cb, void *ud)
{
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return NULL;
    stir_fetcher_t *f = calloc(1, sizeof *f);
    f->multi = f ? curl_multi_init() : NULL;
    if (!f || !f->multi) {
        free(f);
        curl_global_cleanup();
        return NULL;
    }
    f->loop = loop;
    f->conf = *conf;
    f->cb = cb;
    f->ud = ud;
    uv_timer_init(loop, &f->timer);
    f->timer.data = f;
    f->open_handles = 1;
    curl_multi_setopt(f->multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
    curl_multi_setopt(f->multi, CURLMOPT_SOCKETDATA, f);
    curl_multi_setopt(f->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
    curl_multi_setopt(f->multi, CURLMOPT_TIMERDATA, f);
    return f;
}

static bool in_flight(const stir_fetcher_t *f, const char *url)
{
    for (const xfer_t *x = f->active; x; x = x->next)
        if (!strcmp(x->url, url)) return true;
    return false;
}

int stir_fetcher_start(stir_fetcher_t *f, const char *url)
{
    if (in_flight(f, url)) return 0;
    if (f->n_active >= STIR_FETCH_MAX_ACTIVE) return -1;
    xfer_t *x = calloc(1, sizeof *x);
    if (!x) return -1;
    x->f = f;
    x->url = strdup(url);
    x->easy = curl_easy_init();
    if (!x->url || !x->easy) {
        curl_easy_cleanup(x->easy);
        free(x->url);
        free(x);
        return -1;
    }
    CURL *e = x->easy;
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_PRIVATE, x);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(e, CURLOPT_PROXY, ""); /* never an environment proxy */
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
    if (f->conf.ca_file && f->conf.ca_file[0]) curl_easy_setopt(e, CURLOPT_CAINFO, f->conf.ca_file);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, f->conf.timeout_ms);
    curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)f->conf.max_size);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L); /* each socket's guard check is fresh */
    curl_easy_setopt(e, CURLOPT_USERAGENT, "sipnab-stir");
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, open_socket);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, x);
    if (curl_multi_add_handle(f->multi, e) != CURLM_OK) {
        curl_easy_cleanup(e);
        free(x->url);
        free(x);
        return -1;
    }
    x->next = f->active;
    f->active = x;
    f->n_active++;
    return 0;
}

void stir_fetcher_free(stir_fetcher_t *f)
{
    if (!f) return;
    while (f->active) {
        xfer_t *x = f->active;
        f->active = x->next;
        xfer_free(x); /* curl reports the sockets' removal to socket_cb */
    }
    curl_multi_cleanup(f->multi);
    curl_global_cleanup(); /* balances the init in stir_fetcher_new */
    while (f->socks)       /* connections curl kept and closed without telling us */
        sock_close(f->socks);
    f->dying = true;
    uv_timer_stop(&f->timer);
    uv_close((uv_handle_t *)&f->timer, handle_closed);
}
