/* rtp_calls: per-call media view from SIP message events. */
#include <check.h>

#include "check_run.h"
#include "rtp_calls.h"
#include "rtp_fax.h"
#include "rtp_testlib.h"

#define A "10.0.0.1"
#define B "10.0.0.2"

static char buf[4096];

/* A SIP message with an optional SDP body (media "audio PORT PTS", extra
 * a= lines in attrs). */
static const char *msg(const char *start, const char *from_tag, const char *to_tag,
                       const char *call_id, const char *cseq, const char *ip, unsigned port,
                       const char *pts, const char *attrs)
{
    char sdp[1024] = "";
    if (ip)
        snprintf(sdp, sizeof sdp,
                 "v=0\r\no=- 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\nm=audio %u RTP/AVP "
                 "%s\r\na=rtpmap:101 telephone-event/8000\r\n%s",
                 ip, ip, port, pts, attrs ? attrs : "");
    snprintf(buf, sizeof buf,
             "%s\r\nVia: SIP/2.0/UDP x;branch=z9hG4bK1\r\nFrom: <sip:a@x>;tag=%s\r\nTo: "
             "<sip:b@y>%s%s\r\nCall-ID: %s\r\nCSeq: %s\r\nContent-Length: %zu\r\n\r\n%s",
             start, from_tag, to_tag ? ";tag=" : "", to_tag ? to_tag : "", call_id, cseq,
             strlen(sdp), sdp);
    return buf;
}

static rtp_call_t *feed(rtp_calls_t *c, const char *text, uint64_t ts, bool from_a,
                        unsigned *new_eps)
{
    tl_msg_t m;
    tl_sip(&m, text, ts, from_a ? A : B, 5060, from_a ? B : A, 5060);
    return rtp_calls_sip(c, &m.ev, new_eps);
}

static void basic_call(rtp_calls_t *c, const char *id)
{
    unsigned n;
    feed(c, msg("INVITE sip:b@y SIP/2.0", "a1", NULL, id, "1 INVITE", A, 4000, "0 8 101", NULL),
         1000000, true, &n);
    ck_assert_uint_eq(n, 1);
    feed(c, msg("SIP/2.0 180 Ringing", "a1", "b1", id, "1 INVITE", NULL, 0, NULL, NULL), 1100000,
         false, &n);
    feed(c, msg("SIP/2.0 200 OK", "a1", "b1", id, "1 INVITE", B, 5000, "8 101", "a=ptime:30\r\n"),
         2000000, false, &n);
    ck_assert_uint_eq(n, 1);
    feed(c, msg("ACK sip:b@y SIP/2.0", "a1", "b1", id, "1 ACK", NULL, 0, NULL, NULL), 2100000, true,
         &n);
}

START_TEST(test_offer_answer_endpoints)
{
    rtp_calls_t *c = rtp_calls_new(16);
    basic_call(c, "call-1");
    rtp_call_t *k = rtp_calls_find(c, "call-1", 6);
    ck_assert_ptr_nonnull(k);
    ck_assert(k->answered);
    ck_assert_uint_eq(k->invite_us, 1000000);
    ck_assert_uint_eq(k->answered_us, 2000000);
    ck_assert_uint_eq(k->ended_us, 0);
    ck_assert_uint_eq(k->final_status, 200);
    ck_assert(k->offer_by_caller);
    ck_assert_str_eq(k->caller_tag, "a1");

    snb_addr_t a = snb_test_addr(A), b = snb_test_addr(B);
    const rtp_endpoint_t *ea = rtp_calls_lookup(c, &a, 4000);
    const rtp_endpoint_t *eb = rtp_calls_lookup(c, &b, 5000);
    ck_assert_ptr_nonnull(ea);
    ck_assert_ptr_nonnull(eb);
    ck_assert_ptr_eq(ea->call, k);
    ck_assert_uint_eq(ea->side, RTP_SIDE_OFFER);
    ck_assert_uint_eq(eb->side, RTP_SIDE_ANSWER);
    ck_assert_ptr_null(rtp_calls_lookup(c, &a, 4001)); /* RTCP port is not an endpoint */
    ck_assert_ptr_null(rtp_calls_lookup(c, &b, 4000));
    ck_assert_int_eq(ea->telephone_event_pt, 101);
    ck_assert_uint_eq(ea->n_formats, 3);
    ck_assert_uint_eq(eb->ptime, 30);
    ck_assert_uint_eq(ea->ptime, 0);
    ck_assert_uint_eq(ea->direction, RTP_DIR_SENDRECV);
    ck_assert(!ea->hold);
    const char *enc;
    uint32_t rate;
    ck_assert(rtp_endpoint_format(eb, 8, &enc, &rate));
    ck_assert_str_eq(enc, "PCMA");
    ck_assert_uint_eq(rate, 8000);
    ck_assert(rtp_endpoint_format(eb, 101, &enc, &rate));
    ck_assert_str_eq(enc, "telephone-event");
    ck_assert(!rtp_endpoint_format(eb, 0, &enc, &rate)); /* the answer dropped PCMU */
    ck_assert_ptr_eq(rtp_call_latest(k, RTP_SIDE_OFFER, false), ea);
    ck_assert_ptr_null(rtp_call_latest(k, RTP_SIDE_OFFER, true));

    unsigned n;
    feed(c, msg("BYE sip:b@y SIP/2.0", "a1", "b1", "call-1", "2 BYE", NULL, 0, NULL, NULL), 9000000,
         true, &n);
    ck_assert_uint_eq(k->ended_us, 9000000);
    ck_assert_uint_eq(rtp_calls_stats(c)->calls, 1);
    ck_assert_uint_eq(rtp_calls_stats(c)->endpoints, 2);
    rtp_calls_free(c);
}
END_TEST

