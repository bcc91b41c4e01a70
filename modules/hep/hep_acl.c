/* HEP allow-list and rate limiter (see hep_acl.h). */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "hep_acl.h"

int hep_cidr_parse(const char *text, hep_cidr_t *out)
{
    char buf[64];
    memset(out, 0, sizeof *out);
    size_t n = strlen(text);
    if (n == 0 || n >= sizeof buf) return -1;
    memcpy(buf, text, n + 1);
    char *slash = strchr(buf, '/');
    long bits = -1;
    if (slash) {
        char *end;
        *slash = '\0';
        bits = strtol(slash + 1, &end, 10);
        if (end == slash + 1 || *end || bits < 0) return -1;
    }
    if (inet_pton(AF_INET, buf, out->addr.a) == 1) {
        out->addr.family = 4;
        if (bits < 0) bits = 32;
        if (bits > 32) return -1;
    } else if (inet_pton(AF_INET6, buf, out->addr.a) == 1) {
        out->addr.family = 6;
        if (bits < 0) bits = 128;
        if (bits > 128) return -1;
    } else {
        return -1;
    }
    out->bits = (uint8_t)bits;
    return 0;
}

bool hep_cidr_match(const hep_cidr_t *c, const snb_addr_t *a)
{
    if (c->addr.family != a->family) return false;
    unsigned full = c->bits / 8, rest = c->bits % 8;
    if (memcmp(c->addr.a, a->a, full) != 0) return false;
    if (!rest) return true;
    uint8_t mask = (uint8_t)(0xff << (8 - rest));
    return (c->addr.a[full] & mask) == (a->a[full] & mask);
}

typedef struct bucket {
    snb_addr_t addr;
    double tokens;
    uint64_t at_us;
    bool used;
} bucket_t;

struct hep_ratelimit {
    uint32_t rate;
    uint32_t slots;
    bucket_t total;
    bucket_t *b;
};

hep_ratelimit_t *hep_ratelimit_new(uint32_t rate, uint32_t slots)
{
    hep_ratelimit_t *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->rate = rate;
    r->slots = slots ? slots : 1;
    r->b = calloc(r->slots, sizeof *r->b);
    if (!r->b) {
        free(r);
        return NULL;
    }
    return r;
}

void hep_ratelimit_free(hep_ratelimit_t *r)
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

static uint32_t slot_of(const hep_ratelimit_t *r, const snb_addr_t *a)
{
    uint64_t h = 1469598103934665603ull;
    for (int i = 0; i < 16; i++)
        h = (h ^ a->a[i]) * 1099511628211ull;
    return (uint32_t)(h % r->slots);
}

bool hep_ratelimit_allow(hep_ratelimit_t *r, const snb_addr_t *src, uint64_t now_us)
{
    if (!r->rate) return true;
    /* Direct-mapped: a colliding source takes the slot over (bounded memory;
     * at worst two sources share a bucket for a while). */
    bucket_t *b = &r->b[slot_of(r, src)];
    if (b->used && (b->addr.family != src->family || memcmp(b->addr.a, src->a, 16) != 0)) {
        b->used = false;
    }
    if (!b->used) b->addr = *src;
    if (!take(b, r->rate, now_us)) return false;
    return take(&r->total, (double)r->rate * 4, now_us);
}
