/* Tunnels: GRE (plain, key, sequence, checksum), GRE transparent Ethernet,
 * PPTP's enhanced GRE with PPP, ERSPAN I/II/III, IP-in-IP (4in4, 6in4, 4in6, 6in6), VXLAN, nesting
 * and the tunnel depth limit. The packet must carry the innermost addresses. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "decoder.h"
#include "support.h"

#include "check_run.h"
#include "decode_harness.h"

static const char sip[] = "BYE sip:a@b SIP/2.0\r\n\r\n";

/* Inner UDP 5060->5062 in IPv4 172.16.0.1 -> 172.16.0.2. */
static void inner4(snb_tb_t *b)
{
    snb_tb_init(b, sip, strlen(sip));
    snb_tb_udp(b, 5060, 5062);
    snb_tb_ipv4(b, "172.16.0.1", "172.16.0.2", 17);
}

static void inner6(snb_tb_t *b)
{
    snb_tb_init(b, sip, strlen(sip));
    snb_tb_udp(b, 5060, 5062);
    snb_tb_ipv6(b, "2001:db8:1::1", "2001:db8:1::2", 17);
}

static void outer4(snb_tb_t *b, uint8_t proto)
{
    snb_tb_ipv4(b, "192.0.2.1", "192.0.2.2", proto);
    snb_tb_eth(b, 0x0800);
}

static void check_inner4(const snb_packet_t *p, uint8_t depth)
{
    ck_assert_uint_eq(p->src.family, 4);
    ck_assert_uint_eq(p->src.a[0], 172);
    ck_assert_uint_eq(p->src.a[3], 1);
    ck_assert_uint_eq(p->dst.a[3], 2);
    ck_assert_uint_eq(p->sport, 5060);
    ck_assert_uint_eq(p->dport, 5062);
    ck_assert_uint_eq(p->tunnel_depth, depth);
    ck_assert(p->flags & SNB_PKT_TUNNELLED);
    ck_assert_uint_eq(p->payload_len, strlen(sip));
    ck_assert_mem_eq(p->payload, sip, strlen(sip));
}

static void check_inner6(const snb_packet_t *p, uint8_t depth)
{
    ck_assert_uint_eq(p->src.family, 6);
    ck_assert_uint_eq(p->src.a[5], 1);
    ck_assert_uint_eq(p->src.a[15], 1);
    ck_assert_uint_eq(p->dst.a[15], 2);
    ck_assert_uint_eq(p->sport, 5060);
    ck_assert_uint_eq(p->tunnel_depth, depth);
    ck_assert(p->flags & SNB_PKT_TUNNELLED);
    ck_assert_mem_eq(p->payload, sip, strlen(sip));
}

START_TEST(test_gre_variants)
{
    static const uint16_t flags[] = {0, SNB_GRE_KEY, SNB_GRE_SEQ,
                                     SNB_GRE_CSUM | SNB_GRE_KEY | SNB_GRE_SEQ};
    for (int i = 0; i < 4; i++) {
        snb_tb_t b;
        inner4(&b);
        snb_tb_gre(&b, 0x0800, flags[i], 0xabcd, 77);
        outer4(&b, 47);
        feed(SNB_LINK_ETHERNET, &b);
        snb_tb_free(&b);
        ck_assert_uint_eq(col.n, (size_t)i + 1);
        check_inner4(&col.pkts[i], 1);
    }
    snb_tb_t b;
    inner6(&b);
    snb_tb_gre(&b, 0x86dd, SNB_GRE_KEY, 1, 0);
    outer4(&b, 47);
    feed(SNB_LINK_ETHERNET, &b);
    snb_tb_free(&b);
    ck_assert_uint_eq(col.n, 5);
    check_inner6(&col.pkts[4], 1);
    ck_assert_uint_eq(st.gre, 5);
    ck_assert_uint_eq(st.ipv4, 5); /* outer+inner IPv4 count once per frame */
    ck_assert_uint_eq(st.ipv6, 1);
    ck_assert_uint_eq(st.udp, 5);
}
END_TEST

