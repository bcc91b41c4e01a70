/* The two-lane output queue (api_outq.h). */
#include "api_outq.h"

#include <string.h>

void api_outq_init(api_outq_t *q, size_t slice_max, size_t keep_cap)
{
    memset(q, 0, sizeof *q);
    q->slice_max = slice_max ? slice_max : 1;
    q->keep_cap = keep_cap;
}

void api_outq_free(api_outq_t *q)
{
    api_buf_free(&q->filling);
    api_buf_free(&q->sending);
    api_buf_free(&q->counters);
    api_buf_free(&q->counters_out);
    q->sent = q->inflight = 0;
    q->inflight_counters = false;
}

api_buf_t *api_outq_records(api_outq_t *q)
{
    return &q->filling;
}

/* Empty b for reuse, or free it when it grew past what is worth keeping. */
static void empty(api_buf_t *b, size_t keep_cap)
{
    if (b->cap > keep_cap) {
        api_buf_free(b);
        return;
    }
    b->len = 0;
    if (b->data) b->data[0] = '\0';
}

int api_outq_set_counters(api_outq_t *q, const char *text, size_t len)
{
    api_buf_t fresh = {0};
    if (api_wire_put_text(&fresh, API_FRAME_COUNTERS, text, len) != 0) {
        api_buf_free(&fresh);
        return -1;
    }
    api_buf_free(&q->counters);
    q->counters = fresh;
    return 0;
}

bool api_outq_next(api_outq_t *q, const char **p, size_t *len)
{
    if (q->inflight) return false;
    if (q->counters.len) {
        api_buf_t t = q->counters_out;
        q->counters_out = q->counters;
        q->counters = t;
        empty(&q->counters, q->keep_cap);
        q->inflight = q->counters_out.len;
        q->inflight_counters = true;
        *p = q->counters_out.data;
        *len = q->inflight;
        return true;
    }
    if (q->sent == q->sending.len) {
        if (!q->filling.len) return false;
        api_buf_t t = q->sending;
        q->sending = q->filling;
        q->filling = t;
        empty(&q->filling, q->keep_cap);
        q->sent = 0;
    }
    /* Whole frames up to slice_max bytes; the first even when larger. */
    size_t end = q->sent + api_wire_frame_size(q->sending.data + q->sent);
    while (end < q->sending.len) {
        size_t next = api_wire_frame_size(q->sending.data + end);
        if (end + next - q->sent > q->slice_max) break;
        end += next;
    }
    q->inflight = end - q->sent;
    q->inflight_counters = false;
    *p = q->sending.data + q->sent;
    *len = q->inflight;
    return true;
}

void api_outq_written(api_outq_t *q)
{
    if (!q->inflight) return;
    if (q->inflight_counters) {
        empty(&q->counters_out, q->keep_cap);
    } else {
        q->sent += q->inflight;
        if (q->sent == q->sending.len) {
            empty(&q->sending, q->keep_cap);
            q->sent = 0;
        }
    }
    q->inflight = 0;
    q->inflight_counters = false;
}

size_t api_outq_backlog(const api_outq_t *q)
{
    return q->filling.len + (q->sending.len - q->sent) + q->counters.len +
           (q->inflight_counters ? q->counters_out.len : 0);
}
