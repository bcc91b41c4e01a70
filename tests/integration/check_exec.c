/* Exec hooks through the real binary (issue 13): the JSON a hook gets, the
 * rate limit over 10 000 dialog changes, a hook that never exits, one that
 * floods its stdout, one that cannot run, what a hook inherits, and the
 * spec's own example. */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check_run.h"
#include "run_util.h"

#define DIR "/tmp/sipnab-check-exec"

static run_result_t sipnab(char *const args[])
{
    char *argv[48] = {(char *)sipnab_bin(), "-c", "/dev/null", "-N"};
    int n = 4;
    for (int i = 0; args[i] && n < 47; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    return run_cmd(argv, 120);
}

static void write_script(const char *path, const char *body)
{
    ck_assert_int_eq(write_file(path, body, strlen(body)), 0);
    chmod(path, 0755);
}

static json_t *stats_of(const run_result_t *r)
{
    const char *last = r->out;
    for (const char *p = r->out; *p; p++)
        if (*p == '\n' && p[1]) last = p + 1;
    json_error_t e;
    return json_loads(last, 0, &e);
}

static long long labelled(json_t *stats, const char *metric, const char *labels)
{
    return json_integer_value(json_object_get(json_object_get(stats, metric), labels));
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void setup(void)
{
    mkdir(DIR, 0755);
    unlink(DIR "/events.ndjson");
    unlink(DIR "/fds.txt");
}

/* sip-failures.pcap: 14 dialog state changes (creations included; see
 * it_check_platform). Each hook gets one JSON line with the REST dialog's
 * fields; started + dropped is every change. */
START_TEST(dialog_hooks_get_the_rest_dialog)
{
    write_script(DIR "/hook.sh", "#!/bin/sh\ncat >> " DIR "/events.ndjson\n");
    char *cap = data_path("sip-failures.pcap");
    run_result_t r = sipnab((char *[]){"-I", cap, "--on-dialog-exec", DIR "/hook.sh", "-o",
                                       "exec.max_children=64", "--exec-rate-limit", "100", "-o",
                                       "sip.output=none", "--stats", "--json", NULL});
    ck_assert_msg(r.status == 0, "%s", r.err);
    json_t *st = stats_of(&r);
    ck_assert_ptr_nonnull(st);
    long long started = labelled(st, "exec_started", "dialog");
    ck_assert_int_eq(started, 14);
    ck_assert_int_eq(labelled(st, "exec_exited", "dialog"), 14);
    char *events = read_file(DIR "/events.ndjson");
    ck_assert_ptr_nonnull(events);
    int lines = 0, failed_503 = 0;
    for (char *line = strtok(events, "\n"); line; line = strtok(NULL, "\n")) {
        json_error_t e;
        json_t *d = json_loads(line, 0, &e);
        ck_assert_msg(d != NULL, "not JSON: %s", line);
        ck_assert_int_eq(json_integer_value(json_object_get(d, "schema_version")), 1);
        ck_assert_ptr_nonnull(
            strstr(json_string_value(json_object_get(d, "call_id")), "@corpus.test"));
        ck_assert_ptr_nonnull(json_string_value(json_object_get(d, "state")));
        ck_assert_str_eq(json_string_value(json_object_get(d, "event")), "dialog_state");
        if (!strcmp(json_string_value(json_object_get(d, "call_id")), "fail-0001@corpus.test") &&
            !strcmp(json_string_value(json_object_get(d, "state")), "Failed")) {
            failed_503++;
            ck_assert_int_eq(json_integer_value(json_object_get(d, "final_code")), 503);
            ck_assert_str_eq(json_string_value(json_object_get(d, "previous_state")), "Trying");
        }
        json_decref(d);
        lines++;
    }
    ck_assert_int_eq(lines, 14);
    ck_assert_int_eq(failed_503, 1);
    free(events);
    json_decref(st);
    run_free(&r);
    free(cap);
}
END_TEST

/* More than 10 000 dialog changes at --exec-rate-limit 10: no more than 10
 * start in any second, the rest are counted as dropped. */
START_TEST(rate_limit_over_ten_thousand_changes)
{
    const char *corpus = DIR "/many.pcap";
    char *gen[] = {SNB_BUILD_DIR "/bench/sipnab-gen",
                   "--calls",
                   "3000",
                   "--rtp-seconds",
                   "0",
                   "-o",
                   (char *)corpus,
                   NULL};
    run_result_t g = run_cmd(gen, 60);
    ck_assert_int_eq(g.status, 0);
    run_free(&g);
    double t0 = now_s();
    run_result_t r = sipnab((char *[]){"-I", (char *)corpus, "--on-dialog-exec", "/bin/true",
                                       "--exec-rate-limit", "10", "-o", "exec.max_children=1000",
                                       "-o", "sip.output=none", "--stats", "--json", NULL});
    double took = now_s() - t0;
    ck_assert_msg(r.status == 0, "%s", r.err);
    json_t *st = stats_of(&r);
    long long started = labelled(st, "exec_started", "dialog");
    long long dropped = labelled(st, "exec_dropped", "dialog,rate_limit");
    long long busy = labelled(st, "exec_dropped", "dialog,max_children");
    ck_assert_int_ge(started + dropped + busy, 10000);
    ck_assert_int_ge(started, 1);
    ck_assert_int_eq(busy, 0);
    /* at most 10 in each started second of the run */
    ck_assert_msg(started <= 10 * ((long long)took + 1), "%lld started in %.2f s", started, took);
    json_decref(st);
    run_free(&r);
    unlink(corpus);
}
END_TEST

/* A hook that never exits is killed (with its process group) at its limit,
 * and the run ends right after; one that floods its stdout is cut at the
 * output cap and does not hold the capture. */
START_TEST(stuck_and_flooding_hooks)
{
    write_script(DIR "/stuck.sh", "#!/bin/sh\nsleep 1000 &\nsleep 1000\n");
    char *cap = data_path("sip-register.pcap");
    double t0 = now_s();
    run_result_t r = sipnab((char *[]){"-I", cap, "--on-dialog-exec", DIR "/stuck.sh", "-o",
                                       "exec.timeout=500ms", "-o", "sip.output=none", "--stats",
                                       "--json", NULL});
    double took = now_s() - t0;
    ck_assert_msg(r.status == 0, "%s", r.err);
    json_t *st = stats_of(&r);
    long long started = labelled(st, "exec_started", "dialog");
    ck_assert_int_ge(started, 1);
    ck_assert_int_eq(labelled(st, "exec_killed", "dialog"), started);
    ck_assert_msg(took < 5.0, "took %.2f s", took);
    ck_assert_ptr_nonnull(strstr(r.err, "still running after 500 ms: killed"));
    json_decref(st);
    run_free(&r);
    /* its background sleep went with its group */
    run_result_t p = run_cmd((char *[]){"/usr/bin/pgrep", "-f", "sleep 1000", NULL}, 10);
    ck_assert_int_eq(p.status, 1);
    run_free(&p);

    t0 = now_s();
    r = sipnab((char *[]){"-I", cap, "--on-dialog-exec", "/usr/bin/yes flood", "-o",
                          "exec.timeout=20s", "-o", "sip.output=none", "--stats", "--json", NULL});
    took = now_s() - t0;
    ck_assert_msg(r.status == 0, "%s", r.err);
    st = stats_of(&r);
    ck_assert_int_eq(labelled(st, "exec_output_truncated", "dialog"),
                     labelled(st, "exec_started", "dialog"));
    ck_assert_int_eq(labelled(st, "exec_killed", "dialog"), 0); /* it died of EPIPE */
    ck_assert_msg(took < 5.0, "took %.2f s", took);
    ck_assert_ptr_nonnull(strstr(r.err, "output beyond 4096 bytes not read"));
    json_decref(st);
    run_free(&r);
    free(cap);
}
END_TEST

/* A hook that cannot run: one line per distinct failure, not per event. */
START_TEST(a_hook_that_cannot_run_is_said_once)
{
    char *cap = data_path("sip-failures.pcap");
    run_result_t r = sipnab((char *[]){"-I", cap, "--on-dialog-exec", "/nonexistent/hook", "-o",
                                       "sip.output=none", "--stats", "--json", NULL});
    ck_assert_int_eq(r.status, 0);
    json_t *st = stats_of(&r);
    long long failed = labelled(st, "exec_failed", "dialog");
    ck_assert_int_ge(failed, 5);
    int said = 0;
    for (const char *p = r.err; (p = strstr(p, "cannot run")); p++)
        said++;
    ck_assert_int_eq(said, 1);
    ck_assert_ptr_nonnull(strstr(r.err, "exec: dialog hook '/nonexistent/hook' cannot run: no such "
                                        "file or directory (said once; counted as failed)\n"));
    json_decref(st);
    run_free(&r);
    /* and a bad command line is a configuration error with its origin */
    r = sipnab((char *[]){"-I", cap, "--on-dialog-exec", "say 'hi", NULL});
    ck_assert_int_eq(r.status, 2);
    ck_assert_str_eq(r.err, "exec: --on-dialog-exec: unterminated quote\n");
    run_free(&r);
    free(cap);
}
END_TEST

/* A hook inherits its three pipes and nothing else: not the capture file,
 * not the API's socketpair, not (as root, live) the packet sockets; and a
 * minimal environment. */
/* The hook process itself (no shell: /bin/sleep), found among sipnab's
 * children, 0 when none yet. */
static pid_t hook_child(pid_t parent)
{
    char path[96];
    snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)parent, (int)parent);
    char *list = read_file(path);
    pid_t found = 0;
    for (char *tok = list ? strtok(list, " \n") : NULL; tok && !found; tok = strtok(NULL, " \n")) {
        char comm[64];
        snprintf(comm, sizeof comm, "/proc/%s/comm", tok);
        char *name = read_file(comm);
        if (name && !strcmp(name, "sleep\n")) found = (pid_t)atoi(tok);
        free(name);
    }
    free(list);
    return found;
}

