/* SIPREC logic (snb_siprec_logic): each metadata document of the labelled
 * corpus (tests/data/siprec/metadata/, the XML bodies of the captures)
 * parses to truth.json's "metadata" of that message; applying them in
 * order gives its "final_state"; SDP labels; and hostile XML (XXE, billion
 * laughs, external DTD, oversize, deep nesting, not recording metadata,
 * invalid UTF-8) is refused or bounded. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "siprec_merge.h"
#include "siprec_sdp.h"
#include "siprec_xml.h"

#define DATA SNB_TEST_DATA_DIR "/siprec"

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "%s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    ck_assert_int_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static json_t *truth(void)
{
    json_error_t e;
    json_t *t = json_load_file(DATA "/truth.json", 0, &e);
    ck_assert_msg(t != NULL, "%s", e.text);
    return t;
}

/* Every key truth has equals ours (we may add keys, e.g. shape). */
static int subset(json_t *want, json_t *got, const char *where)
{
    if (json_is_object(want) && json_is_object(got)) {
        int bad = 0;
        const char *k;
        json_t *v;
        json_object_foreach(want, k, v)
        {
            char sub[512];
            snprintf(sub, sizeof sub, "%s.%s", where, k);
            bad += subset(v, json_object_get(got, k), sub);
        }
        return bad;
    }
    if (json_is_array(want) && json_is_array(got) &&
        json_array_size(want) == json_array_size(got)) {
        int bad = 0;
        for (size_t i = 0; i < json_array_size(want); i++) {
            char sub[512];
            snprintf(sub, sizeof sub, "%s[%zu]", where, i);
            bad += subset(json_array_get(want, i), json_array_get(got, i), sub);
        }
        return bad;
    }
    if (json_equal(want, got)) return 0;
    char *w = json_dumps(want, JSON_ENCODE_ANY), *g = got ? json_dumps(got, JSON_ENCODE_ANY) : NULL;
    fprintf(stderr, "%s: expected %s, got %s\n", where, w, g ? g : "(absent)");
    free(w);
    free(g);
    return 1;
}

static json_t *parse_file(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, DATA "/metadata/%s", name);
    size_t len;
    char *xml = slurp(path, &len);
    siprec_xml_error_t err;
    json_t *doc = siprec_xml_parse(xml, len, &err, NULL);
    free(xml);
    ck_assert_msg(doc != NULL, "%s: %s", name, siprec_xml_error_name(err));
    return doc;
}

START_TEST(corpus_documents_and_merge)
{
    json_t *t = truth();
    const char *file;
    json_t *f;
    int docs = 0, bad = 0;
    json_object_foreach(json_object_get(t, "files"), file, f)
    {
        const char *call;
        json_t *c;
        json_object_foreach(json_object_get(f, "calls"), call, c)
        {
            if (!json_is_true(json_object_get(c, "siprec"))) continue;
            json_t *state = siprec_state_new();
            size_t i;
            json_t *m;
            json_array_foreach(json_object_get(c, "metadata_messages"), i, m)
            {
                char name[256], stem[200];
                snprintf(stem, sizeof stem, "%s", file);
                *strrchr(stem, '.') = '\0';
                snprintf(name, sizeof name, "%s-%lld.xml", stem,
                         json_integer_value(json_object_get(m, "cseq")));
                json_t *doc = parse_file(name);
                bad += subset(json_object_get(m, "metadata"), doc, name);
                ck_assert_str_eq(json_string_value(json_object_get(doc, "shape")),
                                 json_string_value(json_object_get(c, "shape")));
                ck_assert_str_eq(json_string_value(json_object_get(doc, "namespace")),
                                 json_string_value(json_object_get(c, "namespace")));
                siprec_merge(state, doc);
                json_decref(doc);
                docs++;
            }
            json_t *final = siprec_resolve(state);
            bad += subset(json_object_get(c, "final_state"), final, call);
            json_decref(final);
            json_decref(state);
        }
    }
    ck_assert_int_eq(docs, 6);
    ck_assert_int_eq(bad, 0);
    json_decref(t);
}
END_TEST

