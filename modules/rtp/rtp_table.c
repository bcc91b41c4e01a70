/* The RTP stream table (see rtp_table.h). */
#include "rtp_table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtp_dlist.h"
#include "rtp_mos.h"

enum { PT_CN = 13, PT_CN_OLD = 19 };

/* A packet the heuristic holds back until its stream is confirmed: the
 * header fields rtp_stream_update() needs and the start of the payload (a
 * telephone-event is 4 bytes). */
typedef struct held {
    uint16_t seq;
    uint32_t ts;
    uint8_t pt;
    bool marker;
    uint32_t payload_len;
    uint8_t pl[4];
    uint64_t at_us;
} held_t;

#define HELD_MAX (2 * RTP_HEUR_MAX) /* duplicates are held without confirming */

typedef struct pending {
    snb_addr_t src, dst;
    uint16_t sport, dport;
    uint32_t ssrc;
    uint8_t n, good; /* held packets; steps that looked like RTP */
    held_t held[HELD_MAX];
    struct pending *hnext, *lru_prev, *lru_next;
} pending_t;

struct rtp_table {
    rtp_table_cfg_t cfg;
    rtp_calls_t *calls;
    rtp_stream_t **bkt, **sbkt; /* by 5-tuple + SSRC, by SSRC */
    rtp_stream_t **cbkt;        /* by call (streams with a Call-ID), same mask */
    uint64_t mask;
    size_t n_streams;
    rtp_stream_t *all_head, *all_tail, *lru_head, *lru_tail, *un_head, *un_tail;
    rtp_stream_t *touch_head, *touch_tail; /* changed without a packet (mark_changed) */
    pending_t *pend_pool, *pend_free;
    pending_t **pbkt;
    uint64_t pmask;
    pending_t *plru_head, *plru_tail;
    uint32_t n_pending;
    uint64_t now_us;
    uint64_t next_id;       /* last stream id given */
    uint64_t version;       /* rtp_table_changes: the newest stream version */
    uint32_t scans;         /* rtp_table_changes: calls so far (the clock of touch_scan) */
    rtp_stream_t **changed; /* rtp_table_changes: one scan's changes, to sort */
    size_t changed_cap;
    rtp_table_stats_t st;
};

/* A stream getting packets moves to the LRU tail at most this often. */
#define LRU_STEP_US 250000u

static uint64_t pow2_at_least(uint64_t n)
{
    uint64_t p = 16;
    while (p < n)
        p <<= 1;
    return p;
}

/* The 5-tuple + SSRC hash runs for every RTP packet: keyed NH over its
 * words (sipnab/hash.h), 4 words for IPv4. */
__attribute__((always_inline)) static inline uint64_t
key_hash(const rtp_table_t *t, const snb_addr_t *src, uint16_t sport, const snb_addr_t *dst,
         uint16_t dport, uint32_t ssrc)
{
    uint32_t w[10];
    if (src->family == 4 && dst->family == 4) { /* most RTP: four words, unrolled */
        memcpy(&w[0], src->a, 4);
        memcpy(&w[1], dst->a, 4);
        w[2] = (uint32_t)sport << 16 | dport;
        w[3] = ssrc;
        return snb_hash_words(&t->cfg.hash_key, w, 4);
    }
    size_t n = rtp_addr_words(src, w);
    n += rtp_addr_words(dst, w + n);
    w[n++] = (uint32_t)sport << 16 | dport;
    w[n++] = ssrc;
    return snb_hash_words(&t->cfg.hash_key, w, n);
}

static inline bool addr_eq(const snb_addr_t *a, const snb_addr_t *b)
{
    if (a->family == 4 && b->family == 4) {
        uint32_t x, y;
        memcpy(&x, a->a, 4);
        memcpy(&y, b->a, 4);
        return x == y;
    }
    return rtp_addr_eq(a, b);
}

static uint64_t ssrc_hash(const rtp_table_t *t, uint32_t ssrc)
{
    return snb_hash_words(&t->cfg.hash_key, &ssrc, 1);
}

/* A call's streams, for rtp_table_call_next: a chain per Call-ID hash,
 * kept in stream id (creation) order, which is the order of the list of
 * all streams the lookup walked before (a walk over every stream for every
 * dialog the API feed rendered). */
static void call_index(rtp_table_t *t, rtp_stream_t *s)
{
    if (!s->call_id[0]) return;
    rtp_stream_t **pp = &t->cbkt[s->call_hash & t->mask];
    while (*pp && (*pp)->id < s->id)
        pp = &(*pp)->cnext;
    s->cnext = *pp;
    *pp = s;
}

static void call_unindex(rtp_table_t *t, rtp_stream_t *s)
{
    if (!s->call_id[0]) return;
    for (rtp_stream_t **pp = &t->cbkt[s->call_hash & t->mask]; *pp; pp = &(*pp)->cnext)
        if (*pp == s) {
            *pp = s->cnext;
            break;
        }
    s->cnext = NULL;
}

static void index_stream(rtp_table_t *t, rtp_stream_t *s)
{
    rtp_stream_t **b =
        &t->bkt[key_hash(t, &s->src, s->sport, &s->dst, s->dport, s->ssrc) & t->mask];
    s->hnext = *b;
    *b = s;
    b = &t->sbkt[ssrc_hash(t, s->ssrc) & t->mask];
    s->snext = *b;
    *b = s;
    call_index(t, s);
}

