/* HTTP glue: libmicrohttpd (a thread per connection, so an SSE stream may
 * block waiting for events), body collection with a cap, authentication,
 * and the handlers that turn validated requests into store calls. The
 * decisions live in route.c, validate.c, sse.c and tarpcap.c. */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "center.h"
#include "center_time.h"
#include "route.h"
#include "sse.h"
#include "tarpcap.h"
#include "validate.h"

typedef struct req {
    char *body;
    size_t len, cap;
    bool too_large;
} req_t;

static enum MHD_Result send_json(struct MHD_Connection *conn, unsigned status, json_t *o,
                                 const char *allow)
{
    char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    size_t n = s ? strlen(s) : 0;
    struct MHD_Response *r = MHD_create_response_from_buffer(
        n, s ? (void *)s : (void *)"", s ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (!r) {
        free(s);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (allow) MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
    if (status == 401) MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
    enum MHD_Result ret = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result fail(struct MHD_Connection *conn, unsigned status, const char *why)
{
    return send_json(conn, status, json_pack("{s:s}", "error", why), NULL);
}

static enum MHD_Result no_content(struct MHD_Connection *conn)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    enum MHD_Result ret = MHD_queue_response(conn, 204, r);
    MHD_destroy_response(r);
    return ret;
}

static const char *arg(struct MHD_Connection *conn, const char *key)
{
    return MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, key);
}

/* A decimal query argument in [lo, hi]; def when absent; -1 when bad. */
static int64_t num_arg(struct MHD_Connection *conn, const char *key, int64_t def, int64_t lo,
                       int64_t hi)
{
    const char *v = arg(conn, key);
    if (!v) return def;
    char *end;
    long long n = strtoll(v, &end, 10);
    if (!*v || *end || n < lo || n > hi) return -1;
    return n;
}

/* ---- sessions ---- */

static enum MHD_Result create_session(center_t *c, struct MHD_Connection *conn, req_t *q)
{
    const center_conf_t *cf = c->conf;
    session_req_t sr;
    char err[512];
    if (validate_session(q->body, q->len, (int64_t)(cf->default_duration / 1000),
                         (int64_t)(cf->max_duration / 1000), &sr, err, sizeof err) != 0)
        return fail(conn, 400, err);
    if (store_sessions_running(c->store) >= cf->max_sessions) {
        session_req_free(&sr);
        return fail(conn, 429, "too many running sessions (max_sessions)");
    }
    int64_t *agents = NULL;
    size_t n_agents = 0;
    if (store_agents_select(c->store, sr.agent_ids, sr.n_agent_ids, (const char *const *)sr.tags,
                            sr.n_tags, &agents, &n_agents, err, sizeof err) != 0) {
        session_req_free(&sr);
        return fail(conn, 400, err);
    }
    session_new_t n = {.label = sr.label,
                       .created_us = center_now_us(),
                       .criteria_json = sr.criteria_json,
                       .capture_rtp = sr.capture_rtp,
                       .capture_pcap = sr.capture_pcap};
    n.expires_us = n.created_us + sr.duration_s * 1000000;
    int rc = token_random_hex(n.id, 10);
    if (rc == 0) rc = store_session_create(c->store, &n, agents, n_agents, err, sizeof err);
    free(agents);
    session_req_free(&sr);
    if (rc != 0) return fail(conn, 500, "the session could not be stored");
    center_push_kick(c);
    char t[CENTER_TIME_LEN], stream[64];
    snprintf(stream, sizeof stream, "/api/sessions/%s/stream", n.id);
    return send_json(conn, 201,
                     json_pack("{s:s,s:s,s:s,s:I,s:s}", "id", n.id, "status", "running",
                               "expires_at", center_rfc3339(n.expires_us, t), "agents",
                               (json_int_t)n_agents, "stream", stream),
                     NULL);
}

/* The session, or the answer when there is none: 404 for an unknown id,
 * 503 when the database failed (the session may well exist). */
static json_t *session_or_fail(center_t *c, struct MHD_Connection *conn, const char *id,
                               enum MHD_Result *ret)
{
    json_t *o;
    int rc = store_session_find(c->store, id, &o);
    if (rc > 0) return o;
    *ret = rc < 0 ? fail(conn, 503, "the database did not answer; try again")
                  : fail(conn, 404, "no such session");
    return NULL;
}

static enum MHD_Result get_session(center_t *c, struct MHD_Connection *conn, const char *id,
                                   bool shared)
{
    enum MHD_Result ret;
    json_t *o = session_or_fail(c, conn, id, &ret);
    if (!o) return ret;
    if (shared) {
        /* The read-only view hides how it is shared and which agents ran it. */
        json_object_del(o, "share_expires_at");
        json_object_del(o, "agent_ids");
        json_object_del(o, "stream");
    }
    return send_json(conn, 200, o, NULL);
}

static enum MHD_Result delete_session(center_t *c, struct MHD_Connection *conn, const char *id)
{
    const char *purge = arg(conn, "purge");
    if (purge && strcmp(purge, "1") != 0 && strcmp(purge, "0") != 0)
        return fail(conn, 400, "purge must be 1 or 0");
    if (purge && strcmp(purge, "1") == 0) {
        int rc = store_session_purge(c->store, id);
        if (rc < 0) return fail(conn, 404, "no such session");
        if (rc == 0)
            return fail(conn, 409, "the session is running: stop it (DELETE without purge) first");
        return send_json(conn, 200, json_pack("{s:s,s:b}", "id", id, "purged", 1), NULL);
    }
    int rc = store_session_stop(c->store, id, "stopped", center_now_us());
    if (rc < 0) return fail(conn, 404, "no such session");
    if (rc > 0) center_push_kick(c);
    enum MHD_Result ret;
    json_t *o = session_or_fail(c, conn, id, &ret);
    if (!o) return ret;
    json_t *ans = json_pack("{s:s,s:O}", "id", id, "status", json_object_get(o, "status"));
    json_decref(o);
    return send_json(conn, 200, ans, NULL);
}

static enum MHD_Result list_events(center_t *c, struct MHD_Connection *conn, const char *id)
{
    int64_t after = num_arg(conn, "after", 0, 0, INT64_MAX);
    int64_t limit = num_arg(conn, "limit", c->conf->page_size, 1, c->conf->page_size);
    if (after < 0) return fail(conn, 400, "after must be an event id (a non-negative integer)");
    if (limit < 0) return fail(conn, 400, "limit must be an integer from 1 to page_size");
    enum MHD_Result ret;
    json_t *s = session_or_fail(c, conn, id, &ret);
    if (!s) return ret;
    json_decref(s);
    int64_t last = after;
    json_t *ev = store_events_after(c->store, id, after, (size_t)limit + 1, &last);
    if (!ev) return fail(conn, 503, "the database did not answer; try again");
    bool more = json_array_size(ev) > (size_t)limit;
    if (more) {
        json_array_remove(ev, (size_t)limit);
        last = json_integer_value(json_object_get(json_array_get(ev, (size_t)limit - 1), "id"));
    }
    return send_json(
        conn, 200,
        json_pack("{s:o,s:I,s:b}", "events", ev, "next_after", (json_int_t)last, "more", more),
        NULL);
}

/* ---- SSE ---- */

typedef struct stream {
    center_t *c;
    char id[24];
    int64_t last;
    char *buf;
    size_t len, pos, cap;
    int64_t last_write_us;
    bool ended;
    char share[65]; /* a shared view: the token's digest, re-checked while idle */
} stream_t;

static int stream_append(stream_t *s, const char *type, int64_t id, const char *data)
{
    size_t need = strlen(data) + strlen(type) + 64;
    if (s->len + need + 16 > s->cap) {
        size_t cap = s->cap ? s->cap : 65536;
        while (cap < s->len + need + 16)
            cap *= 2;
        char *b = realloc(s->buf, cap);
        if (!b) return -1;
        s->buf = b;
        s->cap = cap;
    }
    size_t n = id ? sse_event(s->buf + s->len, s->cap - s->len, id, type, data)
                  : sse_comment(s->buf + s->len, s->cap - s->len, data);
    if (!n) return -1;
    s->len += n;
    return 0;
}

/* Fills s->buf with the next events, or a keep-alive; false at the end. */
static bool stream_refill(stream_t *s)
{
    center_t *c = s->c;
    s->len = s->pos = 0;
    for (;;) {
        pthread_mutex_lock(&c->lock);
        uint64_t gen = c->gen;
        bool stopping = c->stopping;
        pthread_mutex_unlock(&c->lock);
        if (stopping) return false;
        int64_t last = s->last;
        json_t *ev = store_events_after(c->store, s->id, s->last, 100, &last);
        if (!ev) return false; /* the client resumes with Last-Event-ID */
        size_t i;
        json_t *e;
        json_array_foreach(ev, i, e)
        {
            char *d = json_dumps(e, JSON_COMPACT);
            const char *type = json_string_value(json_object_get(e, "type"));
            int rc = d ? stream_append(s, type ? type : "event",
                                       json_integer_value(json_object_get(e, "id")), d)
                       : -1;
            free(d);
            if (rc != 0) break;
            s->last = json_integer_value(json_object_get(e, "id"));
        }
        json_decref(ev);
        if (s->len) return true;
        if (s->ended) return false;
        /* A revoked or expired share link closes the views it opened. */
        if (s->share[0]) {
            char *still = store_share_lookup(c->store, s->share, center_now_us());
            bool live = still && strcmp(still, s->id) == 0;
            free(still);
            if (!live) return false;
        }
        /* Nothing new: a stopped session ends the stream once drained. */
        /* A database that fails now may answer on the next pass: only a
         * session known to have stopped (or been purged) ends the stream. */
        json_t *o;
        int found = store_session_find(c->store, s->id, &o);
        bool running = found < 0 || (o && strcmp(json_string_value(json_object_get(o, "status")),
                                                 "running") == 0);
        json_decref(o);
        if (!running) {
            s->ended = true; /* one more pass picks up a last committed batch */
            stream_append(s, "end", 0, "session ended");
            continue;
        }
        int64_t now = center_now_us();
        int64_t ka = (int64_t)c->conf->sse_keepalive * 1000;
        if (now - s->last_write_us >= ka) {
            stream_append(s, "", 0, "keep-alive");
            return true;
        }
        int64_t wait_us = s->last_write_us + ka - now;
        if (wait_us > 1000000) wait_us = 1000000; /* re-poll: other processes may write too */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        int64_t ns = ts.tv_nsec + wait_us * 1000;
        ts.tv_sec += ns / 1000000000;
        ts.tv_nsec = ns % 1000000000;
        pthread_mutex_lock(&c->lock);
        while (c->gen == gen && !c->stopping)
            if (pthread_cond_timedwait(&c->events_cond, &c->lock, &ts) != 0) break;
        pthread_mutex_unlock(&c->lock);
    }
}

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    stream_t *s = cls;
    if (s->pos == s->len) {
        if (s->ended && s->len && s->buf[0] == ':') return MHD_CONTENT_READER_END_OF_STREAM;
        if (!stream_refill(s)) return MHD_CONTENT_READER_END_OF_STREAM;
    }
    size_t n = s->len - s->pos;
    if (n > max) n = max;
    memcpy(buf, s->buf + s->pos, n);
    s->pos += n;
    s->last_write_us = center_now_us();
    return (ssize_t)n;
}

