/* Per-source token buckets (see sipnab/ratelimit.h). */
#include <stdlib.h>
#include <string.h>

#include "sipnab/hash.h"
#include "sipnab/ratelimit.h"

#define WAYS 4

typedef struct bucket {
    snb_addr_t addr;
    double tokens;
    uint64_t at_us;
    bool used;
} bucket_t;

struct snb_ratelimit {
    uint32_t per_source, total_rate;
    uint32_t sets;
    bucket_t total;
    bucket_t *b; /* sets x WAYS */
    snb_hash_key_t key;
};

snb_ratelimit_t *snb_ratelimit_new(uint32_t per_source, uint32_t total, uint32_t slots)
{
    snb_ratelimit_t *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->per_source = per_source;
    snb_hash_key_random(&r->key);
    r->total_rate = total;
    r->sets = slots / WAYS ? slots / WAYS : 1;
    r->b = calloc((size_t)r->sets * WAYS, sizeof *r->b);
    if (!r->b) {
        free(r);
        return NULL;
    }
    return r;
}

void snb_ratelimit_free(snb_ratelimit_t *r)
{
    if (!r) return;
    free(r->b);
    free(r);
}

/* Refill by elapsed time (burst = one second's worth), then take one. */
static bool take(bucket_t *b, double rate, uint64_t now_us)
{
    if (!b->used) {
        b->used = true;
        b->tokens = rate;
        b->at_us = now_us;
    } else if (now_us > b->at_us) {
        b->tokens += (double)(now_us - b->at_us) * rate / 1e6;
        if (b->tokens > rate) b->tokens = rate;
        b->at_us = now_us;
    }
    if (b->tokens < 1.0) return false;
    b->tokens -= 1.0;
    return true;
}

static bool same_addr(const snb_addr_t *a, const snb_addr_t *b)
{
    return a->family == b->family && memcmp(a->a, b->a, sizeof a->a) == 0;
}

/* The source's bucket in its set: its own, else a free one, else the one
 * idle longest (a full bucket again by now, most likely). */
static bucket_t *bucket_of(snb_ratelimit_t *r, const snb_addr_t *a)
{
    /* Seeded: a sender must not be able to pick addresses that share a set
     * with (and evict) the bucket of the sources it wants to silence. */
    uint32_t words[5];
    memcpy(words, a->a, 16);
    words[4] = a->family;
    uint64_t h = snb_hash_words(&r->key, words, 5);
    bucket_t *set = &r->b[(h % r->sets) * WAYS];
    bucket_t *victim = &set[0];
    for (int w = 0; w < WAYS; w++) {
        if (set[w].used && same_addr(&set[w].addr, a)) return &set[w];
        if (!set[w].used) {
            if (victim->used) victim = &set[w];
        } else if (victim->used && set[w].at_us < victim->at_us) {
            victim = &set[w];
        }
    }
    victim->used = false;
    victim->addr = *a;
    return victim;
}

bool snb_ratelimit_allow(snb_ratelimit_t *r, const snb_addr_t *src, uint64_t now_us)
{
    if (!r->per_source) return true;
    if (!take(bucket_of(r, src), r->per_source, now_us)) return false;
    return !r->total_rate || take(&r->total, r->total_rate, now_us);
}
