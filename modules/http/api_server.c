/* libmicrohttpd on a libuv loop (see api_server.h). MHD parses HTTP, does
 * TLS (GnuTLS) and caps memory per connection; we accept connections
 * ourselves and hand them to MHD, so that:
 *  - the listen backlog never fills: a connection beyond the cap is
 *    accepted and answered 503 at once (api_server_refuse.c);
 *  - every request has a deadline for the whole of it (MHD's own timeout
 *    restarts with each byte, so one byte every few seconds kept a slot
 *    forever): idle_timeout from the connection's start, or from the end
 *    of its previous answer, to the end of this one;
 * plus the spec's 503 at 100 requests/s per client address, and the pure
 * router behind. */
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "api_log.h"
#include "api_router.h"
#include "api_server.h"
#include "api_server_mcp.h"
#include "api_server_stdio.h"
#include "api_server_refuse.h"
#include "api_store.h"
#include "api_wire.h"
#include "sipnab/ratelimit.h"
#include "sipnab/sockaddr.h"

#define QUERY_MAX 4096
/* How often request deadlines are checked. */
#define DEADLINE_TICK_MS 250
/* Log lines of remote origin a second (api_log.h). */
#define REMOTE_LOG_PER_S 5
/* Connections accepted per wake-up, so a flood cannot starve the feed. */
#define ACCEPT_BATCH 64

/* A connection MHD serves, and when its current request must be done. */
typedef struct api_conn {
    struct api_conn *prev, *next;
    int fd;
    uint64_t deadline_ms;
} api_conn_t;

struct api_server {
    struct MHD_Daemon *mhd;
    api_store_t *store;
    api_auth_t auth;
    char *api_key, *metrics_key;
    int64_t max_conn;
    uint64_t deadline_after_ms; /* idle_timeout */
    unsigned connections;
    api_conn_t *conns;
    snb_ratelimit_t *limit;
    api_log_t *log;
    int listen_fd;
    bool tls;
    uv_loop_t loop;
    uv_poll_t mhd_poll, feed_poll, listen_poll;
    uv_timer_t mhd_timer, deadline_timer;
    api_refuser_t *refuser;
    int feed_fd;
    api_framer_t framer;
    int status;
    mcp_config_t mcp;
    bool mcp_stdio;
    api_stdio_t *stdio;
};

/* The request state of every endpoint but /mcp, whose state is its body. */
static int no_body;

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

/* The Authorization header, and whether it is sound: at most one, and
 * nothing hidden after a NUL in it. MHD parses the header section in place
 * and ends each value at the first NUL, so "Bearer KEY\0junk" reads as
 * "Bearer KEY"; what the line really held is seen from where the next line
 * starts (its key), or for the last header from the section's end. MHD
 * zeroes each line's CR LF (and those of the empty line that ends the
 * section), so a sound value is followed by at most that many zero bytes. */
typedef struct auth_header {
    const char *value;
    const char *line_end; /* the next header's key; NULL when it is the last */
    unsigned count;
    bool next_is_line_end;
} auth_header_t;

static enum MHD_Result see_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                  size_t key_size, const char *value, size_t value_size)
{
    (void)kind;
    (void)key_size;
    (void)value_size;
    auth_header_t *a = cls;
    if (a->next_is_line_end) {
        a->line_end = key;
        a->next_is_line_end = false;
    }
    if (strcasecmp(key, MHD_HTTP_HEADER_AUTHORIZATION) != 0) return MHD_YES;
    a->count++;
    a->value = value;
    a->line_end = NULL;
    a->next_is_line_end = true;
    return MHD_YES;
}

static bool hides_bytes_after_nul(struct MHD_Connection *c, const char *method,
                                  const auth_header_t *a)
{
    if (!a->value) return false;
    const char *end = a->value + strlen(a->value), *limit = a->line_end;
    size_t zeroes_allowed = 2; /* CR LF */
    if (!limit) {
        const union MHD_ConnectionInfo *hi =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);
        if (!hi || end < method || end > method + hi->header_size) return false;
        limit = method + hi->header_size;
        zeroes_allowed = 4; /* and the empty line's */
    }
    if (limit < end || (size_t)(limit - end) > zeroes_allowed) return true;
    for (const char *p = end; p < limit; p++)
        if (*p) return true;
    return false;
}

