/* The accessors other modules read SIP through (sipnab/sip.h, the
 * "sip.parser" table): headers by name and compact form, repeated and list
 * headers, parameters, URIs split into their parts with percent-decoded
 * headers, multipart parts with their own headers, and a compact copy that
 * keeps working once the original buffer is gone (what a deferred or
 * retained "sip.message" event holds). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "sip_msg.h"

static const snb_sip_api_t *api = &sip_api;

static char wire[8192];
static sip_msg_t parsed;

/* LF line ends become CRLF, as on the wire. */
static const snb_sip_msg_t *parse(const char *text)
{
    size_t n = 0;
    for (const char *p = text; *p && n + 2 < sizeof wire; p++) {
        if (*p == '\n') wire[n++] = '\r';
        wire[n++] = *p;
    }
    size_t used;
    ck_assert_int_eq(sip_msg_parse(wire, n, 0, &parsed, &used), SIP_PARSE_OK);
    return (const snb_sip_msg_t *)&parsed;
}

static bool is(snb_str_t s, const char *want)
{
    return s.p && s.len == strlen(want) && memcmp(s.p, want, s.len) == 0;
}

#define ASSERT_STR(s, want)                                                                        \
    ck_assert_msg(is((s), (want)), "got '%.*s', want '%s'", (int)(s).len,                          \
                  (s).p ? (s).p : "(null)", (want))

static const char *invite =
    "INVITE sip:+15551230000@sbc.example.com;user=phone SIP/2.0\n"
    "v: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1, SIP/2.0/UDP 10.0.0.9;branch=z9hG4bK0\n"
    "Via: SIP/2.0/TCP 10.0.0.8;branch=z9hG4bKx\n"
    "f: \"Alice A.\" <sip:alice:secret@example.com:5070;transport=tcp?Subject=hi%20there>;tag=abc\n"
    "t: <tel:+15551230000;phone-context=example.com>\n"
    "i: call-1@example.com\n"
    "CSeq: 1 INVITE\n"
    "P-Asserted-Identity: <sip:+15550001111@example.com>, <tel:+15550001111>\n"
    "Identity: "
    "eyJhbGciOiJFUzI1NiJ9.e30.c2ln;info=<https://cert.example.com/a.pem>;alg=ES256;ppt=shaken\n"
    "Refer-To: <sip:carol@example.com?Replaces=abc%40host%3Bto-tag%3D1%3Bfrom-tag%3D2>\n"
    "User-Agent: Test UA 1.0\n"
    "Content-Type: multipart/mixed;boundary=\"bnd\"\n"
    "Content-Length: 215\n"
    "\n"
    "--bnd\n"
    "Content-Type: application/sdp\n"
    "\n"
    "v=0\n"
    "--bnd\n"
    "Content-Type: application/rs-metadata+xml\n"
    "Content-Disposition: recording-session\n"
    "Content-ID: <meta@example.com>\n"
    "\n"
    "<recording/>\n"
    "--bnd--\n";