START_TEST(sdp_labels)
{
    const char sdp[] = "v=0\r\nc=IN IP4 198.51.100.20\r\nt=0 0\r\n"
                       "m=audio 34000 RTP/AVP 0\r\na=label:1\r\na=sendonly\r\n"
                       "m=audio 0 RTP/AVP 0\r\nc=IN IP4 10.0.0.1/127\r\na=label:2\r\n"
                       "m=video 5000 RTP/AVP 96\r\n"; /* no label: not listed */
    json_t *l = siprec_sdp_labels(sdp, sizeof sdp - 1);
    ck_assert_int_eq(json_array_size(l), 2);
    json_t *a = json_array_get(l, 0), *b = json_array_get(l, 1);
    ck_assert_str_eq(json_string_value(json_object_get(a, "label")), "1");
    ck_assert_int_eq(json_integer_value(json_object_get(a, "port")), 34000);
    ck_assert_str_eq(json_string_value(json_object_get(a, "address")), "198.51.100.20");
    ck_assert_str_eq(json_string_value(json_object_get(a, "direction")), "sendonly");
    ck_assert_int_eq(json_integer_value(json_object_get(b, "m_index")), 1);
    ck_assert_int_eq(json_integer_value(json_object_get(b, "port")), 0);
    ck_assert_str_eq(json_string_value(json_object_get(b, "address")), "10.0.0.1");
    json_decref(l);
    l = siprec_sdp_labels(NULL, 0);
    ck_assert_int_eq(json_array_size(l), 0);
    json_decref(l);
}
END_TEST

static siprec_xml_error_t parse_error(const char *xml)
{
    siprec_xml_error_t err;
    json_t *doc = siprec_xml_parse(xml, strlen(xml), &err, NULL);
    json_decref(doc);
    return doc ? SIPREC_XML_OK : err;
}

START_TEST(hostile_xml)
{
    /* XXE: an external entity must never be read */
    ck_assert_int_eq(parse_error("<?xml version='1.0'?><!DOCTYPE r [<!ENTITY x SYSTEM "
                                 "'file:///etc/passwd'>]><recording "
                                 "xmlns='urn:ietf:params:xml:ns:recording:1'>&x;</recording>"),
                     SIPREC_XML_DTD);
    /* billion laughs (libxml2 may already refuse it as an amplification) */
    ck_assert_int_ne(
        parse_error(
            "<?xml version='1.0'?><!DOCTYPE r [<!ENTITY a 'aaaaaaaaaa'>"
            "<!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'><!ENTITY c "
            "'&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;'><!ENTITY d '&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;'>]>"
            "<recording xmlns='urn:ietf:params:xml:ns:recording:1'><datamode>&d;</datamode>"
            "</recording>"),
        SIPREC_XML_OK);
    ck_assert_int_eq(parse_error("<!DOCTYPE recording SYSTEM 'http://evil.example/x.dtd'>"
                                 "<recording xmlns='urn:ietf:params:xml:ns:recording:1'/>"),
                     SIPREC_XML_DTD);
    ck_assert_int_eq(parse_error("<recording xmlns='urn:ietf:params:xml:ns:recording:1'>"),
                     SIPREC_XML_NOT_XML);
    ck_assert_int_eq(parse_error("<recording/>"), SIPREC_XML_NOT_RECORDING);
    ck_assert_int_eq(parse_error("<html xmlns='urn:ietf:params:xml:ns:recording:1'/>"),
                     SIPREC_XML_NOT_RECORDING);
    ck_assert_int_eq(parse_error("<recording xmlns='urn:other'/>"), SIPREC_XML_NOT_RECORDING);
    ck_assert_int_eq(parse_error(""), SIPREC_XML_NOT_XML);
    /* an XInclude is not followed: it is just an unknown element */
    ck_assert_int_eq(parse_error("<recording xmlns='urn:ietf:params:xml:ns:recording:1' "
                                 "xmlns:xi='http://www.w3.org/2001/XInclude'><xi:include "
                                 "href='file:///etc/passwd' parse='text'/></recording>"),
                     SIPREC_XML_OK);
    /* oversize */
    size_t n = SIPREC_XML_MAX_SIZE + 1;
    char *big = malloc(n + 1);
    memset(big, ' ', n);
    big[n] = '\0';
    ck_assert_int_eq(parse_error(big), SIPREC_XML_TOO_BIG);
    free(big);
    /* deep nesting stays within libxml2's own depth limit */
    size_t depth = 20000;
    char *deep = malloc(depth * 7 + 200);
    char *p = deep + sprintf(deep, "<recording xmlns='urn:ietf:params:xml:ns:recording:1'>");
    for (size_t i = 0; i < depth; i++)
        p += sprintf(p, "<a>");
    sprintf(p, "</recording>");
    ck_assert_int_eq(parse_error(deep), SIPREC_XML_NOT_XML);
    free(deep);
}
END_TEST

