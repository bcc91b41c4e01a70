/* Dialog timing (PDD, setup, ring, trying delay, teardown) in capture time,
 * and the Wireshark-equivalent retransmission and setup-time rules. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "sip_dialog_testlib.h"
#include "sip_resend.h"

static sip_store_t *st;
static tl_call_t c;
static char sdp_a[512], sdp_b[512];

static void setup(void)
{
    sip_store_limits_t l = tl_limits();
    st = sip_store_new(&l);
    tl_init(&c, st, "timing-1@example.com");
    tl_sdp(sdp_a, sizeof sdp_a, "10.0.0.1", 4000, "sendrecv", "0 101");
    tl_sdp(sdp_b, sizeof sdp_b, "10.0.0.2", 5000, "sendrecv", "0 101");
}

static void teardown(void)
{
    sip_store_free(st);
}

#define US(x) (TL_T0 + (uint64_t)(x))

START_TEST(invite_timing)
{
    sip_dialog_t *d = tl_req(&c, US(0), SIDE_A, "INVITE", 1, NULL, sdp_a);
    tl_resp(&c, US(35500), SIDE_B, 100, "Trying", "INVITE", 1, NULL, NULL);
    tl_resp(&c, US(90000), SIDE_B, 100, "Trying", "INVITE", 1, NULL, NULL); /* not the first */
    strcpy(c.to_tag, "ttag1");
    tl_resp(&c, US(1234500), SIDE_B, 183, "Session Progress", "INVITE", 1, NULL, NULL);
    tl_resp(&c, US(2000000), SIDE_B, 180, "Ringing", "INVITE", 1, NULL, NULL); /* later one */
    tl_resp(&c, US(4000001), SIDE_B, 200, "OK", "INVITE", 1, NULL, sdp_b);
    tl_req(&c, US(4010000), SIDE_A, "ACK", 1, NULL, NULL);
    tl_req(&c, US(10000000), SIDE_A, "BYE", 2, NULL, NULL);
    tl_resp(&c, US(10042100), SIDE_B, 200, "OK", "BYE", 2, NULL, NULL);
    ck_assert_int_eq(d->timing.trying_delay_us, 35500);
    ck_assert_int_eq(d->timing.pdd_us, 1234500);
    ck_assert_int_eq(d->timing.setup_us, 4000001);
    ck_assert_int_eq(d->timing.ring_us, 4000001 - 1234500);
    ck_assert_int_eq(d->timing.teardown_us, 42100);
    ck_assert_uint_eq(d->timing.retransmits, 0);
}
END_TEST

START_TEST(timing_not_applicable)
{
    sip_dialog_t *d = tl_req(&c, US(0), SIDE_A, "INVITE", 1, NULL, sdp_a);
    strcpy(c.to_tag, "ttag1");
    tl_resp(&c, US(500000), SIDE_B, 180, "Ringing", "INVITE", 1, NULL, NULL);
    tl_resp(&c, US(900000), SIDE_B, 486, "Busy Here", "INVITE", 1, NULL, NULL);
    ck_assert_int_eq(d->timing.pdd_us, 500000);
    ck_assert_int_eq(d->timing.setup_us, -1);
    ck_assert_int_eq(d->timing.ring_us, -1);
    ck_assert_int_eq(d->timing.trying_delay_us, -1);
    ck_assert_int_eq(d->timing.teardown_us, -1);
    /* answered without ringing: no ring time, no PDD */
    tl_init(&c, st, "timing-2@example.com");
    d = tl_req(&c, US(0), SIDE_A, "INVITE", 1, NULL, sdp_a);
    strcpy(c.to_tag, "ttag1");
    tl_resp(&c, US(250000), SIDE_B, 200, "OK", "INVITE", 1, NULL, sdp_b);
    ck_assert_int_eq(d->timing.setup_us, 250000);
    ck_assert_int_eq(d->timing.pdd_us, -1);
    ck_assert_int_eq(d->timing.ring_us, -1);
    /* a non-INVITE dialog has none of them */
    tl_init(&c, st, "timing-3@example.com");
    d = tl_req(&c, US(0), SIDE_A, "OPTIONS", 1, NULL, NULL);
    tl_resp(&c, US(100), SIDE_B, 100, "Trying", "OPTIONS", 1, NULL, NULL);
    tl_resp(&c, US(200), SIDE_B, 200, "OK", "OPTIONS", 1, NULL, NULL);
    ck_assert_int_eq(d->timing.trying_delay_us, -1);
    ck_assert_int_eq(d->timing.setup_us, -1);
}
END_TEST

