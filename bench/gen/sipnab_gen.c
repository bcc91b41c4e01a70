/*
 * sipnab-gen: deterministic generator of a classic pcap full of SIP calls
 * with G.711 RTP both ways, used as the benchmark corpus.
 *
 * Everything random comes from splitmix64 seeded by --seed (never rand() or
 * the clock), so the same options always give a byte-identical file.
 *
 * Calls are scheduled on a min-heap of pending packets; every call keeps at
 * most three events in flight (next SIP message, next RTP packet per
 * direction), so memory is O(concurrency) however large the file is.
 *
 * --sip-mix adds the signalling a registrar/SBC sees around each call
 * (REGISTER with a 401 challenge, OPTIONS keepalive, a re-INVITE) and --tcp
 * sends a share of the calls over TCP; both off by default, so the default
 * corpus is unchanged byte for byte.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>

#define SBC_IP 0x0a000001u /* 10.0.0.1 */
#define SIP_PORT 5060
#define RTP_PAYLOAD 160 /* 20 ms of PCMU at 8 kHz */
#define RTP_HDR 12
#define PKT_PER_SEC 50
#define BASE_EPOCH 1700000000ull /* fixed capture start, 2023-11-14 */
#define OUTBUF_SIZE (8u << 20)

/* ---- PRNG ------------------------------------------------------------- */

typedef struct {
    uint64_t s;
} rng_t;

static uint64_t rng_next(rng_t *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static double rng_unit(rng_t *r)
{
    return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* Uniform in [lo, hi]. */
static uint64_t rng_range(rng_t *r, uint64_t lo, uint64_t hi)
{
    return lo + rng_next(r) % (hi - lo + 1);
}

/* ---- model ------------------------------------------------------------ */

enum outcome { OC_ANSWERED, OC_BUSY, OC_UNAVAIL, OC_CANCEL, OC_NOTFOUND, OC_COUNT };

enum msg {
    M_INVITE,
    M_100,
    M_180,
    M_200_INV,
    M_ACK,
    M_BYE,
    M_200_BYE,
    M_486,
    M_503,
    M_404,
    M_CANCEL,
    M_200_CANCEL,
    M_487,
    M_ACK_ERR, /* hop-by-hop ACK for a non-2xx final: same branch as INVITE */
    /* --sip-mix only */
    M_REGISTER, /* unauthenticated, challenged */
    M_401,
    M_REGISTER_AUTH, /* with Authorization, CSeq 2 */
    M_200_REG,
    M_OPTIONS, /* SBC keepalive to the UA */
    M_200_OPT,
    M_REINVITE, /* UA re-offers (session version + 1) */
    M_200_REINV,
    M_ACK_RE,
    M_TCP_SYN, /* not SIP: the TCP handshake of a --tcp call */
    M_TCP_SYNACK,
    M_TCP_ACK,
};

#define MAX_STEPS 24

enum ev_kind { EV_SIP, EV_RTP_A, EV_RTP_B, EV_NEW_CALL };

typedef struct {
    uint64_t t_us;
    uint64_t order; /* tie-break so equal timestamps keep a fixed order */
    uint32_t call;
    uint32_t kind;
} event_t;

typedef struct {
    uint64_t nom0;     /* nominal time of packet 0 */
    uint64_t last_arr; /* arrival of the previous packet: keeps the stream ordered */
    uint32_t k, n;     /* next packet index, packets in the stream */
    uint32_t ssrc, ts0;
    uint16_t seq0;
    uint32_t src_ip, dst_ip;
    uint16_t src_port, dst_port;
} rtp_dir_t;

typedef struct {
    uint32_t idx;
    int outcome;
    int pending; /* events in the heap; slot is freed at 0 */
    rng_t rng;
    uint32_t ua_ip;    /* caller UA, signalling and media, 10.1/16 */
    uint32_t media_ip; /* answering side media, 10.2/16 */
    uint16_t ua_port, media_port;
    bool bye_from_ua;
    char caller[16], callee[16];
    char callid[40], ftag[20], ttag[20], br_inv[28], br_ack[28], br_bye[28];
    /* --sip-mix: REGISTER and OPTIONS are their own dialogs */
    char reg_callid[40], reg_tag[20], reg_ttag[20], opt_callid[40], opt_tag[20], opt_ttag[20];
    char br_reg1[28], br_reg2[28], br_opt[28], br_re[28], br_ack_re[28], nonce[36];
    bool tcp; /* signalling over one TCP connection UA ua_sig_port <-> SBC 5060 */
    uint16_t ua_sig_port;
    uint32_t tcp_seq_ua, tcp_seq_sbc; /* next sequence number each way */
    uint32_t sess_a, sess_b, bye_cseq;
    int step, nsteps;
    uint64_t step_t[MAX_STEPS];
    uint8_t step_msg[MAX_STEPS];
    rtp_dir_t rtp[2];
} call_t;

typedef struct {
    /* options */
    uint64_t calls;
    uint64_t target_packets;
    double rtp_seconds;
    double loss;
    double jitter_ms;
    double failed;
    uint32_t concurrency;
    uint64_t seed;
    bool sip_mix;
    double tcp_share;
    const char *out_path;

    /* state */
    rng_t rng;
    event_t *heap;
    size_t heap_n, heap_cap;
    uint64_t order;
    call_t *slots;
    uint32_t *free_slots;
    size_t nslots, nfree;
    uint64_t started;
    double mean_gap_us;
    uint64_t next_start;

    /* output */
    int fd;
    uint8_t *out;
    size_t out_len;
    uint16_t ip_id;
    uint8_t pcmu[8000 + RTP_PAYLOAD];

    /* stats */
    uint64_t packets, bytes, sip_pkts, rtp_pkts, rtp_lost, wraps, peak_active;
    uint64_t tcp_calls, registers, options, reinvites;
    uint64_t by_outcome[OC_COUNT];
} gen_t;

/* ---- heap ------------------------------------------------------------- */

static bool ev_less(const event_t *a, const event_t *b)
{
    return a->t_us < b->t_us || (a->t_us == b->t_us && a->order < b->order);
}

static void heap_push(gen_t *g, uint64_t t, uint32_t call, uint32_t kind)
{
    if (g->heap_n == g->heap_cap) {
        g->heap_cap = g->heap_cap ? g->heap_cap * 2 : 1024;
        g->heap = realloc(g->heap, g->heap_cap * sizeof *g->heap);
        if (!g->heap) {
            perror("realloc");
            exit(1);
        }
    }
    event_t e = {t, g->order++, call, kind};
    size_t i = g->heap_n++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!ev_less(&e, &g->heap[p])) break;
        g->heap[i] = g->heap[p];
        i = p;
    }
    g->heap[i] = e;
    if (kind != EV_NEW_CALL) g->slots[call].pending++;
}

