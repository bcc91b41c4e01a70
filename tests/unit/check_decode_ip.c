/* IPv4 (options, header checks, TSO zero length), IPv6 extension headers,
 * UDP/TCP/SCTP/ICMP dispatch and the counters of each. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "decoder.h"
#include "support.h"

#include "check_run.h"
#include "decode_harness.h"

static const char msg[] = "INVITE sip:bob@example.com SIP/2.0\r\n";

START_TEST(test_ipv4_options)
{
    snb_tb_t b;
    snb_tb_init(&b, msg, strlen(msg));
    snb_tb_udp(&b, 5060, 5060);
    /* IPv4 header with 8 bytes of options (IHL 7): NOP NOP ... EOL */
    uint8_t opt[8] = {1, 1, 1, 1, 1, 1, 1, 0};
    snb_tb_prepend(&b, opt, sizeof(opt));
    snb_tb_ipv4(&b, "192.168.1.1", "192.168.1.2", 17);
    /* move the options behind the fixed header: rebuild by hand */
    uint8_t hdr[20];
    memcpy(hdr, b.p, 20);
    hdr[0] = 0x47;
    memmove(b.p, hdr, 20);
    feed(SNB_LINK_RAW, &b);
    ck_assert_uint_eq(col.n, 1);
    ck_assert_uint_eq(col.pkts[0].payload_len, strlen(msg));
    ck_assert_mem_eq(col.pkts[0].payload, msg, strlen(msg));
    ck_assert_uint_eq(col.pkts[0].src.a[3], 1);
    ck_assert_uint_eq(col.pkts[0].dst.a[3], 2);
    snb_tb_free(&b);
}
END_TEST

START_TEST(test_ipv4_bad_headers)
{
    snb_tb_t b;
    snb_tb_init(&b, msg, strlen(msg));
    snb_tb_udp(&b, 5060, 5060);
    snb_tb_ipv4(&b, "10.0.0.1", "10.0.0.2", 17);
    b.p[0] = 0x44; /* IHL 4 < 5 */
    feed(SNB_LINK_RAW, &b);
    ck_assert_uint_eq(st.err_bad_header, 1);
    b.p[0] = 0x45;
    b.p[2] = 0;
    b.p[3] = 10; /* total length < header */
    feed(SNB_LINK_RAW, &b);
    ck_assert_uint_eq(st.err_bad_header, 2);
    /* IHL 15 (60 bytes) with total length 0 (TSO: taken from the capture):
     * the 64-byte packet leaves 4 bytes for a UDP header. */
    b.p[0] = 0x4f;
    b.p[2] = 0;
    b.p[3] = 0;
    feed(SNB_LINK_RAW, &b);
    ck_assert_uint_eq(st.err_bad_header, 2);
    ck_assert_uint_eq(st.err_truncated, 1);
    /* IHL 15 with total length 40: header runs past the total length */
    b.p[3] = 40;
    feed(SNB_LINK_RAW, &b);
    ck_assert_uint_eq(st.err_bad_header, 3);
    ck_assert_uint_eq(st.ipv4, 4);
    ck_assert_uint_eq(st.udp, 0);
    ck_assert_uint_eq(col.n, 0);
    snb_tb_free(&b);
}
END_TEST

START_TEST(test_ipv4_tso_zero_length)
{
    snb_tb_t b;
    snb_tb_init(&b, msg, strlen(msg));
    snb_tb_udp(&b, 5060, 5060);
    snb_tb_ipv4(&b, "10.0.0.1", "10.0.0.2", 17);
    b.p[2] = b.p[3] = 0;
    feed(SNB_LINK_RAW, &b);
    ck_assert_uint_eq(col.n, 1);
    ck_assert_uint_eq(col.pkts[0].payload_len, strlen(msg));
    ck_assert_uint_eq(col.pkts[0].flags, 0);
    snb_tb_free(&b);
}
END_TEST

START_TEST(test_ipv6_ext_headers)
{
    snb_tb_t b;
    snb_tb_init(&b, msg, strlen(msg));
    snb_tb_udp(&b, 5062, 5063);
    /* AH (proto 51): nh, len=(12/4)-2... use 16 bytes: len field 2 */
    uint8_t ah[16] = {17, 2};
    snb_tb_prepend(&b, ah, sizeof(ah));
    snb_tb_ipv6_ext(&b, 51, 2); /* destination options, 16 bytes */
    snb_tb_ipv6_ext(&b, 60, 1); /* routing, 8 bytes */
    snb_tb_ipv6_ext(&b, 43, 1); /* hop-by-hop */
    snb_tb_ipv6(&b, "fe80::1", "fe80::2", 0);
    snb_tb_eth(&b, 0x86dd);
    feed(SNB_LINK_ETHERNET, &b);
    ck_assert_uint_eq(col.n, 1);
    ck_assert_uint_eq(col.pkts[0].sport, 5062);
    ck_assert_uint_eq(col.pkts[0].dport, 5063);
    ck_assert_uint_eq(col.pkts[0].src.family, 6);
    ck_assert_uint_eq(col.pkts[0].src.a[0], 0xfe);
    ck_assert_uint_eq(col.pkts[0].src.a[15], 1);
    ck_assert_uint_eq(col.pkts[0].payload_len, strlen(msg));
    ck_assert_mem_eq(col.pkts[0].payload, msg, strlen(msg));
    ck_assert_uint_eq(st.ipv6, 1);
    ck_assert_uint_eq(st.udp, 1);
    snb_tb_free(&b);
}
END_TEST

