/* --kill-scanner's pure parts: the SIP response echoes the request's Via,
 * From, To (tagged), Call-ID and CSeq and nothing a header could smuggle
 * past a line end; the raw datagram's IPv4/IPv6 and UDP checksums verify;
 * the rate limits hold (10 per second overall, 3 per minute per
 * destination). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "sec_kill_limit.h"
#include "sec_reply.h"
#include "support.h"

static snb_str_t S(const char *s)
{
    return snb_str(s, strlen(s));
}

START_TEST(response_echoes_the_request)
{
    sec_reply_req_t req = {.via = {S("SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-1;rport"),
                                   S("SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK-0")},
                           .n_via = 2,
                           .from = S("\"sipvicious\"<sip:100@1.1.1.1>;tag=abc"),
                           .to = S("\"sipvicious\"<sip:100@1.1.1.1>\r\nX-Evil: 1"),
                           .call_id = S("12345"),
                           .cseq = S("1 OPTIONS")};
    char buf[1024];
    size_t n = sec_reply_sip(&req, 200, buf, sizeof buf);
    ck_assert_uint_eq(n, strlen(buf));
    ck_assert_str_eq(buf, "SIP/2.0 200 OK\r\n"
                          "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-1;rport\r\n"
                          "Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK-0\r\n"
                          "From: \"sipvicious\"<sip:100@1.1.1.1>;tag=abc\r\n"
                          "To: \"sipvicious\"<sip:100@1.1.1.1>;tag=sipnab\r\n"
                          "Call-ID: 12345\r\n"
                          "CSeq: 1 OPTIONS\r\n"
                          "Content-Length: 0\r\n\r\n");
    ck_assert_uint_eq(sec_reply_sip(&req, 404, buf, 40), 0); /* does not fit */
    req.n_via = 0;
    ck_assert_uint_eq(sec_reply_sip(&req, 200, buf, sizeof buf), 0); /* no Via */
}
END_TEST

static uint32_t sum16(const uint8_t *p, size_t len, uint32_t acc)
{
    for (size_t i = 0; i + 1 < len; i += 2)
        acc += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (len & 1) acc += (uint32_t)(p[len - 1] << 8);
    while (acc >> 16)
        acc = (acc & 0xffff) + (acc >> 16);
    return acc;
}

START_TEST(datagram_checksums_verify)
{
    const char *payload = "SIP/2.0 200 OK\r\n\r\n!"; /* odd length */
    size_t len = strlen(payload);
    uint8_t d[512];
    snb_addr_t a = snb_test_addr("198.51.100.1"), b = snb_test_addr("192.0.2.10");
    size_t n = sec_reply_datagram(&a, 5060, &b, 5070, payload, len, d, sizeof d);
    ck_assert_uint_eq(n, 20 + 8 + len);
    ck_assert_uint_eq(sum16(d, 20, 0), 0xffff); /* IPv4 header checksum */
    ck_assert_int_eq(d[9], 17);
    ck_assert_int_eq(memcmp(d + 12, a.a, 4), 0);
    ck_assert_int_eq(memcmp(d + 16, b.a, 4), 0);
    uint32_t pseudo = sum16(a.a, 4, 0) + sum16(b.a, 4, 0) + 17 + (uint32_t)(8 + len);
    ck_assert_uint_eq(sum16(d + 20, 8 + len, pseudo), 0xffff); /* UDP checksum */
    ck_assert_int_eq(d[20] << 8 | d[21], 5060);
    ck_assert_int_eq(d[22] << 8 | d[23], 5070);
    ck_assert_int_eq(memcmp(d + 28, payload, len), 0);

    snb_addr_t a6 = snb_test_addr("2001:db8::1"), b6 = snb_test_addr("2001:db8::66");
    n = sec_reply_datagram(&a6, 5060, &b6, 5060, payload, len, d, sizeof d);
    ck_assert_uint_eq(n, 40 + 8 + len);
    ck_assert_int_eq(d[0] >> 4, 6);
    ck_assert_int_eq(d[6], 17);
    pseudo = sum16(a6.a, 16, 0) + sum16(b6.a, 16, 0) + 17 + (uint32_t)(8 + len);
    ck_assert_uint_eq(sum16(d + 40, 8 + len, pseudo), 0xffff);
    /* Mixed families, unknown family, too small a buffer. */
    ck_assert_uint_eq(sec_reply_datagram(&a, 1, &b6, 1, payload, len, d, sizeof d), 0);
    snb_addr_t none = {0};
    ck_assert_uint_eq(sec_reply_datagram(&none, 1, &none, 1, payload, len, d, sizeof d), 0);
    ck_assert_uint_eq(sec_reply_datagram(&a, 1, &b, 1, payload, len, d, 30), 0);
}
END_TEST

START_TEST(rate_limits)
{
    snb_hash_key_t key;
    snb_hash_key_from_seed(&key, 3, 4);
    sec_kill_limit_t *l = sec_kill_limit_new(10, 3, 64, &key);
    ck_assert_ptr_nonnull(l);
    snb_addr_t one = snb_test_addr("192.0.2.1");
    uint64_t t = 1000000;
    /* 3 per minute to one destination. */
    int sent = 0;
    for (int i = 0; i < 100; i++)
        sent += sec_kill_limit_allow(l, &one, t + (uint64_t)i * 500000); /* 50 s */
    ck_assert_int_eq(sent, 3);
    ck_assert(sec_kill_limit_allow(l, &one, t + 61000000)); /* a new minute */
    /* 10 per second overall, across many destinations. */
    sent = 0;
    char ip[32];
    for (int i = 0; i < 1000; i++) {
        snprintf(ip, sizeof ip, "198.51.%d.%d", i / 250, i % 250);
        snb_addr_t a = snb_test_addr(ip);
        sent += sec_kill_limit_allow(l, &a, 200000000 + (uint64_t)i * 100); /* 0.1 s */
    }
    ck_assert_int_eq(sent, 10);
    sec_kill_limit_free(l);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("security_kill");
    TCase *tc = tcase_create("kill");
    tcase_add_test(tc, response_echoes_the_request);
    tcase_add_test(tc, datagram_checksums_verify);
    tcase_add_test(tc, rate_limits);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
