/* The capture process gives up root once capture is open: as root with -Z it
 * becomes the user with only CAP_NET_RAW and CAP_NET_ADMIN, and still
 * captures; started the way the systemd unit starts it (an unprivileged user
 * with those two as ambient capabilities, via setpriv) it captures and hands
 * no capability to the API process. A missing or root user is one line and
 * exit 2. Live capture needs root: those tests skip without it (CI is root). */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check_run.h"
#include "run_util.h"

#define PORT 47997
#define OUT "/tmp/sipnab-priv-test.out"
#define ERR "/tmp/sipnab-priv-test.err"
#define NET_RAW_ADMIN "0000000000003000" /* bits 12 and 13 */

static void send_options(int n)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(PORT)};
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    for (int i = 0; i < n; i++) {
        char msg[200];
        int len = snprintf(msg, sizeof msg,
                           "OPTIONS sip:p%d@127.0.0.1 SIP/2.0\r\nCall-ID: priv-%d\r\n"
                           "CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n",
                           i, i);
        sendto(fd, msg, (size_t)len, 0, (struct sockaddr *)&to, sizeof to);
    }
    close(fd);
}

/* One "Name:\tvalue" line of /proc/PID/status, value only (static buffer). */
static const char *status_field(pid_t pid, const char *name)
{
    static char value[256];
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    char *text = read_file(path);
    value[0] = '\0';
    char key[64];
    snprintf(key, sizeof key, "\n%s:\t", name);
    char *at = text ? strstr(text, key) : NULL;
    if (at) {
        at += strlen(key);
        size_t n = strcspn(at, "\n");
        snprintf(value, sizeof value, "%.*s", (int)(n < sizeof value ? n : sizeof value - 1), at);
    }
    free(text);
    return value;
}

static pid_t child_of(pid_t parent)
{
    char path[96];
    snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)parent, (int)parent);
    char *text = read_file(path);
    pid_t pid = text ? (pid_t)atoi(text) : 0;
    free(text);
    return pid;
}

static int dialogs_in(const char *out_path)
{
    char *out = read_file(out_path);
    int n = 0;
    for (char *line = out ? strtok(out, "\n") : NULL; line; line = strtok(NULL, "\n")) {
        json_error_t e;
        json_t *d = json_loads(line, 0, &e);
        ck_assert_msg(d != NULL, "not JSON: %s", line);
        ck_assert_str_eq(json_string_value(json_object_get(d, "method")), "OPTIONS");
        json_decref(d);
        n++;
    }
    free(out);
    return n;
}

START_TEST(root_becomes_the_user_and_keeps_capturing)
{
    if (geteuid() != 0) {
        fprintf(stderr, "it_check_privileges: SKIPPED, needs root (CI runs as root)\n");
        return;
    }
    char *argv[] = {(char *)sipnab_bin(), "-c",  "/dev/null", "-d",    "lo", "-Z", "nobody",
                    "--dialogs-json",     "udp", "port",      "47997", NULL};
    pid_t pid = run_bg(argv, OUT, ERR);
    ck_assert_msg(wait_for_text(ERR, "sipnab: running as nobody (uid 65534", 10), "no drop");
    ck_assert_str_eq(status_field(pid, "Uid"), "65534\t65534\t65534\t65534");
    ck_assert_str_eq(status_field(pid, "Groups"), "65534 ");
    ck_assert_str_eq(status_field(pid, "CapEff"), NET_RAW_ADMIN);
    ck_assert_str_eq(status_field(pid, "CapPrm"), NET_RAW_ADMIN);
    ck_assert_str_eq(status_field(pid, "CapBnd"), NET_RAW_ADMIN);
    ck_assert_str_eq(status_field(pid, "CapAmb"), "0000000000000000");
    ck_assert_str_eq(status_field(pid, "NoNewPrivs"), "1");
    usleep(300000);
    send_options(4);
    /* A reload as the user still works, and capture goes on after it. */
    kill(pid, SIGHUP);
    if (!wait_for_text(ERR, "config: reloaded", 15)) {
        char *err = read_file(ERR);
        ck_abort_msg("no reload as nobody; stderr: %s", err ? err : "(none)");
    }
    usleep(300000);
    kill(pid, SIGINT);
    ck_assert_int_eq(run_wait(pid, 10), 0);
    ck_assert_int_eq(dialogs_in(OUT), 4);
}
END_TEST