/* The callee puts the caller on hold with a re-INVITE that also moves its
 * media, then resumes: the answer side gets the new endpoints (From tag is
 * the callee's), the old one stays findable, hold periods are recorded. */
START_TEST(test_reinvite_move_and_hold)
{
    rtp_calls_t *c = rtp_calls_new(16);
    basic_call(c, "call-2");
    rtp_call_t *k = rtp_calls_find(c, "call-2", 6);
    unsigned n;
    feed(c,
         msg("INVITE sip:a@x SIP/2.0", "b1", "a1", "call-2", "1 INVITE", B, 5002, "8 101",
             "a=sendonly\r\n"),
         5000000, false, &n);
    ck_assert_uint_eq(n, 1);
    feed(
        c,
        msg("SIP/2.0 200 OK", "b1", "a1", "call-2", "1 INVITE", A, 4000, "8 101", "a=recvonly\r\n"),
        5100000, true, &n);
    ck_assert_uint_eq(n, 0); /* same endpoint re-announced */
    snb_addr_t a = snb_test_addr(A), b = snb_test_addr(B);
    const rtp_endpoint_t *old = rtp_calls_lookup(c, &b, 5000);
    const rtp_endpoint_t *cur = rtp_calls_lookup(c, &b, 5002);
    ck_assert_ptr_nonnull(old);
    ck_assert_ptr_nonnull(cur);
    ck_assert_uint_eq(cur->side, RTP_SIDE_ANSWER);
    ck_assert(cur->hold);
    ck_assert_uint_eq(cur->direction, RTP_DIR_SENDONLY);
    ck_assert_ptr_eq(rtp_call_latest(k, RTP_SIDE_ANSWER, false), cur);
    ck_assert_uint_eq(rtp_calls_lookup(c, &a, 4000)->direction, RTP_DIR_RECVONLY);
    ck_assert_uint_eq(k->side[RTP_SIDE_ANSWER].n_holds, 1);
    ck_assert_uint_eq(k->side[RTP_SIDE_ANSWER].holds[0].start_us, 5000000);
    ck_assert_uint_eq(k->side[RTP_SIDE_ANSWER].holds[0].end_us, 0);
    ck_assert_uint_eq(k->side[RTP_SIDE_OFFER].n_holds, 0); /* recvonly is not hold */
    ck_assert(k->side[RTP_SIDE_OFFER].dir_seen & (1u << RTP_DIR_RECVONLY));
    /* resume */
    feed(c,
         msg("INVITE sip:a@x SIP/2.0", "b1", "a1", "call-2", "2 INVITE", B, 5002, "8 101",
             "a=sendrecv\r\n"),
         8000000, false, &n);
    ck_assert_uint_eq(k->side[RTP_SIDE_ANSWER].holds[0].end_us, 8000000);
    ck_assert(!rtp_calls_lookup(c, &b, 5002)->hold);
    ck_assert_uint_eq(k->answered_us, 2000000); /* a re-INVITE's 200 does not move it */
    /* the history is bounded: old endpoints fall out, the hash follows */
    for (unsigned i = 0; i < RTP_CALL_MAX_EPS + 2; i++)
        feed(c,
             msg("INVITE sip:a@x SIP/2.0", "b1", "a1", "call-2", "3 INVITE", B, 6000 + 2 * i, "8",
                 NULL),
             9000000 + i, false, &n);
    ck_assert_uint_eq(k->side[RTP_SIDE_ANSWER].n_eps, RTP_CALL_MAX_EPS);
    ck_assert_ptr_null(rtp_calls_lookup(c, &b, 5000));
    ck_assert_ptr_nonnull(rtp_calls_lookup(c, &b, 6000 + 2 * (RTP_CALL_MAX_EPS + 1)));
    rtp_calls_free(c);
}
END_TEST