static enum MHD_Result bad_request(struct MHD_Connection *c, const char *why)
{
    char *body = NULL;
    int n = asprintf(&body, "{\"schema_version\":1,\"status\":400,\"error\":\"%s\"}", why);
    return send_body(c, MHD_HTTP_BAD_REQUEST, "application/json", n < 0 ? NULL : body,
                     n < 0 ? 0 : (size_t)n, NULL);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **state)
{
    (void)version;
    (void)upload;
    api_server_t *srv = cls;
    bool mcp = strcmp(url, MCP_HTTP_PATH) == 0;
    if (!*state) { /* headers are in; wait for the body (only /mcp keeps it) */
        *state = mcp ? calloc(1, sizeof(api_mcp_upload_t)) : (void *)&no_body;
        return *state ? MHD_YES : MHD_NO;
    }
    if (*upload_size) {
        if (mcp) api_mcp_upload_add(*state, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    snb_addr_t from;
    if (client_addr(c, &from) && !snb_ratelimit_allow(srv->limit, &from, uv_hrtime() / 1000))
        return unavailable(c, "rate limit reached");
    auth_header_t auth = {0};
    MHD_get_connection_values_n(c, MHD_HEADER_KIND, see_header, &auth);
    if (auth.count > 1) return bad_request(c, "more than one Authorization header");
    if (hides_bytes_after_nul(c, method, &auth))
        return bad_request(c, "malformed Authorization header");
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
        .authorization = auth.value,
        .accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT),
    };
    api_response_t resp = {0};
    /* /mcp: the router answers only a client without the key (401). */
    if (mcp && (!*srv->api_key || api_bearer_ok(auth.value, srv->api_key)))
        api_mcp_answer(srv->store, &srv->mcp, c, method, *state, &resp);
    else
        api_route(srv->store, &srv->auth, &req, &resp);
    return send_body(c, resp.status, resp.content_type, resp.body, resp.body_len, &resp);
}

/* ---- connections and their deadlines --------------------------------------------------------- */

static uint64_t deadline_from_now(api_server_t *srv)
{
    return uv_now(&srv->loop) + srv->deadline_after_ms;
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    api_server_t *srv = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        srv->connections++;
        api_conn_t *conn = calloc(1, sizeof *conn);
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        if (!conn || !ci) { /* untracked: MHD's own idle timeout still applies */
            free(conn);
            return;
        }
        conn->fd = ci->connect_fd;
        conn->deadline_ms = deadline_from_now(srv);
        conn->next = srv->conns;
        if (srv->conns) srv->conns->prev = conn;
        srv->conns = conn;
        *socket_context = conn;
        return;
    }
    if (srv->connections) srv->connections--;
    api_conn_t *conn = *socket_context;
    if (!conn) return;
    if (conn->prev)
        conn->prev->next = conn->next;
    else
        srv->conns = conn->next;
    if (conn->next) conn->next->prev = conn->prev;
    free(conn);
    *socket_context = NULL;
}

/* An answer went out (or the request ended): the next request on this
 * connection has a whole deadline of its own. */
static void on_completed(void *cls, struct MHD_Connection *c, void **state,
                         enum MHD_RequestTerminationCode toe)
{
    (void)toe;
    api_server_t *srv = cls;
    if (*state != &no_body) api_mcp_upload_free(*state);
    *state = NULL;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    api_conn_t *conn = ci ? ci->socket_context : NULL;
    if (conn) conn->deadline_ms = deadline_from_now(srv);
}

static void run_mhd(api_server_t *srv);

/* Past its deadline, a connection is shut down under MHD, which then sees
 * it end and frees it as if the client had gone (the descriptor stays
 * MHD's to close). */
