/* The criteria view of a SIP message, filled through the platform's parsed
 * SIP accessors (modules/agent/agent_msgview.c, with the sip module's real
 * parser and accessor table): compact headers, display names, tel: URIs,
 * the R-URI, tenant headers, a response's CSeq method; then the criteria
 * rules on that view. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "agent_msgview.h"
#include "check_run.h"
#include "sip_msg.h"

static char wire[8192];
static sip_msg_t parsed;

/* LF line ends become CRLF, as on the wire; the event as the sip module
 * would publish it. */
static snb_sip_message_event_t event(const char *text, bool request)
{
    size_t n = 0;
    for (const char *p = text; *p && n + 2 < sizeof wire; p++) {
        if (*p == '\n') wire[n++] = '\r';
        wire[n++] = *p;
    }
    size_t used;
    ck_assert_int_eq(sip_msg_parse(wire, n, 0, &parsed, &used), SIP_PARSE_OK);
    snb_sip_message_event_t ev = {0};
    ev.is_request = request;
    ev.msg = (const snb_sip_msg_t *)&parsed;
    ev.sip = &sip_api;
    ev.call_id = sip_api.header(ev.msg, "Call-ID", 0);
    ev.raw = wire;
    ev.raw_len = (uint32_t)n;
    ev.src = (snb_addr_t){.family = 4, .a = {192, 0, 2, 10}};
    ev.dst = (snb_addr_t){.family = 4, .a = {198, 51, 100, 7}};
    if (request) ev.method_name = (snb_str_t){wire, 6};
    return ev;
}

static bool is(snb_crit_str_t s, const char *want)
{
    return s.p && s.len == strlen(want) && memcmp(s.p, want, s.len) == 0;
}

#define ASSERT_STR(s, want)                                                                        \
    ck_assert_msg(is((s), (want)), "got '%.*s', want '%s'", (int)(s).len,                          \
                  (s).p ? (s).p : "(null)", (want))

static const char *const tenant_headers[] = {"X-Tenant", "X-Tenant-Code", "X-Tenant-ID"};

static bool match(const char *criteria, const agent_msgview_t *v)
{
    json_t *j = json_loads(criteria, 0, NULL);
    char err[160];
    snb_criteria_t *c = snb_criteria_parse(j, err, sizeof err);
    ck_assert_msg(c != NULL, "%s: %s", criteria, err);
    bool r = snb_criteria_match(c, &v->m);
    snb_criteria_free(c);
    json_decref(j);
    return r;
}

static const char *invite = "INVITE sip:15558672044@acme.example.com;user=phone SIP/2.0\n"
                            "v: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK1\n"
                            "f: \"Alice Smith\" <sip:+1-555-443-0191@pbx.example.net>;tag=a\n"
                            "t: <tel:+15558672044>\n"
                            "i: c38b4c9d7b0e@example-sbc\n"
                            "CSeq: 314159 INVITE\n"
                            "X-Tenant-Code: T-100\n"
                            "l: 0\n\n";

START_TEST(request_view)
{
    snb_sip_message_event_t ev = event(invite, true);
    agent_msgview_t v;
    agent_msgview_fill(&v, &ev, tenant_headers, 3);
    ASSERT_STR(v.m.from_user, "+1-555-443-0191");
    ASSERT_STR(v.m.from_display, "Alice Smith");
    ASSERT_STR(v.m.from_host, "pbx.example.net");
    ASSERT_STR(v.m.to_user, "+15558672044"); /* tel: the number */
    ASSERT_STR(v.m.ruri_user, "15558672044");
    ASSERT_STR(v.m.ruri_host, "acme.example.com");
    ASSERT_STR(v.m.method, "INVITE");
    ASSERT_STR(v.m.cseq_method, "INVITE");
    ASSERT_STR(v.m.call_id, "c38b4c9d7b0e@example-sbc");
    ck_assert_uint_eq(v.m.n_tenant_values, 1);
    ASSERT_STR(v.m.tenant_values[0], "T-100");
    ck_assert_uint_eq(v.m.text.len, ev.raw_len);

    ck_assert(match("{\"from\":\"15554430191\"}", &v));
    ck_assert(match("{\"from\":\"alice smith\"}", &v));
    ck_assert(match("{\"to\":\"+1 555 867 2044\"}", &v));
    ck_assert(match("{\"domain\":\"example.com\"}", &v));
    ck_assert(match("{\"tenant\":\"acme\"}", &v)); /* R-URI host acme.example.com */
    ck_assert(match("{\"tenant\":\"t-100\"}", &v));
    ck_assert(match("{\"provider_ip\":\"198.51.100.0/24\",\"method\":\"INVITE\"}", &v));
    ck_assert(match("{\"text\":\"x-tenant-code: t-100\"}", &v));
    ck_assert(match("{\"call_id\":\"c38b4c9d7b0e@example-sbc\"}", &v));
    ck_assert(!match("{\"from\":\"15558672044\"}", &v));
    ck_assert(!match("{\"tenant\":\"globex\"}", &v));
    ck_assert(!match("{\"from\":\"15554430191\",\"method\":\"BYE\"}", &v));
}
END_TEST

