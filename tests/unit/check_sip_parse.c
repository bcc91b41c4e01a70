/* SIP message parser: start lines, header forms, key headers, bodies,
 * multipart, malformed classes, limits and truncation. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "sip_msg.h"
#include "sip_msg_int.h"

static sip_msg_t M;

static bool str_is(snb_str_t s, const char *lit)
{
    return s.p && s.len == strlen(lit) && memcmp(s.p, lit, s.len) == 0;
}
#define ck_str(s, lit)                                                                             \
    ck_assert_msg(str_is((s), (lit)), "%s: got '%.*s' want '%s'", #s, (int)(s).len,                \
                  (s).p ? (s).p : "(null)", (lit))

static sip_parse_result_t parse(const char *txt, unsigned flags, size_t *used)
{
    size_t u;
    sip_parse_result_t r = sip_msg_parse(txt, strlen(txt), flags, &M, used ? used : &u);
    return r;
}

/* A real INVITE from tests/data/sip-sdp-example.pcap (frame 1). */
static const char INVITE[] =
    "INVITE sip:101@10.33.6.100;user=phone SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 10.33.6.101;branch=z9hG4bKac1450533991\r\n"
    "Max-Forwards: 70\r\n"
    "From: <sip:201@10.33.6.101>;tag=1c1450530943\r\n"
    "To: <sip:101@10.33.6.100;user=phone>\r\n"
    "Call-ID: 1450530377152201062221@10.33.6.101\r\n"
    "CSeq: 1 INVITE\r\n"
    "Contact: <sip:201@10.33.6.101:5060>\r\n"
    "Supported: em,100rel,timer,replaces,path,resource-priority,sdp-anat\r\n"
    "Allow: REGISTER,OPTIONS,INVITE,ACK,CANCEL,BYE,NOTIFY,PRACK,REFER,INFO,SUBSCRIBE,UPDATE\r\n"
    "User-Agent: GW/v.6.20A.027.012\r\n"
    "Content-Type: application/sdp\r\n"
    "Content-Length: 122\r\n"
    "\r\n"
    "v=0\r\n"
    "o=GW 1450527918 1450527795 IN IP4 10.33.6.101\r\n"
    "s=Phone-Call\r\n"
    "c=IN IP4 10.33.6.101\r\n"
    "t=0 0\r\n"
    "m=audio 6020 RTP/AVP 8 18\r\n";

#define HDRS                                                                                       \
    "Via: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@h>;tag=1\r\nTo: <sip:b@h>\r\n"             \
    "Call-ID: c1\r\nCSeq: 1 OPTIONS\r\n"

START_TEST(test_request_line)
{
    size_t used;
    ck_assert_int_eq(sip_msg_parse(INVITE, strlen(INVITE), 0, &M, &used), SIP_PARSE_OK);
    ck_assert_uint_eq(used, strlen(INVITE));
    ck_assert(M.is_request);
    ck_assert_int_eq(M.method, SIP_INVITE);
    ck_str(M.method_name, "INVITE");
    ck_str(M.request_uri, "sip:101@10.33.6.100;user=phone");
    ck_str(M.call_id, "1450530377152201062221@10.33.6.101");
    ck_assert_uint_eq(M.cseq, 1);
    ck_assert_int_eq(M.cseq_method, SIP_INVITE);
    ck_str(M.via_transport, "UDP");
    ck_str(M.via_sent_by, "10.33.6.101");
    ck_str(M.via_branch, "z9hG4bKac1450533991");
    ck_assert_uint_eq(M.via_count, 1);
    ck_str(M.from.user, "201");
    ck_str(M.from.host, "10.33.6.101");
    ck_str(M.from.tag, "1c1450530943");
    ck_str(M.to.uri, "sip:101@10.33.6.100;user=phone");
    ck_str(M.to.host, "10.33.6.100");
    ck_assert_ptr_null(M.to.tag.p);
    ck_str(M.content_type, "application/sdp");
    ck_assert_int_eq(M.content_length, 122);
    ck_assert_uint_eq(M.body.len, 122);
    ck_assert(memcmp(M.body.p, "v=0\r\n", 5) == 0);
    ck_assert_uint_eq(M.malformed, 0);
    ck_assert_uint_eq(M.n_headers, 12);
    ck_str(sip_msg_sdp(&M), "v=0\r\no=GW 1450527918 1450527795 IN IP4 10.33.6.101\r\n"
                            "s=Phone-Call\r\nc=IN IP4 10.33.6.101\r\nt=0 0\r\n"
                            "m=audio 6020 RTP/AVP 8 18\r\n");
    ck_assert_ptr_eq(M.buf, INVITE);
    ck_assert_uint_eq(M.len, strlen(INVITE));
}
END_TEST

START_TEST(test_status_line)
{
    ck_assert_int_eq(parse("SIP/2.0 180 Ringing\r\n" HDRS "\r\n", 0, NULL), SIP_PARSE_OK);
    ck_assert(!M.is_request);
    ck_assert_uint_eq(M.status_code, 180);
    ck_str(M.reason, "Ringing");
    ck_assert_uint_eq(M.malformed, 0);
    /* reason phrase with spaces, and an empty one */
    ck_assert_int_eq(parse("SIP/2.0 486 Busy Here\r\n" HDRS "\r\n", 0, NULL), SIP_PARSE_OK);
    ck_str(M.reason, "Busy Here");
    ck_assert_int_eq(parse("SIP/2.0 200 \r\n" HDRS "\r\n", 0, NULL), SIP_PARSE_OK);
    ck_assert_uint_eq(M.status_code, 200);
    ck_assert_uint_eq(M.reason.len, 0);
    ck_assert_int_eq(parse("SIP/2.0 200\r\n" HDRS "\r\n", 0, NULL), SIP_PARSE_OK);
    ck_assert_uint_eq(M.status_code, 200);
    ck_assert_uint_eq(M.malformed, 0);
    /* a response is not checked against its CSeq method */
    ck_assert_int_eq(M.cseq_method, SIP_OPTIONS);
    /* SIP-looking but broken status: kept, flagged */
    ck_assert_int_eq(parse("SIP/2.0 2x0 OK\r\n" HDRS "\r\n", 0, NULL), SIP_PARSE_OK);
    ck_assert(M.malformed & SIP_MAL_BAD_START_LINE);
    ck_assert_str_eq(sip_malformed_reason(M.malformed), "bad start line");
}
END_TEST

