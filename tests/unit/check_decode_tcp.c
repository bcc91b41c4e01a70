/* TCP stream reassembly: in order, out of order, retransmission, partial
 * overlap, gaps (buffer cap, timeout, flush), sequence wrap, table cap, FIN,
 * RST, zero-length segments, snaplen-truncated segments. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "decoder.h"
#include "support.h"

#include "check_run.h"
#include "decode_harness.h"

static const char text[] = "INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/TCP hst\r\n\r\n";

/* Segment of the client->server direction carrying text[off, off+len). */
static void seg_at(uint32_t isn, size_t off, size_t len, uint8_t flags, uint64_t ts)
{
    snb_tb_t b;
    snb_tb_init(&b, text + off, len);
    snb_tb_tcp(&b, 40000, 5060, isn + 1 + (uint32_t)off, 1, flags);
    snb_tb_ipv4(&b, "10.0.0.1", "10.0.0.2", 6);
    snb_tb_eth(&b, 0x0800);
    feed_at(SNB_LINK_ETHERNET, b.p, b.len, ts);
    snb_tb_free(&b);
}

static void syn(uint32_t isn)
{
    seg_at(isn - 1, 0, 0, SNB_TB_SYN, 1000);
}

static void seg(uint32_t isn, size_t off, size_t len)
{
    seg_at(isn, off, len, SNB_TB_ACK, 2000);
}

static void assert_stream(size_t first_pkt, size_t total)
{
    size_t n;
    ck_assert_uint_gt(col.n, first_pkt);
    char *s = snb_collect_stream(&col, col.pkts[first_pkt].stream_id, &n);
    ck_assert_uint_eq(n, total);
    ck_assert_mem_eq(s, text, total);
    free(s);
}

#define ISN 1000u
#define L 60 /* strlen(text) */

START_TEST(test_in_order)
{
    ck_assert_uint_eq(strlen(text), L);
    syn(ISN);
    seg(ISN, 0, 20);
    seg(ISN, 20, 20);
    seg_at(ISN, 40, 0, SNB_TB_ACK, 3000); /* pure ACK: nothing delivered */
    seg(ISN, 40, 20);
    ck_assert_uint_eq(col.n, 3);
    for (size_t i = 0; i < 3; i++) {
        ck_assert_uint_eq(col.pkts[i].transport, SNB_TRANSPORT_TCP);
        ck_assert_uint_eq(col.pkts[i].flags, SNB_PKT_TCP_STREAM);
        ck_assert_uint_eq(col.pkts[i].stream_offset, 20 * i);
        ck_assert_uint_eq(col.pkts[i].stream_id, col.pkts[0].stream_id);
        ck_assert_uint_eq(col.pkts[i].sport, 40000);
        ck_assert_uint_eq(col.pkts[i].dport, 5060);
    }
    ck_assert_uint_ne(col.pkts[0].stream_id, 0);
    assert_stream(0, L);
    ck_assert_uint_eq(st.tcp, 5);
    ck_assert_uint_eq(st.tcp_streams, 1);
    ck_assert_uint_eq(st.tcp_segments_data, 3);
    ck_assert_uint_eq(st.tcp_out_of_order + st.tcp_retransmits + st.tcp_gaps, 0);
}
END_TEST

START_TEST(test_no_syn_starts_at_first_data)
{
    seg(ISN, 10, 20);
    seg(ISN, 30, 30);
    ck_assert_uint_eq(col.n, 2);
    ck_assert_uint_eq(col.pkts[0].stream_offset, 0);
    ck_assert_uint_eq(col.pkts[1].stream_offset, 20);
    ck_assert_mem_eq(col.pkts[1].payload, text + 30, 30);
}
END_TEST

START_TEST(test_out_of_order)
{
    syn(ISN);
    seg(ISN, 40, 20);
    seg(ISN, 20, 20);
    ck_assert_uint_eq(col.n, 0);
    ck_assert_uint_eq(st.tcp_out_of_order, 2);
    seg(ISN, 0, 20);
    ck_assert_uint_eq(col.n, 3);
    ck_assert_uint_eq(col.pkts[1].stream_offset, 20);
    ck_assert_uint_eq(col.pkts[2].stream_offset, 40);
    ck_assert_uint_eq(col.pkts[2].flags, SNB_PKT_TCP_STREAM);
    assert_stream(0, L);
    ck_assert_uint_eq(st.tcp_gaps, 0);
}
END_TEST

