/* The retention policy: from "keep events N, packets M, stopped sessions K"
 * (0 = forever) and the time now, the cut-off times the store deletes
 * before. Pure, so the arithmetic is unit-tested. */
#ifndef SNB_CENTER_RETENTION_H
#define SNB_CENTER_RETENTION_H

#include <stdint.h>

typedef struct retention_policy {
    uint64_t events_ms, packets_ms, sessions_ms; /* how long to keep; 0 = forever */
} retention_policy_t;

typedef struct retention_cutoffs {
    int64_t events_before, packets_before, sessions_before; /* us; 0 = delete nothing */
} retention_cutoffs_t;

retention_cutoffs_t retention_cutoffs(const retention_policy_t *p, int64_t now_us);

#endif
