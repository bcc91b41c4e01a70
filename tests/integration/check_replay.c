/* Replays every shared capture through the real binary
 * (`sipnab -I FILE --stats --json`) and checks the packet count and the
 * per-protocol frame counts against Wireshark's protocol hierarchy in the
 * capture's .tshark.txt oracle. */
#include <check.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "oracle.h"
#include "run_util.h"

static char **list_captures(size_t *n)
{
    DIR *d = opendir(SNB_TEST_DATA_DIR);
    ck_assert_ptr_nonnull(d);
    char **names = NULL;
    *n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *dot = strrchr(e->d_name, '.');
        if (!dot || (strcmp(dot, ".pcap") && strcmp(dot, ".pcapng"))) continue;
        names = realloc(names, (*n + 1) * sizeof *names);
        names[(*n)++] = strdup(e->d_name);
    }
    closedir(d);
    return names;
}

START_TEST(every_capture_matches_its_oracle)
{
    size_t n;
    char **caps = list_captures(&n);
    ck_assert_uint_ge(n, 30); /* the shared set: all of it must be here */
    int failures = 0;
    for (size_t i = 0; i < n; i++) {
        char stem[256];
        snprintf(stem, sizeof stem, "%s", caps[i]);
        *strrchr(stem, '.') = '\0';
        char oname[300];
        snprintf(oname, sizeof oname, "%s.tshark.txt", stem);
        char *opath = data_path(oname);
        oracle_t *o = oracle_load(opath);
        ck_assert_msg(o != NULL, "no oracle for %s", caps[i]);
        char *cpath = data_path(caps[i]);
        run_result_t r;
        json_t *st = sipnab_stats(cpath, NULL, &r);
        ck_assert_msg(st != NULL, "%s: no JSON stats (exit %d): %s", caps[i], r.status, r.err);
        ck_assert_msg(r.status == 0, "%s: exit %d: %s", caps[i], r.status, r.err);
        /* No capture needs an exception: every counter equals Wireshark's. */
        failures += oracle_compare_stats(o, st, caps[i]);
        json_decref(st);
        run_free(&r);
        oracle_free(o);
        free(opath);
        free(cpath);
        free(caps[i]);
    }
    free(caps);
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
    SRunner *sr = srunner_create(replay_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