/* Double the bucket arrays and re-index every stream (amortised O(1)). On
 * allocation failure the table keeps its size: longer chains, still right. */
static void grow_buckets(rtp_table_t *t)
{
    uint64_t n = (t->mask + 1) * 2;
    rtp_stream_t **bkt = calloc(n, sizeof *bkt), **sbkt = calloc(n, sizeof *sbkt);
    rtp_stream_t **cbkt = calloc(n, sizeof *cbkt);
    if (!bkt || !sbkt || !cbkt) {
        free(bkt);
        free(sbkt);
        free(cbkt);
        return;
    }
    free(t->bkt);
    free(t->sbkt);
    free(t->cbkt);
    t->bkt = bkt;
    t->sbkt = sbkt;
    t->cbkt = cbkt;
    t->mask = n - 1;
    for (rtp_stream_t *s = t->all_head; s; s = s->all_next)
        index_stream(t, s);
}

rtp_table_t *rtp_table_new(const rtp_table_cfg_t *cfg, rtp_calls_t *calls)
{
    rtp_table_cfg_t def = RTP_TABLE_CFG_DEFAULT;
    rtp_table_t *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    t->cfg = cfg ? *cfg : def;
    if (t->cfg.max_streams == 0) t->cfg.max_streams = 1;
    if (t->cfg.max_pending == 0) t->cfg.max_pending = 1;
    if (t->cfg.heur_packets < 2) t->cfg.heur_packets = 2;
    if (t->cfg.heur_packets > RTP_HEUR_MAX) t->cfg.heur_packets = RTP_HEUR_MAX;
    t->calls = calls;
    /* Buckets start small and double with the streams (up to 2 per allowed
     * stream): a table sized for max_streams up front would be megabytes of
     * buckets, and a cache miss on every packet. */
    t->mask = 1023;
    t->pmask = pow2_at_least((uint64_t)t->cfg.max_pending * 2) - 1;
    t->bkt = calloc(t->mask + 1, sizeof *t->bkt);
    t->sbkt = calloc(t->mask + 1, sizeof *t->sbkt);
    t->cbkt = calloc(t->mask + 1, sizeof *t->cbkt);
    t->pbkt = calloc(t->pmask + 1, sizeof *t->pbkt);
    t->pend_pool = calloc(t->cfg.max_pending, sizeof *t->pend_pool);
    if (!t->bkt || !t->sbkt || !t->cbkt || !t->pbkt || !t->pend_pool) {
        rtp_table_free(t);
        return NULL;
    }
    for (uint32_t i = t->cfg.max_pending; i-- > 0;) {
        t->pend_pool[i].hnext = t->pend_free;
        t->pend_free = &t->pend_pool[i];
    }
    return t;
}

void rtp_table_free(rtp_table_t *t)
{
    if (!t) return;
    rtp_stream_t *s = t->all_head;
    while (s) {
        rtp_stream_t *n = s->all_next;
        if (s->dtmf) rtp_dtmf_flush(s->dtmf);
        if (t->cfg.on_stream_end) t->cfg.on_stream_end(t->cfg.ud, s, false);
        free(s->dtmf);
        free(s);
        s = n;
    }
    free(t->bkt);
    free(t->sbkt);
    free(t->cbkt);
    free(t->pbkt);
    free(t->pend_pool);
    free(t->changed);
    free(t);
}

/* ---- streams ------------------------------------------------------------- */

static bool key_eq(const rtp_stream_t *s, const snb_addr_t *src, uint16_t sport,
                   const snb_addr_t *dst, uint16_t dport, uint32_t ssrc)
{
    return s->ssrc == ssrc && s->sport == sport && s->dport == dport && addr_eq(&s->src, src) &&
           addr_eq(&s->dst, dst);
}

const rtp_stream_t *rtp_table_find(const rtp_table_t *t, const snb_addr_t *src, uint16_t sport,
                                   const snb_addr_t *dst, uint16_t dport, uint32_t ssrc)
{
    uint64_t h = key_hash(t, src, sport, dst, dport, ssrc);
    for (const rtp_stream_t *s = t->bkt[h & t->mask]; s; s = s->hnext)
        if (key_eq(s, src, sport, dst, dport, ssrc)) return s;
    return NULL;
}

static void stream_unlink(rtp_table_t *t, rtp_stream_t *s)
{
    rtp_stream_t **pp =
        &t->bkt[key_hash(t, &s->src, s->sport, &s->dst, s->dport, s->ssrc) & t->mask];
    for (; *pp; pp = &(*pp)->hnext)
        if (*pp == s) {
            *pp = s->hnext;
            break;
        }
    for (pp = &t->sbkt[ssrc_hash(t, s->ssrc) & t->mask]; *pp; pp = &(*pp)->snext)
        if (*pp == s) {
            *pp = s->snext;
            break;
        }
    call_unindex(t, s);
    DL_REMOVE(t->all_head, t->all_tail, s, all_prev, all_next);
    DL_REMOVE(t->lru_head, t->lru_tail, s, lru_prev, lru_next);
    if (s->touched) DL_REMOVE(t->touch_head, t->touch_tail, s, touch_prev, touch_next);
    if (s->unclaimed) DL_REMOVE(t->un_head, t->un_tail, s, un_prev, un_next);
    t->n_streams--;
}

