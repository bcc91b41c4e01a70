/* The capture side's two-lane output queue: records in order, in slices
 * that end on frame boundaries; the newest counters ahead of the records
 * still waiting; the backlog it reports; its buffers reused or let go. The
 * receiving side is the API process's own framer. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_outq.h"
#include "check_run.h"

/* What the API process saw: each frame as "<type>:<payload>", in order. */
typedef struct seen {
    char log[64][80];
    size_t n;
} seen_t;

static int on_frame(void *ud, uint8_t type, const char *payload, uint32_t len)
{
    seen_t *s = ud;
    ck_assert_uint_lt(s->n, 64);
    snprintf(s->log[s->n++], sizeof s->log[0], "%u:%.*s", type, (int)len, payload);
    return 0;
}

static void put_record(api_outq_t *q, const char *text)
{
    ck_assert_int_eq(api_wire_put_text(api_outq_records(q), API_FRAME_ALERT, text, strlen(text)),
                     0);
}

/* Write the next slice out to the framer: its length, 0 when nothing was due. */
static size_t write_one(api_outq_t *q, api_framer_t *f, seen_t *s)
{
    const char *p;
    size_t len;
    if (!api_outq_next(q, &p, &len)) return 0;
    ck_assert_int_eq(api_framer_feed(f, p, len, on_frame, s), 0);
    api_outq_written(q);
    return len;
}

/* A record frame of this test: header plus a 20-byte payload. */
#define REC(i) "record number " #i "...."
#define REC_SIZE (API_FRAME_HEADER + 20)

START_TEST(records_in_order_in_whole_frame_slices)
{
    api_outq_t q;
    api_outq_init(&q, 3 * REC_SIZE + 1, 1 << 20);
    put_record(&q, REC(10));
    put_record(&q, REC(11));
    put_record(&q, REC(12));
    put_record(&q, REC(13));
    put_record(&q, REC(14));
    ck_assert_uint_eq(api_outq_backlog(&q), 5 * REC_SIZE);
    api_framer_t f = {0};
    seen_t s = {0};
    /* three frames fit a slice, the fourth would not */
    const char *p;
    size_t len;
    ck_assert(api_outq_next(&q, &p, &len));
    ck_assert_uint_eq(len, 3 * REC_SIZE);
    /* nothing more while it is in flight, and it still counts as backlog */
    const char *p2;
    size_t len2;
    ck_assert(!api_outq_next(&q, &p2, &len2));
    ck_assert_uint_eq(api_outq_backlog(&q), 5 * REC_SIZE);
    ck_assert_int_eq(api_framer_feed(&f, p, len, on_frame, &s), 0);
    api_outq_written(&q);
    ck_assert_uint_eq(api_outq_backlog(&q), 2 * REC_SIZE);
    /* records appended meanwhile wait for the turn after the two left */
    put_record(&q, REC(15));
    ck_assert_uint_eq(write_one(&q, &f, &s), 2 * REC_SIZE);
    ck_assert_uint_eq(write_one(&q, &f, &s), REC_SIZE);
    ck_assert_uint_eq(write_one(&q, &f, &s), 0);
    ck_assert_uint_eq(api_outq_backlog(&q), 0);
    ck_assert_uint_eq(s.n, 6);
    for (int i = 0; i < 6; i++) {
        char want[80];
        snprintf(want, sizeof want, "%d:record number %d....", API_FRAME_ALERT, 10 + i);
        ck_assert_str_eq(s.log[i], want);
    }
    api_framer_free(&f);
    api_outq_free(&q);
}
END_TEST

START_TEST(frame_larger_than_a_slice_goes_whole)
{
    api_outq_t q;
    api_outq_init(&q, 8, 1 << 20);
    char big[300];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    put_record(&q, big);
    put_record(&q, REC(01));
    api_framer_t f = {0};
    seen_t s = {0};
    ck_assert_uint_eq(write_one(&q, &f, &s), API_FRAME_HEADER + 299);
    ck_assert_uint_eq(write_one(&q, &f, &s), REC_SIZE);
    ck_assert_uint_eq(s.n, 2);
    api_framer_free(&f);
    api_outq_free(&q);
}
END_TEST