START_TEST(test_methods)
{
    static const char *names[] = {"INVITE",  "ACK",   "BYE",       "CANCEL", "REGISTER",
                                  "OPTIONS", "PRACK", "SUBSCRIBE", "NOTIFY", "PUBLISH",
                                  "INFO",    "REFER", "MESSAGE",   "UPDATE"};
    for (int i = 0; i < 14; i++) {
        ck_assert_int_eq(sip_method_from(snb_str(names[i], strlen(names[i]))), i + 1);
        ck_assert_str_eq(sip_method_name((sip_method_t)(i + 1)), names[i]);
    }
    ck_assert_int_eq(sip_method_from(SNB_STR_LIT("invite")), SIP_METHOD_UNKNOWN); /* case */
    ck_assert_str_eq(sip_method_name(SIP_METHOD_UNKNOWN), "UNKNOWN");
    ck_assert_str_eq(sip_method_name((sip_method_t)99), "UNKNOWN");
    /* unknown method kept as written */
    ck_assert_int_eq(parse("FOOBAR sip:x@h SIP/2.0\r\n" HDRS "\r\n", 0, NULL), SIP_PARSE_OK);
    ck_assert_int_eq(M.method, SIP_METHOD_UNKNOWN);
    ck_str(M.method_name, "FOOBAR");
    ck_str(M.request_uri, "sip:x@h");
    ck_assert(M.malformed & SIP_MAL_CSEQ_METHOD_MISMATCH);
    /* lower-case method is a token but not a known method */
    ck_assert_int_eq(parse("invite sip:x@h SIP/2.0\r\n\r\n", 0, NULL), SIP_PARSE_OK);
    ck_assert_int_eq(M.method, SIP_METHOD_UNKNOWN);
}
END_TEST

START_TEST(test_not_sip)
{
    size_t used = 99;
    ck_assert_int_eq(sip_msg_parse("", 0, 0, &M, &used), SIP_PARSE_NOT_SIP);
    ck_assert_uint_eq(used, 0);
    ck_assert_int_eq(sip_msg_parse("", 0, SIP_PARSE_STREAM, &M, &used), SIP_PARSE_INCOMPLETE);
    ck_assert_int_eq(sip_msg_parse(NULL, 0, 0, &M, &used), SIP_PARSE_NOT_SIP);
    ck_assert_int_eq(parse("GET / HTTP/1.1\r\nHost: x\r\n\r\n", 0, NULL), SIP_PARSE_NOT_SIP);
    ck_assert_int_eq(parse("\x80\x00\x01\x02\r\n", 0, NULL), SIP_PARSE_NOT_SIP);
    ck_assert_int_eq(parse("hello world\r\n", 0, NULL), SIP_PARSE_NOT_SIP);
    ck_assert_int_eq(parse("\r\n\r\n", 0, NULL), SIP_PARSE_NOT_SIP);
    /* stream: garbage with a line end is NOT_SIP, a start-line prefix is INCOMPLETE */
    ck_assert_int_eq(parse("\x01\x02garbage", SIP_PARSE_STREAM, NULL), SIP_PARSE_NOT_SIP);
    ck_assert_int_eq(parse("INVITE sip:a@b SI", SIP_PARSE_STREAM, NULL), SIP_PARSE_INCOMPLETE);
    ck_assert_int_eq(parse("SIP/2.", SIP_PARSE_STREAM, NULL), SIP_PARSE_INCOMPLETE);
    ck_assert(!sip_looks_like_sip("GET / HTTP/1.1\r\n", 16));
    ck_assert(sip_looks_like_sip("SIP/2.0 200 OK\r\n", 16));
    ck_assert(sip_looks_like_sip("OPTIONS sip:a SIP/2.0\r\n", 23));
    ck_assert(!sip_looks_like_sip("OPTIONS sip:a SIP/3.0\r\n", 23));
    ck_assert(!sip_looks_like_sip("SIP/2.0", 7));
}
END_TEST

START_TEST(test_compact_forms)
{
    const char *msg = "MESSAGE sip:b@h SIP/2.0\r\n"
                      "v: SIP/2.0/TCP 10.0.0.1:5060;branch=z9hG4bKc\r\n"
                      "f: \"A\" <sip:a@h>;tag=9\r\n"
                      "t: sip:b@h\r\n"
                      "i: compact-1\r\n"
                      "CSeq: 5 MESSAGE\r\n"
                      "m: <sip:a@10.0.0.1>\r\n"
                      "k: 100rel\r\n"
                      "s: hi\r\n"
                      "e: gzip\r\n"
                      "o: refer\r\n"
                      "r: <sip:c@h>\r\n"
                      "u: presence\r\n"
                      "b: <sip:d@h>\r\n"
                      "x: 1800\r\n"
                      "y: eyJhbGciOi.x.y;info=<https://c>\r\n"
                      "c: text/plain\r\n"
                      "l: 5\r\n"
                      "\r\n"
                      "hello";
    ck_assert_int_eq(parse(msg, 0, NULL), SIP_PARSE_OK);
    ck_assert_uint_eq(M.malformed, 0);
    ck_str(M.call_id, "compact-1");
    ck_str(M.from.display, "A");
    ck_str(M.from.tag, "9");
    ck_str(M.to.uri, "sip:b@h");
    ck_str(M.via_transport, "TCP");
    ck_str(M.via_sent_by, "10.0.0.1:5060");
    ck_str(M.content_type, "text/plain");
    ck_assert_int_eq(M.content_length, 5);
    ck_str(M.body, "hello");
    static const char *full[][2] = {
        {"Contact", "<sip:a@10.0.0.1>"},
        {"Supported", "100rel"},
        {"Subject", "hi"},
        {"Content-Encoding", "gzip"},
        {"Event", "refer"},
        {"Refer-To", "<sip:c@h>"},
        {"Allow-Events", "presence"},
        {"Referred-By", "<sip:d@h>"},
        {"Session-Expires", "1800"},
        {"Identity", "eyJhbGciOi.x.y;info=<https://c>"},
        {"Call-ID", "compact-1"},
        {"Content-Length", "5"},
    };
    for (size_t i = 0; i < sizeof full / sizeof full[0]; i++) {
        snb_str_t v = sip_msg_header(&M, full[i][0], 0);
        ck_assert_msg(str_is(v, full[i][1]), "%s", full[i][0]);
        /* and the compact name finds the same */
    }
    ck_str(sip_msg_header(&M, "m", 0), "<sip:a@10.0.0.1>");
    ck_str(sip_msg_header(&M, "CONTACT", 0), "<sip:a@10.0.0.1>");
    ck_assert_ptr_null(sip_msg_header(&M, "Route", 0).p);
}
END_TEST