/* Encoding and clock of pt: the endpoint's rtpmap, the other side's latest
 * of the same kind, else the static table. */
static const char *pt_encoding(const rtp_endpoint_t *ep, uint8_t pt, uint32_t *rate)
{
    const char *enc = NULL;
    *rate = 0;
    if (ep && !rtp_endpoint_format(ep, pt, &enc, rate) && ep->call) {
        const rtp_endpoint_t *o = rtp_call_latest(ep->call, 1u - ep->side, ep->video);
        if (o) rtp_endpoint_format(o, pt, &enc, rate);
    }
    if (!enc) {
        enc = rtp_static_pt_name(pt);
        *rate = rtp_static_pt_clock(pt);
    }
    if (enc && !*rate) *rate = rtp_codec_clock_by_name(enc);
    return enc;
}

static const rtp_endpoint_t *stream_endpoint(const rtp_table_t *t, const rtp_stream_t *s)
{
    if (!t->calls || s->assoc == RTP_ASSOC_NONE) return NULL;
    const rtp_endpoint_t *ep = rtp_calls_lookup(t->calls, &s->sdp_addr, s->sdp_port);
    return ep && ep->call && ep->call->call_hash == s->call_hash ? ep : NULL;
}

static void stream_set_codec(rtp_stream_t *s, const rtp_endpoint_t *ep, uint8_t pt)
{
    uint32_t rate;
    const char *enc = rtp_canonical_codec_name(pt_encoding(ep, pt, &rate));
    snprintf(s->codec, sizeof s->codec, "%s", enc ? enc : "");
    s->clock_rate = rate;
}

static void stream_assoc(rtp_stream_t *s, const rtp_endpoint_t *ep, uint8_t assoc)
{
    const rtp_call_t *k = ep->call;
    snprintf(s->call_id, sizeof s->call_id, "%s", k->call_id);
    s->call_hash = k->call_hash;
    s->assoc = assoc;
    s->sdp_addr = ep->addr;
    s->sdp_port = ep->port;
    /* Sent to a side's endpoint: from the other side. From a side's
     * endpoint (symmetric RTP): from that side. */
    s->from_side = assoc == RTP_ASSOC_DST ? (uint8_t)(1u - ep->side) : ep->side;
    s->te_pt = ep->telephone_event_pt;
    if (s->te_pt < 0) {
        const rtp_endpoint_t *o = rtp_call_latest(k, 1u - ep->side, ep->video);
        if (o) s->te_pt = o->telephone_event_pt;
    }
}

static const rtp_endpoint_t *endpoint_for(const rtp_table_t *t, const snb_addr_t *src,
                                          uint16_t sport, const snb_addr_t *dst, uint16_t dport,
                                          uint8_t *assoc)
{
    const rtp_endpoint_t *ep = NULL;
    *assoc = RTP_ASSOC_NONE;
    if (!t->calls) return NULL;
    if ((ep = rtp_calls_lookup(t->calls, dst, dport)))
        *assoc = RTP_ASSOC_DST;
    else if ((ep = rtp_calls_lookup(t->calls, src, sport)))
        *assoc = RTP_ASSOC_SRC;
    return ep;
}

/* Move s to the LRU tail, stamped with the capture clock (monotonic), as
 * its packets do every LRU_STEP_US (and its second packet: streams created
 * within a step are ordered by their latest packets): lru_us grows towards
 * the tail, which is what lets rtp_table_changes stop its walk early. */
static void lru_touch(rtp_table_t *t, rtp_stream_t *s)
{
    s->lru_us = t->now_us;
    if (s == t->lru_tail) return;
    DL_REMOVE(t->lru_head, t->lru_tail, s, lru_prev, lru_next);
    DL_APPEND(t->lru_head, t->lru_tail, s, lru_prev, lru_next);
}

/* A change without a packet (RTCP, a call claiming it, orphaning): to the
 * tail of the touched list, for rtp_table_changes; the LRU, and so the
 * eviction order, is left to packets. */
static void mark_changed(rtp_table_t *t, rtp_stream_t *s)
{
    s->touch_scan = t->scans;
    if (s->touched) {
        if (s == t->touch_tail) return;
        DL_REMOVE(t->touch_head, t->touch_tail, s, touch_prev, touch_next);
    }
    DL_APPEND(t->touch_head, t->touch_tail, s, touch_prev, touch_next);
    s->touched = true;
}

