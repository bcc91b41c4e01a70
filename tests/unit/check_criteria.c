/* Session criteria (core/criteria): every rule of the criteria table in
 * docs/center-protocol.md, the refusals, and the normalized JSON. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "criteria.h"

static snb_criteria_t *parse(const char *json, char *err, size_t errlen)
{
    json_error_t je;
    json_t *j = json_loads(json, 0, &je);
    ck_assert_msg(j != NULL, "bad test JSON %s", json);
    snb_criteria_t *c = snb_criteria_parse(j, err, errlen);
    json_decref(j);
    return c;
}

static snb_criteria_t *ok(const char *json)
{
    char err[200] = "";
    snb_criteria_t *c = parse(json, err, sizeof err);
    ck_assert_msg(c != NULL, "%s refused: %s", json, err);
    return c;
}

/* Refused, with a reason containing `why`. */
static void refused(const char *json, const char *why)
{
    char err[200] = "";
    snb_criteria_t *c = parse(json, err, sizeof err);
    ck_assert_msg(c == NULL, "%s accepted", json);
    ck_assert_msg(strstr(err, why) != NULL, "%s: reason '%s' lacks '%s'", json, err, why);
    ck_assert_msg(strchr(err, '\n') == NULL, "reason is one line");
}

static snb_crit_str_t S(const char *s)
{
    return (snb_crit_str_t){s, s ? strlen(s) : 0};
}

static snb_crit_ip_t ip(const char *text)
{
    snb_crit_ip_t a;
    unsigned plen;
    ck_assert(snb_crit_parse_prefix(text, &a, &plen));
    return a;
}

/* An INVITE from "+1 (555) 443-0191" to 15558672044 at example.com. */
static snb_criteria_msg_t invite(void)
{
    static const char text[] = "INVITE sip:15558672044@example.com SIP/2.0\r\n"
                               "Call-ID: c38b4c9d7b0e@example-sbc\r\n"
                               "X-Marker: Customer-Domain.Example\r\n\r\n";
    snb_criteria_msg_t m = {0};
    m.from_user = S("+1-555-443-0191");
    m.from_display = S("Alice Smith");
    m.from_host = S("acme.pbx.example.net");
    m.to_user = S("15558672044");
    m.to_host = S("example.com");
    m.ruri_user = S("15558672044");
    m.ruri_host = S("example.com");
    m.is_request = true;
    m.method = S("INVITE");
    m.cseq_method = S("INVITE");
    m.call_id = S("c38b4c9d7b0e@example-sbc");
    m.src = ip("192.0.2.10");
    m.dst = ip("198.51.100.7");
    m.text = S(text);
    return m;
}

static bool matches(const char *json, const snb_criteria_msg_t *m)
{
    snb_criteria_t *c = ok(json);
    bool r = snb_criteria_match(c, m);
    snb_criteria_free(c);
    return r;
}

START_TEST(from_digits_ignore_plus_and_separators)
{
    snb_criteria_msg_t m = invite();
    ck_assert(matches("{\"from\":\"15554430191\"}", &m));
    ck_assert(matches("{\"from\":\"+1 (555) 443-0191\"}", &m));
    ck_assert(matches("{\"from\":\"4430191\"}", &m)); /* contains */
    ck_assert(!matches("{\"from\":\"15554430192\"}", &m));
    ck_assert(!matches("{\"from\":\"15558672044\"}", &m)); /* that is the callee */
}
END_TEST

START_TEST(from_display_name)
{
    snb_criteria_msg_t m = invite();
    ck_assert(matches("{\"from\":\"alice\"}", &m)); /* case-insensitive */
    ck_assert(matches("{\"from\":\"Alice Smith\"}", &m));
    ck_assert(!matches("{\"from\":\"bob\"}", &m));
    m.from_display = S(NULL);
    ck_assert(!matches("{\"from\":\"alice\"}", &m));
}
END_TEST

