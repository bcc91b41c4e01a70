#include "retention.h"

static int64_t cutoff(uint64_t keep_ms, int64_t now_us)
{
    if (keep_ms == 0 || now_us <= 0) return 0;
    if (keep_ms > (uint64_t)(now_us / 1000)) return 0; /* longer than the epoch: nothing is old */
    int64_t c = now_us - (int64_t)keep_ms * 1000;
    return c > 0 ? c : 0;
}

retention_cutoffs_t retention_cutoffs(const retention_policy_t *p, int64_t now_us)
{
    retention_cutoffs_t c = {
        .events_before = cutoff(p->events_ms, now_us),
        .packets_before = cutoff(p->packets_ms, now_us),
        .sessions_before = cutoff(p->sessions_ms, now_us),
    };
    return c;
}