static rtp_stream_t *stream_create(rtp_table_t *t, const snb_packet_t *pkt, const rtp_hdr_t *h,
                                   const rtp_endpoint_t *ep, uint8_t assoc)
{
    if (t->n_streams >= t->cfg.max_streams && t->lru_head) {
        rtp_stream_t *v = t->lru_head; /* the least recently active */
        if (v->dtmf) rtp_dtmf_flush(v->dtmf);
        if (t->cfg.on_stream_end) t->cfg.on_stream_end(t->cfg.ud, v, true);
        stream_unlink(t, v);
        free(v->dtmf);
        free(v);
        t->st.evicted++;
    }
    rtp_stream_t *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->id = ++t->next_id;
    s->src = pkt->src;
    s->dst = pkt->dst;
    s->sport = pkt->sport;
    s->dport = pkt->dport;
    s->ssrc = h->ssrc;
    s->from_side = RTP_SIDE_NONE;
    s->te_pt = t->cfg.default_te_pt;
    s->rtcp.rtt_ms = -1;
    if (ep) stream_assoc(s, ep, assoc);
    stream_set_codec(s, ep, h->pt);
    uint32_t sdp_rate = 0;
    const char *enc = pt_encoding(ep, h->pt, &sdp_rate);
    if (ep) rtp_endpoint_format(ep, h->pt, NULL, &sdp_rate);
    rtp_stream_init(&s->stats, h->ssrc, h->pt, rtp_jitter_clock(h->pt, enc, sdp_rate),
                    t->cfg.interval_us);
    s->heuristic = ep == NULL;

    if (t->n_streams + 1 > t->mask + 1 && t->mask + 1 < 2 * (uint64_t)t->cfg.max_streams)
        grow_buckets(t); /* before s joins the list: it is indexed once, below */
    DL_APPEND(t->all_head, t->all_tail, s, all_prev, all_next);
    index_stream(t, s);
    DL_APPEND(t->lru_head, t->lru_tail, s, lru_prev, lru_next);
    s->lru_us = t->now_us;
    if (!ep) {
        s->unclaimed = true;
        DL_APPEND(t->un_head, t->un_tail, s, un_prev, un_next);
    }
    t->n_streams++;
    t->st.streams++;
    if (ep)
        t->st.streams_sdp++;
    else
        t->st.streams_heuristic++;
    return s;
}

/* Telephone-events go to the stream's digit tracker, created on the first. */
static void stream_dtmf(const rtp_table_t *t, rtp_stream_t *s, const rtp_hdr_t *h, uint64_t at)
{
    if (!s->dtmf) {
        uint32_t rate = 0;
        const rtp_endpoint_t *ep = stream_endpoint(t, s);
        if (ep) rtp_endpoint_format(ep, h->pt, NULL, &rate);
        s->dtmf = malloc(sizeof *s->dtmf);
        if (!s->dtmf) return; /* digits lost, packets still counted */
        rtp_dtmf_init(s->dtmf, rate);
    }
    rtp_dtmf_update(s->dtmf, h, at);
}

static void stream_step(rtp_stream_t *s, uint32_t step)
{
    unsigned min = 0;
    for (unsigned i = 0; i < 4; i++) {
        if (s->step_cnt[i] && s->step_val[i] == step) {
            s->step_cnt[i]++;
            return;
        }
        if (s->step_cnt[i] < s->step_cnt[min]) min = i;
    }
    s->step_val[min] = step;
    s->step_cnt[min] = 1;
}

static void stream_packet(rtp_table_t *t, rtp_stream_t *s, const rtp_hdr_t *h, uint64_t at)
{
    rtp_stream_update(&s->stats, h, at);
    if (!s->first_us || at < s->first_us) s->first_us = at;
    if (at > s->last_us) s->last_us = at;
    if (s->te_pt >= 0 && h->pt == (uint8_t)s->te_pt) {
        s->dtmf_packets++;
        stream_dtmf(t, s, h, at);
    } else if (h->pt == PT_CN || h->pt == PT_CN_OLD) {
        s->cn_packets++;
    } else {
        if (!s->audio_packets) {
            s->first_audio_us = at;
            /* Name the stream after its audio, not a leading DTMF/CN packet. */
            if (h->pt != s->stats.pt) stream_set_codec(s, stream_endpoint(t, s), h->pt);
        }
        s->audio_packets++;
        if (at > s->last_audio_us) s->last_audio_us = at;
        uint32_t step = h->ts - s->last_ts;
        if (s->have_last && (uint16_t)(s->last_seq + 1) == h->seq && h->pt == s->last_pt &&
            step > 0 && s->clock_rate && step <= s->clock_rate)
            stream_step(s, step);
        s->have_last = true;
        s->last_seq = h->seq;
        s->last_ts = h->ts;
        s->last_pt = h->pt;
    }
    /* Approximate LRU: move to the tail at most once per LRU_STEP_US of
     * capture time. Relinking on every packet would touch two other streams'
     * cache lines per packet; eviction order is unchanged at that resolution. */
    if (t->now_us - s->lru_us >= LRU_STEP_US || s->stats.packets == 2) lru_touch(t, s);
    t->st.rtp_packets++;
}

/* ---- heuristic candidates ------------------------------------------------ */

static pending_t **pend_slot(rtp_table_t *t, const snb_packet_t *pkt, uint32_t ssrc)
{
    uint64_t h = key_hash(t, &pkt->src, pkt->sport, &pkt->dst, pkt->dport, ssrc);
    pending_t **pp = &t->pbkt[h & t->pmask];
    for (; *pp; pp = &(*pp)->hnext) {
        pending_t *p = *pp;
        if (p->ssrc == ssrc && p->sport == pkt->sport && p->dport == pkt->dport &&
            rtp_addr_eq(&p->src, &pkt->src) && rtp_addr_eq(&p->dst, &pkt->dst))
            break;
    }
    return pp;
}