START_TEST(test_retransmit_and_partial_overlap)
{
    syn(ISN);
    seg(ISN, 0, 20);
    seg(ISN, 0, 20);  /* retransmission */
    seg(ISN, 5, 10);  /* inside delivered data */
    seg(ISN, 10, 25); /* overlaps: only [20,35) is new */
    seg(ISN, 50, 10); /* ahead */
    seg(ISN, 50, 10); /* duplicate of a buffered segment */
    seg(ISN, 30, 25); /* overlaps delivered and buffered data */
    ck_assert_uint_eq(st.tcp_retransmits, 3);
    assert_stream(0, L);
    ck_assert_uint_eq(col.pkts[1].stream_offset, 20);
    ck_assert_uint_eq(col.pkts[1].payload_len, 15);
    ck_assert_uint_eq(st.tcp_gaps, 0);
}
END_TEST

START_TEST(test_gap_via_buffer_cap)
{
    snb_decode_limits_t l = SNB_DECODE_LIMITS_DEFAULT;
    l.tcp_max_buffered = 15;
    setup_lim(&l);
    syn(ISN);
    seg(ISN, 0, 10);
    seg(ISN, 20, 10); /* hole [10,20) */
    ck_assert_uint_eq(st.tcp_out_of_order, 1);
    seg(ISN, 40, 10); /* does not fit: skip the hole, deliver [20,30), buffer this */
    ck_assert_uint_eq(col.n, 2);
    ck_assert_uint_eq(col.pkts[1].stream_offset, 20);
    ck_assert_uint_eq(col.pkts[1].flags, SNB_PKT_TCP_STREAM | SNB_PKT_TCP_GAP);
    ck_assert_mem_eq(col.pkts[1].payload, text + 20, 10);
    ck_assert_uint_eq(st.tcp_gaps, 1);
    seg(ISN, 30, 10); /* fills the next hole: [30,40) then [40,50) */
    ck_assert_uint_eq(col.n, 4);
    ck_assert_uint_eq(col.pkts[3].stream_offset, 40);
    ck_assert_uint_eq(col.pkts[3].flags, SNB_PKT_TCP_STREAM);
    seg(ISN, 55, 5);
    seg_at(ISN, 0, 20, SNB_TB_ACK, 2000); /* old data: retransmit */
    /* a segment bigger than the whole buffer is dropped */
    snb_tb_t b;
    char big[32] = {0};
    snb_tb_init(&b, big, sizeof(big));
    snb_tb_tcp(&b, 40000, 5060, ISN + 1 + 100, 1, SNB_TB_ACK);
    snb_tb_ipv4(&b, "10.0.0.1", "10.0.0.2", 6);
    feed_at(SNB_LINK_RAW, b.p, b.len, 3000);
    snb_tb_free(&b);
    ck_assert_uint_eq(st.tcp_buffer_overflow, 32);
    ck_assert_uint_eq(st.tcp_gaps, 2); /* [50,55) skipped to deliver [55,60) */
    ck_assert_uint_eq(col.pkts[col.n - 1].stream_offset, 55);
}
END_TEST