START_TEST(timing_from_answered_attempt)
{
    sip_dialog_t *d = tl_req(&c, US(0), SIDE_A, "INVITE", 1, NULL, sdp_a);
    strcpy(c.to_tag, "ttag0");
    tl_resp(&c, US(10000), SIDE_B, 407, "Proxy Authentication Required", "INVITE", 1, NULL, NULL);
    tl_req(&c, US(11000), SIDE_A, "ACK", 1, NULL, NULL);
    tl_req_initial(&c, US(100000), SIDE_A, "INVITE", 2, "Proxy-Authorization: Digest x\n", sdp_a);
    tl_resp(&c, US(120000), SIDE_B, 100, "Trying", "INVITE", 2, NULL, NULL);
    strcpy(c.to_tag, "ttag1");
    tl_resp(&c, US(300000), SIDE_B, 180, "Ringing", "INVITE", 2, NULL, NULL);
    tl_resp(&c, US(900000), SIDE_B, 200, "OK", "INVITE", 2, NULL, sdp_b);
    ck_assert_int_eq(d->timing.trying_delay_us, 20000);
    ck_assert_int_eq(d->timing.pdd_us, 200000);
    ck_assert_int_eq(d->timing.setup_us, 800000);
    ck_assert_int_eq(d->timing.ring_us, 600000);
}
END_TEST

START_TEST(retransmit_invite_and_200)
{
    sip_dialog_t *d = tl_req(&c, US(0), SIDE_A, "INVITE", 1, NULL, sdp_a);
    ck_assert(!c.last_rt);
    tl_req(&c, US(500000), SIDE_A, "INVITE", 1, NULL, sdp_a);
    ck_assert(c.last_rt);
    tl_req(&c, US(1500000), SIDE_A, "INVITE", 1, NULL, sdp_a);
    ck_assert(c.last_rt);
    tl_req(&c, US(3500000), SIDE_A, "INVITE", 1, NULL, sdp_a);
    ck_assert(c.last_rt);
    tl_resp(&c, US(3600000), SIDE_B, 100, "Trying", "INVITE", 1, NULL, NULL);
    ck_assert(!c.last_rt);
    tl_resp(&c, US(3700000), SIDE_B, 100, "Trying", "INVITE", 1, NULL, NULL);
    ck_assert(!c.last_rt); /* provisional responses are never counted */
    strcpy(c.to_tag, "ttag1");
    tl_resp(&c, US(4000000), SIDE_B, 200, "OK", "INVITE", 1, NULL, sdp_b);
    ck_assert(!c.last_rt);
    tl_resp(&c, US(4500000), SIDE_B, 200, "OK", "INVITE", 1, NULL, sdp_b);
    ck_assert(c.last_rt);
    tl_req(&c, US(4600000), SIDE_A, "ACK", 1, NULL, NULL);
    tl_req(&c, US(4700000), SIDE_A, "ACK", 1, NULL, NULL);
    ck_assert(!c.last_rt); /* ACK is never counted */
    ck_assert_uint_eq(d->timing.retransmits, 4);
    ck_assert_uint_eq(sip_store_stats(st)->retransmits, 4);
    ck_assert(!d->msgs[0].retransmit && d->msgs[1].retransmit && d->msgs[3].retransmit);
    ck_assert(!d->msgs[6].retransmit && d->msgs[7].retransmit);
    /* timing from the first copy; resent SDP is not a new timeline entry */
    ck_assert_int_eq(d->timing.setup_us, 4000000);
    ck_assert_uint_eq(d->n_sdp, 2);
    ck_assert_uint_eq(d->msg_count, 10);
}
END_TEST