static void stream_free(void *cls)
{
    stream_t *s = cls;
    free(s->buf);
    free(s);
}

static enum MHD_Result open_stream(center_t *c, struct MHD_Connection *conn, const char *id,
                                   const char *share_digest)
{
    enum MHD_Result ret;
    json_t *o = session_or_fail(c, conn, id, &ret);
    if (!o) return ret;
    json_decref(o);
    int64_t after = num_arg(conn, "after", 0, 0, INT64_MAX);
    const char *lei = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Last-Event-ID");
    if (lei) after = sse_last_event_id(lei);
    if (after < 0) return fail(conn, 400, "after must be an event id");
    stream_t *s = calloc(1, sizeof *s);
    if (!s) return fail(conn, 503, "out of memory");
    s->c = c;
    snprintf(s->id, sizeof s->id, "%s", id);
    s->last = after;
    if (share_digest) snprintf(s->share, sizeof s->share, "%s", share_digest);
    s->last_write_us = center_now_us();
    /* A first comment so the client sees the headers at once. */
    stream_append(s, "", 0, "stream open");
    struct MHD_Response *r =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 65536, stream_read, s, stream_free);
    if (!r) {
        stream_free(s);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/event-stream");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(r, "X-Accel-Buffering", "no");
    ret = MHD_queue_response(conn, 200, r);
    MHD_destroy_response(r);
    return ret;
}

