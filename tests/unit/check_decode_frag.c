/* IPv4 and IPv6 fragment reassembly: arrival orders, duplicates, overlaps,
 * table cap, size cap, timeout and flush. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "decoder.h"
#include "support.h"

#include "check_run.h"
#include "decode_harness.h"

#define PAYLOAD 1000
static uint8_t payload[PAYLOAD];
static snb_tb_t fr[16];
static size_t nfr;

/* UDP datagram 5060->5060 of PAYLOAD bytes split into 8-byte-aligned chunks. */
static void make_frags(int v6, size_t chunk, uint32_t id)
{
    for (size_t i = 0; i < PAYLOAD; i++)
        payload[i] = (uint8_t)(i * 7 + id);
    snb_tb_t b;
    snb_tb_init(&b, payload, PAYLOAD);
    snb_tb_udp(&b, 5060, 5060);
    if (v6) {
        snb_tb_ipv6(&b, "2001:db8::1", "2001:db8::2", 17);
        nfr = snb_ipv6_fragment(b.p, b.len, chunk, id, fr, 16);
    } else {
        snb_tb_ipv4(&b, "10.0.0.1", "10.0.0.2", 17);
        nfr = snb_ipv4_fragment(b.p, b.len, chunk, (uint16_t)id, fr, 16);
    }
    snb_tb_free(&b);
}

static void free_frags(void)
{
    for (size_t i = 0; i < nfr; i++)
        snb_tb_free(&fr[i]);
    nfr = 0;
}

static void feed_frag(size_t i, uint64_t ts)
{
    feed_at(SNB_LINK_RAW, fr[i].p, fr[i].len, ts);
}

static void check_whole(const snb_packet_t *p)
{
    ck_assert_uint_eq(p->transport, SNB_TRANSPORT_UDP);
    ck_assert_uint_eq(p->sport, 5060);
    ck_assert(p->flags & SNB_PKT_REASSEMBLED_IP);
    ck_assert_uint_eq(p->payload_len, PAYLOAD);
    ck_assert_mem_eq(p->payload, payload, PAYLOAD);
}

static void run_order(int v6, const size_t *order, size_t n)
{
    make_frags(v6, 256, 99); /* 1008 bytes of UDP -> 4 fragments */
    ck_assert_uint_eq(nfr, 4);
    for (size_t k = 0; k < n; k++) {
        feed_frag(order[k], 1000000 + k);
        /* only the completing frame counts udp (Wireshark phs) */
        ck_assert_uint_eq(st.udp, k + 1 == n ? 1 : 0);
        ck_assert_uint_eq(col.n, k + 1 == n ? 1 : 0);
    }
    check_whole(&col.pkts[0]);
    ck_assert_uint_eq(st.ip_fragments, n);
    ck_assert_uint_eq(st.ip_reassembled, 1);
    ck_assert_uint_eq(v6 ? st.ipv6 : st.ipv4, n);
    ck_assert_uint_eq(st.frag_errors, 0);
    free_frags();
}

START_TEST(test_orders)
{
    static const size_t in[] = {0, 1, 2, 3}, rev[] = {3, 2, 1, 0}, shuf[] = {2, 0, 3, 1},
                        shuf2[] = {1, 3, 0, 2};
    for (int v6 = 0; v6 < 2; v6++) {
        setup();
        run_order(v6, in, 4);
        setup();
        run_order(v6, rev, 4);
        setup();
        run_order(v6, shuf, 4);
        setup();
        run_order(v6, shuf2, 4);
    }
}
END_TEST