START_TEST(retransmit_rule_edges)
{
    sip_dialog_t *d = tl_req(&c, US(0), SIDE_A, "INVITE", 1, NULL, sdp_a);
    strcpy(c.to_tag, "ttag1");
    tl_resp(&c, US(1000), SIDE_B, 180, "Ringing", "INVITE", 1, NULL, NULL);
    tl_resp(&c, US(2000), SIDE_B, 180, "Ringing", "INVITE", 1, NULL, NULL);
    ck_assert(!c.last_rt);
    tl_req_initial(&c, US(3000), SIDE_A, "CANCEL", 1, NULL, NULL);
    tl_req_initial(&c, US(4000), SIDE_A, "CANCEL", 1, NULL, NULL);
    ck_assert(!c.last_rt); /* CANCEL is never counted */
    /* ... but the INVITE after the CANCEL, same CSeq, is: the record kept
     * the INVITE method since the CSeq number did not change */
    tl_req(&c, US(4500), SIDE_A, "INVITE", 1, NULL, sdp_a);
    ck_assert(c.last_rt);
    tl_resp(&c, US(5000), SIDE_B, 487, "Request Terminated", "INVITE", 1, NULL, NULL);
    tl_resp(&c, US(6000), SIDE_B, 200, "OK", "CANCEL", 1, NULL, NULL);
    ck_assert(!c.last_rt); /* another final code */
    tl_resp(&c, US(7000), SIDE_B, 200, "OK", "CANCEL", 1, NULL, NULL);
    ck_assert(!c.last_rt); /* the record holds method INVITE: a CANCEL's 200 never matches */
    tl_resp(&c, US(8000), SIDE_B, 487, "Request Terminated", "INVITE", 1, NULL, NULL);
    ck_assert(!c.last_rt); /* the 200 replaced the last final code */
    tl_resp(&c, US(9000), SIDE_B, 487, "Request Terminated", "INVITE", 1, NULL, NULL);
    ck_assert(c.last_rt);
    ck_assert_uint_eq(d->timing.retransmits, 2);
}
END_TEST

START_TEST(retransmit_needs_udp_and_same_ports)
{
    c.transport = SIP_TRANSPORT_TCP;
    sip_dialog_t *d = tl_req(&c, US(0), SIDE_A, "OPTIONS", 1, NULL, NULL);
    tl_req(&c, US(500000), SIDE_A, "OPTIONS", 1, NULL, NULL);
    ck_assert(!c.last_rt); /* Wireshark only counts UDP */
    ck_assert_uint_eq(d->timing.retransmits, 0);
    /* same message from another source port: another key */
    sip_store_t *st2 =
        sip_store_new(&(sip_store_limits_t){.max_dialogs = 10, .max_messages = 10, .max_sdp = 10});
    const char *m = "OPTIONS sip:b@example.com SIP/2.0\n"
                    "Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1\n"
                    "From: <sip:a@example.com>;tag=1\n"
                    "To: <sip:b@example.com>\n"
                    "Call-ID: ports@example.com\n"
                    "CSeq: 5 OPTIONS\n"
                    "Content-Length: 0\n\n";
    static char wire[1024];
    size_t n = 0;
    for (const char *p = m; *p; p++) {
        if (*p == '\n') wire[n++] = '\r';
        wire[n++] = *p;
    }
    sip_msg_t msg;
    size_t used;
    ck_assert_int_eq(sip_msg_parse(wire, n, 0, &msg, &used), SIP_PARSE_OK);
    sip_msg_meta_t meta;
    bool rt;
    tl_meta(&meta, US(0), SIDE_A, SIP_TRANSPORT_UDP);
    sip_store_message(st2, &msg, &meta, &rt);
    meta.sport = 5070;
    meta.ts_us = US(500000);
    sip_store_message(st2, &msg, &meta, &rt);
    ck_assert(!rt);
    meta.ts_us = US(600000);
    sip_store_message(st2, &msg, &meta, &rt);
    ck_assert(rt);
    ck_assert_uint_eq(sip_store_stats(st2)->retransmits, 1);
    sip_store_free(st2);
}
END_TEST

START_TEST(ws_ms_formula)
{
    /* whole seconds * 1000 + sub-second difference truncated toward zero */
    ck_assert_uint_eq(sip_resend_ms(2000100, 1000600), 1000); /* 999.5 ms -> 1000 */
    ck_assert_uint_eq(sip_resend_ms(1999999, 1000000), 999);
    ck_assert_uint_eq(sip_resend_ms(1158700, 1000000), 158);
    ck_assert_uint_eq(sip_resend_ms(1000999, 1000000), 0);
    ck_assert_uint_eq(sip_resend_ms(5000000, 5000000), 0);
    ck_assert_uint_eq(sip_resend_ms(1027900, 300000), 728); /* 727.9 ms, not floored */
}
END_TEST