START_TEST(test_gre_teb_and_erspan)
{
    for (int kind = 0; kind < 5; kind++) {
        snb_tb_t b;
        inner4(&b);
        snb_tb_vlan(&b, 42, 0x0800);
        snb_tb_eth(&b, 0x8100);
        switch (kind) {
        case 0: /* transparent Ethernet bridging */
            snb_tb_gre(&b, 0x6558, 0, 0, 0);
            break;
        case 1: /* ERSPAN type I: no sequence, no ERSPAN header */
            snb_tb_gre(&b, 0x88be, 0, 0, 0);
            break;
        case 2: /* ERSPAN type II */
            snb_tb_erspan2(&b, 9);
            snb_tb_gre(&b, 0x88be, SNB_GRE_SEQ, 0, 1);
            break;
        case 3: /* ERSPAN type III */
            snb_tb_erspan3(&b, 9, false);
            snb_tb_gre(&b, 0x22eb, SNB_GRE_SEQ, 0, 1);
            break;
        default: /* ERSPAN type III with the platform-specific subheader */
            snb_tb_erspan3(&b, 9, true);
            snb_tb_gre(&b, 0x22eb, SNB_GRE_SEQ, 0, 1);
            break;
        }
        outer4(&b, 47);
        feed(SNB_LINK_ETHERNET, &b);
        snb_tb_free(&b);
        ck_assert_msg(col.n == (size_t)kind + 1, "kind %d", kind);
        check_inner4(&col.pkts[kind], 1);
        ck_assert_uint_eq(col.pkts[kind].vlan_count, 1);
        ck_assert_uint_eq(col.pkts[kind].vlan[0], 42);
    }
    ck_assert_uint_eq(st.gre, 5);
    ck_assert_uint_eq(st.erspan, 4);
    ck_assert_uint_eq(st.vlan, 5);
    ck_assert_uint_eq(st.link_ethernet, 5);
}
END_TEST

START_TEST(test_ipip)
{
    snb_tb_t b;
    inner4(&b); /* 4 in 4 */
    outer4(&b, 4);
    feed(SNB_LINK_ETHERNET, &b);
    snb_tb_free(&b);
    inner6(&b); /* 6 in 4 */
    outer4(&b, 41);
    feed(SNB_LINK_ETHERNET, &b);
    snb_tb_free(&b);
    inner4(&b); /* 4 in 6 */
    snb_tb_ipv6(&b, "2001:db8::a", "2001:db8::b", 4);
    feed(SNB_LINK_RAW, &b);
    snb_tb_free(&b);
    inner6(&b); /* 6 in 6 */
    snb_tb_ipv6(&b, "2001:db8::a", "2001:db8::b", 41);
    feed(SNB_LINK_RAW, &b);
    snb_tb_free(&b);
    ck_assert_uint_eq(col.n, 4);
    check_inner4(&col.pkts[0], 1);
    check_inner6(&col.pkts[1], 1);
    check_inner4(&col.pkts[2], 1);
    check_inner6(&col.pkts[3], 1);
    ck_assert_uint_eq(st.ipip, 4);
    ck_assert_uint_eq(st.ipv4, 3);
    ck_assert_uint_eq(st.ipv6, 3);
}
END_TEST

