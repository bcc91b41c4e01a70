/* Replay real captures through the decoder and compare the counters with
 * Wireshark 4.0's protocol hierarchy (`tshark -q -z io,phs`, the
 * "## protocol hierarchy" section of each tests/data/NAME.tshark.txt).
 *
 * Semantics match phs: a frame counts once per protocol it contains. Where
 * phs names a deeper dissector (sip, rtp, data, llc...) we compare the
 * transport/link level above it. Differences by design:
 * - phs "llc" (802.3 length frames: STP, CDP) is our other_network;
 * - a non-final IP fragment is "ip > data" in phs and only ipv4 for us; the
 *   frame completing a datagram counts udp in both. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "decoder.h"
#include "support.h"

typedef struct replay {
    snb_decode_stats_t st;
    size_t udp, tcp, sctp;
    uint64_t udp_bytes, tcp_bytes, sctp_bytes;
    uint64_t udp_digest; /* order-independent sum of per-datagram hashes */
    size_t tunnelled, reassembled, vlan_tagged;
} replay_t;

static uint64_t fnv(const uint8_t *p, size_t n, uint64_t h)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

static void on_pkt(void *ud, const snb_packet_t *p)
{
    replay_t *r = ud;
    if (p->flags & SNB_PKT_TUNNELLED) r->tunnelled++;
    if (p->flags & SNB_PKT_REASSEMBLED_IP) r->reassembled++;
    if (p->vlan_count) r->vlan_tagged++;
    switch (p->transport) {
    case SNB_TRANSPORT_UDP: {
        r->udp++;
        r->udp_bytes += p->payload_len;
        uint64_t h = fnv(p->src.a, 16, 0xcbf29ce484222325ull);
        h = fnv(p->dst.a, 16, h);
        uint8_t ports[4] = {(uint8_t)(p->sport >> 8), (uint8_t)p->sport, (uint8_t)(p->dport >> 8),
                            (uint8_t)p->dport};
        h = fnv(ports, 4, h);
        r->udp_digest += fnv(p->payload, p->payload_len, h);
        break;
    }
    case SNB_TRANSPORT_TCP:
        r->tcp++;
        r->tcp_bytes += p->payload_len;
        break;
    case SNB_TRANSPORT_SCTP:
        r->sctp++;
        r->sctp_bytes += p->payload_len;
        break;
    default:
        ck_abort_msg("unexpected transport %u", p->transport);
    }
}

static void replay(const char *name, replay_t *r)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", SNB_TEST_DATA_DIR, name);
    memset(r, 0, sizeof(*r));
    snb_decode_limits_t lim = SNB_DECODE_LIMITS_DEFAULT;
    snb_decoder_t *d = snb_decoder_new(&lim, &r->st, on_pkt, r);
    ck_assert_ptr_nonnull(d);
    snb_pcapr_t *rd = snb_pcapr_open(path);
    ck_assert_msg(rd != NULL, "cannot open %s", path);
    snb_frame_t f;
    int rc;
    while ((rc = snb_pcapr_next(rd, &f)) == 1)
        snb_decoder_feed(d, &f);
    ck_assert_int_eq(rc, 0);
    snb_decoder_flush(d);
    snb_pcapr_close(rd);
    snb_decoder_free(d);
    ck_assert_uint_eq(r->st.err_truncated, 0);
    ck_assert_uint_eq(r->st.err_bad_header, 0);
    ck_assert_uint_eq(r->st.err_linktype, 0);
}

START_TEST(test_sngrep_aaa_eth)
{
    replay_t r;
    replay("sngrep-aaa.pcap", &r);
    ck_assert_uint_eq(r.st.frames, 691); /* eth frames:691 bytes:99997 */
    ck_assert_uint_eq(r.st.bytes, 99997);
    ck_assert_uint_eq(r.st.link_ethernet, 691);
    ck_assert_uint_eq(r.st.ipv4, 647); /* ip frames:647 */
    ck_assert_uint_eq(r.st.udp, 590);  /* udp frames:590 */
    ck_assert_uint_eq(r.st.tcp, 57);   /* tcp frames:57 */
    ck_assert_uint_eq(r.st.arp, 44);   /* arp frames:44 */
    ck_assert_uint_eq(r.st.other_network, 0);
    ck_assert_uint_eq(r.udp, 590); /* one packet per UDP datagram */
    ck_assert_uint_eq(r.st.ip_fragments, 0);
    /* ftp frames:29 are the TCP frames with payload; all in order. */
    ck_assert_uint_eq(r.st.tcp_segments_data, 29);
    ck_assert_uint_eq(r.tcp, 29);
    ck_assert_uint_eq(r.st.tcp_retransmits, 0);
    ck_assert_uint_eq(r.st.tcp_gaps, 0);
}
END_TEST