static event_t heap_pop(gen_t *g)
{
    event_t top = g->heap[0];
    event_t last = g->heap[--g->heap_n];
    size_t i = 0, n = g->heap_n;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && ev_less(&g->heap[c + 1], &g->heap[c])) c++;
        if (!ev_less(&g->heap[c], &last)) break;
        g->heap[i] = g->heap[c];
        i = c;
    }
    if (n) g->heap[i] = last;
    return top;
}

/* ---- output ----------------------------------------------------------- */

static void out_flush(gen_t *g)
{
    size_t off = 0;
    while (off < g->out_len) {
        ssize_t w = write(g->fd, g->out + off, g->out_len - off);
        if (w < 0) {
            if (errno == EINTR) continue;
            perror("write");
            exit(1);
        }
        off += (size_t)w;
    }
    g->out_len = 0;
}

static void put16be(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32be(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static void put32le(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static void mac_of(uint8_t *m, uint32_t ip)
{
    m[0] = 0x02; /* locally administered */
    m[1] = 0x00;
    put32be(m + 2, ip);
}

/*
 * Writes record header + Ethernet/IPv4/UDP headers straight into the output
 * buffer and returns where the UDP payload of length plen goes.
 */
static uint8_t *pkt_begin_proto(gen_t *g, uint64_t t_us, uint32_t sip, uint16_t sport, uint32_t dip,
                                uint16_t dport, size_t plen, int proto)
{
    size_t l4 = proto == 6 ? 20 : 8;
    size_t flen = 14 + 20 + l4 + plen;
    if (g->out_len + 16 + flen > OUTBUF_SIZE) out_flush(g);
    uint8_t *p = g->out + g->out_len;
    g->out_len += 16 + flen;

    uint64_t abs_us = BASE_EPOCH * 1000000ull + t_us;
    put32le(p, (uint32_t)(abs_us / 1000000u));
    put32le(p + 4, (uint32_t)(abs_us % 1000000u));
    put32le(p + 8, (uint32_t)flen);
    put32le(p + 12, (uint32_t)flen);
    p += 16;

    mac_of(p, dip);
    mac_of(p + 6, sip);
    put16be(p + 12, 0x0800);
    p += 14;

    uint8_t *ip = p;
    ip[0] = 0x45;
    ip[1] = 0xb8; /* DSCP EF: what phones put on voice and signalling */
    put16be(ip + 2, (uint32_t)(20 + l4 + plen));
    put16be(ip + 4, g->ip_id++);
    put16be(ip + 6, 0x4000); /* DF */
    ip[8] = 64;
    ip[9] = (uint8_t)proto;
    put16be(ip + 10, 0);
    put32be(ip + 12, sip);
    put32be(ip + 16, dip);
    uint32_t sum = 0;
    for (int i = 0; i < 20; i += 2)
        sum += (uint32_t)ip[i] << 8 | ip[i + 1];
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    put16be(ip + 10, ~sum & 0xffff);
    p += 20;

    put16be(p, sport);
    put16be(p + 2, dport);
    g->packets++;
    g->bytes += 16 + flen;
    if (proto == 6) return p; /* the caller fills the TCP header */
    put16be(p + 4, (uint32_t)(8 + plen));
    put16be(p + 6, 0); /* no UDP checksum: legal on IPv4, saves time */
    return p + 8;
}

static uint8_t *pkt_begin(gen_t *g, uint64_t t_us, uint32_t sip, uint16_t sport, uint32_t dip,
                          uint16_t dport, size_t plen)
{
    return pkt_begin_proto(g, t_us, sip, sport, dip, dport, plen, 17);
}

/* One TCP segment of a --tcp call's connection (UA ua_port <-> SBC 5060);
 * returns where plen payload bytes go. The TCP checksum is left 0 (tools
 * reading files do not verify it). */
static uint8_t *tcp_segment(gen_t *g, call_t *c, uint64_t t, bool from_ua, uint8_t flags,
                            size_t plen)
{
    uint32_t *seq = from_ua ? &c->tcp_seq_ua : &c->tcp_seq_sbc;
    uint32_t ack = from_ua ? c->tcp_seq_sbc : c->tcp_seq_ua;
    uint8_t *p = from_ua
                     ? pkt_begin_proto(g, t, c->ua_ip, c->ua_sig_port, SBC_IP, SIP_PORT, plen, 6)
                     : pkt_begin_proto(g, t, SBC_IP, SIP_PORT, c->ua_ip, c->ua_sig_port, plen, 6);
    put32be(p + 4, *seq);
    put32be(p + 8, (flags & 0x10) ? ack : 0);
    p[12] = 5 << 4; /* 20-byte header */
    p[13] = flags;
    put16be(p + 14, 65535);
    put16be(p + 16, 0);
    put16be(p + 18, 0);
    *seq += (uint32_t)plen + ((flags & 0x02) ? 1u : 0u);
    return p + 20;
}

/* ---- SIP -------------------------------------------------------------- */

static void ipstr(char *buf, size_t n, uint32_t ip)
{
    snprintf(buf, n, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255);
}

static void hexid(rng_t *r, char *buf, size_t hexdigits)
{
    static const char hx[] = "0123456789abcdef";
    uint64_t v = 0;
    for (size_t i = 0; i < hexdigits; i++) {
        if (i % 16 == 0) v = rng_next(r);
        buf[i] = hx[v & 15];
        v >>= 4;
    }
    buf[hexdigits] = '\0';
}

/* Appends with snprintf semantics; the buffer is sized for the worst case. */
#define APP(...) (len += (size_t)snprintf(buf + len, cap - len, __VA_ARGS__))

static size_t sdp_body(char *buf, size_t cap, const char *ip, uint32_t sess, uint32_t ver,
                       uint16_t port, bool offer)
{
    size_t len = 0;
    APP("v=0\r\no=- %u %u IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n", sess, ver, ip, ip);
    if (offer)
        APP("m=audio %u RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n", port);
    else
        APP("m=audio %u RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\n", port);
    APP("a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=ptime:20\r\na=sendrecv\r\n");
    return len;
}

static const char *reason(enum msg m, int *code)
{
    switch (m) {
    case M_100:
        *code = 100;
        return "Trying";
    case M_180:
        *code = 180;
        return "Ringing";
    case M_200_INV:
    case M_200_BYE:
    case M_200_CANCEL:
    case M_200_REINV:
        *code = 200;
        return "OK";
    case M_486:
        *code = 486;
        return "Busy Here";
    case M_503:
        *code = 503;
        return "Service Unavailable";
    case M_404:
        *code = 404;
        return "Not Found";
    case M_487:
        *code = 487;
        return "Request Terminated";
    default:
        *code = 0;
        return NULL;
    }
}

/* One SIP message as a UDP datagram, or a TCP segment on the call's
 * connection. */
static void put_sip(gen_t *g, call_t *c, uint64_t t, bool from_ua, const char *buf, size_t len)
{
    uint8_t *pl;
    if (c->tcp)
        pl = tcp_segment(g, c, t, from_ua, 0x18 /* PSH|ACK */, len);
    else if (from_ua)
        pl = pkt_begin(g, t, c->ua_ip, SIP_PORT, SBC_IP, SIP_PORT, len);
    else
        pl = pkt_begin(g, t, SBC_IP, SIP_PORT, c->ua_ip, SIP_PORT, len);
    memcpy(pl, buf, len);
    g->sip_pkts++;
}

/* --sip-mix: the REGISTER (challenged, then authenticated) and OPTIONS
 * transactions around a call, each its own dialog, and the TCP handshake. */
static void emit_side(gen_t *g, call_t *c, enum msg m, uint64_t t)
{
    char buf[2048], ua[16], sbc[16];
    size_t cap = sizeof buf, len = 0;
    switch (m) {
    case M_TCP_SYN:
        tcp_segment(g, c, t, true, 0x02, 0);
        return;
    case M_TCP_SYNACK:
        tcp_segment(g, c, t, false, 0x12, 0);
        return;
    case M_TCP_ACK:
        tcp_segment(g, c, t, true, 0x10, 0);
        return;
    default:
        break;
    }
    ipstr(ua, sizeof ua, c->ua_ip);
    ipstr(sbc, sizeof sbc, SBC_IP);
    const char *tp = c->tcp ? "TCP" : "UDP";
    unsigned sp = c->tcp ? c->ua_sig_port : SIP_PORT;
    bool reg = m == M_REGISTER || m == M_401 || m == M_REGISTER_AUTH || m == M_200_REG;
    bool from_ua = m == M_REGISTER || m == M_REGISTER_AUTH || m == M_200_OPT;
    uint32_t cseq = (m == M_REGISTER_AUTH || m == M_200_REG) ? 2 : 1;
    const char *branch = reg ? (cseq == 1 ? c->br_reg1 : c->br_reg2) : c->br_opt;

    switch (m) {
    case M_REGISTER:
    case M_REGISTER_AUTH:
        APP("REGISTER sip:%s SIP/2.0\r\n", sbc);
        break;
    case M_401:
        APP("SIP/2.0 401 Unauthorized\r\n");
        break;
    case M_OPTIONS:
        APP("OPTIONS sip:%s@%s:%u SIP/2.0\r\n", c->caller, ua, sp);
        break;
    default:
        APP("SIP/2.0 200 OK\r\n");
        break;
    }
    if (m == M_OPTIONS)
        APP("Via: SIP/2.0/%s %s:5060;branch=z9hG4bK%s\r\n", tp, sbc, branch);
    else if (m == M_200_OPT)
        APP("Via: SIP/2.0/%s %s:5060;received=%s;branch=z9hG4bK%s\r\n", tp, sbc, sbc, branch);
    else if (from_ua)
        APP("Via: SIP/2.0/%s %s:%u;rport;branch=z9hG4bK%s\r\n", tp, ua, sp, branch);
    else
        APP("Via: SIP/2.0/%s %s:%u;rport=%u;received=%s;branch=z9hG4bK%s\r\n", tp, ua, sp, sp, ua,
            branch);
    if (m == M_REGISTER || m == M_REGISTER_AUTH || m == M_OPTIONS) APP("Max-Forwards: 70\r\n");
    if (reg) {
        APP("From: <sip:%s@%s>;tag=%s\r\n", c->caller, sbc, c->reg_tag);
        if (from_ua)
            APP("To: <sip:%s@%s>\r\n", c->caller, sbc);
        else
            APP("To: <sip:%s@%s>;tag=%s\r\n", c->caller, sbc, c->reg_ttag);
        APP("Call-ID: %s\r\nCSeq: %u REGISTER\r\n", c->reg_callid, cseq);
    } else {
        APP("From: <sip:ping@%s>;tag=%s\r\n", sbc, c->opt_tag);
        if (m == M_OPTIONS)
            APP("To: <sip:%s@%s>\r\n", c->caller, ua);
        else
            APP("To: <sip:%s@%s>;tag=%s\r\n", c->caller, ua, c->opt_ttag);
        APP("Call-ID: %s\r\nCSeq: 1 OPTIONS\r\n", c->opt_callid);
    }
    if (m == M_REGISTER || m == M_REGISTER_AUTH || m == M_200_REG)
        APP("Contact: <sip:%s@%s:%u%s>;expires=3600\r\n", c->caller, ua, sp,
            c->tcp ? ";transport=tcp" : "");
    if (m == M_REGISTER || m == M_REGISTER_AUTH) APP("Expires: 3600\r\n");
    if (m == M_401)
        APP("WWW-Authenticate: Digest realm=\"sbc.example\", nonce=\"%s\", algorithm=MD5, "
            "qop=\"auth\"\r\n",
            c->nonce);
    if (m == M_REGISTER_AUTH)
        APP("Authorization: Digest username=\"%s\", realm=\"sbc.example\", nonce=\"%s\", "
            "uri=\"sip:%s\", response=\"%.32s\", algorithm=MD5, cnonce=\"%.16s\", qop=auth, "
            "nc=00000001\r\n",
            c->caller, c->nonce, sbc, c->callid, c->br_reg2);
    if (m == M_200_OPT) {
        APP("Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE\r\n");
        APP("Accept: application/sdp\r\n");
    }
    if (m == M_401 || m == M_200_REG || m == M_200_OPT)
        APP("Server: %s\r\n", from_ua ? "sipnab-gen UA/1.0" : "sipnab-gen SBC/1.0");
    else
        APP("User-Agent: %s\r\n", from_ua ? "sipnab-gen UA/1.0" : "sipnab-gen SBC/1.0");
    APP("Content-Length: 0\r\n\r\n");
    if (len >= cap) {
        fprintf(stderr, "sipnab-gen: SIP message too large\n");
        exit(1);
    }
    put_sip(g, c, t, from_ua, buf, len);
}

static void emit_sip(gen_t *g, call_t *c, enum msg m, uint64_t t)
{
    if (m >= M_REGISTER && m != M_REINVITE && m != M_200_REINV && m != M_ACK_RE) {
        emit_side(g, c, m, t);
        return;
    }
    char buf[2048], body[512], ua[16], med[16], sbc[16];
    size_t cap = sizeof buf, len = 0, blen = 0;
    ipstr(ua, sizeof ua, c->ua_ip);
    ipstr(med, sizeof med, c->media_ip);
    ipstr(sbc, sizeof sbc, SBC_IP);

    int code;
    const char *rs = reason(m, &code);
    /* The BYE transaction (request and its 200) the SBC starts uses the
     * SBC's Via and the dialog's From/To swapped. */
    bool sbc_bye = (m == M_BYE || m == M_200_BYE) && !c->bye_from_ua;
    /* UA requests and SBC responses, except in that SBC-started BYE. */
    bool from_ua;
    if (m == M_BYE)
        from_ua = c->bye_from_ua;
    else if (m == M_200_BYE)
        from_ua = !c->bye_from_ua;
    else
        from_ua = (rs == NULL);

    if (m == M_INVITE)
        blen = sdp_body(body, sizeof body, ua, c->sess_a, c->sess_a, c->ua_port, true);
    else if (m == M_200_INV)
        blen = sdp_body(body, sizeof body, med, c->sess_b, c->sess_b, c->media_port, false);
    else if (m == M_REINVITE)
        blen = sdp_body(body, sizeof body, ua, c->sess_a, c->sess_a + 1, c->ua_port, true);
    else if (m == M_200_REINV)
        blen = sdp_body(body, sizeof body, med, c->sess_b, c->sess_b + 1, c->media_port, false);
    const char *tp = c->tcp ? "TCP" : "UDP";
    unsigned sp = c->tcp ? c->ua_sig_port : SIP_PORT;

    /* Request line / status line and Via. */
    const char *cseq_m = "INVITE";
    uint32_t cseq = 1;
    const char *branch = c->br_inv;
    switch (m) {
    case M_INVITE:
        APP("INVITE sip:%s@%s:5060 SIP/2.0\r\n", c->callee, sbc);
        break;
    case M_REINVITE:
        APP("INVITE sip:%s@%s:5060 SIP/2.0\r\n", c->callee, sbc);
        cseq = 2;
        branch = c->br_re;
        break;
    case M_200_REINV:
        APP("SIP/2.0 %d %s\r\n", code, rs);
        cseq = 2;
        branch = c->br_re;
        break;
    case M_ACK_RE:
        APP("ACK sip:%s@%s:5060 SIP/2.0\r\n", c->callee, sbc);
        cseq_m = "ACK";
        cseq = 2;
        branch = c->br_ack_re;
        break;
    case M_CANCEL:
        APP("CANCEL sip:%s@%s:5060 SIP/2.0\r\n", c->callee, sbc);
        cseq_m = "CANCEL";
        break;
    case M_ACK_ERR:
        APP("ACK sip:%s@%s:5060 SIP/2.0\r\n", c->callee, sbc);
        cseq_m = "ACK";
        break;
    case M_ACK:
        APP("ACK sip:%s@%s:5060 SIP/2.0\r\n", c->callee, sbc);
        cseq_m = "ACK";
        branch = c->br_ack;
        break;
    case M_BYE:
        if (c->bye_from_ua)
            APP("BYE sip:%s@%s:5060 SIP/2.0\r\n", c->callee, sbc);
        else
            APP("BYE sip:%s@%s:5060 SIP/2.0\r\n", c->caller, ua);
        cseq_m = "BYE";
        cseq = c->bye_cseq;
        branch = c->br_bye;
        break;
    case M_200_BYE:
        APP("SIP/2.0 %d %s\r\n", code, rs);
        cseq_m = "BYE";
        cseq = c->bye_cseq;
        branch = c->br_bye;
        break;
    case M_200_CANCEL:
        APP("SIP/2.0 %d %s\r\n", code, rs);
        cseq_m = "CANCEL";
        break;
    default:
        APP("SIP/2.0 %d %s\r\n", code, rs);
        break;
    }
    if (sbc_bye)
        APP("Via: SIP/2.0/%s %s:5060;branch=z9hG4bK%s\r\n", tp, sbc, branch);
    else if (rs)
        APP("Via: SIP/2.0/%s %s:%u;rport=%u;received=%s;branch=z9hG4bK%s\r\n", tp, ua, sp, sp, ua,
            branch);
    else
        APP("Via: SIP/2.0/%s %s:%u;rport;branch=z9hG4bK%s\r\n", tp, ua, sp, branch);
    if (!rs) APP("Max-Forwards: 70\r\n");

    /* From/To keep the dialog's orientation; the SBC-originated BYE swaps them. */
    bool to_tag = !(m == M_INVITE || m == M_CANCEL || m == M_100 || m == M_200_CANCEL);
    if (sbc_bye) {
        APP("From: <sip:%s@%s>;tag=%s\r\n", c->callee, sbc, c->ttag);
        APP("To: \"%s\" <sip:%s@%s>;tag=%s\r\n", c->caller, c->caller, ua, c->ftag);
    } else {
        APP("From: \"%s\" <sip:%s@%s>;tag=%s\r\n", c->caller, c->caller, ua, c->ftag);
        if (to_tag)
            APP("To: <sip:%s@%s>;tag=%s\r\n", c->callee, sbc, c->ttag);
        else
            APP("To: <sip:%s@%s>\r\n", c->callee, sbc);
    }
    APP("Call-ID: %s\r\nCSeq: %u %s\r\n", c->callid, cseq, cseq_m);
    if (m == M_INVITE || m == M_REINVITE)
        APP("Contact: <sip:%s@%s:%u>\r\n", c->caller, ua, sp);
    else if (m == M_180 || m == M_200_INV || m == M_200_REINV)
        APP("Contact: <sip:%s@%s:5060>\r\n", c->callee, sbc);
    if (m == M_INVITE || m == M_REINVITE)
        APP("Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE\r\n");
    if (rs)
        APP("Server: %s\r\n", from_ua ? "sipnab-gen UA/1.0" : "sipnab-gen SBC/1.0");
    else
        APP("User-Agent: %s\r\n", from_ua ? "sipnab-gen UA/1.0" : "sipnab-gen SBC/1.0");
    if (blen) APP("Content-Type: application/sdp\r\n");
    APP("Content-Length: %zu\r\n\r\n", blen);
    if (len + blen >= cap) {
        fprintf(stderr, "sipnab-gen: SIP message too large\n");
        exit(1);
    }
    memcpy(buf + len, body, blen);
    len += blen;
    put_sip(g, c, t, from_ua, buf, len);
}

/* ---- calls ------------------------------------------------------------ */

static void add_step(call_t *c, uint64_t t, enum msg m)
{
    if (c->nsteps == MAX_STEPS) {
        fprintf(stderr, "sipnab-gen: too many steps in a call\n");
        exit(1);
    }
    c->step_t[c->nsteps] = t;
    c->step_msg[c->nsteps] = (uint8_t)m;
    c->nsteps++;
}

static void rtp_setup(gen_t *g, call_t *c, int d, uint64_t start, uint32_t n)
{
    rtp_dir_t *r = &c->rtp[d];
    r->nom0 = start;
    r->last_arr = start;
    r->k = 0;
    r->n = n;
    r->ssrc = (uint32_t)rng_next(&c->rng);
    r->ts0 = (uint32_t)rng_next(&c->rng);
    /* Every 8th stream starts just below 65535 so the seq wraps mid-call. */
    if (n > 2 && (c->idx * 2 + (uint32_t)d) % 8 == 3)
        r->seq0 = (uint16_t)(65536 - rng_range(&c->rng, 1, n / 2));
    else
        r->seq0 = (uint16_t)rng_next(&c->rng);
    if ((uint32_t)r->seq0 + n > 65536) g->wraps++;
    if (d == 0) {
        r->src_ip = c->ua_ip;
        r->src_port = c->ua_port;
        r->dst_ip = c->media_ip;
        r->dst_port = c->media_port;
    } else {
        r->src_ip = c->media_ip;
        r->src_port = c->media_port;
        r->dst_ip = c->ua_ip;
        r->dst_port = c->ua_port;
    }
}

static uint32_t alloc_slot(gen_t *g)
{
    if (g->nfree == 0) {
        size_t old = g->nslots, n = old ? old * 2 : 256;
        g->slots = realloc(g->slots, n * sizeof *g->slots);
        g->free_slots = realloc(g->free_slots, n * sizeof *g->free_slots);
        if (!g->slots || !g->free_slots) {
            perror("realloc");
            exit(1);
        }
        for (size_t i = n; i > old; i--)
            g->free_slots[g->nfree++] = (uint32_t)(i - 1);
        g->nslots = n;
    }
    return g->free_slots[--g->nfree];
}

static void start_call(gen_t *g, uint64_t t0)
{
    uint32_t idx = (uint32_t)g->started++;
    uint32_t s = alloc_slot(g);
    if (g->nslots - g->nfree > g->peak_active) g->peak_active = g->nslots - g->nfree;
    call_t *c = &g->slots[s];
    memset(c, 0, sizeof *c);
    c->idx = idx;
    /* Per-call stream: a call's content depends only on seed and index. */
    c->rng.s = g->seed ^ ((uint64_t)idx * 0xd1b54a32d192ed03ull);
    rng_next(&c->rng);

    if (rng_unit(&c->rng) < g->failed)
        c->outcome = OC_BUSY + (int)rng_range(&c->rng, 0, 3);
    else
        c->outcome = OC_ANSWERED;
    g->by_outcome[c->outcome]++;

    /* Index-derived addresses keep endpoints unique within 65534 calls. */
    uint32_t host = idx % 65534u + 1u;
    c->ua_ip = 0x0a010000u | host;
    c->media_ip = 0x0a020000u | host;
    c->ua_port = (uint16_t)(10000 + 2 * rng_range(&c->rng, 0, 9999));
    c->media_port = (uint16_t)(40000 + 2 * rng_range(&c->rng, 0, 9999));
    snprintf(c->caller, sizeof c->caller, "+4989%07u", (unsigned)(idx % 10000000u));
    snprintf(c->callee, sizeof c->callee, "+4930%07u", (unsigned)rng_range(&c->rng, 0, 9999999));
    char h[33];
    hexid(&c->rng, h, 32);
    snprintf(c->callid, sizeof c->callid, "%s", h);
    hexid(&c->rng, c->ftag, 12);
    hexid(&c->rng, c->ttag, 12);
    hexid(&c->rng, c->br_inv, 20);
    hexid(&c->rng, c->br_ack, 20);
    hexid(&c->rng, c->br_bye, 20);
    c->sess_a = (uint32_t)rng_range(&c->rng, 1000000, 999999999);
    c->sess_b = (uint32_t)rng_range(&c->rng, 1000000, 999999999);
    c->bye_from_ua = rng_next(&c->rng) & 1;
    c->bye_cseq = c->bye_from_ua ? 2 : (uint32_t)rng_range(&c->rng, 100, 999);

    rng_t *r = &c->rng;
    uint64_t t = t0;
    if (g->sip_mix) {
        /* Drawn only with --sip-mix/--tcp, so the default corpus is unchanged. */
        c->tcp = g->tcp_share > 0 && rng_unit(r) < g->tcp_share;
        hexid(r, h, 32);
        snprintf(c->reg_callid, sizeof c->reg_callid, "%s", h);
        hexid(r, h, 32);
        snprintf(c->opt_callid, sizeof c->opt_callid, "%s", h);
        hexid(r, c->reg_tag, 12);
        hexid(r, c->reg_ttag, 12);
        hexid(r, c->opt_tag, 12);
        hexid(r, c->opt_ttag, 12);
        hexid(r, c->br_reg1, 20);
        hexid(r, c->br_reg2, 20);
        hexid(r, c->br_opt, 20);
        hexid(r, c->br_re, 20);
        hexid(r, c->br_ack_re, 20);
        hexid(r, c->nonce, 32);
        if (c->bye_from_ua) c->bye_cseq = 3; /* after the re-INVITE's CSeq 2 */
        if (c->tcp) {
            c->ua_sig_port = (uint16_t)rng_range(r, 32768, 60999);
            c->tcp_seq_ua = (uint32_t)rng_next(r);
            c->tcp_seq_sbc = (uint32_t)rng_next(r);
            g->tcp_calls++;
            add_step(c, t, M_TCP_SYN);
            add_step(c, t += rng_range(r, 200, 2000), M_TCP_SYNACK);
            add_step(c, t += rng_range(r, 200, 2000), M_TCP_ACK);
        }
        add_step(c, t, M_REGISTER);
        add_step(c, t += rng_range(r, 2000, 20000), M_401);
        add_step(c, t += rng_range(r, 5000, 50000), M_REGISTER_AUTH);
        add_step(c, t += rng_range(r, 2000, 20000), M_200_REG);
        add_step(c, t += rng_range(r, 10000, 200000), M_OPTIONS);
        add_step(c, t += rng_range(r, 2000, 20000), M_200_OPT);
        t += rng_range(r, 50000, 500000);
        g->registers++;
        g->options++;
    }
    add_step(c, t, M_INVITE);
    add_step(c, t += rng_range(r, 2000, 30000), M_100);
    switch (c->outcome) {
    case OC_ANSWERED: {
        add_step(c, t += rng_range(r, 50000, 300000), M_180);
        add_step(c, t += rng_range(r, 1000000, 5000000), M_200_INV);
        add_step(c, t += rng_range(r, 10000, 40000), M_ACK);
        uint32_t n = (uint32_t)llround(g->rtp_seconds * PKT_PER_SEC);
        uint64_t ra = t + rng_range(r, 0, 20000), rb = t + rng_range(r, 0, 20000);
        rtp_setup(g, c, 0, ra, n);
        rtp_setup(g, c, 1, rb, n);
        uint64_t end = (ra > rb ? ra : rb) + (uint64_t)n * 20000u;
        if (g->sip_mix) {
            add_step(c, t += rng_range(r, 500000, 3000000), M_REINVITE);
            add_step(c, t += rng_range(r, 10000, 100000), M_200_REINV);
            add_step(c, t += rng_range(r, 10000, 40000), M_ACK_RE);
            g->reinvites++;
            if (t > end) end = t;
        }
        add_step(c, t = end + rng_range(r, 20000, 200000), M_BYE);
        add_step(c, t += rng_range(r, 10000, 40000), M_200_BYE);
        if (n) {
            heap_push(g, ra, (uint32_t)s, EV_RTP_A);
            heap_push(g, rb, (uint32_t)s, EV_RTP_B);
        }
        break;
    }
    case OC_BUSY:
        add_step(c, t += rng_range(r, 50000, 300000), M_180);
        add_step(c, t += rng_range(r, 200000, 1500000), M_486);
        add_step(c, t += rng_range(r, 10000, 40000), M_ACK_ERR);
        break;
    case OC_UNAVAIL:
        add_step(c, t += rng_range(r, 50000, 500000), M_503);
        add_step(c, t += rng_range(r, 10000, 40000), M_ACK_ERR);
        break;
    case OC_NOTFOUND:
        add_step(c, t += rng_range(r, 50000, 500000), M_404);
        add_step(c, t += rng_range(r, 10000, 40000), M_ACK_ERR);
        break;
    case OC_CANCEL:
        add_step(c, t += rng_range(r, 50000, 300000), M_180);
        add_step(c, t += rng_range(r, 3000000, 15000000), M_CANCEL);
        add_step(c, t += rng_range(r, 5000, 30000), M_200_CANCEL);
        add_step(c, t += rng_range(r, 1000, 10000), M_487);
        add_step(c, t += rng_range(r, 10000, 40000), M_ACK_ERR);
        break;
    }
    heap_push(g, c->step_t[0], (uint32_t)s, EV_SIP);
}

static void emit_rtp(gen_t *g, call_t *c, int d, uint64_t t)
{
    rtp_dir_t *r = &c->rtp[d];
    uint32_t k = r->k++;
    if (g->loss > 0 && rng_unit(&c->rng) < g->loss) {
        g->rtp_lost++;
    } else {
        uint8_t *p =
            pkt_begin(g, t, r->src_ip, r->src_port, r->dst_ip, r->dst_port, RTP_HDR + RTP_PAYLOAD);
        p[0] = 0x80;                    /* V=2 */
        p[1] = (uint8_t)(k ? 0 : 0x80); /* marker on the first packet, PT 0 */
        put16be(p + 2, (uint16_t)(r->seq0 + k));
        put32be(p + 4, r->ts0 + k * RTP_PAYLOAD);
        put32be(p + 8, r->ssrc);
        memcpy(p + RTP_HDR, g->pcmu + (k * RTP_PAYLOAD) % 8000, RTP_PAYLOAD);
        g->rtp_pkts++;
    }
    if (r->k < r->n) {
        uint64_t arr = r->nom0 + (uint64_t)r->k * 20000u;
        if (g->jitter_ms > 0) arr += (uint64_t)(rng_unit(&c->rng) * g->jitter_ms * 1000.0);
        /* Clamp instead of reordering: the file has to stay time-ordered and
         * we only know the past of this stream. */
        if (arr < r->last_arr) arr = r->last_arr;
        r->last_arr = arr;
        heap_push(g, arr, (uint32_t)(c - g->slots), d == 0 ? EV_RTP_A : EV_RTP_B);
    }
}

static double expected_packets_per_call(const gen_t *g)
{
    double rtp = 2.0 * llround(g->rtp_seconds * PKT_PER_SEC) * (1.0 - g->loss);
    /* failed mix is uniform over 486 (5 pkts), 503 (4), 404 (4), CANCEL (7) */
    double per_call = (1.0 - g->failed) * (7.0 + rtp) + g->failed * 5.0;
    /* --sip-mix: REGISTER x2 + 401 + 200, OPTIONS + 200, re-INVITE + 200 + ACK */
    if (g->sip_mix) per_call += 6.0 + 3.0 * (1.0 - g->failed) + 3.0 * g->tcp_share;
    return per_call;
}

static double expected_call_seconds(const gen_t *g)
{
    double answered = 0.18 + 3.0 + 0.03 + g->rtp_seconds + 0.13;
    double failed = (1.0 + 0.3 + 0.3 + 9.2) / 4.0;
    double side = g->sip_mix ? 0.4 + 1.8 * (1.0 - g->failed) : 0.0;
    return (1.0 - g->failed) * answered + g->failed * failed + side;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: sipnab-gen [options] -o FILE\n"
               "  --calls N          number of calls (default 1000)\n"
               "  --packets N        instead of --calls: stop after about N packets\n"
               "  --rtp-seconds S    RTP per answered call, seconds (default 10)\n"
               "  --loss P           fraction of RTP packets dropped (default 0)\n"
               "  --jitter MS        max uniform arrival delay of RTP, ms (default 0)\n"
               "  --failed F         share of failed calls (default 0.2)\n"
               "  --concurrency C    calls overlapping in time (default 200)\n"
               "  --seed N           PRNG seed (default 1)\n"
               "  --sip-mix          add per call: REGISTER with a 401 challenge, OPTIONS,\n"
               "                     and a re-INVITE in answered calls\n"
               "  --tcp F            share of calls whose signalling runs over TCP\n"
               "                     (implies --sip-mix; default 0)\n"
               "  -o, --output FILE  output pcap\n");
}

static double parse_num(const char *opt, const char *s, double lo, double hi)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || v < lo || v > hi) {
        fprintf(stderr, "sipnab-gen: bad value for %s: %s\n", opt, s);
        exit(2);
    }
    return v;
}