START_TEST(test_vxlan)
{
    snb_tb_t b;
    inner4(&b);
    snb_tb_eth(&b, 0x0800);
    snb_tb_vxlan(&b, 5000);
    snb_tb_udp(&b, 49152, 4789);
    outer4(&b, 17);
    feed(SNB_LINK_ETHERNET, &b);
    snb_tb_free(&b);
    ck_assert_uint_eq(col.n, 1);
    check_inner4(&col.pkts[0], 1);
    ck_assert_uint_eq(st.vxlan, 1);
    ck_assert_uint_eq(st.udp, 1);
    ck_assert_uint_eq(st.link_ethernet, 1);
    /* Port 4789 without the I flag is plain UDP */
    snb_tb_init(&b, "\0\0\0\0\0\0\0\0xyz", 11);
    snb_tb_udp(&b, 1000, 4789);
    outer4(&b, 17);
    feed(SNB_LINK_ETHERNET, &b);
    snb_tb_free(&b);
    ck_assert_uint_eq(col.n, 2);
    ck_assert_uint_eq(col.pkts[1].dport, 4789);
    ck_assert_uint_eq(col.pkts[1].tunnel_depth, 0);
    ck_assert_uint_eq(st.vxlan, 1);
}
END_TEST

/* VXLAN inside GRE inside IPv6-in-IPv4: three levels. */
static void build_nested(snb_tb_t *b)
{
    inner4(b);
    snb_tb_eth(b, 0x0800);
    snb_tb_vxlan(b, 1);
    snb_tb_udp(b, 40000, 4789);
    snb_tb_ipv4(b, "10.9.9.1", "10.9.9.2", 17);
    snb_tb_gre(b, 0x0800, SNB_GRE_KEY, 5, 0);
    snb_tb_ipv6(b, "2001:db8::a", "2001:db8::b", 47);
    outer4(b, 41);
}

START_TEST(test_nested_and_depth_limit)
{
    snb_tb_t b;
    build_nested(&b);
    feed(SNB_LINK_ETHERNET, &b);
    ck_assert_uint_eq(col.n, 1);
    check_inner4(&col.pkts[0], 3);
    ck_assert_uint_eq(st.ipip, 1);
    ck_assert_uint_eq(st.gre, 1);
    ck_assert_uint_eq(st.vxlan, 1);
    ck_assert_uint_eq(st.ipv4, 1);
    ck_assert_uint_eq(st.ipv6, 1);
    ck_assert_uint_eq(st.err_tunnel_depth, 0);

    snb_decode_limits_t l = SNB_DECODE_LIMITS_DEFAULT;
    l.max_tunnel_depth = 2;
    setup_lim(&l);
    feed(SNB_LINK_ETHERNET, &b);
    ck_assert_uint_eq(col.n, 0);
    ck_assert_uint_eq(st.err_tunnel_depth, 1);
    ck_assert_uint_eq(st.vxlan, 1);
    l.max_tunnel_depth = 0;
    setup_lim(&l);
    feed(SNB_LINK_ETHERNET, &b);
    ck_assert_uint_eq(col.n, 0);
    ck_assert_uint_eq(st.err_tunnel_depth, 1);
    ck_assert_uint_eq(st.gre, 0);
    snb_tb_free(&b);
}
END_TEST

/* PPTP: enhanced GRE (version 1) with PPP, every optional field on and off. */
START_TEST(test_gre_enhanced_ppp)
{
    snb_tb_t b;
    for (int i = 0; i < 8; i++) {
        bool ack = i & 1, address_control = i & 2, short_proto = i & 4;
        if (i % 2)
            inner6(&b);
        else
            inner4(&b);
        snb_tb_ppp(&b, i % 2 ? 0x0057 : 0x0021, address_control, short_proto);
        snb_tb_gre_enhanced(&b, 0x1234, true, (uint32_t)i, ack, 99);
        outer4(&b, 47);
        feed(SNB_LINK_ETHERNET, &b);
        snb_tb_free(&b);
        ck_assert_uint_eq(col.n, (size_t)i + 1);
        if (i % 2)
            check_inner6(&col.pkts[i], 1);
        else
            check_inner4(&col.pkts[i], 1);
    }
    ck_assert_uint_eq(st.gre, 8);
    ck_assert_uint_eq(st.ppp, 8);
    ck_assert_uint_eq(st.other_network, 0);

    /* an acknowledgment alone carries nothing and is no error */
    snb_tb_init(&b, NULL, 0);
    snb_tb_gre_enhanced(&b, 0x1234, false, 0, true, 100);
    outer4(&b, 47);
    feed(SNB_LINK_ETHERNET, &b);
    snb_tb_free(&b);
    ck_assert_uint_eq(col.n, 8);
    ck_assert_uint_eq(st.gre, 9);
    ck_assert_uint_eq(st.err_truncated + st.err_bad_header + st.other_network, 0);

    /* every cut of a PPTP frame: counted, never delivered untruncated */
    inner4(&b);
    snb_tb_ppp(&b, 0x0021, true, false);
    snb_tb_gre_enhanced(&b, 0x1234, true, 1, true, 1);
    outer4(&b, 47);
    for (size_t n = 0; n < b.len; n++) {
        uint64_t before = st.err_truncated;
        size_t pk = col.n;
        feed_at(SNB_LINK_ETHERNET, b.p, n, 1);
        if (col.n > pk)
            ck_assert(col.pkts[pk].flags & SNB_PKT_TRUNCATED);
        else
            ck_assert_msg(st.err_truncated == before + 1, "cut at %zu", n);
    }
    snb_tb_free(&b);
}
END_TEST

