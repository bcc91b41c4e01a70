/* SDP parser: offer/answer, connection addresses, directions, payload
 * types (rtpmap and RFC 3551 static), attributes, limits. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "sdp.h"

static sdp_t S;

static bool str_is(snb_str_t s, const char *lit)
{
    return s.p && s.len == strlen(lit) && memcmp(s.p, lit, s.len) == 0;
}
#define ck_str(s, lit)                                                                             \
    ck_assert_msg(str_is((s), (lit)), "%s: got '%.*s' want '%s'", #s, (int)(s).len,                \
                  (s).p ? (s).p : "(null)", (lit))

static int parse(const char *t)
{
    return sdp_parse(t, strlen(t), &S);
}

/* Offer from tests/data/sip-sdp-example.pcap (audio + T.38 image). */
static const char OFFER[] = "v=0\r\n"
                            "o=GW 1450527918 1450527795 IN IP4 10.33.6.101\r\n"
                            "s=Phone-Call\r\n"
                            "c=IN IP4 10.33.6.101\r\n"
                            "t=0 0\r\n"
                            "m=audio 6020 RTP/AVP 8 18 4 96\r\n"
                            "a=rtpmap:8 PCMA/8000\r\n"
                            "a=rtpmap:18 G729/8000\r\n"
                            "a=fmtp:18 annexb=no\r\n"
                            "a=rtpmap:4 G723/8000\r\n"
                            "a=fmtp:4 annexa=no\r\n"
                            "a=rtpmap:96 telephone-event/8000\r\n"
                            "a=fmtp:96 0-15\r\n"
                            "a=ptime:20\r\n"
                            "a=sendrecv\r\n"
                            "m=image 6022 udptl t38\r\n"
                            "a=T38FaxVersion:0\r\n";

START_TEST(test_offer)
{
    ck_assert_int_eq(parse(OFFER), 0);
    ck_str(S.origin_user, "GW");
    ck_str(S.origin_session_id, "1450527918");
    ck_str(S.origin_version, "1450527795");
    ck_str(S.origin_addr, "10.33.6.101");
    ck_str(S.session_name, "Phone-Call");
    ck_str(S.conn_addr, "10.33.6.101");
    ck_assert_uint_eq(S.conn_family, 4);
    ck_assert_uint_eq(S.n_media, 2);
    ck_assert(!S.truncated);
    const sdp_media_t *a = &S.media[0];
    ck_str(a->type, "audio");
    ck_assert_uint_eq(a->port, 6020);
    ck_assert_uint_eq(a->port_count, 1);
    ck_str(a->proto, "RTP/AVP");
    ck_str(a->conn_addr, "10.33.6.101"); /* inherited from the session */
    ck_assert_uint_eq(a->conn_family, 4);
    ck_assert_int_eq(a->direction, SDP_DIR_SENDRECV);
    ck_assert_uint_eq(a->ptime, 20);
    ck_assert_int_eq(a->telephone_event_pt, 96);
    ck_assert_uint_eq(a->n_formats, 4);
    ck_assert_uint_eq(a->formats[0].pt, 8);
    ck_str(a->formats[0].encoding, "PCMA");
    ck_assert_uint_eq(a->formats[0].clock_rate, 8000);
    ck_assert_uint_eq(a->formats[0].channels, 1);
    ck_str(a->formats[1].fmtp, "annexb=no");
    ck_str(a->formats[3].encoding, "telephone-event");
    ck_str(a->formats[3].fmtp, "0-15");
    ck_assert(!a->has_crypto);
    const sdp_media_t *img = &S.media[1];
    ck_str(img->type, "image");
    ck_str(img->proto, "udptl");
    ck_assert_uint_eq(img->n_formats, 0); /* "t38" is not a payload type */
    ck_assert_int_eq(img->telephone_event_pt, -1);
    ck_assert_int_eq(img->direction, SDP_DIR_NONE);
    ck_assert_str_eq(sdp_direction_name(img->direction), "sendrecv");
}
END_TEST

