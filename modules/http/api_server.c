/* libmicrohttpd on a libuv loop (see api_server.h). MHD parses HTTP, does
 * TLS (GnuTLS), caps connections, memory per connection and idle time; we
 * add the spec's 503s (connection cap, 100 requests/s per client address)
 * and hand every request to the pure router. */
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include "api_router.h"
#include "api_server.h"
#include "api_store.h"
#include "api_wire.h"
#include "sipnab/ratelimit.h"
#include "sipnab/sockaddr.h"

/* MHD closes connections beyond max_conn + this headroom outright; within
 * it, a request gets a 503 that says why. */
#define CONN_HEADROOM 16
#define QUERY_MAX 4096

struct api_server {
    struct MHD_Daemon *mhd;
    api_store_t *store;
    api_auth_t auth;
    char *api_key, *metrics_key;
    int64_t max_conn;
    unsigned connections;
    snb_ratelimit_t *limit;
    uv_loop_t loop;
    uv_poll_t mhd_poll, feed_poll;
    uv_timer_t mhd_timer;
    int feed_fd;
    api_framer_t framer;
    int status;
};

/* ---- requests ------------------------------------------------------------------------------ */

/* Keep paths and arguments as sent: the router decodes them itself, so an
 * encoded '/' in a Call-ID stays inside its path segment. */
static size_t keep_escaped(void *cls, struct MHD_Connection *c, char *s)
{
    (void)cls;
    (void)c;
    return strlen(s);
}

typedef struct query_buf {
    char text[QUERY_MAX];
    size_t len;
    bool overflow;
} query_buf_t;

static enum MHD_Result add_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *value)
{
    (void)kind;
    query_buf_t *q = cls;
    int n = snprintf(q->text + q->len, sizeof q->text - q->len, "%s%s%s%s", q->len ? "&" : "", key,
                     value ? "=" : "", value ? value : "");
    if (n < 0 || (size_t)n >= sizeof q->text - q->len) {
        q->overflow = true;
        return MHD_NO;
    }
    q->len += (size_t)n;
    return MHD_YES;
}

static enum MHD_Result send_body(struct MHD_Connection *c, int status, const char *type, char *body,
                                 size_t len, const api_response_t *r)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        len, body, body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (!resp) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (r && r->allow) MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r->allow);
    if (r && r->challenge)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"sipnab\"");
    if (status == MHD_HTTP_SERVICE_UNAVAILABLE) {
        MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, "1");
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    }
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result unavailable(struct MHD_Connection *c, const char *why)
{
    char *body = NULL;
    int n = asprintf(&body, "{\"schema_version\":1,\"status\":503,\"error\":\"%s\"}", why);
    return send_body(c, MHD_HTTP_SERVICE_UNAVAILABLE, "application/json", n < 0 ? NULL : body,
                     n < 0 ? 0 : (size_t)n, NULL);
}

static bool client_addr(struct MHD_Connection *c, snb_addr_t *out)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    memset(out, 0, sizeof *out);
    if (!ci || !ci->client_addr) return false;
    if (ci->client_addr->sa_family == AF_INET) {
        out->family = 4;
        memcpy(out->a, &((const struct sockaddr_in *)ci->client_addr)->sin_addr, 4);
    } else if (ci->client_addr->sa_family == AF_INET6) {
        out->family = 6;
        memcpy(out->a, &((const struct sockaddr_in6 *)ci->client_addr)->sin6_addr, 16);
    } else {
        return false;
    }
    return true;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **state)
{
    (void)version;
    (void)upload;
    api_server_t *srv = cls;
    static int seen;
    if (!*state) { /* headers are in; wait for the (ignored) body */
        *state = &seen;
        return MHD_YES;
    }
    if (*upload_size) { /* no endpoint takes a body: drop it */
        *upload_size = 0;
        return MHD_YES;
    }
    if (srv->connections > (unsigned)srv->max_conn)
        return unavailable(c, "connection limit reached");
    snb_addr_t from;
    if (client_addr(c, &from) && !snb_ratelimit_allow(srv->limit, &from, uv_hrtime() / 1000))
        return unavailable(c, "rate limit reached");
    query_buf_t q = {.len = 0};
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, add_arg, &q);
    if (q.overflow) {
        char *body = strdup("{\"schema_version\":1,\"status\":414,\"error\":\"query too long\"}");
        return send_body(c, MHD_HTTP_URI_TOO_LONG, "application/json", body,
                         body ? strlen(body) : 0, NULL);
    }
    api_request_t req = {
        .method = method,
        .path = url,
        .query = q.len ? q.text : NULL,
        .authorization =
            MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION),
        .accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT),
    };
    api_response_t resp = {0};
    api_route(srv->store, &srv->auth, &req, &resp);
    return send_body(c, resp.status, resp.content_type, resp.body, resp.body_len, &resp);
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    (void)c;
    (void)socket_context;
    api_server_t *srv = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED)
        srv->connections++;
    else if (srv->connections)
        srv->connections--;
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n && msg[n - 1] == '\n')
        msg[--n] = '\0';
    fprintf(stderr, "sipnab-api: %s\n", msg);
}