START_TEST(test_gre_unsupported_and_truncated)
{
    snb_tb_t b;
    inner4(&b);
    snb_tb_gre(&b, 0x0800, 0, 0, 0);
    b.p[1] = 2; /* version 2: not defined */
    outer4(&b, 47);
    feed(SNB_LINK_ETHERNET, &b);
    snb_tb_free(&b);
    ck_assert_uint_eq(col.n, 0);
    ck_assert_uint_eq(st.gre, 1);
    ck_assert_uint_eq(st.other_network, 1);

    /* enhanced GRE (version 1) without its mandatory key */
    inner4(&b);
    snb_tb_ppp(&b, 0x0021, true, false);
    snb_tb_gre(&b, 0x880b, 0, 0, 0);
    b.p[1] = 1;
    outer4(&b, 47);
    feed(SNB_LINK_ETHERNET, &b);
    snb_tb_free(&b);
    ck_assert_uint_eq(col.n, 0);
    ck_assert_uint_eq(st.err_bad_header, 1);
    setup();

    /* ERSPAN II with a wrong version nibble */
    inner4(&b);
    snb_tb_eth(&b, 0x0800);
    snb_tb_erspan2(&b, 1);
    b.p[0] = 0x30;
    snb_tb_gre(&b, 0x88be, SNB_GRE_SEQ, 0, 1);
    outer4(&b, 47);
    feed(SNB_LINK_ETHERNET, &b);
    snb_tb_free(&b);
    ck_assert_uint_eq(st.err_bad_header, 1);

    /* every cut of a nested frame: counted, never delivered untruncated */
    build_nested(&b);
    for (size_t n = 0; n < b.len; n++) {
        uint64_t before = st.err_truncated;
        size_t pk = col.n;
        feed_at(SNB_LINK_ETHERNET, b.p, n, 1);
        if (col.n > pk)
            ck_assert(col.pkts[pk].flags & SNB_PKT_TRUNCATED);
        else
            ck_assert_msg(st.err_truncated == before + 1, "cut at %zu", n);
    }
    /* cuts inside the inner payload, plus the 8 cuts inside the VXLAN header
     * (too short to be VXLAN: delivered as truncated UDP to port 4789) */
    ck_assert_uint_eq(col.n, strlen(sip) + 8);
    snb_tb_free(&b);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("decode_tunnel");
    TCase *tc = tcase_create("tunnel");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_gre_variants);
    tcase_add_test(tc, test_gre_teb_and_erspan);
    tcase_add_test(tc, test_ipip);
    tcase_add_test(tc, test_vxlan);
    tcase_add_test(tc, test_nested_and_depth_limit);
    tcase_add_test(tc, test_gre_enhanced_ppp);
    tcase_add_test(tc, test_gre_unsupported_and_truncated);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return snb_check_run(suite());
}