START_TEST(test_zero_address_hold)
{
    rtp_calls_t *c = rtp_calls_new(4);
    basic_call(c, "call-3");
    unsigned n;
    feed(c,
         msg("INVITE sip:b@y SIP/2.0", "a1", "b1", "call-3", "2 INVITE", "0.0.0.0", 4000, "0 101",
             NULL),
         3000000, true, &n);
    ck_assert_uint_eq(n, 0); /* 0.0.0.0 is not an endpoint anyone sends from */
    rtp_call_t *k = rtp_calls_find(c, "call-3", 6);
    ck_assert_uint_eq(k->side[RTP_SIDE_OFFER].n_holds, 1);
    ck_assert(k->side[RTP_SIDE_OFFER].zero_addr_seen);
    ck_assert(rtp_call_latest(k, RTP_SIDE_OFFER, false)->hold);
    rtp_calls_free(c);
}
END_TEST

START_TEST(test_failure_and_retry)
{
    rtp_calls_t *c = rtp_calls_new(4);
    unsigned n;
    feed(c, msg("INVITE sip:b@y SIP/2.0", "a1", NULL, "f", "1 INVITE", A, 4000, "0", NULL), 100,
         true, &n);
    feed(c,
         msg("SIP/2.0 407 Proxy Authentication Required", "a1", "p", "f", "1 INVITE", NULL, 0, NULL,
             NULL),
         200, false, &n);
    rtp_call_t *k = rtp_calls_find(c, "f", 1);
    ck_assert_uint_eq(k->ended_us, 200);
    ck_assert_uint_eq(k->final_status, 407);
    feed(c, msg("INVITE sip:b@y SIP/2.0", "a1", NULL, "f", "2 INVITE", A, 4000, "0", NULL), 300,
         true, &n);
    ck_assert_uint_eq(k->ended_us, 0); /* retried with credentials */
    feed(c, msg("SIP/2.0 486 Busy Here", "a1", "b", "f", "2 INVITE", NULL, 0, NULL, NULL), 400,
         false, &n);
    ck_assert_uint_eq(k->ended_us, 400);
    ck_assert(!k->answered);
    ck_assert_uint_eq(k->final_status, 486);
    ck_assert_uint_eq(k->side[RTP_SIDE_OFFER].n_eps, 1);
    ck_assert_uint_eq(k->side[RTP_SIDE_OFFER].n_sdp, 2);
    rtp_calls_free(c);
}
END_TEST

/* INVITE without SDP: the offer is in the 200 (from the callee), the
 * answer in the ACK. The offer side is then the callee. */
START_TEST(test_delayed_offer)
{
    rtp_calls_t *c = rtp_calls_new(4);
    tl_msg_t m;
    tl_sip(&m, msg("INVITE sip:b@y SIP/2.0", "a1", NULL, "d", "1 INVITE", NULL, 0, NULL, NULL), 1,
           A, 5060, B, 5060);
    rtp_calls_sip(c, &m.ev, NULL);
    tl_sip(&m, msg("SIP/2.0 200 OK", "a1", "b1", "d", "1 INVITE", B, 5000, "0", NULL), 2, B, 5060,
           A, 5060);
    m.ev.sdp_role = SNB_SDP_OFFER;
    rtp_calls_sip(c, &m.ev, NULL);
    tl_sip(&m, msg("ACK sip:b@y SIP/2.0", "a1", "b1", "d", "1 ACK", A, 4000, "0", NULL), 3, A, 5060,
           B, 5060);
    rtp_call_t *k = rtp_calls_sip(c, &m.ev, NULL);
    ck_assert(!k->offer_by_caller);
    snb_addr_t a = snb_test_addr(A), b = snb_test_addr(B);
    ck_assert_uint_eq(rtp_calls_lookup(c, &b, 5000)->side, RTP_SIDE_OFFER);
    ck_assert_uint_eq(rtp_calls_lookup(c, &a, 4000)->side, RTP_SIDE_ANSWER);
    rtp_calls_free(c);
}
END_TEST

