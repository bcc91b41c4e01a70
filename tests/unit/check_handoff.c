/* The capture-thread -> loop hand-off: order, no loss, bounded, full = refused. */
#include <check.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "core_internal.h"
#include "sipnab/error.h"

#define N_RECORDS 200000

typedef struct ctx {
    snb_handoff_t *h;
    uint64_t received, next_expected, bytes_ok, full_seen;
    int bad;
    bool close_when_done;
    uint64_t want;
} ctx_t;

static void consume(void *ud, const void *hdr, size_t hdr_len, const uint8_t *data, size_t len)
{
    ctx_t *c = ud;
    uint64_t seq;
    ck_assert_uint_eq(hdr_len, sizeof seq);
    memcpy(&seq, hdr, sizeof seq);
    if (seq != c->next_expected) c->bad++;
    /* Payload length and bytes derive from the sequence number. */
    if (len != seq % 1500) c->bad++;
    for (size_t i = 0; i < len; i++)
        if (data[i] != (uint8_t)(seq + i)) {
            c->bad++;
            break;
        }
    c->next_expected = seq + 1;
    c->received++;
    if (c->close_when_done && c->received == c->want) {
        snb_handoff_close(c->h);
        c->h = NULL;
    }
}

static void producer(void *arg)
{
    ctx_t *c = arg;
    uint8_t buf[1500];
    for (uint64_t seq = 0; seq < N_RECORDS; seq++) {
        size_t len = seq % 1500;
        for (size_t i = 0; i < len; i++)
            buf[i] = (uint8_t)(seq + i);
        /* A capture thread would drop and count; here we retry to check order. */
        while (snb_handoff_write(c->h, &seq, sizeof seq, buf, len) == SNB_E_FULL) {
            c->full_seen++;
            sched_yield();
        }
    }
}

START_TEST(records_cross_threads_in_order_without_loss)
{
    snb_core_t *core = snb_core_new();
    ctx_t c = {.close_when_done = true, .want = N_RECORDS};
    c.h = snb_handoff_new(core, 64 * 1024, consume, &c);
    ck_assert_ptr_nonnull(c.h);
    uv_thread_t t;
    ck_assert_int_eq(uv_thread_create(&t, producer, &c), 0);
    uv_run(snb_core_loop(core), UV_RUN_DEFAULT);
    uv_thread_join(&t);
    ck_assert_uint_eq(c.received, N_RECORDS);
    ck_assert_int_eq(c.bad, 0);
    /* 200k records of up to 1.5 kB through a 64 kB ring: it must have filled. */
    ck_assert_uint_gt(c.full_seen, 0);
    snb_core_free(core);
}
END_TEST

START_TEST(a_full_ring_refuses_and_keeps_what_it_has)
{
    snb_core_t *core = snb_core_new();
    ctx_t c = {0};
    c.h = snb_handoff_new(core, 8192, consume, &c);
    uint8_t buf[1500];
    uint64_t accepted = 0;
    for (uint64_t seq = 0; seq < 1000; seq++) {
        size_t len = seq % 1500;
        for (size_t i = 0; i < len; i++)
            buf[i] = (uint8_t)(seq + i);
        if (snb_handoff_write(c.h, &seq, sizeof seq, buf, len) != 0) break;
        accepted++;
    }
    ck_assert_uint_gt(accepted, 5);
    ck_assert_uint_lt(accepted, 1000);
    /* A record larger than half the ring can never fit: refused at once. */
    static uint8_t big[8192];
    uint64_t seq = 0;
    ck_assert_int_eq(snb_handoff_write(c.h, &seq, sizeof seq, big, sizeof big), SNB_E_FULL);
    uv_run(snb_core_loop(core), UV_RUN_NOWAIT);
    ck_assert_uint_eq(c.received, accepted);
    ck_assert_int_eq(c.bad, 0);
    snb_handoff_close(c.h);
    uv_run(snb_core_loop(core), UV_RUN_DEFAULT);
    snb_core_free(core);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("handoff");
    TCase *tc = tcase_create("handoff");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, records_cross_threads_in_order_without_loss);
    tcase_add_test(tc, a_full_ring_refuses_and_keeps_what_it_has);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