START_TEST(test_gap_via_timeout_and_flush)
{
    snb_decode_limits_t l = SNB_DECODE_LIMITS_DEFAULT;
    l.tcp_timeout_ms = 10000;
    setup_lim(&l);
    syn(ISN);
    seg(ISN, 0, 10);
    seg(ISN, 30, 10);
    /* unrelated traffic 11 s later (capture time) expires the direction */
    snb_tb_t b;
    snb_tb_init(&b, "x", 1);
    snb_tb_udp(&b, 1, 2);
    snb_tb_ipv4(&b, "10.0.0.9", "10.0.0.8", 17);
    feed_at(SNB_LINK_RAW, b.p, b.len, 2000 + 11000000);
    ck_assert_uint_eq(st.tcp_timeouts, 1);
    ck_assert_uint_eq(st.tcp_gaps, 1);
    ck_assert_uint_eq(col.n, 3);
    ck_assert_uint_eq(col.pkts[1].flags, SNB_PKT_TCP_STREAM | SNB_PKT_TCP_GAP);
    ck_assert_uint_eq(col.pkts[1].stream_offset, 30);
    ck_assert_uint_eq(col.pkts[1].ts_us, 2000 + 11000000);
    /* flush: same, not a timeout */
    setup_lim(&l);
    seg(ISN, 0, 10);
    seg(ISN, 20, 10);
    seg(ISN, 40, 10);
    snb_decoder_flush(dec);
    ck_assert_uint_eq(col.n, 3);
    ck_assert_uint_eq(st.tcp_gaps, 2);
    ck_assert_uint_eq(st.tcp_timeouts, 0);
    ck_assert_uint_eq(col.pkts[2].stream_offset, 40);
    ck_assert_ptr_nonnull(col.pkts[2].frame);
    snb_tb_free(&b);
}
END_TEST

START_TEST(test_sequence_wrap)
{
    uint32_t isn = 0xffffffe0u; /* data crosses 2^32 after 31 bytes */
    syn(isn);
    seg(isn, 0, 25);
    seg(isn, 45, 15); /* out of order, beyond the wrap */
    seg(isn, 25, 20); /* crosses the wrap */
    seg(isn, 10, 10); /* retransmission before the wrap */
    ck_assert_uint_eq(col.n, 3);
    assert_stream(0, L);
    ck_assert_uint_eq(col.pkts[2].stream_offset, 45);
    ck_assert_uint_eq(st.tcp_retransmits, 1);
    ck_assert_uint_eq(st.tcp_gaps, 0);
}
END_TEST

START_TEST(test_table_cap)
{
    snb_decode_limits_t l = SNB_DECODE_LIMITS_DEFAULT;
    l.tcp_max_streams = 1;
    setup_lim(&l);
    seg(ISN, 0, 10);
    /* the other direction is refused but still delivered, unordered */
    snb_tb_t b;
    snb_tb_init(&b, "SIP/2.0 200 OK\r\n", 16);
    snb_tb_tcp(&b, 5060, 40000, 777, 1, SNB_TB_ACK);
    snb_tb_ipv4(&b, "10.0.0.2", "10.0.0.1", 6);
    feed_at(SNB_LINK_RAW, b.p, b.len, 3000);
    feed_at(SNB_LINK_RAW, b.p, b.len, 3001);
    snb_tb_free(&b);
    ck_assert_uint_eq(st.tcp_overflow, 2);
    ck_assert_uint_eq(st.tcp_streams, 1);
    ck_assert_uint_eq(col.n, 3);
    ck_assert_uint_eq(col.pkts[1].flags, SNB_PKT_TCP_STREAM | SNB_PKT_TCP_GAP);
    ck_assert(col.pkts[1].stream_id & (1ull << 63));
    ck_assert_uint_eq(col.pkts[1].stream_id, col.pkts[2].stream_id);
    ck_assert_uint_eq(col.pkts[1].stream_offset, 777);
    ck_assert_mem_eq(col.pkts[1].payload, "SIP/2.0 200 OK\r\n", 16);
    seg(ISN, 10, 10); /* the tracked one is unaffected */
    ck_assert_uint_eq(col.pkts[3].stream_offset, 10);
    ck_assert_uint_eq(col.pkts[3].flags, SNB_PKT_TCP_STREAM);
}
END_TEST

START_TEST(test_fin_and_rst)
{
    syn(ISN);
    seg(ISN, 0, 20);
    seg(ISN, 40, 10);
    seg_at(ISN, 20, 10, SNB_TB_ACK | SNB_TB_FIN, 3000); /* FIN with data, [30,40) lost */
    ck_assert_uint_eq(col.n, 3);
    ck_assert_uint_eq(col.pkts[2].flags, SNB_PKT_TCP_STREAM | SNB_PKT_TCP_GAP);
    ck_assert_uint_eq(st.tcp_gaps, 1);
    uint64_t id = col.pkts[0].stream_id;
    /* state is gone: new data is a new stream */
    seg(ISN, 50, 10);
    ck_assert_uint_eq(st.tcp_streams, 2);
    ck_assert_uint_ne(col.pkts[3].stream_id, id);
    ck_assert_uint_eq(col.pkts[3].stream_offset, 0);
    seg_at(ISN, 60, 0, SNB_TB_RST, 4000);
    seg(ISN, 70, 0);
    /* pure RST/ACK never create state */
    ck_assert_uint_eq(st.tcp_streams, 2);
    snb_decoder_flush(dec);
    ck_assert_uint_eq(col.n, 4);
}
END_TEST