static void pend_release(rtp_table_t *t, pending_t *p, bool dropped)
{
    uint64_t h = key_hash(t, &p->src, p->sport, &p->dst, p->dport, p->ssrc);
    for (pending_t **pp = &t->pbkt[h & t->pmask]; *pp; pp = &(*pp)->hnext)
        if (*pp == p) {
            *pp = p->hnext;
            break;
        }
    DL_REMOVE(t->plru_head, t->plru_tail, p, lru_prev, lru_next);
    if (dropped) t->st.pending_dropped += p->n;
    p->hnext = t->pend_free;
    t->pend_free = p;
    t->n_pending--;
}

static void pend_hold(pending_t *p, const rtp_hdr_t *h, uint64_t at)
{
    held_t *x = &p->held[p->n++];
    x->seq = h->seq;
    x->ts = h->ts;
    x->pt = h->pt;
    x->marker = h->marker;
    x->payload_len = h->payload_len;
    memset(x->pl, 0, sizeof x->pl);
    if (h->payload) memcpy(x->pl, h->payload, h->payload_len < 4 ? h->payload_len : 4);
    x->at_us = at;
}

/* Could this packet be RTP at all? Well-known ports carry other protocols
 * (DNS, NTP, NetBIOS, ...); RTP uses unprivileged ports. Payload types must
 * be assigned: static ones of RFC 3551 or dynamic 96-127. */
static bool heur_plausible(const snb_packet_t *pkt, const rtp_hdr_t *h)
{
    if (pkt->sport < 1024 || pkt->dport < 1024) return false;
    return h->pt >= 96 || rtp_static_pt_name(h->pt) != NULL;
}

/* Does b follow a as the next packets of one RTP stream would? */
static bool heur_follows(const held_t *a, const rtp_hdr_t *b, uint64_t at, uint64_t timeout)
{
    uint16_t dseq = (uint16_t)(b->seq - a->seq);
    uint32_t dts = b->ts - a->ts;
    return dseq >= 1 && dseq <= RTP_HEUR_MAX_SEQ_GAP && dts < 0x80000000u && at >= a->at_us &&
           at - a->at_us <= timeout;
}

/* 1: confirmed (*held gets the candidate, to replay and release), 0: held
 * back, -1: not RTP. */
static int heuristic(rtp_table_t *t, const snb_packet_t *pkt, const rtp_hdr_t *h, pending_t **held)
{
    pending_t **slot = pend_slot(t, pkt, h->ssrc);
    pending_t *p = *slot;
    *held = NULL;
    if (!heur_plausible(pkt, h)) {
        if (p) pend_release(t, p, true);
        return -1;
    }
    if (p) {
        const held_t *last = &p->held[p->n - 1];
        if (h->seq == last->seq) {
            /* a duplicate: keep it to count it, it proves nothing */
            if (p->n < HELD_MAX)
                pend_hold(p, h, pkt->ts_us);
            else
                t->st.pending_dropped++;
        } else if (heur_follows(last, h, pkt->ts_us, t->cfg.pending_timeout_us) &&
                   p->n < HELD_MAX) {
            pend_hold(p, h, pkt->ts_us);
            p->good++;
        } else {
            t->st.pending_dropped += p->n; /* start over from this packet */
            p->n = p->good = 0;
            pend_hold(p, h, pkt->ts_us);
        }
        DL_REMOVE(t->plru_head, t->plru_tail, p, lru_prev, lru_next);
        DL_APPEND(t->plru_head, t->plru_tail, p, lru_prev, lru_next);
        if (p->good + 1u >= t->cfg.heur_packets) {
            *held = p;
            return 1;
        }
        return 0;
    }
    if (!t->pend_free) {
        pend_release(t, t->plru_head, true);
        t->st.pending_evicted++;
        slot = pend_slot(t, pkt, h->ssrc); /* the chain may have changed */
    }
    p = t->pend_free;
    t->pend_free = p->hnext;
    memset(p, 0, sizeof *p);
    p->src = pkt->src;
    p->dst = pkt->dst;
    p->sport = pkt->sport;
    p->dport = pkt->dport;
    p->ssrc = h->ssrc;
    pend_hold(p, h, pkt->ts_us);
    p->hnext = *slot;
    *slot = p;
    DL_APPEND(t->plru_head, t->plru_tail, p, lru_prev, lru_next);
    t->n_pending++;
    return 0;
}

/* Count the packets a candidate held back, oldest first. */
static void pend_replay(rtp_table_t *t, rtp_stream_t *s, pending_t *p, const rtp_hdr_t *now)
{
    for (unsigned i = 0; i < p->n; i++) {
        const held_t *x = &p->held[i];
        rtp_hdr_t h = *now;
        h.seq = x->seq;
        h.ts = x->ts;
        h.pt = x->pt;
        h.marker = x->marker;
        h.payload = x->pl; /* only the first 4 bytes are kept */
        h.payload_len = x->payload_len;
        h.csrc_count = 0;
        h.csrc = NULL;
        h.ext = NULL;
        stream_packet(t, s, &h, x->at_us);
    }
    p->n = 0;
}

/* ---- RTCP ---------------------------------------------------------------- */

typedef struct rtcp_ctx {
    rtp_table_t *t;
    const snb_packet_t *pkt;
} rtcp_ctx_t;

typedef void (*stream_fn)(rtp_stream_t *s, const void *arg, const rtcp_ctx_t *c);

