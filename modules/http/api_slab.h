/* Fixed-size slots carved from large chunks and reused through a free list.
 *
 * The API store's list nodes come from here so that the nodes a filtered
 * scan walks sit together (a 4 KiB page holds 16 of them) instead of one per
 * page between their multi-kilobyte JSON blobs: on 100 000 dialogs the walk
 * was one TLB and cache miss per node, most of a 35 ms `?filter=` request.
 * Chunks are kept until api_slab_clear; freed slots are reused first. */
#ifndef SIPNAB_API_SLAB_H
#define SIPNAB_API_SLAB_H

#include <stddef.h>

typedef struct api_slab {
    size_t slot;      /* bytes per slot, rounded up to 16 */
    size_t per_chunk; /* slots per chunk */
    void *free_list;  /* freed slots, linked through their first word */
    void *chunks;     /* every chunk, linked through its first word */
    char *fresh;      /* next never-used slot of the newest chunk */
    size_t fresh_left;
    size_t chunk_bytes; /* bytes of all chunks */
} api_slab_t;

void api_slab_init(api_slab_t *s, size_t slot);
/* A zeroed slot, or NULL when out of memory. */
void *api_slab_alloc(api_slab_t *s);
void api_slab_free(api_slab_t *s, void *slot);
/* Frees every chunk (every slot handed out is gone with them). */
void api_slab_clear(api_slab_t *s);

/* Slabs by size, 64-byte steps up to API_SLAB_MAX; larger sizes come from
 * malloc. For variable-sized records read by every scan (filter values). */
#define API_SLAB_STEP 64u
#define API_SLAB_MAX 2048u
typedef struct api_slab_sizes {
    api_slab_t by_size[API_SLAB_MAX / API_SLAB_STEP];
} api_slab_sizes_t;

void api_slab_sizes_init(api_slab_sizes_t *z);
/* size bytes, not zeroed; NULL when out of memory. */
void *api_slab_sizes_alloc(api_slab_sizes_t *z, size_t size);
/* size: as allocated. */
void api_slab_sizes_free(api_slab_sizes_t *z, void *p, size_t size);
void api_slab_sizes_clear(api_slab_sizes_t *z);

#endif