START_TEST(test_syn_reuse_new_stream)
{
    syn(ISN);
    seg(ISN, 0, 10);
    syn(ISN); /* retransmitted SYN: same stream */
    seg(ISN, 10, 10);
    ck_assert_uint_eq(st.tcp_streams, 1);
    syn(ISN + 100000); /* new connection on the same ports */
    seg(ISN + 100000, 0, 10);
    ck_assert_uint_eq(st.tcp_streams, 2);
    ck_assert_uint_eq(col.n, 3);
    ck_assert_uint_ne(col.pkts[2].stream_id, col.pkts[0].stream_id);
    ck_assert_uint_eq(col.pkts[2].stream_offset, 0);
}
END_TEST

START_TEST(test_snaplen_truncated_segment)
{
    syn(ISN);
    snb_tb_t b;
    snb_tb_init(&b, text, 30);
    snb_tb_tcp(&b, 40000, 5060, ISN + 1, 1, SNB_TB_ACK);
    snb_tb_ipv4(&b, "10.0.0.1", "10.0.0.2", 6);
    snb_frame_t f = {.ts_us = 5,
                     .caplen = 20 + 20 + 12,
                     .wirelen = (uint32_t)b.len,
                     .linktype = SNB_LINK_RAW,
                     .data = b.p};
    snb_decoder_feed(dec, &f);
    snb_tb_free(&b);
    seg(ISN, 30, 30);
    ck_assert_uint_eq(col.n, 2);
    ck_assert_uint_eq(col.pkts[0].payload_len, 12);
    ck_assert(col.pkts[0].flags & SNB_PKT_TRUNCATED);
    ck_assert_uint_eq(col.pkts[1].stream_offset, 30); /* moved past the missing tail */
    ck_assert_uint_eq(col.pkts[1].flags, SNB_PKT_TCP_STREAM);
    ck_assert_uint_eq(st.tcp_gaps, 0);
}
END_TEST

START_TEST(test_tcp_over_ipv6_in_vlan)
{
    snb_tb_t b;
    snb_tb_init(&b, text, L);
    snb_tb_tcp(&b, 5061, 5060, 1, 1, SNB_TB_ACK | SNB_TB_PSH);
    snb_tb_ipv6(&b, "2001:db8::1", "2001:db8::2", 6);
    snb_tb_vlan(&b, 300, 0x86dd);
    snb_tb_eth(&b, 0x8100);
    feed(SNB_LINK_ETHERNET, &b);
    snb_tb_free(&b);
    ck_assert_uint_eq(col.n, 1);
    ck_assert_uint_eq(col.pkts[0].src.family, 6);
    ck_assert_uint_eq(col.pkts[0].vlan[0], 300);
    ck_assert_uint_eq(col.pkts[0].payload_len, L);
    ck_assert_uint_eq(st.ipv6, 1);
    ck_assert_uint_eq(st.tcp, 1);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("decode_tcp");
    TCase *tc = tcase_create("tcp");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_in_order);
    tcase_add_test(tc, test_no_syn_starts_at_first_data);
    tcase_add_test(tc, test_out_of_order);
    tcase_add_test(tc, test_retransmit_and_partial_overlap);
    tcase_add_test(tc, test_gap_via_buffer_cap);
    tcase_add_test(tc, test_gap_via_timeout_and_flush);
    tcase_add_test(tc, test_sequence_wrap);
    tcase_add_test(tc, test_table_cap);
    tcase_add_test(tc, test_fin_and_rst);
    tcase_add_test(tc, test_syn_reuse_new_stream);
    tcase_add_test(tc, test_snaplen_truncated_segment);
    tcase_add_test(tc, test_tcp_over_ipv6_in_vlan);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return snb_check_run(suite());
}
