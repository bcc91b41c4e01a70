/* The hep module: sipnab as a HEP collector and a HEP agent.
 *  - listen: UDP or TCP (length-framed) HEP v1/v2/v3 from proxies; after the
 *    allow-list, the rate limit and the auth key, each packet enters the same
 *    pipeline as a captured one (SIP builds dialogs, RTCP reaches streams);
 *  - parse: HEP found in captured UDP payloads is unwrapped (-E);
 *  - send: SIP messages mirrored to a Homer collector as HEP v3 over UDP or
 *    TCP (reconnecting), through a bounded queue that never blocks capture.
 * Each [hep "name"] instance does one or more of these. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "hep_acl.h"
#include "hep_addr.h"
#include "hep_codec.h"
#include "hep_qos.h"
#include "sipnab/ratelimit.h"
#include "sipnab/core.h"
#include "sipnab/error.h"
#include "sipnab/log.h"
#include "sipnab/module.h"
#include "sipnab/rtp.h"
#include "sipnab/sip.h"

typedef struct hep_conf {
    const char *listen;
    bool parse;
    const char *send;
    snb_strlist_t allow;
    int64_t rate_limit;
    const char *auth_key;
    int64_t capture_id;
    const char *node_name;
    bool compress;
    uint64_t queue_size;
    int64_t send_rate; /* UDP messages per second, 0 = as fast as they come */
    int64_t max_connections;
    uint64_t idle_timeout; /* ms */
} hep_conf_t;

#define HEP_COUNTERS(X)                                                                            \
    X(received, "HEP packets received by the listeners")                                           \
    X(accepted, "HEP packets accepted into the pipeline")                                          \
    X(rejected_not_allowed, "HEP packets from a source outside the allow-list")                    \
    X(rejected_rate_limited, "HEP packets over the rate limit")                                    \
    X(rejected_malformed, "HEP packets that did not decode")                                       \
    X(rejected_auth, "HEP packets without the right auth key")                                     \
    X(parsed, "HEP packets unwrapped from captured traffic (-E)")                                  \
    X(sent, "HEP packets sent to collectors")                                                      \
    X(qos_reports, "RTP stream quality reports sent (HEP type 34)")                                \
    X(qos_received, "quality reports received (HEP types 32/34/35; counted, not analysed)")        \
    X(send_dropped, "HEP packets dropped: collector slow, absent or queue full")                   \
    X(reconnects, "TCP reconnections to collectors")                                               \
    X(tcp_refused_not_allowed, "TCP connections refused at accept: source outside the allow-list") \
    X(tcp_refused_full, "TCP connections refused at accept: max_connections reached")              \
    X(tcp_idle_closed, "TCP connections closed: no whole HEP packet within idle_timeout")          \
    X(tcp_dropped_malformed, "TCP connections dropped: a frame that is not HEP or too long")

enum {
#define HEP_COUNTER_ENUM(name, help) C_##name,
    HEP_COUNTERS(HEP_COUNTER_ENUM)
#undef HEP_COUNTER_ENUM
        C_COUNT
};

static const snb_metric_def_t counter_defs[] = {HEP_COUNTERS(SNB_METRIC_COUNTER_DEF)};

#define HEP_MAX_PACKET 65536
#define HEP_TCP_BUFFER (256 * 1024)
/* Kernel queue of connections not yet accepted: a burst of senders (or of
 * strangers, refused at accept) larger than it waits a SYN-ACK retry (1 s). */
#define HEP_TCP_BACKLOG 511
/* recvmmsg: libuv splits the receive buffer in 64 KiB slots, one datagram
 * each; 16 of them per system call instead of one call per datagram. */
#define HEP_RX_SLOTS 16

typedef struct hep_mod hep_mod_t;
typedef struct hep_conn hep_conn_t;

typedef struct hep_inst {
    hep_mod_t *mod;
    const char *name;
    const hep_conf_t *conf;
    hep_cidr_t *allow;
    size_t n_allow;
    snb_ratelimit_t *limit;
    /* listener */
    snb_source_t *src;
    hep_endpoint_t listen_ep;
    uv_udp_t udp;
    uv_tcp_t tcp;
    bool udp_open, tcp_open;
    int connections;
    hep_conn_t *conns;               /* open TCP connections, closed at stop */
    uint8_t *rxbuf;                  /* HEP_RX_SLOTS datagrams per recvmmsg */
    uint8_t scratch[HEP_MAX_PACKET]; /* inflated payloads */
    /* sender */
    hep_endpoint_t send_ep;
    uv_udp_t out_udp;
    uv_tcp_t out_tcp;
    uv_connect_t connect_req;
    uv_timer_t reconnect;
    bool out_open, out_connected, out_connecting, reconnect_open;
    uint64_t queued_bytes;
    struct hep_send *wait_head, *wait_tail; /* encoded while TCP connects */
    uv_shutdown_t shutdown_req;
    bool close_when_drained;
    /* send_rate pacing (UDP): encoded, waiting for their turn */
    struct hep_send *pace_head, *pace_tail;
    uv_timer_t pace_timer;
    bool pace_open, pace_holding, pace_pressing;
    uint64_t pace_last_ms;
    double pace_credit;
} hep_inst_t;

struct hep_mod {
    snb_core_t *core;
    hep_inst_t *inst;
    size_t n;
    int sub;
    snb_event_type_t ev_sip, ev_rtcp, ev_stream; /* negative when their module is absent */
    bool stopping;
    uint64_t counters[C_COUNT];
    uint8_t scratch[HEP_MAX_PACKET]; /* inflated payloads of HEP in captures */
    bool parse;                      /* some instance unwraps HEP in captures (-E) */
};