/* A hook inherits its three descriptors and nothing else: not the capture
 * file, not the API's socketpair or listening socket; and a minimal
 * environment. Seen from outside, in /proc, while the hook runs. */
START_TEST(a_hook_inherits_nothing_else)
{
    char *cap = data_path("sip-register.pcap");
    char listen[32];
    snprintf(listen, sizeof listen, "127.0.0.1:%d", free_tcp_port());
    char *argv[] = {(char *)sipnab_bin(),
                    "-c",
                    "/dev/null",
                    "-N",
                    "-I",
                    cap,
                    "--on-dialog-exec",
                    "/bin/sleep 5",
                    "--api",
                    listen,
                    "--api-key",
                    "k",
                    "-o",
                    "sip.output=none",
                    NULL};
    pid_t pid = run_bg(argv, DIR "/out.txt", DIR "/err.txt");
    pid_t hook = 0;
    for (int i = 0; i < 200 && !(hook = hook_child(pid)); i++)
        usleep(50000);
    ck_assert_msg(hook > 0, "no hook ran");
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/fd", (int)hook);
    char *cmd[] = {"/bin/ls", path, NULL};
    run_result_t r = run_cmd(cmd, 10);
    ck_assert_str_eq(r.out, "0\n1\n2\n");
    run_free(&r);
    snprintf(path, sizeof path, "/proc/%d/environ", (int)hook);
    char *environ_text = read_file(path); /* NUL-separated */
    ck_assert_ptr_nonnull(environ_text);
    char env[512] = "";
    for (const char *e = environ_text; *e; e += strlen(e) + 1) {
        strncat(env, e, sizeof env - strlen(env) - 2);
        strcat(env, ";");
    }
    ck_assert_str_eq(env, "PATH=/usr/local/bin:/usr/bin:/bin;LANG=C.UTF-8;SIPNAB_EVENT=dialog;");
    free(environ_text);
    /* its own session (setsid): it leads its process group */
    snprintf(path, sizeof path, "/proc/%d/stat", (int)hook);
    char *stat = read_file(path);
    int spid, ppid, pgrp, session;
    char state;
    ck_assert_int_eq(sscanf(strrchr(stat, ')') + 2, "%c %d %d %d", &state, &ppid, &pgrp, &session),
                     4);
    spid = (int)hook;
    ck_assert_int_eq(pgrp, spid);
    ck_assert_int_eq(session, spid);
    free(stat);
    kill(pid, SIGINT); /* the hooks still running are killed */
    ck_assert_int_eq(run_wait(pid, 20), 0);
    ck_assert_int_ne(kill(hook, 0), 0);
    free(cap);
}
END_TEST