START_TEST(headers_by_name_and_compact_form)
{
    const snb_sip_msg_t *m = parse(invite);
    ASSERT_STR(api->header(m, "Call-ID", 0), "call-1@example.com");
    ASSERT_STR(api->header(m, "i", 0), "call-1@example.com");
    ASSERT_STR(api->header(m, "user-agent", 0), "Test UA 1.0");
    /* Via: three elements over two lines, the compact and the full name */
    ck_assert_uint_eq(api->header_count(m, "Via"), 3);
    ASSERT_STR(api->header(m, "Via", 2), "SIP/2.0/TCP 10.0.0.8;branch=z9hG4bKx");
    ASSERT_STR(api->param(api->header(m, "Via", 1), "branch"), "z9hG4bK0");
    /* P-Asserted-Identity is a list header: two identities */
    ck_assert_uint_eq(api->header_count(m, "P-Asserted-Identity"), 2);
    ASSERT_STR(api->header(m, "P-Asserted-Identity", 1), "<tel:+15550001111>");
    /* Identity is not a list header: commas inside stay */
    ck_assert_uint_eq(api->header_count(m, "Identity"), 1);
    ASSERT_STR(api->param(api->header(m, "y", 0), "ppt"), "shaken");
    ASSERT_STR(api->param_unquoted(api->header(m, "Identity", 0), "alg"), "ES256");
    ck_assert_ptr_null(api->header(m, "X-Absent", 0).p);
    ck_assert_uint_eq(api->header_count(m, "X-Absent"), 0);
    /* every line, in order */
    snb_str_t name, value;
    ck_assert(api->header_line(m, 0, &name, &value));
    ASSERT_STR(name, "v");
    ck_assert(!api->header_line(m, api->header_lines(m), &name, &value));
    ASSERT_STR(api->request_uri(m), "sip:+15551230000@sbc.example.com;user=phone");
    ck_assert_ptr_null(api->reason(m).p);
}
END_TEST

START_TEST(name_addr_and_uri_parts)
{
    const snb_sip_msg_t *m = parse(invite);
    snb_sip_nameaddr_t na;
    ck_assert(api->nameaddr(api->header(m, "From", 0), &na));
    ASSERT_STR(na.display, "Alice A.");
    ASSERT_STR(na.tag, "abc");
    ASSERT_STR(na.params, ";tag=abc");
    ASSERT_STR(na.parts.scheme, "sip");
    ASSERT_STR(na.parts.user, "alice");
    ASSERT_STR(na.parts.password, "secret");
    ASSERT_STR(na.parts.host, "example.com");
    ck_assert_uint_eq(na.parts.port, 5070);
    ASSERT_STR(api->uri_param(&na.parts, "transport"), "tcp");
    char subject[64];
    ck_assert_int_eq(api->uri_header(&na.parts, "Subject", subject, sizeof subject), 8);
    ck_assert_str_eq(subject, "hi there");
    /* tel: the number is the user part, parameters split off */
    ck_assert(api->nameaddr(api->header(m, "To", 0), &na));
    ASSERT_STR(na.parts.scheme, "tel");
    ASSERT_STR(na.parts.user, "+15551230000");
    ASSERT_STR(api->uri_param(&na.parts, "phone-context"), "example.com");
    /* Refer-To with an escaped Replaces, decoded */
    ck_assert(api->nameaddr(api->header(m, "Refer-To", 0), &na));
    ASSERT_STR(na.uri, "sip:carol@example.com?Replaces=abc%40host%3Bto-tag%3D1%3Bfrom-tag%3D2");
    char replaces[128];
    ck_assert_int_gt(api->uri_header(&na.parts, "replaces", replaces, sizeof replaces), 0);
    ck_assert_str_eq(replaces, "abc@host;to-tag=1;from-tag=2");
    ck_assert_int_eq(api->uri_header(&na.parts, "X", replaces, sizeof replaces), -1);
    /* the request URI as a bare URI; an IPv6 host without brackets */
    snb_sip_uri_t u;
    ck_assert(api->uri(api->request_uri(m), &u));
    ASSERT_STR(u.user, "+15551230000");
    ASSERT_STR(api->uri_param(&u, "user"), "phone");
    ck_assert(api->uri(SNB_STR_LIT("sips:bob@[2001:db8::1]:5061;transport=tls"), &u));
    ASSERT_STR(u.host, "2001:db8::1");
    ck_assert_uint_eq(u.port, 5061);
    ck_assert(!api->uri(SNB_STR_LIT("no scheme here"), &u));
    ck_assert(!api->nameaddr(SNB_STR_LIT(""), &na));
}
END_TEST

typedef struct parts_seen {
    int n;
    snb_sip_part_t p[4];
} parts_seen_t;

