/* The security detector (snb_security_logic) on synthetic traffic: each rule
 * fires on its pattern and stays quiet on its benign look-alike, one alert
 * per source and type per interval, the source table stays within its cap
 * for a million sources, and the tool signatures, number rules and the
 * fail2ban line behave (no address injection through free text). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "sec_alert_fmt.h"
#include "sec_detect.h"
#include "sec_fingerprint.h"
#include "sec_number.h"
#include "sec_ua.h"
#include "sipnab/sip.h"
#include "support.h"

/* ---- a small harness: alerts collected by type and source ---- */

typedef struct alerts {
    int by_type[SNB_SEC_TYPE_COUNT];
    int total;
    snb_security_alert_t last;
} alerts_t;

static void collect(void *ud, const snb_security_alert_t *a)
{
    alerts_t *al = ud;
    al->by_type[a->type]++;
    al->total++;
    al->last = *a;
}

static sec_detect_t *detector(alerts_t *al, sec_ua_t *ua, uint32_t max_sources)
{
    sec_cfg_t cfg = SEC_CFG_DEFAULT;
    snb_hash_key_from_seed(&cfg.key, 1, 2);
    cfg.toll_prefixes = sec_default_toll_prefixes;
    while (sec_default_toll_prefixes[cfg.n_toll_prefixes])
        cfg.n_toll_prefixes++;
    cfg.ua = ua;
    cfg.on_alert = collect;
    cfg.ud = al;
    if (max_sources) cfg.max_sources = max_sources;
    sec_detect_t *d = sec_detect_new(&cfg);
    ck_assert_ptr_nonnull(d);
    return d;
}

#define SEC 1000000ULL

static snb_str_t S(const char *s)
{
    return s ? snb_str(s, strlen(s)) : SNB_STR_NULL;
}

static sec_msg_t request(uint64_t ts, const char *src, const char *dst, unsigned method,
                         const char *user, const char *call_id, uint32_t cseq)
{
    return (sec_msg_t){.ts_us = ts,
                       .src = snb_test_addr(src),
                       .dst = snb_test_addr(dst),
                       .sport = 5060,
                       .dport = 5060,
                       .is_request = true,
                       .method = (uint8_t)method,
                       .cseq_method = (uint8_t)method,
                       .cseq = cseq,
                       .call_id = S(call_id),
                       .target_user = S(user)};
}

static sec_msg_t response(const sec_msg_t *req, uint64_t ts, unsigned status)
{
    sec_msg_t r = *req;
    r.ts_us = ts;
    r.src = req->dst;
    r.dst = req->src;
    r.is_request = false;
    r.status = (uint16_t)status;
    r.user_agent = SNB_STR_NULL;
    r.has_credentials = false;
    r.has_to_tag = true;
    return r;
}

/* ---- scanners ---- */

START_TEST(user_agent_signatures)
{
    char err[256];
    sec_ua_t *ua = sec_ua_new(NULL, true, err, sizeof err);
    ck_assert_ptr_nonnull(ua);
    ck_assert(sec_ua_match(ua, "friendly-scanner", 16));
    ck_assert(sec_ua_match(ua, "SIPVicious 0.3", 14));
    ck_assert(sec_ua_match(ua, "sipsak 0.9.8.1", 14));
    ck_assert(!sec_ua_match(ua, "Zoiper rv2.10.18.2", 18));
    ck_assert(!sec_ua_match(ua, "Yealink SIP-T46S", 16));
    ck_assert(!sec_ua_match(ua, "", 0));
    sec_ua_free(ua);
    /* The operator's pattern adds to the list, or replaces it. */
    ua = sec_ua_new("^evil", true, err, sizeof err);
    ck_assert(sec_ua_match(ua, "EVIL phone", 10));
    ck_assert(sec_ua_match(ua, "friendly-scanner", 16));
    sec_ua_free(ua);
    ua = sec_ua_new("^evil", false, err, sizeof err);
    ck_assert(!sec_ua_match(ua, "friendly-scanner", 16));
    sec_ua_free(ua);
    ua = sec_ua_new(NULL, false, err, sizeof err);
    ck_assert(!sec_ua_match(ua, "friendly-scanner", 16));
    sec_ua_free(ua);
    /* A bad pattern: an error naming the flag and the offset in it. */
    ck_assert_ptr_null(sec_ua_new("ab(", true, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "--kill-ua"));
    ck_assert_ptr_nonnull(strstr(err, "offset 3"));
    /* Catastrophic backtracking hits the match limit: no match, quickly. */
    ua = sec_ua_new("^(a+)+$", false, err, sizeof err);
    ck_assert_ptr_nonnull(ua);
    char evil[200];
    memset(evil, 'a', sizeof evil);
    evil[sizeof evil - 1] = 'b';
    ck_assert(!sec_ua_match(ua, evil, sizeof evil));
    sec_ua_free(ua);
}
END_TEST