/* The same INVITE seen on both legs of a proxy, and retransmitted: one
 * endpoint, on the offer side. */
START_TEST(test_duplicates)
{
    rtp_calls_t *c = rtp_calls_new(4);
    const char *inv =
        msg("INVITE sip:b@y SIP/2.0", "a1", NULL, "p", "1 INVITE", A, 4000, "0", NULL);
    char copy[4096];
    snprintf(copy, sizeof copy, "%s", inv);
    tl_msg_t m;
    tl_sip(&m, copy, 1, A, 5060, "10.0.0.9", 5060);
    rtp_calls_sip(c, &m.ev, NULL);
    tl_sip(&m, copy, 2, "10.0.0.9", 5060, B, 5060);
    unsigned n = 9;
    rtp_call_t *k = rtp_calls_sip(c, &m.ev, &n);
    ck_assert_uint_eq(n, 0);
    ck_assert_uint_eq(k->side[RTP_SIDE_OFFER].n_eps, 1);
    ck_assert_uint_eq(k->side[RTP_SIDE_ANSWER].n_eps, 0);
    ck_assert_uint_eq(rtp_calls_stats(c)->endpoints, 1);
    rtp_calls_free(c);
}
END_TEST

/* Full table: the call that ended is evicted first, else the least
 * recently updated; its endpoints leave the index. */
START_TEST(test_eviction)
{
    rtp_calls_t *c = rtp_calls_new(2);
    unsigned n;
    feed(c, msg("INVITE sip:b@y SIP/2.0", "a1", NULL, "old-live", "1 INVITE", A, 4000, "0", NULL),
         1, true, &n);
    feed(c, msg("INVITE sip:b@y SIP/2.0", "a1", NULL, "ended", "1 INVITE", A, 4002, "0", NULL), 2,
         true, &n);
    feed(c, msg("SIP/2.0 486 Busy Here", "a1", "b", "ended", "1 INVITE", NULL, 0, NULL, NULL), 3,
         false, &n);
    feed(c, msg("INVITE sip:b@y SIP/2.0", "a1", NULL, "new1", "1 INVITE", A, 4004, "0", NULL), 4,
         true, &n);
    snb_addr_t a = snb_test_addr(A);
    ck_assert_ptr_null(rtp_calls_find(c, "ended", 5));
    ck_assert_ptr_nonnull(rtp_calls_find(c, "old-live", 8));
    ck_assert_ptr_null(rtp_calls_lookup(c, &a, 4002));
    ck_assert_uint_eq(rtp_calls_stats(c)->evicted, 1);
    ck_assert_uint_eq(rtp_calls_stats(c)->evicted_live, 0);
    feed(c, msg("INVITE sip:b@y SIP/2.0", "a1", NULL, "new2", "1 INVITE", A, 4006, "0", NULL), 5,
         true, &n);
    ck_assert_ptr_null(rtp_calls_find(c, "old-live", 8));
    ck_assert_ptr_nonnull(rtp_calls_find(c, "new1", 4));
    ck_assert_ptr_nonnull(rtp_calls_lookup(c, &a, 4006));
    ck_assert_uint_eq(rtp_calls_stats(c)->evicted, 2);
    ck_assert_uint_eq(rtp_calls_stats(c)->evicted_live, 1);
    uint32_t pos = 0;
    unsigned count = 0;
    while (rtp_calls_next(c, &pos))
        count++;
    ck_assert_uint_eq(count, 2);
    rtp_calls_free(c);
}
END_TEST

