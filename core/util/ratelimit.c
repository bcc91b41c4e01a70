/* Per-source token buckets (see sipnab/ratelimit.h). */
#include <stdlib.h>
#include <string.h>

#include "sipnab/hash.h"
#include "sipnab/ratelimit.h"

#define WAYS 4

typedef struct bucket {
    snb_addr_t addr;
    double tokens;  /* token bucket; the sliding window: the previous second's count */
    uint64_t at_us; /* last refill; the sliding window: the current second's start */
    uint32_t count; /* the sliding window: this second's count */
    bool used;
} bucket_t;

struct snb_ratelimit {
    uint32_t per_source, total_rate;
    uint32_t sets;
    bucket_t total;
    bucket_t *b; /* sets x WAYS */
    snb_hash_key_t key;
    double burst_s; /* seconds' worth of tokens a bucket holds */
    bool sliding;   /* a sliding one-second window instead of token buckets */
};

snb_ratelimit_t *snb_ratelimit_new(uint32_t per_source, uint32_t total, uint32_t slots)
{
    snb_ratelimit_t *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->per_source = per_source;
    r->burst_s = 1.0;
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

void snb_ratelimit_set_burst(snb_ratelimit_t *r, double seconds)
{
    if (r && seconds > 0) r->burst_s = seconds;
}

void snb_ratelimit_set_sliding(snb_ratelimit_t *r)
{
    if (r) r->sliding = true;
}

/* The sliding-window counter: this second's count plus the part of the
 * previous second's that still lies in the last 1000 ms. About `rate` in
 * any one-second window, and a quiet client may still send `rate` at once
 * (a script paging through a list). */
static bool take_window(bucket_t *b, double rate, uint64_t now_us)
{
    if (!b->used || now_us >= b->at_us + 2000000) { /* new, or quiet for two seconds */
        b->used = true;
        b->at_us = now_us;
        b->tokens = 0;
        b->count = 0;
    } else if (now_us >= b->at_us + 1000000) {
        uint64_t seconds = (now_us - b->at_us) / 1000000;
        b->tokens = seconds == 1 ? b->count : 0;
        b->count = 0;
        b->at_us += seconds * 1000000;
    }
    double into = now_us > b->at_us ? (double)(now_us - b->at_us) / 1e6 : 0;
    if (b->tokens * (1.0 - into) + b->count + 1 > rate) return false;
    b->count++;
    return true;
}

/* Refill by elapsed time (up to the burst), then take one. */
static bool take(bucket_t *b, double rate, double burst_s, uint64_t now_us)
{
    double cap = rate * burst_s < 1.0 ? 1.0 : rate * burst_s;
    if (!b->used) {
        b->used = true;
        b->tokens = cap;
        b->at_us = now_us;
    } else if (now_us > b->at_us) {
        b->tokens += (double)(now_us - b->at_us) * rate / 1e6;
        if (b->tokens > cap) b->tokens = cap;
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
    if (r->sliding) {
        if (!take_window(bucket_of(r, src), r->per_source, now_us)) return false;
        return !r->total_rate || take_window(&r->total, r->total_rate, now_us);
    }
    if (!take(bucket_of(r, src), r->per_source, r->burst_s, now_us)) return false;
    return !r->total_rate || take(&r->total, r->total_rate, r->burst_s, now_us);
}