START_TEST(tool_user_agent_is_a_scanner_once_per_interval)
{
    alerts_t al = {0};
    char err[128];
    sec_ua_t *ua = sec_ua_new(NULL, true, err, sizeof err);
    sec_detect_t *d = detector(&al, ua, 0);
    for (int i = 0; i < 30; i++) {
        sec_msg_t m = request(SEC + (uint64_t)i * SEC, "192.0.2.1", "198.51.100.1", SNB_SIP_OPTIONS,
                              "100", "c1", (uint32_t)i + 1);
        m.user_agent = S("friendly-scanner");
        unsigned types = sec_detect_msg(d, &m);
        ck_assert_uint_eq(types, 1u << SNB_SEC_SCANNER);
    }
    ck_assert_int_eq(al.by_type[SNB_SEC_SCANNER], 1);
    ck_assert_int_eq(al.total, 1);
    ck_assert_str_eq(al.last.user_agent, "friendly-scanner");
    ck_assert_int_eq(al.last.severity, SNB_SEC_SEV_WARNING);
    /* After the interval (60 s), a second alert. */
    sec_msg_t m = request(90 * SEC, "192.0.2.1", "198.51.100.1", SNB_SIP_OPTIONS, "100", "c1", 99);
    m.user_agent = S("friendly-scanner");
    sec_detect_msg(d, &m);
    ck_assert_int_eq(al.by_type[SNB_SEC_SCANNER], 2);
    sec_detect_free(d);
    sec_ua_free(ua);
}
END_TEST

START_TEST(sipvicious_from_tag)
{
    /* svwar with a softphone's User-Agent: hex("480736748\x013096621600"). */
    ck_assert_str_eq(sec_fingerprint_from_tag(S("3438303733363734380133303936363231363030")),
                     "SIPVicious");
    ck_assert_str_eq(sec_fingerprint_from_tag(S("3766303030613031313363340132393434343931353539")),
                     "SIPVicious");
    /* Phones, SIPp, hex-looking tags without the separator. */
    ck_assert_ptr_null(sec_fingerprint_from_tag(S("9377bbb2e4")));
    ck_assert_ptr_null(sec_fingerprint_from_tag(S("4679SIPpTag1")));
    ck_assert_ptr_null(sec_fingerprint_from_tag(S("as6f1e0a3b")));
    ck_assert_ptr_null(sec_fingerprint_from_tag(S("0123456789abcdef0123")));
    ck_assert_ptr_null(sec_fingerprint_from_tag(S("3130013132ZZ")));
    ck_assert_ptr_null(sec_fingerprint_from_tag(SNB_STR_NULL));
    /* The detector raises a scanner alert on the first such request. */
    alerts_t al = {0};
    sec_detect_t *d = detector(&al, NULL, 0);
    sec_msg_t m = request(SEC, "192.0.2.32", "198.51.100.1", SNB_SIP_REGISTER, "100", "1904", 1);
    m.user_agent = S("Zoiper rv2.10.18.2");
    m.from_tag = S("3438303733363734380133303936363231363030");
    ck_assert_uint_eq(sec_detect_msg(d, &m), 1u << SNB_SEC_SCANNER);
    ck_assert_ptr_nonnull(strstr(al.last.reason, "SIPVicious"));
    sec_detect_free(d);
}
END_TEST