START_TEST(test_ipv6_esp_and_no_next)
{
    snb_tb_t b;
    snb_tb_init(&b, "\0\0\0\1\0\0\0\1encrypted", 17);
    snb_tb_ipv6_ext(&b, 50, 1);
    snb_tb_ipv6(&b, "2001:db8::1", "2001:db8::2", 0);
    feed(SNB_LINK_RAW, &b);
    snb_tb_free(&b);
    snb_tb_init(&b, "junk", 4);
    snb_tb_ipv6(&b, "2001:db8::1", "2001:db8::2", 59);
    feed(SNB_LINK_RAW, &b);
    snb_tb_free(&b);
    /* extension header longer than the packet */
    snb_tb_init(&b, NULL, 0);
    snb_tb_ipv6_ext(&b, 17, 1);
    snb_tb_ipv6(&b, "2001:db8::1", "2001:db8::2", 60);
    b.p[40 + 1] = 9;
    feed(SNB_LINK_RAW, &b);
    snb_tb_free(&b);
    ck_assert_uint_eq(col.n, 0);
    ck_assert_uint_eq(st.ipv6, 3);
    ck_assert_uint_eq(st.other_transport, 1); /* ESP */
    ck_assert_uint_eq(st.err_truncated, 1);
}
END_TEST

START_TEST(test_transports)
{
    snb_tb_t b;
    /* SCTP: payload is everything after the 12-byte common header */
    uint8_t chunk[16] = {0, 3, 0, 16, 1, 2, 3, 4};
    snb_tb_init(&b, chunk, sizeof(chunk));
    snb_tb_sctp(&b, 5060, 5070);
    snb_tb_ipv4(&b, "10.1.1.1", "10.1.1.2", 132);
    feed(SNB_LINK_RAW, &b);
    snb_tb_free(&b);
    ck_assert_uint_eq(col.n, 1);
    ck_assert_uint_eq(col.pkts[0].transport, SNB_TRANSPORT_SCTP);
    ck_assert_uint_eq(col.pkts[0].sport, 5060);
    ck_assert_uint_eq(col.pkts[0].dport, 5070);
    ck_assert_uint_eq(col.pkts[0].payload_len, 16);
    ck_assert_mem_eq(col.pkts[0].payload, chunk, 16);
    ck_assert_uint_eq(st.sctp, 1);

    uint8_t icmp[8] = {8};
    snb_tb_init(&b, icmp, 8);
    snb_tb_ipv4(&b, "10.1.1.1", "10.1.1.2", 1);
    feed(SNB_LINK_RAW, &b);
    snb_tb_free(&b);
    snb_tb_init(&b, icmp, 8);
    snb_tb_ipv6(&b, "::1", "::2", 58);
    feed(SNB_LINK_RAW, &b);
    snb_tb_free(&b);
    ck_assert_uint_eq(st.icmp, 2);

    snb_tb_init(&b, icmp, 8);
    snb_tb_ipv4(&b, "10.1.1.1", "10.1.1.2", 89); /* OSPF */
    feed(SNB_LINK_RAW, &b);
    snb_tb_free(&b);
    ck_assert_uint_eq(st.other_transport, 1);

    /* UDP length < 8 and TCP data offset < 5 are bad headers */
    snb_tb_init(&b, msg, 10);
    snb_tb_udp(&b, 1, 2);
    b.p[5] = 4;
    snb_tb_ipv4(&b, "10.1.1.1", "10.1.1.2", 17);
    feed(SNB_LINK_RAW, &b);
    snb_tb_free(&b);
    snb_tb_init(&b, msg, 10);
    snb_tb_tcp(&b, 1, 2, 100, 0, SNB_TB_ACK);
    b.p[12] = 0x40;
    snb_tb_ipv4(&b, "10.1.1.1", "10.1.1.2", 6);
    feed(SNB_LINK_RAW, &b);
    snb_tb_free(&b);
    ck_assert_uint_eq(st.err_bad_header, 2);
    ck_assert_uint_eq(st.udp, 1);
    ck_assert_uint_eq(st.tcp, 1);
    ck_assert_uint_eq(st.ipv4, 5);
    ck_assert_uint_eq(st.ipv6, 1);
    ck_assert_uint_eq(st.frames, 6);
    ck_assert_uint_eq(col.n, 1);
}
END_TEST

START_TEST(test_udp_snaplen_truncated)
{
    snb_tb_t b;
    snb_tb_init(&b, msg, strlen(msg));
    snb_tb_udp(&b, 5060, 5060);
    snb_tb_ipv4(&b, "10.0.0.1", "10.0.0.2", 17);
    snb_tb_eth(&b, 0x0800);
    snb_frame_t f = {.ts_us = 5,
                     .caplen = 14 + 20 + 8 + 6,
                     .wirelen = (uint32_t)b.len,
                     .linktype = SNB_LINK_ETHERNET,
                     .data = b.p};
    snb_decoder_feed(dec, &f);
    ck_assert_uint_eq(col.n, 1);
    ck_assert_uint_eq(col.pkts[0].payload_len, 6);
    ck_assert_uint_eq(col.pkts[0].flags, SNB_PKT_TRUNCATED);
    ck_assert_uint_eq(st.bytes, b.len); /* wirelen */
    ck_assert_uint_eq(st.err_truncated, 0);
    snb_tb_free(&b);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("decode_ip");
    TCase *tc = tcase_create("ip");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_ipv4_options);
    tcase_add_test(tc, test_ipv4_bad_headers);
    tcase_add_test(tc, test_ipv4_tso_zero_length);
    tcase_add_test(tc, test_ipv6_ext_headers);
    tcase_add_test(tc, test_ipv6_esp_and_no_next);
    tcase_add_test(tc, test_transports);
    tcase_add_test(tc, test_udp_snaplen_truncated);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return snb_check_run(suite());
}
