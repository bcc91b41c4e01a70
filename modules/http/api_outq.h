/* The capture process's queue of frames for the API process, in two lanes.
 *
 * Records (dialogs, streams, resets, alerts, the field tables) keep their
 * order and go out in slices that end on frame boundaries. The newest
 * counters frame (what /metrics shows) goes out before the records still
 * waiting, and replaces an older one not yet written: when the API process
 * is tens of megabytes behind on records, /metrics still says how far the
 * capture is after at most one slice, not after the whole backlog.
 *
 * Records fill one buffer while the other is written; the two take turns,
 * so a busy feed reuses their memory instead of growing a new buffer each
 * time (realloc copies and fresh pages the kernel zeroes).
 *
 * Pure: http.c hands each slice to uv_write. */
#ifndef SNB_API_OUTQ_H
#define SNB_API_OUTQ_H

#include <stdbool.h>
#include <stddef.h>

#include "api_wire.h"

typedef struct api_outq {
    api_buf_t filling; /* records appended since the last turn */
    api_buf_t sending; /* records being written: [sent, len) are left */
    size_t sent;
    api_buf_t counters;     /* the newest counters frame, not written yet */
    api_buf_t counters_out; /* the counters frame being written */
    size_t slice_max;       /* bytes per records slice (a larger frame goes whole) */
    size_t keep_cap;        /* an emptied buffer larger than this is freed */
    size_t inflight;        /* bytes of the slice being written, 0 when none */
    bool inflight_counters; /* that slice is counters_out */
} api_outq_t;

void api_outq_init(api_outq_t *q, size_t slice_max, size_t keep_cap);
/* Drops everything, written or not (the pipe closed). */
void api_outq_free(api_outq_t *q);

/* Where record frames are appended (api_wire_put_*), in order. */
api_buf_t *api_outq_records(api_outq_t *q);
/* A counters frame holding text, replacing one not written yet; 0, or -1
 * when out of memory (the older frame stays). */
int api_outq_set_counters(api_outq_t *q, const char *text, size_t len);

/* The next bytes to write: false when nothing waits or a slice is still
 * being written. The bytes stay valid and unchanged until api_outq_written. */
bool api_outq_next(api_outq_t *q, const char **p, size_t *len);
/* The slice from api_outq_next is done with (written, or lost with the pipe). */
void api_outq_written(api_outq_t *q);

/* Bytes not written yet, in both lanes (the slice in flight included). */
size_t api_outq_backlog(const api_outq_t *q);

#endif
