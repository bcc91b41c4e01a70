/* GET /v1/stats body (see api_stats.h), from the store's running totals. */
#include "api_stats.h"

#include <stdlib.h>

static int put_percentile(api_buf_t *b, const char *name, const api_store_t *store, unsigned p)
{
    int64_t v = api_store_pdd_percentile(store, p);
    if (v < 0) return api_buf_printf(b, "\"%s\":null", name);
    return api_buf_printf(b, "\"%s\":%lld", name, (long long)v);
}

char *api_stats_json(const api_store_t *store, size_t *len)
{
    const api_store_totals_t *t = api_store_totals(store);
    size_t total = 0;
    for (unsigned i = 0; i < API_STATE_COUNT; i++)
        total += t->by_state[i];
    /* indexes: see api_state_name */
    size_t active = t->by_state[0] + t->by_state[1] + t->by_state[2] + t->by_state[11];
    api_buf_t b = {0};
    int rc = api_buf_printf(&b,
                            "{\"schema_version\":1,\"dialogs\":{\"total\":%zu,\"active\":%zu,"
                            "\"completed\":%zu,\"failed\":%zu,\"cancelled\":%zu,\"by_state\":{",
                            total, active, t->by_state[3], t->by_state[4], t->by_state[5]);
    for (unsigned i = 0; i < API_STATE_COUNT; i++)
        rc |= api_buf_printf(&b, "%s\"%s\":%zu", i ? "," : "", api_state_name(i), t->by_state[i]);
    rc |= api_buf_printf(&b,
                         "}},\"streams\":{\"total\":%zu,\"orphaned\":%zu,\"active\":%zu},"
                         "\"timing\":{",
                         t->streams, t->streams_orphaned, t->streams_active);
    rc |= put_percentile(&b, "pdd_p50_ms", store, 50);
    rc |= api_buf_append(&b, ",", 1);
    rc |= put_percentile(&b, "pdd_p95_ms", store, 95);
    rc |= api_buf_append(&b, ",", 1);
    rc |= put_percentile(&b, "pdd_p99_ms", store, 99);
    rc |= api_buf_append(&b, "}}", 2);
    if (rc != 0) {
        api_buf_free(&b);
        return NULL;
    }
    *len = b.len;
    return b.data;
}