/* ---- receiving ---- */

/* Constant time: the key must not leak through timing. */
static bool key_matches(const char *want, const char *got, size_t got_len)
{
    size_t n = strlen(want);
    unsigned diff = (unsigned)(n ^ got_len);
    for (size_t i = 0; i < n; i++)
        diff |= (unsigned char)want[i] ^ (i < got_len ? (unsigned char)got[i] : 0u);
    return diff == 0;
}

static void hep_to_packet(const hep_packet_t *h, uint64_t fallback_ts, snb_packet_t *p)
{
    memset(p, 0, sizeof *p);
    p->ts_us = h->ts_sec ? (uint64_t)h->ts_sec * 1000000u + h->ts_usec : fallback_ts;
    p->src = h->src;
    p->dst = h->dst;
    p->sport = h->sport;
    p->dport = h->dport;
    p->transport = h->ip_proto == 6     ? SNB_TRANSPORT_TCP
                   : h->ip_proto == 132 ? SNB_TRANSPORT_SCTP
                                        : SNB_TRANSPORT_UDP;
    /* One HEP packet carries one message: no stream framing for TCP. */
    p->flags = SNB_PKT_HEP | (p->transport == SNB_TRANSPORT_TCP ? SNB_PKT_MESSAGE : 0);
    p->payload = h->payload;
    p->payload_len = h->payload_len;
}

static bool allowed(const hep_inst_t *in, const snb_addr_t *from)
{
    bool ok = in->n_allow == 0;
    for (size_t i = 0; i < in->n_allow && !ok; i++)
        ok = hep_cidr_match(&in->allow[i], from);
    return ok;
}

/* One datagram or TCP-framed packet from `from`. */
static void receive(hep_inst_t *in, const uint8_t *data, size_t len, const snb_addr_t *from)
{
    hep_mod_t *m = in->mod;
    m->counters[C_received]++;
    if (!allowed(in, from)) {
        m->counters[C_rejected_not_allowed]++;
        return;
    }
    uint64_t now = uv_now(snb_core_loop(m->core)) * 1000u;
    if (in->limit && !snb_ratelimit_allow(in->limit, from, now)) {
        m->counters[C_rejected_rate_limited]++;
        return;
    }
    hep_packet_t h;
    if (hep_decode(data, len, &h, in->scratch, sizeof in->scratch) != HEP_OK) {
        m->counters[C_rejected_malformed]++;
        return;
    }
    const char *key = in->conf->auth_key;
    if (key && *key && (!h.auth_key || !key_matches(key, h.auth_key, h.auth_key_len))) {
        m->counters[C_rejected_auth]++;
        return;
    }
    /* Quality reports are JSON about streams, not packets: counted, not
     * decoded as traffic. */
    if (h.proto_type == HEP_PROTO_QOS_REPORT || h.proto_type == HEP_PROTO_MOS_FULL ||
        h.proto_type == HEP_PROTO_MOS_SHORT) {
        m->counters[C_accepted]++;
        m->counters[C_qos_received]++;
        return;
    }
    /* A HEP packet without a timestamp is stamped on arrival (wall clock,
     * like a live capture), not with the loop's monotonic clock. */
    uint64_t arrival_us = 0;
    if (!h.ts_sec) {
        uv_timeval64_t tv;
        uv_gettimeofday(&tv);
        arrival_us = (uint64_t)tv.tv_sec * 1000000u + (uint64_t)tv.tv_usec;
    }
    snb_packet_t p;
    hep_to_packet(&h, arrival_us, &p);
    m->counters[C_accepted]++;
    snb_source_packet(in->src, &p);
}

static void from_sockaddr(const struct sockaddr *sa, snb_addr_t *out)
{
    memset(out, 0, sizeof *out);
    if (sa && sa->sa_family == AF_INET) {
        out->family = 4;
        memcpy(out->a, &((const struct sockaddr_in *)sa)->sin_addr, 4);
    } else if (sa && sa->sa_family == AF_INET6) {
        out->family = 6;
        memcpy(out->a, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
    }
}

static void udp_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)suggested;
    hep_inst_t *in = h->data;
    *buf = uv_buf_init((char *)in->rxbuf, HEP_RX_SLOTS * HEP_MAX_PACKET);
}

static void udp_recv(uv_udp_t *u, ssize_t n, const uv_buf_t *buf, const struct sockaddr *from,
                     unsigned flags)
{
    hep_inst_t *in = u->data;
    /* n == 0 with UV_UDP_MMSG_FREE ends a batch: the buffer is ours, kept. */
    if (n <= 0 || (flags & UV_UDP_PARTIAL)) return;
    snb_addr_t a;
    from_sockaddr(from, &a);
    receive(in, (const uint8_t *)buf->base, (size_t)n, &a);
}

/* A TCP connection: length-framed HEP packets in a bounded buffer. A source
 * outside the allow-list is refused at accept (it never takes a slot), as
 * is any beyond max_connections, each counted; a connection that delivers
 * no whole HEP packet for idle_timeout is closed, whether it is silent or
 * trickles bytes, so slots come back to the senders that use them. */
struct hep_conn {
    uv_tcp_t tcp;
    uv_timer_t idle;
    hep_inst_t *in;
    hep_conn_t *prev, *next;
    snb_addr_t peer;
    uint8_t *buf;
    size_t len;
    int open_handles;
    bool holds_slot; /* admitted; refused ones never count towards max_connections */
};