static void invite(rtp_calls_t *c, const char *id, uint64_t ts)
{
    feed(c, msg("INVITE sip:b@y SIP/2.0", "a1", NULL, id, "1 INVITE", NULL, 0, NULL, NULL), ts,
         true, NULL);
}

static void busy(rtp_calls_t *c, const char *id, uint64_t ts)
{
    feed(c, msg("SIP/2.0 486 Busy Here", "a1", "b", id, "1 INVITE", NULL, 0, NULL, NULL), ts, false,
         NULL);
}

/* The victim is the least recently updated live call (a message moves a
 * call to the back), and an ended call that is retried is live again. */
START_TEST(test_eviction_order_is_kept_without_a_scan)
{
    rtp_calls_t *c = rtp_calls_new(3);
    invite(c, "a", 1);
    invite(c, "b", 2);
    invite(c, "c", 3);
    feed(c, msg("SIP/2.0 180 Ringing", "a1", "b", "a", "1 INVITE", NULL, 0, NULL, NULL), 4, false,
         NULL); /* a is now the most recent */
    invite(c, "d", 5);
    ck_assert_ptr_null(rtp_calls_find(c, "b", 1));
    ck_assert_ptr_nonnull(rtp_calls_find(c, "a", 1));
    busy(c, "c", 6);   /* ended: first to go, although updated last */
    invite(c, "c", 7); /* retried (after a 401/407, say): live again */
    invite(c, "e", 8);
    ck_assert_ptr_null(rtp_calls_find(c, "a", 1)); /* the oldest live one went instead */
    ck_assert_ptr_nonnull(rtp_calls_find(c, "c", 1));
    ck_assert_uint_eq(rtp_calls_stats(c)->evicted_live, 2);
    rtp_calls_free(c);
}
END_TEST

/* Far beyond the cap, ended calls always go first and in the order they
 * ended: 20 000 calls through a 64-call table. */
START_TEST(test_many_evictions_follow_end_order)
{
    rtp_calls_t *c = rtp_calls_new(64);
    char id[32];
    uint64_t ts = 1;
    for (int i = 0; i < 20000; i++) {
        snprintf(id, sizeof id, "call-%d", i);
        invite(c, id, ts++);
        if (i % 2 == 0) busy(c, id, ts++); /* the even ones end at once */
    }
    /* An ended call is always evicted before a live one, so the table ends
     * with the 64 most recent live (odd) calls, call-19873 to call-19999. */
    ck_assert_uint_eq(rtp_calls_stats(c)->calls, 20000);
    ck_assert_uint_eq(rtp_calls_stats(c)->evicted, 20000 - 64);
    unsigned live = 0;
    uint32_t pos = 0;
    for (const rtp_call_t *k; (k = rtp_calls_next(c, &pos));)
        live += k->ended_us == 0;
    ck_assert_uint_eq(live, 64);
    ck_assert_ptr_nonnull(rtp_calls_find(c, "call-19999", 10));
    ck_assert_ptr_nonnull(rtp_calls_find(c, "call-19873", 10));
    ck_assert_ptr_null(rtp_calls_find(c, "call-19871", 10));
    ck_assert_ptr_null(rtp_calls_find(c, "call-19998", 10)); /* ended: gone first */
    rtp_calls_free(c);
}
END_TEST

START_TEST(test_linger_forgets_ended_calls)
{
    rtp_calls_t *c = rtp_calls_new(16);
    rtp_calls_set_linger(c, 60000000); /* 60 s */
    invite(c, "ends", 1000000);
    busy(c, "ends", 2000000);
    invite(c, "lives", 3000000);
    invite(c, "other", 61000000); /* 59 s after the end: still there */
    ck_assert_ptr_nonnull(rtp_calls_find(c, "ends", 4));
    invite(c, "later", 62000001); /* past 60 s */
    ck_assert_ptr_null(rtp_calls_find(c, "ends", 4));
    ck_assert_ptr_nonnull(rtp_calls_find(c, "lives", 5)); /* live calls never linger out */
    ck_assert_uint_eq(rtp_calls_stats(c)->forgotten, 1);
    ck_assert_uint_eq(rtp_calls_stats(c)->evicted, 0);
    rtp_calls_free(c);
}
END_TEST