/* ---- export.tar ---- */

typedef struct export_ctx {
    tarpcap_t tar;
    char agent[80];
    int64_t linktype;
    json_t *kinds; /* agent -> number of link types */
    int pass;      /* the store_packets pass the fields above follow */
} export_ctx_t;

/* Pass 0: how many link types each agent has (several: one file each). */
static int count_kinds(export_ctx_t *x, const packet_row_t *p)
{
    if (strcmp(x->agent, p->agent) != 0 || x->linktype != p->linktype) {
        json_t *n = json_object_get(x->kinds, p->agent);
        json_object_set_new(x->kinds, p->agent, json_integer(json_integer_value(n) + 1));
        snprintf(x->agent, sizeof x->agent, "%s", p->agent);
        x->linktype = p->linktype;
    }
    return 0;
}

/* Pass 1: the packets into the tar, a pcap file per agent and link type. */
static int add_packet(export_ctx_t *x, const packet_row_t *p)
{
    if (strcmp(x->agent, p->agent) != 0 || x->linktype != p->linktype) {
        char name[100];
        int several = json_integer_value(json_object_get(x->kinds, p->agent)) > 1;
        tarpcap_name(name, sizeof name, p->agent, (uint32_t)p->linktype, several);
        if (tarpcap_begin(&x->tar, name, (uint32_t)p->linktype) != 0) return 1;
        snprintf(x->agent, sizeof x->agent, "%s", p->agent);
        x->linktype = p->linktype;
    }
    return tarpcap_packet(&x->tar, p->ts_us, p->data, p->len, (uint32_t)p->orig_len) != 0;
}