START_TEST(test_answer_media_conn_direction)
{
    const char *ans = "v=0\n"
                      "o=- 1 2 IN IP4 192.0.2.1\n"
                      "s=-\n"
                      "c=IN IP4 192.0.2.1\n"
                      "a=sendonly\n"
                      "m=audio 0 RTP/AVP 0\n"
                      "m=audio 40000/2 RTP/AVP 0 101\n"
                      "c=IN IP4 198.51.100.7/127\n"
                      "a=recvonly\n"
                      "a=rtpmap:101 Telephone-Event/8000\n"
                      "m=video 40010 RTP/AVP 34\n"
                      "a=inactive\n";
    ck_assert_int_eq(parse(ans), 0);
    ck_assert_int_eq(S.direction, SDP_DIR_SENDONLY);
    ck_assert_uint_eq(S.n_media, 3);
    ck_assert_uint_eq(S.media[0].port, 0);
    ck_assert_int_eq(S.media[0].direction, SDP_DIR_SENDONLY); /* session default */
    ck_str(S.media[0].conn_addr, "192.0.2.1");
    ck_assert_uint_eq(S.media[1].port, 40000);
    ck_assert_uint_eq(S.media[1].port_count, 2);
    ck_str(S.media[1].conn_addr, "198.51.100.7"); /* TTL stripped, media overrides */
    ck_assert_int_eq(S.media[1].direction, SDP_DIR_RECVONLY);
    ck_assert_int_eq(S.media[1].telephone_event_pt, 101);
    ck_assert_int_eq(S.media[2].direction, SDP_DIR_INACTIVE);
    ck_str(sdp_format_name(&S.media[2].formats[0]), "H263");
    ck_assert_uint_eq(sdp_format_clock(&S.media[2].formats[0]), 90000);
    ck_assert_str_eq(sdp_direction_name(SDP_DIR_RECVONLY), "recvonly");
    ck_assert_str_eq(sdp_direction_name(SDP_DIR_INACTIVE), "inactive");
}
END_TEST

START_TEST(test_ipv6)
{
    ck_assert_int_eq(parse("v=0\r\no=- 1 1 IN IP6 2001:db8::1\r\ns=-\r\n"
                           "c=IN IP6 2001:db8::1\r\nm=audio 5004 RTP/AVP 0\r\n"
                           "m=audio 5006 RTP/AVP 8\r\nc=IN IP6 2001:db8::2\r\n"),
                     0);
    ck_str(S.origin_addr, "2001:db8::1");
    ck_assert_uint_eq(S.conn_family, 6);
    ck_str(S.media[0].conn_addr, "2001:db8::1");
    ck_assert_uint_eq(S.media[0].conn_family, 6);
    ck_str(S.media[1].conn_addr, "2001:db8::2");
    /* unknown address type: ignored */
    ck_assert_int_eq(parse("v=0\r\nc=IN IPX foo\r\nm=audio 1 RTP/AVP 0\r\n"), 0);
    ck_assert_uint_eq(S.media[0].conn_family, 0);
    ck_assert_ptr_null(S.media[0].conn_addr.p);
}
END_TEST

START_TEST(test_static_pts)
{
    static const struct {
        uint8_t pt;
        const char *name;
        uint32_t clock;
    } t[] = {{0, "PCMU", 8000},   {3, "GSM", 8000},    {4, "G723", 8000},   {5, "DVI4", 8000},
             {6, "DVI4", 16000},  {7, "LPC", 8000},    {8, "PCMA", 8000},   {9, "G722", 8000},
             {10, "L16", 44100},  {11, "L16", 44100},  {12, "QCELP", 8000}, {13, "CN", 8000},
             {14, "MPA", 90000},  {15, "G728", 8000},  {16, "DVI4", 11025}, {17, "DVI4", 22050},
             {18, "G729", 8000},  {25, "CelB", 90000}, {26, "JPEG", 90000}, {28, "nv", 90000},
             {31, "H261", 90000}, {32, "MPV", 90000},  {33, "MP2T", 90000}, {34, "H263", 90000}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        sdp_format_t f = {.pt = t[i].pt, .channels = 1};
        ck_str(sdp_format_name(&f), t[i].name);
        ck_assert_uint_eq(sdp_format_clock(&f), t[i].clock);
    }
    sdp_format_t dyn = {.pt = 111};
    ck_assert_uint_eq(sdp_format_name(&dyn).len, 0);
    ck_assert_ptr_nonnull(sdp_format_name(&dyn).p);
    ck_assert_uint_eq(sdp_format_clock(&dyn), 0);
    sdp_format_t unassigned = {.pt = 2};
    ck_assert_uint_eq(sdp_format_name(&unassigned).len, 0);
    /* parsed static PTs: no rtpmap, encoding empty, names from the table */
    ck_assert_int_eq(parse("v=0\r\nm=audio 1 RTP/AVP 0 10 18\r\n"), 0);
    ck_assert_uint_eq(S.media[0].formats[0].encoding.len, 0);
    ck_assert_uint_eq(S.media[0].formats[0].clock_rate, 0);
    ck_str(sdp_format_name(&S.media[0].formats[0]), "PCMU");
    ck_assert_uint_eq(S.media[0].formats[1].channels, 2); /* L16 stereo */
    ck_str(sdp_format_name(&S.media[0].formats[2]), "G729");
    /* rtpmap overrides the table, with channels */
    ck_assert_int_eq(parse("v=0\r\nm=audio 1 RTP/AVP 111 0\r\na=rtpmap:111 opus/48000/2\r\n"
                           "a=rtpmap:0 PCMU/8000\r\na=maxptime:120\r\n"),
                     0);
    ck_str(sdp_format_name(&S.media[0].formats[0]), "opus");
    ck_assert_uint_eq(sdp_format_clock(&S.media[0].formats[0]), 48000);
    ck_assert_uint_eq(S.media[0].formats[0].channels, 2);
    ck_assert_uint_eq(S.media[0].maxptime, 120);
    ck_assert_uint_eq(S.media[0].ptime, 0);
}
END_TEST

