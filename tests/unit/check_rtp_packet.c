/* RTP fixed header parsing: every field, CSRCs, the header extension,
 * padding, and truncation at every byte. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "rtp_packet.h"

/* V=2 P=1 X=1 CC=2, M=1 PT=96, seq 0xBEEF, ts 0x01020304, SSRC 0xCAFEBABE,
 * CSRCs 0x11111111 0x22222222, extension 0xBEDE len 1 (4 bytes), payload
 * "abcde", 3 bytes of padding (count 3). */
static const uint8_t full[] = {
    0xb2, 0xe0, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04, 0xca, 0xfe, 0xba, 0xbe, /* fixed */
    0x11, 0x11, 0x11, 0x11, 0x22, 0x22, 0x22, 0x22,                         /* CSRCs */
    0xbe, 0xde, 0x00, 0x01, 0x10, 0xaa, 0x00, 0x00,                         /* extension */
    'a',  'b',  'c',  'd',  'e',                                            /* payload */
    0x00, 0x00, 0x03,                                                       /* padding */
};

START_TEST(all_fields)
{
    rtp_hdr_t h;
    ck_assert_int_eq(rtp_parse(full, sizeof full, &h), 0);
    ck_assert_uint_eq(h.version, 2);
    ck_assert(h.padding);
    ck_assert(h.extension);
    ck_assert(h.marker);
    ck_assert_uint_eq(h.csrc_count, 2);
    ck_assert_uint_eq(h.pt, 96);
    ck_assert_uint_eq(h.seq, 0xbeef);
    ck_assert_uint_eq(h.ts, 0x01020304);
    ck_assert_uint_eq(h.ssrc, 0xcafebabe);
    ck_assert_uint_eq(rtp_hdr_csrc(&h, 0), 0x11111111);
    ck_assert_uint_eq(rtp_hdr_csrc(&h, 1), 0x22222222);
    ck_assert_uint_eq(rtp_hdr_csrc(&h, 2), 0);
    ck_assert_uint_eq(h.ext_profile, 0xbede);
    ck_assert_uint_eq(h.ext_words, 1);
    ck_assert_ptr_eq(h.ext, full + 24);
    ck_assert_uint_eq(h.padding_len, 3);
    ck_assert_uint_eq(h.payload_len, 5);
    ck_assert_ptr_eq(h.payload, full + 28);
    ck_assert_int_eq(memcmp(h.payload, "abcde", 5), 0);
}
END_TEST

START_TEST(minimal)
{
    uint8_t p[12] = {0x80, 0x08, 0x00, 0x01, 0, 0, 0, 160, 0, 0, 0, 7};
    rtp_hdr_t h;
    ck_assert_int_eq(rtp_parse(p, sizeof p, &h), 0);
    ck_assert(!h.marker && !h.padding && !h.extension);
    ck_assert_uint_eq(h.pt, 8);
    ck_assert_uint_eq(h.seq, 1);
    ck_assert_uint_eq(h.ts, 160);
    ck_assert_uint_eq(h.ssrc, 7);
    ck_assert_uint_eq(h.payload_len, 0);
    ck_assert_ptr_null(h.ext);
}
END_TEST