/* A stream whose MOS falls below the threshold: ws-asterisk-zfone-xlite has
 * one at 1.41 (64 % loss); its REST stream JSON reaches the hook. */
START_TEST(quality_hook_gets_the_stream)
{
    unlink(DIR "/events.ndjson");
    write_script(DIR "/hook.sh", "#!/bin/sh\ncat >> " DIR "/events.ndjson\n");
    char *cap = data_path("ws-asterisk-zfone-xlite.pcap");
    run_result_t r =
        sipnab((char *[]){"-I", cap, "--on-quality-exec", DIR "/hook.sh", "--quality-threshold",
                          "3.0", "-o", "sip.output=none", "--stats", "--json", NULL});
    ck_assert_msg(r.status == 0, "%s", r.err);
    json_t *st = stats_of(&r);
    ck_assert_int_ge(labelled(st, "exec_started", "quality"), 1);
    json_decref(st);
    run_free(&r);
    char *events = read_file(DIR "/events.ndjson");
    ck_assert_ptr_nonnull(events);
    int low = 0;
    for (char *line = strtok(events, "\n"); line; line = strtok(NULL, "\n")) {
        json_error_t e;
        json_t *q = json_loads(line, 0, &e);
        ck_assert_msg(q != NULL, "not JSON: %s", line);
        ck_assert_str_eq(json_string_value(json_object_get(q, "event")), "quality");
        double mos = json_real_value(json_object_get(q, "mos"));
        ck_assert(mos < 3.0);
        ck_assert_ptr_nonnull(json_string_value(json_object_get(q, "ssrc")));
        if (mos > 1.40 && mos < 1.42) low++;
        json_decref(q);
    }
    ck_assert_int_eq(low, 1);
    free(events);
    free(cap);
}
END_TEST

