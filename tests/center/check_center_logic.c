/* sipnab-center's pure logic: routing, request validation (criteria gate,
 * types, sizes, unknown fields), SSE framing, tar/pcap writing, the
 * retention arithmetic, tokens. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "retention.h"
#include "route.h"
#include "sse.h"
#include "tarpcap.h"
#include "token.h"
#include "validate.h"

#define SID "d8e3a6b8f0c24c7a93fb"

START_TEST(routes)
{
    route_t r;
    route_match("GET", "/api/sessions", &r);
    ck_assert_int_eq(r.id, R_SESSIONS_LIST);
    ck_assert_int_eq(r.auth, AUTH_OPERATOR);
    route_match("POST", "/api/sessions", &r);
    ck_assert_int_eq(r.id, R_SESSIONS_CREATE);
    route_match("GET", "/api/sessions/" SID, &r);
    ck_assert_int_eq(r.id, R_SESSION_GET);
    ck_assert_str_eq(r.param, SID);
    route_match("DELETE", "/api/sessions/" SID, &r);
    ck_assert_int_eq(r.id, R_SESSION_DELETE);
    route_match("GET", "/api/sessions/" SID "/events", &r);
    ck_assert_int_eq(r.id, R_SESSION_EVENTS);
    route_match("GET", "/api/sessions/" SID "/stream", &r);
    ck_assert_int_eq(r.id, R_SESSION_STREAM);
    route_match("POST", "/api/sessions/" SID "/share", &r);
    ck_assert_int_eq(r.id, R_SESSION_SHARE);
    route_match("DELETE", "/api/sessions/" SID "/share", &r);
    ck_assert_int_eq(r.id, R_SESSION_UNSHARE);
    route_match("GET", "/api/sessions/" SID "/export.tar", &r);
    ck_assert_int_eq(r.id, R_SESSION_EXPORT);
    char share[128];
    snprintf(share, sizeof share, "/api/share/%064d/events", 7);
    route_match("GET", share, &r);
    ck_assert_int_eq(r.id, R_SHARE_EVENTS);
    ck_assert_int_eq(r.auth, AUTH_SHARE);
    ck_assert_uint_eq(strlen(r.param), 64);
    route_match("POST", share, &r); /* share views are read-only */
    ck_assert_int_eq(r.status, 405);
    ck_assert_str_eq(r.allow, "GET");
    route_match("GET", "/api/agents", &r);
    ck_assert_int_eq(r.id, R_AGENTS_LIST);
    route_match("POST", "/api/agents", &r);
    ck_assert_int_eq(r.id, R_AGENTS_UPSERT);
    route_match("POST", "/api/ingest", &r);
    ck_assert_int_eq(r.id, R_INGEST);
    ck_assert_int_eq(r.auth, AUTH_COLLECTOR);
    route_match("POST", "/api/ingest/register", &r);
    ck_assert_int_eq(r.id, R_INGEST_REGISTER);
    ck_assert_int_eq(r.auth, AUTH_COLLECTOR);
    route_match("GET", "/api/ingest", &r);
    ck_assert_int_eq(r.status, 405);
    ck_assert_str_eq(r.allow, "POST");
    /* ids are exactly 20 lowercase hex digits */
    route_match("GET", "/api/sessions/D8E3A6B8F0C24C7A93FB", &r);
    ck_assert_int_eq(r.status, 404);
    route_match("GET", "/api/sessions/" SID "0", &r);
    ck_assert_int_eq(r.status, 404);
    route_match("GET", "/api/sessions/" SID "/nope", &r);
    ck_assert_int_eq(r.status, 404);
    route_match("GET", "/api/sessions/../agents", &r);
    ck_assert_int_eq(r.status, 404);
    route_match("GET", "/", &r);
    ck_assert_int_eq(r.status, 404);
    route_match(NULL, NULL, &r);
    ck_assert_int_eq(r.status, 404);
}
END_TEST

