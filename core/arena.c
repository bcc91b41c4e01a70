/* See arena.h. */
#include "arena.h"

#include <stdint.h>
#include <stdlib.h>

/* Spare chunks beyond this much are freed on reset: one burst (a large TCP
 * segment holding many SIP messages) must not pin its memory for ever. */
#define KEEP_BYTES (1u << 20)

typedef struct chunk {
    struct chunk *next;
    size_t size, used;
    _Alignas(16) unsigned char data[];
} chunk_t;

struct snb_arena {
    size_t chunk_size;
    chunk_t *cur;   /* being filled */
    chunk_t *full;  /* filled since the last reset */
    chunk_t *spare; /* empty, kept for the next dispatch */
    size_t capacity;
};

snb_arena_t *snb_arena_new(size_t chunk_size)
{
    snb_arena_t *a = calloc(1, sizeof *a);
    if (a) a->chunk_size = chunk_size < 1024 ? 1024 : chunk_size;
    return a;
}

static void free_list(chunk_t *c)
{
    while (c) {
        chunk_t *n = c->next;
        free(c);
        c = n;
    }
}

void snb_arena_free(snb_arena_t *a)
{
    if (!a) return;
    free(a->cur);
    free_list(a->full);
    free_list(a->spare);
    free(a);
}

void *snb_arena_alloc(snb_arena_t *a, size_t size)
{
    size_t need = (size + 15) & ~(size_t)15;
    if (need < size) return NULL; /* overflow */
    chunk_t *c = a->cur;
    if (!c || c->size - c->used < need) {
        if (a->spare && a->spare->size >= need) {
            c = a->spare;
            a->spare = c->next;
        } else {
            size_t sz = need > a->chunk_size ? need : a->chunk_size;
            c = malloc(sizeof *c + sz);
            if (!c) return NULL;
            c->size = sz;
            a->capacity += sz;
        }
        c->used = 0;
        if (a->cur) {
            a->cur->next = a->full;
            a->full = a->cur;
        }
        c->next = NULL;
        a->cur = c;
    }
    void *p = c->data + c->used;
    c->used += need;
    return p;
}

void snb_arena_reset(snb_arena_t *a)
{
    if (a->cur) {
        a->cur->used = 0;
        if (a->full) { /* this dispatch needed more than one chunk: keep the rest spare */
            size_t kept = 0;
            for (chunk_t *s = a->spare; s; s = s->next)
                kept += s->size;
            while (a->full) {
                chunk_t *c = a->full;
                a->full = c->next;
                if (kept + c->size > KEEP_BYTES) {
                    a->capacity -= c->size;
                    free(c);
                    continue;
                }
                kept += c->size;
                c->next = a->spare;
                a->spare = c;
            }
        }
    }
}

size_t snb_arena_capacity(const snb_arena_t *a)
{
    return a->capacity;
}