/* Apply fn to the streams of ssrc; when several 5-tuples carry it (a relay
 * forwarding one SSRC), only to those whose sender (by_src) or receiver is
 * the RTCP packet's source address, if any is. */
static void for_ssrc(const rtcp_ctx_t *c, uint32_t ssrc, bool by_src, stream_fn fn, const void *arg)
{
    rtp_table_t *t = c->t;
    bool any_match = false;
    for (rtp_stream_t *s = t->sbkt[ssrc_hash(t, ssrc) & t->mask]; s; s = s->snext)
        if (s->ssrc == ssrc && rtp_addr_eq(by_src ? &s->src : &s->dst, &c->pkt->src))
            any_match = true;
    for (rtp_stream_t *s = t->sbkt[ssrc_hash(t, ssrc) & t->mask]; s; s = s->snext)
        if (s->ssrc == ssrc &&
            (!any_match || rtp_addr_eq(by_src ? &s->src : &s->dst, &c->pkt->src))) {
            fn(s, arg, c);
            mark_changed(t, s); /* its RTCP figures */
        }
}

static void on_sr(rtp_stream_t *s, const void *arg, const rtcp_ctx_t *c)
{
    const rtcp_packet_t *p = arg;
    rtp_stream_rtcp_t *r = &s->rtcp;
    r->sr_packets++;
    unsigned i = r->n_sr++ % RTP_STREAM_SR_RING;
    r->sr[i].ntp_mid = (p->ntp_sec << 16) | (p->ntp_frac >> 16);
    r->sr[i].at_us = c->pkt->ts_us;
}

static void on_sender(rtp_stream_t *s, const void *arg, const rtcp_ctx_t *c)
{
    (void)arg;
    (void)c;
    s->rtcp_packets++;
}

static void on_block(rtp_stream_t *s, const void *arg, const rtcp_ctx_t *c)
{
    const rtcp_report_block_t *b = arg;
    rtp_stream_rtcp_t *r = &s->rtcp;
    uint64_t at = c->pkt->ts_us;
    r->rr_blocks++;
    r->last_us = at;
    r->fraction_lost = b->fraction_lost;
    r->cumulative_lost = b->cumulative_lost;
    r->jitter_ms = s->clock_rate ? b->jitter * 1000.0 / s->clock_rate : -1;
    if (!b->lsr) return;
    /* RTT = arrival of this block - arrival of the SR it echoes - DLSR, both
     * arrivals in capture time: the round trip beyond the capture point. */
    unsigned n = r->n_sr < RTP_STREAM_SR_RING ? r->n_sr : RTP_STREAM_SR_RING;
    for (unsigned i = 0; i < n; i++) {
        if (r->sr[i].ntp_mid != b->lsr || at < r->sr[i].at_us) continue;
        double rtt_ms = (double)(at - r->sr[i].at_us) / 1000.0 - b->dlsr * 1000.0 / 65536.0;
        if (rtt_ms >= -1.0) { /* DLSR has 1/65536 s resolution */
            r->rtt_ms = rtt_ms < 0 ? 0 : rtt_ms;
            c->t->st.rtt_samples++;
        }
        break;
    }
}

static void on_xr(rtp_stream_t *s, const void *arg, const rtcp_ctx_t *c)
{
    (void)c;
    s->rtcp.has_xr = true;
    s->rtcp.xr_blocks++;
    s->rtcp.xr = *(const rtcp_xr_voip_t *)arg;
}

static void on_rtcp(void *ud, const rtcp_packet_t *p)
{
    const rtcp_ctx_t *c = ud;
    if (p->type == RTCP_SR) for_ssrc(c, p->ssrc, true, on_sr, p);
    if (p->type == RTCP_SR || p->type == RTCP_RR || p->type == RTCP_XR)
        for_ssrc(c, p->ssrc, true, on_sender, p);
    if (p->type == RTCP_SR || p->type == RTCP_RR)
        for (unsigned i = 0; i < p->n_blocks && i < RTCP_MAX_BLOCKS; i++)
            for_ssrc(c, p->blocks[i].ssrc, false, on_block, &p->blocks[i]);
    if (p->type == RTCP_XR)
        for (unsigned i = 0; i < p->n_voip && i < 4; i++)
            for_ssrc(c, p->voip[i].ssrc, false, on_xr, &p->voip[i]);
}

/* ---- packets ------------------------------------------------------------- */

