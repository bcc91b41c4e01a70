/* The API process's own read-only copy of what the capture process knows:
 * dialogs (by Call-ID, in creation order), RTP streams (by id, looked up by
 * SSRC) and the latest counters. Filled only from wire frames; pure, so the
 * router, the metrics and the fuzzer run on it without a server. */
#ifndef SNB_API_STORE_H
#define SNB_API_STORE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api_wire.h"

#define API_STATE_COUNT 12

/* "Trying", "Ringing", "InCall", "Completed", "Failed", "Cancelled",
 * "Registered", "Expired", "Pending", "Active", "Terminated", "Transferring"
 * (the REST spelling; index = api_dialog_rec_t.state). NULL out of range. */
const char *api_state_name(unsigned state);
/* Case-insensitive; -1 if unknown. */
int api_state_from(const char *name);

/* A stored dialog: the record's fields, owned by the store. */
/* A record's filter field values and where each starts (api_values_index):
 * a filter reads the fields it names, not every field before them. */
typedef struct api_values {
    const char *p;
    size_t len;
    const uint32_t *offs;
    size_t n;
} api_values_t;

typedef struct api_dialog {
    char *call_id;
    size_t call_id_len;
    char *from_user;
    uint8_t state;
    uint64_t created_us;
    int32_t pdd_ms;
    uint32_t diag_flags;
    char *summary_json, *full_json, *report_markdown;
    size_t summary_len, full_len, markdown_len;
    const char *messages_json; /* its messages as --json renders them (a JSON array), or "" */
    size_t messages_len;
    api_values_t values; /* last: next to the store's list links (api_store.c) */
} api_dialog_t;

typedef struct api_stream {
    uint64_t id;
    uint32_t ssrc;
    bool orphaned, active;
    double mos, jitter_ms, loss_pct;
    uint64_t packets; /* read from its JSON: which of a shared SSRC's streams to serve */
    char *call_id;    /* "" when orphaned */
    char *list_json, *full_json;
    size_t list_len, full_len;
    api_values_t values;
} api_stream_t;

typedef struct api_store api_store_t;

api_store_t *api_store_new(void);
void api_store_free(api_store_t *s);

/* Apply one frame (any type but API_FRAME_CONFIG). 0, or -1 on a payload
 * that does not decode (the store is unchanged then). */
int api_store_apply(api_store_t *s, uint8_t type, const char *payload, uint32_t len);

size_t api_store_dialog_count(const api_store_t *s);
size_t api_store_stream_count(const api_store_t *s);
const api_dialog_t *api_store_find_dialog(const api_store_t *s, const char *call_id, size_t len);
/* The stream with that SSRC most recently stored; NULL if none. */
const api_stream_t *api_store_find_ssrc(const api_store_t *s, uint32_t ssrc);

/* In creation order (created_us, then arrival); stop early by returning false. */
typedef bool (*api_dialog_fn)(void *ud, const api_dialog_t *d);
typedef bool (*api_stream_fn)(void *ud, const api_stream_t *st);
void api_store_foreach_dialog(const api_store_t *s, api_dialog_fn fn, void *ud);
void api_store_foreach_stream(const api_store_t *s, api_stream_fn fn, void *ud);
/* Every stream with this SSRC (several 5-tuples may share one), the most
 * recently stored first; stop by returning false. */
void api_store_foreach_ssrc(const api_store_t *s, uint32_t ssrc, api_stream_fn fn, void *ud);

/* The counters object last received (borrowed; an empty object before any):
 * {"families": [...],          every metric family the capture process's
 *                              modules collected (snb_core_metrics_json)
 *  "feed_complete": true|false} (the capture ended and all of it was sent) */
const json_t *api_store_counters(const api_store_t *s);

/* How late dialog records arrive: from the capture of a dialog's latest
 * message to its arrival here, for the records that carry that time (live
 * captures; a file's times are not comparable with the clock). */
#define API_LAG_NLE 8
extern const double api_lag_le_s[API_LAG_NLE]; /* finite bucket bounds, seconds */
typedef struct api_feed_lag {
    uint64_t counts[API_LAG_NLE + 1]; /* per bucket, not cumulative; last: above every bound */
    uint64_t count;
    double sum_s;
} api_feed_lag_t;

/* Kept up to date as frames arrive, so /v1/stats costs nothing per dialog. */
typedef struct api_store_totals {
    size_t by_state[API_STATE_COUNT];
    size_t with_pdd; /* dialogs with pdd_ms >= 0 */
    size_t streams, streams_orphaned, streams_active;
    api_feed_lag_t lag;
} api_store_totals_t;

/* The wall clock (Unix us) the frames applied next arrived at; the lag is
 * measured against it (0, the default, measures nothing). */
void api_store_set_now(api_store_t *s, uint64_t now_us);

const api_store_totals_t *api_store_totals(const api_store_t *s);
/* Nearest-rank p-th percentile (1..100) of pdd_ms over the dialogs with a
 * PDD; -1 when there is none. */
int64_t api_store_pdd_percentile(const api_store_t *s, unsigned p);

/* The filter language over what travelled (API_FRAME_FIELDS): the same
 * fields and aliases as `--filter` (dialogs) and `--stream-filter`
 * (streams), evaluated on each record's values. Empty tables before the
 * frame: every expression then fails to compile. */
typedef struct api_field_table {
    snb_filter_field_t *fields; /* id = index in a record's values */
    size_t n_fields;
    snb_filter_alias_t *aliases;
    size_t n_aliases;
} api_field_table_t;

const api_field_table_t *api_store_dialog_fields(const api_store_t *s);
/* The security alerts held (api_alerts.h). */
struct api_alerts;
const struct api_alerts *api_store_alerts(const api_store_t *s);
const api_field_table_t *api_store_stream_fields(const api_store_t *s);
snb_filter_t *api_field_table_compile(const api_field_table_t *t, const char *expr, char *err,
                                      size_t errlen);
bool api_values_match(const snb_filter_t *f, const api_values_t *v);
/* The diagnosis kinds (bit i of api_dialog_t.diag_flags is kinds[i]). */
const char *const *api_store_kinds(const api_store_t *s, size_t *n);

/* Heap bytes held (for the benchmark and the size cap). */
size_t api_store_bytes(const api_store_t *s);

#endif
