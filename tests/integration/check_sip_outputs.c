/* The SIP module's command-line outputs through the real binary: the dialog
 * table, dialogs as JSON with --filter, the call report in three formats,
 * and the errors (bad filter with its caret, unknown Call-ID). */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_run.h"
#include "run_util.h"

#define FAILURES SNB_TEST_DATA_DIR "/sip-failures.pcap"
#define CALL SNB_TEST_DATA_DIR "/ws-sip-rtp-g711.pcap"

static run_result_t sipnab(char *const args[])
{
    char *argv[32] = {(char *)sipnab_bin(), "-c", "/dev/null"};
    int n = 3;
    for (int i = 0; args[i] && n < 31; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    return run_cmd(argv, 60);
}

START_TEST(report_table_shows_each_outcome)
{
    run_result_t r = sipnab((char *[]){"-I", FAILURES, "--report", NULL});
    ck_assert_int_eq(r.status, 0);
    /* sip-failures.pcap: 503, 486, CANCEL/487, 500, 504, and an INVITE never
     * answered (Timer A retransmissions: 4 resent). */
    const char *rows[] = {
        "fail-0001@corpus.test                alice            bob              INVITE    Failed  "
        "      503     4",
        "fail-0002@corpus.test                alice            bob              INVITE    Failed  "
        "      486     5",
        "fail-0003@corpus.test                alice            bob              INVITE    "
        "Cancelled     487     7",
        "fail-0006@corpus.test                alice            bob              INVITE    Trying  "
        "        -     5       -        -      0.0     4",
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        ck_assert_msg(strstr(r.out, rows[i]) != NULL, "missing row %zu in:\n%s", i, r.out);
    ck_assert(strncmp(r.out, "CALL-ID", 7) == 0);
    run_free(&r);
}
END_TEST

START_TEST(filtered_dialogs_json_in_the_rest_shape)
{
    run_result_t r = sipnab((char *[]){"-I", FAILURES, "--dialogs-json", "--filter",
                                       "state == 'Cancelled' OR final_code == 486", NULL});
    ck_assert_int_eq(r.status, 0);
    int n = 0;
    for (char *line = strtok(r.out, "\n"); line; line = strtok(NULL, "\n"), n++) {
        json_error_t jerr;
        json_t *d = json_loads(line, 0, &jerr);
        ck_assert_ptr_nonnull(d);
        const char *keys[] = {
            "schema_version", "call_id", "from",         "to",        "from_display",
            "to_display",     "state",   "method",       "msg_count", "duration_sec",
            "tags",           "timing",  "sdp_timeline", "refer_to",  "siprec_metadata",
            "diagnosis",      "streams", "created_at",   "updated_at"};
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
            ck_assert_msg(json_object_get(d, keys[k]) != NULL, "no %s", keys[k]);
        /* the spec's keys no loaded module filled: there, empty */
        ck_assert(json_is_null(json_object_get(d, "siprec_metadata")));
        ck_assert(json_is_array(json_object_get(d, "streams")));
        const char *id = json_string_value(json_object_get(d, "call_id"));
        const char *state = json_string_value(json_object_get(d, "state"));
        if (!strcmp(id, "fail-0002@corpus.test")) {
            ck_assert_str_eq(state, "Failed");
            ck_assert_int_eq(json_int(d, "final_code"), 486);
        } else {
            ck_assert_str_eq(id, "fail-0003@corpus.test");
            ck_assert_str_eq(state, "Cancelled");
        }
        ck_assert(json_is_null(json_object_get(json_object_get(d, "timing"), "setup_ms")));
        json_decref(d);
    }
    ck_assert_int_eq(n, 2);
    run_free(&r);
}
END_TEST

START_TEST(call_report_text_markdown_json)
{
    run_result_t r = sipnab((char *[]){"-I", CALL, "--call-report", "1-1966@10.0.2.20", NULL});
    ck_assert_int_eq(r.status, 0);
    ck_assert(strstr(r.out, "Call 1-1966@10.0.2.20\n"));
    ck_assert(strstr(r.out, "State: Completed (final response 200), INVITE over UDP, "
                            "10.0.2.20:5060 -> 10.0.2.15:5060\n"));
    ck_assert(strstr(r.out, "Timing (ms): PDD -, setup 4, ring -, trying 0, teardown 1; "
                            "retransmissions 0\n"));
    ck_assert(strstr(r.out, "    +8.504 s  10.0.2.15:5060           -> 10.0.2.20:5060           "
                            "BYE  CSeq 99749930 BYE\n"));
    ck_assert(strstr(r.out, "    +0.004 s  answer 10.0.2.15:27942 sendonly  PCMU telephone-event"));
    run_free(&r);

    r = sipnab((char *[]){"-I", CALL, "--call-report", "1-1966@10.0.2.20", "--markdown", NULL});
    ck_assert_int_eq(r.status, 0);
    ck_assert(strstr(r.out, "# Call `1-1966@10.0.2.20`\n"));
    ck_assert(strstr(r.out, "| +0.004 s | 10.0.2.15:5060 | 10.0.2.20:5060 | 200 OK (SDP) | 1 "
                            "INVITE |  |\n"));
    run_free(&r);

    /* What GFM would take for HTML is escaped (issue 11.13): sngrep-aaa's
     * "arik" <sip:816666@...> keeps its <816666>; a failed call without
     * media says so in one line, with no empty table. */
    r = sipnab((char *[]){"-I", SNB_TEST_DATA_DIR "/sngrep-aaa.pcap", "--call-report",
                          "105090259-446faf7a@192.168.1.2", "--markdown", NULL});
    ck_assert_int_eq(r.status, 0);
    ck_assert(strstr(r.out, "- From: arik \\<816666\\>  To: 97239287044\n"));
    ck_assert(strstr(r.out, "\n## Media\n\nNo RTP streams.\n"));
    ck_assert(!strstr(r.out, "| SSRC |"));
    run_free(&r);

    r = sipnab((char *[]){"-I", CALL, "--call-report", "1-1966@10.0.2.20", "--json", NULL});
    ck_assert_int_eq(r.status, 0);
    json_error_t jerr;
    json_t *j = json_loads(r.out, JSON_DISABLE_EOF_CHECK, &jerr);
    ck_assert_ptr_nonnull(j);
    json_t *msgs = json_object_get(j, "messages");
    ck_assert_uint_eq(json_array_size(msgs), 6);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(msgs, 4), "label")), "BYE");
    ck_assert_int_eq(json_int(json_object_get(j, "timing"), "setup_ms"), 4);
    ck_assert_int_eq(json_int(json_object_get(j, "timing"), "teardown_ms"), 1);
    json_decref(j);
    run_free(&r);
}
END_TEST

