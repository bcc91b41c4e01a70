/* See sipnab/gonelog.h: a ring that grows up to max_entries. */
#include <stdlib.h>
#include <string.h>

#include "sipnab/gonelog.h"

typedef struct entry {
    uint64_t seq;
    char *key;
    size_t len;
} entry_t;

struct snb_gonelog {
    entry_t *v;
    size_t cap, max;
    uint64_t start, end; /* positions held: [start, end) */
};

snb_gonelog_t *snb_gonelog_new(size_t max_entries)
{
    snb_gonelog_t *g = calloc(1, sizeof *g);
    if (g) g->max = max_entries ? max_entries : 1;
    return g;
}

void snb_gonelog_free(snb_gonelog_t *g)
{
    if (!g) return;
    snb_gonelog_trim(g, g->end);
    free(g->v);
    free(g);
}

uint64_t snb_gonelog_start(const snb_gonelog_t *g)
{
    return g->start;
}

uint64_t snb_gonelog_end(const snb_gonelog_t *g)
{
    return g->end;
}

int snb_gonelog_add(snb_gonelog_t *g, uint64_t seq, const void *key, size_t len)
{
    if (g->end - g->start == g->cap && g->cap < g->max) {
        size_t cap = g->cap ? g->cap * 2 : 64;
        if (cap > g->max) cap = g->max;
        entry_t *v = malloc(cap * sizeof *v);
        if (!v) return -1;
        for (uint64_t i = g->start; i < g->end; i++)
            v[i % cap] = g->v[i % g->cap];
        free(g->v);
        g->v = v;
        g->cap = cap;
    }
    if (g->end - g->start == g->cap)
        snb_gonelog_trim(g, g->start + 1); /* full: forget the oldest */
    char *copy = malloc(len + 1);
    if (!copy) return -1;
    memcpy(copy, key, len);
    copy[len] = '\0';
    g->v[g->end % g->cap] = (entry_t){seq, copy, len};
    g->end++;
    return 0;
}

bool snb_gonelog_get(const snb_gonelog_t *g, uint64_t pos, uint64_t *seq, const void **key,
                     size_t *len)
{
    if (pos < g->start || pos >= g->end) return false;
    const entry_t *e = &g->v[pos % g->cap];
    if (seq) *seq = e->seq;
    if (key) *key = e->key;
    if (len) *len = e->len;
    return true;
}

void snb_gonelog_trim(snb_gonelog_t *g, uint64_t pos)
{
    if (pos > g->end) pos = g->end;
    while (g->start < pos) {
        free(g->v[g->start % g->cap].key);
        g->start++;
    }
}