int rtp_table_packet(rtp_table_t *t, const snb_packet_t *pkt, const rtp_stream_t **stream)
{
    if (stream) *stream = NULL;
    if (pkt->transport != SNB_TRANSPORT_UDP || !pkt->payload || pkt->payload_len == 0)
        return RTP_TABLE_NONE;
    rtp_table_advance(t, pkt->ts_us);
    if (rtcp_looks_like(pkt->payload, pkt->payload_len)) {
        rtcp_ctx_t c = {t, pkt};
        rtcp_parse_compound(pkt->payload, pkt->payload_len, on_rtcp, &c);
        t->st.rtcp_packets++;
        return RTP_TABLE_RTCP;
    }
    rtp_hdr_t h;
    if (rtp_parse(pkt->payload, pkt->payload_len, &h) != 0) {
        t->st.non_rtp++;
        return RTP_TABLE_NONE;
    }
    uint64_t hk = key_hash(t, &pkt->src, pkt->sport, &pkt->dst, pkt->dport, h.ssrc);
    rtp_stream_t *s = t->bkt[hk & t->mask];
    while (s && !key_eq(s, &pkt->src, pkt->sport, &pkt->dst, pkt->dport, h.ssrc))
        s = s->hnext;
    if (!s) {
        uint8_t assoc;
        const rtp_endpoint_t *ep =
            endpoint_for(t, &pkt->src, pkt->sport, &pkt->dst, pkt->dport, &assoc);
        pending_t *p = NULL;
        if (ep) {
            p = *pend_slot(t, pkt, h.ssrc); /* packets held before the SDP came */
        } else {
            int r = t->cfg.heuristic ? heuristic(t, pkt, &h, &p) : -1;
            if (r < 0) {
                t->st.non_rtp++;
                return RTP_TABLE_NONE;
            }
            if (r == 0) return RTP_TABLE_PENDING;
        }
        s = stream_create(t, pkt, &h, ep, assoc);
        if (!s) return RTP_TABLE_NONE;
        if (p) {
            bool last_held = !ep; /* the heuristic held this packet too */
            if (last_held) p->n--;
            pend_replay(t, s, p, &h);
            pend_release(t, p, false);
        }
    }
    stream_packet(t, s, &h, pkt->ts_us);
    if (stream) *stream = s;
    return RTP_TABLE_RTP;
}

unsigned rtp_table_sdp(rtp_table_t *t)
{
    unsigned n = 0;
    rtp_stream_t *s = t->un_head;
    while (s) {
        rtp_stream_t *next = s->un_next;
        uint8_t assoc;
        const rtp_endpoint_t *ep = endpoint_for(t, &s->src, s->sport, &s->dst, s->dport, &assoc);
        if (ep) {
            stream_assoc(s, ep, assoc);
            call_index(t, s);
            mark_changed(t, s); /* now part of a call */
            stream_set_codec(s, ep, s->audio_packets ? s->last_pt : s->stats.pt);
            s->unclaimed = false;
            DL_REMOVE(t->un_head, t->un_tail, s, un_prev, un_next);
            t->st.claimed_late++;
            n++;
        }
        s = next;
    }
    return n;
}

void rtp_table_advance(rtp_table_t *t, uint64_t now_us)
{
    if (now_us > t->now_us) t->now_us = now_us;
    now_us = t->now_us;
    while (t->un_head && now_us >= t->un_head->first_us &&
           now_us - t->un_head->first_us >= t->cfg.orphan_timeout_us) {
        rtp_stream_t *s = t->un_head;
        DL_REMOVE(t->un_head, t->un_tail, s, un_prev, un_next);
        s->unclaimed = false;
        s->orphaned = true;
        mark_changed(t, s);
        t->st.orphaned++;
    }
    while (t->plru_head) {
        pending_t *p = t->plru_head;
        uint64_t last = p->held[p->n - 1].at_us;
        if (now_us < last || now_us - last <= t->cfg.pending_timeout_us) break;
        pend_release(t, p, true);
    }
}

/* ---- lookups ------------------------------------------------------------- */

size_t rtp_table_by_ssrc(const rtp_table_t *t, uint32_t ssrc, const rtp_stream_t **out, size_t max)
{
    size_t n = 0;
    for (const rtp_stream_t *s = t->sbkt[ssrc_hash(t, ssrc) & t->mask]; s; s = s->snext)
        if (s->ssrc == ssrc) {
            if (n < max) out[n] = s;
            n++;
        }
    return n;
}

const rtp_stream_t *rtp_table_first(const rtp_table_t *t)
{
    return t->all_head;
}

const rtp_stream_t *rtp_table_next(const rtp_stream_t *s)
{
    return s ? s->all_next : NULL;
}

const rtp_stream_t *rtp_table_call_next(const rtp_table_t *t, const char *call_id,
                                        const rtp_stream_t *prev)
{
    size_t len = strlen(call_id);
    if (!t->calls) return NULL; /* no SDP, no call: no stream has a Call-ID */
    /* prev is one of the call's: its hash is the call's */
    uint64_t h = prev ? prev->call_hash : rtp_calls_hash_id(t->calls, call_id, len);
    if (len > RTP_CALL_ID_MAX - 1) len = RTP_CALL_ID_MAX - 1;
    for (const rtp_stream_t *s = prev ? prev->cnext : t->cbkt[h & t->mask]; s; s = s->cnext)
        if (s->call_hash == h && strncmp(s->call_id, call_id, len) == 0 && s->call_id[len] == 0)
            return s;
    return NULL;
}

size_t rtp_table_count(const rtp_table_t *t)
{
    return t->n_streams;
}

uint32_t rtp_stream_ptime_ms(const rtp_stream_t *s)
{
    unsigned best = 0;
    for (unsigned i = 1; i < 4; i++)
        if (s->step_cnt[i] > s->step_cnt[best]) best = i;
    if (!s->step_cnt[best] || !s->clock_rate) return 0;
    return (uint32_t)(((uint64_t)s->step_val[best] * 1000 + s->clock_rate / 2) / s->clock_rate);
}

