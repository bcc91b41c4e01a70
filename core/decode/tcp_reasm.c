/* TCP stream reassembly (see tcp_reasm.h for the policy).
 *
 * State is one heap object per tracked direction plus one per buffered
 * out-of-order segment. The common case (known direction, in-order segment,
 * nothing buffered) only hashes, compares and calls back with the caller's
 * packet pointing into the frame: no copy, no allocation. Sequence numbers are
 * compared with 32-bit serial arithmetic, so wrap-around needs no special case;
 * stream offsets are 64-bit counters advanced by delivered and skipped bytes. */
#include "tcp_reasm.h"

#include <stdlib.h>
#include <string.h>

#include "flowhash.h"

typedef struct tcp_seg {
    struct tcp_seg *next;
    uint32_t seq, len;
    uint8_t data[];
} tcp_seg_t;

typedef struct tcp_key {
    uint8_t src[16];
    uint8_t dst[16];
    uint16_t sport, dport;
    uint8_t family;
    uint8_t zero[3];
} tcp_key_t;

typedef struct tcp_dir {
    struct tcp_dir *hnext;
    struct tcp_dir *older, *newer; /* idle list: oldest activity first */
    tcp_key_t key;
    uint64_t id;
    uint64_t offset; /* stream offset of next_seq */
    uint64_t last_ts;
    uint32_t next_seq;
    uint32_t buffered;
    tcp_seg_t *ooo;    /* sorted by sequence, all ahead of next_seq */
    snb_packet_t tmpl; /* addresses/ports/vlans for packets released later */
} tcp_dir_t;

struct snb_tcp_reasm {
    snb_decode_stats_t *st;
    snb_hash_key_t key;
    snb_packet_cb cb;
    void *ud;
    uint32_t max_streams, max_buf;
    uint64_t timeout_us;
    uint32_t count, mask;
    uint64_t next_id;
    tcp_dir_t **buckets;
    tcp_dir_t *oldest, *newest;
};

static inline int32_t seq_diff(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b);
}

snb_tcp_reasm_t *snb_tcp_reasm_new(const snb_decode_limits_t *lim, snb_decode_stats_t *st,
                                   snb_packet_cb cb, void *ud)
{
    snb_tcp_reasm_t *t = calloc(1, sizeof(*t));
    if (!t) return NULL;
    t->st = st;
    t->cb = cb;
    t->ud = ud;
    t->max_streams = lim->tcp_max_streams;
    t->key = lim->hash_key;
    t->max_buf = lim->tcp_max_buffered;
    t->timeout_us = (uint64_t)lim->tcp_timeout_ms * 1000;
    t->next_id = 1;
    uint32_t nb = snb_pow2_buckets(t->max_streams);
    t->mask = nb - 1;
    t->buckets = calloc(nb, sizeof(*t->buckets));
    if (!t->buckets) {
        free(t);
        return NULL;
    }
    return t;
}

static void lru_unlink(snb_tcp_reasm_t *t, tcp_dir_t *d)
{
    if (d->older)
        d->older->newer = d->newer;
    else
        t->oldest = d->newer;
    if (d->newer)
        d->newer->older = d->older;
    else
        t->newest = d->older;
}

static void lru_append(snb_tcp_reasm_t *t, tcp_dir_t *d)
{
    d->newer = NULL;
    d->older = t->newest;
    if (t->newest)
        t->newest->newer = d;
    else
        t->oldest = d;
    t->newest = d;
}

static void dir_drop(snb_tcp_reasm_t *t, tcp_dir_t *d)
{
    tcp_dir_t **pp = &t->buckets[snb_hash_fixed(&t->key, &d->key, sizeof(d->key)) & t->mask];
    while (*pp != d)
        pp = &(*pp)->hnext;
    *pp = d->hnext;
    lru_unlink(t, d);
    while (d->ooo) {
        tcp_seg_t *s = d->ooo;
        d->ooo = s->next;
        free(s);
    }
    t->count--;
    free(d);
}

void snb_tcp_reasm_free(snb_tcp_reasm_t *t)
{
    if (!t) return;
    while (t->oldest)
        dir_drop(t, t->oldest);
    free(t->buckets);
    free(t);
}