START_TEST(rejects)
{
    uint8_t p[16] = {0x80, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 'x', 'y', 'z', 'w'};
    rtp_hdr_t h;
    ck_assert_int_eq(rtp_parse(p, sizeof p, &h), 0);
    p[0] = 0x40; /* version 1 */
    ck_assert_int_eq(rtp_parse(p, sizeof p, &h), -1);
    p[0] = 0xc0; /* version 3 */
    ck_assert_int_eq(rtp_parse(p, sizeof p, &h), -1);
    p[0] = 0x80;
    for (uint8_t pt = 72; pt <= 76; pt++) { /* RTCP SR..APP with the marker */
        p[1] = (uint8_t)(0x80 | pt);
        ck_assert_int_eq(rtp_parse(p, sizeof p, &h), -1);
    }
    p[1] = 0x80 | 77;
    ck_assert_int_eq(rtp_parse(p, sizeof p, &h), 0);
    p[1] = 0;
    p[0] = 0x82; /* two CSRCs: 20 bytes needed */
    ck_assert_int_eq(rtp_parse(p, sizeof p, &h), -1);
    p[0] = 0x81; /* one CSRC: fits, empty payload */
    ck_assert_int_eq(rtp_parse(p, sizeof p, &h), 0);
    ck_assert_uint_eq(h.payload_len, 0);
    p[0] = 0x90; /* extension header 'xyzw': length 0x7a77 words, beyond */
    ck_assert_int_eq(rtp_parse(p, sizeof p, &h), -1);
    p[0] = 0xa0; /* padding count 'w' = 119 > 4 bytes of payload */
    ck_assert_int_eq(rtp_parse(p, sizeof p, &h), -1);
    p[15] = 0; /* padding count 0 is invalid (it counts itself) */
    ck_assert_int_eq(rtp_parse(p, sizeof p, &h), -1);
    p[15] = 4; /* the whole payload is padding */
    ck_assert_int_eq(rtp_parse(p, sizeof p, &h), 0);
    ck_assert_uint_eq(h.payload_len, 0);
    ck_assert_int_eq(rtp_parse(NULL, 0, &h), -1);
}
END_TEST

START_TEST(extension_empty)
{
    uint8_t p[] = {0x90, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0x10, 0x00, 0x00, 0x00, 'p'};
    rtp_hdr_t h;
    ck_assert_int_eq(rtp_parse(p, sizeof p, &h), 0);
    ck_assert_uint_eq(h.ext_profile, 0x1000);
    ck_assert_uint_eq(h.ext_words, 0);
    ck_assert_uint_eq(h.payload_len, 1);
    ck_assert_uint_eq(h.payload[0], 'p');
}
END_TEST

/* Every prefix of the full packet: parsed from a heap copy of exactly that
 * size so ASan catches a read past it. Prefixes that cut the CSRCs or the
 * extension fail; longer ones may parse (the last byte is read as padding
 * count) but never claim more than they hold. */
START_TEST(truncation_every_byte)
{
    for (size_t n = 0; n <= sizeof full; n++) {
        uint8_t *c = malloc(n ? n : 1);
        memcpy(c, full, n);
        rtp_hdr_t h;
        int r = rtp_parse(c, n, &h);
        if (n < 28) ck_assert_int_eq(r, -1);
        if (r == 0) ck_assert(h.payload >= c && h.payload + h.payload_len <= c + n);
        free(c);
    }
}
END_TEST

START_TEST(looks_like_rtcp)
{
    uint8_t rr[8] = {0x80, 201, 0x00, 0x01, 1, 2, 3, 4};
    ck_assert(rtcp_looks_like(rr, 8));
    ck_assert(!rtcp_looks_like(rr, 7));
    rr[3] = 2; /* claims 12 bytes */
    ck_assert(!rtcp_looks_like(rr, 8));
    rr[3] = 1;
    rr[1] = 0x00; /* RTP PCMU */
    ck_assert(!rtcp_looks_like(rr, 8));
    rr[1] = 207; /* XR */
    ck_assert(rtcp_looks_like(rr, 8));
    rr[0] = 0x40;
    ck_assert(!rtcp_looks_like(rr, 8));
    /* An RTP packet whose PT is 72-76 with the marker is what RTCP looks like. */
    rtp_hdr_t h;
    uint8_t sr[12] = {0x80, 200, 0x00, 0x02, 1, 2, 3, 4, 5, 6, 7, 8};
    ck_assert(rtcp_looks_like(sr, 12));
    ck_assert_int_eq(rtp_parse(sr, 12, &h), -1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("rtp_packet");
    TCase *tc = tcase_create("parse");
    tcase_add_test(tc, all_fields);
    tcase_add_test(tc, minimal);
    tcase_add_test(tc, rejects);
    tcase_add_test(tc, extension_empty);
    tcase_add_test(tc, truncation_every_byte);
    tcase_add_test(tc, looks_like_rtcp);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