static int session(const char *body, session_req_t *r, char *err)
{
    return validate_session(body, strlen(body), 3600, 86400, r, err, 256);
}

START_TEST(session_gate)
{
    session_req_t r;
    char err[256];
    ck_assert_int_eq(session("{\"label\":\"customer DID test\",\"duration_seconds\":3600,"
                             "\"criteria\":{\"from\":\"15554430191\",\"to\":\"15558672044\","
                             "\"method\":\"INVITE\"},\"capture_rtp\":false,\"capture_pcap\":true,"
                             "\"agent_ids\":[12,18,29]}",
                             &r, err),
                     0);
    ck_assert_str_eq(r.label, "customer DID test");
    ck_assert_int_eq(r.duration_s, 3600);
    ck_assert(r.capture_pcap && !r.capture_rtp);
    ck_assert_uint_eq(r.n_agent_ids, 3);
    ck_assert_int_eq(r.agent_ids[2], 29);
    ck_assert_ptr_nonnull(strstr(r.criteria_json, "\"from\":\"15554430191\""));
    session_req_free(&r);

    ck_assert_int_eq(
        session("{\"criteria\":{\"text\":\"x.example\"},\"agent_tags\":\"edge,fra\"}", &r, err), 0);
    ck_assert_int_eq(r.duration_s, 3600); /* the default */
    ck_assert_uint_eq(r.n_tags, 2);
    ck_assert_str_eq(r.tags[1], "fra");
    session_req_free(&r);

    /* refusals, each with a reason */
    ck_assert_int_eq(session("{\"label\":\"x\"}", &r, err), -1);
    ck_assert_ptr_nonnull(strstr(err, "at least one of"));
    ck_assert_int_eq(session("{\"criteria\":{}}", &r, err), -1);
    ck_assert_int_eq(session("{\"criteria\":{\"method\":\"INVITE\"}}", &r, err), -1);
    ck_assert_ptr_nonnull(strstr(err, "method"));
    ck_assert_int_eq(session("{\"criteria\":{\"from\":\"1\"},\"duration_seconds\":86401}", &r, err),
                     -1);
    ck_assert_ptr_nonnull(strstr(err, "86400"));
    ck_assert_int_eq(session("{\"criteria\":{\"from\":\"1\"},\"duration_seconds\":0}", &r, err),
                     -1);
    ck_assert_int_eq(
        session("{\"criteria\":{\"from\":\"1\"},\"duration_seconds\":\"60\"}", &r, err), -1);
    ck_assert_int_eq(session("{\"criteria\":{\"provider_ip\":\"300.1.1.1\"}}", &r, err), -1);
    ck_assert_int_eq(session("{\"criteria\":{\"from\":\"1\"},\"colour\":1}", &r, err), -1);
    ck_assert_ptr_nonnull(strstr(err, "colour"));
    ck_assert_int_eq(session("{\"criteria\":{\"from\":\"1\"},\"agent_ids\":[\"a\"]}", &r, err), -1);
    ck_assert_int_eq(session("{\"criteria\":{\"from\":\"1\"},\"capture_rtp\":1}", &r, err), -1);
    ck_assert_int_eq(session("{\"criteria\":{\"from\":\"1\"},\"label\":\"a\\nb\"}", &r, err), -1);
    ck_assert_int_eq(session("[1]", &r, err), -1);
    ck_assert_int_eq(session("{\"criteria\":", &r, err), -1);
    ck_assert_ptr_nonnull(strstr(err, "bad JSON"));
    ck_assert_int_eq(
        session("{\"criteria\":{\"from\":\"1\"},\"criteria\":{\"from\":\"2\"}}", &r, err),
        -1); /* duplicate keys */
    ck_assert_int_eq(validate_session("", 0, 3600, 86400, &r, err, sizeof err), -1);
}
END_TEST