START_TEST(test_ipv4frag576_reassembles_to_original)
{
    replay_t orig, frag;
    replay("sngrep-aaa.pcap", &orig);
    replay("ipv4frag576-sngrep-aaa.pcap", &frag);
    ck_assert_uint_eq(frag.st.frames, 718); /* eth frames:718 bytes:100915 */
    ck_assert_uint_eq(frag.st.bytes, 100915);
    ck_assert_uint_eq(frag.st.ipv4, 674); /* ip frames:674 */
    /* udp frames:590: phs counts udp on the frame that completes the
     * datagram, and the 27 other fragments as "ip > data frames:27". */
    ck_assert_uint_eq(frag.st.udp, 590);
    ck_assert_uint_eq(frag.st.tcp, 57); /* tcp frames:57 */
    ck_assert_uint_eq(frag.st.arp, 44); /* arp frames:44 */
    ck_assert_uint_eq(frag.st.ip_fragments, 54);
    ck_assert_uint_eq(frag.st.ip_reassembled, 27);
    ck_assert_uint_eq(frag.st.frag_errors, 0);
    ck_assert_uint_eq(frag.st.frag_timeouts, 0);
    ck_assert_uint_eq(frag.reassembled, 27);
    /* Same datagrams as the unfragmented original, byte for byte. */
    ck_assert_uint_eq(frag.udp, orig.udp);
    ck_assert_uint_eq(frag.udp_bytes, orig.udp_bytes);
    ck_assert_uint_eq(frag.udp_digest, orig.udp_digest);
}
END_TEST

START_TEST(test_sll)
{
    replay_t r;
    replay("rtp-only-ulaw-sll.pcap", &r);
    ck_assert_uint_eq(r.st.frames, 835); /* sll frames:835 bytes:180360 */
    ck_assert_uint_eq(r.st.bytes, 180360);
    ck_assert_uint_eq(r.st.link_sll, 835);
    ck_assert_uint_eq(r.st.ipv4, 835); /* ip frames:835 */
    ck_assert_uint_eq(r.st.udp, 835);  /* udp frames:835 */
    ck_assert_uint_eq(r.udp, 835);
}
END_TEST

START_TEST(test_rawip)
{
    replay_t r;
    replay("heplify-ipip-rawip.pcap", &r);
    /* raw frames:8 bytes:5933 / ip frames:8 / udp frames:8 (despite its
     * name the file holds no IP-in-IP: phs has no second ip level). */
    ck_assert_uint_eq(r.st.frames, 8);
    ck_assert_uint_eq(r.st.bytes, 5933);
    ck_assert_uint_eq(r.st.link_raw, 8);
    ck_assert_uint_eq(r.st.ipv4, 8);
    ck_assert_uint_eq(r.st.udp, 8);
    ck_assert_uint_eq(r.st.ipip, 0);
    ck_assert_uint_eq(r.udp, 8);
}
END_TEST

START_TEST(test_dltnull)
{
    replay_t r;
    replay("ws-h263-over-rtp-dltnull.pcap", &r);
    ck_assert_uint_eq(r.st.frames, 49); /* null frames:49 bytes:13590 */
    ck_assert_uint_eq(r.st.bytes, 13590);
    ck_assert_uint_eq(r.st.link_null, 49);
    ck_assert_uint_eq(r.st.ipv4, 49); /* ip frames:49 */
    ck_assert_uint_eq(r.st.udp, 49);  /* udp frames:49 */
    ck_assert_uint_eq(r.udp, 49);
}
END_TEST

START_TEST(test_vlan100)
{
    replay_t r;
    replay("vlan100-ws-sip-call-rtp-g711.pcap", &r);
    ck_assert_uint_eq(r.st.frames, 4269); /* eth frames:4269 bytes:872584 */
    ck_assert_uint_eq(r.st.bytes, 872584);
    ck_assert_uint_eq(r.st.vlan, 4269);         /* vlan frames:4269 */
    ck_assert_uint_eq(r.st.ipv4, 4105);         /* ip frames:4105 */
    ck_assert_uint_eq(r.st.udp, 3583);          /* udp frames:3583 */
    ck_assert_uint_eq(r.st.tcp, 522);           /* tcp frames:522 */
    ck_assert_uint_eq(r.st.arp, 2);             /* arp frames:2 */
    ck_assert_uint_eq(r.st.other_network, 162); /* llc frames:162 (802.3: stp, cdp) */
    ck_assert_uint_eq(r.udp, 3583);
    ck_assert_uint_eq(r.vlan_tagged, r.udp + r.tcp);
}
END_TEST