int main(int argc, char **argv)
{
    static gen_t g;
    g.calls = 1000;
    g.rtp_seconds = 10;
    g.failed = 0.2;
    g.concurrency = 200;
    g.seed = 1;
    bool calls_set = false;

    enum {
        O_CALLS = 256,
        O_PACKETS,
        O_RTPS,
        O_LOSS,
        O_JITTER,
        O_FAILED,
        O_CONC,
        O_SEED,
        O_SIPMIX,
        O_TCP
    };
    static const struct option opts[] = {
        {"calls", required_argument, NULL, O_CALLS},
        {"packets", required_argument, NULL, O_PACKETS},
        {"rtp-seconds", required_argument, NULL, O_RTPS},
        {"loss", required_argument, NULL, O_LOSS},
        {"jitter", required_argument, NULL, O_JITTER},
        {"failed", required_argument, NULL, O_FAILED},
        {"concurrency", required_argument, NULL, O_CONC},
        {"seed", required_argument, NULL, O_SEED},
        {"sip-mix", no_argument, NULL, O_SIPMIX},
        {"tcp", required_argument, NULL, O_TCP},
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int o;
    while ((o = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (o) {
        case O_CALLS:
            g.calls = (uint64_t)parse_num("--calls", optarg, 1, 1e9);
            calls_set = true;
            break;
        case O_PACKETS:
            g.target_packets = (uint64_t)parse_num("--packets", optarg, 1, 1e11);
            break;
        case O_RTPS:
            g.rtp_seconds = parse_num("--rtp-seconds", optarg, 0, 86400);
            break;
        case O_LOSS:
            g.loss = parse_num("--loss", optarg, 0, 1);
            break;
        case O_JITTER:
            g.jitter_ms = parse_num("--jitter", optarg, 0, 10000);
            break;
        case O_FAILED:
            g.failed = parse_num("--failed", optarg, 0, 1);
            break;
        case O_CONC:
            g.concurrency = (uint32_t)parse_num("--concurrency", optarg, 1, 1e7);
            break;
        case O_SEED:
            g.seed = (uint64_t)parse_num("--seed", optarg, 0, 1.8e19);
            break;
        case O_SIPMIX:
            g.sip_mix = true;
            break;
        case O_TCP:
            g.tcp_share = parse_num("--tcp", optarg, 0, 1);
            g.sip_mix = true;
            break;
        case 'o':
            g.out_path = optarg;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (!g.out_path || optind != argc) {
        usage(stderr);
        return 2;
    }
    if (g.target_packets) {
        if (calls_set) {
            fprintf(stderr, "sipnab-gen: --calls and --packets are exclusive\n");
            return 2;
        }
        g.calls = (uint64_t)ceil((double)g.target_packets / expected_packets_per_call(&g));
    }

    g.rng.s = g.seed;
    g.mean_gap_us = expected_call_seconds(&g) * 1e6 / g.concurrency;
    /* Near-silence PCMU noise: real-looking payload without per-packet PRNG. */
    for (size_t i = 0; i < sizeof g.pcmu; i++)
        g.pcmu[i] = (uint8_t)(0xf0 | (rng_next(&g.rng) & 0x0f));

    g.fd = open(g.out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (g.fd < 0) {
        fprintf(stderr, "sipnab-gen: %s: %s\n", g.out_path, strerror(errno));
        return 1;
    }
    g.out = malloc(OUTBUF_SIZE);
    if (!g.out) {
        perror("malloc");
        return 1;
    }
    /* pcap global header: microsecond magic, v2.4, snaplen 65535, Ethernet */
    uint8_t *h = g.out;
    put32le(h, 0xa1b2c3d4);
    h[4] = 2, h[5] = 0, h[6] = 4, h[7] = 0;
    put32le(h + 8, 0);
    put32le(h + 12, 0);
    put32le(h + 16, 65535);
    put32le(h + 20, 1);
    g.out_len = 24;
    g.bytes = 24;

    heap_push(&g, 0, 0, EV_NEW_CALL);

    while (g.heap_n) {
        event_t e = heap_pop(&g);
        if (e.kind == EV_NEW_CALL) {
            start_call(&g, e.t_us);
            if (g.started < g.calls) {
                uint64_t gap = (uint64_t)(rng_unit(&g.rng) * 2.0 * g.mean_gap_us);
                heap_push(&g, e.t_us + gap, 0, EV_NEW_CALL);
            }
            continue;
        }
        call_t *c = &g.slots[e.call];
        c->pending--;
        if (e.kind == EV_SIP) {
            emit_sip(&g, c, (enum msg)c->step_msg[c->step], e.t_us);
            if (++c->step < c->nsteps) heap_push(&g, c->step_t[c->step], e.call, EV_SIP);
        } else {
            emit_rtp(&g, c, e.kind == EV_RTP_A ? 0 : 1, e.t_us);
        }
        if (c->pending == 0) g.free_slots[g.nfree++] = e.call;
    }
    out_flush(&g);
    if (close(g.fd) != 0) {
        perror("close");
        return 1;
    }

    uint64_t failed = g.started - g.by_outcome[OC_ANSWERED];
    fprintf(stderr,
            "sipnab-gen: calls=%" PRIu64 " answered=%" PRIu64 " failed=%" PRIu64 " (486=%" PRIu64
            " 503=%" PRIu64 " cancel/487=%" PRIu64 " 404=%" PRIu64 ") packets=%" PRIu64
            " sip=%" PRIu64 " rtp=%" PRIu64 " rtp_lost=%" PRIu64 " seq_wraps=%" PRIu64
            " peak_concurrent=%" PRIu64 " bytes=%" PRIu64 " -> %s\n",
            g.started, g.by_outcome[OC_ANSWERED], failed, g.by_outcome[OC_BUSY],
            g.by_outcome[OC_UNAVAIL], g.by_outcome[OC_CANCEL], g.by_outcome[OC_NOTFOUND], g.packets,
            g.sip_pkts, g.rtp_pkts, g.rtp_lost, g.wraps, g.peak_active, g.bytes, g.out_path);
    if (g.sip_mix)
        fprintf(stderr,
                "sipnab-gen: sip-mix registers=%" PRIu64 " options=%" PRIu64 " reinvites=%" PRIu64
                " tcp_calls=%" PRIu64 " dialogs=%" PRIu64 "\n",
                g.registers, g.options, g.reinvites, g.tcp_calls, 3 * g.started);
    return 0;
}
