/* Link layers: Ethernet, 802.1Q/QinQ, SLL, SLL2, raw IP (all DLT numbers),
 * DLT_NULL in both byte orders, DLT_LOOP, PPPoE, ARP, 802.3, unknown link
 * types, and truncation of each at every byte offset. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "decoder.h"
#include "support.h"

#include "check_run.h"
#include "decode_harness.h"

static const char sip[] = "OPTIONS sip:x SIP/2.0\r\n\r\n";

/* UDP 5060 -> 5061 in IPv4 10.0.0.1 -> 10.0.0.2 (no link header yet). */
static void udp4(snb_tb_t *b)
{
    snb_tb_init(b, sip, strlen(sip));
    snb_tb_udp(b, 5060, 5061);
    snb_tb_ipv4(b, "10.0.0.1", "10.0.0.2", 17);
}

static void udp6(snb_tb_t *b)
{
    snb_tb_init(b, sip, strlen(sip));
    snb_tb_udp(b, 5060, 5061);
    snb_tb_ipv6(b, "2001:db8::1", "2001:db8::2", 17);
}

static void check_udp4_pkt(const snb_packet_t *p)
{
    static const uint8_t s[4] = {10, 0, 0, 1}, d[4] = {10, 0, 0, 2};
    ck_assert_uint_eq(p->src.family, 4);
    ck_assert_mem_eq(p->src.a, s, 4);
    ck_assert_mem_eq(p->dst.a, d, 4);
    ck_assert_uint_eq(p->sport, 5060);
    ck_assert_uint_eq(p->dport, 5061);
    ck_assert_uint_eq(p->transport, SNB_TRANSPORT_UDP);
    ck_assert_uint_eq(p->payload_len, strlen(sip));
    ck_assert_mem_eq(p->payload, sip, strlen(sip));
    ck_assert_uint_eq(p->tunnel_depth, 0);
    ck_assert_uint_eq(p->flags, 0);
    ck_assert_uint_eq(p->ts_us, 1000000);
}