/* A port re-used by a later call belongs to the later call. */
START_TEST(test_port_reuse)
{
    rtp_calls_t *c = rtp_calls_new(4);
    unsigned n;
    feed(c, msg("INVITE sip:b@y SIP/2.0", "a1", NULL, "first", "1 INVITE", A, 4000, "0", NULL), 1,
         true, &n);
    feed(c, msg("INVITE sip:b@y SIP/2.0", "a2", NULL, "second", "1 INVITE", A, 4000, "0", NULL), 2,
         true, &n);
    snb_addr_t a = snb_test_addr(A);
    ck_assert_str_eq(rtp_calls_lookup(c, &a, 4000)->call->call_id, "second");
    rtp_calls_free(c);
}
END_TEST

static bool udptl(rtp_calls_t *c, const char *src, uint16_t sport, const char *dst, uint16_t dport)
{
    snb_packet_t p;
    memset(&p, 0, sizeof p);
    p.transport = SNB_TRANSPORT_UDP;
    p.src = snb_test_addr(src);
    p.dst = snb_test_addr(dst);
    p.sport = sport;
    p.dport = dport;
    p.ts_us = 7000000;
    return rtp_fax_packet(c, &p);
}

/* T.38: the answer accepting m=image starts the fax phase, UDPTL counts by
 * sender, the answer back to audio ends it; a refused offer changes nothing. */
START_TEST(test_t38_fax_phase)
{
    rtp_calls_t *c = rtp_calls_new(16);
    basic_call(c, "fax-1");
    rtp_call_t *k = rtp_calls_find(c, "fax-1", 5);
    ck_assert(!udptl(c, A, 4000, B, 5000)); /* nobody faxing: not even looked up */
    /* B offers T.38, A refuses it (image port 0): still audio */
    feed(c,
         msg("INVITE sip:a@x SIP/2.0", "b1", "a1", "fax-1", "1 INVITE", B, 0, "0",
             "m=image 5000 udptl t38\r\n"),
         3000000, false, NULL);
    feed(c,
         msg("SIP/2.0 488 Not Acceptable Here", "b1", "a1", "fax-1", "1 INVITE", NULL, 0, NULL,
             NULL),
         3100000, true, NULL);
    ck_assert_uint_eq(k->fax.offered_us, 3000000);
    ck_assert(!k->fax.active);
    ck_assert_uint_eq(rtp_calls_faxing(c), 0);
    /* B offers again, A accepts */
    feed(c,
         msg("INVITE sip:a@x SIP/2.0", "b1", "a1", "fax-1", "2 INVITE", B, 0, "0",
             "m=image 5000 udptl t38\r\n"),
         4000000, false, NULL);
    feed(c,
         msg("SIP/2.0 200 OK", "b1", "a1", "fax-1", "2 INVITE", A, 0, "0",
             "m=image 4000 udptl t38\r\n"),
         4100000, true, NULL);
    ck_assert(k->fax.active);
    ck_assert_uint_eq(k->fax.switched_us, 4100000);
    ck_assert_uint_eq(rtp_calls_faxing(c), 1);
    snb_addr_t b = snb_test_addr(B);
    ck_assert(!rtp_calls_lookup(c, &b, 5000)->image); /* RTP association never sees T.38 */
    ck_assert(rtp_calls_lookup_image(c, &b, 5000)->image);
    ck_assert(udptl(c, A, 4000, B, 5000));
    ck_assert(udptl(c, A, 4000, B, 5000));
    ck_assert(udptl(c, B, 5000, A, 4000));
    ck_assert(!udptl(c, A, 4002, B, 5002)); /* another flow */
    ck_assert_uint_eq(k->fax.udptl[RTP_SIDE_OFFER], 2);
    ck_assert_uint_eq(k->fax.udptl[RTP_SIDE_ANSWER], 1);
    ck_assert_uint_eq(rtp_calls_stats(c)->udptl, 3);
    /* A goes back to audio */
    feed(c,
         msg("INVITE sip:b@y SIP/2.0", "a1", "b1", "fax-1", "3 INVITE", A, 4000, "0",
             "m=image 0 udptl t38\r\n"),
         8000000, true, NULL);
    ck_assert(k->fax.active); /* until the answer */
    feed(c,
         msg("SIP/2.0 200 OK", "a1", "b1", "fax-1", "3 INVITE", B, 5000, "0",
             "m=image 0 udptl t38\r\n"),
         8100000, false, NULL);
    ck_assert(!k->fax.active);
    ck_assert_uint_eq(k->fax.back_us, 8100000);
    ck_assert_uint_eq(k->fax.switches, 1);
    ck_assert_uint_eq(rtp_calls_faxing(c), 0);
    ck_assert(!udptl(c, A, 4000, B, 5000)); /* RTP again */
    rtp_calls_free(c);
}
END_TEST

