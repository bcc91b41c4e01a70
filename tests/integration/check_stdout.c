/* One owner of stdout, through the real binary: an output somebody asked
 * for pushes the default per-message lines back, so `--streams-json | jq`
 * and `--dialogs-json --streams-json | jq` parse every line; the counts
 * match Wireshark's oracle; a write error is an error, not silence. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "oracle.h"
#include "run_util.h"

#define CALL "ws-sip-call-rtp-g711"

static run_result_t sipnab(char *const args[])
{
    char *argv[32] = {(char *)sipnab_bin(), "-c", "/dev/null", "-N"};
    int n = 4;
    for (int i = 0; args[i] && n < 31; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    return run_cmd(argv, 60);
}

/* Every line of out parses as a JSON object; counts those with `key`. */
static int json_lines_with(char *out, const char *key, int *lines)
{
    int with = 0;
    *lines = 0;
    for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
        json_error_t e;
        json_t *v = json_loads(line, 0, &e);
        ck_assert_msg(json_is_object(v), "not a JSON object: %.80s", line);
        with += json_object_get(v, key) != NULL;
        (*lines)++;
        json_decref(v);
    }
    return with;
}

static oracle_t *oracle_of(const char *stem)
{
    char name[128];
    snprintf(name, sizeof name, "%s.tshark.txt", stem);
    char *path = data_path(name);
    oracle_t *o = oracle_load(path);
    free(path);
    ck_assert_ptr_nonnull(o);
    return o;
}

START_TEST(streams_json_alone_is_ndjson)
{
    char *cap = data_path(CALL ".pcap");
    run_result_t r = sipnab((char *[]){"-I", cap, "--streams-json", NULL});
    ck_assert_int_eq(r.status, 0);
    int lines, streams = json_lines_with(r.out, "ssrc", &lines);
    oracle_t *o = oracle_of(CALL);
    int n_oracle;
    oracle_rtp_streams(o, &n_oracle);
    ck_assert_int_gt(n_oracle, 0);
    ck_assert_int_eq(streams, n_oracle); /* one object per stream Wireshark finds */
    ck_assert_int_eq(lines, streams);    /* and nothing else: no per-message lines */
    oracle_free(o);
    run_free(&r);
    free(cap);
}
END_TEST

START_TEST(dialogs_and_streams_together_are_ndjson)
{
    char *cap = data_path("sngrep-aaa.pcap");
    run_result_t r = sipnab((char *[]){"-I", cap, "--dialogs-json", "--streams-json", NULL});
    ck_assert_int_eq(r.status, 0);
    char *copy = strdup(r.out);
    int lines, dialogs = json_lines_with(r.out, "call_id", &lines);
    int lines2, streams = json_lines_with(copy, "ssrc", &lines2);
    oracle_t *o = oracle_of("sngrep-aaa");
    /* one object per Call-ID Wireshark saw, one per stream, and nothing else
     * (stream objects name their dialog in associated_dialog, not call_id) */
    ck_assert_int_eq(dialogs, oracle_sip(o)->n_call_ids);
    ck_assert_int_gt(streams, 0);
    ck_assert_int_eq(dialogs + streams, lines);
    oracle_free(o);
    free(copy);
    run_free(&r);
    free(cap);
}
END_TEST

START_TEST(default_lines_stay_without_other_outputs)
{
    char *cap = data_path("sip-register.pcap");
    run_result_t r = sipnab((char *[]){"-I", cap, "--stats", NULL});
    ck_assert_int_eq(r.status, 0);
    /* --stats is a summary: it does not silence the per-message lines */
    ck_assert_ptr_nonnull(strstr(r.out, " UDP REGISTER sip:10.33.6.102 (CSeq 112 REGISTER)"));
    ck_assert_ptr_nonnull(strstr(r.out, "sipnab statistics\n"));
    ck_assert_str_eq(r.err, "");
    run_free(&r);
    /* Asking for text and JSON together is allowed, with a warning. */
    r = sipnab((char *[]){"-I", cap, "--report", "--dialogs-json", NULL});
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.err, "stdout mixes text (sip --report) and JSON"));
    run_free(&r);
    free(cap);
}
END_TEST

START_TEST(a_full_disk_is_an_error)
{
    char *cap = data_path("sngrep-aaa.pcap");
    char *argv[] = {"/bin/sh", "-c", NULL, NULL};
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s -c /dev/null -N -I %s --dialogs-json > /dev/full", sipnab_bin(),
             cap);
    argv[2] = cmd;
    run_result_t r = run_cmd(argv, 60);
    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.err, "sipnab: stdout: write error: No space left on device; output was "
                            "lost\n");
    run_free(&r);
    free(cap);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("stdout");
    TCase *tc = tcase_create("stdout");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, streams_json_alone_is_ndjson);
    tcase_add_test(tc, dialogs_and_streams_together_are_ndjson);
    tcase_add_test(tc, default_lines_stay_without_other_outputs);
    tcase_add_test(tc, a_full_disk_is_an_error);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