/* ---- startup --------------------------------------------------------------------------------- */

static int listen_socket(const char *text, char *why, size_t whylen)
{
    struct sockaddr_storage sa;
    socklen_t len;
    if (snb_sockaddr_parse(text, "127.0.0.1", &sa, &len) != 0) {
        snprintf(why, whylen, "'%s' is not address:port", text);
        return -1;
    }
    int fd = socket(sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    int one = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(fd, (struct sockaddr *)&sa, len) != 0 || listen(fd, 128) != 0) {
        snprintf(why, whylen, "cannot listen on %s: %s", text, strerror(errno));
        if (fd >= 0) close(fd);
        return -1;
    }
    return fd;
}

api_server_t *api_server_start(const api_settings_t *s, char *why, size_t whylen)
{
    api_server_t *srv = calloc(1, sizeof *srv);
    if (!srv) {
        snprintf(why, whylen, "out of memory");
        return NULL;
    }
    srv->store = api_store_new();
    srv->api_key = strdup(s->api_key ? s->api_key : "");
    srv->metrics_key = strdup(s->metrics_key ? s->metrics_key : "");
    srv->limit = snb_ratelimit_new((uint32_t)s->rate_limit, 0, 4096);
    srv->max_conn = s->max_conn;
    if (!srv->store || !srv->api_key || !srv->metrics_key || !srv->limit) {
        snprintf(why, whylen, "out of memory");
        api_server_free(srv);
        return NULL;
    }
    srv->auth = (api_auth_t){.api_key = srv->api_key, .metrics_key = srv->metrics_key};
    int fd = listen_socket(s->listen, why, whylen);
    if (fd < 0) {
        api_server_free(srv);
        return NULL;
    }
    bool tls = s->cert_pem && *s->cert_pem;
    unsigned flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG | (tls ? MHD_USE_TLS : 0);
    struct MHD_OptionItem opts[] = {
        {MHD_OPTION_LISTEN_SOCKET, fd, NULL},
        {MHD_OPTION_CONNECTION_LIMIT, (intptr_t)(s->max_conn + CONN_HEADROOM), NULL},
        {MHD_OPTION_CONNECTION_TIMEOUT, (intptr_t)s->idle_timeout_s, NULL},
        {MHD_OPTION_CONNECTION_MEMORY_LIMIT, (intptr_t)s->max_request, NULL},
        {MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)on_connection, srv},
        {MHD_OPTION_UNESCAPE_CALLBACK, (intptr_t)keep_escaped, NULL},
        {tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, tls ? s->cert_pem : NULL},
        {tls ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0, tls ? s->key_pem : NULL},
        {MHD_OPTION_END, 0, NULL},
    };
    /* The logger must come first, or MHD logs that it does not. */
    srv->mhd = MHD_start_daemon(flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_EXTERNAL_LOGGER,
                                on_mhd_log, NULL, MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
    if (!srv->mhd) {
        snprintf(why, whylen, "cannot start the HTTP%s server on %s", tls ? "S" : "", s->listen);
        close(fd);
        api_server_free(srv);
        return NULL;
    }
    return srv;
}

