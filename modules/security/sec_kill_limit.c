#include "sec_kill_limit.h"

#include <stdlib.h>
#include <string.h>

typedef struct dest {
    snb_addr_t addr;
    uint64_t window_us; /* start of its current minute */
    uint32_t sent;      /* in that minute */
} dest_t;

struct sec_kill_limit {
    snb_hash_key_t key;
    uint32_t total, per_dest, sets;
    uint64_t second_us;
    uint32_t second_sent;
    dest_t *d;
};

sec_kill_limit_t *sec_kill_limit_new(uint32_t total_per_s, uint32_t per_dest_per_min,
                                     uint32_t slots, const snb_hash_key_t *key)
{
    sec_kill_limit_t *l = calloc(1, sizeof *l);
    if (!l) return NULL;
    l->key = *key;
    l->total = total_per_s;
    l->per_dest = per_dest_per_min;
    l->sets = slots / 4 ? slots / 4 : 1;
    l->d = calloc((size_t)l->sets * 4, sizeof *l->d);
    if (!l->d) {
        free(l);
        return NULL;
    }
    return l;
}

void sec_kill_limit_free(sec_kill_limit_t *l)
{
    if (!l) return;
    free(l->d);
    free(l);
}

bool sec_kill_limit_allow(sec_kill_limit_t *l, const snb_addr_t *dst, uint64_t now_us)
{
    if (now_us >= l->second_us + 1000000 || now_us < l->second_us) {
        l->second_us = now_us;
        l->second_sent = 0;
    }
    if (l->second_sent >= l->total) return false;
    size_t alen = dst->family == 4 ? 4 : 16;
    uint32_t w[5] = {0};
    memcpy(w, dst->a, alen);
    w[4] = dst->family;
    dest_t *set = &l->d[snb_hash_words(&l->key, w, 5) % l->sets * 4], *e = NULL, *stalest = set;
    for (int i = 0; i < 4 && !e; i++) {
        if (set[i].addr.family == dst->family && !memcmp(set[i].addr.a, dst->a, alen))
            e = &set[i];
        else if (set[i].window_us < stalest->window_us)
            stalest = &set[i];
    }
    if (!e) {
        e = stalest;
        *e = (dest_t){.addr = *dst, .window_us = now_us};
    }
    if (now_us >= e->window_us + 60000000 || now_us < e->window_us) {
        e->window_us = now_us;
        e->sent = 0;
    }
    if (e->sent >= l->per_dest) return false;
    e->sent++;
    l->second_sent++;
    return true;
}