START_TEST(test_crypto_label_mux)
{
    const char *sd = "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\n"
                     "m=audio 4000 RTP/SAVP 0\r\n"
                     "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:SECRETKEYMATERIALxxxxxxxxxxxx\r\n"
                     "a=label:caller\r\n"
                     "a=rtcp-mux\r\n"
                     "m=audio 4002 RTP/AVP 0\r\n"
                     "a=label:2\r\n";
    ck_assert_int_eq(parse(sd), 0);
    ck_assert(S.media[0].has_crypto);
    ck_assert(S.media[0].rtcp_mux);
    ck_str(S.media[0].label, "caller");
    ck_assert(!S.media[1].has_crypto);
    ck_assert(!S.media[1].rtcp_mux);
    ck_str(S.media[1].label, "2");
    /* no field of the result points at the key */
    const char *key = strstr(sd, "SECRET");
    for (unsigned i = 0; i < S.n_media; i++)
        for (unsigned k = 0; k < S.media[i].n_formats; k++)
            ck_assert(S.media[i].formats[k].fmtp.p != key);
    /* DTLS-SRTP fingerprint at session level covers every media */
    ck_assert_int_eq(parse("v=0\r\na=fingerprint:sha-256 AB:CD\r\nm=audio 1 UDP/TLS/RTP/SAVPF 0\r\n"
                           "m=video 2 UDP/TLS/RTP/SAVPF 96\r\n"),
                     0);
    ck_assert(S.media[0].has_crypto);
    ck_assert(S.media[1].has_crypto);
}
END_TEST

START_TEST(test_limits)
{
    char buf[8192];
    size_t n = (size_t)snprintf(buf, sizeof buf, "v=0\r\n");
    for (int i = 0; i < SDP_MAX_MEDIA + 3; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "m=audio %d RTP/AVP 0\r\na=ptime:%d\r\n",
                              1000 + i, 10 + i);
    ck_assert_int_eq(sdp_parse(buf, n, &S), 0);
    ck_assert_uint_eq(S.n_media, SDP_MAX_MEDIA);
    ck_assert(S.truncated);
    ck_assert_uint_eq(S.media[SDP_MAX_MEDIA - 1].port, 1000 + SDP_MAX_MEDIA - 1);
    ck_assert_uint_eq(S.media[SDP_MAX_MEDIA - 1].ptime, 10 + SDP_MAX_MEDIA - 1);
    n = (size_t)snprintf(buf, sizeof buf, "v=0\r\nm=audio 1 RTP/AVP");
    for (int i = 0; i < SDP_MAX_FORMATS + 4; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, " %d", 96 + i);
    n += (size_t)snprintf(buf + n, sizeof buf - n, "\r\na=rtpmap:%d X/1\r\n", 96 + SDP_MAX_FORMATS);
    ck_assert_int_eq(sdp_parse(buf, n, &S), 0);
    ck_assert_uint_eq(S.media[0].n_formats, SDP_MAX_FORMATS);
    ck_assert(S.truncated);
    /* bad numbers: port over 65535, PT over 127 */
    ck_assert_int_eq(parse("v=0\r\nm=audio 70000 RTP/AVP 128 0\r\n"), 0);
    ck_assert_uint_eq(S.media[0].port, 0);
    ck_assert_uint_eq(S.media[0].n_formats, 1);
    ck_assert(!S.truncated);
    /* not SDP */
    ck_assert_int_eq(parse("o=- 1 1 IN IP4 1.2.3.4\r\nv=0\r\n"), -1);
    ck_assert_int_eq(parse(""), -1);
    ck_assert_int_eq(parse("hello"), -1);
    ck_assert_int_eq(sdp_parse(NULL, 0, &S), -1);
    /* unknown lines skipped */
    ck_assert_int_eq(parse("v=0\r\nzzz\r\nq=1\r\nm=audio 2 RTP/AVP 0\r\n"), 0);
    ck_assert_uint_eq(S.n_media, 1);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("sdp");
    TCase *tc = tcase_create("sdp");
    tcase_add_test(tc, test_offer);
    tcase_add_test(tc, test_answer_media_conn_direction);
    tcase_add_test(tc, test_ipv6);
    tcase_add_test(tc, test_static_pts);
    tcase_add_test(tc, test_crypto_label_mux);
    tcase_add_test(tc, test_limits);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return snb_check_run(suite());
}