static bool on_part(void *ud, const snb_sip_part_t *p)
{
    parts_seen_t *s = ud;
    if (s->n < 4) s->p[s->n] = *p;
    s->n++;
    return true;
}

START_TEST(multipart_parts_with_their_headers)
{
    const snb_sip_msg_t *m = parse(invite);
    parts_seen_t s = {0};
    ck_assert_int_eq(api->parts(m, on_part, &s), 2);
    ASSERT_STR(s.p[0].content_type, "application/sdp");
    ASSERT_STR(s.p[0].body, "v=0");
    ASSERT_STR(s.p[1].content_type, "application/rs-metadata+xml");
    ASSERT_STR(s.p[1].disposition, "recording-session");
    ASSERT_STR(s.p[1].content_id, "<meta@example.com>");
    ASSERT_STR(s.p[1].body, "<recording/>");
    ck_assert_uint_eq(s.p[1].index, 1);
    ASSERT_STR(api->part_header(&s.p[1], "content-disposition"), "recording-session");
    ASSERT_STR(api->sdp(m), "v=0");
    /* a body that is not multipart */
    const snb_sip_msg_t *plain =
        parse("OPTIONS sip:a@b SIP/2.0\nCall-ID: x\nCSeq: 1 OPTIONS\nContent-Length: 0\n\n");
    ck_assert_int_eq(api->parts(plain, on_part, &s), -1);
}
END_TEST

/* Nested multipart: the inner parts follow their container, depth + 1. */
START_TEST(nested_multipart)
{
    const snb_sip_msg_t *m =
        parse("MESSAGE sip:a@b SIP/2.0\nCall-ID: n\nCSeq: 1 MESSAGE\n"
              "Content-Type: multipart/mixed; boundary=outer\nContent-Length: 158\n\n"
              "--outer\nContent-Type: multipart/alternative; boundary=inner\n\n"
              "--inner\nContent-Type: text/plain\n\nhello\n--inner--\n"
              "--outer\nContent-Type: text/html\n\n<b>hi</b>\n--outer--\n");
    parts_seen_t s = {0};
    ck_assert_int_eq(api->parts(m, on_part, &s), 3);
    ck_assert(s.p[0].multipart);
    ck_assert_uint_eq(s.p[1].depth, 1);
    ASSERT_STR(s.p[1].body, "hello");
    ck_assert_uint_eq(s.p[2].depth, 0);
    ASSERT_STR(s.p[2].content_type, "text/html");
}
END_TEST

/* What a queued or retained event keeps: the accessors read the copy after
 * the parse buffer and index are overwritten. */
START_TEST(compact_copy_outlives_the_original)
{
    parse(invite);
    size_t size = sip_msg_copy_size(&parsed);
    ck_assert_uint_lt(size, sizeof parsed); /* only the headers used */
    char *text = malloc(parsed.len);
    memcpy(text, parsed.buf, parsed.len);
    sip_msg_t *copy = malloc(size);
    sip_msg_copy(&parsed, copy, text);
    memset(wire, 'x', sizeof wire);
    memset(&parsed, 0, sizeof parsed);
    const snb_sip_msg_t *m = (const snb_sip_msg_t *)copy;
    ASSERT_STR(api->header(m, "i", 0), "call-1@example.com");
    ck_assert_uint_eq(api->header_count(m, "Via"), 3);
    ASSERT_STR(copy->from.tag, "abc");
    parts_seen_t s = {0};
    ck_assert_int_eq(api->parts(m, on_part, &s), 2);
    ASSERT_STR(s.p[1].disposition, "recording-session");
    free(copy);
    free(text);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sip_access");
    TCase *tc = tcase_create("sip_access");
    tcase_add_test(tc, headers_by_name_and_compact_form);
    tcase_add_test(tc, name_addr_and_uri_parts);
    tcase_add_test(tc, multipart_parts_with_their_headers);
    tcase_add_test(tc, nested_multipart);
    tcase_add_test(tc, compact_copy_outlives_the_original);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