START_TEST(to_user_or_request_uri)
{
    snb_criteria_msg_t m = invite();
    ck_assert(matches("{\"to\":\"15558672044\"}", &m));
    ck_assert(matches("{\"to\":\"+1.555.867.2044\"}", &m));
    m.to_user = S("gateway"); /* only the R-URI carries the DID now */
    ck_assert(matches("{\"to\":\"15558672044\"}", &m));
    m.ruri_user = S("other");
    ck_assert(!matches("{\"to\":\"15558672044\"}", &m));
    m.to_display = S("Support 555-867-2044");
    ck_assert(matches("{\"to\":\"5558672044\"}", &m));
}
END_TEST

START_TEST(domain_equal_or_subdomain)
{
    snb_criteria_msg_t m = invite();
    ck_assert(matches("{\"domain\":\"example.com\"}", &m));     /* R-URI host */
    ck_assert(matches("{\"domain\":\"EXAMPLE.com\"}", &m));     /* case */
    ck_assert(matches("{\"domain\":\"example.net\"}", &m));     /* From host subdomain */
    ck_assert(matches("{\"domain\":\"pbx.example.net\"}", &m)); /* subdomain */
    ck_assert(!matches("{\"domain\":\"ample.com\"}", &m));      /* not a label boundary */
    ck_assert(!matches("{\"domain\":\"example.org\"}", &m));
    m.ruri_host = S(NULL);
    m.to_host = S("EXAMPLE.COM");
    ck_assert(matches("{\"domain\":\"example.com\"}", &m));
}
END_TEST

START_TEST(tenant_header_or_host_prefix)
{
    snb_criteria_msg_t m = invite();
    ck_assert(matches("{\"tenant\":\"acme\"}", &m)); /* From host acme.pbx... */
    ck_assert(!matches("{\"tenant\":\"acm\"}", &m));
    ck_assert(!matches("{\"tenant\":\"globex\"}", &m));
    snb_crit_str_t vals[] = {S("T-100"), S("Globex")};
    m.tenant_values = vals;
    m.n_tenant_values = 2;
    ck_assert(matches("{\"tenant\":\"globex\"}", &m));
    ck_assert(matches("{\"tenant\":\"t-100\"}", &m));
    ck_assert(!matches("{\"tenant\":\"T-10\"}", &m)); /* equal, not contains */
}
END_TEST

START_TEST(provider_ip_address_and_cidr)
{
    snb_criteria_msg_t m = invite();
    ck_assert(matches("{\"provider_ip\":\"192.0.2.10\"}", &m));
    ck_assert(matches("{\"provider_ip\":\"198.51.100.7\"}", &m)); /* destination */
    ck_assert(matches("{\"provider_ip\":\"192.0.2.0/24\"}", &m));
    ck_assert(matches("{\"provider_ip\":\"198.51.100.4/30\"}", &m));
    ck_assert(!matches("{\"provider_ip\":\"198.51.100.8/30\"}", &m));
    ck_assert(!matches("{\"provider_ip\":\"192.0.2.11\"}", &m));
    ck_assert(matches("{\"provider_ip\":\"0.0.0.0/0\"}", &m));
    m.src = ip("2001:db8::5");
    ck_assert(matches("{\"provider_ip\":\"2001:db8::/32\"}", &m));
    ck_assert(matches("{\"provider_ip\":\"2001:DB8::5\"}", &m));
    ck_assert(!matches("{\"provider_ip\":\"2001:db9::/32\"}", &m));
    /* An IPv4 criterion finds an IPv4-mapped IPv6 address. */
    m.src = ip("::ffff:203.0.113.9");
    ck_assert(matches("{\"provider_ip\":\"203.0.113.0/24\"}", &m));
    m.src.family = 0;
    m.dst.family = 0;
    ck_assert(!matches("{\"provider_ip\":\"0.0.0.0/0\"}", &m));
}
END_TEST