START_TEST(sweep_of_many_addresses)
{
    alerts_t al = {0};
    sec_detect_t *d = detector(&al, NULL, 0);
    char dst[32];
    /* svmap: 40 addresses, 4 answer; judged once it pauses. */
    for (int i = 1; i <= 40; i++) {
        snprintf(dst, sizeof dst, "198.51.100.%d", i);
        sec_msg_t m =
            request(SEC + (uint64_t)i * 5000, "192.0.2.9", dst, SNB_SIP_OPTIONS, "100", "sweep", 1);
        sec_detect_msg(d, &m);
        if (i % 10 == 0) {
            sec_msg_t r = response(&m, m.ts_us + 100, 200);
            sec_detect_msg(d, &r);
        }
    }
    ck_assert_int_eq(al.total, 0);
    sec_detect_flush(d);
    ck_assert_int_eq(al.by_type[SNB_SEC_SCANNER], 1);
    ck_assert_int_eq(al.total, 1); /* not an OPTIONS flood: it hits many hosts */
    ck_assert_uint_ge(al.last.distinct_hosts, 30);
    sec_detect_free(d);
}
END_TEST

/* A PBX qualifying its 40 phones every minute: they answer. */
START_TEST(server_pinging_its_phones_is_benign)
{
    alerts_t al = {0};
    sec_detect_t *d = detector(&al, NULL, 0);
    char dst[32];
    for (int round = 0; round < 3; round++)
        for (int i = 1; i <= 40; i++) {
            snprintf(dst, sizeof dst, "198.51.100.%d", i);
            sec_msg_t m = request(SEC + (uint64_t)round * 60 * SEC + (uint64_t)i * 5000,
                                  "192.0.2.1", dst, SNB_SIP_OPTIONS, NULL, dst, 1);
            sec_detect_msg(d, &m);
            if (i != 7) { /* one phone is off */
                sec_msg_t r = response(&m, m.ts_us + 20000, 200);
                sec_detect_msg(d, &r);
            }
        }
    sec_detect_flush(d);
    ck_assert_int_eq(al.total, 0);
    sec_detect_free(d);
}
END_TEST

/* svwar: one REGISTER per extension, 401 or 404, judged once it pauses. */
START_TEST(enumeration_judged_after_a_pause)
{
    alerts_t al = {0};
    sec_detect_t *d = detector(&al, NULL, 0);
    char user[16], cid[16];
    uint64_t t = SEC;
    for (int u = 100; u < 300; u++, t += 5000) {
        snprintf(user, sizeof user, "%d", u);
        snprintf(cid, sizeof cid, "e%d", u);
        sec_msg_t m = request(t, "192.0.2.20", "198.51.100.1", SNB_SIP_REGISTER, user, cid, 1);
        sec_detect_msg(d, &m);
        sec_msg_t r = response(&m, t + 100, u < 250 ? 401 : 404);
        sec_detect_msg(d, &r);
    }
    ck_assert_int_eq(al.total, 0); /* still running: could be a flood's first second */
    /* Any later message after the pause settles it. */
    sec_msg_t later =
        request(t + 3 * SEC, "192.0.2.77", "198.51.100.1", SNB_SIP_OPTIONS, NULL, "ka", 1);
    sec_detect_msg(d, &later);
    ck_assert_int_eq(al.by_type[SNB_SEC_SCANNER], 1);
    ck_assert_int_eq(al.total, 1); /* 200 REGISTER/s but to 200 users: not a flood */
    ck_assert_ptr_nonnull(strstr(al.last.reason, "enumeration"));
    sec_detect_free(d);
}
END_TEST

/* svwar over 5000 extensions at 200/s: still one request per user (the
 * distinct count does not saturate), so a scanner, never a REGISTER flood. */
START_TEST(long_enumeration_is_not_a_flood)
{
    alerts_t al = {0};
    sec_detect_t *d = detector(&al, NULL, 0);
    char user[16];
    for (int u = 0; u < 5000; u++) {
        snprintf(user, sizeof user, "%d", 1000 + u);
        sec_msg_t m = request(SEC + (uint64_t)u * 5000, "192.0.2.22", "198.51.100.1",
                              SNB_SIP_REGISTER, user, user, 1);
        sec_detect_msg(d, &m);
        sec_msg_t r = response(&m, m.ts_us + 100, 404);
        sec_detect_msg(d, &r);
    }
    sec_detect_flush(d);
    ck_assert_int_eq(al.by_type[SNB_SEC_REG_FLOOD], 0);
    ck_assert_int_eq(al.by_type[SNB_SEC_SCANNER], 1);
    ck_assert_uint_ge(al.last.distinct_targets, 4000);
    ck_assert_uint_le(al.last.distinct_targets, 6000);
    sec_detect_free(d);
}
END_TEST