static int export_pass(void *ud, int pass, const packet_row_t *p)
{
    export_ctx_t *x = ud;
    if (pass != x->pass) { /* the first row of the next pass */
        x->pass = pass;
        x->agent[0] = 0;
        x->linktype = -1;
    }
    return pass == 0 ? count_kinds(x, p) : add_packet(x, p);
}

static enum MHD_Result export_tar(center_t *c, struct MHD_Connection *conn, const char *id)
{
    enum MHD_Result ret;
    json_t *o = session_or_fail(c, conn, id, &ret);
    if (!o) return ret;
    bool pcap = json_is_true(json_object_get(o, "capture_pcap"));
    json_decref(o);
    if (!pcap) return fail(conn, 404, "this session was started without capture_pcap");
    export_ctx_t x = {.linktype = -1};
    x.kinds = json_object();
    tarpcap_init(&x.tar, c->conf->max_export, center_now_us() / 1000000);
    int rc = store_packets(c->store, id, 2, export_pass, &x);
    json_decref(x.kinds);
    if (rc != 0) { /* never a partial export that looks whole */
        tarpcap_free(&x.tar);
        return fail(conn, 503, "the database did not answer; try again");
    }
    if (tarpcap_finish(&x.tar) != 0) {
        tarpcap_free(&x.tar);
        return fail(conn, 413, "the export is larger than max_export");
    }
    struct MHD_Response *r =
        MHD_create_response_from_buffer(x.tar.len, x.tar.buf, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        tarpcap_free(&x.tar);
        return MHD_NO;
    }
    char cd[96];
    snprintf(cd, sizeof cd, "attachment; filename=\"session-%s.tar\"", id);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/x-tar");
    MHD_add_response_header(r, "Content-Disposition", cd);
    ret = MHD_queue_response(conn, 200, r);
    MHD_destroy_response(r);
    return ret;
}

/* ---- sharing ---- */

