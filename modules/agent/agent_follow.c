/* Followed Call-IDs: a capped, seeded chaining hash table (agent_follow.h). */
#include "agent_follow.h"

#include <stdlib.h>
#include <string.h>

int agent_follow_init(agent_follow_t *f, size_t cap, const snb_hash_key_t *key)
{
    memset(f, 0, sizeof *f);
    f->cap = cap ? cap : 1;
    f->n_buckets = 16;
    while (f->n_buckets < f->cap && f->n_buckets < (1u << 20))
        f->n_buckets <<= 1;
    f->buckets = calloc(f->n_buckets, sizeof *f->buckets);
    f->ep_buckets = calloc(f->n_buckets, sizeof *f->ep_buckets);
    f->key = *key;
    if (f->buckets && f->ep_buckets) return 0;
    free(f->buckets);
    free(f->ep_buckets);
    f->buckets = NULL;
    f->ep_buckets = NULL;
    return -1;
}

void agent_follow_free(agent_follow_t *f)
{
    for (size_t b = 0; f->buckets && b < f->n_buckets; b++) {
        agent_follow_entry_t *e = f->buckets[b];
        while (e) {
            agent_follow_entry_t *next = e->next;
            free(e);
            e = next;
        }
    }
    free(f->buckets);
    free(f->ep_buckets);
    f->buckets = NULL;
    f->ep_buckets = NULL;
    f->n = 0;
}

agent_follow_entry_t *agent_follow_find(const agent_follow_t *f, const char *call_id, size_t len)
{
    if (!f->buckets || len == 0 || len > AGENT_FOLLOW_CALL_ID_MAX) return NULL;
    uint64_t h = snb_hash_bytes(&f->key, call_id, len);
    for (agent_follow_entry_t *e = f->buckets[h & (f->n_buckets - 1)]; e; e = e->next)
        if (e->hash == h && e->len == len && memcmp(e->call_id, call_id, len) == 0) return e;
    return NULL;
}

agent_follow_entry_t *agent_follow_add(agent_follow_t *f, const char *call_id, size_t len,
                                       uint64_t mask, uint64_t now_us)
{
    agent_follow_entry_t *e = agent_follow_find(f, call_id, len);
    if (!e) {
        if (len == 0 || len > AGENT_FOLLOW_CALL_ID_MAX || !f->buckets) return NULL;
        if (f->n >= f->cap) {
            f->refused++;
            return NULL;
        }
        e = calloc(1, sizeof *e + len + 1);
        if (!e) {
            f->refused++;
            return NULL;
        }
        e->hash = snb_hash_bytes(&f->key, call_id, len);
        e->len = len;
        memcpy(e->call_id, call_id, len);
        size_t b = e->hash & (f->n_buckets - 1);
        e->next = f->buckets[b];
        f->buckets[b] = e;
        f->n++;
    }
    e->sessions |= mask;
    e->last_us = now_us;
    return e;
}

static bool same_endpoint(const agent_endpoint_t *x, uint8_t family, const uint8_t *a,
                          uint16_t port)
{
    return x->family == family && x->port == port && memcmp(x->a, a, family == 4 ? 4 : 16) == 0;
}

static uint64_t endpoint_hash(const agent_follow_t *f, uint8_t family, const uint8_t *a,
                              uint16_t port)
{
    uint8_t k[19] = {family, (uint8_t)(port >> 8), (uint8_t)port};
    memcpy(k + 3, a, family == 4 ? 4 : 16);
    return snb_hash_bytes(&f->key, k, family == 4 ? 7 : 19);
}

static void unlink_node(agent_follow_t *f, agent_media_node_t *n)
{
    if (!n->linked) return;
    agent_media_node_t **pp = &f->ep_buckets[n->hash & (f->n_buckets - 1)];
    while (*pp && *pp != n)
        pp = &(*pp)->next;
    if (*pp) *pp = n->next;
    n->linked = false;
}

