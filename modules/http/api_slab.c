#include "api_slab.h"

#include <stdlib.h>
#include <string.h>

/* Under ASan a freed slot is poisoned (past its free-list link), so a use
 * after free is still reported although the memory stays ours. */
#if defined(__SANITIZE_ADDRESS__)
#define SLAB_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SLAB_ASAN 1
#endif
#endif
#ifdef SLAB_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define CHUNK_BYTES (256u * 1024u)
#define CHUNK_HEAD 16u /* the link to the next chunk, kept 16-aligned */

void api_slab_init(api_slab_t *s, size_t slot)
{
    memset(s, 0, sizeof *s);
    if (slot < sizeof(void *)) slot = sizeof(void *);
    s->slot = (slot + 15u) & ~(size_t)15u;
    s->per_chunk = (CHUNK_BYTES - CHUNK_HEAD) / s->slot;
    if (!s->per_chunk) s->per_chunk = 1;
}

void *api_slab_alloc(api_slab_t *s)
{
    void *p;
    if (s->free_list) {
        p = s->free_list;
        UNPOISON(p, s->slot);
        memcpy(&s->free_list, p, sizeof(void *));
    } else {
        if (!s->fresh_left) {
            size_t bytes = CHUNK_HEAD + s->per_chunk * s->slot;
            char *chunk = malloc(bytes);
            if (!chunk) return NULL;
            memcpy(chunk, &s->chunks, sizeof(void *));
            s->chunks = chunk;
            s->chunk_bytes += bytes;
            s->fresh = chunk + CHUNK_HEAD;
            s->fresh_left = s->per_chunk;
        }
        p = s->fresh;
        s->fresh += s->slot;
        s->fresh_left--;
    }
    memset(p, 0, s->slot);
    return p;
}

void api_slab_free(api_slab_t *s, void *slot)
{
    if (!slot) return;
    memcpy(slot, &s->free_list, sizeof(void *));
    s->free_list = slot;
    POISON((char *)slot + sizeof(void *), s->slot - sizeof(void *));
}

void api_slab_clear(api_slab_t *s)
{
    while (s->chunks) {
        void *next;
        UNPOISON(s->chunks, CHUNK_HEAD + s->per_chunk * s->slot);
        memcpy(&next, s->chunks, sizeof(void *));
        free(s->chunks);
        s->chunks = next;
    }
    api_slab_init(s, s->slot);
}

void api_slab_sizes_init(api_slab_sizes_t *z)
{
    for (size_t i = 0; i < API_SLAB_MAX / API_SLAB_STEP; i++)
        api_slab_init(&z->by_size[i], (i + 1) * API_SLAB_STEP);
}

static api_slab_t *size_class(api_slab_sizes_t *z, size_t size)
{
    if (!size || size > API_SLAB_MAX) return NULL;
    return &z->by_size[(size - 1) / API_SLAB_STEP];
}

void *api_slab_sizes_alloc(api_slab_sizes_t *z, size_t size)
{
    api_slab_t *s = size_class(z, size);
    return s ? api_slab_alloc(s) : malloc(size);
}

void api_slab_sizes_free(api_slab_sizes_t *z, void *p, size_t size)
{
    api_slab_t *s = size_class(z, size);
    if (s)
        api_slab_free(s, p);
    else
        free(p);
}

void api_slab_sizes_clear(api_slab_sizes_t *z)
{
    for (size_t i = 0; i < API_SLAB_MAX / API_SLAB_STEP; i++)
        api_slab_clear(&z->by_size[i]);
}