static void conn_closed(uv_handle_t *h)
{
    hep_conn_t *c = h->data;
    if (--c->open_handles) return;
    hep_inst_t *in = c->in;
    if (c->holds_slot) in->connections--;
    if (c->prev)
        c->prev->next = c->next;
    else
        in->conns = c->next;
    if (c->next) c->next->prev = c->prev;
    free(c->buf);
    free(c);
}

static void conn_close(hep_conn_t *c)
{
    if (uv_is_closing((uv_handle_t *)&c->tcp)) return;
    uv_close((uv_handle_t *)&c->tcp, conn_closed);
    uv_close((uv_handle_t *)&c->idle, conn_closed);
}

static void conn_idle(uv_timer_t *t)
{
    hep_conn_t *c = t->data;
    c->in->mod->counters[C_tcp_idle_closed]++;
    conn_close(c);
}

static void conn_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)suggested;
    hep_conn_t *c = h->data;
    *buf = uv_buf_init((char *)c->buf + c->len, (unsigned)(HEP_TCP_BUFFER - c->len));
}

static void conn_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    (void)buf;
    hep_conn_t *c = s->data;
    if (n < 0) {
        conn_close(c);
        return;
    }
    c->len += (size_t)n;
    size_t off = 0;
    while (off < c->len) {
        long need = hep_frame_length(c->buf + off, c->len - off);
        if (need == 0) break;
        if (need < 0 || need > HEP_MAX_PACKET) { /* not HEP, or lying: drop the connection */
            c->in->mod->counters[C_rejected_malformed]++;
            c->in->mod->counters[C_tcp_dropped_malformed]++;
            conn_close(c);
            return;
        }
        if ((size_t)need > c->len - off) break;
        receive(c->in, c->buf + off, (size_t)need, &c->peer);
        off += (size_t)need;
    }
    if (off) uv_timer_again(&c->idle); /* progress: a whole packet */
    memmove(c->buf, c->buf + off, c->len - off);
    c->len -= off;
    if (c->len == HEP_TCP_BUFFER) { /* cannot frame */
        c->in->mod->counters[C_tcp_dropped_malformed]++;
        conn_close(c);
    }
}

/* Accept, then look at the peer before reading a byte. */
static void on_connection(uv_stream_t *server, int status)
{
    hep_inst_t *in = server->data;
    hep_mod_t *m = in->mod;
    if (status < 0) return;
    bool full = in->connections >= in->conf->max_connections;
    hep_conn_t *c = calloc(1, sizeof *c);
    if (!c) return;
    uv_loop_t *loop = snb_core_loop(m->core);
    uv_tcp_init(loop, &c->tcp);
    uv_timer_init(loop, &c->idle);
    c->tcp.data = c->idle.data = c;
    c->in = in;
    c->open_handles = 2;
    c->next = in->conns;
    if (in->conns) in->conns->prev = c;
    in->conns = c;
    if (uv_accept(server, (uv_stream_t *)&c->tcp) != 0) {
        conn_close(c);
        return;
    }
    struct sockaddr_storage ss;
    int sl = sizeof ss;
    if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&ss, &sl) == 0)
        from_sockaddr((struct sockaddr *)&ss, &c->peer);
    if (!allowed(in, &c->peer)) {
        m->counters[C_tcp_refused_not_allowed]++;
        conn_close(c);
        return;
    }
    if (full) {
        m->counters[C_tcp_refused_full]++;
        conn_close(c);
        return;
    }
    c->buf = malloc(HEP_TCP_BUFFER);
    if (!c->buf) {
        conn_close(c);
        return;
    }
    /* Counted only now: a refused connection's close callback runs at the
     * end of the loop iteration, and libuv may accept more in this one. */
    c->holds_slot = true;
    in->connections++;
    uv_timer_start(&c->idle, conn_idle, in->conf->idle_timeout, in->conf->idle_timeout);
    uv_read_start((uv_stream_t *)&c->tcp, conn_alloc, conn_read);
}

static int start_listener(hep_inst_t *in)
{
    uv_loop_t *loop = snb_core_loop(in->mod->core);
    char what[64];
    snprintf(what, sizeof what, "hep:%s", in->name);
    in->src = snb_source_new(in->mod->core, what);
    if (!in->src) return -ENOMEM;
    /* Packets arrive as they are captured elsewhere: a capture happening
     * now (x5u may be fetched, security sketches use the random key, the
     * API measures and bounds its lag), not a file read later. */
    snb_source_set_live(in->src, true);
    int rc;
    if (in->listen_ep.tcp) {
        uv_tcp_init(loop, &in->tcp);
        in->tcp.data = in;
        in->tcp_open = true;
        rc = uv_tcp_bind(&in->tcp, (struct sockaddr *)&in->listen_ep.sa, 0);
        if (rc == 0) rc = uv_listen((uv_stream_t *)&in->tcp, HEP_TCP_BACKLOG, on_connection);
    } else {
        in->rxbuf = malloc((size_t)HEP_RX_SLOTS * HEP_MAX_PACKET);
        if (!in->rxbuf) return -ENOMEM;
        uv_udp_init_ex(loop, &in->udp, in->listen_ep.sa.ss_family | UV_UDP_RECVMMSG);
        in->udp.data = in;
        in->udp_open = true;
        rc = uv_udp_bind(&in->udp, (struct sockaddr *)&in->listen_ep.sa, UV_UDP_REUSEADDR);
        if (rc == 0) {
            int size = 8 << 20; /* absorb bursts from busy proxies */
            uv_recv_buffer_size((uv_handle_t *)&in->udp, &size);
            rc = uv_udp_recv_start(&in->udp, udp_alloc, udp_recv);
        }
    }
    if (rc) {
        snb_log_error(in->mod->core, "hep", "[hep \"%s\"]: cannot listen on %s: %s", in->name,
                      in->conf->listen, uv_strerror(rc));
        return SNB_E_CAPTURE;
    }
    snb_log_info(in->mod->core, "hep", "listening on %s (%s)", in->conf->listen,
                 in->listen_ep.tcp ? "TCP" : "UDP");
    return 0;
}