START_TEST(agents)
{
    agent_req_t a;
    char err[256];
    const char *ok = "{\"name\":\"edge-1\",\"url\":\"http://127.0.0.1:9071\",\"token\":\"t0k\","
                     "\"enabled\":true,\"tags\":\"edge, kamailio,fra\"}";
    ck_assert_int_eq(validate_agent(ok, strlen(ok), false, &a, err, sizeof err), 0);
    ck_assert_str_eq(a.in.name, "edge-1");
    ck_assert_str_eq(a.in.command_token, "t0k");
    ck_assert_int_eq(a.in.enabled, 1);
    ck_assert_str_eq(a.in.tags, "edge,kamailio,fra");
    agent_req_free(&a);
    const char *reg = "{\"name\":\"edge-1\",\"url\":\"http://127.0.0.1:9071\",\"tags\":[\"a\"],"
                      "\"command_token\":\"c\",\"version\":\"sipnab 0.1\"}";
    ck_assert_int_eq(validate_agent(reg, strlen(reg), true, &a, err, sizeof err), 0);
    ck_assert_int_eq(a.in.enabled, -1);
    agent_req_free(&a);
    /* an agent cannot enable itself */
    const char *self = "{\"name\":\"e\",\"enabled\":true}";
    ck_assert_int_eq(validate_agent(self, strlen(self), true, &a, err, sizeof err), -1);
    const char *bad[] = {"{\"name\":\"a b\"}",
                         "{\"name\":\"\"}",
                         "{\"url\":\"http://x\"}",
                         "{\"name\":\"a\",\"url\":\"file:///etc/passwd\"}",
                         "{\"name\":\"a\",\"tags\":\"a;b\"}",
                         "{\"name\":\"a\",\"enabled\":\"yes\"}",
                         "{\"name\":\"a\",\"token\":\"a b\"}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(validate_agent(bad[i], strlen(bad[i]), false, &a, err, sizeof err) == -1,
                      "%s accepted", bad[i]);
}
END_TEST

