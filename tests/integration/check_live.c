/* Signals on a running sipnab: live capture on the loopback interface (root
 * only) with SIGHUP reloads and SIGTERM, and SIGINT during a long file run. */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "run_util.h"

#define PORT 47999
/* in the build tree: suites of other build trees may run at the same time */
#define CONF SNB_BUILD_DIR "/sipnab-live-test.conf"
#define OUT SNB_BUILD_DIR "/sipnab-live-test.out"
#define ERR SNB_BUILD_DIR "/sipnab-live-test.err"

static const char *good_conf = "[core]\nload = pcap\nstats = yes\nstats_format = json\n"
                               "[pcap \"loop\"]\ninterface = lo\nfilter = udp port 47999\n";

static void send_datagrams(int n)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(PORT)};
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    for (int i = 0; i < n; i++) {
        char msg[160];
        int len = snprintf(msg, sizeof msg,
                           "OPTIONS sip:probe%d@127.0.0.1 SIP/2.0\r\nCall-ID: probe-%d\r\n"
                           "CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n",
                           i, i);
        sendto(fd, msg, (size_t)len, 0, (struct sockaddr *)&to, sizeof to);
        usleep(200);
    }
    close(fd);
}

START_TEST(loopback_capture_reload_and_clean_stop)
{
    if (geteuid() != 0) {
        fprintf(stderr, "it_check_live: SKIPPED, live capture needs root (CI runs as root)\n");
        return;
    }
    ck_assert_int_eq(write_file(CONF, good_conf, strlen(good_conf)), 0);
    char *argv[] = {(char *)sipnab_bin(), "-c", CONF, NULL};
    pid_t pid = run_bg(argv, OUT, ERR);
    ck_assert_msg(wait_for_text(ERR, "pcap: lo: capturing (filter: udp port 47999)", 10),
                  "no start");
    usleep(300000);
    send_datagrams(100);

    /* A bad new configuration keeps the old one running, and says why. */
    const char *bad = "[core]\nload = pcap\n[pcap \"loop\"]\ninterface = lo\nsnaplen = x\n";
    ck_assert_int_eq(write_file(CONF, bad, strlen(bad)), 0);
    kill(pid, SIGHUP);
    ck_assert(wait_for_text(ERR,
                            "config: reload failed, keeping the running configuration: " CONF
                            ":5: option 'snaplen': 'x' is not a size",
                            5));
    /* A good one that changes the module's options is taken (pcap needs a
     * restart to apply it, and says so). */
    const char *changed = "[core]\nload = pcap\nstats = yes\nstats_format = json\n"
                          "[pcap \"loop\"]\ninterface = lo\nfilter = udp port 47999\n"
                          "snaplen = 1500\n";
    ck_assert_int_eq(write_file(CONF, changed, strlen(changed)), 0);
    kill(pid, SIGHUP);
    ck_assert(wait_for_text(ERR, "pcap: configuration changed; restart sipnab to apply it", 5));
    ck_assert(wait_for_text(ERR, "config: reloaded", 5));

    send_datagrams(50); /* still capturing after both reloads */
    usleep(500000);
    kill(pid, SIGTERM);
    ck_assert_int_eq(run_wait(pid, 10), 0);
    ck_assert(wait_for_text(ERR, "sipnab: stopping (SIGTERM)", 1));
    char *out = read_file(OUT);
    json_error_t jerr;
    json_t *st = json_loads(out, 0, &jerr);
    ck_assert_msg(st != NULL, "stdout: %s", out);
    /* Loopback shows each datagram once. */
    ck_assert_int_eq(json_int(st, "udp"), 150);
    ck_assert_int_eq(json_int(st, "capture_dropped_queue"), 0);
    ck_assert_int_eq(json_int(st, "capture_dropped_kernel"), 0);
    json_decref(st);
    free(out);
    unlink(CONF);
}
END_TEST

/* A live capture prints the end-of-input outputs (here --dialogs-json) when
 * it is stopped with Ctrl-C, like a file does at its end. */
