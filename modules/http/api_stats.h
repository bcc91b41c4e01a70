/* GET /v1/stats: dialog counts by state, stream counts and PDD percentiles
 * (nearest rank) of the store, as one JSON object. */
#ifndef SNB_API_STATS_H
#define SNB_API_STATS_H

#include <stddef.h>

#include "api_store.h"

/* malloc'd JSON text (NUL-terminated, length in *len); NULL when out of
 * memory. */
char *api_stats_json(const api_store_t *store, size_t *len);

#endif