START_TEST(test_duplicates_and_same_overlap)
{
    for (int v6 = 0; v6 < 2; v6++) {
        setup();
        make_frags(v6, 256, 5);
        feed_frag(1, 1);
        feed_frag(1, 2); /* exact duplicate */
        feed_frag(0, 3);
        feed_frag(0, 4);
        /* an overlapping fragment with the same bytes: [128, 640) */
        snb_tb_t ov;
        snb_tb_init(&ov, payload + 120, 512); /* UDP payload starts at 8 */
        if (v6) {
            snb_tb_ipv6_frag(&ov, 17, 128, true, 5);
            snb_tb_ipv6(&ov, "2001:db8::1", "2001:db8::2", 44);
        } else {
            snb_tb_ipv4_frag(&ov, "10.0.0.1", "10.0.0.2", 17, 5, 128, true);
        }
        feed_at(SNB_LINK_RAW, ov.p, ov.len, 5);
        snb_tb_free(&ov);
        ck_assert_uint_eq(col.n, 0);
        feed_frag(3, 6);
        feed_frag(2, 7);
        ck_assert_uint_eq(col.n, 1);
        check_whole(&col.pkts[0]);
        ck_assert_uint_eq(st.frag_errors, 0);
        ck_assert_uint_eq(st.ip_reassembled, 1);
        /* a late duplicate starts a new datagram that never completes */
        feed_frag(2, 8);
        snb_decoder_flush(dec);
        ck_assert_uint_eq(st.frag_timeouts, 1);
        free_frags();
    }
}
END_TEST

START_TEST(test_differing_overlap_first_wins)
{
    for (int v6 = 0; v6 < 2; v6++) {
        setup();
        make_frags(v6, 256, 6);
        feed_frag(0, 1);
        /* fragment [256, 512) with different bytes arrives before the real one */
        uint8_t bad[256];
        memset(bad, 0xee, sizeof(bad));
        snb_tb_t ov;
        snb_tb_init(&ov, payload + 248, 256);
        if (v6) {
            snb_tb_ipv6_frag(&ov, 17, 256, true, 6);
            snb_tb_ipv6(&ov, "2001:db8::1", "2001:db8::2", 44);
        } else {
            snb_tb_ipv4_frag(&ov, "10.0.0.1", "10.0.0.2", 17, 6, 256, true);
        }
        feed_at(SNB_LINK_RAW, ov.p, ov.len, 2); /* correct bytes first */
        snb_tb_free(&ov);
        snb_tb_init(&ov, bad, 256);
        if (v6) {
            snb_tb_ipv6_frag(&ov, 17, 256, true, 6);
            snb_tb_ipv6(&ov, "2001:db8::1", "2001:db8::2", 44);
        } else {
            snb_tb_ipv4_frag(&ov, "10.0.0.1", "10.0.0.2", 17, 6, 256, true);
        }
        feed_at(SNB_LINK_RAW, ov.p, ov.len, 3); /* differs: counted, ignored */
        snb_tb_free(&ov);
        ck_assert_uint_eq(st.frag_errors, 1);
        feed_frag(2, 4);
        feed_frag(3, 5);
        ck_assert_uint_eq(col.n, 1);
        check_whole(&col.pkts[0]); /* first data won */
        free_frags();
    }
}
END_TEST