START_TEST(enumeration_flushed_at_the_end)
{
    alerts_t al = {0};
    sec_detect_t *d = detector(&al, NULL, 0);
    char user[16];
    for (int u = 100; u < 150; u++) {
        snprintf(user, sizeof user, "%d", u);
        sec_msg_t m = request(SEC + (uint64_t)u * 10000, "192.0.2.21", "198.51.100.1",
                              SNB_SIP_OPTIONS, user, user, 1);
        sec_detect_msg(d, &m);
    }
    ck_assert_int_eq(al.total, 0);
    sec_detect_flush(d);
    ck_assert_int_eq(al.by_type[SNB_SEC_SCANNER], 1);
    sec_detect_free(d);
}
END_TEST

/* Fifty phones behind one NAT address register: many users, but each
 * authenticates and gets 200. Not a scanner. */
START_TEST(nat_with_many_phones_is_benign)
{
    alerts_t al = {0};
    sec_detect_t *d = detector(&al, NULL, 0);
    char user[16], cid[16];
    uint64_t t = SEC;
    for (int u = 0; u < 50; u++, t += 200000) {
        snprintf(user, sizeof user, "%d", 200 + u);
        snprintf(cid, sizeof cid, "nat%d", u);
        sec_msg_t m = request(t, "203.0.113.5", "198.51.100.1", SNB_SIP_REGISTER, user, cid, 1);
        sec_detect_msg(d, &m);
        sec_msg_t r = response(&m, t + 1000, 401);
        sec_detect_msg(d, &r);
        m.cseq = 2;
        m.has_credentials = true;
        m.ts_us = t + 2000;
        sec_detect_msg(d, &m);
        r = response(&m, t + 3000, 200);
        sec_detect_msg(d, &r);
    }
    sec_detect_flush(d);
    ck_assert_int_eq(al.total, 0);
    sec_detect_free(d);
}
END_TEST

/* ---- brute force ---- */

static void guess(sec_detect_t *d, uint64_t t, const char *src, int n, unsigned refusal)
{
    char cid[32];
    snprintf(cid, sizeof cid, "g%d-%s", n, src);
    sec_msg_t m = request(t, src, "198.51.100.1", SNB_SIP_REGISTER, "101", cid, 1);
    sec_detect_msg(d, &m);
    sec_msg_t r = response(&m, t + 100, 401);
    sec_detect_msg(d, &r);
    m.cseq = 2;
    m.has_credentials = true;
    m.ts_us = t + 200;
    sec_detect_msg(d, &m);
    r = response(&m, t + 300, refusal);
    sec_detect_msg(d, &r);
}

START_TEST(refused_credentials_are_bruteforce)
{
    alerts_t al = {0};
    sec_detect_t *d = detector(&al, NULL, 0);
    /* A user who mistypes twice. */
    guess(d, SEC, "192.0.2.50", 0, 403);
    guess(d, 10 * SEC, "192.0.2.50", 1, 403);
    ck_assert_int_eq(al.total, 0);
    /* A cracker: a guess every 100 ms, refused with 403 or a new 401. */
    for (int i = 0; i < 40; i++)
        guess(d, SEC + (uint64_t)i * 100000, "192.0.2.40", i, i % 2 ? 403 : 401);
    ck_assert_int_eq(al.by_type[SNB_SEC_BRUTEFORCE], 1);
    ck_assert_int_eq(al.total, 1);
    ck_assert_int_eq(al.last.severity, SNB_SEC_SEV_ERROR);
    ck_assert_uint_ge(al.last.responses[SNB_SEC_R_401], 10);
    sec_detect_free(d);
}
END_TEST

/* One account guessed from 30 addresses, two guesses each: no source
 * passes the per-source threshold, the account does. */
