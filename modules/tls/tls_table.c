/* The connection table (see tls_table.h): chained buckets and an LRU list. */
#include <stdlib.h>
#include <string.h>

#include "tls_table.h"

struct tls_table {
    snb_hash_key_t key;
    tls_conn_t **buckets;
    uint32_t mask, count, max;
    uint64_t idle_us;
    tls_conn_t *lru_head, *lru_tail; /* head: most recent */
    tls_conn_gone_cb gone;
    void *ud;
};

tls_table_t *tls_table_new(uint32_t max, uint64_t idle_us, const snb_hash_key_t *key,
                           tls_conn_gone_cb gone, void *ud)
{
    tls_table_t *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    t->max = max ? max : 1;
    uint32_t nb = 64;
    while (nb < t->max && nb < (1u << 22))
        nb <<= 1;
    t->mask = nb - 1;
    t->buckets = calloc(nb, sizeof *t->buckets);
    if (!t->buckets) {
        free(t);
        return NULL;
    }
    t->key = *key;
    t->idle_us = idle_us;
    t->gone = gone;
    t->ud = ud;
    return t;
}

int tls_conn_key_of(const snb_packet_t *pkt, tls_conn_key_t *key)
{
    memset(key, 0, sizeof *key);
    int c = memcmp(pkt->src.a, pkt->dst.a, 16);
    int side = c > 0 || (c == 0 && pkt->sport > pkt->dport);
    const snb_addr_t *a = side ? &pkt->dst : &pkt->src, *b = side ? &pkt->src : &pkt->dst;
    memcpy(key->a, a->a, 16);
    memcpy(key->b, b->a, 16);
    key->port_a = side ? pkt->dport : pkt->sport;
    key->port_b = side ? pkt->sport : pkt->dport;
    key->family = pkt->src.family;
    return side;
}

static uint32_t bucket_of(const tls_table_t *t, const tls_conn_key_t *k)
{
    return (uint32_t)snb_hash_fixed(&t->key, k, sizeof *k) & t->mask;
}

static void lru_unlink(tls_table_t *t, tls_conn_t *c)
{
    if (c->lprev)
        c->lprev->lnext = c->lnext;
    else
        t->lru_head = c->lnext;
    if (c->lnext)
        c->lnext->lprev = c->lprev;
    else
        t->lru_tail = c->lprev;
    c->lprev = c->lnext = NULL;
}

static void lru_push(tls_table_t *t, tls_conn_t *c)
{
    c->lnext = t->lru_head;
    c->lprev = NULL;
    if (t->lru_head) t->lru_head->lprev = c;
    t->lru_head = c;
    if (!t->lru_tail) t->lru_tail = c;
}

tls_conn_t *tls_table_find(tls_table_t *t, const tls_conn_key_t *key)
{
    if (!t->count) return NULL;
    for (tls_conn_t *c = t->buckets[bucket_of(t, key)]; c; c = c->hnext)
        if (!memcmp(&c->key, key, sizeof *key)) return c;
    return NULL;
}

static void drop(tls_table_t *t, tls_conn_t *c, bool evicted)
{
    tls_conn_t **pp = &t->buckets[bucket_of(t, &c->key)];
    while (*pp != c)
        pp = &(*pp)->hnext;
    *pp = c->hnext;
    lru_unlink(t, c);
    t->count--;
    if (t->gone) t->gone(t->ud, c, evicted);
    free(c);
}

tls_conn_t *tls_table_add(tls_table_t *t, const tls_conn_key_t *key, uint64_t ts)
{
    if (t->count >= t->max && t->lru_tail) drop(t, t->lru_tail, true);
    tls_conn_t *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->key = *key;
    c->last_ts = ts;
    uint32_t b = bucket_of(t, key);
    c->hnext = t->buckets[b];
    t->buckets[b] = c;
    lru_push(t, c);
    t->count++;
    return c;
}

void tls_table_touch(tls_table_t *t, tls_conn_t *c, uint64_t ts)
{
    if (ts > c->last_ts) c->last_ts = ts;
    if (t->lru_head == c) return;
    lru_unlink(t, c);
    lru_push(t, c);
}

void tls_table_expire(tls_table_t *t, uint64_t now)
{
    while (t->idle_us && t->lru_tail && now > t->lru_tail->last_ts &&
           now - t->lru_tail->last_ts > t->idle_us)
        drop(t, t->lru_tail, false);
}

void tls_table_remove(tls_table_t *t, tls_conn_t *c)
{
    drop(t, c, false);
}

uint32_t tls_table_count(const tls_table_t *t)
{
    return t->count;
}

void tls_table_flush(tls_table_t *t)
{
    while (t->lru_tail)
        drop(t, t->lru_tail, false);
}

void tls_table_free(tls_table_t *t)
{
    if (!t) return;
    tls_table_flush(t);
    free(t->buckets);
    free(t);
}
