/* The security alerts the API serves (GET /v1/alerts): the last `cap`
 * alerts, oldest first, each the --alerts-json object as the security
 * module rendered it, with what the query filters on (type, source,
 * capture time) read out once. A ring: the oldest goes when it is full
 * (counted). Pure, for the tests and the fuzzer. */
#ifndef SNB_API_ALERTS_H
#define SNB_API_ALERTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api_wire.h"

#define API_ALERTS_CAP 10000

typedef struct api_alerts api_alerts_t;

api_alerts_t *api_alerts_new(size_t cap);
void api_alerts_free(api_alerts_t *a);
/* One alert's JSON object text (API_FRAME_ALERT). 0, or -1 when it is not
 * an object with a string "type", "source" and "ts" (ignored then). */
int api_alerts_add(api_alerts_t *a, const char *json, size_t len);
void api_alerts_clear(api_alerts_t *a);
size_t api_alerts_count(const api_alerts_t *a);
uint64_t api_alerts_evicted(const api_alerts_t *a);

/* Every alert held, oldest first (the capture process resends them to a
 * new API process). */
void api_alerts_foreach(const api_alerts_t *a, void (*fn)(void *ud, const char *json, size_t len),
                        void *ud);

typedef struct api_alerts_query {
    const char *type;           /* NULL: any */
    const char *source;         /* NULL: any; an exact address */
    int64_t since_us, until_us; /* capture time bounds, inclusive; 0: none */
    size_t offset, limit;
} api_alerts_query_t;

/* {"schema_version":1,"total":N,"offset":O,"limit":L,"alerts":[...]} into
 * out; total counts every match. 0, or -1 when out of memory. */
int api_alerts_render(const api_alerts_t *a, const api_alerts_query_t *q, api_buf_t *out);

/* "2026-12-06T02:53:33.123456Z" (or without the fraction), or a number of
 * seconds since the epoch, to microseconds. -1 when it is neither. */
int64_t api_alerts_parse_time(const char *text);

#endif