/* Deliver n bytes at next_seq from a copy of the template (buffered data). */
static void release(snb_tcp_reasm_t *t, tcp_dir_t *d, const uint8_t *data, uint32_t n, uint32_t gap,
                    uint64_t ts, const snb_frame_t *frame)
{
    snb_packet_t p = d->tmpl;
    p.ts_us = ts;
    p.frame = frame;
    p.flags |= SNB_PKT_TCP_STREAM | gap;
    p.stream_id = d->id;
    p.stream_offset = d->offset;
    p.payload = data;
    p.payload_len = n;
    t->cb(t->ud, &p);
    d->offset += n;
    d->next_seq += n;
}

/* Deliver buffered segments that are now in order; with force, skip the holes
 * between them too (each hole counts one tcp_gaps). */
static void drain(snb_tcp_reasm_t *t, tcp_dir_t *d, int force, uint64_t ts,
                  const snb_frame_t *frame)
{
    while (d->ooo) {
        tcp_seg_t *s = d->ooo;
        int32_t ahead = seq_diff(s->seq, d->next_seq);
        uint32_t gap = 0;
        if (ahead > 0) {
            if (!force) break;
            d->offset += (uint32_t)ahead;
            d->next_seq = s->seq;
            gap = SNB_PKT_TCP_GAP;
            t->st->tcp_gaps++;
        }
        d->ooo = s->next;
        d->buffered -= s->len;
        uint32_t skip = d->next_seq - s->seq;
        if (skip < s->len) release(t, d, s->data + skip, s->len - skip, gap, ts, frame);
        free(s);
    }
}

/* Deliver straight from the segment (the fast path); the caller advances. */
static void deliver_now(snb_tcp_reasm_t *t, tcp_dir_t *d, snb_packet_t *pkt, const uint8_t *data,
                        uint32_t n)
{
    pkt->flags |= SNB_PKT_TCP_STREAM;
    pkt->stream_id = d->id;
    pkt->stream_offset = d->offset;
    pkt->payload = data;
    pkt->payload_len = n;
    t->cb(t->ud, pkt);
}

/* In-order (possibly overlapping) segment [seq, end): deliver the new bytes
 * that were captured, then move past the whole segment. */
static void take_in_order(snb_tcp_reasm_t *t, tcp_dir_t *d, snb_packet_t *pkt, uint32_t seq,
                          uint32_t end, const uint8_t *data, uint32_t caplen)
{
    uint32_t skip = d->next_seq - seq;
    if (skip < caplen) deliver_now(t, d, pkt, data + skip, caplen - skip);
    uint32_t adv = end - d->next_seq;
    d->offset += adv;
    d->next_seq = end;
}

/* Buffer a segment ahead of next_seq (a duplicate of a buffered one is a
 * retransmission). */
static void buffer_seg(snb_tcp_reasm_t *t, tcp_dir_t *d, uint32_t seq, const uint8_t *data,
                       uint32_t len)
{
    tcp_seg_t **pp = &d->ooo;
    int32_t rel = seq_diff(seq, d->next_seq);
    while (*pp && seq_diff((*pp)->seq, d->next_seq) < rel)
        pp = &(*pp)->next;
    if (*pp && (*pp)->seq == seq && (*pp)->len >= len) {
        t->st->tcp_retransmits++;
        return;
    }
    tcp_seg_t *s = malloc(sizeof(*s) + len);
    if (!s) {
        t->st->tcp_buffer_overflow += len;
        return;
    }
    s->seq = seq;
    s->len = len;
    memcpy(s->data, data, len);
    s->next = *pp;
    *pp = s;
    d->buffered += len;
    t->st->tcp_out_of_order++;
}

static void data_seg(snb_tcp_reasm_t *t, tcp_dir_t *d, snb_packet_t *pkt, uint32_t seq,
                     const uint8_t *data, uint32_t caplen, uint32_t len)
{
    uint32_t end = seq + len;
    if (seq_diff(end, d->next_seq) <= 0) {
        t->st->tcp_retransmits++;
        return;
    }
    if (seq_diff(seq, d->next_seq) <= 0) {
        take_in_order(t, d, pkt, seq, end, data, caplen);
        if (d->ooo) drain(t, d, 0, pkt->ts_us, pkt->frame);
        return;
    }
    if (caplen < len) { /* cannot hold bytes we do not have */
        t->st->tcp_buffer_overflow += len;
        return;
    }
    if (d->buffered + (uint64_t)len > t->max_buf) {
        /* Buffer full: give up on the hole, release what we hold, retry. */
        drain(t, d, 1, pkt->ts_us, pkt->frame);
        if (seq_diff(end, d->next_seq) <= 0) {
            t->st->tcp_retransmits++;
            return;
        }
        if (seq_diff(seq, d->next_seq) <= 0) {
            take_in_order(t, d, pkt, seq, end, data, caplen);
            return;
        }
        if (len > t->max_buf) {
            t->st->tcp_buffer_overflow += len;
            return;
        }
    }
    buffer_seg(t, d, seq, data, len);
}