/* SIGHUP changes the hooks of a running daemon (live capture on lo): the
 * next dialog runs the new hook; a bad edit is refused with its file:line
 * and the running hook stays. Root only (CI is root). */
static void send_options(int port, const char *call_id)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    char msg[256];
    int len = snprintf(msg, sizeof msg,
                       "OPTIONS sip:a@127.0.0.1 SIP/2.0\r\nCall-ID: %s\r\nCSeq: 1 OPTIONS\r\n"
                       "Content-Length: 0\r\n\r\n",
                       call_id);
    sendto(fd, msg, (size_t)len, 0, (struct sockaddr *)&to, sizeof to);
    close(fd);
}

START_TEST(reload_changes_the_hooks_of_a_running_daemon)
{
    if (geteuid() != 0) {
        fprintf(stderr, "it_check_exec: reload test SKIPPED, live capture needs root\n");
        return;
    }
    const char *conf = DIR "/reload.conf";
    const char *seen = DIR "/reload.seen";
    unlink(seen);
    int port = free_tcp_port(); /* any free number will do for UDP on lo */
    char text[1024];
#define RELOAD_CONF(word)                                                                          \
    snprintf(text, sizeof text,                                                                    \
             "[core]\nload = pcap, sip, exec\n[pcap \"lo\"]\ninterface = lo\n"                     \
             "filter = udp port %d\n[sip]\noutput = none\n[exec]\n"                                \
             "on_dialog = /bin/sh -c 'echo " word " >> %s'\n",                                     \
             port, seen)
    RELOAD_CONF("first");
    ck_assert_int_eq(write_file(conf, text, strlen(text)), 0);
    char *argv[] = {(char *)sipnab_bin(), "-c", (char *)conf, NULL};
    pid_t pid = run_bg(argv, DIR "/reload.out", DIR "/reload.err");
    ck_assert(wait_for_text(DIR "/reload.err", "pcap: lo: capturing", 10));
    usleep(500000);
    send_options(port, "reload-1");
    ck_assert_msg(wait_for_text(seen, "first", 10), "the first hook did not run");
    RELOAD_CONF("second");
    ck_assert_int_eq(write_file(conf, text, strlen(text)), 0);
    kill(pid, SIGHUP);
    ck_assert(wait_for_text(DIR "/reload.err", "exec: reloaded: dialog /bin/sh -c", 10));
    send_options(port, "reload-2");
    ck_assert_msg(wait_for_text(seen, "second", 10), "the new hook did not run");
    /* a bad command line: refused with its line, the running hook stays */
    const char *bad = "[core]\nload = pcap, sip, exec\n[pcap \"lo\"]\ninterface = lo\n"
                      "[sip]\noutput = none\n[exec]\non_dialog = say 'hi\n";
    ck_assert_int_eq(write_file(conf, bad, strlen(bad)), 0);
    kill(pid, SIGHUP);
    ck_assert(wait_for_text(DIR "/reload.err",
                            "reload.conf:8: option 'on_dialog': unterminated quote", 10));
    ck_assert(wait_for_text(DIR "/reload.err", "exec: kept its previous configuration", 10));
    unlink(seen);
    send_options(port, "reload-3");
    ck_assert_msg(wait_for_text(seen, "second", 10), "the kept hook did not run");
    kill(pid, SIGINT);
    ck_assert_int_eq(run_wait(pid, 20), 0);
}
END_TEST

