#include "sec_accounts.h"

#include <stdlib.h>
#include <string.h>

struct sec_accounts {
    uint32_t sets;
    sec_account_t *e;
};

sec_accounts_t *sec_accounts_new(uint32_t slots)
{
    sec_accounts_t *a = calloc(1, sizeof *a);
    if (!a) return NULL;
    a->sets = slots / 4 ? slots / 4 : 1;
    a->e = calloc((size_t)a->sets * 4, sizeof *a->e);
    if (!a->e) {
        free(a);
        return NULL;
    }
    return a;
}

void sec_accounts_free(sec_accounts_t *a)
{
    if (!a) return;
    free(a->e);
    free(a);
}

uint32_t sec_accounts_slots(const sec_accounts_t *a)
{
    return a->sets * 4;
}

sec_account_t *sec_accounts_refused(sec_accounts_t *a, uint64_t key, uint64_t source_hash,
                                    uint64_t now_us, uint64_t window_us)
{
    sec_account_t *set = &a->e[(key >> 32) % a->sets * 4], *e = NULL, *stalest = set;
    for (int i = 0; i < 4 && !e; i++) {
        if (set[i].key == key)
            e = &set[i];
        else if (set[i].window_us < stalest->window_us)
            stalest = &set[i];
    }
    if (!e) {
        e = stalest;
        memset(e, 0, sizeof *e);
        e->key = key;
        e->window_us = now_us;
    }
    if (now_us >= e->window_us + window_us || now_us < e->window_us) {
        e->window_us = now_us;
        e->refused = 0;
        sec_sketch_clear(&e->sources);
    }
    e->refused++;
    sec_sketch_add(&e->sources, source_hash);
    return e;
}
