/* A dialog's short strings in one block: set, replace one, cut at the
 * maximum the fixed arrays kept, empty frees. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "sip_dialog_names.h"

static snb_str_t S(const char *s)
{
    return snb_str(s, strlen(s));
}

START_TEST(unset_names_are_empty)
{
    sip_dialog_names_t n = {0};
    for (int i = 0; i < SIP_DN_COUNT; i++)
        ck_assert_str_eq(sip_names_get(&n, (enum sip_dialog_name)i), "");
    sip_names_free(&n);
}
END_TEST

START_TEST(set_some_keeps_the_others)
{
    sip_dialog_names_t n = {0};
    snb_str_t v[SIP_DN_COUNT] = {[SIP_DN_FROM_USER] = S("alice"),
                                 [SIP_DN_TO_USER] = S("bob"),
                                 [SIP_DN_FROM_TAG] = S("ft1"),
                                 [SIP_DN_TO_TAG] = SNB_STR_NULL};
    uint32_t mask =
        1u << SIP_DN_FROM_USER | 1u << SIP_DN_TO_USER | 1u << SIP_DN_FROM_TAG | 1u << SIP_DN_TO_TAG;
    ck_assert(sip_names_set(&n, mask, v));
    ck_assert(sip_names_set_one(&n, SIP_DN_UA, S("Phone 1.0")));
    ck_assert(sip_names_set_one(&n, SIP_DN_TO_TAG, S("tt9")));
    ck_assert_str_eq(sip_names_get(&n, SIP_DN_FROM_USER), "alice");
    ck_assert_str_eq(sip_names_get(&n, SIP_DN_TO_USER), "bob");
    ck_assert_str_eq(sip_names_get(&n, SIP_DN_FROM_TAG), "ft1");
    ck_assert_str_eq(sip_names_get(&n, SIP_DN_TO_TAG), "tt9");
    ck_assert_str_eq(sip_names_get(&n, SIP_DN_UA), "Phone 1.0");
    ck_assert_str_eq(sip_names_get(&n, SIP_DN_FROM_DISPLAY), "");
    /* replaced by a value read from the block itself */
    ck_assert(sip_names_set_one(&n, SIP_DN_TO_DISPLAY, S(sip_names_get(&n, SIP_DN_TO_USER))));
    ck_assert_str_eq(sip_names_get(&n, SIP_DN_TO_DISPLAY), "bob");
    ck_assert_str_eq(sip_names_get(&n, SIP_DN_TO_USER), "bob");
    sip_names_free(&n);
    ck_assert_ptr_null(n.block);
    ck_assert_str_eq(sip_names_get(&n, SIP_DN_UA), "");
}
END_TEST

START_TEST(long_values_are_cut_like_the_fixed_arrays)
{
    char big[300];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    sip_dialog_names_t n = {0};
    ck_assert(sip_names_set_one(&n, SIP_DN_FROM_USER, S(big)));
    ck_assert(sip_names_set_one(&n, SIP_DN_UA, S(big)));
    ck_assert_uint_eq(strlen(sip_names_get(&n, SIP_DN_FROM_USER)), SIP_DN_MAX);
    ck_assert_uint_eq(strlen(sip_names_get(&n, SIP_DN_UA)), SIP_DN_UA_MAX);
    ck_assert_uint_eq(SIP_DN_MAX, 63);
    ck_assert_uint_eq(SIP_DN_UA_MAX, 95);
    sip_names_free(&n);
}
END_TEST

START_TEST(all_empty_holds_no_block)
{
    sip_dialog_names_t n = {0};
    ck_assert(sip_names_set_one(&n, SIP_DN_FROM_TAG, S("abc")));
    ck_assert_ptr_nonnull(n.block);
    ck_assert(sip_names_set_one(&n, SIP_DN_FROM_TAG, SNB_STR_NULL));
    ck_assert_ptr_null(n.block);
    ck_assert_str_eq(sip_names_get(&n, SIP_DN_FROM_TAG), "");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sip_dialog_names");
    TCase *tc = tcase_create("names");
    tcase_add_test(tc, unset_names_are_empty);
    tcase_add_test(tc, set_some_keeps_the_others);
    tcase_add_test(tc, long_values_are_cut_like_the_fixed_arrays);
    tcase_add_test(tc, all_empty_holds_no_block);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