START_TEST(test_table_cap_evicts_oldest)
{
    snb_decode_limits_t l = SNB_DECODE_LIMITS_DEFAULT;
    l.frag_max_datagrams = 2;
    setup_lim(&l);
    snb_tb_t a[16], b[16], c[16];
    make_frags(0, 256, 1);
    memcpy(a, fr, sizeof(a));
    make_frags(0, 256, 2);
    memcpy(b, fr, sizeof(b));
    make_frags(0, 256, 3); /* payload[] now holds datagram 3's bytes */
    memcpy(c, fr, sizeof(c));
    feed_at(SNB_LINK_RAW, a[0].p, a[0].len, 1);
    feed_at(SNB_LINK_RAW, b[0].p, b[0].len, 2);
    feed_at(SNB_LINK_RAW, c[0].p, c[0].len, 3); /* evicts datagram 1 */
    ck_assert_uint_eq(st.frag_overflow, 1);
    for (int i = 1; i < 4; i++)
        feed_at(SNB_LINK_RAW, c[i].p, c[i].len, 4);
    ck_assert_uint_eq(col.n, 1);
    check_whole(&col.pkts[0]);
    for (int i = 1; i < 4; i++)
        feed_at(SNB_LINK_RAW, a[i].p, a[i].len, 5); /* datagram 1 restarts: evicts 2 */
    ck_assert_uint_eq(col.n, 1);
    ck_assert_uint_eq(st.frag_overflow, 1 + 0); /* table had room after 3 completed */
    for (int i = 1; i < 4; i++)
        feed_at(SNB_LINK_RAW, b[i].p, b[i].len, 6);
    ck_assert_uint_eq(col.n, 2); /* datagram 2 completes; 1 lacks its first fragment */
    ck_assert_uint_eq(col.pkts[1].payload_len, PAYLOAD);
    ck_assert_uint_eq(st.ip_reassembled, 2);
    snb_decoder_flush(dec);
    ck_assert_uint_eq(st.frag_timeouts, 1);
    for (int i = 0; i < 4; i++) {
        snb_tb_free(&a[i]);
        snb_tb_free(&b[i]);
        snb_tb_free(&c[i]);
    }
    nfr = 0;
}
END_TEST

START_TEST(test_size_cap)
{
    snb_decode_limits_t l = SNB_DECODE_LIMITS_DEFAULT;
    l.frag_max_bytes = 600;
    setup_lim(&l);
    make_frags(0, 256, 8);
    for (size_t i = 0; i < nfr; i++)
        feed_frag(i, 1);
    ck_assert_uint_eq(col.n, 0);
    /* [512,768) and [768,1008) end past 600: each drops the datagram */
    ck_assert_uint_eq(st.frag_errors, 2);
    snb_decoder_flush(dec);
    ck_assert_uint_eq(st.frag_timeouts, 0); /* nothing left behind */
    free_frags();
}
END_TEST

START_TEST(test_timeout_capture_time)
{
    snb_decode_limits_t l = SNB_DECODE_LIMITS_DEFAULT;
    l.frag_timeout_ms = 5000;
    setup_lim(&l);
    make_frags(0, 256, 9);
    feed_frag(0, 10000000);
    feed_frag(1, 12000000);
    /* an unrelated frame 6 s later (capture time) expires the datagram */
    snb_tb_t b;
    snb_tb_init(&b, "x", 1);
    snb_tb_udp(&b, 1, 2);
    snb_tb_ipv4(&b, "10.0.0.9", "10.0.0.8", 17);
    feed_at(SNB_LINK_RAW, b.p, b.len, 16000001);
    snb_tb_free(&b);
    ck_assert_uint_eq(st.frag_timeouts, 1);
    feed_frag(2, 16000002);
    feed_frag(3, 16000003);
    ck_assert_uint_eq(col.n, 1); /* only the unrelated datagram */
    snb_decoder_flush(dec);
    ck_assert_uint_eq(st.frag_timeouts, 2);
    free_frags();
}
END_TEST

START_TEST(test_truncated_fragment_not_used)
{
    make_frags(0, 256, 10);
    snb_frame_t f = {.ts_us = 1,
                     .caplen = 100,
                     .wirelen = (uint32_t)fr[1].len,
                     .linktype = SNB_LINK_RAW,
                     .data = fr[1].p};
    snb_decoder_feed(dec, &f);
    ck_assert_uint_eq(st.err_truncated, 1);
    ck_assert_uint_eq(st.ip_fragments, 1);
    free_frags();
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("decode_frag");
    TCase *tc = tcase_create("frag");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_orders);
    tcase_add_test(tc, test_duplicates_and_same_overlap);
    tcase_add_test(tc, test_differing_overlap_first_wins);
    tcase_add_test(tc, test_table_cap_evicts_oldest);
    tcase_add_test(tc, test_size_cap);
    tcase_add_test(tc, test_timeout_capture_time);
    tcase_add_test(tc, test_truncated_fragment_not_used);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return snb_check_run(suite());
}
