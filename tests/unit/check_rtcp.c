/* RTCP compound walk: SR, RR, SDES, BYE, APP, XR (VoIP metrics), padding,
 * lengths that lie, truncation at every byte, and the real compound packets
 * of tests/data/ndpi-rtcp-compound-sll.pcap (values from tshark -V). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "decoder.h"
#include "rtp_packet.h"
#include "support.h"

#define MAXP 16

typedef struct got {
    rtcp_packet_t p[MAXP];
    char cname[MAXP][256];
    int n;
} got_t;

static void collect(void *ud, const rtcp_packet_t *p)
{
    got_t *g = ud;
    if (g->n >= MAXP) return;
    g->p[g->n] = *p;
    if (p->cname) snprintf(g->cname[g->n], sizeof g->cname[0], "%.*s", p->cname_len, p->cname);
    g->n++;
}

static int parse(const uint8_t *d, size_t n, got_t *g)
{
    memset(g, 0, sizeof *g);
    /* From an exact-size heap copy so ASan sees any overread. */
    uint8_t *c = malloc(n ? n : 1);
    memcpy(c, d, n);
    int r = rtcp_parse_compound(c, n, collect, g);
    free(c);
    return r;
}

/* SR with 1 report block (cumulative lost -3, 24-bit two's complement),
 * SDES with CNAME "alice@example" and a NOTE, BYE of 2 sources with a
 * reason, APP "TEST" with 4 data bytes. */
static const uint8_t compound[] = {
    /* SR: RC=1, length 12 words */
    0x81,
    200,
    0x00,
    0x0c,
    0x11,
    0x22,
    0x33,
    0x44, /* sender */
    0xe0,
    0x00,
    0x00,
    0x01,
    0x80,
    0x00,
    0x00,
    0x00, /* NTP */
    0x00,
    0x00,
    0x12,
    0x34,
    0x00,
    0x00,
    0x00,
    0x64,
    0x00,
    0x00,
    0x3e,
    0x80, /* ts, pkts, octets */
    0xaa,
    0xbb,
    0xcc,
    0xdd,
    0x40,
    0xff,
    0xff,
    0xfd, /* block: ssrc, fl, cum */
    0x00,
    0x01,
    0x02,
    0x03,
    0x00,
    0x00,
    0x00,
    0x50, /* ext seq, jitter */
    0x12,
    0x34,
    0x56,
    0x78,
    0x00,
    0x01,
    0x00,
    0x00, /* lsr, dlsr */
    /* SDES: SC=1, length 6 words: ssrc, CNAME(13), NOTE(2), END, pad */
    0x81,
    202,
    0x00,
    0x06,
    0x11,
    0x22,
    0x33,
    0x44,
    0x01,
    13,
    'a',
    'l',
    'i',
    'c',
    'e',
    '@',
    'e',
    'x',
    'a',
    'm',
    'p',
    'l',
    'e',
    0x07,
    0x02,
    'h',
    'i',
    0x00,
    /* BYE: SC=2, length 3 words + reason "bye" (len byte + 3 = 4 bytes) */
    0x82,
    203,
    0x00,
    0x03,
    0x11,
    0x22,
    0x33,
    0x44,
    0x55,
    0x66,
    0x77,
    0x88,
    0x03,
    'b',
    'y',
    'e',
    /* APP: subtype 1, length 3 words */
    0x81,
    204,
    0x00,
    0x03,
    0x11,
    0x22,
    0x33,
    0x44,
    'T',
    'E',
    'S',
    'T',
    1,
    2,
    3,
    4,
};