START_TEST(ingest)
{
    ingest_batch_t b;
    char err[256];
    const char *ok =
        "{\"agent\":\"edge-1\",\"events\":[{\"session\":\"" SID "\",\"seq\":41,"
        "\"ts_us\":1781990000123456,\"type\":\"sip\",\"call_id\":\"c@x\",\"data\":\"INVITE\","
        "\"packet\":{\"linktype\":1,\"ts_us\":1781990000123456,\"orig_len\":912,"
        "\"data_b64\":\"AAECAw==\"}},{\"session\":\"" SID "\",\"seq\":42,\"ts_us\":1,"
        "\"type\":\"rtp\",\"sample\":false,\"packet\":{\"linktype\":1,\"data_b64\":\"qg\"}},"
        "{\"session\":\"" SID "\",\"seq\":43,\"ts_us\":2,\"type\":\"log\",\"file\":\"/f\","
        "\"line\":\"x\"}]}";
    ck_assert_int_eq(validate_ingest(ok, strlen(ok), 100, &b, err, sizeof err), 0);
    ck_assert_str_eq(b.agent, "edge-1");
    ck_assert_uint_eq(b.n, 3);
    ck_assert_int_eq(b.ev[0].seq, 41);
    ck_assert(b.ev[0].listed && b.ev[0].has_packet);
    ck_assert_uint_eq(b.ev[0].data_len, 4);
    ck_assert_int_eq(b.ev[0].data[3], 3);
    ck_assert_int_eq(b.ev[0].orig_len, 912);
    ck_assert(!b.ev[1].listed);
    ck_assert_uint_eq(b.ev[1].data_len, 1);
    ck_assert_int_eq(b.ev[1].data[0], 0xaa);
    ck_assert_int_eq(b.ev[1].pkt_ts_us, 1); /* the event's time when the packet has none */
    ck_assert_ptr_nonnull(strstr(b.ev[0].body, "\"call_id\":\"c@x\""));
    ck_assert_ptr_null(strstr(b.ev[0].body, "data_b64"));
    ck_assert_str_eq(b.ev[2].type, "log");
    ingest_batch_free(&b);

    const char *bad[] = {
        "{\"events\":[]}",
        "{\"agent\":\"a\"}",
        "{\"agent\":\"a\",\"events\":{}}",
        "{\"agent\":\"a\",\"events\":[1]}",
        "{\"agent\":\"a\",\"events\":[{\"session\":\"x\",\"seq\":1,\"ts_us\":1,\"type\":\"sip\"}]}",
        "{\"agent\":\"a\",\"events\":[{\"session\":\"" SID
        "\",\"seq\":0,\"ts_us\":1,\"type\":\"sip\"}]}",
        "{\"agent\":\"a\",\"events\":[{\"session\":\"" SID
        "\",\"seq\":1,\"ts_us\":1,\"type\":\"x\"}]}",
        "{\"agent\":\"a\",\"events\":[{\"session\":\"" SID
        "\",\"seq\":1,\"ts_us\":1,\"type\":\"sip\",\"evil\":1}]}",
        "{\"agent\":\"a\",\"events\":[{\"session\":\"" SID
        "\",\"seq\":1,\"ts_us\":1,\"type\":\"sip\",\"status\":\"200\"}]}",
        "{\"agent\":\"a\",\"events\":[{\"session\":\"" SID
        "\",\"seq\":1,\"ts_us\":1,\"type\":\"sip\",\"packet\":{\"data_b64\":\"!!\"}}]}",
        "{\"agent\":\"a\",\"events\":[{\"session\":\"" SID
        "\",\"seq\":1,\"ts_us\":1,\"type\":\"sip\",\"packet\":{\"linktype\":70000,\"data_b64\":"
        "\"AA\"}}]}",
        "{\"agent\":\"a b\",\"events\":[]}",
        "{\"agent\":\"a\",\"events\":[],\"more\":1}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(validate_ingest(bad[i], strlen(bad[i]), 100, &b, err, sizeof err) == -1,
                      "%s accepted", bad[i]);
    /* text limits count captured bytes: up to 3x is taken (U+FFFD for each
     * invalid byte), beyond is refused */
    size_t big = 3 * VALIDATE_MAX_DATA + 1;
    char *huge = malloc(big + 200);
    ck_assert_ptr_nonnull(huge);
    int o = snprintf(huge, 200,
                     "{\"agent\":\"a\",\"events\":[{\"session\":\"" SID
                     "\",\"seq\":1,\"ts_us\":1,\"type\":\"sip\",\"data\":\"");
    memset(huge + o, 'x', big);
    strcpy(huge + o + big, "\"}]}");
    ck_assert_int_eq(validate_ingest(huge, strlen(huge), 100, &b, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "data"));
    strcpy(huge + o + big - 1, "\"}]}");
    ck_assert_int_eq(validate_ingest(huge, strlen(huge), 100, &b, err, sizeof err), 0);
    ingest_batch_free(&b);
    free(huge);
    /* the batch cap */
    const char *two = "{\"agent\":\"a\",\"events\":[{\"session\":\"" SID
                      "\",\"seq\":1,\"ts_us\":1,\"type\":\"sip\"},{\"session\":\"" SID
                      "\",\"seq\":2,\"ts_us\":1,\"type\":\"sip\"}]}";
    ck_assert_int_eq(validate_ingest(two, strlen(two), 1, &b, err, sizeof err), -1);
    ck_assert_int_eq(validate_ingest(two, strlen(two), 2, &b, err, sizeof err), 0);
    ingest_batch_free(&b);
}
END_TEST