START_TEST(test_case_and_folding)
{
    const char *msg = "OPTIONS sip:b@h SIP/2.0\n"
                      "VIA: SIP/2.0/UDP h;branch=z9hG4bKf\n"
                      "from: <sip:a@h>;tag=1\n"
                      "tO : <sip:b@h>\n"
                      "call-id: fold-1\n"
                      "CSEQ: 7 OPTIONS\n"
                      "Subject: first\n"
                      " second\n"
                      "\tthird\n"
                      "X-Empty:\n"
                      "\n";
    ck_assert_int_eq(parse(msg, 0, NULL), SIP_PARSE_OK);
    ck_assert_uint_eq(M.malformed, 0);
    ck_str(M.call_id, "fold-1");
    ck_assert_uint_eq(M.cseq, 7);
    ck_str(M.to.uri, "sip:b@h");
    ck_str(M.via_branch, "z9hG4bKf");
    snb_str_t subj = sip_msg_header(&M, "subject", 0);
    ck_str(subj, "first\n second\n\tthird");
    char buf[64];
    ck_assert_uint_eq(sip_msg_header_unfold(subj, buf, sizeof buf), 18);
    ck_assert_str_eq(buf, "first second third");
    ck_assert_uint_eq(sip_msg_header_unfold(subj, buf, 6), 5);
    ck_assert_str_eq(buf, "first");
    snb_str_t e = sip_msg_header(&M, "X-Empty", 0);
    ck_assert_ptr_nonnull(e.p);
    ck_assert_uint_eq(e.len, 0);
    /* bare LF: body empty, no Content-Length in a datagram = rest (none) */
    ck_assert_uint_eq(M.body.len, 0);
    /* folded Call-ID value (key header interpreted after the continuation) */
    ck_assert_int_eq(parse("OPTIONS sip:b@h SIP/2.0\r\nCall-ID: a\r\n b\r\n\r\n", 0, NULL),
                     SIP_PARSE_OK);
    ck_str(M.call_id, "a\r\n b");
    /* a continuation with no header before it */
    ck_assert_int_eq(parse("OPTIONS sip:b@h SIP/2.0\r\n cont\r\n\r\n", 0, NULL), SIP_PARSE_OK);
    ck_assert(M.malformed & SIP_MAL_BAD_HEADER);
}
END_TEST

START_TEST(test_multi_via_and_lists)
{
    const char *msg = "SIP/2.0 200 OK\r\n"
                      "Via: SIP/2.0/UDP p1.example.com;branch=z9hG4bKa, SIP/2.0/UDP "
                      "p2.example.com:5070;branch=z9hG4bKb\r\n"
                      "v: SIP/2.0/TLS [2001:db8::1]:5061;branch=z9hG4bKc;received=1.2.3.4\r\n"
                      "Record-Route: <sip:r1;lr>, <sip:r2;lr>\r\n"
                      "Record-Route: <sip:r3;lr>\r\n"
                      "Contact: \"Smith, J\" <sip:j@h>;q=0.5, <sip:k@h>\r\n"
                      "From: <sip:a@h>;tag=1\r\nTo: <sip:b@h>;tag=2\r\n"
                      "Call-ID: v\r\nCSeq: 1 INVITE\r\n"
                      "Authorization: Digest username=\"a\", realm=\"b\"\r\n"
                      "Content-Length: 0\r\n\r\n";
    ck_assert_int_eq(parse(msg, 0, NULL), SIP_PARSE_OK);
    ck_assert_uint_eq(M.malformed, 0);
    ck_assert_uint_eq(M.via_count, 3);
    ck_str(M.via_sent_by, "p1.example.com");
    ck_str(M.via_branch, "z9hG4bKa");
    ck_assert_uint_eq(sip_msg_header_count(&M, "Via"), 3);
    ck_str(sip_msg_header(&M, "via", 1), "SIP/2.0/UDP p2.example.com:5070;branch=z9hG4bKb");
    ck_str(sip_msg_header(&M, "Via", 2),
           "SIP/2.0/TLS [2001:db8::1]:5061;branch=z9hG4bKc;received=1.2.3.4");
    ck_str(sip_param(sip_msg_header(&M, "Via", 2), "received"), "1.2.3.4");
    ck_assert_uint_eq(sip_msg_header_count(&M, "Record-Route"), 3);
    ck_str(sip_msg_header(&M, "Record-Route", 2), "<sip:r3;lr>");
    ck_assert_uint_eq(sip_msg_header_count(&M, "Contact"), 2);
    ck_str(sip_msg_header(&M, "Contact", 0), "\"Smith, J\" <sip:j@h>;q=0.5");
    /* not a list header: commas stay inside one value */
    ck_assert_uint_eq(sip_msg_header_count(&M, "Authorization"), 1);
    ck_assert_ptr_null(sip_msg_header(&M, "Via", 3).p);
    ck_assert_int_eq(M.content_length, 0);
}
END_TEST

START_TEST(test_nameaddr)
{
    sip_nameaddr_t na;
    sip_parse_nameaddr(SNB_STR_LIT("\"Alice \\\"A\\\"\" <sips:alice:secret@Example.com:5061;"
                                   "transport=tls>;tag=abc;x=1"),
                       &na);
    ck_str(na.display, "Alice \\\"A\\\"");
    ck_str(na.uri, "sips:alice:secret@Example.com:5061;transport=tls");
    ck_str(na.user, "alice");
    ck_str(na.host, "Example.com");
    ck_str(na.tag, "abc");
    sip_parse_nameaddr(SNB_STR_LIT("Bob <sip:bob@[2001:db8::2]:5060>"), &na);
    ck_str(na.display, "Bob");
    ck_str(na.user, "bob");
    ck_str(na.host, "2001:db8::2");
    ck_assert_ptr_null(na.tag.p);
    /* addr-spec: ;tag belongs to the header, not the URI */
    sip_parse_nameaddr(SNB_STR_LIT("sip:carol@chicago.com;tag=887s"), &na);
    ck_str(na.uri, "sip:carol@chicago.com");
    ck_str(na.host, "chicago.com");
    ck_str(na.tag, "887s");
    ck_assert_ptr_null(na.display.p);
    /* URI param named tag inside <> is not the header tag */
    sip_parse_nameaddr(SNB_STR_LIT("<sip:x@h;tag=uri>"), &na);
    ck_assert_ptr_null(na.tag.p);
    sip_parse_nameaddr(SNB_STR_LIT("<tel:+15551234567>;tag=t"), &na);
    ck_str(na.user, "+15551234567");
    ck_assert_ptr_null(na.host.p);
    ck_str(na.tag, "t");
    sip_parse_nameaddr(SNB_STR_LIT("<sip:host.only>"), &na);
    ck_assert_ptr_null(na.user.p);
    ck_str(na.host, "host.only");
    sip_parse_nameaddr(SNB_STR_NULL, &na);
    ck_assert_ptr_null(na.uri.p);
    /* sip_param: present without value, quoted, absent */
    ck_str(sip_param(SNB_STR_LIT("SIP/2.0/UDP h;rport;branch=z9"), "branch"), "z9");
    snb_str_t rp = sip_param(SNB_STR_LIT("SIP/2.0/UDP h;rport;branch=z9"), "rport");
    ck_assert_ptr_nonnull(rp.p);
    ck_assert_uint_eq(rp.len, 0);
    ck_assert_ptr_null(sip_param(SNB_STR_LIT("SIP/2.0/UDP h;branch=z9, x;y=1"), "y").p);
}
END_TEST

/* A name-addr's tag is sip_param(its parameters, "tag") whether ";tag="
 * comes first (the fast path) or not, in any case, with LWS, empty, cut by
 * ',' or ';', or absent. */