START_TEST(sr_sdes_bye_app)
{
    got_t g;
    ck_assert_int_eq(sizeof compound % 4, 0);
    ck_assert_int_eq(parse(compound, sizeof compound, &g), 4);
    const rtcp_packet_t *sr = &g.p[0];
    ck_assert_uint_eq(sr->type, RTCP_SR);
    ck_assert_uint_eq(sr->ssrc, 0x11223344);
    ck_assert_uint_eq(sr->ntp_sec, 0xe0000001);
    ck_assert_uint_eq(sr->ntp_frac, 0x80000000);
    ck_assert_uint_eq(sr->rtp_ts, 0x1234);
    ck_assert_uint_eq(sr->sender_packets, 100);
    ck_assert_uint_eq(sr->sender_octets, 16000);
    ck_assert_uint_eq(sr->n_blocks, 1);
    ck_assert_uint_eq(sr->blocks[0].ssrc, 0xaabbccdd);
    ck_assert_uint_eq(sr->blocks[0].fraction_lost, 0x40);
    ck_assert_int_eq(sr->blocks[0].cumulative_lost, -3);
    ck_assert_uint_eq(sr->blocks[0].ext_highest_seq, 0x00010203);
    ck_assert_uint_eq(sr->blocks[0].jitter, 80);
    ck_assert_uint_eq(sr->blocks[0].lsr, 0x12345678);
    ck_assert_uint_eq(sr->blocks[0].dlsr, 0x00010000);
    ck_assert_uint_eq(g.p[1].type, RTCP_SDES);
    ck_assert_uint_eq(g.p[1].ssrc, 0x11223344);
    ck_assert_uint_eq(g.p[1].cname_len, 13);
    ck_assert_str_eq(g.cname[1], "alice@example");
    ck_assert_uint_eq(g.p[2].type, RTCP_BYE);
    ck_assert_uint_eq(g.p[2].n_bye, 2);
    ck_assert_uint_eq(g.p[2].bye_ssrc[0], 0x11223344);
    ck_assert_uint_eq(g.p[2].bye_ssrc[1], 0x55667788);
    ck_assert_uint_eq(g.p[2].ssrc, 0x11223344);
    ck_assert_uint_eq(g.p[3].type, RTCP_APP);
    ck_assert_uint_eq(g.p[3].ssrc, 0x11223344);
}
END_TEST

START_TEST(rr_positive_cumulative)
{
    uint8_t rr[] = {0x81, 201, 0x00, 0x07, 0, 0, 0, 9, 0, 0, 0, 8, 0x10, 0x7f, 0xff, 0xff,
                    0,    0,   0,    5,    0, 0, 0, 6, 0, 0, 0, 7, 0,    0,    0,    8};
    got_t g;
    ck_assert_int_eq(parse(rr, sizeof rr, &g), 1);
    ck_assert_uint_eq(g.p[0].type, RTCP_RR);
    ck_assert_uint_eq(g.p[0].ssrc, 9);
    ck_assert_uint_eq(g.p[0].n_blocks, 1);
    ck_assert_int_eq(g.p[0].blocks[0].cumulative_lost, 0x7fffff);
    ck_assert_uint_eq(g.p[0].blocks[0].fraction_lost, 0x10);
    /* An empty RR (RC=0) is the minimal compound. */
    uint8_t empty[] = {0x80, 201, 0x00, 0x01, 0, 0, 0, 1};
    ck_assert_int_eq(parse(empty, sizeof empty, &g), 1);
    ck_assert_uint_eq(g.p[0].n_blocks, 0);
}
END_TEST

/* XR (RFC 3611): a receiver reference time block (BT 4, skipped), then a
 * VoIP metrics block (BT 7) with every field distinct. */
static const uint8_t xr[] = {
    0x80, 207,  0x00, 0x0d, 0x01, 0x02, 0x03, 0x04,             /* header, sender */
    0x04, 0x00, 0x00, 0x02, 0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 1, /* BT 4, 2 words */
    0x07, 0x00, 0x00, 0x08,                                     /* BT 7, 8 words */
    0x0a, 0x0b, 0x0c, 0x0d,                                     /* ssrc */
    5,    6,    7,    8,                                        /* loss discard bd gd */
    0x01, 0x00, 0x02, 0x00,                                     /* burst 256, gap 512 */
    0x00, 0x64, 0x00, 0x32,                                     /* rtt 100, esd 50 */
    0xec, 0xb0, 0x21, 16,                                       /* -20, -80, 33, 16 */
    93,   127,  42,   41,                                       /* R, extR, LQ, CQ */
    0x83, 0x00, 0x00, 0x28, 0x00, 0x50, 0x00, 0xc8,             /* rx cfg, JB 40 80 200 */
};

