/* Alerts to a real rsyslogd from Debian (issue 13), started by the test
 * with its own configuration in a temporary folder: UDP and TCP on
 * loopback (RFC 5424, structured data) and a private unix socket (RFC 3164,
 * as /dev/log). rsyslogd writes what it parsed (input, PRI, host, app,
 * msgid, structured data, message) to a file, which the test reads. The
 * alert is sipvicious-scan.pcap's scanner (security module). */
#include <check.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "run_util.h"

static char dir[128], out_log[192];
static int udp_port, tcp_port;
static pid_t rsyslogd = -1;

static bool start_rsyslogd(void)
{
    snprintf(dir, sizeof dir, "/tmp/sipnab-check-syslog-%d", (int)getpid());
    snprintf(out_log, sizeof out_log, "%s/out.log", dir);
    mkdir(dir, 0755);
    udp_port = 20000 + getpid() % 20000;
    tcp_port = udp_port + 1;
    char conf[2048], path[192];
    int n =
        snprintf(conf, sizeof conf,
                 "global(workDirectory=\"%s\")\n"
                 "module(load=\"imudp\")\ninput(type=\"imudp\" address=\"127.0.0.1\" port=\"%d\")\n"
                 "module(load=\"imtcp\")\ninput(type=\"imtcp\" address=\"127.0.0.1\" port=\"%d\")\n"
                 "module(load=\"imuxsock\" SysSock.Use=\"off\")\n"
                 "input(type=\"imuxsock\" Socket=\"%s/log.sock\" CreatePath=\"on\")\n"
                 "template(name=\"t\" type=\"string\" string=\"%%inputname%%|%%pri%%|%%hostname%%|"
                 "%%app-name%%|%%msgid%%|%%structured-data%%|%%msg%%\\n\")\n"
                 "*.* action(type=\"omfile\" file=\"%s\" template=\"t\")\n",
                 dir, udp_port, tcp_port, dir, out_log);
    snprintf(path, sizeof path, "%s/rsyslog.conf", dir);
    if (write_file(path, conf, (size_t)n) != 0) return false;
    char pidfile[192], rs_out[192];
    snprintf(pidfile, sizeof pidfile, "%s/rsyslogd.pid", dir);
    snprintf(rs_out, sizeof rs_out, "%s/rsyslogd.out", dir);
    char *argv[] = {"/usr/sbin/rsyslogd", "-n", "-f", path, "-i", pidfile, NULL};
    rsyslogd = run_bg(argv, rs_out, rs_out);
    char sock[192];
    snprintf(sock, sizeof sock, "%s/log.sock", dir);
    for (int i = 0; i < 100 && access(sock, F_OK) != 0; i++)
        usleep(50000);
    if (access(sock, F_OK) != 0) {
        fprintf(stderr, "it_check_syslog: rsyslogd did not start (see %s)\n", rs_out);
        return false;
    }
    usleep(300000); /* its UDP and TCP inputs too */
    return true;
}

static void stop_rsyslogd(void)
{
    if (rsyslogd > 0) {
        kill(rsyslogd, SIGTERM);
        run_wait(rsyslogd, 10);
    }
}