static void on_deadline_tick(uv_timer_t *t)
{
    api_server_t *srv = t->data;
    uint64_t now = uv_now(&srv->loop);
    bool cut = false;
    for (api_conn_t *conn = srv->conns; conn; conn = conn->next) {
        if (now < conn->deadline_ms) continue;
        shutdown(conn->fd, SHUT_RDWR);
        conn->deadline_ms = UINT64_MAX;
        cut = true;
    }
    api_log_flush(srv->log, uv_hrtime() / 1000);
    if (cut) run_mhd(srv);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    api_server_t *srv = cls;
    api_log_remote(srv->log, uv_hrtime() / 1000, fmt, ap);
}

/* Our own accept: within the cap, the connection goes to MHD; beyond it,
 * to the refuser, which answers 503 at once. */
static void on_listen_ready(uv_poll_t *p, int status, int events)
{
    (void)events;
    api_server_t *srv = p->data;
    if (status < 0) return;
    for (int i = 0; i < ACCEPT_BATCH; i++) {
        struct sockaddr_storage sa;
        socklen_t len = sizeof sa;
        int fd =
            accept4(srv->listen_fd, (struct sockaddr *)&sa, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) break; /* EAGAIN, or out of descriptors: the next wake-up */
        if (srv->connections >= (uint64_t)srv->max_conn) {
            api_refuser_take(srv->refuser, fd);
            continue;
        }
        /* MHD closes fd itself if it cannot take it. */
        MHD_add_connection(srv->mhd, fd, (struct sockaddr *)&sa, len);
    }
    run_mhd(srv);
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
    /* "100 per second" means about 100 in any second, not a second's burst
     * on top of the rate; a script may still page through 100 at once. */
    snb_ratelimit_set_sliding(srv->limit);
    srv->log = api_log_new(stderr, REMOTE_LOG_PER_S);
    srv->max_conn = s->max_conn;
    srv->deadline_after_ms = (uint64_t)s->idle_timeout_s * 1000u;
    srv->listen_fd = -1;
    if (!srv->store || !srv->api_key || !srv->metrics_key || !srv->limit || !srv->log) {
        snprintf(why, whylen, "out of memory");
        api_server_free(srv);
        return NULL;
    }
    srv->auth = (api_auth_t){.api_key = srv->api_key, .metrics_key = srv->metrics_key};
    srv->mcp = (mcp_config_t){.max_rows = (size_t)s->mcp_max_rows, .log = stderr};
    srv->mcp_stdio = s->mcp_stdio;
    if (!s->listen || !*s->listen) return srv; /* MCP over stdio only: no HTTP at all */
    int fd = listen_socket(s->listen, why, whylen);
    if (fd < 0) {
        api_server_free(srv);
        return NULL;
    }
    srv->listen_fd = fd;
    bool tls = s->cert_pem && *s->cert_pem;
    srv->tls = tls;
    /* The listening socket is ours (on_listen_ready): MHD only serves. */
    unsigned flags =
        MHD_USE_EPOLL | MHD_USE_ERROR_LOG | MHD_USE_NO_LISTEN_SOCKET | (tls ? MHD_USE_TLS : 0);
    struct MHD_OptionItem opts[] = {
        /* We keep to max_conn; MHD's own limit is only a backstop. */
        {MHD_OPTION_CONNECTION_LIMIT, (intptr_t)(s->max_conn + 1), NULL},
        {MHD_OPTION_CONNECTION_TIMEOUT, (intptr_t)s->idle_timeout_s, NULL},
        {MHD_OPTION_CONNECTION_MEMORY_LIMIT, (intptr_t)s->max_request, NULL},
        {MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)on_connection, srv},
        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, srv},
        {MHD_OPTION_UNESCAPE_CALLBACK, (intptr_t)keep_escaped, NULL},
        {tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, tls ? s->cert_pem : NULL},
        {tls ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0, tls ? s->key_pem : NULL},
        {MHD_OPTION_END, 0, NULL},
    };
    /* The logger must come first, or MHD logs that it does not. */
    srv->mhd = MHD_start_daemon(flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_EXTERNAL_LOGGER,
                                on_mhd_log, srv, MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
    if (!srv->mhd) {
        snprintf(why, whylen, "cannot start the HTTP%s server on %s", tls ? "S" : "", s->listen);
        api_server_free(srv);
        return NULL;
    }
    return srv;
}