START_TEST(xr_voip_metrics)
{
    got_t g;
    ck_assert_int_eq(parse(xr, sizeof xr, &g), 1);
    const rtcp_packet_t *p = &g.p[0];
    ck_assert_uint_eq(p->type, RTCP_XR);
    ck_assert_uint_eq(p->ssrc, 0x01020304);
    ck_assert_uint_eq(p->n_voip, 1);
    const rtcp_xr_voip_t *v = &p->voip[0];
    ck_assert_uint_eq(v->ssrc, 0x0a0b0c0d);
    ck_assert_uint_eq(v->loss_rate, 5);
    ck_assert_uint_eq(v->discard_rate, 6);
    ck_assert_uint_eq(v->burst_density, 7);
    ck_assert_uint_eq(v->gap_density, 8);
    ck_assert_uint_eq(v->burst_duration, 256);
    ck_assert_uint_eq(v->gap_duration, 512);
    ck_assert_uint_eq(v->round_trip_delay, 100);
    ck_assert_uint_eq(v->end_system_delay, 50);
    ck_assert_int_eq(v->signal_level, -20);
    ck_assert_int_eq(v->noise_level, -80);
    ck_assert_uint_eq(v->rerl, 33);
    ck_assert_uint_eq(v->gmin, 16);
    ck_assert_uint_eq(v->r_factor, 93);
    ck_assert_uint_eq(v->ext_r_factor, 127);
    ck_assert_uint_eq(v->mos_lq, 42);
    ck_assert_uint_eq(v->mos_cq, 41);
    ck_assert_uint_eq(v->rx_config, 0x83);
    ck_assert_uint_eq(v->jb_nominal, 40);
    ck_assert_uint_eq(v->jb_maximum, 80);
    ck_assert_uint_eq(v->jb_abs_max, 200);
}
END_TEST

START_TEST(xr_bad_blocks)
{
    got_t g;
    uint8_t b[sizeof xr];
    memcpy(b, xr, sizeof b);
    b[23] = 0x07; /* VoIP block says 7 words: too short for its fields */
    ck_assert_int_eq(parse(b, sizeof b, &g), -1);
    memcpy(b, xr, sizeof b);
    b[11] = 0x20; /* first block runs past the packet */
    ck_assert_int_eq(parse(b, sizeof b, &g), -1);
}
END_TEST

START_TEST(padding)
{
    /* RR with P set: 4 bytes of padding (count 4) after an empty RR body. */
    uint8_t rr[] = {0xa0, 201, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 4};
    got_t g;
    ck_assert_int_eq(parse(rr, sizeof rr, &g), 1);
    ck_assert_uint_eq(g.p[0].ssrc, 1);
    rr[11] = 0; /* count 0 */
    ck_assert_int_eq(parse(rr, sizeof rr, &g), -1);
    rr[11] = 12; /* eats the header */
    ck_assert_int_eq(parse(rr, sizeof rr, &g), -1);
    rr[11] = 8; /* eats the sender SSRC: RR body too short */
    ck_assert_int_eq(parse(rr, sizeof rr, &g), -1);
}
END_TEST