START_TEST(test_no_call_id_ignored)
{
    rtp_calls_t *c = rtp_calls_new(4);
    tl_msg_t m;
    tl_sip(&m, "OPTIONS sip:x SIP/2.0\r\nCSeq: 1 OPTIONS\r\n\r\n", 1, A, 5060, B, 5060);
    ck_assert_ptr_null(rtp_calls_sip(c, &m.ev, NULL));
    ck_assert_uint_eq(rtp_calls_stats(c)->calls, 0);
    rtp_calls_free(c);
}
END_TEST

/* REGISTER, OPTIONS and SUBSCRIBE without SDP start no call (they never
 * carry media); an INVITE without SDP does, a MESSAGE with SDP does, and a
 * call that exists takes in-dialog OPTIONS like any message. */
START_TEST(test_only_media_dialogs_start_calls)
{
    rtp_calls_t *c = rtp_calls_new(16);
    const char *no_media[] = {"REGISTER sip:x SIP/2.0", "OPTIONS sip:b@y SIP/2.0",
                              "SUBSCRIBE sip:b@y SIP/2.0"};
    const char *cseq[] = {"1 REGISTER", "1 OPTIONS", "1 SUBSCRIBE"};
    for (int i = 0; i < 3; i++) {
        char id[16];
        snprintf(id, sizeof id, "nm-%d", i);
        ck_assert_ptr_null(feed(c, msg(no_media[i], "a1", NULL, id, cseq[i], NULL, 0, NULL, NULL),
                                1000000, true, NULL));
        ck_assert_ptr_null(feed(c,
                                msg("SIP/2.0 200 OK", "a1", "b1", id, cseq[i], NULL, 0, NULL, NULL),
                                1000100, false, NULL));
        ck_assert_ptr_null(rtp_calls_find(c, id, strlen(id)));
    }
    ck_assert_uint_eq(rtp_calls_stats(c)->calls, 0);

    rtp_call_t *k = feed(
        c, msg("INVITE sip:b@y SIP/2.0", "a1", NULL, "late-offer", "1 INVITE", NULL, 0, NULL, NULL),
        2000000, true, NULL);
    ck_assert_ptr_nonnull(k);
    ck_assert_uint_eq(k->invite_us, 2000000);
    unsigned n = 0;
    k = feed(
        c, msg("MESSAGE sip:b@y SIP/2.0", "m1", NULL, "with-sdp", "1 MESSAGE", A, 4000, "0", NULL),
        2100000, true, &n);
    ck_assert_ptr_nonnull(k);
    ck_assert_uint_eq(n, 1);
    k = feed(
        c,
        msg("OPTIONS sip:b@y SIP/2.0", "a1", "b1", "late-offer", "2 OPTIONS", NULL, 0, NULL, NULL),
        3000000, true, NULL);
    ck_assert_ptr_nonnull(k);
    ck_assert_uint_eq(k->last_us, 3000000);
    ck_assert_uint_eq(rtp_calls_stats(c)->calls, 2);
    rtp_calls_free(c);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("rtp_calls");
    TCase *tc = tcase_create("calls");
    tcase_add_test(tc, test_offer_answer_endpoints);
    tcase_add_test(tc, test_reinvite_move_and_hold);
    tcase_add_test(tc, test_zero_address_hold);
    tcase_add_test(tc, test_failure_and_retry);
    tcase_add_test(tc, test_delayed_offer);
    tcase_add_test(tc, test_duplicates);
    tcase_add_test(tc, test_eviction);
    tcase_add_test(tc, test_eviction_order_is_kept_without_a_scan);
    tcase_add_test(tc, test_many_evictions_follow_end_order);
    tcase_add_test(tc, test_linger_forgets_ended_calls);
    tcase_add_test(tc, test_port_reuse);
    tcase_add_test(tc, test_no_call_id_ignored);
    tcase_add_test(tc, test_only_media_dialogs_start_calls);
    tcase_add_test(tc, test_t38_fax_phase);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
