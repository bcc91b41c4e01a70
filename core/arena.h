/* A bump allocator for memory that lives exactly as long as one bus
 * dispatch (events published from inside a handler): allocation is a
 * pointer increment, and everything is given back at once when the queue
 * has drained. Chunks are kept for the next dispatch, up to a limit, so the
 * steady state allocates nothing. Loop thread only. */
#ifndef SNB_ARENA_H
#define SNB_ARENA_H

#include <stddef.h>

typedef struct snb_arena snb_arena_t;

snb_arena_t *snb_arena_new(size_t chunk_size);
void snb_arena_free(snb_arena_t *a);
/* size bytes, 16-byte aligned; NULL when out of memory. */
void *snb_arena_alloc(snb_arena_t *a, size_t size);
/* Forget every allocation. */
void snb_arena_reset(snb_arena_t *a);
/* Bytes held in chunks (for tests). */
size_t snb_arena_capacity(const snb_arena_t *a);

#endif
