/* IP fragment reassembly (see ip_reasm.h for the policy).
 *
 * One heap object per datagram under reassembly (never per packet of ordinary
 * traffic). Coverage is a short sorted list of [start, end) intervals kept in
 * the datagram, so duplicates, overlaps and any arrival order are handled by
 * the same code. Datagrams sit in a fixed-size hash table and on a list in
 * creation order, which is also expiry order. */
#include "ip_reasm.h"

#include <stdlib.h>
#include <string.h>

#include "flowhash.h"

/* Disjoint covered ranges per datagram; more fragmented than that is abuse. */
#define IPR_MAX_IVALS 32

typedef struct ipr_ival {
    uint32_t s, e;
} ipr_ival_t;

typedef struct ipr_dgram {
    struct ipr_dgram *hnext;
    struct ipr_dgram *older, *newer;
    snb_frag_key_t key;
    uint64_t first_ts;
    uint32_t total; /* end of the last fragment, UINT32_MAX until seen */
    uint32_t cap;
    uint8_t *buf;
    uint8_t nh;
    uint8_t have_first;
    uint16_t nivals;
    ipr_ival_t iv[IPR_MAX_IVALS];
} ipr_dgram_t;

struct snb_ip_reasm {
    snb_decode_stats_t *st;
    snb_hash_key_t key;
    uint32_t max_dgrams, max_bytes;
    uint64_t timeout_us;
    uint32_t count;
    uint32_t mask;
    ipr_dgram_t **buckets;
    ipr_dgram_t *oldest, *newest;
};

snb_ip_reasm_t *snb_ip_reasm_new(const snb_decode_limits_t *lim, snb_decode_stats_t *st)
{
    snb_ip_reasm_t *r = calloc(1, sizeof(*r));
    if (!r) return NULL;
    r->st = st;
    r->max_dgrams = lim->frag_max_datagrams ? lim->frag_max_datagrams : 1;
    r->key = lim->hash_key;
    r->max_bytes = lim->frag_max_bytes;
    r->timeout_us = (uint64_t)lim->frag_timeout_ms * 1000;
    uint32_t nb = snb_pow2_buckets(r->max_dgrams);
    r->mask = nb - 1;
    r->buckets = calloc(nb, sizeof(*r->buckets));
    if (!r->buckets) {
        free(r);
        return NULL;
    }
    return r;
}

static ipr_dgram_t **bucket_of(snb_ip_reasm_t *r, const snb_frag_key_t *k)
{
    return &r->buckets[snb_hash_fixed(&r->key, k, sizeof(*k)) & r->mask];
}

/* Unlink from hash and age list, then free. */
static void dgram_drop(snb_ip_reasm_t *r, ipr_dgram_t *d)
{
    ipr_dgram_t **pp = bucket_of(r, &d->key);
    while (*pp != d)
        pp = &(*pp)->hnext;
    *pp = d->hnext;
    if (d->older)
        d->older->newer = d->newer;
    else
        r->oldest = d->newer;
    if (d->newer)
        d->newer->older = d->older;
    else
        r->newest = d->older;
    r->count--;
    free(d->buf);
    free(d);
}

void snb_ip_reasm_free(snb_ip_reasm_t *r)
{
    if (!r) return;
    while (r->oldest)
        dgram_drop(r, r->oldest);
    free(r->buckets);
    free(r);
}

void snb_ip_reasm_expire(snb_ip_reasm_t *r, uint64_t now_us)
{
    while (r->oldest && r->oldest->first_ts + r->timeout_us < now_us) {
        r->st->frag_timeouts++;
        dgram_drop(r, r->oldest);
    }
}

void snb_ip_reasm_flush(snb_ip_reasm_t *r)
{
    while (r->oldest) {
        r->st->frag_timeouts++;
        dgram_drop(r, r->oldest);
    }
}

static ipr_dgram_t *dgram_get(snb_ip_reasm_t *r, const snb_frag_key_t *k, uint64_t now_us)
{
    ipr_dgram_t **b = bucket_of(r, k);
    for (ipr_dgram_t *d = *b; d; d = d->hnext)
        if (memcmp(&d->key, k, sizeof(*k)) == 0) return d;
    if (r->count >= r->max_dgrams) {
        r->st->frag_overflow++;
        dgram_drop(r, r->oldest);
    }
    ipr_dgram_t *d = malloc(sizeof(*d));
    if (!d) return NULL;
    d->key = *k;
    d->first_ts = now_us;
    d->total = UINT32_MAX;
    d->cap = 0;
    d->buf = NULL;
    d->nh = 0;
    d->have_first = 0;
    d->nivals = 0;
    d->hnext = *b;
    *b = d;
    d->older = r->newest;
    d->newer = NULL;
    if (r->newest)
        r->newest->newer = d;
    else
        r->oldest = d;
    r->newest = d;
    r->count++;
    return d;
}