/* The spec's example, as written: --on-dialog-exec "logger" --exec-rate-limit 5. */
START_TEST(the_spec_example_runs)
{
    char *cap = data_path("sip-failures.pcap");
    run_result_t r = sipnab((char *[]){"-I", cap, "--on-dialog-exec", "logger", "--exec-rate-limit",
                                       "5", "-o", "sip.output=none", "--stats", "--json", NULL});
    ck_assert_msg(r.status == 0, "%s", r.err);
    json_t *st = stats_of(&r);
    ck_assert_int_eq(labelled(st, "exec_started", "dialog"), 5);
    ck_assert_int_eq(labelled(st, "exec_failed", "dialog"), 0);
    ck_assert_int_eq(labelled(st, "exec_dropped", "dialog,rate_limit"), 14 - 5);
    json_decref(st);
    run_free(&r);
    free(cap);
}
END_TEST

int main(void)
{
    setup();
    Suite *s = suite_create("exec");
    TCase *tc = tcase_create("exec");
    tcase_set_timeout(tc, 180);
    tcase_add_test(tc, dialog_hooks_get_the_rest_dialog);
    tcase_add_test(tc, rate_limit_over_ten_thousand_changes);
    tcase_add_test(tc, stuck_and_flooding_hooks);
    tcase_add_test(tc, a_hook_that_cannot_run_is_said_once);
    tcase_add_test(tc, a_hook_inherits_nothing_else);
    tcase_add_test(tc, the_spec_example_runs);
    tcase_add_test(tc, quality_hook_gets_the_stream);
    tcase_add_test(tc, reload_changes_the_hooks_of_a_running_daemon);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
