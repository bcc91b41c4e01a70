#include "sec_calls.h"

#include <stdlib.h>

struct sec_calls {
    snb_hash_key_t key;
    uint32_t sets; /* entries = 4 * sets */
    sec_call_t *e;
};

sec_calls_t *sec_calls_new(uint32_t slots, const snb_hash_key_t *key)
{
    sec_calls_t *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->key = *key;
    c->sets = slots / 4 ? slots / 4 : 1;
    c->e = calloc((size_t)c->sets * 4, sizeof *c->e);
    if (!c->e) {
        free(c);
        return NULL;
    }
    return c;
}

void sec_calls_free(sec_calls_t *c)
{
    if (!c) return;
    free(c->e);
    free(c);
}

uint32_t sec_calls_slots(const sec_calls_t *c)
{
    return c->sets * 4;
}

sec_call_t *sec_calls_get(sec_calls_t *c, const char *call_id, size_t len, uint64_t now_us,
                          bool create, bool *created)
{
    if (created) *created = false;
    if (!call_id || !len) return NULL;
    uint64_t k = snb_hash_bytes(&c->key, call_id, len) | 1; /* never 0 (free) */
    sec_call_t *set = &c->e[(k >> 32) % c->sets * 4];
    sec_call_t *victim = &set[0];
    for (int i = 0; i < 4; i++) {
        if (set[i].key == k) {
            set[i].used_us = now_us;
            return &set[i];
        }
        if (set[i].key == 0 || set[i].used_us < victim->used_us) victim = &set[i];
        if (set[i].key == 0) break;
    }
    if (!create) return NULL;
    *victim = (sec_call_t){.key = k, .used_us = now_us};
    if (created) *created = true;
    return victim;
}