static run_result_t sipnab(const char *capture, char *const extra[])
{
    char *cap = data_path(capture);
    char *argv[32] = {(char *)sipnab_bin(), "-c",      "/dev/null", "-N", "-I", cap, "-o",
                      "sip.output=none",    "--stats", "--json"};
    int n = 10;
    for (int i = 0; extra[i] && n < 31; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;
    run_result_t r = run_cmd(argv, 60);
    free(cap);
    return r;
}

/* The line rsyslogd wrote for an input ("imudp", ...), or NULL. */
static char *line_of(const char *input, const char *msgid)
{
    char want[64];
    snprintf(want, sizeof want, "%s|", input);
    for (int i = 0; i < 100; i++) {
        char *text = read_file(out_log);
        for (char *line = text ? strtok(text, "\n") : NULL; line; line = strtok(NULL, "\n")) {
            if (strncmp(line, want, strlen(want)) != 0 || !strstr(line, msgid)) continue;
            char *copy = strdup(line);
            free(text);
            return copy;
        }
        free(text);
        usleep(50000);
    }
    return NULL;
}

static void expect_field(const char *line, int index, const char *want)
{
    char copy[4096];
    snprintf(copy, sizeof copy, "%s", line);
    char *save, *f = strtok_r(copy, "|", &save);
    for (int i = 0; i < index && f; i++)
        f = strtok_r(NULL, "|", &save);
    ck_assert_msg(f && !strcmp(f, want), "field %d of '%s': want '%s'", index, line, want);
}

START_TEST(alerts_reach_rsyslogd_over_udp_tcp_and_a_unix_socket)
{
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    char udp[64], tcp[64], sock[224];
    snprintf(udp, sizeof udp, "udp:127.0.0.1:%d", udp_port);
    snprintf(tcp, sizeof tcp, "tcp:127.0.0.1:%d", tcp_port);
    snprintf(sock, sizeof sock, "unix:%s/log.sock", dir);
    const char *targets[] = {udp, tcp, sock};
    const char *inputs[] = {"imudp", "imtcp", "imuxsock"};
    for (int i = 0; i < 3; i++) {
        run_result_t r =
            sipnab("sipvicious-scan.pcap", (char *[]){"--load", "security", "--alert", "syslog",
                                                      "--syslog-target", (char *)targets[i], NULL});
        ck_assert_msg(r.status == 0, "%s", r.err);
        ck_assert_ptr_nonnull(strstr(r.out, "\"syslog_sent\":1"));
        run_free(&r);
        char *line = line_of(inputs[i], "scanner");
        ck_assert_msg(line != NULL, "nothing from %s in %s", inputs[i], out_log);
        /* local0 (16) * 8 + warning (4): the spec's scanner severity */
        expect_field(line, 1, "132");
        expect_field(line, 2, host);
        expect_field(line, 3, "sipnab");
        if (i < 2) { /* RFC 5424: message id and structured data */
            expect_field(line, 4, "scanner");
            ck_assert_ptr_nonnull(strstr(line, "[sipnab@32473 "));
            ck_assert_ptr_nonnull(strstr(line, " type=\"scanner\""));
            ck_assert_ptr_nonnull(strstr(line, " severity=\"warning\""));
            ck_assert_ptr_nonnull(strstr(line, " user_agent=\"friendly-scanner\""));
            ck_assert_ptr_nonnull(strstr(line, " source=\"127.0.0.1\""));
        } else { /* RFC 3164: the text only */
            ck_assert_ptr_nonnull(strstr(line, "scanner from 127.0.0.1: User-Agent"));
        }
        free(line);
    }
}
END_TEST

START_TEST(facility_quality_notices_and_an_absent_collector)
{
    char udp[64];
    snprintf(udp, sizeof udp, "udp:127.0.0.1:%d", udp_port);
    /* quality drops are notices: ws-asterisk-zfone-xlite has a stream with
     * MOS 1.41 (64 % loss); local3 (19) * 8 + notice (5) = 157 */
    run_result_t r = sipnab("ws-asterisk-zfone-xlite.pcap",
                            (char *[]){"--syslog-target", udp, "--syslog-facility", "local3", "-o",
                                       "syslog.quality_threshold=3.0", NULL});
    ck_assert_msg(r.status == 0, "%s", r.err);
    run_free(&r);
    char *line = line_of("imudp", "|quality|");
    ck_assert_ptr_nonnull(line);
    expect_field(line, 1, "157");
    ck_assert_ptr_nonnull(strstr(line, " mos=\"1.41\""));
    free(line);
    /* nobody listening on TCP: counted, said once, and the run is not held */
    char tcp[64];
    snprintf(tcp, sizeof tcp, "tcp:127.0.0.1:%d", tcp_port + 7);
    r = sipnab("sipvicious-scan.pcap",
               (char *[]){"--load", "security", "--alert", "syslog", "--syslog-target", tcp, NULL});
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "\"syslog_sent\":0"));
    ck_assert_ptr_nonnull(strstr(r.out, "\"not_connected\":1"));
    ck_assert_ptr_nonnull(strstr(r.err, "connection refused; retrying every 5000 ms"));
    run_free(&r);
    /* nothing to send: said, not an error */
    r = sipnab("sipvicious-scan.pcap", (char *[]){"--syslog", NULL});
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.err, "syslog: nothing to send"));
    run_free(&r);
}
END_TEST

int main(void)
{
    if (geteuid() != 0 || access("/usr/sbin/rsyslogd", X_OK) != 0) {
        /* CI is root and scripts/deps.sh installs rsyslog */
        fprintf(stderr, "it_check_syslog: SKIPPED, needs root and /usr/sbin/rsyslogd\n");
        return EXIT_SUCCESS;
    }
    if (!start_rsyslogd()) return EXIT_FAILURE;
    Suite *s = suite_create("syslog");
    TCase *tc = tcase_create("syslog");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, alerts_reach_rsyslogd_over_udp_tcp_and_a_unix_socket);
    tcase_add_test(tc, facility_quality_notices_and_an_absent_collector);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    stop_rsyslogd();
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