static enum MHD_Result share(center_t *c, struct MHD_Connection *conn, const char *id, req_t *q)
{
    int64_t ttl = 0;
    char err[256];
    if (validate_share(q->body, q->len, &ttl, err, sizeof err) != 0) return fail(conn, 400, err);
    uint64_t max_ms = c->conf->max_share_lifetime;
    if (max_ms && (ttl == 0 || (uint64_t)ttl * 1000 > max_ms)) ttl = (int64_t)(max_ms / 1000);
    char token[SHARE_TOKEN_LEN + 1], digest[65];
    if (token_random_hex(token, SHARE_TOKEN_LEN / 2) != 0)
        return fail(conn, 503, "no randomness for a share token");
    token_digest_hex(token, strlen(token), digest);
    int64_t exp = ttl ? center_now_us() + ttl * 1000000 : 0;
    int rc = store_share_set(c->store, id, digest, exp);
    if (rc < 0) return fail(conn, 500, "the share link could not be stored");
    if (rc == 0) return fail(conn, 404, "no such session");
    char url[128], t[CENTER_TIME_LEN];
    snprintf(url, sizeof url, "/api/share/%s", token);
    return send_json(conn, 201,
                     json_pack("{s:s,s:s,s:s,s:o}", "id", id, "token", token, "url", url,
                               "expires_at",
                               exp ? json_string(center_rfc3339(exp, t)) : json_null()),
                     NULL);
}

/* ---- agents and ingest ---- */

static enum MHD_Result upsert_agent(center_t *c, struct MHD_Connection *conn, req_t *q,
                                    bool registration)
{
    agent_req_t ar;
    char err[512];
    if (validate_agent(q->body, q->len, registration, &ar, err, sizeof err) != 0)
        return fail(conn, 400, err);
    json_t *out = NULL;
    int rc = registration ? store_agent_register(c->store, &ar.in, c->conf->auto_enable_agents,
                                                 (size_t)c->conf->max_agents, center_now_us(), &out,
                                                 err, sizeof err)
                          : store_agent_upsert(c->store, &ar.in, (size_t)c->conf->max_agents, &out,
                                               err, sizeof err);
    agent_req_free(&ar);
    if (rc == -2) return fail(conn, 429, err);
    if (rc != 0 || !out) return fail(conn, 500, "the agent could not be stored");
    if (!registration) center_push_kick(c);
    return send_json(conn, 200, out, NULL);
}

static enum MHD_Result ingest(center_t *c, struct MHD_Connection *conn, req_t *q)
{
    ingest_batch_t b;
    char err[512];
    if (validate_ingest(q->body, q->len, (size_t)c->conf->max_batch_events, &b, err, sizeof err) !=
        0)
        return fail(conn, 400, err);
    int64_t agent = store_agent_id(c->store, b.agent);
    ingest_result_t res;
    int rc = store_ingest(c->store, agent, b.ev, b.n, center_now_us(), &res, err, sizeof err);
    ingest_batch_free(&b);
    if (rc != 0) {
        fprintf(stderr, "sipnab-center: ingest: %s\n", err);
        return fail(conn, 503, "the batch could not be committed; resend it");
    }
    if (res.accepted) center_events_notify(c);
    return send_json(conn, 200,
                     json_pack("{s:I,s:I,s:I}", "accepted", (json_int_t)res.accepted, "duplicate",
                               (json_int_t)res.duplicate, "rejected", (json_int_t)res.rejected),
                     NULL);
}

/* ---- dispatch ---- */