START_TEST(errors)
{
    run_result_t r = sipnab((char *[]){"-I", CALL, "--filter", "state == AND x", NULL});
    ck_assert_int_eq(r.status, 2);
    ck_assert_str_eq(r.err, "sip: --filter: column 10: expected a value after '=='\n");
    run_free(&r);
    /* from a file: -t finds it (every module's init and check run), with
     * the file:line, and the run says the same (issue 18.8) */
    char *bad = data_path("reliability/bad-filter.conf");
    char *test[] = {(char *)sipnab_bin(), "-c", bad, "-t", NULL};
    r = run_cmd(test, 30);
    ck_assert_int_eq(r.status, 2);
    char want[1024];
    snprintf(want, sizeof want,
             "sip: %s:2: option 'filter': column 10: expected a value after '=='\n", bad);
    ck_assert_str_eq(r.err, want);
    run_free(&r);
    char *run[] = {(char *)sipnab_bin(), "-c", bad, "-N", "-I", CALL, "--report", NULL};
    r = run_cmd(run, 30);
    ck_assert_int_eq(r.status, 2);
    ck_assert_str_eq(r.err, want);
    run_free(&r);
    free(bad);
    /* an unknown module names the line that asked for it */
    const char *conf = "/tmp/sipnab-check-sip-outputs.conf";
    const char *text = "[core]\nload = pcap, sip, no_such_module\n";
    ck_assert_int_eq(write_file(conf, text, strlen(text)), 0);
    char *load[] = {(char *)sipnab_bin(), "-c", (char *)conf, "-t", NULL};
    r = run_cmd(load, 30);
    ck_assert_int_eq(r.status, 2);
    ck_assert(strstr(r.err, "sipnab: /tmp/sipnab-check-sip-outputs.conf:2: option 'load': module "
                            "no_such_module.so: not found in "));
    run_free(&r);
    unlink(conf);
    r = sipnab((char *[]){"-I", CALL, "--filter", "stat == 'x'", NULL});
    ck_assert_int_eq(r.status, 2);
    ck_assert(strstr(r.err, "unknown field or alias 'stat' (did you mean 'state'?)"));
    run_free(&r);
    r = sipnab((char *[]){"-I", CALL, "--call-report", "nope@nowhere", NULL});
    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.err, "sip: no dialog with Call-ID 'nope@nowhere' in the capture\n");
    run_free(&r);
}
END_TEST

START_TEST(per_message_lines_and_json)
{
    run_result_t r = sipnab((char *[]){"-I", CALL, NULL});
    ck_assert_int_eq(r.status, 0);
    ck_assert(strstr(r.out, "2016-11-26 14:52:59.666393 10.0.2.20:5060 -> 10.0.2.15:5060 UDP "
                            "INVITE sip:test@10.0.2.15:5060 (CSeq 1 INVITE) Call-ID: "
                            "1-1966@10.0.2.20\n"));
    run_free(&r);
    r = sipnab((char *[]){"-I", CALL, "--json", NULL});
    ck_assert_int_eq(r.status, 0);
    json_error_t jerr;
    json_t *first = json_loads(r.out, JSON_DISABLE_EOF_CHECK, &jerr);
    ck_assert_ptr_nonnull(first);
    ck_assert_int_eq(json_int(first, "schema_version"), 1);
    ck_assert_str_eq(json_string_value(json_object_get(first, "timestamp")),
                     "2016-11-26T14:52:59.666393Z");
    ck_assert_str_eq(json_string_value(json_object_get(first, "method")), "INVITE");
    ck_assert(json_is_true(json_object_get(first, "is_request")));
    ck_assert(json_is_null(json_object_get(first, "status_code")));
    ck_assert_int_eq(json_int(first, "src_port"), 5060);
    ck_assert_str_eq(json_string_value(json_object_get(first, "from")), "sipp");
    ck_assert(json_is_false(json_object_get(first, "malformed")));
    json_decref(first);
    run_free(&r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sip_outputs");
    TCase *tc = tcase_create("sip_outputs");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, report_table_shows_each_outcome);
    tcase_add_test(tc, filtered_dialogs_json_in_the_rest_shape);
    tcase_add_test(tc, call_report_text_markdown_json);
    tcase_add_test(tc, errors);
    tcase_add_test(tc, per_message_lines_and_json);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