/* ---- parsing HEP inside captures (-E) ---- */

static void parse_captured(hep_mod_t *m, const snb_packet_t *pkt)
{
    if (pkt->transport != SNB_TRANSPORT_UDP || (pkt->flags & SNB_PKT_HEP) ||
        !hep_looks_like(pkt->payload, pkt->payload_len))
        return;
    hep_packet_t h;
    if (hep_decode(pkt->payload, pkt->payload_len, &h, m->scratch, sizeof m->scratch) != HEP_OK)
        return;
    m->counters[C_parsed]++;
    snb_packet_event_t pe = {
        .ev = {.type = SNB_EV_PACKET,
               .flags = SNB_EVF_BORROWED,
               .refcount = 1,
               .ops = &snb_packet_event_ops},
        .source = "hep:captured",
    };
    hep_to_packet(&h, pkt->ts_us, &pe.pkt);
    pe.pkt.frame = pkt->frame;
    pe.pkt.vlan_count = pkt->vlan_count;
    memcpy(pe.pkt.vlan, pkt->vlan, sizeof pe.pkt.vlan);
    snb_bus_publish(snb_core_bus(m->core), &pe.ev); /* inside a dispatch: cloned, queued */
}

/* ---- sending ---- */

typedef struct hep_send {
    uv_udp_send_t udp_req;
    uv_write_t tcp_req;
    hep_inst_t *in;
    struct hep_send *next; /* waiting for the TCP connection */
    size_t len;            /* bytes reserved in the queue */
    size_t used;           /* bytes of HEP in data */
    uint8_t data[];
} hep_send_t;

static void sent(hep_send_t *s, int status)
{
    hep_inst_t *in = s->in;
    in->queued_bytes -= s->len;
    if (status == 0)
        in->mod->counters[C_sent]++;
    else
        in->mod->counters[C_send_dropped]++;
    free(s);
    /* Stopping waits for the UDP queue to drain (see hep_stop). */
    if (in->close_when_drained && in->queued_bytes == 0) {
        in->close_when_drained = false;
        uv_close((uv_handle_t *)&in->out_udp, NULL);
    }
}

static void udp_sent(uv_udp_send_t *req, int status)
{
    sent(req->data, status);
}
static void tcp_sent(uv_write_t *req, int status)
{
    sent(req->data, status);
}

static void tcp_connect(hep_inst_t *in);
static void write_tcp(hep_inst_t *in, hep_send_t *s);
static void after_shutdown(uv_shutdown_t *req, int status);

static void on_reconnect(uv_timer_t *t)
{
    tcp_connect(t->data);
}

/* Messages encoded while the connection was being made: sent once it is
 * up, dropped (and counted) if it fails. */
static void flush_waiting(hep_inst_t *in, bool send)
{
    hep_send_t *s = in->wait_head;
    in->wait_head = in->wait_tail = NULL;
    while (s) {
        hep_send_t *next = s->next;
        if (send)
            write_tcp(in, s);
        else
            sent(s, UV_ECANCELED);
        s = next;
    }
}

static void out_tcp_closed(uv_handle_t *h)
{
    hep_inst_t *in = h->data;
    in->out_open = false;
    if (!in->mod->stopping) uv_timer_start(&in->reconnect, on_reconnect, 1000, 0);
}

static void on_connected(uv_connect_t *req, int status)
{
    hep_inst_t *in = req->data;
    in->out_connecting = false;
    if (status == 0) {
        in->out_connected = true;
        flush_waiting(in, true);
        if (in->mod->stopping) { /* stopped while connecting: deliver, then close */
            in->shutdown_req.data = in;
            if (uv_shutdown(&in->shutdown_req, (uv_stream_t *)&in->out_tcp, after_shutdown) != 0)
                uv_close((uv_handle_t *)&in->out_tcp, NULL);
        }
        return;
    }
    flush_waiting(in, false);
    if (!uv_is_closing((uv_handle_t *)&in->out_tcp)) /* stop may have closed it already */
        uv_close((uv_handle_t *)&in->out_tcp, out_tcp_closed);
}

static void tcp_connect(hep_inst_t *in)
{
    if (in->mod->stopping || in->out_open) return;
    uv_tcp_init(snb_core_loop(in->mod->core), &in->out_tcp);
    in->out_tcp.data = in;
    in->out_open = true;
    in->out_connecting = true;
    in->connect_req.data = in;
    in->mod->counters[C_reconnects]++;
    if (uv_tcp_connect(&in->connect_req, &in->out_tcp, (struct sockaddr *)&in->send_ep.sa,
                       on_connected) != 0) {
        in->out_connecting = false;
        uv_close((uv_handle_t *)&in->out_tcp, out_tcp_closed);
    }
}

static void write_tcp(hep_inst_t *in, hep_send_t *s)
{
    uv_buf_t b = uv_buf_init((char *)s->data, (unsigned)s->used);
    s->tcp_req.data = s;
    int rc = uv_write(&s->tcp_req, (uv_stream_t *)&in->out_tcp, &b, 1, tcp_sent);
    if (rc) sent(s, rc);
}

static void send_hep(hep_inst_t *in, hep_packet_t *h);
static void pace(hep_inst_t *in, hep_send_t *s);
static void send_udp(hep_inst_t *in, hep_send_t *s);