START_TEST(live_dialogs_are_printed_on_sigint)
{
    if (geteuid() != 0) {
        fprintf(stderr, "it_check_live: SKIPPED, live capture needs root (CI runs as root)\n");
        return;
    }
    char *argv[] = {(char *)sipnab_bin(), "-c",  "/dev/null", "-d",    "lo",
                    "--dialogs-json",     "udp", "port",      "47999", NULL};
    pid_t pid = run_bg(argv, OUT, ERR);
    ck_assert(wait_for_text(ERR, "pcap: lo: capturing", 10));
    usleep(300000);
    send_datagrams(3); /* three OPTIONS, one Call-ID each */
    usleep(300000);
    kill(pid, SIGINT);
    ck_assert_int_eq(run_wait(pid, 10), 0);
    char *out = read_file(OUT);
    int dialogs = 0;
    for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
        json_error_t jerr;
        json_t *d = json_loads(line, 0, &jerr);
        ck_assert_msg(d != NULL, "not JSON: %s", line);
        ck_assert_str_eq(json_string_value(json_object_get(d, "method")), "OPTIONS");
        ck_assert_str_eq(json_string_value(json_object_get(d, "state")), "Trying");
        dialogs++;
        json_decref(d);
    }
    ck_assert_int_eq(dialogs, 3);
    free(out);
}
END_TEST

/* SIGHUP changes what the sip module prints on a running daemon: lines,
 * then JSON; a filter that does not compile is refused with its file:line
 * and the running output stays. */
START_TEST(sip_output_and_filter_change_on_reload)
{
    if (geteuid() != 0) {
        fprintf(stderr, "it_check_live: SKIPPED, live capture needs root (CI runs as root)\n");
        return;
    }
    const char *lines = "[core]\nload = pcap, sip\n[pcap \"loop\"]\ninterface = lo\n"
                        "filter = udp port 47999\n[sip]\noutput = lines\n";
    ck_assert_int_eq(write_file(CONF, lines, strlen(lines)), 0);
    char *argv[] = {(char *)sipnab_bin(), "-c", CONF, NULL};
    pid_t pid = run_bg(argv, OUT, ERR);
    ck_assert(wait_for_text(ERR, "pcap: lo: capturing", 10));
    usleep(300000);
    send_datagrams(1); /* probe-0, as a line */
    ck_assert(wait_for_text(OUT, "Call-ID: probe-0", 5));
    const char *bad = "[core]\nload = pcap, sip\n[pcap \"loop\"]\ninterface = lo\n"
                      "filter = udp port 47999\n[sip]\noutput = json\nfilter = state == (\n";
    ck_assert_int_eq(write_file(CONF, bad, strlen(bad)), 0);
    kill(pid, SIGHUP);
    ck_assert(
        wait_for_text(ERR, CONF ":8: option 'filter': column 10: expected a value after '=='", 5));
    ck_assert(wait_for_text(ERR, "sip: kept its previous configuration", 5));
    const char *json = "[core]\nload = pcap, sip\n[pcap \"loop\"]\ninterface = lo\n"
                       "filter = udp port 47999\n[sip]\noutput = json\n";
    ck_assert_int_eq(write_file(CONF, json, strlen(json)), 0);
    kill(pid, SIGHUP);
    ck_assert(wait_for_text(ERR, "sip: reloaded: per-message output json", 5));
    send_datagrams(1); /* probe-0 again, now as JSON */
    ck_assert(wait_for_text(OUT, "\"call_id\":\"probe-0\"", 5));
    kill(pid, SIGINT);
    ck_assert_int_eq(run_wait(pid, 10), 0);
    unlink(CONF);
}
END_TEST

/* A long file run must answer SIGINT promptly (reading is batched on the
 * loop), stop cleanly and still print the counters of what it read. */
