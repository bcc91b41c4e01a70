/* The per-message --json strings a dialog keeps (sip_msg_fields.c): each
 * message's own values come back, equal values share their bytes, an empty
 * value stays present and an absent one absent, and the arena's cap holds. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "sip_msg_fields.h"

static const char invite[] = "INVITE sip:bob@b.example SIP/2.0\r\n"
                             "Via: SIP/2.0/UDP a.example;branch=z9hG4bK1\r\n"
                             "From: \"Alice\" <sip:alice@a.example>;tag=f1\r\n"
                             "To: <sip:bob@b.example>\r\n"
                             "Call-ID: c1@a.example\r\n"
                             "CSeq: 1 INVITE\r\n"
                             "User-Agent: phone/1\r\n"
                             "Content-Length: 0\r\n\r\n";
static const char ringing[] = "SIP/2.0 180 Ringing\r\n"
                              "Via: SIP/2.0/UDP a.example;branch=z9hG4bK1\r\n"
                              "From: \"Alice\" <sip:alice@a.example>;tag=f1\r\n"
                              "To: <sip:bob@b.example>;tag=t9\r\n"
                              "Call-ID: c1@a.example\r\n"
                              "CSeq: 1 INVITE\r\n"
                              "Server: pbx/2\r\n"
                              "Content-Length: 0\r\n\r\n";

static void parse(const char *text, sip_msg_t *m, sip_msg_fields_t *f)
{
    size_t used;
    ck_assert_int_eq(sip_msg_parse(text, strlen(text), 0, m, &used), SIP_PARSE_OK);
    sip_msg_fields_of(m, f);
}

static void assert_value(const sip_msg_fields_t *f, sip_msg_field_t k, const char *want)
{
    if (!want) {
        ck_assert_ptr_null(f->v[k].p);
        return;
    }
    ck_assert_ptr_nonnull(f->v[k].p);
    ck_assert_uint_eq(f->v[k].len, strlen(want));
    ck_assert(memcmp(f->v[k].p, want, f->v[k].len) == 0);
}

START_TEST(each_message_its_own_values_shared_when_equal)
{
    sip_msg_t *m = calloc(1, sizeof *m);
    sip_msg_fields_t f1, f2, back;
    sip_field_arena_t a = {0};
    sip_field_ref_t r1[SIP_MF_COUNT], r2[SIP_MF_COUNT];
    parse(invite, m, &f1);
    ck_assert(sip_fields_keep(&a, NULL, &f1, r1));
    uint32_t after_first = a.len;
    parse(ringing, m, &f2);
    ck_assert(sip_fields_keep(&a, r1, &f2, r2));
    /* Only what changed took bytes: the reason, the To tag, Server. */
    ck_assert_uint_eq(a.len - after_first, strlen("Ringing") + strlen("t9") + strlen("pbx/2"));
    ck_assert_uint_eq(r2[SIP_MF_CALL_ID].off, r1[SIP_MF_CALL_ID].off);
    sip_fields_get(&a, r1, &back);
    assert_value(&back, SIP_MF_METHOD, "INVITE");
    assert_value(&back, SIP_MF_REQUEST_URI, "sip:bob@b.example");
    assert_value(&back, SIP_MF_REASON, NULL);
    assert_value(&back, SIP_MF_FROM, "alice");
    assert_value(&back, SIP_MF_TO, "bob");
    assert_value(&back, SIP_MF_FROM_TAG, "f1");
    assert_value(&back, SIP_MF_TO_TAG, NULL);
    assert_value(&back, SIP_MF_UA, "phone/1");
    assert_value(&back, SIP_MF_CONTENT_TYPE, NULL);
    sip_fields_get(&a, r2, &back);
    assert_value(&back, SIP_MF_METHOD, NULL);
    assert_value(&back, SIP_MF_REQUEST_URI, NULL);
    assert_value(&back, SIP_MF_REASON, "Ringing");
    assert_value(&back, SIP_MF_TO_TAG, "t9");
    assert_value(&back, SIP_MF_UA, "pbx/2");
    assert_value(&back, SIP_MF_CSEQ_METHOD, "INVITE");
    assert_value(&back, SIP_MF_CALL_ID, "c1@a.example");
    sip_field_arena_free(&a);
    free(m);
}
END_TEST

START_TEST(empty_is_present_and_the_cap_holds)
{
    sip_msg_fields_t f = {0}, back;
    sip_field_arena_t a = {0};
    sip_field_ref_t r[SIP_MF_COUNT], keep[SIP_MF_COUNT];
    f.v[SIP_MF_UA] = snb_str("", 0); /* an empty User-Agent header */
    ck_assert(sip_fields_keep(&a, NULL, &f, r));
    sip_fields_get(&a, r, &back);
    ck_assert_ptr_nonnull(back.v[SIP_MF_UA].p);
    ck_assert_uint_eq(back.v[SIP_MF_UA].len, 0);
    ck_assert_ptr_null(back.v[SIP_MF_FROM].p);
    /* Fill the arena to its cap: the message that would pass it keeps
     * nothing and changes nothing. */
    char *big = malloc(SIP_FIELDS_MAX_DIALOG);
    memset(big, 'x', SIP_FIELDS_MAX_DIALOG);
    f.v[SIP_MF_UA] = snb_str(big, 40000);
    ck_assert(sip_fields_keep(&a, NULL, &f, r));
    uint32_t len = a.len;
    memcpy(keep, r, sizeof r);
    f.v[SIP_MF_UA] = snb_str(big + 1, 40000); /* equal bytes, but not shared without prev */
    ck_assert(!sip_fields_keep(&a, NULL, &f, r));
    ck_assert_uint_eq(a.len, len);
    ck_assert(memcmp(keep, r, sizeof r) == 0);
    /* With the previous message's refs the equal value costs nothing. */
    ck_assert(sip_fields_keep(&a, keep, &f, r));
    ck_assert_uint_eq(a.len, len);
    ck_assert_uint_le(a.cap, SIP_FIELDS_MAX_DIALOG);
    /* A single value over the cap is refused. */
    f.v[SIP_MF_UA] = snb_str(big, SIP_FIELDS_MAX_DIALOG);
    sip_field_arena_t fresh = {0};
    f.v[SIP_MF_FROM] = snb_str("a", 1);
    ck_assert(!sip_fields_keep(&fresh, NULL, &f, r));
    ck_assert_uint_eq(fresh.len, 0);
    free(big);
    sip_field_arena_free(&a);
    sip_field_arena_free(&fresh);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sip_msg_fields");
    TCase *tc = tcase_create("fields");
    tcase_add_test(tc, each_message_its_own_values_shared_when_equal);
    tcase_add_test(tc, empty_is_present_and_the_cap_holds);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