START_TEST(caps_and_odd_values)
{
    /* 300 participants: 256 kept, the rest counted */
    size_t size = 300 * 120 + 200;
    char *xml = malloc(size);
    char *p = xml + sprintf(xml, "<recording xmlns='urn:ietf:params:xml:ns:recording:1'>");
    for (int i = 0; i < 300; i++)
        p += sprintf(p, "<participant participant_id='p%d'><nameID aor='sip:%d@x'/></participant>",
                     i, i);
    sprintf(p, "</recording>");
    siprec_xml_error_t err;
    unsigned truncated;
    json_t *doc = siprec_xml_parse(xml, strlen(xml), &err, &truncated);
    ck_assert_ptr_nonnull(doc);
    ck_assert_int_eq(json_array_size(json_object_get(doc, "participants")), SIPREC_MAX_OBJECTS);
    ck_assert_int_eq(truncated, 300 - SIPREC_MAX_OBJECTS);
    json_decref(doc);
    free(xml);
    /* a stream without an id is skipped; CDATA text is read; ids trimmed */
    const char *odd = "<r:recording xmlns:r='urn:ietf:params:xml:ns:recording:1'>"
                      "<r:stream><r:label>9</r:label></r:stream>"
                      "<r:stream stream_id='s1' session_id='x'><r:label> <![CDATA[7]]> "
                      "</r:label></r:stream></r:recording>";
    doc = siprec_xml_parse(odd, strlen(odd), &err, NULL);
    ck_assert_ptr_nonnull(doc);
    json_t *streams = json_object_get(doc, "streams");
    ck_assert_int_eq(json_array_size(streams), 1);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(streams, 0), "label")), "7");
    json_decref(doc);
    /* bytes that are not UTF-8 never make a NULL JSON string */
    const char latin1[] = "<?xml version='1.0' encoding='ISO-8859-1'?><recording "
                          "xmlns='urn:ietf:params:xml:ns:recording:1'><participant "
                          "participant_id='p'><nameID aor='sip:a@b'><name>Jos\xe9</name></nameID>"
                          "</participant></recording>";
    doc = siprec_xml_parse(latin1, sizeof latin1 - 1, &err, NULL);
    ck_assert_ptr_nonnull(doc);
    json_t *names =
        json_object_get(json_array_get(json_object_get(doc, "participants"), 0), "names");
    ck_assert_str_eq(json_string_value(json_array_get(names, 0)), "Jos\xc3\xa9");
    json_decref(doc);
}
END_TEST

