/* The module platform through the real binary and the example module
 * (examples/hello, built into build/tests/modules): its flag is listed by
 * --help and loads it; it reads parsed SIP through the accessors; its
 * dialog annotation appears in every dialog's JSON, its filter field works
 * in --filter, its report section in --call-report; it hears every dialog
 * state change; its labelled counter is in --stats; its capped table of
 * From hosts counts them. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "oracle.h"
#include "run_util.h"

#define MODULES SNB_BUILD_DIR "/modules:" SNB_BUILD_DIR "/tests/modules"

static run_result_t sipnab(char *const args[])
{
    char *argv[40] = {(char *)sipnab_bin(), "-c", "/dev/null", "--module-path", MODULES, "-N"};
    int n = 6;
    for (int i = 0; args[i] && n < 39; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    return run_cmd(argv, 60);
}

static unsigned words(const char *s)
{
    unsigned n = 0;
    for (bool in = false; s && *s; s++) {
        bool space = *s == ' ' || *s == '\t';
        if (!space && !in) n++;
        in = !space;
    }
    return n;
}

START_TEST(help_lists_module_flags)
{
    run_result_t r = sipnab((char *[]){"--help", NULL});
    ck_assert_int_eq(r.status, 0);
    char *hello = strstr(r.out, "\nModule hello (");
    ck_assert_ptr_nonnull(hello);
    ck_assert_ptr_nonnull(strstr(hello, "--hello-greeting TEXT"));
    /* and the flags of the modules this repository ships, by module */
    ck_assert_ptr_nonnull(strstr(r.out, "\nModule sip ("));
    ck_assert_ptr_nonnull(strstr(r.out, "--report"));
    ck_assert_ptr_nonnull(strstr(r.out, "--filter EXPR"));
    ck_assert_ptr_nonnull(strstr(r.out, "--streams-json"));
    run_free(&r);
}
END_TEST

START_TEST(annotation_filter_and_report)
{
    char *cap = data_path("sngrep-aaa.pcap");
    run_result_t r =
        sipnab((char *[]){"-I", cap, "--hello-greeting", "hi", "--dialogs-json", NULL});
    ck_assert_int_eq(r.status, 0);
    int dialogs = 0, six = 0;
    char first[256] = "";
    for (char *line = strtok(r.out, "\n"); line; line = strtok(NULL, "\n")) {
        json_error_t e;
        json_t *d = json_loads(line, 0, &e);
        ck_assert_ptr_nonnull(d);
        json_t *h = json_object_get(d, "hello");
        ck_assert_msg(json_is_object(h), "no hello annotation in %.80s", line);
        ck_assert_str_eq(json_string_value(json_object_get(h, "greeting")), "hi");
        /* the accessors read the same User-Agent the SIP module reports */
        const char *ua = json_string_value(json_object_get(d, "ua"));
        ck_assert_int_eq(json_integer_value(json_object_get(h, "ua_words")), words(ua));
        ck_assert_ptr_nonnull(json_string_value(json_object_get(h, "from_host")));
        if (words(ua) == 6) six++;
        if (!first[0])
            snprintf(first, sizeof first, "%s", json_string_value(json_object_get(d, "call_id")));
        dialogs++;
        json_decref(d);
    }
    oracle_t *o = NULL;
    char *opath = data_path("sngrep-aaa.tshark.txt");
    o = oracle_load(opath);
    ck_assert_int_eq(dialogs, oracle_sip(o)->n_call_ids);
    run_free(&r);
    /* its filter field, in the same language as every other */
    r = sipnab((char *[]){"-I", cap, "--load", "hello", "--dialogs-json", "--filter",
                          "hello.ua_words == 6", NULL});
    int matched = 0;
    for (char *p = r.out; (p = strchr(p, '\n')); p++)
        matched++;
    ck_assert_int_gt(six, 0);
    ck_assert_int_eq(matched, six);
    run_free(&r);
    /* its section of the call report */
    r = sipnab((char *[]){"-I", cap, "--hello-greeting", "hi", "--call-report", first, NULL});
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "\nHello: hi: "));
    run_free(&r);
    r = sipnab((char *[]){"-I", cap, "--hello-greeting", "hi", "--call-report", first, "--markdown",
                          NULL});
    ck_assert_ptr_nonnull(strstr(r.out, "\n## Hello\n"));
    run_free(&r);
    oracle_free(o);
    free(opath);
    free(cap);
}
END_TEST

/* "sip.dialog" is published on creation and every state change: in
 * sip-failures.pcap, 503 (Trying, Failed), 486 and 487 after ringing (3
 * each), 500 (2), 504 after 183 (3), and an INVITE never answered (1). */
START_TEST(dialog_events_and_labelled_counter)
{
    char *cap = data_path("sip-failures.pcap");
    run_result_t r = sipnab((char *[]){"-I", cap, "--load", "hello", "-o", "sip.output=none",
                                       "--stats", "--json", NULL});
    ck_assert_int_eq(r.status, 0);
    /* every dialog's From is "...@corpus.test": one host */
    ck_assert_ptr_nonnull(
        strstr(r.err, "hello: 30 packets, 14 dialog changes, 1 From hosts, goodbye"));
    json_error_t e;
    json_t *stats = json_loads(r.out, 0, &e);
    ck_assert_ptr_nonnull(stats);
    json_t *by = json_object_get(stats, "hello_messages");
    char *opath = data_path("sip-failures.tshark.txt");
    oracle_t *o = oracle_load(opath);
    /* every SIP message Wireshark counts, all over UDP */
    ck_assert_int_eq(json_integer_value(json_object_get(by, "udp")), oracle_sip(o)->messages);
    oracle_free(o);
    free(opath);
    json_decref(stats);
    run_free(&r);
    free(cap);
}
END_TEST

/* The example's capped, seeded table of From hosts (a helper from
 * libsipnab-util): in ws-sip-call-rtp-g711.pcap the four dialogs start
 * with From hosts 200.57.7.195 (two calls), Verso.com and bestel.com
 * (tshark -e sip.Call-ID -e sip.from.host, first message of each). */
START_TEST(capped_table_counts_distinct_hosts)
{
    char *cap = data_path("ws-sip-call-rtp-g711.pcap");
    run_result_t r =
        sipnab((char *[]){"-I", cap, "--load", "hello", "-o", "sip.output=none", NULL});
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.err, "dialog changes, 3 From hosts, goodbye"));
    run_free(&r);
    free(cap);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("platform");
    TCase *tc = tcase_create("platform");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, help_lists_module_flags);
    tcase_add_test(tc, annotation_filter_and_report);
    tcase_add_test(tc, dialog_events_and_labelled_counter);
    tcase_add_test(tc, capped_table_counts_distinct_hosts);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