/* What conf/sipnab.service does: User=, AmbientCapabilities= and
 * CapabilityBoundingSet= with CAP_NET_RAW and CAP_NET_ADMIN. */
START_TEST(started_like_the_systemd_unit)
{
    if (geteuid() != 0) {
        fprintf(stderr, "it_check_privileges: SKIPPED, needs root (CI runs as root)\n");
        return;
    }
    char listen[32];
    snprintf(listen, sizeof listen, "127.0.0.1:%d", free_tcp_port());
    char *argv[] = {"/usr/bin/setpriv",
                    "--reuid=nobody",
                    "--regid=nogroup",
                    "--clear-groups",
                    "--inh-caps=-all,+net_raw,+net_admin",
                    "--ambient-caps=-all,+net_raw,+net_admin",
                    "--bounding-set=-all,+net_raw,+net_admin",
                    (char *)sipnab_bin(),
                    "-c",
                    "/dev/null",
                    "-d",
                    "lo",
                    "--dialogs-json",
                    "--api",
                    listen,
                    "--api-key",
                    "k",
                    "udp",
                    "port",
                    "47997",
                    NULL};
    pid_t pid = run_bg(argv, OUT, ERR);
    ck_assert_msg(wait_for_text(ERR, "pcap: lo: capturing", 10), "no capture as nobody");
    ck_assert(wait_for_text(ERR, "http: serving the API", 10));
    ck_assert_str_eq(status_field(pid, "Uid"), "65534\t65534\t65534\t65534");
    ck_assert_str_eq(status_field(pid, "CapEff"), NET_RAW_ADMIN);
    /* cleared at start, so nothing we start inherits them */
    ck_assert_str_eq(status_field(pid, "CapAmb"), "0000000000000000");
    pid_t api = child_of(pid);
    ck_assert_int_gt(api, 0);
    ck_assert_str_eq(status_field(api, "CapEff"), "0000000000000000");
    ck_assert_str_eq(status_field(api, "CapPrm"), "0000000000000000");
    ck_assert_str_eq(status_field(api, "CapAmb"), "0000000000000000");
    usleep(500000); /* "capturing" is said at open; the thread starts after */
    send_options(2);
    usleep(500000);
    kill(pid, SIGINT);
    ck_assert_int_eq(run_wait(pid, 10), 0);
    ck_assert_int_eq(dialogs_in(OUT), 2);
}
END_TEST

START_TEST(a_bad_user_is_a_configuration_error)
{
    char *data = data_path("sip-register.pcap");
    char *argv[] = {(char *)sipnab_bin(), "-c", "/dev/null", "-Z",
                    "no-such-user-here",  "-I", data,        NULL};
    run_result_t r = run_cmd(argv, 30);
    ck_assert_int_eq(r.status, 2);
    ck_assert_str_eq(r.err, "sipnab: -Z/[core] user: no such user 'no-such-user-here'\n");
    run_free(&r);

    const char *conf = "/tmp/sipnab-priv-test.conf";
    const char *text = "[core]\n\nuser = root\n";
    ck_assert_int_eq(write_file(conf, text, strlen(text)), 0);
    char *check[] = {(char *)sipnab_bin(), "-c", (char *)conf, "-t", NULL};
    r = run_cmd(check, 30);
    ck_assert_int_eq(r.status, 2);
    ck_assert_str_eq(r.err,
                     "sipnab: /tmp/sipnab-priv-test.conf:3: option 'user': 'root' is root: name an "
                     "unprivileged user\n");
    run_free(&r);
    unlink(conf);
    free(data);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("privileges");
    TCase *tc = tcase_create("privileges");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, root_becomes_the_user_and_keeps_capturing);
    tcase_add_test(tc, started_like_the_systemd_unit);
    tcase_add_test(tc, a_bad_user_is_a_configuration_error);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
