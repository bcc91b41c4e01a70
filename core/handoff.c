/* Bounded single-producer/single-consumer byte ring between a capture thread
 * and the loop thread. The producer copies a record in and publishes the new
 * head with release ordering; the loop thread reads records in place and
 * frees space by publishing the tail. No locks, no allocation per record.
 *
 * Record layout, 8-byte aligned: [u32 total][u32 hdr_len][hdr][data]. A
 * record never wraps: when it does not fit before the end, the producer
 * writes a wrap marker (total == 0) and starts again at offset 0. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core_internal.h"
#include "sipnab/error.h"

#define REC_HDR 8u
#define ALIGN8(x) (((x) + 7u) & ~(size_t)7u)
/* Records handled per async callback before yielding to the loop. */
#define DRAIN_BATCH 4096

struct snb_handoff {
    uv_async_t async;
    snb_handoff_cb cb;
    void *ud;
    uint8_t *ring;
    size_t cap;
    _Atomic size_t head; /* producer: next write offset (monotonic, mod cap) */
    _Atomic size_t tail; /* consumer: next read offset (monotonic, mod cap) */
    bool draining;       /* a callback is running: close must not re-enter */
    bool close_requested;
};

static void handoff_close_now(snb_handoff_t *h);

static void handoff_drain(uv_async_t *async)
{
    snb_handoff_t *h = async->data;
    if (h->draining) return;
    h->draining = true;
    size_t tail = atomic_load_explicit(&h->tail, memory_order_relaxed);
    size_t head = atomic_load_explicit(&h->head, memory_order_acquire);
    int budget = DRAIN_BATCH;
    while (tail != head && budget-- > 0) {
        size_t off = tail % h->cap;
        uint32_t total, hdr_len;
        memcpy(&total, h->ring + off, 4);
        if (total == 0) { /* wrap marker: skip to the start */
            tail += h->cap - off;
            continue;
        }
        memcpy(&hdr_len, h->ring + off + 4, 4);
        const uint8_t *rec = h->ring + off + REC_HDR;
        h->cb(h->ud, rec, hdr_len, rec + hdr_len, total - REC_HDR - hdr_len);
        tail += ALIGN8(total);
        atomic_store_explicit(&h->tail, tail, memory_order_release);
    }
    atomic_store_explicit(&h->tail, tail, memory_order_release);
    h->draining = false;
    if (h->close_requested)
        handoff_close_now(h);
    else if (tail != atomic_load_explicit(&h->head, memory_order_acquire))
        uv_async_send(&h->async); /* more left: come back after other loop work */
}

snb_handoff_t *snb_handoff_new(snb_core_t *core, size_t capacity_bytes, snb_handoff_cb cb, void *ud)
{
    snb_handoff_t *h = calloc(1, sizeof *h);
    if (!h) return NULL;
    h->cap = ALIGN8(capacity_bytes < 4096 ? 4096 : capacity_bytes);
    h->ring = malloc(h->cap);
    if (!h->ring || uv_async_init(snb_core_loop(core), &h->async, handoff_drain) != 0) {
        free(h->ring);
        free(h);
        return NULL;
    }
    h->async.data = h;
    h->cb = cb;
    h->ud = ud;
    return h;
}

int snb_handoff_write(snb_handoff_t *h, const void *hdr, size_t hdr_len, const uint8_t *data,
                      size_t data_len)
{
    size_t total = REC_HDR + hdr_len + data_len;
    size_t need = ALIGN8(total);
    size_t head = atomic_load_explicit(&h->head, memory_order_relaxed);
    size_t tail = atomic_load_explicit(&h->tail, memory_order_acquire);
    size_t off = head % h->cap;
    size_t to_end = h->cap - off;
    size_t want = need <= to_end ? need : to_end + need; /* wrap marker wastes to_end */
    if (need > h->cap / 2 || (head - tail) + want > h->cap) return SNB_E_FULL;
    if (need > to_end) {
        uint32_t zero = 0;
        memcpy(h->ring + off, &zero, 4);
        head += to_end;
        off = 0;
    }
    uint32_t t32 = (uint32_t)total, h32 = (uint32_t)hdr_len;
    memcpy(h->ring + off, &t32, 4);
    memcpy(h->ring + off + 4, &h32, 4);
    memcpy(h->ring + off + REC_HDR, hdr, hdr_len);
    if (data_len) memcpy(h->ring + off + REC_HDR + hdr_len, data, data_len);
    atomic_store_explicit(&h->head, head + need, memory_order_release);
    uv_async_send(&h->async);
    return 0;
}

static void handoff_closed(uv_handle_t *handle)
{
    snb_handoff_t *h = handle->data;
    free(h->ring);
    free(h);
}

static void handoff_close_now(snb_handoff_t *h)
{
    h->close_requested = false;
    /* The producer has stopped: deliver everything still in the ring. */
    while (atomic_load(&h->tail) != atomic_load(&h->head) && !h->close_requested)
        handoff_drain(&h->async);
    if (!uv_is_closing((uv_handle_t *)&h->async)) /* a nested close may have run */
        uv_close((uv_handle_t *)&h->async, handoff_closed);
}

void snb_handoff_close(snb_handoff_t *h)
{
    if (!h || uv_is_closing((uv_handle_t *)&h->async)) return;
    if (h->draining) {
        h->close_requested = true; /* called from a record callback: finish first */
        return;
    }
    handoff_close_now(h);
}