double rtp_stream_mos(const rtp_stream_t *s)
{
    double loss = rtp_stream_loss_pct(&s->stats);
    if (loss < 0) loss = 0;
    double rtt = s->rtcp.rr_blocks && s->rtcp.rtt_ms >= 0 ? s->rtcp.rtt_ms : -1;
    return rtp_mos(s->codec[0] ? s->codec : NULL, loss, s->stats.mean_jitter_ms, rtt);
}

const rtp_table_stats_t *rtp_table_stats(const rtp_table_t *t)
{
    return &t->st;
}

/* ---- change feed ---- */

/* What a consumer would show of a stream, hashed: all of it (feed_sig),
 * and all but the packet counters (state_sig). */
static uint64_t fnv_words(const uint64_t *w, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ w[i]) * 1099511628211ull;
    return h | 1; /* never 0, the "not yet handed over" value */
}

static uint64_t state_sig(const rtp_stream_t *s, bool active)
{
    const uint64_t parts[] = {s->rtcp.last_us, s->rtcp_packets,    s->call_hash,     s->orphaned,
                              active,          s->rtcp.sr_packets, s->rtcp.xr_blocks};
    return fnv_words(parts, sizeof parts / sizeof parts[0]);
}

static uint64_t feed_sig(const rtp_stream_t *s, uint64_t state)
{
    const uint64_t parts[] = {state, s->stats.packets, s->stats.max_ext_seq};
    return fnv_words(parts, sizeof parts / sizeof parts[0]);
}

bool rtp_table_stream_active(const rtp_table_t *t, const rtp_stream_t *s, uint64_t window_us,
                             bool ended)
{
    return !ended && t->now_us - s->last_us <= window_us;
}

static bool feed_active(const rtp_table_t *t, const rtp_stream_t *s, const rtp_feed_rule_t *r)
{
    return rtp_table_stream_active(t, s, r->active_window_us, r->ended);
}

static int by_id(const void *a, const void *b)
{
    uint64_t x = (*(rtp_stream_t *const *)a)->id, y = (*(rtp_stream_t *const *)b)->id;
    return x < y ? -1 : x > y;
}

static bool changed_push(rtp_table_t *t, size_t n, rtp_stream_t *s)
{
    if (n == t->changed_cap) {
        size_t cap = t->changed_cap ? 2 * t->changed_cap : 256;
        rtp_stream_t **p = realloc(t->changed, cap * sizeof *p);
        if (!p) return false;
        t->changed = p;
        t->changed_cap = cap;
    }
    t->changed[n] = s;
    return true;
}

/* One stream of a scan: its version moves on if its signature changed,
 * unless only its counters did, on a stream still active, within the
 * rule's progress_ms (then it stays as it was, to be looked at again: the
 * next scans walk back past it, as it is active). False when it could not
 * be kept for the hand-over (out of memory). */
static bool scan_one(rtp_table_t *t, rtp_stream_t *s, const rtp_table_cursor_t *c,
                     const rtp_feed_rule_t *r, size_t *n)
{
    t->st.change_visits++;
    bool active = feed_active(t, s, r);
    uint64_t state = state_sig(s, active), sig = feed_sig(s, state);
    if (sig != s->fed_sig) {
        bool progress_only = active && (uint32_t)state == s->fed_state;
        if (!progress_only || (uint32_t)(r->now_ms - s->fed_ms) >= r->progress_ms) {
            s->fed_sig = sig;
            s->fed_state = (uint32_t)state;
            s->fed_ms = r->now_ms;
            s->version = ++t->version;
        }
    }
    if (s->version <= c->seen) return true;
    if (!changed_push(t, *n, s)) return false;
    (*n)++;
    return true;
}

size_t rtp_table_changes(rtp_table_t *t, rtp_table_cursor_t *c, const rtp_feed_rule_t *rule,
                         rtp_stream_feed_fn fn, void *ud)
{
    /* A stream's version moves on when its signature differs from the one
     * the last scan saw, whichever consumer scanned. For this consumer,
     * only streams moved since its last scan can have changed: on the LRU
     * (packets, at most a step after the last move; less the active window
     * for those that went quiet) and on the touched list. */
    uint64_t margin = rule->active_window_us + LRU_STEP_US;
    bool all = c->seen == 0;
    uint64_t since = all || c->scan_us < margin ? 0 : c->scan_us - margin;
    size_t n = 0;
    bool kept = true;
    for (rtp_stream_t *s = t->lru_tail; kept && s && s->lru_us >= since; s = s->lru_prev)
        kept = scan_one(t, s, c, rule, &n);
    /* touched since this consumer's last scan: touch_scan counts scans, and
     * wraps after 2^32 of them (years at a scan per refresh) */
    for (rtp_stream_t *s = t->touch_tail;
         kept && s && (all || (int32_t)(s->touch_scan - c->scans) >= 0); s = s->touch_prev)
        kept = scan_one(t, s, c, rule, &n);
    if (n > 1) qsort(t->changed, n, sizeof *t->changed, by_id);
    size_t handed = 0;
    for (size_t i = 0; i < n; i++) {
        const rtp_stream_t *s = t->changed[i];
        if (i && s == t->changed[i - 1]) continue; /* on both lists */
        fn(ud, s, feed_active(t, s, rule));
        handed++;
    }
    /* Out of memory: this consumer is handed everything next time. */
    c->seen = kept ? t->version : 0;
    c->scan_us = t->now_us;
    c->scans = ++t->scans;
    return handed;
}
