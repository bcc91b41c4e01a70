/* The sliding one-second window of exec_budget.h. */
#include "exec_budget.h"

#include <stdlib.h>

int exec_budget_init(exec_budget_t *b, uint32_t rate)
{
    if (rate > EXEC_BUDGET_MAX_RATE) rate = EXEC_BUDGET_MAX_RATE;
    *b = (exec_budget_t){.rate = rate};
    if (rate == 0) return 0;
    b->starts = calloc(rate, sizeof *b->starts);
    return b->starts ? 0 : -1;
}

void exec_budget_free(exec_budget_t *b)
{
    free(b->starts);
    b->starts = NULL;
}

bool exec_budget_take(exec_budget_t *b, uint64_t now_ms)
{
    if (b->rate == 0) return true;
    if (b->used < b->rate) {
        b->starts[b->used++] = now_ms;
        return true;
    }
    /* Full: the oldest of the last `rate` starts must have left the window. */
    if (now_ms < b->starts[b->next] + 1000) return false;
    b->starts[b->next] = now_ms;
    b->next = (b->next + 1) % b->rate;
    return true;
}