START_TEST(response_view)
{
    snb_sip_message_event_t ev = event("SIP/2.0 200 OK\n"
                                       "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK1\n"
                                       "From: <sip:15554430191@pbx.example.net>;tag=a\n"
                                       "To: \"Support\" <sip:15558672044@acme.example.com>;tag=b\n"
                                       "Call-ID: c38b4c9d7b0e@example-sbc\n"
                                       "CSeq:   314159   INVITE\n"
                                       "Content-Length: 0\n\n",
                                       false);
    agent_msgview_t v;
    agent_msgview_fill(&v, &ev, tenant_headers, 3);
    ck_assert(v.m.method.p == NULL);
    ck_assert(v.m.ruri_user.p == NULL); /* responses have no R-URI */
    ASSERT_STR(v.m.cseq_method, "INVITE");
    ASSERT_STR(v.m.to_display, "Support");
    ck_assert_uint_eq(v.m.n_tenant_values, 0);
    ck_assert(match("{\"to\":\"15558672044\",\"method\":\"INVITE\"}", &v));
    ck_assert(match("{\"to\":\"support\"}", &v));
    ck_assert(!match("{\"to\":\"15558672044\",\"method\":\"BYE\"}", &v));
}
END_TEST

START_TEST(lazy_parts)
{
    snb_sip_message_event_t ev = event(invite, true);
    agent_msgview_t v;
    agent_msgview_init(&v, &ev);
    /* Only the message's own fields until asked. */
    ASSERT_STR(v.m.call_id, "c38b4c9d7b0e@example-sbc");
    ASSERT_STR(v.m.method, "INVITE");
    ck_assert(v.m.from_user.p == NULL && v.m.to_user.p == NULL && v.m.ruri_host.p == NULL);
    ck_assert_uint_eq(v.m.n_tenant_values, 0);
    agent_msgview_need(&v, SNB_CRIT_NEED_FROM, tenant_headers, 3);
    ASSERT_STR(v.m.from_host, "pbx.example.net");
    ck_assert(v.m.to_user.p == NULL);
    agent_msgview_need(&v, SNB_CRIT_NEED_TO | SNB_CRIT_NEED_RURI | SNB_CRIT_NEED_TENANT,
                       tenant_headers, 3);
    ASSERT_STR(v.m.to_user, "+15558672044");
    ASSERT_STR(v.m.ruri_host, "acme.example.com");
    ck_assert_uint_eq(v.m.n_tenant_values, 1);
    /* The CSeq method from the event's number, without the header. */
    ev.cseq_method = SNB_SIP_BYE;
    agent_msgview_init(&v, &ev);
    agent_msgview_need(&v, SNB_CRIT_NEED_CSEQ, tenant_headers, 3);
    ASSERT_STR(v.m.cseq_method, "BYE");
}
END_TEST

START_TEST(no_accessors)
{
    /* A message the sip module could not parse into accessors: only the
     * event's own fields are there, and nothing crashes. */
    snb_sip_message_event_t ev = {0};
    ev.call_id = (snb_str_t){"x@y", 3};
    ev.raw = "garbage";
    ev.raw_len = 7;
    agent_msgview_t v;
    agent_msgview_fill(&v, &ev, tenant_headers, 3);
    ASSERT_STR(v.m.call_id, "x@y");
    ck_assert(v.m.from_user.p == NULL);
    ck_assert(match("{\"text\":\"GARBAGE\"}", &v));
    ck_assert(!match("{\"from\":\"1\"}", &v));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("agent_msgview");
    TCase *tc = tcase_create("agent_msgview");
    tcase_add_test(tc, request_view);
    tcase_add_test(tc, response_view);
    tcase_add_test(tc, lazy_parts);
    tcase_add_test(tc, no_accessors);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