/* ---- the loop -------------------------------------------------------------------------------- */

static void arm_timer(api_server_t *srv);

static void run_mhd(api_server_t *srv)
{
    MHD_run(srv->mhd);
    arm_timer(srv);
}

static void on_mhd_timer(uv_timer_t *t)
{
    run_mhd(t->data);
}

static void arm_timer(api_server_t *srv)
{
    MHD_UNSIGNED_LONG_LONG ms;
    if (MHD_get_timeout(srv->mhd, &ms) == MHD_YES)
        uv_timer_start(&srv->mhd_timer, on_mhd_timer, ms, 0);
    else
        uv_timer_stop(&srv->mhd_timer);
}

static void on_mhd_ready(uv_poll_t *p, int status, int events)
{
    (void)status;
    (void)events;
    run_mhd(p->data);
}

static int on_frame(void *ud, uint8_t type, const char *payload, uint32_t len)
{
    api_server_t *srv = ud;
    if (api_store_apply(srv->store, type, payload, len) != 0)
        fprintf(stderr, "sipnab-api: dropped a frame of type %u that did not decode\n", type);
    return 0;
}

static void stop_loop(api_server_t *srv, int status)
{
    srv->status = status;
    uv_stop(&srv->loop);
}

static void on_feed(uv_poll_t *p, int status, int events)
{
    (void)events;
    api_server_t *srv = p->data;
    if (status < 0) {
        stop_loop(srv, -1);
        return;
    }
    char buf[1 << 16];
    for (int i = 0; i < 64; i++) { /* then let HTTP have a turn */
        ssize_t n = read(srv->feed_fd, buf, sizeof buf);
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
        if (n <= 0) { /* the capture process went away or stopped us */
            stop_loop(srv, 0);
            return;
        }
        if (api_framer_feed(&srv->framer, buf, (size_t)n, on_frame, srv) != 0) {
            fprintf(stderr, "sipnab-api: the feed is corrupt; exiting to be restarted\n");
            stop_loop(srv, -1);
            return;
        }
    }
}

int api_server_run(api_server_t *srv, int feed_fd)
{
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(srv->mhd, MHD_DAEMON_INFO_EPOLL_FD);
    if (!di || uv_loop_init(&srv->loop) != 0) return -1;
    srv->feed_fd = feed_fd;
    fcntl(feed_fd, F_SETFL, fcntl(feed_fd, F_GETFL) | O_NONBLOCK);
    uv_poll_init(&srv->loop, &srv->mhd_poll, di->epoll_fd);
    srv->mhd_poll.data = srv;
    uv_poll_start(&srv->mhd_poll, UV_READABLE, on_mhd_ready);
    uv_timer_init(&srv->loop, &srv->mhd_timer);
    srv->mhd_timer.data = srv;
    uv_poll_init(&srv->loop, &srv->feed_poll, feed_fd);
    srv->feed_poll.data = srv;
    uv_poll_start(&srv->feed_poll, UV_READABLE | UV_DISCONNECT, on_feed);
    run_mhd(srv);
    uv_run(&srv->loop, UV_RUN_DEFAULT);
    uv_close((uv_handle_t *)&srv->mhd_poll, NULL);
    uv_close((uv_handle_t *)&srv->feed_poll, NULL);
    uv_close((uv_handle_t *)&srv->mhd_timer, NULL);
    uv_run(&srv->loop, UV_RUN_DEFAULT);
    uv_loop_close(&srv->loop);
    return srv->status;
}

void api_server_free(api_server_t *srv)
{
    if (!srv) return;
    if (srv->mhd) MHD_stop_daemon(srv->mhd);
    api_store_free(srv->store);
    api_framer_free(&srv->framer);
    snb_ratelimit_free(srv->limit);
    if (srv->api_key) memset(srv->api_key, 0, strlen(srv->api_key));
    free(srv->api_key);
    free(srv->metrics_key);
    free(srv);
}
