/* Encapsulations no shared capture holds (PPPoE, GRE, PPTP's enhanced GRE
 * with PPP, VXLAN, ERSPAN I/II/III, SLL2, LOOP, IPv4 and IPv6 fragments),
 * built byte by byte with the test frame builder, written as pcap files, and
 * run through the real binary. Each is checked the same way as the shared
 * captures: against Wireshark's own protocol hierarchy of the same file
 * (Debian's tshark, run here), and the SIP payload must reach a bus
 * subscriber intact. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_run.h"
#include "oracle.h"
#include "run_util.h"
#include "support.h"

#define MODPATH SNB_BUILD_DIR "/modules:" SNB_BUILD_DIR "/tests/modules"

static const char sip[] = "OPTIONS sip:probe@10.0.0.2 SIP/2.0\r\n"
                          "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-1\r\n"
                          "Call-ID: encaps-test@10.0.0.1\r\nCSeq: 1 OPTIONS\r\n"
                          "Content-Length: 0\r\n\r\n";

/* An IPv4/UDP SIP datagram at b (no link layer yet). */
static void sip_udp4(snb_tb_t *b)
{
    snb_tb_init(b, sip, sizeof sip - 1);
    snb_tb_udp(b, 5060, 5060);
    snb_tb_ipv4(b, "10.0.0.1", "10.0.0.2", 17);
}

/* Run the binary and tshark on path; compare; check `delivered` SIP packets
 * of the right size reached the counter module. Returns the stats. */
static json_t *check_against_tshark(const char *path, long delivered)
{
    oracle_t *o = oracle_from_tshark(path);
    ck_assert_msg(o != NULL, "tshark could not read %s", path);
    char *extra[] = {"--module-path", MODPATH, "--load", "counter", NULL};
    run_result_t r;
    json_t *st = sipnab_stats(path, extra, &r);
    ck_assert_msg(st && r.status == 0, "%s: exit %d: %s", path, r.status, r.err);
    ck_assert_int_eq(oracle_compare_stats(o, st, path), 0);
    char want[128];
    snprintf(want, sizeof want, "counter: packets=%ld udp=%ld tcp=0 sctp=0 payload_bytes=%ld ",
             delivered, delivered, delivered * (long)(sizeof sip - 1));
    ck_assert_msg(strstr(r.err, want) != NULL, "%s: want '%s' in: %s", path, want, r.err);
    run_free(&r);
    oracle_free(o);
    return st;
}

static char *write_capture(const char *name, int linktype, snb_tb_t *frames, size_t n)
{
    char *path = malloc(256);
    snprintf(path, 256, "/tmp/sipnab-encaps-%d-%s.pcap", (int)getpid(), name);
    FILE *f = snb_pcapw_open(path, linktype);
    ck_assert_ptr_nonnull(f);
    for (size_t i = 0; i < n; i++)
        snb_pcapw_put(f, 1700000000000000ull + i * 1000, frames[i].p, frames[i].len);
    ck_assert_int_eq(snb_pcapw_close(f), 0);
    for (size_t i = 0; i < n; i++)
        snb_tb_free(&frames[i]);
    return path;
}

static void run_case(const char *name, int linktype, snb_tb_t *frames, size_t n, long delivered,
                     const char *counter, long expect)
{
    char *path = write_capture(name, linktype, frames, n);
    json_t *st = check_against_tshark(path, delivered);
    if (counter) ck_assert_int_eq(json_int(st, counter), expect);
    json_decref(st);
    unlink(path);
    free(path);
}

START_TEST(pppoe)
{
    snb_tb_t f[1];
    sip_udp4(&f[0]);
    snb_tb_pppoe(&f[0], 0x0021);
    snb_tb_eth(&f[0], 0x8864);
    run_case("pppoe", 1, f, 1, 1, "pppoe", 1);
}
END_TEST

START_TEST(gre_ip_and_transparent_ethernet)
{
    snb_tb_t f[3];
    sip_udp4(&f[0]); /* GRE with key and sequence, IPv4 inside */
    snb_tb_gre(&f[0], 0x0800, SNB_GRE_KEY | SNB_GRE_SEQ, 42, 7);
    snb_tb_ipv4(&f[0], "192.0.2.1", "192.0.2.2", 47);
    snb_tb_eth(&f[0], 0x0800);
    sip_udp4(&f[1]); /* plain GRE */
    snb_tb_gre(&f[1], 0x0800, 0, 0, 0);
    snb_tb_ipv4(&f[1], "192.0.2.1", "192.0.2.2", 47);
    snb_tb_eth(&f[1], 0x0800);
    sip_udp4(&f[2]); /* GRE transparent Ethernet bridging */
    snb_tb_eth(&f[2], 0x0800);
    snb_tb_gre(&f[2], 0x6558, 0, 0, 0);
    snb_tb_ipv4(&f[2], "192.0.2.1", "192.0.2.2", 47);
    snb_tb_eth(&f[2], 0x0800);
    run_case("gre", 1, f, 3, 3, "gre", 3);
}
END_TEST