START_TEST(test_ipv6)
{
    replay_t r;
    replay("heplify-sip-ipv6-udp.pcap", &r);
    ck_assert_uint_eq(r.st.frames, 6); /* eth frames:6 bytes:3586 */
    ck_assert_uint_eq(r.st.bytes, 3586);
    ck_assert_uint_eq(r.st.ipv6, 6); /* ipv6 frames:6 */
    ck_assert_uint_eq(r.st.ipv4, 0);
    ck_assert_uint_eq(r.st.udp, 6); /* udp frames:6 */
    ck_assert_uint_eq(r.udp, 6);
}
END_TEST

START_TEST(test_sip_over_tcp)
{
    replay_t r;
    replay("ws-sip-over-tcp.pcap", &r);
    ck_assert_uint_eq(r.st.frames, 84); /* eth frames:84 bytes:18511 */
    ck_assert_uint_eq(r.st.bytes, 18511);
    ck_assert_uint_eq(r.st.ipv4, 84); /* ip frames:84 */
    ck_assert_uint_eq(r.st.tcp, 16);  /* tcp frames:16 */
    ck_assert_uint_eq(r.st.udp, 68);  /* udp frames:68 */
    /* sip frames:7 bytes:4497: the 7 SIP segments, delivered in order
     * (4497 frame bytes - 7 * 66 header bytes = 4035 payload bytes). */
    ck_assert_uint_eq(r.tcp, 7);
    ck_assert_uint_eq(r.tcp_bytes, 4035);
    ck_assert_uint_eq(r.st.tcp_streams, 2);
    ck_assert_uint_eq(r.st.tcp_gaps, 0);
}
END_TEST

START_TEST(test_sctp)
{
    replay_t r;
    replay("heplify-sip-sctp-sll.pcap", &r);
    ck_assert_uint_eq(r.st.frames, 5); /* sll frames:5 bytes:3352 */
    ck_assert_uint_eq(r.st.bytes, 3352);
    ck_assert_uint_eq(r.st.link_sll, 5);
    ck_assert_uint_eq(r.st.ipv4, 5); /* ip frames:5 */
    ck_assert_uint_eq(r.st.sctp, 5); /* sctp frames:5 */
    ck_assert_uint_eq(r.sctp, 5);
}
END_TEST

START_TEST(test_sngrep_ipip)
{
    replay_t r;
    replay("sngrep-ipip.pcap", &r);
    ck_assert_uint_eq(r.st.frames, 4); /* eth frames:4 bytes:3053 */
    ck_assert_uint_eq(r.st.bytes, 3053);
    /* ip frames:4 (outer), of which "ip > ip frames:2": IPv4 counts once per
     * frame even when nested; the nesting is ipip. */
    ck_assert_uint_eq(r.st.ipv4, 4);
    ck_assert_uint_eq(r.st.ipip, 2);
    ck_assert_uint_eq(r.st.tcp, 4); /* tcp frames:2 + ip > tcp frames:2 */
    ck_assert_uint_eq(r.tcp, 4);
    ck_assert_uint_eq(r.tunnelled, 2);
}
END_TEST

START_TEST(test_ndpi_pcapng_vlan)
{
    replay_t r;
    replay("ndpi-rtp-vlan-noSIP.pcapng", &r);
    /* eth frames:110 bytes:59629 plus "pkt_comment > eth frames:2 bytes:178"
     * (phs files frames with a comment under pkt_comment). */
    ck_assert_uint_eq(r.st.frames, 112);
    ck_assert_uint_eq(r.st.bytes, 59629 + 178);
    ck_assert_uint_eq(r.st.link_ethernet, 112);
    ck_assert_uint_eq(r.st.ipv4, 81 + 29 + 1 + 1); /* ip 81, vlan>ip 29, comment: 1 + 1 */
    ck_assert_uint_eq(r.st.udp, 44 + 29 + 1 + 1);  /* udp 44, vlan>udp 29, comment: 1 + 1 */
    ck_assert_uint_eq(r.st.tcp, 37);               /* tcp frames:37 */
    ck_assert_uint_eq(r.st.vlan, 29 + 1);          /* vlan frames:29, comment: vlan 1 */
    ck_assert_uint_eq(r.udp, 75);
    ck_assert_uint_eq(r.vlan_tagged, 30);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("decode_captures");
    TCase *tc = tcase_create("phs");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_sngrep_aaa_eth);
    tcase_add_test(tc, test_ipv4frag576_reassembles_to_original);
    tcase_add_test(tc, test_sll);
    tcase_add_test(tc, test_rawip);
    tcase_add_test(tc, test_dltnull);
    tcase_add_test(tc, test_vlan100);
    tcase_add_test(tc, test_ipv6);
    tcase_add_test(tc, test_sip_over_tcp);
    tcase_add_test(tc, test_sctp);
    tcase_add_test(tc, test_sngrep_ipip);
    tcase_add_test(tc, test_ndpi_pcapng_vlan);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return snb_check_run(suite());
}