START_TEST(wireshark_setup_time)
{
    tl_req(&c, US(0), SIDE_A, "INVITE", 1, NULL, sdp_a);
    strcpy(c.to_tag, "ttag0");
    tl_resp(&c, US(100000), SIDE_B, 407, "Proxy Authentication Required", "INVITE", 1, NULL, NULL);
    tl_req(&c, US(158700), SIDE_A, "ACK", 1, NULL, NULL); /* sample 158 (challenge too) */
    tl_req_initial(&c, US(300000), SIDE_A, "INVITE", 2, NULL, sdp_a);
    strcpy(c.to_tag, "ttag1");
    tl_resp(&c, US(1000000), SIDE_B, 200, "OK", "INVITE", 2, NULL, sdp_b);
    /* 727.9 ms across a second boundary: 1000 + trunc(-272.1) = 728 */
    tl_req(&c, US(1027900), SIDE_A, "ACK", 2, NULL, NULL);
    /* a cancelled call: the ACK measures from the CANCEL */
    tl_init(&c, st, "timing-cancel@example.com");
    tl_req(&c, US(5000000), SIDE_A, "INVITE", 1, NULL, sdp_a);
    tl_req(&c, US(7000000), SIDE_A, "CANCEL", 1, NULL, NULL);
    strcpy(c.to_tag, "ttag1");
    tl_resp(&c, US(7050000), SIDE_B, 487, "Request Terminated", "INVITE", 1, NULL, NULL);
    tl_req(&c, US(7100000), SIDE_A, "ACK", 1, NULL, NULL); /* 100 */
    /* an ACK within the same millisecond is a 0 sample: skipped */
    tl_init(&c, st, "timing-fast@example.com");
    tl_req(&c, US(8000000), SIDE_A, "INVITE", 1, NULL, sdp_a);
    tl_resp(&c, US(8000200), SIDE_B, 488, "Not Acceptable Here", "INVITE", 1, NULL, NULL);
    tl_req(&c, US(8000400), SIDE_A, "ACK", 1, NULL, NULL);
    /* over TCP: none */
    tl_init(&c, st, "timing-tcp@example.com");
    c.transport = SIP_TRANSPORT_TCP;
    tl_req(&c, US(9000000), SIDE_A, "INVITE", 1, NULL, sdp_a);
    tl_resp(&c, US(9500000), SIDE_B, 200, "OK", "INVITE", 1, NULL, sdp_b);
    tl_req(&c, US(9600000), SIDE_A, "ACK", 1, NULL, NULL);
    uint32_t n, avg, mn, mx;
    sip_store_setup_stats(st, &n, &avg, &mn, &mx);
    ck_assert_uint_eq(n, 3);
    ck_assert_uint_eq(mn, 100);
    ck_assert_uint_eq(mx, 728);
    ck_assert_uint_eq(avg, (158 + 728 + 100) / 3);
}
END_TEST

START_TEST(setup_stats_empty)
{
    uint32_t n = 9, avg = 9, mn = 9, mx = 9;
    sip_store_setup_stats(st, &n, &avg, &mn, &mx);
    ck_assert_uint_eq(n, 0);
    ck_assert_uint_eq(avg, 0);
    ck_assert_uint_eq(mn, 0);
    ck_assert_uint_eq(mx, 0);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("sip_timing");
    TCase *tc = tcase_create("timing");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, invite_timing);
    tcase_add_test(tc, timing_not_applicable);
    tcase_add_test(tc, timing_from_answered_attempt);
    tcase_add_test(tc, retransmit_invite_and_200);
    tcase_add_test(tc, retransmit_rule_edges);
    tcase_add_test(tc, retransmit_needs_udp_and_same_ports);
    tcase_add_test(tc, ws_ms_formula);
    tcase_add_test(tc, wireshark_setup_time);
    tcase_add_test(tc, setup_stats_empty);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return snb_check_run(suite());
}