START_TEST(test_nameaddr_tag_forms)
{
    static const struct {
        const char *value, *tag; /* tag NULL: absent */
    } cases[] = {
        {"<sip:a@h>;tag=abc", "abc"},
        {"<sip:a@h>;TaG=abc;x=1", "abc"},
        {"<sip:a@h>;tag= abc ;x=1", "abc"},
        {"<sip:a@h>;tag=abc,<sip:b@h>", "abc"},
        {"<sip:a@h>;tag=", ""},
        {"<sip:a@h> ;tag=t1", "t1"},
        {"<sip:a@h>; tag=t2", "t2"},
        {"<sip:a@h>;x=1;tag=t3", "t3"},
        {"<sip:a@h>;tagx=1;tag=t4", "t4"},
        {"<sip:a@h>;tag", ""},
        {"<sip:a@h>;tags=1", NULL},
        {"<sip:a@h;tag=in-uri>", NULL},
        {"sip:a@h;tag=t5", "t5"},
        {"<sip:a@h>;tag=\"q;x\"", "\"q"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sip_nameaddr_t na;
        sip_parse_nameaddr(snb_str(cases[i].value, strlen(cases[i].value)), &na);
        if (!cases[i].tag) {
            ck_assert_msg(!na.tag.p, "%s: tag '%.*s'", cases[i].value, (int)na.tag.len, na.tag.p);
            continue;
        }
        ck_assert_msg(str_is(na.tag, cases[i].tag), "%s: tag '%.*s' want '%s'", cases[i].value,
                      (int)na.tag.len, na.tag.p ? na.tag.p : "(null)", cases[i].tag);
    }
}
END_TEST

START_TEST(test_missing_headers)
{
    struct {
        const char *msg;
        uint32_t flag;
        const char *reason;
    } cases[] = {
        {"OPTIONS sip:b@h SIP/2.0\r\nVia: SIP/2.0/UDP h\r\nFrom: <sip:a@h>\r\nTo: <sip:b@h>\r\n"
         "CSeq: 1 OPTIONS\r\n\r\n",
         SIP_MAL_NO_CALL_ID, "missing Call-ID"},
        {"OPTIONS sip:b@h SIP/2.0\r\nVia: SIP/2.0/UDP h\r\nFrom: <sip:a@h>\r\nTo: <sip:b@h>\r\n"
         "Call-ID: x\r\n\r\n",
         SIP_MAL_NO_CSEQ, "missing CSeq"},
        {"OPTIONS sip:b@h SIP/2.0\r\nVia: SIP/2.0/UDP h\r\nTo: <sip:b@h>\r\n"
         "Call-ID: x\r\nCSeq: 1 OPTIONS\r\n\r\n",
         SIP_MAL_NO_FROM, "missing From"},
        {"OPTIONS sip:b@h SIP/2.0\r\nVia: SIP/2.0/UDP h\r\nFrom: <sip:a@h>\r\n"
         "Call-ID: x\r\nCSeq: 1 OPTIONS\r\n\r\n",
         SIP_MAL_NO_TO, "missing To"},
        {"OPTIONS sip:b@h SIP/2.0\r\nFrom: <sip:a@h>\r\nTo: <sip:b@h>\r\n"
         "Call-ID: x\r\nCSeq: 1 OPTIONS\r\n\r\n",
         SIP_MAL_NO_VIA, "missing Via"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ck_assert_int_eq(parse(cases[i].msg, 0, NULL), SIP_PARSE_OK);
        ck_assert_uint_eq(M.malformed, cases[i].flag);
        ck_assert_str_eq(sip_malformed_reason(M.malformed), cases[i].reason);
    }
    ck_assert_str_eq(sip_malformed_reason(0), "");
}
END_TEST

START_TEST(test_bad_cseq)
{
    const char *bad[] = {"CSeq: x INVITE",          "CSeq: 1",
                         "CSeq: 2147483648 INVITE", "CSeq: 99999999999999999999999 INVITE",
                         "CSeq: 1 INVITE extra",    "CSeq: INVITE"};
    char buf[512];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(buf, sizeof buf,
                 "INVITE sip:b@h SIP/2.0\r\nVia: SIP/2.0/UDP h\r\nFrom: <sip:a@h>\r\n"
                 "To: <sip:b@h>\r\nCall-ID: x\r\n%s\r\n\r\n",
                 bad[i]);
        ck_assert_int_eq(parse(buf, 0, NULL), SIP_PARSE_OK);
        ck_assert_msg(M.malformed & SIP_MAL_BAD_CSEQ, "%s", bad[i]);
        ck_assert_msg(!(M.malformed & SIP_MAL_NO_CSEQ), "%s", bad[i]);
    }
    ck_assert_int_eq(parse("INVITE sip:b@h SIP/2.0\r\nVia: SIP/2.0/UDP h\r\nFrom: <sip:a@h>\r\n"
                           "To: <sip:b@h>\r\nCall-ID: x\r\nCSeq: 2147483647 BYE\r\n\r\n",
                           0, NULL),
                     SIP_PARSE_OK);
    ck_assert_uint_eq(M.cseq, 2147483647u);
    ck_assert_uint_eq(M.malformed, SIP_MAL_CSEQ_METHOD_MISMATCH);
}
END_TEST

START_TEST(test_content_length)
{
    size_t used;
    /* 4 GB and garbage must not overflow; flagged, body = rest of datagram */
    const char *big = "MESSAGE sip:b@h SIP/2.0\r\n" HDRS "Content-Length: 4294967296\r\n\r\nab";
    ck_assert_int_eq(parse(big, 0, &used), SIP_PARSE_OK);
    ck_assert(M.malformed & SIP_MAL_BAD_CONTENT_LENGTH);
    ck_assert_int_eq(M.content_length, -1);
    ck_str(M.body, "ab");
    ck_assert_uint_eq(used, strlen(big));
    ck_assert_int_eq(parse("MESSAGE sip:b@h SIP/2.0\r\n" HDRS
                           "Content-Length: 184467440737095516160\r\n\r\n",
                           0, NULL),
                     SIP_PARSE_OK);
    ck_assert(M.malformed & SIP_MAL_BAD_CONTENT_LENGTH);
    ck_assert_int_eq(
        parse("MESSAGE sip:b@h SIP/2.0\r\n" HDRS "Content-Length: -1\r\n\r\n", 0, NULL),
        SIP_PARSE_OK);
    ck_assert(M.malformed & SIP_MAL_BAD_CONTENT_LENGTH);
    ck_assert_int_eq(
        parse("MESSAGE sip:b@h SIP/2.0\r\n" HDRS "Content-Length: 2\r\nl: 3\r\n\r\nabc", 0, NULL),
        SIP_PARSE_OK);
    ck_assert(M.malformed & SIP_MAL_BAD_CONTENT_LENGTH);
    /* same value twice is fine */
    ck_assert_int_eq(
        parse("MESSAGE sip:b@h SIP/2.0\r\n" HDRS "Content-Length: 2\r\nl: 2\r\n\r\nab", 0, NULL),
        SIP_PARSE_OK);
    ck_assert_uint_eq(M.malformed, SIP_MAL_CSEQ_METHOD_MISMATCH);
    /* 4 GB in stream mode: garbage too, body 0, never INCOMPLETE */
    ck_assert_int_eq(parse(big, SIP_PARSE_STREAM, &used), SIP_PARSE_OK);
    ck_assert_uint_eq(M.body.len, 0);
    ck_assert_uint_eq(used, strlen(big) - 2);
    /* valid but huge in stream mode: INCOMPLETE with the size it needs */
    const char *huge = "MESSAGE sip:b@h SIP/2.0\r\n" HDRS "Content-Length: 2147483647\r\n\r\nab";
    ck_assert_int_eq(parse(huge, SIP_PARSE_STREAM, &used), SIP_PARSE_INCOMPLETE);
    ck_assert_uint_eq(used, strlen(huge) - 2 + 2147483647ull);
    ck_assert_int_eq(M.content_length, 2147483647);
    /* datagram: beyond the data -> truncated body */
    ck_assert_int_eq(parse(huge, 0, &used), SIP_PARSE_OK);
    ck_assert(M.malformed & SIP_MAL_BODY_TRUNCATED);
    ck_str(M.body, "ab");
    /* several messages in one buffer delimited by Content-Length */
    const char *two =
        "MESSAGE sip:b@h SIP/2.0\r\n" HDRS "l: 1\r\n\r\nxSIP/2.0 200 OK\r\n" HDRS "\r\n";
    ck_assert_int_eq(parse(two, 0, &used), SIP_PARSE_OK);
    ck_str(M.body, "x");
    ck_assert_int_eq(sip_msg_parse(two + used, strlen(two) - used, 0, &M, &used), SIP_PARSE_OK);
    ck_assert_uint_eq(M.status_code, 200);
    /* stream without Content-Length: body is empty */
    const char *nocl = "OPTIONS sip:b@h SIP/2.0\r\n" HDRS "\r\ntrailing";
    ck_assert_int_eq(parse(nocl, SIP_PARSE_STREAM, &used), SIP_PARSE_OK);
    ck_assert_uint_eq(M.body.len, 0);
    ck_assert_uint_eq(used, strlen(nocl) - 8);
    ck_assert_int_eq(parse(nocl, 0, &used), SIP_PARSE_OK);
    ck_str(M.body, "trailing");
}
END_TEST

START_TEST(test_control_bytes)
{
    static const char msg[] = "OPTIONS sip:b@h SIP/2.0\r\nVia: SIP/2.0/UDP h\r\nFrom: <sip:a@h>\r\n"
                              "To: <sip:b@h>\r\nCall-ID: a\0b\r\nCSeq: 1 OPTIONS\r\n\r\n";
    size_t used;
    ck_assert_int_eq(sip_msg_parse(msg, sizeof msg - 1, 0, &M, &used), SIP_PARSE_OK);
    ck_assert_uint_eq(M.malformed, SIP_MAL_CONTROL_BYTES);
    ck_assert_uint_eq(M.call_id.len, 3); /* NUL kept inside the slice */
    ck_assert_uint_eq(used, sizeof msg - 1);
    ck_assert_int_eq(parse("OPTIONS sip:b@h SIP/2.0\r\n" HDRS "X: a\x01\x7f\r\n\r\n", 0, NULL),
                     SIP_PARSE_OK);
    ck_assert_uint_eq(M.malformed, SIP_MAL_CONTROL_BYTES);
    /* a tab is not a control byte */
    ck_assert_int_eq(parse("OPTIONS sip:b@h SIP/2.0\r\n" HDRS "X: a\tb\r\n\r\n", 0, NULL),
                     SIP_PARSE_OK);
    ck_assert_uint_eq(M.malformed, 0);
    /* header line without a colon, or a bad name */
    ck_assert_int_eq(parse("OPTIONS sip:b@h SIP/2.0\r\n" HDRS "no colon here\r\n\r\n", 0, NULL),
                     SIP_PARSE_OK);
    ck_assert_uint_eq(M.malformed, SIP_MAL_BAD_HEADER);
    ck_assert_int_eq(parse("OPTIONS sip:b@h SIP/2.0\r\n" HDRS "Bad Name: v\r\n\r\n", 0, NULL),
                     SIP_PARSE_OK);
    ck_assert_uint_eq(M.malformed, SIP_MAL_BAD_HEADER);
    ck_assert_uint_eq(M.n_headers, 5);
}
END_TEST

START_TEST(test_start_line_malformed)
{
    ck_assert_int_eq(parse("INVITE  sip:b@h  SIP/2.0\r\n" HDRS "\r\n", 0, NULL), SIP_PARSE_OK);
    ck_assert(M.malformed & SIP_MAL_BAD_START_LINE);
    ck_assert_int_eq(M.method, SIP_INVITE);
    ck_assert_int_eq(parse("INVITE sip:b@h SIP/3.0\r\n" HDRS "\r\n", 0, NULL), SIP_PARSE_OK);
    ck_assert(M.malformed & SIP_MAL_BAD_START_LINE);
    ck_str(M.request_uri, "sip:b@h");
    ck_assert_int_eq(parse("BYE \r\n" HDRS "\r\n", 0, NULL), SIP_PARSE_OK);
    ck_assert(M.malformed & SIP_MAL_BAD_START_LINE);
    /* no header end in a datagram */
    ck_assert_int_eq(parse("OPTIONS sip:b@h SIP/2.0\r\n" HDRS, 0, NULL), SIP_PARSE_OK);
    ck_assert_uint_eq(M.malformed, SIP_MAL_NO_HEADER_END);
    ck_assert_int_eq(parse("OPTIONS sip:b@h SIP/2.0", 0, NULL), SIP_PARSE_OK);
    ck_assert(M.malformed & SIP_MAL_NO_HEADER_END);
    ck_assert(M.malformed & SIP_MAL_NO_CALL_ID);
}
END_TEST

START_TEST(test_many_headers)
{
    size_t cap = 64 + 10000 * 16 + 512;
    char *buf = malloc(cap);
    size_t n = (size_t)snprintf(buf, cap, "OPTIONS sip:b@h SIP/2.0\r\n");
    for (int i = 0; i < 10000; i++)
        n += (size_t)snprintf(buf + n, cap - n, "X-H%05d: v\r\n", i);
    n += (size_t)snprintf(buf + n, cap - n,
                          HDRS "User-Agent: late\r\nServer: late\r\nContent-Length: 0\r\n\r\n");
    size_t used;
    ck_assert_int_eq(sip_msg_parse(buf, n, 0, &M, &used), SIP_PARSE_OK);
    ck_assert_uint_eq(used, n);
    ck_assert_uint_eq(M.n_headers, SIP_MAX_HEADERS);
    ck_assert_uint_eq(M.malformed, SIP_MAL_TOO_MANY_HEADERS);
    /* key headers after the index is full are still interpreted */
    ck_str(M.call_id, "c1");
    ck_assert_uint_eq(M.via_count, 1);
    ck_assert_int_eq(M.content_length, 0);
    ck_str(sip_msg_header(&M, "X-H00095", 0), "v");
    ck_assert_ptr_null(sip_msg_header(&M, "X-H00096", 0).p);
    /* User-Agent and Server are kept as a lookup finds them: past the
     * index, not at all */
    ck_assert_ptr_null(sip_msg_header(&M, "User-Agent", 0).p);
    ck_assert_ptr_null(M.user_agent.p);
    ck_assert_ptr_null(M.server.p);
    free(buf);
}
END_TEST

START_TEST(test_long_line)
{
    size_t big = 1024 * 1024;
    char *buf = malloc(big + 512);
    size_t n = (size_t)snprintf(buf, 512, "OPTIONS sip:b@h SIP/2.0\r\n" HDRS "X-Long: ");
    memset(buf + n, 'a', big);
    n += big;
    memcpy(buf + n, "\r\n\r\n", 4);
    n += 4;
    size_t used;
    ck_assert_int_eq(sip_msg_parse(buf, n, 0, &M, &used), SIP_PARSE_OK);
    ck_assert_uint_eq(M.malformed, SIP_MAL_LINE_TOO_LONG);
    ck_assert_uint_eq(sip_msg_header(&M, "X-Long", 0).len, big);
    ck_assert_uint_eq(used, n);
    /* as a start line in stream mode without a line end: not a SIP prefix */
    memcpy(buf, "INVITE ", 7);
    memset(buf + 7, 'a', big);
    ck_assert_int_eq(sip_msg_parse(buf, big, SIP_PARSE_STREAM, &M, &used), SIP_PARSE_NOT_SIP);
    free(buf);
}
END_TEST

static const char SIPREC[] = "INVITE sip:srs@127.0.0.1:5080 SIP/2.0\r\n"
                             "Via: SIP/2.0/UDP 127.0.0.1:5070;rport;branch=z9hG4bKsr1\r\n"
                             "From: <sip:src@corpus.test>;tag=src1\r\nTo: <sip:srs@corpus.test>\r\n"
                             "Call-ID: siprec-0001@corpus.test\r\nCSeq: 101 INVITE\r\n"
                             "Content-Type: multipart/mixed;boundary=\"SIPREC-B\"\r\n"
                             "\r\n"
                             "preamble text\r\n"
                             "--SIPREC-B\r\n"
                             "Content-Type: application/rs-metadata+xml\r\n"
                             "Content-Disposition: recording-session\r\n"
                             "\r\n"
                             "<recording/>\r\n"
                             "--SIPREC-B\r\n"
                             "Content-Type: application/SDP; charset=x\r\n"
                             "\r\n"
                             "v=0\r\nm=audio 34000 RTP/AVP 0\r\n"
                             "\r\n"
                             "--SIPREC-B\r\n"
                             "\r\n"
                             "no headers\r\n"
                             "--SIPREC-B--\r\n"
                             "epilogue\r\n";

typedef struct parts {
    int n;
    char ct[4][64];
    char body[4][64];
} parts_t;

static void part_cb(void *ud, snb_str_t ct, snb_str_t body)
{
    parts_t *p = ud;
    if (p->n < 4) {
        snb_str_copy(ct, p->ct[p->n], 64);
        snb_str_copy(body, p->body[p->n], 64);
    }
    p->n++;
}

START_TEST(test_multipart)
{
    ck_assert_int_eq(parse(SIPREC, 0, NULL), SIP_PARSE_OK);
    ck_str(M.content_type, "multipart/mixed");
    parts_t p = {0};
    ck_assert_int_eq(sip_multipart_each(&M, part_cb, &p), 3);
    ck_assert_int_eq(p.n, 3);
    ck_assert_str_eq(p.ct[0], "application/rs-metadata+xml");
    ck_assert_str_eq(p.body[0], "<recording/>");
    ck_assert_str_eq(p.ct[1], "application/SDP");
    ck_assert_str_eq(p.body[1], "v=0\r\nm=audio 34000 RTP/AVP 0\r\n");
    ck_assert_str_eq(p.ct[2], "text/plain");
    ck_assert_str_eq(p.body[2], "no headers");
    ck_str(sip_msg_sdp(&M), "v=0\r\nm=audio 34000 RTP/AVP 0\r\n");
    /* unquoted boundary, bare LF, nested multipart/alternative */
    const char *nested =
        "INVITE sip:b@h SIP/2.0\n" HDRS "Content-Type: multipart/mixed; boundary=outer\n\n"
        "--outer\n"
        "Content-Type: multipart/alternative; boundary=inner\n\n"
        "--inner\nContent-Type: text/plain\n\nhi\n"
        "--inner\nContent-Type: application/sdp\n\nv=0\n\n"
        "--inner--\n"
        "--outer--\n";
    ck_assert_int_eq(parse(nested, 0, NULL), SIP_PARSE_OK);
    memset(&p, 0, sizeof p);
    ck_assert_int_eq(sip_multipart_each(&M, part_cb, &p), 1);
    ck_assert_str_eq(p.ct[0], "multipart/alternative");
    ck_str(sip_msg_sdp(&M), "v=0\n");
    /* no boundary parameter, or a boundary that never occurs: not multipart */
    ck_assert_int_eq(parse("INVITE sip:b@h SIP/2.0\r\n" HDRS
                           "Content-Type: multipart/mixed\r\n\r\n--x\r\n\r\nb\r\n--x--\r\n",
                           0, NULL),
                     SIP_PARSE_OK);
    ck_assert_int_eq(sip_multipart_each(&M, part_cb, &p), -1);
    ck_assert_ptr_null(sip_msg_sdp(&M).p);
    ck_assert_int_eq(parse("INVITE sip:b@h SIP/2.0\r\n" HDRS
                           "Content-Type: multipart/mixed;boundary=zz\r\n\r\n--x\r\n",
                           0, NULL),
                     SIP_PARSE_OK);
    ck_assert_int_eq(sip_multipart_each(&M, part_cb, &p), -1);
    /* plain text body: no SDP */
    ck_assert_int_eq(
        parse("MESSAGE sip:b@h SIP/2.0\r\n" HDRS "c: text/plain\r\n\r\nv=0\r\n", 0, NULL),
        SIP_PARSE_OK);
    ck_assert_ptr_null(sip_msg_sdp(&M).p);
}
END_TEST

/* Every truncation of a real INVITE: datagram mode keeps what is there
 * (flagged), stream mode waits; neither reads past the end (ASan). */
START_TEST(test_truncations)
{
    size_t full = strlen(INVITE);
    size_t hdr_end = (size_t)(strstr(INVITE, "\r\n\r\n") - INVITE) + 4;
    size_t first_lf = (size_t)(strchr(INVITE, '\n') - INVITE) + 1;
    for (size_t n = 0; n <= full; n++) {
        char *copy = malloc(n ? n : 1); /* exact size: ASan sees any over-read */
        memcpy(copy, INVITE, n);
        size_t used;
        sip_parse_result_t r = sip_msg_parse(copy, n, SIP_PARSE_STREAM, &M, &used);
        if (n == full) {
            ck_assert_int_eq(r, SIP_PARSE_OK);
            ck_assert_uint_eq(used, full);
        } else {
            ck_assert_msg(r == SIP_PARSE_INCOMPLETE, "stream n=%zu r=%d", n, r);
            ck_assert_uint_eq(used, n >= hdr_end ? full : 0);
        }
        r = sip_msg_parse(copy, n, 0, &M, &used);
        if (n < 7) {
            ck_assert_int_eq(r, SIP_PARSE_NOT_SIP);
        } else {
            ck_assert_msg(r == SIP_PARSE_OK, "datagram n=%zu", n);
            ck_assert_uint_eq(used, n);
            if (n < hdr_end)
                ck_assert(M.malformed & SIP_MAL_NO_HEADER_END);
            else if (n < full)
                ck_assert(M.malformed & SIP_MAL_BODY_TRUNCATED);
            else
                ck_assert_uint_eq(M.malformed, 0);
            if (n >= first_lf) ck_assert_int_eq(M.method, SIP_INVITE);
        }
        free(copy);
    }
}
END_TEST

/* Every known header classifies to its id by full name and compact form,
 * in any case; the list flags agree with the list of list headers; names
 * that only look alike stay unknown, and lookups by id find every form. */
START_TEST(test_header_ids)
{
    bool compact_used[26] = {false};
    for (int id = 1; id < SIP_H_COUNT_KNOWN; id++) {
        const char *name = sip_hdr_name((sip_hdr_id_t)id);
        ck_assert_ptr_nonnull(name);
        size_t len = strlen(name);
        char upper[32];
        for (size_t i = 0; i <= len; i++)
            upper[i] = (char)(name[i] >= 'a' && name[i] <= 'z' ? name[i] - 32 : name[i]);
        ck_assert_int_eq(sip_hdr_classify(name, len), id);
        ck_assert_int_eq(sip_hdr_classify(upper, len), id);
        ck_assert_int_eq(sip_hdr_is_list((sip_hdr_id_t)id), sip_hdr_name_is_list(upper, len));
        char c = sip_hdr_compact((sip_hdr_id_t)id);
        if (c) {
            char cu = (char)(c - 32);
            ck_assert_int_eq(sip_hdr_classify(&c, 1), id);
            ck_assert_int_eq(sip_hdr_classify(&cu, 1), id);
            compact_used[c - 'a'] = true;
        }
    }
    for (char c = 'a'; c <= 'z'; c++)
        if (!compact_used[c - 'a']) ck_assert_int_eq(sip_hdr_classify(&c, 1), SIP_H_OTHER);
    const char *unknown[] = {"contacts", "call-ie", "tO-", "x-via", "request-dispositions",
                             "",         "-"};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++)
        ck_assert_int_eq(sip_hdr_classify(unknown[i], strlen(unknown[i])), SIP_H_OTHER);
    ck_assert(sip_hdr_name_is_list("Record-Route", 12));
    ck_assert(!sip_hdr_name_is_list("X-Custom", 8));

    const char *msg = "OPTIONS sip:b@h SIP/2.0\r\n" HDRS "Contacts: <sip:no@h>\r\n"
                      "m: <sip:one@h>, <sip:two@h>\r\nCONTACT: <sip:three@h>\r\n"
                      "x-custom: a\r\nX-CUSTOM: b\r\nContent-Length: 0\r\n\r\n";
    ck_assert_int_eq(parse(msg, 0, NULL), SIP_PARSE_OK);
    ck_assert_uint_eq(sip_msg_header_count(&M, "Contact"), 3);
    ck_str(sip_msg_header(&M, "contact", 2), "<sip:three@h>");
    ck_str(sip_msg_header(&M, "Contacts", 0), "<sip:no@h>");
    ck_assert_uint_eq(sip_msg_header_count(&M, "X-Custom"), 2);
    ck_str(sip_msg_header(&M, "X-Custom", 1), "b");
    ck_str(sip_msg_header(&M, "i", 0), "c1");

    /* The parser's own classifier (key_header) agrees for every known
     * name, written in mixed case, and every compact form: a lookup by the
     * canonical name finds each header by its id. */
    for (int form = 0; form < 2; form++) {
        static char text[4096];
        int n = snprintf(text, sizeof text, "OPTIONS sip:b@h SIP/2.0\r\n");
        for (int id = 1; id < SIP_H_COUNT_KNOWN; id++) {
            const char *name = sip_hdr_name((sip_hdr_id_t)id);
            char c = sip_hdr_compact((sip_hdr_id_t)id), written[32];
            if (form == 1 && !c) continue;
            if (form == 1) {
                snprintf(written, sizeof written, "%c", c);
            } else {
                for (size_t i = 0; i <= strlen(name); i++) /* every other letter upper-case */
                    written[i] = (char)(i % 2 && name[i] >= 'a' ? name[i] - 32 : name[i]);
            }
            n += snprintf(text + n, sizeof text - (size_t)n, "%s: v%d\r\n", written, id);
        }
        snprintf(text + n, sizeof text - (size_t)n, "\r\n");
        ck_assert_int_ne(parse(text, 0, NULL), SIP_PARSE_INCOMPLETE);
        if (form == 0) { /* the parse keeps the first User-Agent and Server */
            char ua[8], server[8];
            snprintf(ua, sizeof ua, "v%d", SIP_H_USER_AGENT);
            snprintf(server, sizeof server, "v%d", SIP_H_SERVER);
            ck_assert(str_is(M.user_agent, ua));
            ck_assert(str_is(M.server, server));
        }
        for (int id = 1; id < SIP_H_COUNT_KNOWN; id++) {
            if (form == 1 && !sip_hdr_compact((sip_hdr_id_t)id)) continue;
            char want[8];
            snprintf(want, sizeof want, "v%d", id);
            snb_str_t got = sip_msg_header(&M, sip_hdr_name((sip_hdr_id_t)id), 0);
            ck_assert_msg(str_is(got, want), "%s (form %d): got '%.*s'",
                          sip_hdr_name((sip_hdr_id_t)id), form, (int)got.len, got.p ? got.p : "");
        }
    }
}
END_TEST