static int grow(snb_ip_reasm_t *r, ipr_dgram_t *d, uint32_t need)
{
    if (need <= d->cap) return 0;
    uint32_t ncap = d->total != UINT32_MAX ? d->total : d->cap * 2;
    if (ncap < need) ncap = need;
    if (ncap < 2048) ncap = 2048;
    if (ncap > r->max_bytes) ncap = r->max_bytes;
    uint8_t *nb = realloc(d->buf, ncap);
    if (!nb) return -1;
    d->buf = nb;
    d->cap = ncap;
    return 0;
}

/* Copy the parts of [s,e) not yet covered, compare the parts that are.
 * Returns 1 if an overlap differed. */
static int merge_data(ipr_dgram_t *d, uint32_t s, uint32_t e, const uint8_t *data)
{
    int differ = 0;
    uint32_t cur = s;
    for (uint16_t i = 0; i < d->nivals && cur < e; i++) {
        const ipr_ival_t *v = &d->iv[i];
        if (v->e <= cur) continue;
        if (v->s >= e) break;
        if (v->s > cur) {
            memcpy(d->buf + cur, data + (cur - s), v->s - cur);
            cur = v->s;
        }
        uint32_t oe = v->e < e ? v->e : e;
        if (memcmp(d->buf + cur, data + (cur - s), oe - cur) != 0) differ = 1;
        cur = oe;
    }
    if (cur < e) memcpy(d->buf + cur, data + (cur - s), e - cur);
    return differ;
}

/* Insert [s,e) into the sorted interval list, merging neighbours. Returns -1
 * if the list would overflow. */
static int add_ival(ipr_dgram_t *d, uint32_t s, uint32_t e)
{
    ipr_ival_t out[IPR_MAX_IVALS + 1];
    uint16_t n = 0, i = 0;
    while (i < d->nivals && d->iv[i].e < s)
        out[n++] = d->iv[i++];
    ipr_ival_t m = {s, e};
    while (i < d->nivals && d->iv[i].s <= m.e) {
        if (d->iv[i].s < m.s) m.s = d->iv[i].s;
        if (d->iv[i].e > m.e) m.e = d->iv[i].e;
        i++;
    }
    out[n++] = m;
    while (i < d->nivals)
        out[n++] = d->iv[i++];
    if (n > IPR_MAX_IVALS) return -1;
    memcpy(d->iv, out, n * sizeof(out[0]));
    d->nivals = n;
    return 0;
}

int snb_ip_reasm_add(snb_ip_reasm_t *r, const snb_frag_key_t *k, uint32_t off, int more, uint8_t nh,
                     const uint8_t *data, uint32_t len, uint64_t now_us, uint8_t **out,
                     uint32_t *out_len, uint8_t *out_nh)
{
    uint32_t end = off + len;
    ipr_dgram_t *d = dgram_get(r, k, now_us);
    if (!d) return 0;
    if (end > r->max_bytes || (len == 0 && more)) {
        r->st->frag_errors++;
        dgram_drop(r, d);
        return 0;
    }
    if (!more) {
        /* A second, different end, or data already beyond it: inconsistent. */
        if ((d->total != UINT32_MAX && d->total != end) ||
            (d->nivals && d->iv[d->nivals - 1].e > end)) {
            r->st->frag_errors++;
            return 0;
        }
        d->total = end;
    } else if (d->total != UINT32_MAX && end > d->total) {
        r->st->frag_errors++;
        return 0;
    }
    if (off == 0) {
        d->nh = nh;
        d->have_first = 1;
    }
    if (len) {
        if (grow(r, d, end) < 0) {
            r->st->frag_errors++;
            dgram_drop(r, d);
            return 0;
        }
        if (merge_data(d, off, end, data)) r->st->frag_errors++;
        if (add_ival(d, off, end) < 0) {
            r->st->frag_errors++;
            dgram_drop(r, d);
            return 0;
        }
    }
    if (d->total == UINT32_MAX || !d->have_first || d->nivals != 1 || d->iv[0].s != 0 ||
        d->iv[0].e != d->total)
        return 0;
    /* Complete: hand the buffer to the caller (it may decode nested
     * fragments, so it must not live in the table any more). */
    *out = d->buf;
    *out_len = d->total;
    *out_nh = d->nh;
    d->buf = NULL;
    r->st->ip_reassembled++;
    dgram_drop(r, d);
    if (!*out) { /* zero-length datagram: give a valid pointer */
        *out = malloc(1);
        if (!*out) return 0;
    }
    return 1;
}