void agent_follow_add_media(agent_follow_t *f, agent_follow_entry_t *e, const agent_endpoint_t *ep)
{
    if (!ep->family || !ep->port || !f->ep_buckets) return;
    for (unsigned i = 0; i < e->n_media; i++)
        if (same_endpoint(&e->media[i].ep, ep->family, ep->a, ep->port)) return;
    /* A ring: once full, the oldest endpoint makes room. */
    agent_media_node_t *n = &e->media[e->media_next];
    unlink_node(f, n);
    e->media_next = (uint8_t)((e->media_next + 1) % AGENT_FOLLOW_MEDIA_MAX);
    if (e->n_media < AGENT_FOLLOW_MEDIA_MAX) e->n_media++;
    n->ep = *ep;
    n->entry = e;
    n->hash = endpoint_hash(f, ep->family, ep->a, ep->port);
    size_t b = n->hash & (f->n_buckets - 1);
    n->next = f->ep_buckets[b];
    f->ep_buckets[b] = n;
    n->linked = true;
}

agent_follow_entry_t *agent_follow_find_media(const agent_follow_t *f, uint8_t family,
                                              const uint8_t *a, uint16_t port)
{
    if (!f->ep_buckets || (family != 4 && family != 6)) return NULL;
    uint64_t h = endpoint_hash(f, family, a, port);
    for (agent_media_node_t *n = f->ep_buckets[h & (f->n_buckets - 1)]; n; n = n->next)
        if (n->hash == h && same_endpoint(&n->ep, family, a, port)) return n->entry;
    return NULL;
}

/* Removes every entry for which drop(e) says so. */
static size_t sweep(agent_follow_t *f, bool (*drop)(agent_follow_entry_t *, const void *),
                    const void *arg)
{
    size_t gone = 0;
    for (size_t b = 0; f->buckets && b < f->n_buckets; b++) {
        agent_follow_entry_t **pp = &f->buckets[b];
        while (*pp) {
            agent_follow_entry_t *e = *pp;
            if (drop(e, arg)) {
                *pp = e->next;
                for (unsigned i = 0; i < AGENT_FOLLOW_MEDIA_MAX; i++)
                    unlink_node(f, &e->media[i]);
                free(e);
                f->n--;
                gone++;
            } else {
                pp = &e->next;
            }
        }
    }
    return gone;
}

static bool drop_session(agent_follow_entry_t *e, const void *arg)
{
    e->sessions &= ~*(const uint64_t *)arg;
    return e->sessions == 0;
}

static bool drop_idle(agent_follow_entry_t *e, const void *arg)
{
    return e->last_us < *(const uint64_t *)arg;
}

void agent_follow_drop_session(agent_follow_t *f, int slot)
{
    uint64_t bit = 1ULL << slot;
    sweep(f, drop_session, &bit);
}

size_t agent_follow_expire(agent_follow_t *f, uint64_t cutoff_us)
{
    return sweep(f, drop_idle, &cutoff_us);
}

void agent_follow_foreach(agent_follow_t *f, agent_follow_fn fn, void *ud)
{
    for (size_t b = 0; f->buckets && b < f->n_buckets; b++)
        for (agent_follow_entry_t *e = f->buckets[b]; e; e = e->next)
            if (!fn(ud, e)) return;
}

bool agent_follow_sampled(agent_follow_entry_t *e, uint64_t stream_id, uint64_t packets)
{
    unsigned i = 0, free_slot = AGENT_FOLLOW_MEDIA_MAX;
    for (; i < AGENT_FOLLOW_MEDIA_MAX; i++) {
        if (e->sampled[i].stream_id == stream_id + 1) break; /* stored +1: 0 is a free slot */
        if (!e->sampled[i].stream_id && free_slot == AGENT_FOLLOW_MEDIA_MAX) free_slot = i;
    }
    if (i == AGENT_FOLLOW_MEDIA_MAX) {
        if (free_slot == AGENT_FOLLOW_MEDIA_MAX) {
            memmove(&e->sampled[0], &e->sampled[1],
                    sizeof e->sampled[0] * (AGENT_FOLLOW_MEDIA_MAX - 1));
            free_slot = AGENT_FOLLOW_MEDIA_MAX - 1;
        }
        i = free_slot;
        e->sampled[i].stream_id = stream_id + 1;
        e->sampled[i].packets = packets;
        return true;
    }
    if (e->sampled[i].packets == packets) return false;
    e->sampled[i].packets = packets;
    return true;
}
