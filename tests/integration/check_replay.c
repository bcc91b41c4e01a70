/* Replays every shared capture through the real binary
 * (`sipnab -I FILE --stats --json`) and checks the packet count and the
 * per-protocol frame counts against Wireshark's protocol hierarchy in the
 * capture's .tshark.txt oracle. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "oracle.h"
#include "run_util.h"

static int compare_capture(const char *name, const char *stem)
{
    char oname[300];
    snprintf(oname, sizeof oname, "%s.tshark.txt", stem);
    char *opath = data_path(oname), *cpath = data_path(name);
    oracle_t *o = oracle_load(opath);
    ck_assert_msg(o != NULL, "no oracle for %s", name);
    run_result_t r;
    json_t *st = sipnab_stats(cpath, NULL, &r);
    ck_assert_msg(st != NULL, "%s: no JSON stats (exit %d): %s", name, r.status, r.err);
    ck_assert_msg(r.status == 0, "%s: exit %d: %s", name, r.status, r.err);
    /* No capture needs an exception: every counter equals Wireshark's. */
    int failures = oracle_compare_stats(o, st, name);
    json_decref(st);
    run_free(&r);
    oracle_free(o);
    free(opath);
    free(cpath);
    return failures;
}

START_TEST(every_capture_matches_its_oracle)
{
    int captures;
    int failures = foreach_capture(compare_capture, &captures);
    ck_assert_int_ge(captures, 30); /* the shared set: all of it must be here */
    ck_assert_int_eq(failures, 0);
}
END_TEST

Suite *replay_suite(void)
{
    Suite *s = suite_create("replay");
    TCase *tc = tcase_create("oracles");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, every_capture_matches_its_oracle);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return snb_check_run(replay_suite());
}