START_TEST(text_case_insensitive_plain)
{
    snb_criteria_msg_t m = invite();
    ck_assert(matches("{\"text\":\"customer-domain.example\"}", &m));
    ck_assert(matches("{\"text\":\"X-MARKER\"}", &m));
    ck_assert(!matches("{\"text\":\"customer.domain\"}", &m));
    ck_assert(!matches("{\"text\":\"c.*r\"}", &m)); /* no regex */
}
END_TEST

START_TEST(call_id_exact)
{
    snb_criteria_msg_t m = invite();
    ck_assert(matches("{\"call_id\":\"c38b4c9d7b0e@example-sbc\"}", &m));
    ck_assert(!matches("{\"call_id\":\"c38b4c9d7b0e\"}", &m));
    ck_assert(!matches("{\"call_id\":\"C38B4C9D7B0E@example-sbc\"}", &m));
}
END_TEST

START_TEST(method_narrows_requests_and_responses)
{
    snb_criteria_msg_t m = invite();
    ck_assert(matches("{\"from\":\"15554430191\",\"method\":\"INVITE\"}", &m));
    ck_assert(matches("{\"from\":\"15554430191\",\"method\":\"invite\"}", &m));
    ck_assert(!matches("{\"from\":\"15554430191\",\"method\":\"REGISTER\"}", &m));
    /* A 200 OK to the INVITE: matched by its CSeq method. */
    m.is_request = false;
    m.method = S(NULL);
    m.ruri_user = S(NULL);
    m.ruri_host = S(NULL);
    ck_assert(matches("{\"from\":\"15554430191\",\"method\":\"INVITE\"}", &m));
    m.cseq_method = S("BYE");
    ck_assert(!matches("{\"from\":\"15554430191\",\"method\":\"INVITE\"}", &m));
}
END_TEST

START_TEST(all_criteria_and)
{
    snb_criteria_msg_t m = invite();
    ck_assert(matches("{\"from\":\"15554430191\",\"to\":\"15558672044\",\"domain\":\"example."
                      "com\",\"provider_ip\":\"192.0.2.0/24\",\"text\":\"x-marker\",\"call_id\":"
                      "\"c38b4c9d7b0e@example-sbc\",\"tenant\":\"acme\",\"method\":\"INVITE\"}",
                      &m));
    ck_assert(!matches("{\"from\":\"15554430191\",\"to\":\"15550000000\"}", &m));
    ck_assert(!matches("{\"domain\":\"example.com\",\"provider_ip\":\"10.0.0.0/8\"}", &m));
}
END_TEST

START_TEST(refusals)
{
    refused("{}", "at least one");
    refused("{\"method\":\"INVITE\"}", "method only narrows");
    refused("{\"from\":\"\",\"to\":null}", "at least one"); /* empty counts as absent */
    refused("{\"caller\":\"1555\"}", "unknown key 'caller'");
    refused("{\"a\\nb\":\"1555\"}", "unknown key 'a?b'"); /* found by fuzz_criteria */
    refused("{\"from\":15554430191}", "criteria.from: must be a string");
    refused("{\"from\":\"+-. ()\"}", "no digits");
    refused("{\"text\":\"a\\u0001b\"}", "control character");
    refused("{\"text\":\"line\\nbreak\"}", "control character");
    refused("{\"call_id\":\"a\\u007fb\"}", "control character");
    refused("{\"provider_ip\":\"192.0.2.300\"}", "not an IP address");
    refused("{\"provider_ip\":\"192.0.2.0/33\"}", "not an IP address");
    refused("{\"provider_ip\":\"2001:db8::/129\"}", "not an IP address");
    refused("{\"provider_ip\":\"192.0.2.0/\"}", "not an IP address");
    refused("{\"provider_ip\":\"example.com\"}", "not an IP address");
    refused("{\"method\":\"IN VITE\",\"from\":\"1\"}", "method");
    refused("{\"domain\":\"a b\"}", "not allowed");
    refused("{\"domain\":\"...\"}", "empty domain");
    char big[400];
    memset(big, 'a', sizeof big);
    snprintf(big, sizeof big, "{\"text\":\"%0257d\"}", 0);
    refused(big, "longer than 256 bytes");
    snprintf(big, sizeof big, "{\"text\":\"%0256d\"}", 0);
    snb_criteria_free(ok(big)); /* exactly the limit */
    char err[64];
    json_t *arr = json_array();
    ck_assert(snb_criteria_parse(arr, err, sizeof err) == NULL);
    ck_assert_str_eq(err, "criteria: must be a JSON object");
    json_decref(arr);
    ck_assert(snb_criteria_parse(NULL, err, sizeof err) == NULL);
    ck_assert(snb_criteria_parse(NULL, NULL, 0) == NULL); /* no err buffer: no crash */
}
END_TEST

