/* The agent's command listener (docs/center-protocol.md, "2. Center ->
 * agent"): libmicrohttpd on its own thread (one internal polling thread,
 * so it is the single producer of its hand-off ring), TLS with
 * tls_cert/tls_key. It authenticates (constant-time compare of the command
 * token), validates the command with the same parser the loop uses, answers,
 * and hands the command to the loop thread. */
#include <errno.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "agent_event.h"
#include "agent_out.h"
#include "sipnab/log.h"

#define MAX_BODY (1u << 20) /* a session command is small */
#define PREFIX "/agent/v1/sessions"

typedef struct req {
    char *body;
    size_t len;
    bool too_big;
    bool authorized; /* decided from the headers, before any body is kept */
} req_t;

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned status, json_t *body)
{
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    struct MHD_Response *r =
        MHD_create_response_from_buffer(text ? strlen(text) : 0, text ? text : (void *)"",
                                        text ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (!r) {
        free(text);
        return MHD_NO;
    }
    if (text) MHD_add_response_header(r, "Content-Type", "application/json");
    if (status == 401) MHD_add_response_header(r, "WWW-Authenticate", "Bearer");
    enum MHD_Result rc = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return rc;
}

static enum MHD_Result error(struct MHD_Connection *conn, unsigned status, const char *msg)
{
    return reply(conn, status, json_pack("{s:s}", "error", msg));
}

static bool authorized(agent_t *a, struct MHD_Connection *conn)
{
    const char *h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
    if (!h || strncasecmp(h, "Bearer ", 7) != 0) return false;
    const char *tok = h + 7;
    return agent_token_equal(tok, strlen(tok), a->conf->command_token);
}

static void ids_add(agent_t *a, const char *id)
{
    pthread_mutex_lock(&a->ids_mu);
    bool have = false;
    for (size_t i = 0; i < a->n_ids; i++)
        have |= strcmp(a->ids[i], id) == 0;
    if (!have && a->n_ids < AGENT_SESSIONS_MAX) memcpy(a->ids[a->n_ids++], id, sizeof a->ids[0]);
    pthread_mutex_unlock(&a->ids_mu);
}

static void ids_remove(agent_t *a, const char *id)
{
    pthread_mutex_lock(&a->ids_mu);
    for (size_t i = 0; i < a->n_ids; i++)
        if (strcmp(a->ids[i], id) == 0) {
            memmove(a->ids[i], a->ids[i + 1], sizeof a->ids[0] * (a->n_ids - i - 1));
            a->n_ids--;
            break;
        }
    pthread_mutex_unlock(&a->ids_mu);
}

static enum MHD_Result handle(agent_t *a, struct MHD_Connection *conn, const char *url,
                              const char *method, req_t *rq)
{
    if (!rq->authorized) {
        agent_count(a, C_COMMANDS_UNAUTHORIZED, 1);
        return error(conn, 401, "missing or wrong command token");
    }
    if (strcmp(url, PREFIX) == 0) {
        if (strcmp(method, "GET") != 0) return error(conn, 405, "GET only");
        json_t *ids = json_array();
        pthread_mutex_lock(&a->ids_mu);
        for (size_t i = 0; i < a->n_ids; i++)
            json_array_append_new(ids, json_string(a->ids[i]));
        pthread_mutex_unlock(&a->ids_mu);
        return reply(conn, 200, json_pack("{s:o}", "sessions", ids));
    }
    if (strncmp(url, PREFIX "/", sizeof PREFIX) != 0) return error(conn, 404, "no such path");
    const char *id = url + sizeof PREFIX;
    if (!agent_session_id_valid(id)) {
        agent_count(a, C_COMMANDS_REFUSED, 1);
        return error(conn, 404, "session id is not 20 lowercase hex characters");
    }
    agent_op_t op = {0};
    memcpy(op.id, id, sizeof op.id);
    if (strcmp(method, "DELETE") == 0) {
        op.op = AGENT_OP_DELETE;
        if (snb_handoff_write(a->from_listener, &op, sizeof op, NULL, 0) != 0)
            return error(conn, 503, "busy, retry");
        ids_remove(a, id);
        agent_count(a, C_COMMANDS_ACCEPTED, 1);
        return reply(conn, 204, NULL);
    }
    if (strcmp(method, "PUT") != 0) return error(conn, 405, "PUT or DELETE");
    if (rq->too_big) {
        agent_count(a, C_COMMANDS_REFUSED, 1);
        return error(conn, 413, "command larger than 1 MiB");
    }
    json_error_t je;
    json_t *body = rq->body ? json_loadb(rq->body, rq->len, 0, &je) : NULL;
    agent_session_cmd_t cmd;
    char err[256];
    if (!body) {
        agent_count(a, C_COMMANDS_REFUSED, 1);
        return error(conn, 400, "body is not JSON");
    }
    int rc = agent_session_cmd_parse(body, id, &cmd, err, sizeof err);
    json_decref(body);
    if (rc != 0) {
        agent_count(a, C_COMMANDS_REFUSED, 1);
        return error(conn, 400, err);
    }
    agent_session_cmd_clear(&cmd);
    pthread_mutex_lock(&a->ids_mu);
    bool known = false;
    for (size_t i = 0; i < a->n_ids; i++)
        known |= strcmp(a->ids[i], id) == 0;
    bool full = !known && a->n_ids >= (size_t)a->conf->max_sessions;
    pthread_mutex_unlock(&a->ids_mu);
    if (full) {
        agent_count(a, C_COMMANDS_REFUSED, 1);
        return error(conn, 503, "this agent runs max_sessions sessions already");
    }
    op.op = AGENT_OP_PUT;
    if (snb_handoff_write(a->from_listener, &op, sizeof op, (const uint8_t *)rq->body, rq->len) !=
        0)
        return error(conn, 503, "busy, retry");
    ids_add(a, id);
    agent_count(a, C_COMMANDS_ACCEPTED, 1);
    return reply(conn, 200, json_pack("{s:s, s:s}", "id", id, "status", "running"));
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *data,
                                  size_t *size, void **con_cls)
{
    (void)version;
    agent_t *a = cls;
    req_t *rq = *con_cls;
    if (!rq) {
        rq = calloc(1, sizeof *rq);
        if (!rq) return MHD_NO;
        rq->authorized = authorized(a, conn);
        *con_cls = rq;
        return MHD_YES;
    }
    if (*size) {
        /* Without the token nothing of the body is kept. */
        if (rq->authorized && !rq->too_big && rq->len + *size <= MAX_BODY) {
            char *p = realloc(rq->body, rq->len + *size + 1);
            if (!p) return MHD_NO;
            memcpy(p + rq->len, data, *size);
            rq->len += *size;
            p[rq->len] = '\0';
            rq->body = p;
        } else {
            rq->too_big = true;
        }
        *size = 0;
        return MHD_YES;
    }
    return handle(a, conn, url, method, rq);
}

static void on_done(void *cls, struct MHD_Connection *conn, void **con_cls,
                    enum MHD_RequestTerminationCode toe)
{
    (void)cls, (void)conn, (void)toe;
    req_t *rq = *con_cls;
    if (rq) {
        free(rq->body);
        free(rq);
    }
    *con_cls = NULL;
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 8192;
            if (cap > (1u << 20)) break;
            char *p = realloc(buf, cap);
            if (!p) break;
            buf = p;
        }
        size_t n = fread(buf + len, 1, 4096, f);
        len += n;
        if (n < 4096) {
            fclose(f);
            buf[len] = '\0';
            return buf;
        }
    }
    fclose(f);
    free(buf);
    return NULL;
}