START_TEST(test_find_start_line)
{
    const char junk[] =
        "\x00\x01\x02\x03REGISTER sip:1.1.1.1:5060 SIP/2.0\r\nExpires: 3600\r\n\r\n";
    ck_assert_uint_eq(sip_find_start_line(junk, sizeof junk - 1), 4);
    const char resp[] = "xx\r\nSIP/2.0 200 OK\r\n\r\n";
    ck_assert_uint_eq(sip_find_start_line(resp, sizeof resp - 1), 4);
    /* binary junk ending in a token byte glued to a known method */
    const char glued[] = "\x01\x02\x41INVITE sip:a@b SIP/2.0\r\n\r\n";
    ck_assert_uint_eq(sip_find_start_line(glued, sizeof glued - 1), 3);
    /* a Via value is not a start line */
    const char via[] = "Via: SIP/2.0/UDP h\r\nX: SIP/2.0\r\n";
    ck_assert_uint_eq(sip_find_start_line(via, sizeof via - 1), sizeof via - 1);
    ck_assert_uint_eq(sip_find_start_line("", 0), 0);
}
END_TEST

/* The framer parses the start line sip_find_start_line judged instead of
 * parsing it again: the result must equal a plain sip_msg_parse there. */
START_TEST(test_judged_start_line_equals_parse)
{
    /* A start line one byte over SIP_MAX_LINE, its LF still within what
     * the search reads: judged good, flagged too long by the parse. */
    static char big[SIP_MAX_LINE + 3];
    memcpy(big, "OPTIONS sip:", 12);
    memset(big + 12, 'a', sizeof big - 12);
    memcpy(big + SIP_MAX_LINE + 1 - 8, " SIP/2.0\n\n", 10);
    const char *cases[] = {
        "INVITE sip:bob@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nCall-ID: c\r\n\r\n",
        "\x01\x02junkREGISTER sip:r SIP/2.0\r\nTo: <sip:a@r>;tag=1\r\n\r\nbody",
        "xx\r\nSIP/2.0 180 Ringing\r\nCSeq: 1 INVITE\r\n\r\n",
        "SIP/2.0 200 OK\nContent-Length: 2\n\nhi",
        "SIP/2.0 099 Low\r\n\r\nSIP/2.0 100 Trying\r\n\r\n",
        "FOO sip:x SIP/2.0\r\nX: y\r\n\r\n",
        "BYE sip:x  SIP/2.0\r\n\r\nACK sip:x SIP/2.0\r\n\r\n",
        "INVITE sip:x SIP/2.0\r\nX: a\x01b\r\n\r\n",
        "INVITE sip:x SIP/2.0",
        "OPTIONS sip:SIP/2.0@h SIP/2.0\r\n\r\n",
        big,
    };
    int judged = 0;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *d = cases[i];
        size_t n = d == big ? sizeof big : strlen(d);
        sip_start_line_t sl;
        size_t s = sip_find_start_line_judged(d, n, &sl);
        ck_assert_uint_eq(s, sip_find_start_line(d, n));
        if (s >= n) continue;
        judged++;
        ck_assert_ptr_eq(sl.at, d + s);
        sip_msg_t *a = calloc(1, sizeof *a), *b = calloc(1, sizeof *b);
        size_t ua = 0, ub = 0;
        int ra = sip_msg_parse(d + s, n - s, 0, a, &ua);
        int rb = sip_msg_parse_judged(d + s, n - s, 0, b, &ub, &sl);
        ck_assert_int_eq(ra, rb);
        ck_assert_uint_eq(ua, ub);
        ck_assert_int_eq(a->is_request, b->is_request);
        ck_assert_int_eq(a->method, b->method);
        ck_assert_uint_eq(a->status_code, b->status_code);
        ck_assert_uint_eq(a->malformed, b->malformed);
        ck_assert_uint_eq(a->n_headers, b->n_headers);
        ck_assert_ptr_eq(a->method_name.p, b->method_name.p);
        ck_assert_uint_eq(a->method_name.len, b->method_name.len);
        ck_assert_ptr_eq(a->request_uri.p, b->request_uri.p);
        ck_assert_uint_eq(a->request_uri.len, b->request_uri.len);
        ck_assert_ptr_eq(a->reason.p, b->reason.p);
        ck_assert_uint_eq(a->reason.len, b->reason.len);
        ck_assert_ptr_eq(a->body.p, b->body.p);
        ck_assert_uint_eq(a->body.len, b->body.len);
        ck_assert_int_eq(memcmp(a->headers, b->headers, a->n_headers * sizeof *a->headers), 0);
        if (d == big) ck_assert(b->malformed & SIP_MAL_LINE_TOO_LONG);
        free(a);
        free(b);
    }
    ck_assert_int_eq(judged, 10); /* all but the line without an end */
}
END_TEST