START_TEST(distributed_guessing_of_one_account)
{
    alerts_t al = {0};
    sec_detect_t *d = detector(&al, NULL, 0);
    char src[32];
    for (int i = 0; i < 60; i++) {
        snprintf(src, sizeof src, "203.0.113.%d", 1 + i % 30);
        char cid[32];
        snprintf(cid, sizeof cid, "d%d", i);
        sec_msg_t m = request(SEC + (uint64_t)i * 500000, src, "198.51.100.1", SNB_SIP_REGISTER,
                              "101", cid, 1);
        m.has_credentials = true;
        m.account = S("101");
        sec_detect_msg(d, &m);
        sec_msg_t r = response(&m, m.ts_us + 1000, 403);
        sec_detect_msg(d, &r);
    }
    /* From the 20th refusal on, each guessing address is reported once. */
    ck_assert_int_ge(al.by_type[SNB_SEC_BRUTEFORCE], 20);
    ck_assert_int_le(al.by_type[SNB_SEC_BRUTEFORCE], 30);
    ck_assert_ptr_nonnull(strstr(al.last.reason, "one account"));
    ck_assert_int_eq(al.total, al.by_type[SNB_SEC_BRUTEFORCE]);
    sec_detect_free(d);
    /* Two phones sharing a mistyped account, a retry a minute each: nothing. */
    alerts_t quiet = {0};
    d = detector(&quiet, NULL, 0);
    for (int i = 0; i < 60; i++) {
        char cid[32];
        snprintf(cid, sizeof cid, "q%d", i);
        sec_msg_t m = request(SEC + (uint64_t)i * 30 * SEC, i % 2 ? "203.0.113.1" : "203.0.113.2",
                              "198.51.100.1", SNB_SIP_REGISTER, "102", cid, 1);
        m.has_credentials = true;
        m.account = S("102");
        sec_detect_msg(d, &m);
        sec_msg_t r = response(&m, m.ts_us + 1000, 401);
        sec_detect_msg(d, &r);
    }
    ck_assert_int_eq(quiet.total, 0);
    sec_detect_free(d);
}
END_TEST

/* ---- floods ---- */

START_TEST(options_flood_and_keepalive)
{
    alerts_t al = {0};
    sec_detect_t *d = detector(&al, NULL, 0);
    /* A trunk's keepalive every 30 s for an hour. */
    for (int i = 0; i < 120; i++) {
        sec_msg_t m = request(SEC + (uint64_t)i * 30 * SEC, "192.0.2.60", "198.51.100.1",
                              SNB_SIP_OPTIONS, NULL, "ka", (uint32_t)i + 1);
        sec_detect_msg(d, &m);
    }
    ck_assert_int_eq(al.total, 0);
    /* 500 OPTIONS a second for 4 s: one alert. */
    for (int i = 0; i < 2000; i++) {
        sec_msg_t m = request(SEC + (uint64_t)i * 2000, "192.0.2.70", "198.51.100.1",
                              SNB_SIP_OPTIONS, "100", "flood", (uint32_t)i + 1);
        sec_detect_msg(d, &m);
    }
    ck_assert_int_eq(al.by_type[SNB_SEC_OPTIONS_FLOOD], 1);
    ck_assert_int_eq(al.total, 1);
    sec_detect_free(d);
}
END_TEST

/* SIPp cycling through 300 users at 300/s: the first second looks like an
 * enumeration, the repeats make it a flood. */
START_TEST(register_flood_cycling_users)
{
    alerts_t al = {0};
    sec_detect_t *d = detector(&al, NULL, 0);
    char user[16];
    for (int i = 0; i < 1500; i++) {
        snprintf(user, sizeof user, "%d", 100 + i % 300);
        sec_msg_t m = request(SEC + (uint64_t)i * 3333, "192.0.2.80", "198.51.100.1",
                              SNB_SIP_REGISTER, user, user, (uint32_t)i + 1);
        sec_detect_msg(d, &m);
        sec_msg_t r = response(&m, m.ts_us + 100, i % 300 < 250 ? 401 : 404);
        sec_detect_msg(d, &r);
    }
    sec_detect_flush(d);
    ck_assert_int_eq(al.by_type[SNB_SEC_REG_FLOOD], 1);
    ck_assert_int_eq(al.by_type[SNB_SEC_SCANNER], 0);
    sec_detect_free(d);
}
END_TEST