/* "127.0.0.1:9071", "[::1]:0": numeric, port 0 allowed (any free port,
 * read back after the bind), which snb_sockaddr_parse refuses. */
static bool parse_listen(const char *text, struct sockaddr_storage *ss)
{
    char host[128];
    const char *colon = strrchr(text, ':');
    if (!colon || (size_t)(colon - text) >= sizeof host || !colon[1]) return false;
    memcpy(host, text, (size_t)(colon - text));
    host[colon - text] = '\0';
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || port < 0 || port > 65535) return false;
    memset(ss, 0, sizeof *ss);
    size_t hl = strlen(host);
    if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
        host[hl - 1] = '\0';
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons((uint16_t)port);
        return inet_pton(AF_INET6, host + 1, &s6->sin6_addr) == 1;
    }
    struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
    s4->sin_family = AF_INET;
    s4->sin_port = htons((uint16_t)port);
    return inet_pton(AF_INET, host[0] ? host : "127.0.0.1", &s4->sin_addr) == 1;
}

int agent_listener_start(agent_t *a)
{
    struct sockaddr_storage ss;
    if (!parse_listen(a->conf->listen, &ss)) {
        snb_log_error(a->core, "agent", "option 'listen': '%s' is not ADDR:PORT", a->conf->listen);
        return -EINVAL;
    }
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
    if (ss.ss_family == AF_INET6) flags |= MHD_USE_IPv6;
    char *cert = NULL, *key = NULL;
    if (a->conf->tls_cert || a->conf->tls_key) {
        cert = a->conf->tls_cert ? read_file(a->conf->tls_cert) : NULL;
        key = a->conf->tls_key ? read_file(a->conf->tls_key) : NULL;
        if (!cert || !key) {
            snb_log_error(a->core, "agent", "tls_cert/tls_key: cannot read %s",
                          !cert ? (a->conf->tls_cert ? a->conf->tls_cert : "(tls_cert unset)")
                                : (a->conf->tls_key ? a->conf->tls_key : "(tls_key unset)"));
            free(cert);
            free(key);
            return -EINVAL;
        }
        flags |= MHD_USE_TLS;
    }
    if (cert)
        a->mhd =
            MHD_start_daemon(flags, 0, NULL, NULL, on_request, a, MHD_OPTION_SOCK_ADDR, &ss,
                             MHD_OPTION_NOTIFY_COMPLETED, on_done, a, MHD_OPTION_CONNECTION_LIMIT,
                             64u, MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_HTTPS_MEM_CERT,
                             cert, MHD_OPTION_HTTPS_MEM_KEY, key, MHD_OPTION_END);
    else
        a->mhd =
            MHD_start_daemon(flags, 0, NULL, NULL, on_request, a, MHD_OPTION_SOCK_ADDR, &ss,
                             MHD_OPTION_NOTIFY_COMPLETED, on_done, a, MHD_OPTION_CONNECTION_LIMIT,
                             64u, MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_END);
    a->tls_cert_pem = cert; /* kept until the daemon stops */
    a->tls_key_pem = key;
    if (!a->mhd) {
        snb_log_error(a->core, "agent", "cannot listen on %s for commands", a->conf->listen);
        return -EADDRINUSE;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(a->mhd, MHD_DAEMON_INFO_BIND_PORT);
    a->listen_port = info ? info->port : 0;
    return 0;
}

void agent_listener_stop(agent_t *a)
{
    if (a->mhd) MHD_stop_daemon(a->mhd);
    a->mhd = NULL;
    free(a->tls_cert_pem);
    free(a->tls_key_pem);
    a->tls_cert_pem = a->tls_key_pem = NULL;
}