/* Parameter values ending at every distance from the value's end and start
 * (the scans take the last 16 bytes in one compare). */
START_TEST(test_param_scan_tails)
{
    char value[128], want[64];
    for (int pad = 0; pad < 24; pad++) {
        for (int k = 0; k < 40; k++) {
            for (int after = 0; after < 3; after++) {
                memset(want, 'x', (size_t)k);
                want[k] = '\0';
                int n = snprintf(value, sizeof value, "SIP/2.0/UDP h%.*s;rport;branch=%s%s", pad,
                                 "000000000000000000000000", want,
                                 after == 0   ? ""
                                 : after == 1 ? ";x"
                                              : ",SIP/2.0/UDP q");
                ck_assert_int_lt(n, (int)sizeof value);
                snb_str_t v = sip_param(snb_str(value, (size_t)n), "branch");
                ck_assert_ptr_nonnull(v.p);
                ck_assert_uint_eq(v.len, (size_t)k);
                ck_assert_int_eq(memcmp(v.p, want, (size_t)k), 0);
                ck_assert_ptr_null(sip_param(snb_str(value, (size_t)n), "branc").p);
            }
        }
    }
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("sip_parse");
    TCase *tc = tcase_create("parse");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_request_line);
    tcase_add_test(tc, test_status_line);
    tcase_add_test(tc, test_methods);
    tcase_add_test(tc, test_not_sip);
    tcase_add_test(tc, test_compact_forms);
    tcase_add_test(tc, test_case_and_folding);
    tcase_add_test(tc, test_multi_via_and_lists);
    tcase_add_test(tc, test_nameaddr);
    tcase_add_test(tc, test_nameaddr_tag_forms);
    tcase_add_test(tc, test_missing_headers);
    tcase_add_test(tc, test_bad_cseq);
    tcase_add_test(tc, test_content_length);
    tcase_add_test(tc, test_control_bytes);
    tcase_add_test(tc, test_start_line_malformed);
    tcase_add_test(tc, test_many_headers);
    tcase_add_test(tc, test_long_line);
    tcase_add_test(tc, test_multipart);
    tcase_add_test(tc, test_truncations);
    tcase_add_test(tc, test_find_start_line);
    tcase_add_test(tc, test_judged_start_line_equals_parse);
    tcase_add_test(tc, test_param_scan_tails);
    tcase_add_test(tc, test_header_ids);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return snb_check_run(suite());
}