START_TEST(share_and_b64)
{
    int64_t ttl;
    char err[128];
    ck_assert_int_eq(validate_share("", 0, &ttl, err, sizeof err), 0);
    ck_assert_int_eq(ttl, 0);
    ck_assert_int_eq(validate_share("{\"expires_in_seconds\":60}", 25, &ttl, err, sizeof err), 0);
    ck_assert_int_eq(ttl, 60);
    ck_assert_int_eq(validate_share("{\"expires_in_seconds\":0}", 24, &ttl, err, sizeof err), -1);
    ck_assert_int_eq(validate_share("{\"x\":1}", 7, &ttl, err, sizeof err), -1);
    unsigned char out[8];
    ck_assert_int_eq(validate_b64_decode("aGVsbG8=", 8, out, sizeof out), 5);
    ck_assert_int_eq(memcmp(out, "hello", 5), 0);
    ck_assert_int_eq(validate_b64_decode("aGVsbG8", 7, out, sizeof out), 5);
    ck_assert_int_eq(validate_b64_decode("aGVsbG8=", 8, out, 4), -1); /* over the cap */
    ck_assert_int_eq(validate_b64_decode("a", 1, out, sizeof out), -1);
    ck_assert_int_eq(validate_b64_decode("a GV", 4, out, sizeof out), -1);
}
END_TEST

START_TEST(sse_framing)
{
    char buf[256];
    size_t n = sse_event(buf, sizeof buf, 42, "sip", "{\"a\":1}");
    ck_assert_str_eq(buf, "id: 42\nevent: sip\ndata: {\"a\":1}\n\n");
    ck_assert_uint_eq(n, strlen(buf));
    sse_event(buf, sizeof buf, 1, "log", "a\nb\r\nc");
    ck_assert_str_eq(buf, "id: 1\nevent: log\ndata: a\ndata: b\ndata: c\n\n");
    ck_assert_uint_eq(sse_event(buf, 10, 1, "sip", "{}"), 0);
    sse_comment(buf, sizeof buf, "keep-alive");
    ck_assert_str_eq(buf, ": keep-alive\n\n");
    ck_assert_int_eq(sse_last_event_id("17"), 17);
    ck_assert_int_eq(sse_last_event_id(" 17 "), 17);
    ck_assert_int_eq(sse_last_event_id("17x"), 0);
    ck_assert_int_eq(sse_last_event_id("99999999999999999999999"), 0);
    ck_assert_int_eq(sse_last_event_id(NULL), 0);
    ck_assert_int_eq(sse_last_event_id(""), 0);
}
END_TEST

