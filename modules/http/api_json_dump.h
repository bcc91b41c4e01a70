/* A compact JSON dump of a jansson value, byte-identical to
 * json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER) but several times
 * cheaper: jansson decodes every string one UTF-8 code point at a time
 * through a callback and checks each container for cycles in a hash table,
 * which made dumping the largest share of feeding a dialog to the API
 * process (docs/benchmark.md). Written by sipnab/jsonw.h, which copies
 * ASCII in 8-byte steps and checks UTF-8 as jansson does. */
#ifndef SNB_API_JSON_DUMP_H
#define SNB_API_JSON_DUMP_H

#include <jansson.h>
#include <stddef.h>

/* Malloc'd, NUL-terminated text and its length in *len; NULL (and *len 0)
 * where json_dumps would return NULL (v NULL or not an array or object,
 * invalid UTF-8, out of memory). */
char *api_json_dump(const json_t *v, size_t *len);

#endif