static enum MHD_Result dispatch(center_t *c, struct MHD_Connection *conn, const char *url,
                                const char *method, req_t *q)
{
    route_t rt;
    route_match(method, url, &rt);
    if (rt.status == 404) return fail(conn, 404, "no such endpoint");
    if (rt.status == 405)
        return send_json(conn, 405, json_pack("{s:s}", "error", "method not allowed"), rt.allow);

    const char *sid = rt.param;
    char *shared_id = NULL;
    char digest[65] = "";
    if (rt.auth == AUTH_SHARE) {
        token_digest_hex(rt.param, strlen(rt.param), digest);
        shared_id = store_share_lookup(c->store, digest, center_now_us());
        if (!shared_id) return fail(conn, 404, "unknown, expired or revoked share link");
        sid = shared_id;
    } else {
        size_t tl = 0;
        const char *tok = token_bearer(
            MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION), &tl);
        const token_set_t *set = rt.auth == AUTH_OPERATOR ? &c->operators : &c->collectors;
        if (!token_set_has(set, tok, tl))
            return fail(conn, 401,
                        rt.auth == AUTH_OPERATOR
                            ? "this endpoint needs an operator bearer token"
                            : "this endpoint needs a collector (ingest) bearer token");
    }
    if (q->too_large) {
        free(shared_id);
        return fail(conn, 413, "the request body is larger than max_body");
    }
    enum MHD_Result ret;
    switch (rt.id) {
    case R_SESSIONS_CREATE:
        ret = create_session(c, conn, q);
        break;
    case R_SESSIONS_LIST: {
        int64_t limit = num_arg(conn, "limit", 100, 1, 1000);
        if (limit < 0) {
            ret = fail(conn, 400, "limit must be an integer from 1 to 1000");
            break;
        }
        json_t *list = store_sessions_list(c->store, (size_t)limit);
        ret = list ? send_json(conn, 200, json_pack("{s:o}", "sessions", list), NULL)
                   : fail(conn, 503, "the database did not answer; try again");
        break;
    }
    case R_SESSION_GET:
        ret = get_session(c, conn, sid, false);
        break;
    case R_SHARE_GET:
        ret = get_session(c, conn, sid, true);
        break;
    case R_SESSION_DELETE:
        ret = delete_session(c, conn, sid);
        break;
    case R_SESSION_EVENTS:
    case R_SHARE_EVENTS:
        ret = list_events(c, conn, sid);
        break;
    case R_SESSION_STREAM:
        ret = open_stream(c, conn, sid, NULL);
        break;
    case R_SHARE_STREAM:
        ret = open_stream(c, conn, sid, digest);
        break;
    case R_SESSION_EXPORT:
    case R_SHARE_EXPORT:
        ret = export_tar(c, conn, sid);
        break;
    case R_SESSION_SHARE:
        ret = share(c, conn, sid, q);
        break;
    case R_SESSION_UNSHARE: {
        int rc = store_share_revoke(c->store, sid);
        ret = rc < 0    ? fail(conn, 404, "no such session")
              : rc == 0 ? fail(conn, 404, "this session is not shared")
                        : no_content(conn);
        break;
    }
    case R_AGENTS_LIST: {
        json_t *list = store_agents_list(c->store);
        ret = list ? send_json(conn, 200, json_pack("{s:o}", "agents", list), NULL)
                   : fail(conn, 503, "the database did not answer; try again");
    } break;
    case R_AGENTS_UPSERT:
        ret = upsert_agent(c, conn, q, false);
        break;
    case R_INGEST_REGISTER:
        ret = upsert_agent(c, conn, q, true);
        break;
    case R_INGEST:
        ret = ingest(c, conn, q);
        break;
    default:
        ret = fail(conn, 404, "no such endpoint");
    }
    free(shared_id);
    return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    center_t *c = cls;
    req_t *q = *con_cls;
    if (!q) {
        q = calloc(1, sizeof *q);
        if (!q) return MHD_NO;
        *con_cls = q;
        return MHD_YES;
    }
    if (*upload_size) {
        size_t n = *upload_size;
        *upload_size = 0;
        if (q->too_large || q->len + n > c->conf->max_body) {
            q->too_large = true; /* keep reading, answer 413 at the end */
            free(q->body);
            q->body = NULL;
            q->len = q->cap = 0;
            return MHD_YES;
        }
        if (q->len + n + 1 > q->cap) {
            /* The announced length (trusted only up to max_body) saves the
             * doubling copies of a large batch. */
            const char *cl =
                MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
            unsigned long long want = cl ? strtoull(cl, NULL, 10) : 0;
            size_t cap = q->cap ? q->cap : 4096;
            if (!q->cap && want + 1 > cap && want < c->conf->max_body) cap = (size_t)want + 1;
            while (cap < q->len + n + 1)
                cap *= 2;
            char *b = realloc(q->body, cap);
            if (!b) return MHD_NO;
            q->body = b;
            q->cap = cap;
        }
        memcpy(q->body + q->len, upload, n);
        q->len += n;
        q->body[q->len] = 0;
        return MHD_YES;
    }
    return dispatch(c, conn, url, method, q);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    req_t *q = *con_cls;
    if (q) {
        free(q->body);
        free(q);
    }
    *con_cls = NULL;
}