static uint32_t le32(const unsigned char *p)
{
    return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

START_TEST(tar_and_pcap)
{
    tarpcap_t t;
    tarpcap_init(&t, 1 << 20, 1781990000);
    unsigned char pkt[60] = {1, 2, 3};
    ck_assert_int_eq(tarpcap_begin(&t, "edge-1.pcap", 1), 0);
    ck_assert_int_eq(tarpcap_packet(&t, 1781990000123456, pkt, sizeof pkt, 912), 0);
    ck_assert_int_eq(tarpcap_packet(&t, 1781990000223456, pkt, 10, 0), 0);
    ck_assert_int_eq(tarpcap_begin(&t, "edge-2.pcap", 101), 0);
    ck_assert_int_eq(tarpcap_finish(&t), 0);
    /* member 1: header, 24 + 16 + 60 + 16 + 10 = 126 bytes, padded to 512 */
    ck_assert_uint_eq(t.len, 512 + 512 + 512 + 512 + 1024);
    ck_assert_str_eq((char *)t.buf, "edge-1.pcap");
    ck_assert_str_eq((char *)t.buf + 124, "00000000176");
    ck_assert_int_eq(memcmp(t.buf + 257, "ustar", 6), 0);
    unsigned sum = 0;
    for (int i = 0; i < 512; i++)
        sum += (i >= 148 && i < 156) ? ' ' : t.buf[i];
    ck_assert_uint_eq(strtoul((char *)t.buf + 148, NULL, 8), sum);
    const unsigned char *g = t.buf + 512;
    ck_assert_uint_eq(le32(g), 0xa1b2c3d4);
    ck_assert_uint_eq(le32(g + 20), 1);
    ck_assert_uint_eq(le32(g + 24), 1781990000);
    ck_assert_uint_eq(le32(g + 28), 123456);
    ck_assert_uint_eq(le32(g + 32), 60);
    ck_assert_uint_eq(le32(g + 36), 912);
    ck_assert_uint_eq(le32(g + 24 + 16 + 60 + 12), 10); /* orig_len never below caplen */
    ck_assert_str_eq((char *)t.buf + 1024, "edge-2.pcap");
    ck_assert_uint_eq(le32(t.buf + 1536 + 20), 101);
    tarpcap_free(&t);

    tarpcap_init(&t, 2048, 0); /* the size cap */
    ck_assert_int_eq(tarpcap_begin(&t, "a.pcap", 1), 0);
    unsigned char big[4096] = {0};
    ck_assert_int_eq(tarpcap_packet(&t, 0, big, sizeof big, 0), -1);
    ck_assert_int_eq(tarpcap_finish(&t), -1);
    tarpcap_free(&t);

    char name[100];
    tarpcap_name(name, sizeof name, "edge-1", 1, 0);
    ck_assert_str_eq(name, "edge-1.pcap");
    tarpcap_name(name, sizeof name, "edge-1", 113, 1);
    ck_assert_str_eq(name, "edge-1-113.pcap");
}
END_TEST

START_TEST(retention_policy)
{
    retention_policy_t p = {.events_ms = 3600000, .packets_ms = 0, .sessions_ms = 86400000};
    int64_t now = 1781990000000000;
    retention_cutoffs_t c = retention_cutoffs(&p, now);
    ck_assert_int_eq(c.events_before, now - 3600000000LL);
    ck_assert_int_eq(c.packets_before, 0); /* keep forever */
    ck_assert_int_eq(c.sessions_before, now - 86400000000LL);
    retention_policy_t huge = {.events_ms = UINT64_MAX};
    ck_assert_int_eq(retention_cutoffs(&huge, now).events_before, 0);
}
END_TEST

START_TEST(tokens)
{
    token_set_t s = {0};
    ck_assert_int_eq(token_set_add(&s, "operator-secret"), 0);
    ck_assert_int_eq(token_set_add(&s, ""), -1);
    ck_assert(token_set_has(&s, "operator-secret", 15));
    ck_assert(!token_set_has(&s, "operator-secreT", 15));
    ck_assert(!token_set_has(&s, "operator-secret", 14));
    ck_assert(!token_set_has(&s, NULL, 0));
    size_t len = 0;
    const char *t = token_bearer("Bearer  abc ", &len);
    ck_assert_ptr_nonnull(t);
    ck_assert_uint_eq(len, 3);
    ck_assert_int_eq(strncmp(t, "abc", 3), 0);
    ck_assert_ptr_nonnull(token_bearer("bearer x", &len));
    ck_assert_ptr_null(token_bearer("Basic eDp5", &len));
    ck_assert_ptr_null(token_bearer("Bearer ", &len));
    ck_assert_ptr_null(token_bearer(NULL, &len));
    char a[65], b[65];
    ck_assert_int_eq(token_random_hex(a, 32), 0);
    ck_assert_int_eq(token_random_hex(b, 32), 0);
    ck_assert_uint_eq(strlen(a), 64);
    ck_assert_str_ne(a, b);
    char d[65];
    token_digest_hex("abc", 3, d);
    ck_assert_str_eq(d, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("center_logic");
    TCase *tc = tcase_create("logic");
    tcase_add_test(tc, routes);
    tcase_add_test(tc, session_gate);
    tcase_add_test(tc, agents);
    tcase_add_test(tc, ingest);
    tcase_add_test(tc, share_and_b64);
    tcase_add_test(tc, sse_framing);
    tcase_add_test(tc, tar_and_pcap);
    tcase_add_test(tc, retention_policy);
    tcase_add_test(tc, tokens);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