static void make_key(tcp_key_t *k, const snb_packet_t *pkt)
{
    memcpy(k->src, pkt->src.a, 16);
    memcpy(k->dst, pkt->dst.a, 16);
    k->sport = pkt->sport;
    k->dport = pkt->dport;
    k->family = pkt->src.family;
    k->zero[0] = k->zero[1] = k->zero[2] = 0;
}

static tcp_dir_t *dir_new(snb_tcp_reasm_t *t, const tcp_key_t *k, uint64_t h,
                          const snb_packet_t *pkt)
{
    tcp_dir_t *d = malloc(sizeof(*d));
    if (!d) return NULL;
    d->key = *k;
    d->id = t->next_id++;
    d->offset = 0;
    d->buffered = 0;
    d->ooo = NULL;
    d->tmpl = *pkt;
    d->tmpl.flags &= SNB_PKT_TUNNELLED;
    d->tmpl.payload = NULL;
    d->tmpl.payload_len = 0;
    tcp_dir_t **b = &t->buckets[h & t->mask];
    d->hnext = *b;
    *b = d;
    lru_append(t, d);
    t->count++;
    t->st->tcp_streams++;
    return d;
}

void snb_tcp_reasm_segment(snb_tcp_reasm_t *t, snb_packet_t *pkt, uint32_t seq, uint8_t flags,
                           uint32_t seg_len)
{
    const uint8_t *data = pkt->payload;
    uint32_t caplen = pkt->payload_len;
    uint32_t len = seg_len > caplen ? seg_len : caplen;
    if (len) t->st->tcp_segments_data++;
    tcp_key_t k;
    make_key(&k, pkt);
    uint64_t h = snb_hash_fixed(&t->key, &k, sizeof(k));
    tcp_dir_t *d = t->buckets[h & t->mask];
    while (d && memcmp(&d->key, &k, sizeof(k)) != 0)
        d = d->hnext;
    /* Data in a SYN (TCP Fast Open) starts after the SYN's sequence number. */
    uint32_t dseq = (flags & SNB_TCP_SYN) ? seq + 1 : seq;

    if (d && (flags & SNB_TCP_SYN)) {
        int32_t rel = seq_diff(dseq, d->next_seq);
        if (rel > 0 || rel < -(1 << 30)) {
            /* A new connection reusing the 5-tuple: close the old one. */
            drain(t, d, 1, pkt->ts_us, pkt->frame);
            dir_drop(t, d);
            d = NULL;
        }
    }
    if (!d) {
        if ((flags & SNB_TCP_RST) || (!(flags & SNB_TCP_SYN) && len == 0)) return;
        if (t->count >= t->max_streams) {
            t->st->tcp_overflow++;
            if (caplen) {
                pkt->flags |= SNB_PKT_TCP_STREAM | SNB_PKT_TCP_GAP;
                pkt->stream_id = h | (1ull << 63);
                pkt->stream_offset = seq;
                t->cb(t->ud, pkt);
            }
            return;
        }
        d = dir_new(t, &k, h, pkt);
        if (!d) return;
        d->next_seq = dseq;
    } else if (d != t->newest) {
        lru_unlink(t, d);
        lru_append(t, d);
    }
    d->last_ts = pkt->ts_us;
    if (len) data_seg(t, d, pkt, dseq, data, caplen, len);
    if (flags & (SNB_TCP_FIN | SNB_TCP_RST)) {
        drain(t, d, 1, pkt->ts_us, pkt->frame);
        dir_drop(t, d);
    }
}

void snb_tcp_reasm_expire(snb_tcp_reasm_t *t, uint64_t now_us, const snb_frame_t *frame)
{
    while (t->oldest && t->oldest->last_ts + t->timeout_us < now_us) {
        tcp_dir_t *d = t->oldest;
        t->st->tcp_timeouts++;
        drain(t, d, 1, now_us, frame);
        dir_drop(t, d);
    }
}

void snb_tcp_reasm_flush(snb_tcp_reasm_t *t, const snb_frame_t *frame)
{
    while (t->oldest) {
        tcp_dir_t *d = t->oldest;
        drain(t, d, 1, frame->ts_us, frame);
        dir_drop(t, d);
    }
}