/* SIPp sending 400 INVITEs a second, each to a new number: with SDP these
 * are calls (a flood); without a body, one probe per number (svwar). */
START_TEST(invite_flood_to_new_numbers)
{
    for (int sdp = 0; sdp < 2; sdp++) {
        alerts_t al = {0};
        sec_detect_t *d = detector(&al, NULL, 0);
        char num[32];
        for (int i = 0; i < 1200; i++) {
            snprintf(num, sizeof num, "00447700%06d", i);
            sec_msg_t m = request(SEC + (uint64_t)i * 2500, "192.0.2.60", "198.51.100.1",
                                  SNB_SIP_INVITE, num, num, 1);
            m.has_sdp = sdp;
            sec_detect_msg(d, &m);
            sec_msg_t r = response(&m, m.ts_us + 100, 407);
            sec_detect_msg(d, &r);
        }
        sec_detect_flush(d);
        if (sdp) {
            ck_assert_int_eq(al.by_type[SNB_SEC_INVITE_FLOOD], 1);
        } else {
            ck_assert_int_eq(al.by_type[SNB_SEC_INVITE_FLOOD], 0);
            ck_assert_int_eq(al.by_type[SNB_SEC_SCANNER], 1);
        }
        sec_detect_free(d);
    }
}
END_TEST

/* ---- toll fraud and wangiri ---- */

static void call(sec_detect_t *d, uint64_t t, const char *src, const char *number, int n,
                 unsigned final, uint64_t cancel_after)
{
    char cid[32];
    snprintf(cid, sizeof cid, "call%d-%s", n, src);
    sec_msg_t m = request(t, src, "198.51.100.1", SNB_SIP_INVITE, number, cid, 1);
    sec_detect_msg(d, &m);
    sec_msg_t r = response(&m, t + 100000, 180);
    sec_detect_msg(d, &r);
    if (cancel_after) {
        sec_msg_t c =
            request(t + cancel_after, src, "198.51.100.1", SNB_SIP_CANCEL, number, cid, 1);
        c.has_to_tag = false;
        sec_detect_msg(d, &c);
        r = response(&m, t + cancel_after + 1000, 487);
    } else {
        r = response(&m, t + 500000, final);
    }
    sec_detect_msg(d, &r);
}

START_TEST(premium_calls_are_toll_fraud)
{
    alerts_t al = {0};
    sec_detect_t *d = detector(&al, NULL, 0);
    /* A call center dialling national numbers, answered: nothing. */
    char num[32];
    for (int i = 0; i < 45; i++) {
        snprintf(num, sizeof num, "0113496%04d", (i * 37) % 1000);
        call(d, SEC + (uint64_t)i * 700000, "192.0.2.90", num, i, i % 7 ? 200 : 486, 0);
    }
    ck_assert_int_eq(al.total, 0);
    /* Four answered premium calls: below the threshold; the fifth fires. */
    const char *premium[] = {"+88213480349", "0088216860230", "+5352242917", "+25261451310",
                             "+8816423995"};
    for (int i = 0; i < 4; i++)
        call(d, 100 * SEC + (uint64_t)i * SEC, "192.0.2.105", premium[i], i, 200, 0);
    ck_assert_int_eq(al.total, 0);
    call(d, 105 * SEC, "192.0.2.105", premium[4], 4, 200, 0);
    ck_assert_int_eq(al.by_type[SNB_SEC_TOLL_FRAUD], 1);
    ck_assert_int_eq(al.last.severity, SNB_SEC_SEV_ALERT);
    /* Unanswered premium attempts are not (yet) fraud. */
    for (int i = 0; i < 10; i++)
        call(d, 100 * SEC + (uint64_t)i * SEC, "192.0.2.106", premium[i % 5], i, 404, 0);
    ck_assert_int_eq(al.total, 1);
    sec_detect_free(d);
}
END_TEST

