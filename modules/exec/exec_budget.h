/* How many hooks may start: at most `rate` in any one-second window (a
 * ring of the last `rate` start times: the oldest must be a second old
 * before another may start). Unlike a token bucket there is no burst on
 * top of the rate. Wall-clock milliseconds in (the loop's), never capture
 * time: it protects the host, whatever the capture's pace. */
#ifndef SNB_EXEC_BUDGET_H
#define SNB_EXEC_BUDGET_H

#include <stdbool.h>
#include <stdint.h>

#define EXEC_BUDGET_MAX_RATE 10000

typedef struct exec_budget {
    uint32_t rate; /* per second; 0 = no limit */
    uint32_t used; /* slots filled, up to rate */
    uint32_t next; /* the oldest start once the ring is full */
    uint64_t *starts;
} exec_budget_t;

/* 0, or -1 when out of memory. rate is capped at EXEC_BUDGET_MAX_RATE. */
int exec_budget_init(exec_budget_t *b, uint32_t rate);
void exec_budget_free(exec_budget_t *b);
/* true (and counted) if a hook may start at now_ms. */
bool exec_budget_take(exec_budget_t *b, uint64_t now_ms);

#endif