/* The HEP v3 fields every mirrored item has: where, when, what. */
static hep_packet_t outgoing(uint64_t ts_us, const snb_addr_t *src, const snb_addr_t *dst,
                             uint16_t sport, uint16_t dport, uint8_t ip_proto, uint8_t proto_type,
                             const void *payload, uint32_t len, snb_str_t correlation_id)
{
    return (hep_packet_t){
        .version = 3,
        .ip_family = src->family == 6 ? 6 : 4,
        .ip_proto = ip_proto,
        .src = *src,
        .dst = *dst,
        .sport = sport,
        .dport = dport,
        .ts_sec = (uint32_t)(ts_us / 1000000u),
        .ts_usec = (uint32_t)(ts_us % 1000000u),
        .proto_type = proto_type,
        .payload = payload,
        .payload_len = len,
        .correlation_id = correlation_id.p, /* NULL: no correlation chunk */
        .correlation_id_len = (uint16_t)correlation_id.len,
    };
}

/* A Call-ID kept as a C string ("" when none) as a correlation ID. */
static snb_str_t correlation_of(const char *call_id)
{
    return call_id[0] ? snb_str(call_id, strlen(call_id)) : SNB_STR_NULL;
}

/* Send h to every instance that mirrors (-H); how many there were. */
static size_t send_all(hep_mod_t *m, hep_packet_t *h)
{
    size_t n = 0;
    for (size_t i = 0; i < m->n; i++)
        if (m->inst[i].conf->send && *m->inst[i].conf->send) {
            send_hep(&m->inst[i], h);
            n++;
        }
    return n;
}

static void send_message(hep_mod_t *m, const snb_sip_message_event_t *ev)
{
    /* TCP carries TCP (1), WebSocket (3) and TLS (4) */
    uint8_t ip_proto = ev->transport == 1 || ev->transport >= 3 ? 6 : ev->transport == 2 ? 132 : 17;
    hep_packet_t h = outgoing(ev->ts_us, &ev->src, &ev->dst, ev->sport, ev->dport, ip_proto,
                              HEP_PROTO_SIP, ev->raw, ev->raw_len, ev->call_id);
    send_all(m, &h);
}

static void send_rtcp(hep_mod_t *m, const snb_rtcp_event_t *ev)
{
    hep_packet_t h = outgoing(ev->ts_us, &ev->src, &ev->dst, ev->sport, ev->dport, 17,
                              HEP_PROTO_RTCP_JSON /* 5, what Homer files RTCP under */, ev->data,
                              ev->len, correlation_of(ev->call_id));
    send_all(m, &h);
}

/* A stream's final quality report, as Homer's rtpagent sends it (type 34),
 * rendered once for every collector. */
static void send_stream_report(hep_mod_t *m, const snb_rtp_stream_event_t *ev)
{
    size_t len = 0;
    char *json = hep_qos_final_report(ev, &len);
    if (!json) {
        m->counters[C_send_dropped]++;
        return;
    }
    hep_packet_t h = outgoing(ev->last_us, &ev->src, &ev->dst, ev->sport, ev->dport, 17,
                              HEP_PROTO_MOS_FULL, json, (uint32_t)len, correlation_of(ev->call_id));
    m->counters[C_qos_reports] += send_all(m, &h);
    free(json);
}

static void send_udp(hep_inst_t *in, hep_send_t *s)
{
    uv_buf_t b = uv_buf_init((char *)s->data, (unsigned)s->used);
    s->udp_req.data = s;
    int rc =
        uv_udp_send(&s->udp_req, &in->out_udp, &b, 1, (struct sockaddr *)&in->send_ep.sa, udp_sent);
    if (rc) sent(s, rc);
}

/* Pacing (send_rate): a collector's receive buffer overflows when a file
 * is mirrored as fast as it is read (sngrep -L kept 109 of 406 messages),
 * so UDP datagrams leave at most send_rate per second, from a queue bounded
 * by queue_size. A file run waits (holds the core) until the queue has
 * left; Ctrl-C drops what is left, counted. */
/* Half the queue full: files stop reading until a quarter is left, so a
 * file of any size is mirrored whole, at send_rate. */
static void pace_pressure(hep_inst_t *in)
{
    uint64_t q = in->queued_bytes, size = in->conf->queue_size;
    if (!in->pace_pressing && q > size / 2) {
        in->pace_pressing = true;
        snb_core_pressure(in->mod->core, true);
    } else if (in->pace_pressing && q < size / 4) {
        in->pace_pressing = false;
        snb_core_pressure(in->mod->core, false);
    }
}

static void pace_release(hep_inst_t *in)
{
    if (in->pace_pressing) {
        in->pace_pressing = false;
        snb_core_pressure(in->mod->core, false);
    }
    if (!in->pace_holding) return;
    in->pace_holding = false;
    snb_core_unhold(in->mod->core);
}

static void on_pace(uv_timer_t *t)
{
    hep_inst_t *in = t->data;
    uint64_t now = uv_now(snb_core_loop(in->mod->core));
    double rate = (double)in->conf->send_rate;
    in->pace_credit += (double)(now - in->pace_last_ms) * rate / 1000.0;
    if (in->pace_credit > rate / 50 + 1) in->pace_credit = rate / 50 + 1; /* 20 ms of burst */
    in->pace_last_ms = now;
    while (in->pace_head && in->pace_credit >= 1.0) {
        hep_send_t *s = in->pace_head;
        in->pace_head = s->next;
        if (!in->pace_head) in->pace_tail = NULL;
        s->next = NULL;
        in->pace_credit -= 1.0;
        send_udp(in, s);
    }
    if (!in->pace_head) {
        uv_timer_stop(&in->pace_timer);
        pace_release(in);
    } else {
        pace_pressure(in);
    }
}