START_TEST(lying_lengths)
{
    got_t g;
    uint8_t b[sizeof compound];
    memcpy(b, compound, sizeof b);
    b[3] = 0x40; /* SR claims 65 words */
    ck_assert_int_eq(parse(b, sizeof b, &g), -1);
    ck_assert_int_eq(g.n, 0);
    memcpy(b, compound, sizeof b);
    b[0] = 0x9f; /* SR claims 31 report blocks in 12 words */
    ck_assert_int_eq(parse(b, sizeof b, &g), -1);
    memcpy(b, compound, sizeof b);
    b[52 + 9] = 40; /* SDES CNAME length runs past the packet */
    ck_assert_int_eq(parse(b, sizeof b, &g), -1);
    ck_assert_int_eq(g.n, 1); /* the SR before the damage was delivered */
    memcpy(b, compound, sizeof b);
    b[80] = 0x85; /* BYE claims 5 sources */
    ck_assert_int_eq(parse(b, sizeof b, &g), -1);
    memcpy(b, compound, sizeof b);
    b[92] = 9; /* BYE reason longer than the packet */
    ck_assert_int_eq(parse(b, sizeof b, &g), -1);
    memcpy(b, compound, sizeof b);
    b[96 + 3] = 0x01; /* APP of 1 word: no name */
    ck_assert_int_eq(parse(b, sizeof b, &g), -1);
    memcpy(b, compound, sizeof b);
    b[52] = 0x40; /* version 1 in the second packet */
    ck_assert_int_eq(parse(b, sizeof b, &g), -1);
    ck_assert_int_eq(parse(compound, 0, &g), -1);
    ck_assert_int_eq(parse(compound, 3, &g), -1);
    /* Trailing bytes after the last packet. */
    uint8_t t[sizeof compound + 2];
    memcpy(t, compound, sizeof compound);
    t[sizeof compound] = t[sizeof compound + 1] = 0;
    ck_assert_int_eq(parse(t, sizeof t, &g), -1);
    ck_assert_int_eq(g.n, 4);
}
END_TEST

/* SDES without the null item before the end of the packet. */
START_TEST(sdes_no_terminator)
{
    uint8_t s[] = {0x81, 202, 0x00, 0x02, 0, 0, 0, 1, 0x01, 0x02, 'a', 'b'};
    got_t g;
    ck_assert_int_eq(parse(s, sizeof s, &g), -1);
    uint8_t ok[] = {0x81, 202, 0x00, 0x03, 0, 0, 0, 1, 0x01, 0x02, 'a', 'b', 0, 0, 0, 0};
    ck_assert_int_eq(parse(ok, sizeof ok, &g), 1);
    ck_assert_str_eq(g.cname[0], "ab");
    /* Two chunks: only the first chunk's CNAME is kept. */
    uint8_t two[] = {0x82, 202, 0x00, 0x06, 0,   0, 0, 1, 0x02, 0x01, 'n', 0, 0, 0,
                     0,    2,   1,    1,    'x', 0, 0, 0, 0,    0,    0,   0, 0, 0};
    ck_assert_int_eq(parse(two, sizeof two, &g), 1);
    ck_assert_uint_eq(g.p[0].ssrc, 1);
    ck_assert_ptr_null(g.p[0].cname);
}
END_TEST

START_TEST(truncation_every_byte)
{
    got_t g;
    for (size_t n = 0; n < sizeof compound; n++) {
        int r = parse(compound, n, &g);
        /* Packet boundaries at 52, 80, 96: a cut there leaves whole packets. */
        if (n == 52 || n == 80 || n == 96)
            ck_assert_int_eq(r, n == 52 ? 1 : n == 80 ? 2 : 3);
        else
            ck_assert_int_eq(r, -1);
    }
    for (size_t n = 0; n < sizeof xr; n++)
        ck_assert_int_eq(parse(xr, n, &g), -1);
}
END_TEST

/* ---- the real capture ---------------------------------------------------- */

typedef struct cap {
    int datagrams, packets, bad;
    got_t g[8];
} cap_t;