START_TEST(normalized_json)
{
    snb_criteria_t *c =
        ok("{\"from\":\"+1 (555) 443-0191\",\"to\":null,\"domain\":\"Example.COM.\","
           "\"provider_ip\":\"192.0.2.77/24\",\"method\":\"invite\",\"text\":\"Hello There\","
           "\"call_id\":\"AbC@h\",\"tenant\":\"ACME\"}");
    json_t *j = snb_criteria_json(c);
    char *s = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
    ck_assert_str_eq(s, "{\"call_id\":\"AbC@h\",\"domain\":\"example.com\",\"from\":"
                        "\"15554430191\",\"method\":\"INVITE\",\"provider_ip\":\"192.0.2.0/24\","
                        "\"tenant\":\"acme\",\"text\":\"Hello There\"}");
    /* The normalized object parses again to itself. */
    char err[100];
    snb_criteria_t *c2 = snb_criteria_parse(j, err, sizeof err);
    ck_assert(c2 != NULL);
    json_t *j2 = snb_criteria_json(c2);
    ck_assert(json_equal(j, j2));
    ck_assert_str_eq(snb_criteria_get(c2, "domain"), "example.com");
    ck_assert(snb_criteria_get(c2, "to") == NULL);
    ck_assert(snb_criteria_get(c2, "nope") == NULL);
    free(s);
    json_decref(j);
    json_decref(j2);
    snb_criteria_free(c);
    snb_criteria_free(c2);
    c = ok("{\"provider_ip\":\"2001:DB8:0:0::1\"}");
    ck_assert_str_eq(snb_criteria_get(c, "provider_ip"), "2001:db8::1");
    snb_criteria_free(c);
}
END_TEST

START_TEST(log_lines)
{
    snb_criteria_t *c = ok("{\"text\":\"Customer-7\",\"from\":\"1555\"}");
    const char *l1 = "[Dec  6] NOTICE: call for customer-7 routed";
    ck_assert(snb_criteria_match_line(c, l1, strlen(l1)));
    ck_assert(!snb_criteria_match_line(c, "nothing here", 12));
    snb_criteria_free(c);
    c = ok("{\"call_id\":\"abc@h\"}");
    ck_assert(snb_criteria_match_line(c, "x abc@h y", 9));
    ck_assert(!snb_criteria_match_line(c, "x ABC@h y", 9));
    ck_assert(!snb_criteria_match_line(c, "abc@", 4));
    snb_criteria_free(c);
    c = ok("{\"from\":\"1555\"}"); /* neither text nor call_id: no line matches */
    ck_assert(!snb_criteria_match_line(c, "1555", 4));
    snb_criteria_free(c);
}
END_TEST

START_TEST(contains_ci_edges)
{
    ck_assert(snb_crit_contains_ci("abc", 3, "", 0));
    ck_assert(!snb_crit_contains_ci(NULL, 0, "a", 1));
    ck_assert(!snb_crit_contains_ci("ab", 2, "abc", 3));
    ck_assert(snb_crit_contains_ci("xxABC", 5, "abc", 3));
    ck_assert(!snb_crit_contains_ci("xxAB", 4, "abc", 3));
}
END_TEST