/* ---- the loop -------------------------------------------------------------------------------- */

static void arm_timer(api_server_t *srv);

static void run_mhd(api_server_t *srv)
{
    if (!srv->mhd) return;
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
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now); /* packets carry wall-clock times */
        api_store_set_now(srv->store,
                          (uint64_t)now.tv_sec * 1000000u + (uint64_t)now.tv_nsec / 1000);
        if (api_framer_feed(&srv->framer, buf, (size_t)n, on_frame, srv) != 0) {
            fprintf(stderr, "sipnab-api: the feed is corrupt; exiting to be restarted\n");
            stop_loop(srv, -1);
            return;
        }
    }
}

/* The MCP client closed stdin: say so on the feed ("Q"), so the capture
 * process stops instead of starting us again, and exit. */
static void on_stdio_eof(void *ud)
{
    api_server_t *srv = ud;
    if (write(srv->feed_fd, "Q\n", 2) != 2)
        fprintf(stderr, "sipnab-api: cannot tell the capture process the MCP client left\n");
    stop_loop(srv, 0);
}

int api_server_run(api_server_t *srv, int feed_fd)
{
    const union MHD_DaemonInfo *di =
        srv->mhd ? MHD_get_daemon_info(srv->mhd, MHD_DAEMON_INFO_EPOLL_FD) : NULL;
    if ((srv->mhd && !di) || uv_loop_init(&srv->loop) != 0) return -1;
    srv->refuser = api_refuser_new(&srv->loop, srv->tls);
    if (!srv->refuser) {
        uv_loop_close(&srv->loop);
        return -1;
    }
    srv->feed_fd = feed_fd;
    fcntl(feed_fd, F_SETFL, fcntl(feed_fd, F_GETFL) | O_NONBLOCK);
    if (srv->mcp_stdio &&
        !(srv->stdio = api_stdio_start(&srv->loop, srv->store, &srv->mcp, on_stdio_eof, srv))) {
        api_refuser_close(srv->refuser);
        uv_run(&srv->loop, UV_RUN_DEFAULT);
        uv_loop_close(&srv->loop);
        return -1;
    }
    if (di) {
        uv_poll_init(&srv->loop, &srv->mhd_poll, di->epoll_fd);
        srv->mhd_poll.data = srv;
        uv_poll_start(&srv->mhd_poll, UV_READABLE, on_mhd_ready);
        uv_poll_init(&srv->loop, &srv->listen_poll, srv->listen_fd);
        srv->listen_poll.data = srv;
        uv_poll_start(&srv->listen_poll, UV_READABLE, on_listen_ready);
    }
    uv_timer_init(&srv->loop, &srv->mhd_timer);
    srv->mhd_timer.data = srv;
    uv_timer_init(&srv->loop, &srv->deadline_timer);
    srv->deadline_timer.data = srv;
    uv_timer_start(&srv->deadline_timer, on_deadline_tick, DEADLINE_TICK_MS, DEADLINE_TICK_MS);
    uv_poll_init(&srv->loop, &srv->feed_poll, feed_fd);
    srv->feed_poll.data = srv;
    uv_poll_start(&srv->feed_poll, UV_READABLE | UV_DISCONNECT, on_feed);
    run_mhd(srv);
    uv_run(&srv->loop, UV_RUN_DEFAULT);
    if (di) uv_close((uv_handle_t *)&srv->mhd_poll, NULL);
    if (di) uv_close((uv_handle_t *)&srv->listen_poll, NULL);
    api_stdio_close(srv->stdio);
    uv_close((uv_handle_t *)&srv->feed_poll, NULL);
    uv_close((uv_handle_t *)&srv->mhd_timer, NULL);
    uv_close((uv_handle_t *)&srv->deadline_timer, NULL);
    api_refuser_close(srv->refuser);
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
    api_log_free(srv->log);
    if (srv->listen_fd >= 0) close(srv->listen_fd);
    if (srv->api_key) memset(srv->api_key, 0, strlen(srv->api_key));
    free(srv->api_key);
    free(srv->metrics_key);
    free(srv);
}