static char *read_file(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open", path);
        return NULL;
    }
    char *buf = malloc(1 << 20);
    size_t n = buf ? fread(buf, 1, (1 << 20) - 1, f) : 0;
    fclose(f);
    if (!buf || n == 0) {
        free(buf);
        snprintf(err, errlen, "%s: empty or unreadable", path);
        return NULL;
    }
    buf[n] = 0;
    return buf;
}

/* "127.0.0.1:9070", "[::1]:9070", ":9070" (all IPv4), "9070". */
static int parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
    memset(ss, 0, sizeof *ss);
    char host[128] = "";
    const char *port;
    if (s[0] == '[') {
        const char *e = strchr(s, ']');
        if (!e || e[1] != ':' || (size_t)(e - s - 1) >= sizeof host) return -1;
        memcpy(host, s + 1, (size_t)(e - s - 1));
        host[e - s - 1] = 0;
        port = e + 2;
    } else {
        const char *colon = strrchr(s, ':');
        if (colon) {
            if ((size_t)(colon - s) >= sizeof host) return -1;
            memcpy(host, s, (size_t)(colon - s));
            host[colon - s] = 0;
            port = colon + 1;
        } else {
            port = s;
        }
    }
    char *end;
    long p = strtol(port, &end, 10);
    if (!*port || *end || p < 0 || p > 65535) return -1;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
    struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
    if (strchr(host, ':')) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)p);
        if (inet_pton(AF_INET6, host, &a6->sin6_addr) != 1) return -1;
        *len = sizeof *a6;
    } else {
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)p);
        if (host[0] && inet_pton(AF_INET, host, &a4->sin_addr) != 1) return -1;
        *len = sizeof *a4;
    }
    return 0;
}

int center_server_start(center_t *c, char *err, size_t errlen)
{
    const center_conf_t *cf = c->conf;
    struct sockaddr_storage ss;
    socklen_t sl;
    if (parse_listen(cf->listen, &ss, &sl) != 0) {
        snprintf(err, errlen, "listen: '%s' is not ADDR:PORT", cf->listen);
        return -1;
    }
    bool tls = cf->tls_cert && *cf->tls_cert;
    if (tls != (cf->tls_key && *cf->tls_key)) {
        snprintf(err, errlen, "tls_cert and tls_key go together");
        return -1;
    }
    char *cert = NULL, *key = NULL;
    if (tls) {
        cert = read_file(cf->tls_cert, err, errlen);
        key = cert ? read_file(cf->tls_key, err, errlen) : NULL;
        if (!cert || !key) {
            free(cert);
            free(key);
            return -1;
        }
    }
    unsigned timeout = (unsigned)(cf->sse_keepalive / 1000) * 4;
    if (timeout < 60) timeout = 60;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
                     MHD_USE_ERROR_LOG | (ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0) |
                     (tls ? MHD_USE_TLS : 0);
    struct MHD_OptionItem opts[] = {
        {MHD_OPTION_SOCK_ADDR, 0, &ss},
        {MHD_OPTION_CONNECTION_LIMIT, (intptr_t)cf->max_connections, NULL},
        {MHD_OPTION_CONNECTION_TIMEOUT, (intptr_t)timeout, NULL},
        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, c},
        {MHD_OPTION_LISTENING_ADDRESS_REUSE, 1, NULL},
        {tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, cert},
        {tls ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0, key},
        {MHD_OPTION_END, 0, NULL},
    };
    c->mhd = MHD_start_daemon(flags, 0, NULL, NULL, on_request, c, MHD_OPTION_ARRAY, opts,
                              MHD_OPTION_END);
    free(cert);
    free(key);
    if (!c->mhd) {
        snprintf(err, errlen, "cannot serve on %s (address in use, or bad TLS files)", cf->listen);
        return -1;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(c->mhd, MHD_DAEMON_INFO_BIND_PORT);
    c->port = di ? di->port : 0;
    return 0;
}

void center_server_stop(center_t *c)
{
    if (c->mhd) MHD_stop_daemon(c->mhd);
    c->mhd = NULL;
}
