/* What went away, for consumers that follow a store with cursors: each
 * entry is a key (a Call-ID, a stream id) with its place in the store's
 * change sequence. Entries are numbered by position (from 0, for ever);
 * each cursor keeps the position of the next entry it has not seen. Past
 * max entries the oldest are forgotten; a cursor whose position is then
 * before snb_gonelog_start must resync (drop its copies, take everything
 * again). Pure; in the snb_util library. */
#ifndef SIPNAB_GONELOG_H
#define SIPNAB_GONELOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct snb_gonelog snb_gonelog_t;

snb_gonelog_t *snb_gonelog_new(size_t max_entries);
void snb_gonelog_free(snb_gonelog_t *g);
/* The oldest position still held, and the position after the newest. */
uint64_t snb_gonelog_start(const snb_gonelog_t *g);
uint64_t snb_gonelog_end(const snb_gonelog_t *g);
/* Append (the key is copied). 0, or -1 when out of memory (not logged). */
int snb_gonelog_add(snb_gonelog_t *g, uint64_t seq, const void *key, size_t len);
/* The entry at pos (start <= pos < end); false outside. The key is
 * NUL-terminated (for string keys) and valid until the entry is trimmed. */
bool snb_gonelog_get(const snb_gonelog_t *g, uint64_t pos, uint64_t *seq, const void **key,
                     size_t *len);
/* Forget entries before pos (no cursor needs them). */
void snb_gonelog_trim(snb_gonelog_t *g, uint64_t pos);

#endif