static void pace(hep_inst_t *in, hep_send_t *s)
{
    if (in->pace_tail)
        in->pace_tail->next = s;
    else
        in->pace_head = s;
    in->pace_tail = s;
    if (!uv_is_active((uv_handle_t *)&in->pace_timer)) {
        in->pace_last_ms = uv_now(snb_core_loop(in->mod->core));
        if (in->pace_credit < 1.0) in->pace_credit = 1.0;
        uv_timer_start(&in->pace_timer, on_pace, 0, 2);
    }
    if (!in->pace_holding) {
        in->pace_holding = true;
        snb_core_hold(in->mod->core);
    }
    pace_pressure(in);
}

/* Encode h (adding the instance's capture ID, key and node name) and send
 * it, or count it dropped. */
static void send_hep(hep_inst_t *in, hep_packet_t *hp)
{
    hep_mod_t *m = in->mod;
    bool tcp = in->send_ep.tcp;
    if ((tcp && !in->out_connected && !in->out_connecting) || (!tcp && !in->out_open)) {
        m->counters[C_send_dropped]++;
        return;
    }
    hep_packet_t h = *hp;
    h.capture_id = (uint32_t)in->conf->capture_id;
    if (in->conf->auth_key && *in->conf->auth_key) {
        h.auth_key = in->conf->auth_key;
        h.auth_key_len = (uint16_t)strlen(in->conf->auth_key);
    }
    if (in->conf->node_name && *in->conf->node_name) {
        h.node_name = in->conf->node_name;
        h.node_name_len = (uint16_t)strlen(in->conf->node_name);
    }
    size_t cap = h.payload_len + 512 + h.correlation_id_len + h.auth_key_len + h.node_name_len;
    if (in->queued_bytes + cap > in->conf->queue_size) { /* the collector is not keeping up */
        m->counters[C_send_dropped]++;
        return;
    }
    hep_send_t *s = malloc(sizeof *s + cap);
    if (!s) {
        m->counters[C_send_dropped]++;
        return;
    }
    long n = hep_encode_v3(&h, in->conf->compress, s->data, cap);
    if (n <= 0) {
        free(s);
        m->counters[C_send_dropped]++;
        return;
    }
    s->in = in;
    s->next = NULL;
    s->len = cap;
    s->used = (size_t)n;
    in->queued_bytes += cap;
    if (tcp && !in->out_connected) { /* connecting: keep it for on_connected */
        if (in->wait_tail)
            in->wait_tail->next = s;
        else
            in->wait_head = s;
        in->wait_tail = s;
        return;
    }
    if (tcp) {
        write_tcp(in, s);
        return;
    }
    if (in->conf->send_rate > 0) {
        pace(in, s);
        return;
    }
    send_udp(in, s);
}

static void after_shutdown(uv_shutdown_t *req, int status)
{
    (void)status;
    hep_inst_t *in = req->data;
    uv_close((uv_handle_t *)&in->out_tcp, NULL);
}

static int start_sender(hep_inst_t *in)
{
    uv_loop_t *loop = snb_core_loop(in->mod->core);
    uv_timer_init(loop, &in->reconnect);
    in->reconnect.data = in;
    uv_unref((uv_handle_t *)&in->reconnect);
    in->reconnect_open = true;
    if (in->send_ep.tcp) {
        tcp_connect(in);
    } else {
        uv_udp_init(loop, &in->out_udp);
        in->out_udp.data = in;
        in->out_open = true;
        if (in->conf->send_rate > 0) {
            uv_timer_init(loop, &in->pace_timer);
            in->pace_timer.data = in;
            in->pace_open = true;
        }
    }
    snb_log_info(in->mod->core, "hep", "mirroring SIP to %s (%s)", in->conf->send,
                 in->send_ep.tcp ? "TCP" : "UDP");
    return 0;
}

/* ---- events ---- */

static void on_event(void *ud, const snb_event_t *ev)
{
    hep_mod_t *m = ud;
    snb_event_type_t type = (snb_event_type_t)ev->type;
    if (type == SNB_EV_PACKET) {
        parse_captured(m, &((const snb_packet_event_t *)ev)->pkt);
    } else if (type == m->ev_sip) {
        send_message(m, (const snb_sip_message_event_t *)ev);
    } else if (type == m->ev_rtcp) {
        send_rtcp(m, (const snb_rtcp_event_t *)ev);
    } else if (type == m->ev_stream) {
        send_stream_report(m, (const snb_rtp_stream_event_t *)ev);
    }
}

/* ---- lifetime ---- */

static void collect_metrics(void *ud, snb_metric_sink_t *sink)
{
    hep_mod_t *m = ud;
    snb_metric_put_all(sink, m->counters, C_COUNT);
}