static void on_pkt(void *ud, const snb_packet_t *pkt)
{
    cap_t *c = ud;
    if (pkt->transport != SNB_TRANSPORT_UDP || c->datagrams >= 8) return;
    got_t *g = &c->g[c->datagrams++];
    ck_assert(rtcp_looks_like(pkt->payload, pkt->payload_len));
    int r = parse(pkt->payload, pkt->payload_len, g);
    if (r < 0)
        c->bad++;
    else
        c->packets += r;
}

START_TEST(capture_compound)
{
    static cap_t c;
    memset(&c, 0, sizeof c);
    snb_decode_limits_t dl = SNB_DECODE_LIMITS_DEFAULT;
    snb_decode_stats_t ds;
    memset(&ds, 0, sizeof ds);
    snb_decoder_t *dec = snb_decoder_new(&dl, &ds, on_pkt, &c);
    snb_pcapr_t *rd = snb_pcapr_open(SNB_TEST_DATA_DIR "/ndpi-rtcp-compound-sll.pcap");
    ck_assert_ptr_nonnull(rd);
    snb_frame_t f;
    while (snb_pcapr_next(rd, &f) == 1)
        snb_decoder_feed(dec, &f);
    snb_pcapr_close(rd);
    snb_decoder_free(dec);
    /* 5 datagrams, each SR+SDES or RR+SDES. */
    ck_assert_int_eq(c.datagrams, 5);
    ck_assert_int_eq(c.bad, 0);
    ck_assert_int_eq(c.packets, 10);
    /* Frame 1: SR from 0x5d931534, RTP ts 32000, 200 packets, 32000 octets,
     * one block on SSRC 0 with cumulative lost 1; CNAME "5d931534". */
    const got_t *g = &c.g[0];
    ck_assert_uint_eq(g->p[0].type, RTCP_SR);
    ck_assert_uint_eq(g->p[0].ssrc, 0x5d931534);
    ck_assert_uint_eq(g->p[0].ntp_sec, 3711615344u);
    ck_assert_uint_eq(g->p[0].ntp_frac, 1298222584u);
    ck_assert_uint_eq(g->p[0].rtp_ts, 32000);
    ck_assert_uint_eq(g->p[0].sender_packets, 200);
    ck_assert_uint_eq(g->p[0].sender_octets, 32000);
    ck_assert_uint_eq(g->p[0].n_blocks, 1);
    ck_assert_int_eq(g->p[0].blocks[0].cumulative_lost, 1);
    ck_assert_uint_eq(g->p[1].type, RTCP_SDES);
    ck_assert_str_eq(g->cname[1], "5d931534");
    /* Frame 4: RR from 0x01932db4 on 0x5d931534: ext. highest 49035, jitter
     * 6, LSR 0xc1704d61, DLSR 263452; CNAME "1932db4". */
    g = &c.g[3];
    ck_assert_uint_eq(g->p[0].type, RTCP_RR);
    ck_assert_uint_eq(g->p[0].ssrc, 0x01932db4);
    ck_assert_uint_eq(g->p[0].blocks[0].ssrc, 0x5d931534);
    ck_assert_uint_eq(g->p[0].blocks[0].ext_highest_seq, 49035);
    ck_assert_uint_eq(g->p[0].blocks[0].jitter, 6);
    ck_assert_uint_eq(g->p[0].blocks[0].lsr, 0xc1704d61);
    ck_assert_uint_eq(g->p[0].blocks[0].dlsr, 263452);
    ck_assert_str_eq(g->cname[1], "1932db4");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("rtcp");
    TCase *tc = tcase_create("rtcp");
    tcase_add_test(tc, sr_sdes_bye_app);
    tcase_add_test(tc, rr_positive_cumulative);
    tcase_add_test(tc, xr_voip_metrics);
    tcase_add_test(tc, xr_bad_blocks);
    tcase_add_test(tc, padding);
    tcase_add_test(tc, lying_lengths);
    tcase_add_test(tc, sdes_no_terminator);
    tcase_add_test(tc, truncation_every_byte);
    tcase_add_test(tc, capture_compound);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