START_TEST(consecutive_numbers_are_toll_fraud)
{
    alerts_t al = {0};
    sec_detect_t *d = detector(&al, NULL, 0);
    char num[32];
    for (int i = 0; i < 6; i++) {
        snprintf(num, sizeof num, "+4420794600%02d", i);
        call(d, SEC + (uint64_t)i * SEC, "192.0.2.107", num, i, 200, 0);
    }
    ck_assert_int_eq(al.by_type[SNB_SEC_TOLL_FRAUD], 1);
    /* Extensions in a row (svwar's INVITE scan) are too short to count. */
    for (int i = 0; i < 20; i++) {
        snprintf(num, sizeof num, "%d", 100 + i);
        call(d, SEC + (uint64_t)i * SEC, "192.0.2.108", num, i, 200, 0);
    }
    ck_assert_int_eq(al.total, 1);
    sec_detect_free(d);
}
END_TEST

START_TEST(one_ring_calls_are_wangiri)
{
    alerts_t al = {0};
    sec_detect_t *d = detector(&al, NULL, 0);
    char num[32];
    /* Calls cancelled after 15 s of ringing (nobody answered): benign. */
    for (int i = 0; i < 20; i++) {
        snprintf(num, sizeof num, "01614960%03d", i * 7);
        call(d, SEC + (uint64_t)i * 2 * SEC, "192.0.2.110", num, i, 0, 15 * SEC);
    }
    ck_assert_int_eq(al.total, 0);
    for (int i = 0; i < 60; i++) {
        snprintf(num, sizeof num, "+4420794601%02d", (i * 13) % 100);
        call(d, SEC + (uint64_t)i * 125000, "192.0.2.111", num, i, 0, 1500000);
    }
    ck_assert_int_eq(al.by_type[SNB_SEC_WANGIRI], 1);
    ck_assert_int_eq(al.total, 1);
    sec_detect_free(d);
}
END_TEST

/* ---- bounds ---- */

START_TEST(a_million_sources_stay_within_the_cap)
{
    alerts_t al = {0};
    sec_detect_t *d = detector(&al, NULL, 4096);
    size_t memory = sec_detect_memory(d);
    for (uint32_t i = 0; i < 1000000; i++) {
        sec_msg_t m = request(SEC + i, "10.0.0.1", "198.51.100.1", SNB_SIP_OPTIONS, "100", "x", 1);
        m.src.a[1] = (uint8_t)(i >> 16);
        m.src.a[2] = (uint8_t)(i >> 8);
        m.src.a[3] = (uint8_t)i;
        sec_detect_msg(d, &m);
    }
    const sec_stats_t *s = sec_detect_stats(d);
    ck_assert_uint_eq(s->sources, 4096);
    ck_assert_uint_eq(s->sources_seen, 1000000);
    ck_assert_uint_eq(s->evicted, 1000000 - 4096);
    ck_assert_uint_eq(sec_detect_memory(d), memory);
    ck_assert_int_eq(al.total, 0);
    /* An evicted source is new again; a held one is still known. */
    sec_detect_free(d);
}
END_TEST

START_TEST(hostile_fields_are_harmless)
{
    alerts_t al = {0};
    char err[128];
    sec_ua_t *ua = sec_ua_new(NULL, true, err, sizeof err);
    sec_detect_t *d = detector(&al, ua, 16);
    char big[5000];
    memset(big, 'A', sizeof big);
    memcpy(big, "friendly-scanner\r\n\x01", 19);
    sec_msg_t m = request(SEC, "192.0.2.1", "198.51.100.1", SNB_SIP_INVITE, NULL, NULL, 0);
    m.user_agent = snb_str(big, sizeof big);
    m.target_user = snb_str(big, sizeof big);
    m.call_id = snb_str(big, sizeof big);
    sec_detect_msg(d, &m);
    ck_assert_int_eq(al.total, 1);
    for (const char *p = al.last.user_agent; *p; p++)
        ck_assert(*p >= 0x20 && *p < 0x7f);
    /* A source with no address family is ignored. */
    m.src.family = 0;
    ck_assert_uint_eq(sec_detect_msg(d, &m), 0);
    ck_assert_uint_eq(sec_detect_msg(d, NULL), 0);
    sec_detect_free(d);
    sec_ua_free(ua);
}
END_TEST

/* ---- numbers and formats ---- */