static int hep_init(snb_core_t *core, const snb_instance_conf_t *inst, size_t n, void **state)
{
    hep_mod_t *m = calloc(1, sizeof *m);
    if (!m) return -ENOMEM;
    m->core = core;
    m->n = n;
    m->inst = calloc(n ? n : 1, sizeof *m->inst);
    if (!m->inst) {
        free(m);
        return -ENOMEM;
    }
    *state = m;
    char why[256];
    for (size_t i = 0; i < n; i++) {
        hep_inst_t *in = &m->inst[i];
        in->mod = m;
        in->name = inst[i].name ? inst[i].name : "hep";
        in->conf = inst[i].conf;
        const hep_conf_t *c = in->conf;
        if (!(c->listen && *c->listen) && !c->parse && !(c->send && *c->send)) {
            snb_log_error(core, "hep", "[hep \"%s\"]: set listen, send or parse", in->name);
            return SNB_E_CONFIG;
        }
        /* Listeners bind loopback unless an address is given. */
        if (c->listen && *c->listen &&
            hep_endpoint_parse(c->listen, "127.0.0.1", &in->listen_ep, why, sizeof why) != 0) {
            snb_log_error(core, "hep", "[hep \"%s\"]: listen: %s", in->name, why);
            return SNB_E_CONFIG;
        }
        if (c->send && *c->send &&
            hep_endpoint_parse(c->send, "127.0.0.1", &in->send_ep, why, sizeof why) != 0) {
            snb_log_error(core, "hep", "[hep \"%s\"]: send: %s", in->name, why);
            return SNB_E_CONFIG;
        }
        in->allow = calloc(c->allow.n ? c->allow.n : 1, sizeof *in->allow);
        if (!in->allow) return -ENOMEM;
        for (size_t a = 0; a < c->allow.n; a++) {
            if (hep_cidr_parse(c->allow.v[a], &in->allow[a]) != 0) {
                snb_log_error(core, "hep", "[hep \"%s\"]: allow: '%s' is not an address or CIDR",
                              in->name, c->allow.v[a]);
                return SNB_E_CONFIG;
            }
        }
        in->n_allow = c->allow.n;
        m->parse |= c->parse;
        if (c->rate_limit > 0) {
            in->limit =
                snb_ratelimit_new((uint32_t)c->rate_limit, (uint32_t)c->rate_limit * 4, 4096);
            if (!in->limit) return -ENOMEM;
        }
    }
    snb_metric_group_t metrics = {
        .prefix = "hep", .defs = counter_defs, .n = C_COUNT, .collect = collect_metrics, .ud = m};
    return snb_core_metrics(core, &metrics);
}

static int hep_start(void *state)
{
    hep_mod_t *m = state;
    snb_bus_t *bus = snb_core_bus(m->core);
    /* What the SIP and RTP modules publish, when they are loaded. */
    m->ev_sip = snb_bus_lookup(bus, SNB_SIP_MESSAGE_EVENT);
    m->ev_rtcp = snb_bus_lookup(bus, SNB_RTP_RTCP_EVENT);
    m->ev_stream = snb_bus_lookup(bus, SNB_RTP_STREAM_EVENT);
    bool sending = false;
    for (size_t i = 0; i < m->n; i++)
        sending |= m->inst[i].conf->send && *m->inst[i].conf->send;
    /* Packets only when unwrapping captures; the rest only when mirroring. */
    snb_event_type_t types[4];
    size_t n = 0;
    if (m->parse) types[n++] = SNB_EV_PACKET;
    if (sending) {
        types[n++] = m->ev_sip;
        types[n++] = m->ev_rtcp;
        types[n++] = m->ev_stream;
    }
    m->sub = snb_bus_subscribe(bus, types, n, on_event, m);
    if (m->sub < 0) return m->sub;
    for (size_t i = 0; i < m->n; i++) {
        hep_inst_t *in = &m->inst[i];
        int rc = 0;
        if (in->conf->listen && *in->conf->listen) rc = start_listener(in);
        if (rc == 0 && in->conf->send && *in->conf->send) rc = start_sender(in);
        if (rc) return rc;
    }
    return 0;
}

static void hep_stop(void *state)
{
    hep_mod_t *m = state;
    m->stopping = true;
    snb_bus_unsubscribe(snb_core_bus(m->core), m->sub);
    for (size_t i = 0; i < m->n; i++) {
        hep_inst_t *in = &m->inst[i];
        if (in->udp_open) uv_close((uv_handle_t *)&in->udp, NULL);
        if (in->tcp_open) uv_close((uv_handle_t *)&in->tcp, NULL);
        in->udp_open = in->tcp_open = false;
        for (hep_conn_t *c = in->conns; c; c = c->next)
            conn_close(c);
        if (in->src) snb_source_finished(in->src);
        if (in->reconnect_open) uv_close((uv_handle_t *)&in->reconnect, NULL);
        in->reconnect_open = false;
        if (in->pace_open) { /* stopped before the paced queue left (Ctrl-C) */
            while (in->pace_head) {
                hep_send_t *q = in->pace_head;
                in->pace_head = q->next;
                sent(q, UV_ECANCELED);
            }
            in->pace_tail = NULL;
            uv_close((uv_handle_t *)&in->pace_timer, NULL);
            in->pace_open = false;
            pace_release(in);
        }
        if (!in->out_open) continue;
        if (!in->send_ep.tcp) {
            if (in->queued_bytes) /* let queued datagrams leave first */
                in->close_when_drained = true;
            else
                uv_close((uv_handle_t *)&in->out_udp, NULL);
        } else if (in->out_connected) {
            /* Let what is queued reach the collector, then close. */
            in->shutdown_req.data = in;
            if (uv_shutdown(&in->shutdown_req, (uv_stream_t *)&in->out_tcp, after_shutdown) != 0)
                uv_close((uv_handle_t *)&in->out_tcp, NULL);
        } else if (in->out_connecting) {
            /* on_connected sends what waits, then shuts down (or drops it). */
        } else if (!uv_is_closing((uv_handle_t *)&in->out_tcp)) {
            uv_close((uv_handle_t *)&in->out_tcp, NULL);
        }
    }
}

static void hep_fini(void *state)
{
    hep_mod_t *m = state;
    if (!m) return;
    for (size_t i = 0; i < m->n; i++) {
        free(m->inst[i].allow);
        free(m->inst[i].rxbuf);
        snb_ratelimit_free(m->inst[i].limit);
        snb_source_free(m->inst[i].src);
    }
    free(m->inst);
    free(m);
}