static void check_udp6_pkt(const snb_packet_t *p)
{
    static const uint8_t s[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
    ck_assert_uint_eq(p->src.family, 6);
    ck_assert_mem_eq(p->src.a, s, 16);
    ck_assert_uint_eq(p->dst.a[15], 2);
    ck_assert_uint_eq(p->sport, 5060);
    ck_assert_uint_eq(p->dport, 5061);
    ck_assert_uint_eq(p->payload_len, strlen(sip));
    ck_assert_mem_eq(p->payload, sip, strlen(sip));
}

START_TEST(test_ethernet)
{
    snb_tb_t b;
    udp4(&b);
    snb_tb_eth(&b, 0x0800);
    feed(SNB_LINK_ETHERNET, &b);
    ck_assert_uint_eq(col.n, 1);
    check_udp4_pkt(&col.pkts[0]);
    ck_assert_uint_eq(col.pkts[0].vlan_count, 0);
    ck_assert_uint_eq(st.frames, 1);
    ck_assert_uint_eq(st.bytes, b.len);
    ck_assert_uint_eq(st.link_ethernet, 1);
    ck_assert_uint_eq(st.ipv4, 1);
    ck_assert_uint_eq(st.udp, 1);
    ck_assert_uint_eq(st.vlan + st.tcp + st.ipv6 + st.err_truncated + st.err_bad_header, 0);
    snb_tb_free(&b);
}
END_TEST

START_TEST(test_ethernet_padding_trimmed)
{
    snb_tb_t b;
    snb_tb_init(&b, "hi", 2);
    snb_tb_udp(&b, 1, 2);
    snb_tb_ipv4(&b, "10.0.0.1", "10.0.0.2", 17);
    snb_tb_eth(&b, 0x0800);
    uint8_t pad[16] = {0xee};
    snb_tb_append(&b, pad, sizeof(pad)); /* Ethernet minimum-size padding */
    feed(SNB_LINK_ETHERNET, &b);
    ck_assert_uint_eq(col.n, 1);
    ck_assert_uint_eq(col.pkts[0].payload_len, 2);
    ck_assert_uint_eq(col.pkts[0].flags, 0);
    snb_tb_free(&b);
}
END_TEST

START_TEST(test_vlan)
{
    snb_tb_t b;
    udp4(&b);
    snb_tb_vlan(&b, 100, 0x0800);
    snb_tb_eth(&b, 0x8100);
    feed(SNB_LINK_ETHERNET, &b);
    ck_assert_uint_eq(col.n, 1);
    check_udp4_pkt(&col.pkts[0]);
    ck_assert_uint_eq(col.pkts[0].vlan_count, 1);
    ck_assert_uint_eq(col.pkts[0].vlan[0], 100);
    ck_assert_uint_eq(st.vlan, 1);
    ck_assert_uint_eq(st.udp, 1);
    snb_tb_free(&b);
}
END_TEST

START_TEST(test_qinq)
{
    static const uint16_t tpids[] = {0x88a8, 0x9100, 0x8100};
    for (int i = 0; i < 3; i++) {
        snb_tb_t b;
        udp6(&b);
        snb_tb_vlan(&b, 20, 0x86dd);
        snb_tb_vlan(&b, 4000, 0x8100);
        snb_tb_eth(&b, tpids[i]);
        feed(SNB_LINK_ETHERNET, &b);
        snb_tb_free(&b);
    }
    ck_assert_uint_eq(col.n, 3);
    for (int i = 0; i < 3; i++) {
        check_udp6_pkt(&col.pkts[i]);
        ck_assert_uint_eq(col.pkts[i].vlan_count, 2);
        ck_assert_uint_eq(col.pkts[i].vlan[0], 4000); /* outermost first */
        ck_assert_uint_eq(col.pkts[i].vlan[1], 20);
    }
    ck_assert_uint_eq(st.vlan, 3); /* once per frame, not per tag */
    ck_assert_uint_eq(st.ipv6, 3);
}
END_TEST

START_TEST(test_three_tags_records_two)
{
    snb_tb_t b;
    udp4(&b);
    snb_tb_vlan(&b, 3, 0x0800);
    snb_tb_vlan(&b, 2, 0x8100);
    snb_tb_vlan(&b, 1, 0x8100);
    snb_tb_eth(&b, 0x88a8);
    feed(SNB_LINK_ETHERNET, &b);
    ck_assert_uint_eq(col.n, 1);
    ck_assert_uint_eq(col.pkts[0].vlan_count, SNB_MAX_VLANS);
    ck_assert_uint_eq(col.pkts[0].vlan[0], 1);
    ck_assert_uint_eq(col.pkts[0].vlan[1], 2);
    check_udp4_pkt(&col.pkts[0]);
    snb_tb_free(&b);
}
END_TEST

START_TEST(test_sll_sll2)
{
    snb_tb_t b;
    udp4(&b);
    snb_tb_sll(&b, 0x0800);
    feed(SNB_LINK_LINUX_SLL, &b);
    snb_tb_free(&b);
    udp6(&b);
    snb_tb_sll2(&b, 0x86dd);
    feed(SNB_LINK_LINUX_SLL2, &b);
    snb_tb_free(&b);
    ck_assert_uint_eq(col.n, 2);
    check_udp4_pkt(&col.pkts[0]);
    check_udp6_pkt(&col.pkts[1]);
    ck_assert_uint_eq(st.link_sll, 1);
    ck_assert_uint_eq(st.link_sll2, 1);
    ck_assert_uint_eq(st.ipv4, 1);
    ck_assert_uint_eq(st.ipv6, 1);
}
END_TEST

START_TEST(test_raw_all_dlts)
{
    static const int v4[] = {SNB_LINK_RAW, SNB_LINK_RAW_ALT, SNB_LINK_RAW_ALT2, SNB_LINK_IPV4};
    static const int v6[] = {SNB_LINK_RAW, SNB_LINK_RAW_ALT, SNB_LINK_RAW_ALT2, SNB_LINK_IPV6};
    snb_tb_t b4, b6;
    udp4(&b4);
    udp6(&b6);
    for (int i = 0; i < 4; i++) {
        feed(v4[i], &b4);
        feed(v6[i], &b6);
    }
    ck_assert_uint_eq(col.n, 8);
    for (int i = 0; i < 4; i++) {
        check_udp4_pkt(&col.pkts[2 * i]);
        check_udp6_pkt(&col.pkts[2 * i + 1]);
    }
    ck_assert_uint_eq(st.link_raw, 8);
    ck_assert_uint_eq(st.ipv4, 4);
    ck_assert_uint_eq(st.ipv6, 4);
    /* version nibble 5: bad header */
    b4.p[0] = 0x55;
    feed(SNB_LINK_RAW, &b4);
    ck_assert_uint_eq(st.err_bad_header, 1);
    ck_assert_uint_eq(col.n, 8);
    snb_tb_free(&b4);
    snb_tb_free(&b6);
}
END_TEST

START_TEST(test_null_and_loop)
{
    struct {
        int lt;
        uint32_t af;
        bool be;
        bool v6;
    } cases[] = {
        {SNB_LINK_NULL, 2, false, false}, {SNB_LINK_NULL, 2, true, false},
        {SNB_LINK_NULL, 30, false, true}, {SNB_LINK_NULL, 28, true, true},
        {SNB_LINK_NULL, 24, false, true}, {SNB_LINK_LOOP, 2, true, false},
        {SNB_LINK_LOOP, 24, true, true},
    };
    size_t n = sizeof(cases) / sizeof(cases[0]);
    for (size_t i = 0; i < n; i++) {
        snb_tb_t b;
        if (cases[i].v6)
            udp6(&b);
        else
            udp4(&b);
        snb_tb_null(&b, cases[i].af, cases[i].be);
        feed(cases[i].lt, &b);
        snb_tb_free(&b);
        ck_assert_uint_eq(col.n, i + 1);
        if (cases[i].v6)
            check_udp6_pkt(&col.pkts[i]);
        else
            check_udp4_pkt(&col.pkts[i]);
    }
    ck_assert_uint_eq(st.link_null, n);
    /* LOOP is network order only: a little-endian AF 2 is not IPv4 there. */
    snb_tb_t b;
    udp4(&b);
    snb_tb_null(&b, 2, false);
    feed(SNB_LINK_LOOP, &b);
    snb_tb_free(&b);
    ck_assert_uint_eq(col.n, n);
    ck_assert_uint_eq(st.other_network, 1);
}
END_TEST

START_TEST(test_pppoe)
{
    snb_tb_t b;
    udp4(&b);
    snb_tb_pppoe(&b, 0x0021);
    snb_tb_eth(&b, 0x8864);
    feed(SNB_LINK_ETHERNET, &b);
    snb_tb_free(&b);
    udp6(&b);
    snb_tb_pppoe(&b, 0x0057);
    snb_tb_vlan(&b, 7, 0x8864);
    snb_tb_eth(&b, 0x8100);
    feed(SNB_LINK_ETHERNET, &b);
    snb_tb_free(&b);
    ck_assert_uint_eq(col.n, 2);
    check_udp4_pkt(&col.pkts[0]);
    check_udp6_pkt(&col.pkts[1]);
    ck_assert_uint_eq(col.pkts[1].vlan[0], 7);
    ck_assert_uint_eq(st.pppoe, 2);
    /* LCP (0xc021) is not IP */
    snb_tb_init(&b, "\x01\x01\x00\x04", 4);
    snb_tb_pppoe(&b, 0xc021);
    snb_tb_eth(&b, 0x8864);
    feed(SNB_LINK_ETHERNET, &b);
    snb_tb_free(&b);
    ck_assert_uint_eq(st.pppoe, 3);
    ck_assert_uint_eq(st.other_network, 1);
    ck_assert_uint_eq(col.n, 2);
}
END_TEST

START_TEST(test_arp_8023_unknown)
{
    uint8_t arp[28] = {0, 1, 8, 0, 6, 4, 0, 1};
    snb_tb_t b;
    snb_tb_init(&b, arp, sizeof(arp));
    snb_tb_eth(&b, 0x0806);
    feed(SNB_LINK_ETHERNET, &b);
    snb_tb_free(&b);
    /* 802.3 length frame with LLC (STP) */
    uint8_t llc[38] = {0x42, 0x42, 0x03};
    snb_tb_init(&b, llc, sizeof(llc));
    snb_tb_eth(&b, sizeof(llc));
    feed(SNB_LINK_ETHERNET, &b);
    feed(147, &b); /* DLT_USER0: unsupported */
    snb_tb_free(&b);
    ck_assert_uint_eq(st.frames, 3);
    ck_assert_uint_eq(st.arp, 1);
    ck_assert_uint_eq(st.other_network, 1);
    ck_assert_uint_eq(st.link_ethernet, 2);
    ck_assert_uint_eq(st.err_linktype, 1);
    ck_assert_uint_eq(col.n, 0);
}
END_TEST

/* Every proper prefix of a frame either counts err_truncated or delivers a
 * packet flagged SNB_PKT_TRUNCATED; none reads past caplen (ASan). */
static void truncate_all(int lt, const snb_tb_t *b, size_t min_delivering)
{
    for (size_t n = 0; n < b->len; n++) {
        uint64_t before = st.err_truncated;
        size_t pk = col.n;
        feed_at(lt, b->p, n, 1000000);
        if (col.n > pk) {
            ck_assert_msg(n >= min_delivering, "len %zu delivered", n);
            ck_assert_uint_eq(col.n, pk + 1);
            ck_assert(col.pkts[pk].flags & SNB_PKT_TRUNCATED);
            ck_assert_uint_eq(st.err_truncated, before);
        } else {
            ck_assert_msg(st.err_truncated == before + 1, "lt %d len %zu not counted", lt, n);
        }
    }
    ck_assert_uint_eq(st.frames, b->len);
}

START_TEST(test_truncated_everywhere)
{
    struct {
        int lt;
        int kind;
        size_t hdr; /* bytes before the UDP payload */
    } cases[] = {
        {SNB_LINK_ETHERNET, 0, 14 + 20 + 8},     {SNB_LINK_ETHERNET, 1, 18 + 20 + 8},
        {SNB_LINK_ETHERNET, 2, 22 + 40 + 8},     {SNB_LINK_LINUX_SLL, 3, 16 + 20 + 8},
        {SNB_LINK_LINUX_SLL2, 4, 20 + 40 + 8},   {SNB_LINK_RAW, 5, 20 + 8},
        {SNB_LINK_NULL, 6, 4 + 40 + 8},          {SNB_LINK_LOOP, 7, 4 + 20 + 8},
        {SNB_LINK_ETHERNET, 8, 14 + 8 + 20 + 8},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snb_tb_t b;
        switch (cases[i].kind) {
        case 0:
            udp4(&b);
            snb_tb_eth(&b, 0x0800);
            break;
        case 1:
            udp4(&b);
            snb_tb_vlan(&b, 5, 0x0800);
            snb_tb_eth(&b, 0x8100);
            break;
        case 2:
            udp6(&b);
            snb_tb_vlan(&b, 5, 0x86dd);
            snb_tb_vlan(&b, 6, 0x8100);
            snb_tb_eth(&b, 0x88a8);
            break;
        case 3:
            udp4(&b);
            snb_tb_sll(&b, 0x0800);
            break;
        case 4:
            udp6(&b);
            snb_tb_sll2(&b, 0x86dd);
            break;
        case 5:
            udp4(&b);
            break;
        case 6:
            udp6(&b);
            snb_tb_null(&b, 30, false);
            break;
        case 7:
            udp4(&b);
            snb_tb_null(&b, 2, true);
            break;
        default:
            udp4(&b);
            snb_tb_pppoe(&b, 0x0021);
            snb_tb_eth(&b, 0x8864);
            break;
        }
        setup();
        truncate_all(cases[i].lt, &b, cases[i].hdr);
        ck_assert_uint_eq(col.n, b.len - cases[i].hdr); /* one per cut inside the payload */
        snb_tb_free(&b);
    }
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("decode_link");
    TCase *tc = tcase_create("link");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_ethernet);
    tcase_add_test(tc, test_ethernet_padding_trimmed);
    tcase_add_test(tc, test_vlan);
    tcase_add_test(tc, test_qinq);
    tcase_add_test(tc, test_three_tags_records_two);
    tcase_add_test(tc, test_sll_sll2);
    tcase_add_test(tc, test_raw_all_dlts);
    tcase_add_test(tc, test_null_and_loop);
    tcase_add_test(tc, test_pppoe);
    tcase_add_test(tc, test_arp_8023_unknown);
    tcase_add_test(tc, test_truncated_everywhere);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return snb_check_run(suite());
}
