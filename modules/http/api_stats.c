/* GET /v1/stats body (see api_stats.h). */
#include "api_stats.h"

#include <stdlib.h>

typedef struct stats_acc {
    size_t by_state[API_STATE_COUNT];
    int32_t *pdd; /* dialogs with a PDD */
    size_t npdd, cap;
    size_t streams, orphaned, active;
} stats_acc_t;

static bool count_dialog(void *ud, const api_dialog_t *d)
{
    stats_acc_t *a = ud;
    if (d->state < API_STATE_COUNT) a->by_state[d->state]++;
    if (d->pdd_ms >= 0 && a->npdd < a->cap) a->pdd[a->npdd++] = d->pdd_ms;
    return true;
}

static bool count_stream(void *ud, const api_stream_t *st)
{
    stats_acc_t *a = ud;
    a->streams++;
    a->orphaned += st->orphaned;
    a->active += st->active;
    return true;
}

static int cmp_i32(const void *x, const void *y)
{
    int32_t a = *(const int32_t *)x, b = *(const int32_t *)y;
    return (a > b) - (a < b);
}

/* Nearest rank: the smallest value with at least p% of values at or below
 * it, i.e. sorted[ceil(p/100 * n) - 1]. */
static int put_percentile(api_buf_t *b, const char *name, const stats_acc_t *a, unsigned p)
{
    if (!a->npdd) return api_buf_printf(b, "\"%s\":null", name);
    size_t rank = (a->npdd * p + 99) / 100;
    if (rank < 1) rank = 1;
    return api_buf_printf(b, "\"%s\":%ld", name, (long)a->pdd[rank - 1]);
}

char *api_stats_json(const api_store_t *store, size_t *len)
{
    stats_acc_t a = {0};
    a.cap = api_store_dialog_count(store);
    if (a.cap) {
        a.pdd = malloc(a.cap * sizeof *a.pdd);
        if (!a.pdd) return NULL;
    }
    api_store_foreach_dialog(store, count_dialog, &a);
    api_store_foreach_stream(store, count_stream, &a);
    if (a.npdd > 1) qsort(a.pdd, a.npdd, sizeof *a.pdd, cmp_i32);

    size_t total = 0;
    for (unsigned i = 0; i < API_STATE_COUNT; i++)
        total += a.by_state[i];
    /* indexes: see api_state_name */
    size_t active = a.by_state[0] + a.by_state[1] + a.by_state[2] + a.by_state[11];
    api_buf_t b = {0};
    int rc = api_buf_printf(&b,
                            "{\"schema_version\":1,\"dialogs\":{\"total\":%zu,\"active\":%zu,"
                            "\"completed\":%zu,\"failed\":%zu,\"cancelled\":%zu,\"by_state\":{",
                            total, active, a.by_state[3], a.by_state[4], a.by_state[5]);
    for (unsigned i = 0; i < API_STATE_COUNT; i++)
        rc |= api_buf_printf(&b, "%s\"%s\":%zu", i ? "," : "", api_state_name(i), a.by_state[i]);
    rc |= api_buf_printf(&b,
                         "}},\"streams\":{\"total\":%zu,\"orphaned\":%zu,\"active\":%zu},"
                         "\"timing\":{",
                         a.streams, a.orphaned, a.active);
    rc |= put_percentile(&b, "pdd_p50_ms", &a, 50);
    rc |= api_buf_append(&b, ",", 1);
    rc |= put_percentile(&b, "pdd_p95_ms", &a, 95);
    rc |= api_buf_append(&b, ",", 1);
    rc |= put_percentile(&b, "pdd_p99_ms", &a, 99);
    rc |= api_buf_append(&b, "}}", 2);
    free(a.pdd);
    if (rc != 0) {
        api_buf_free(&b);
        return NULL;
    }
    *len = b.len;
    return b.data;
}