static const snb_option_t hep_options[] = {
    {.name = "listen",
     .type = SNB_OPT_STRING,
     .offset = offsetof(hep_conf_t, listen),
     .help = "receive HEP on [udp:|tcp:]address:port (-L); the address defaults to 127.0.0.1"},
    {.name = "parse",
     .type = SNB_OPT_BOOL,
     .def = "no",
     .offset = offsetof(hep_conf_t, parse),
     .help = "unwrap HEP found in captured UDP (-E)"},
    {.name = "send",
     .type = SNB_OPT_STRING,
     .offset = offsetof(hep_conf_t, send),
     .help = "mirror SIP as HEP v3 to [udp:|tcp:]address:port (-H)"},
    {.name = "allow",
     .type = SNB_OPT_LIST,
     .offset = offsetof(hep_conf_t, allow),
     .help = "sources allowed to send (IPv4/IPv6 addresses or CIDR, --hep-allow); empty = any"},
    {.name = "rate_limit",
     .type = SNB_OPT_INT,
     .def = "0",
     .min = 0,
     .max = 100000000,
     .offset = offsetof(hep_conf_t, rate_limit),
     .help = "packets per second per source (x4 for all sources together); 0 = no limit "
             "(--hep-rate-limit)"},
    {.name = "auth_key",
     .type = SNB_OPT_STRING,
     .flags = SNB_OPT_SECRET,
     .offset = offsetof(hep_conf_t, auth_key),
     .help = "listen: packets must carry this HEP auth key; send: the key sent"},
    {.name = "capture_id",
     .type = SNB_OPT_INT,
     .def = "2001",
     .min = 0,
     .max = 4294967295LL,
     .offset = offsetof(hep_conf_t, capture_id),
     .help = "capture agent ID sent"},
    {.name = "node_name",
     .type = SNB_OPT_STRING,
     .offset = offsetof(hep_conf_t, node_name),
     .help = "node name sent (HEP chunk 0x13)"},
    {.name = "compress",
     .type = SNB_OPT_BOOL,
     .def = "no",
     .offset = offsetof(hep_conf_t, compress),
     .help = "send gzip-compressed payloads"},
    {.name = "queue_size",
     .type = SNB_OPT_SIZE,
     .def = "4m",
     .min = 65536,
     .max = 1073741824,
     .offset = offsetof(hep_conf_t, queue_size),
     .help = "bytes waiting for a slow collector; beyond, messages are dropped and counted"},
    {.name = "send_rate",
     .type = SNB_OPT_INT,
     .def = "0",
     .min = 0,
     .max = 10000000,
     .offset = offsetof(hep_conf_t, send_rate),
     .help = "UDP: HEP messages sent per second at most, queued meanwhile (mirroring a file "
             "to a collector whose receive buffer would overflow); 0 = no pacing"},
    {.name = "max_connections",
     .type = SNB_OPT_INT,
     .def = "64",
     .min = 1,
     .max = 65536,
     .offset = offsetof(hep_conf_t, max_connections),
     .help = "TCP senders at once; beyond, a connection is refused at accept (and counted)"},
    {.name = "idle_timeout",
     .type = SNB_OPT_DURATION,
     .def = "2m",
     .min = 100,
     .max = 86400000,
     .offset = offsetof(hep_conf_t, idle_timeout),
     .help = "a TCP connection that delivers no whole HEP packet this long is closed"},
    SNB_OPTIONS_END,
};

/* Each -L is a listener instance; --hep-allow and --hep-rate-limit apply to
 * every one of them. Any HEP flag loads the module. */
static const snb_flag_t hep_flags[] = {
    {.name = "hep-listen",
     .short_name = 'L',
     .arg = "[udp:|tcp:]ADDR:PORT",
     .key = "listen",
     .instance = "#listen",
     .flags = SNB_FLAG_LOADS,
     .help = "receive HEP v1/v2/v3 (address defaults to 127.0.0.1); repeatable"},
    {.name = "hep-allow",
     .arg = "CIDR",
     .key = "allow",
     .instance = "*listen",
     .flags = SNB_FLAG_APPEND,
     .needs = "hep-listen",
     .help = "only these sources may send (repeatable, IPv4 and IPv6)"},
    {.name = "hep-rate-limit",
     .arg = "N",
     .key = "rate_limit",
     .instance = "*listen",
     .needs = "hep-listen",
     .help = "packets per second per source"},
    {.name = "hep-parse",
     .short_name = 'E',
     .key = "parse",
     .value = "yes",
     .instance = "captures",
     .flags = SNB_FLAG_LOADS,
     .help = "unwrap HEP found in captured UDP"},
    {.name = "hep-send",
     .short_name = 'H',
     .arg = "[udp:|tcp:]ADDR:PORT",
     .key = "send",
     .instance = "mirror",
     .flags = SNB_FLAG_LOADS,
     .help = "mirror SIP as HEP v3 to a collector"},
    {.name = "hep-send-rate",
     .arg = "N",
     .key = "send_rate",
     .instance = "mirror",
     .needs = "hep-send",
     .help = "send at most N HEP messages per second (UDP), queueing the rest"},
    {.name = NULL},
};

SNB_MODULE(.description = "HEP v1/v2/v3 collector and agent (receive, unwrap, mirror to Homer)",
           .options = hep_options, .conf_size = sizeof(hep_conf_t), .cli_flags = hep_flags,
           .flags = SNB_MOD_MULTI_INSTANCE | SNB_MOD_SOURCE, .init = hep_init, .start = hep_start,
           .stop = hep_stop, .fini = hep_fini);