START_TEST(sigint_interrupts_a_long_file_run)
{
    const char *corpus = "/tmp/sipnab-sigint-corpus.pcap";
    char *gen[] = {SNB_BUILD_DIR "/bench/sipnab-gen",
                   "--packets",
                   "200000",
                   "--seed",
                   "7",
                   "-o",
                   (char *)corpus,
                   NULL};
    run_result_t g = run_cmd(gen, 60);
    ck_assert_msg(g.status == 0, "%s", g.err);
    run_free(&g);
    /* The same 200k-packet file 150 times: 30M packets, seconds of reading
     * even on the mapped fast path. */
    char *argv[320];
    int n = 0;
    argv[n++] = (char *)sipnab_bin();
    argv[n++] = "-c";
    argv[n++] = "/dev/null";
    argv[n++] = "--stats";
    argv[n++] = "--json";
    argv[n++] = "-v"; /* its "reading" line says when the signal may come */
    argv[n++] = "-o"; /* reading and decoding are under test, not SIP output */
    argv[n++] = "core.load=pcap";
    for (int i = 0; i < 150; i++) {
        argv[n++] = "-I";
        argv[n++] = (char *)corpus;
    }
    argv[n] = NULL;
    pid_t pid = run_bg(argv, OUT, ERR);
    /* A signal before the loop watches for it (module loading: slow under
     * ASan) ends the process the default way; this test is about one that
     * comes while the files are read. */
    ck_assert(wait_for_text(ERR, ": reading (link type", 10));
    usleep(100000);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    kill(pid, SIGINT);
    /* 1: the analysis is incomplete, and says so (below) */
    ck_assert_int_eq(run_wait(pid, 10), 1);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double waited = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    /* One batch (2048 packets) is far below a millisecond; allow scheduling noise. */
    ck_assert_msg(waited < 1.0, "took %.3f s to stop", waited);
    ck_assert(wait_for_text(ERR, "sipnab: stopping (SIGINT)", 1));
    char *out = read_file(OUT);
    json_error_t jerr;
    json_t *st = json_loads(out, 0, &jerr);
    ck_assert_msg(st != NULL, "stdout: %s", out);
    long long frames = json_int(st, "frames");
    ck_assert_int_gt(frames, 0);
    ck_assert_int_lt(frames, 150LL * 200000);
    ck_assert_int_eq(json_int(st, "capture_packets"), frames);
    char said[128];
    snprintf(said, sizeof said,
             "pcap: interrupted after %lld packets: the outputs cover what was read", frames);
    ck_assert(wait_for_text(ERR, said, 1));
    json_decref(st);
    free(out);

    /* SIGTERM, with the SIP module: the end-of-input outputs are printed
     * for what was read (they were not before: only the counters were). */
    char *sip_argv[] = {(char *)sipnab_bin(),
                        "-v",
                        "-c",
                        "/dev/null",
                        "-N",
                        "--dialogs-json",
                        "-I",
                        (char *)corpus,
                        "-I",
                        (char *)corpus,
                        "-I",
                        (char *)corpus,
                        "-I",
                        (char *)corpus,
                        "-I",
                        (char *)corpus,
                        "-I",
                        (char *)corpus,
                        "-I",
                        (char *)corpus,
                        "-I",
                        (char *)corpus,
                        "-I",
                        (char *)corpus,
                        NULL};
    pid = run_bg(sip_argv, OUT, ERR);
    ck_assert(wait_for_text(ERR, ": reading (link type", 10));
    usleep(100000);
    kill(pid, SIGTERM);
    ck_assert_int_eq(run_wait(pid, 10), 1);
    ck_assert(wait_for_text(ERR, "pcap: interrupted after ", 1));
    out = read_file(OUT);
    int dialogs = 0;
    for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
        json_t *d = json_loads(line, 0, &jerr);
        ck_assert_msg(d != NULL, "not JSON: %.80s", line);
        ck_assert_ptr_nonnull(json_string_value(json_object_get(d, "call_id")));
        json_decref(d);
        dialogs++;
    }
    ck_assert_int_gt(dialogs, 0);
    free(out);
    unlink(corpus);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("live");
    TCase *tc = tcase_create("live");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, loopback_capture_reload_and_clean_stop);
    tcase_add_test(tc, sigint_interrupts_a_long_file_run);
    tcase_add_test(tc, live_dialogs_are_printed_on_sigint);
    tcase_add_test(tc, sip_output_and_filter_change_on_reload);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