START_TEST(numbers)
{
    char digits[24];
    ck_assert(sec_number_international("+882134803493", 13, digits, sizeof digits));
    ck_assert_str_eq(digits, "882134803493");
    ck_assert(sec_number_international("00252-614-225", 13, digits, sizeof digits));
    ck_assert_str_eq(digits, "252614225");
    ck_assert(!sec_number_international("02079460321", 11, digits, sizeof digits));
    ck_assert(!sec_number_international("alice", 5, digits, sizeof digits));
    const char *list[] = {"+882", "0053", "252"};
    ck_assert(sec_number_premium("882134803493", list, 3));
    ck_assert(sec_number_premium("5352242917", list, 3));
    ck_assert(sec_number_premium("252614225", list, 3));
    ck_assert(!sec_number_premium("442079460321", list, 3));
    uint64_t v;
    ck_assert(sec_number_value("+252901234500", 13, &v));
    ck_assert_uint_eq(v, 252901234500ULL);
    ck_assert(!sec_number_value("100", 3, &v));
    ck_assert(!sec_number_value("12345678901234567890", 20, &v));
    ck_assert(!sec_number_value("12345x78", 8, &v));
}
END_TEST

START_TEST(fail2ban_line)
{
    snb_security_alert_t a;
    memset(&a, 0, sizeof a);
    a.type = SNB_SEC_REG_FLOOD;
    a.severity = SNB_SEC_SEV_WARNING;
    a.src = snb_test_addr("192.0.2.66");
    a.dst = snb_test_addr("198.51.100.1");
    a.dport = 5060;
    a.ts_us = 1764653815000000ULL; /* 2025-12-02 05:36:55 UTC */
    a.requests = 502;
    snprintf(a.reason, sizeof a.reason, "User-Agent x\" from=8.8.8.8");
    char line[512];
    size_t n = sec_alert_fail2ban(&a, line, sizeof line);
    ck_assert_uint_eq(n, strlen(line));
    ck_assert_str_eq(line, "2025-12-02 05:36:55 sipnab REG_FLOOD type=reg_flood severity=warning "
                           "requests=502 hosts=0 users=0 to=198.51.100.1:5060 "
                           "reason=\"User-Agent x_ from_8.8.8.8\" from=192.0.2.66\n");
    /* IPv6 sources too. */
    a.src = snb_test_addr("2001:db8::66");
    sec_alert_fail2ban(&a, line, sizeof line);
    ck_assert_ptr_nonnull(strstr(line, " from=2001:db8::66\n"));
    json_t *o = sec_alert_json(&a);
    ck_assert_str_eq(json_string_value(json_object_get(o, "type")), "reg_flood");
    ck_assert_str_eq(json_string_value(json_object_get(o, "source")), "2001:db8::66");
    json_decref(o);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("security");
    TCase *tc = tcase_create("detector");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, user_agent_signatures);
    tcase_add_test(tc, tool_user_agent_is_a_scanner_once_per_interval);
    tcase_add_test(tc, sipvicious_from_tag);
    tcase_add_test(tc, sweep_of_many_addresses);
    tcase_add_test(tc, server_pinging_its_phones_is_benign);
    tcase_add_test(tc, enumeration_judged_after_a_pause);
    tcase_add_test(tc, enumeration_flushed_at_the_end);
    tcase_add_test(tc, long_enumeration_is_not_a_flood);
    tcase_add_test(tc, nat_with_many_phones_is_benign);
    tcase_add_test(tc, refused_credentials_are_bruteforce);
    tcase_add_test(tc, distributed_guessing_of_one_account);
    tcase_add_test(tc, options_flood_and_keepalive);
    tcase_add_test(tc, register_flood_cycling_users);
    tcase_add_test(tc, invite_flood_to_new_numbers);
    tcase_add_test(tc, premium_calls_are_toll_fraud);
    tcase_add_test(tc, consecutive_numbers_are_toll_fraud);
    tcase_add_test(tc, one_ring_calls_are_wangiri);
    tcase_add_test(tc, a_million_sources_stay_within_the_cap);
    tcase_add_test(tc, hostile_fields_are_harmless);
    tcase_add_test(tc, numbers);
    tcase_add_test(tc, fail2ban_line);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return snb_check_run(suite());
}