START_TEST(merge_rules)
{
    json_t *state = siprec_state_new();
    const char *complete = "<recording xmlns='urn:ietf:params:xml:ns:recording:1'>"
                           "<participant participant_id='a'><nameID aor='sip:a@x'/></participant>"
                           "<stream stream_id='s' session_id='x'><label>1</label></stream>"
                           "<participantstreamassoc participant_id='a'><send>s</send>"
                           "</participantstreamassoc></recording>";
    siprec_xml_error_t err;
    json_t *doc = siprec_xml_parse(complete, strlen(complete), &err, NULL);
    siprec_merge(state, doc);
    json_decref(doc);
    /* a partial update that only disassociates keeps the rest */
    const char *partial =
        "<recording xmlns='urn:ietf:params:xml:ns:recording:1'>"
        "<datamode>partial</datamode><participantsessionassoc "
        "participant_id='a' session_id='x'><disassociate-time>T</disassociate-time>"
        "</participantsessionassoc></recording>";
    doc = siprec_xml_parse(partial, strlen(partial), &err, NULL);
    siprec_merge(state, doc);
    json_decref(doc);
    json_t *r = siprec_resolve(state);
    json_t *a = json_array_get(json_object_get(r, "participants"), 0);
    ck_assert_str_eq(json_string_value(json_object_get(a, "disassociate_time")), "T");
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(a, "aors"), 0)), "sip:a@x");
    /* psa without pstream: our lists are empty in the document, and a
     * partial update's empty list replaces the old one (the corpus rule) */
    ck_assert_int_eq(json_array_size(json_object_get(a, "send_labels")), 0);
    json_decref(r);
    /* a new complete document replaces everything */
    const char *other = "<recording xmlns='urn:ietf:params:xml:ns:recording:1'>"
                        "<stream stream_id='t'><label>5</label></stream></recording>";
    doc = siprec_xml_parse(other, strlen(other), &err, NULL);
    siprec_merge(state, doc);
    json_decref(doc);
    r = siprec_resolve(state);
    ck_assert_int_eq(json_array_size(json_object_get(r, "participants")), 0);
    ck_assert_int_eq(json_array_size(json_object_get(r, "streams")), 1);
    json_decref(r);
    json_decref(state);
}
END_TEST

/* The Acme shape in updates: a group with an id attribute; a participant
 * update without <send>/<recv> keeps its lists, one with them replaces. */
START_TEST(acme_updates)
{
    const char *first = "<recording xmlns='urn:ietf:params:xml:ns:recording'>"
                        "<group id='g1'><associate-time>T0</associate-time></group>"
                        "<participant id='p' session='s'><aor>sip:a@x</aor><send>s1</send>"
                        "<recv>s2</recv></participant>"
                        "<stream id='s1' session='s'><label>10</label></stream>"
                        "<stream id='s2' session='s'><label>11</label></stream></recording>";
    const char *rename = "<recording xmlns='urn:ietf:params:xml:ns:recording'>"
                         "<datamode>partial</datamode><participant id='p' session='s'>"
                         "<name>New Name</name></participant></recording>";
    const char *swap = "<recording xmlns='urn:ietf:params:xml:ns:recording'>"
                       "<datamode>partial</datamode><participant id='p' session='s'>"
                       "<send>s2</send></participant></recording>";
    siprec_xml_error_t err;
    json_t *state = siprec_state_new();
    const char *docs[] = {first, rename, swap};
    for (int i = 0; i < 3; i++) {
        json_t *doc = siprec_xml_parse(docs[i], strlen(docs[i]), &err, NULL);
        ck_assert_ptr_nonnull(doc);
        ck_assert_str_eq(json_string_value(json_object_get(doc, "shape")), "acme");
        siprec_merge(state, doc);
        json_decref(doc);
        json_t *r = siprec_resolve(state);
        json_t *p = json_array_get(json_object_get(r, "participants"), 0);
        ck_assert_str_eq(json_string_value(json_array_get(json_object_get(p, "send_labels"), 0)),
                         i < 2 ? "10" : "11");
        ck_assert_int_eq(json_array_size(json_object_get(p, "recv")), i < 2 ? 1 : 0);
        if (i == 1)
            ck_assert_str_eq(json_string_value(json_array_get(json_object_get(p, "names"), 0)),
                             "New Name");
        ck_assert_str_eq(json_string_value(json_object_get(
                             json_array_get(json_object_get(r, "groups"), 0), "group_id")),
                         "g1");
        json_decref(r);
    }
    json_decref(state);
}
END_TEST

int main(void)
{
    siprec_xml_init();
    Suite *s = suite_create("siprec");
    TCase *tc = tcase_create("siprec");
    tcase_add_test(tc, corpus_documents_and_merge);
    tcase_add_test(tc, sdp_labels);
    tcase_add_test(tc, hostile_xml);
    tcase_add_test(tc, caps_and_odd_values);
    tcase_add_test(tc, merge_rules);
    tcase_add_test(tc, acme_updates);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