/* PPTP: enhanced GRE (version 1) carrying PPP, with and without the
 * sequence/ack fields and the PPP address/control bytes, one-byte PPP
 * protocols, IPv6 inside, and the tunnel itself inside VLAN and PPPoE; an
 * ack-only packet and an LCP frame carry no IP. tshark's protocol hierarchy
 * of the same file is the oracle (gre, ppp, ip, ipv6, udp, vlan, pppoes). */
START_TEST(pptp_enhanced_gre_ppp)
{
    snb_tb_t f[7];
    sip_udp4(&f[0]); /* sequence and ack, full PPP header */
    snb_tb_ppp(&f[0], 0x0021, true, false);
    snb_tb_gre_enhanced(&f[0], 0x4000, true, 1, true, 7);
    snb_tb_ipv4(&f[0], "192.0.2.1", "192.0.2.2", 47);
    snb_tb_eth(&f[0], 0x0800);
    sip_udp4(&f[1]); /* sequence only, address/control and protocol compressed */
    snb_tb_ppp(&f[1], 0x0021, false, true);
    snb_tb_gre_enhanced(&f[1], 0x4000, true, 2, false, 0);
    snb_tb_ipv4(&f[1], "192.0.2.1", "192.0.2.2", 47);
    snb_tb_eth(&f[1], 0x0800);
    snb_tb_init(&f[2], sip, sizeof sip - 1); /* IPv6 inside, tunnel in a VLAN */
    snb_tb_udp(&f[2], 5060, 5060);
    snb_tb_ipv6(&f[2], "2001:db8::1", "2001:db8::2", 17);
    snb_tb_ppp(&f[2], 0x0057, true, false);
    snb_tb_gre_enhanced(&f[2], 0x4001, true, 3, false, 0);
    snb_tb_ipv4(&f[2], "192.0.2.1", "192.0.2.2", 47);
    snb_tb_vlan(&f[2], 100, 0x0800);
    snb_tb_eth(&f[2], 0x8100);
    sip_udp4(&f[3]); /* the tunnel inside PPPoE inside a VLAN */
    snb_tb_ppp(&f[3], 0x0021, false, false);
    snb_tb_gre_enhanced(&f[3], 0x4002, true, 4, true, 9);
    snb_tb_ipv4(&f[3], "192.0.2.1", "192.0.2.2", 47);
    snb_tb_pppoe(&f[3], 0x0021);
    snb_tb_vlan(&f[3], 200, 0x8864);
    snb_tb_eth(&f[3], 0x8100);
    snb_tb_init(&f[4], NULL, 0); /* acknowledgment alone: no payload */
    snb_tb_gre_enhanced(&f[4], 0x4000, false, 0, true, 8);
    snb_tb_ipv4(&f[4], "192.0.2.2", "192.0.2.1", 47);
    snb_tb_eth(&f[4], 0x0800);
    static const uint8_t lcp_echo[] = {0x09, 0x01, 0x00, 0x08, 0x12, 0x34, 0x56, 0x78};
    snb_tb_init(&f[5], lcp_echo, sizeof lcp_echo); /* LCP echo request: not IP */
    snb_tb_ppp(&f[5], 0xc021, true, false);
    snb_tb_gre_enhanced(&f[5], 0x4000, true, 5, false, 0);
    snb_tb_ipv4(&f[5], "192.0.2.1", "192.0.2.2", 47);
    snb_tb_eth(&f[5], 0x0800);
    snb_tb_init(&f[6], sip, sizeof sip - 1); /* IPv6, one-byte protocol, no address/control */
    snb_tb_udp(&f[6], 5060, 5060);
    snb_tb_ipv6(&f[6], "2001:db8::1", "2001:db8::2", 17);
    snb_tb_ppp(&f[6], 0x0057, false, true);
    snb_tb_gre_enhanced(&f[6], 0x4001, true, 6, false, 0);
    snb_tb_ipv4(&f[6], "192.0.2.1", "192.0.2.2", 47);
    snb_tb_eth(&f[6], 0x0800);
    char *path = write_capture("pptp", 1, f, 7);
    json_t *st = check_against_tshark(path, 5);
    ck_assert_int_eq(json_int(st, "gre"), 7);
    ck_assert_int_eq(json_int(st, "ppp"), 6); /* 5 tunnels + the PPPoE of frame 3 (one per frame) */
    ck_assert_int_eq(json_int(st, "other_network"), 1); /* the LCP frame */
    ck_assert_int_eq(json_int(st, "err_bad_header"), 0);
    json_decref(st);
    unlink(path);
    free(path);
}
END_TEST