START_TEST(needs_and_prefilter)
{
    static const struct {
        const char *json;
        unsigned needs;
    } want[] = {
        {"{\"from\":\"1\"}", SNB_CRIT_NEED_FROM},
        {"{\"to\":\"1\"}", SNB_CRIT_NEED_TO | SNB_CRIT_NEED_RURI},
        {"{\"domain\":\"a.b\"}", SNB_CRIT_NEED_FROM | SNB_CRIT_NEED_TO | SNB_CRIT_NEED_RURI},
        {"{\"tenant\":\"t\"}",
         SNB_CRIT_NEED_FROM | SNB_CRIT_NEED_TO | SNB_CRIT_NEED_RURI | SNB_CRIT_NEED_TENANT},
        {"{\"call_id\":\"c\",\"method\":\"BYE\"}", SNB_CRIT_NEED_CSEQ},
        {"{\"provider_ip\":\"10.0.0.0/8\",\"text\":\"x\"}", 0},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        snb_criteria_t *c = ok(want[i].json);
        ck_assert_msg(snb_criteria_needs(c) == want[i].needs, "%s", want[i].json);
        snb_criteria_free(c);
    }
    /* The prefilter sees only the message's own fields and never refuses a
     * message the full match accepts. */
    snb_criteria_msg_t full = invite();
    snb_criteria_msg_t bare = {0};
    bare.is_request = true;
    bare.method = full.method;
    bare.call_id = full.call_id;
    bare.src = full.src;
    bare.dst = full.dst;
    static const struct {
        const char *json;
        bool pass;
    } pre[] = {
        {"{\"call_id\":\"c38b4c9d7b0e@example-sbc\"}", true},
        {"{\"call_id\":\"other\"}", false},
        {"{\"from\":\"15554430191\",\"method\":\"INVITE\"}", true},
        {"{\"from\":\"15554430191\",\"method\":\"BYE\"}", false},
        {"{\"from\":\"nobody\"}", true}, /* needs the From: left to the full match */
        {"{\"provider_ip\":\"192.0.2.0/24\"}", true},
        {"{\"provider_ip\":\"203.0.113.0/24\"}", false},
    };
    for (size_t i = 0; i < sizeof pre / sizeof pre[0]; i++) {
        snb_criteria_t *c = ok(pre[i].json);
        ck_assert_msg(snb_criteria_prefilter(c, &bare) == pre[i].pass, "%s", pre[i].json);
        if (snb_criteria_match(c, &full)) ck_assert(snb_criteria_prefilter(c, &bare));
        snb_criteria_free(c);
    }
    /* A response's method is left to the full match (CSeq). */
    bare.is_request = false;
    bare.method = (snb_crit_str_t){NULL, 0};
    snb_criteria_t *c = ok("{\"from\":\"1\",\"method\":\"BYE\"}");
    ck_assert(snb_criteria_prefilter(c, &bare));
    snb_criteria_free(c);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("criteria");
    TCase *tc = tcase_create("criteria");
    tcase_add_test(tc, from_digits_ignore_plus_and_separators);
    tcase_add_test(tc, from_display_name);
    tcase_add_test(tc, to_user_or_request_uri);
    tcase_add_test(tc, domain_equal_or_subdomain);
    tcase_add_test(tc, tenant_header_or_host_prefix);
    tcase_add_test(tc, provider_ip_address_and_cidr);
    tcase_add_test(tc, text_case_insensitive_plain);
    tcase_add_test(tc, call_id_exact);
    tcase_add_test(tc, method_narrows_requests_and_responses);
    tcase_add_test(tc, all_criteria_and);
    tcase_add_test(tc, refusals);
    tcase_add_test(tc, normalized_json);
    tcase_add_test(tc, log_lines);
    tcase_add_test(tc, contains_ci_edges);
    tcase_add_test(tc, needs_and_prefilter);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