START_TEST(newest_counters_go_before_waiting_records)
{
    api_outq_t q;
    api_outq_init(&q, 2 * REC_SIZE, 1 << 20);
    for (int i = 0; i < 6; i++)
        put_record(&q, REC(00));
    api_framer_t f = {0};
    seen_t s = {0};
    const char *p;
    size_t len;
    ck_assert(api_outq_next(&q, &p, &len)); /* two records in flight */
    /* two counters frames while it is written: only the newest is sent */
    ck_assert_int_eq(api_outq_set_counters(&q, "{\"n\":1}", 7), 0);
    ck_assert_int_eq(api_outq_set_counters(&q, "{\"n\":2}", 7), 0);
    ck_assert_uint_eq(api_outq_backlog(&q), 6 * REC_SIZE + API_FRAME_HEADER + 7);
    ck_assert_int_eq(api_framer_feed(&f, p, len, on_frame, &s), 0);
    api_outq_written(&q);
    /* the counters jump the four records still waiting */
    ck_assert_uint_eq(write_one(&q, &f, &s), API_FRAME_HEADER + 7);
    /* a counters frame set while another is in flight waits its turn */
    ck_assert(api_outq_next(&q, &p, &len));
    ck_assert_int_eq(api_outq_set_counters(&q, "{\"n\":3}", 7), 0);
    ck_assert_int_eq(api_framer_feed(&f, p, len, on_frame, &s), 0);
    api_outq_written(&q);
    while (write_one(&q, &f, &s))
        continue;
    ck_assert_uint_eq(api_outq_backlog(&q), 0);
    char rec[80], counters2[80], counters3[80];
    snprintf(rec, sizeof rec, "%d:record number 00....", API_FRAME_ALERT);
    snprintf(counters2, sizeof counters2, "%d:{\"n\":2}", API_FRAME_COUNTERS);
    snprintf(counters3, sizeof counters3, "%d:{\"n\":3}", API_FRAME_COUNTERS);
    ck_assert_uint_eq(s.n, 8);
    ck_assert_str_eq(s.log[0], rec);
    ck_assert_str_eq(s.log[1], rec);
    ck_assert_str_eq(s.log[2], counters2);
    ck_assert_str_eq(s.log[3], rec);
    ck_assert_str_eq(s.log[4], rec);
    ck_assert_str_eq(s.log[5], counters3);
    ck_assert_str_eq(s.log[6], rec);
    ck_assert_str_eq(s.log[7], rec);
    api_framer_free(&f);
    api_outq_free(&q);
}
END_TEST

START_TEST(buffers_reused_up_to_keep_cap)
{
    /* small buffers are kept for the next turn */
    api_outq_t q;
    api_outq_init(&q, 1 << 20, 4096);
    api_framer_t f = {0};
    seen_t s = {0};
    put_record(&q, REC(01));
    ck_assert_uint_eq(write_one(&q, &f, &s), REC_SIZE);
    ck_assert_ptr_nonnull(q.sending.data);
    ck_assert_uint_eq(q.sending.len, 0);
    char *kept = q.sending.data;
    put_record(&q, REC(02));
    ck_assert_uint_eq(write_one(&q, &f, &s), REC_SIZE);
    /* the two buffers took turns: the one kept is filling now */
    ck_assert_ptr_eq(q.filling.data, kept);
    api_outq_free(&q);
    /* one grown past keep_cap is let go once written */
    api_outq_init(&q, 1 << 20, 64);
    char big[200];
    memset(big, 'y', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    put_record(&q, big);
    ck_assert_uint_gt(q.filling.cap, 64);
    ck_assert_uint_eq(write_one(&q, &f, &s), API_FRAME_HEADER + 199);
    ck_assert_ptr_null(q.sending.data);
    ck_assert_uint_eq(api_outq_backlog(&q), 0);
    ck_assert_uint_eq(s.n, 3);
    api_framer_free(&f);
    api_outq_free(&q);
}
END_TEST

START_TEST(free_drops_everything)
{
    api_outq_t q;
    api_outq_init(&q, 64, 1 << 20);
    put_record(&q, REC(01));
    put_record(&q, REC(02));
    const char *p;
    size_t len;
    ck_assert(api_outq_next(&q, &p, &len));
    ck_assert_int_eq(api_outq_set_counters(&q, "{}", 2), 0);
    api_outq_free(&q);
    ck_assert_uint_eq(api_outq_backlog(&q), 0);
    ck_assert(!api_outq_next(&q, &p, &len));
    api_outq_written(&q); /* a late completion is harmless */
    ck_assert_uint_eq(api_outq_backlog(&q), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("api_outq");
    TCase *tc = tcase_create("api_outq");
    tcase_add_test(tc, records_in_order_in_whole_frame_slices);
    tcase_add_test(tc, frame_larger_than_a_slice_goes_whole);
    tcase_add_test(tc, newest_counters_go_before_waiting_records);
    tcase_add_test(tc, buffers_reused_up_to_keep_cap);
    tcase_add_test(tc, free_drops_everything);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