START_TEST(vxlan)
{
    snb_tb_t f[2];
    for (int i = 0; i < 2; i++) {
        sip_udp4(&f[i]);
        snb_tb_eth(&f[i], 0x0800);
        snb_tb_vxlan(&f[i], 5000 + (uint32_t)i);
        snb_tb_udp(&f[i], 40000, 4789);
        snb_tb_ipv4(&f[i], "198.51.100.1", "198.51.100.2", 17);
        snb_tb_eth(&f[i], 0x0800);
    }
    run_case("vxlan", 1, f, 2, 2, "vxlan", 2);
}
END_TEST

START_TEST(erspan_types_2_and_3)
{
    snb_tb_t f[3];
    sip_udp4(&f[0]);
    snb_tb_eth(&f[0], 0x0800);
    snb_tb_erspan2(&f[0], 10);
    snb_tb_gre(&f[0], 0x88be, SNB_GRE_SEQ, 0, 1);
    snb_tb_ipv4(&f[0], "192.0.2.9", "192.0.2.10", 47);
    snb_tb_eth(&f[0], 0x0800);
    sip_udp4(&f[1]);
    snb_tb_eth(&f[1], 0x0800);
    snb_tb_erspan3(&f[1], 11, false);
    snb_tb_gre(&f[1], 0x22eb, SNB_GRE_SEQ, 0, 2);
    snb_tb_ipv4(&f[1], "192.0.2.9", "192.0.2.10", 47);
    snb_tb_eth(&f[1], 0x0800);
    sip_udp4(&f[2]);
    snb_tb_eth(&f[2], 0x0800);
    snb_tb_erspan3(&f[2], 12, true);
    snb_tb_gre(&f[2], 0x22eb, SNB_GRE_SEQ, 0, 3);
    snb_tb_ipv4(&f[2], "192.0.2.9", "192.0.2.10", 47);
    snb_tb_eth(&f[2], 0x0800);
    run_case("erspan23", 1, f, 3, 3, "erspan", 3);
}
END_TEST

START_TEST(erspan_type_1)
{
    snb_tb_t f[1];
    sip_udp4(&f[0]);
    snb_tb_eth(&f[0], 0x0800);
    snb_tb_gre(&f[0], 0x88be, 0, 0, 0); /* no sequence bit, no ERSPAN header */
    snb_tb_ipv4(&f[0], "192.0.2.9", "192.0.2.10", 47);
    snb_tb_eth(&f[0], 0x0800);
    run_case("erspan1", 1, f, 1, 1, "erspan", 1);
}
END_TEST

START_TEST(sll2_and_loop)
{
    snb_tb_t f[1];
    sip_udp4(&f[0]);
    snb_tb_sll2(&f[0], 0x0800);
    run_case("sll2", 276, f, 1, 1, "link_sll2", 1);
    sip_udp4(&f[0]);
    snb_tb_null(&f[0], 2, true);
    run_case("loop", 108, f, 1, 1, "link_null", 1);
}
END_TEST

START_TEST(ipv4_fragments_shuffled)
{
    snb_tb_t dg;
    snb_tb_init(&dg, sip, sizeof sip - 1);
    snb_tb_udp(&dg, 5060, 5060);
    snb_tb_ipv4(&dg, "10.0.0.1", "10.0.0.2", 17);
    snb_tb_t frags[8];
    size_t n = snb_ipv4_fragment(dg.p, dg.len, 64, 777, frags, 8);
    ck_assert_uint_ge(n, 3);
    snb_tb_free(&dg);
    /* Last first, then the rest in order. */
    snb_tb_t order[8];
    order[0] = frags[n - 1];
    for (size_t i = 0; i + 1 < n; i++)
        order[i + 1] = frags[i];
    for (size_t i = 0; i < n; i++)
        snb_tb_eth(&order[i], 0x0800);
    run_case("frag4", 1, order, n, 1, "ip_reassembled", 1);
}
END_TEST

START_TEST(ipv6_fragments)
{
    snb_tb_t pkt;
    snb_tb_init(&pkt, sip, sizeof sip - 1);
    snb_tb_udp(&pkt, 5060, 5060);
    snb_tb_ipv6(&pkt, "2001:db8::1", "2001:db8::2", 17);
    snb_tb_t frags[8];
    size_t n = snb_ipv6_fragment(pkt.p, pkt.len, 64, 99, frags, 8);
    ck_assert_uint_ge(n, 3);
    snb_tb_free(&pkt);
    for (size_t i = 0; i < n; i++)
        snb_tb_eth(&frags[i], 0x86dd);
    run_case("frag6", 1, frags, n, 1, "ip_reassembled", 1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("encaps");
    TCase *tc = tcase_create("encaps");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, pppoe);
    tcase_add_test(tc, gre_ip_and_transparent_ethernet);
    tcase_add_test(tc, pptp_enhanced_gre_ppp);
    tcase_add_test(tc, vxlan);
    tcase_add_test(tc, erspan_types_2_and_3);
    tcase_add_test(tc, erspan_type_1);
    tcase_add_test(tc, sll2_and_loop);
    tcase_add_test(tc, ipv4_fragments_shuffled);
    tcase_add_test(tc, ipv6_fragments);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
