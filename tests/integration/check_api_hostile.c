/* The REST API under hostile and unlucky clients (issue 18), with real
 * sockets on loopback against the real sipnab and its API process:
 *  - the wedge: more idle connections than the cap and the listen backlog
 *    used to stop the API for good; now those beyond the cap get 503 at
 *    once and the API answers as soon as they are gone;
 *  - slowloris: one byte at a time no longer keeps a connection: each
 *    request has a deadline for the whole of it;
 *  - a stopped API process is noticed by its health check and replaced;
 *  - Authorization headers that hide bytes after a NUL, or come twice;
 *  - a flood of malformed requests writes a few log lines, not one each;
 *  - the API process runs under seccomp and holds no datagram socket.
 * Each test takes a few seconds. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "run_util.h"

#define KEY "hostile-key-0123456789"
/* Per process: other build trees may run this test at the same time. */
static char OUT[64], ERR[64];

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* sipnab on a capture, the API on 127.0.0.1:port, extra arguments after. */
static pid_t api_start(int port, char *const extra[])
{
    static char listen[32];
    snprintf(listen, sizeof listen, "127.0.0.1:%d", port);
    char *argv[32] = {(char *)sipnab_bin(),
                      "-c",
                      "/dev/null",
                      "-N",
                      "-I",
                      SNB_TEST_DATA_DIR "/sip-failures.pcap",
                      "--api",
                      listen,
                      "--api-key",
                      KEY};
    int n = 10;
    for (int i = 0; extra && extra[i]; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;
    unlink(ERR);
    pid_t pid = run_bg(argv, OUT, ERR);
    ck_assert_msg(wait_for_text(ERR, "serving the API", 15), "the API did not start");
    return pid;
}

static void api_stop(pid_t pid)
{
    kill(pid, SIGINT);
    ck_assert_int_eq(run_wait(pid, 15), 0);
}

static int connect_to(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    return fd;
}

/* Read what fd says within timeout_ms: >0 bytes, 0 closed, -1 nothing. */
static ssize_t read_within(int fd, char *buf, size_t len, int timeout_ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, timeout_ms) <= 0) return -1;
    ssize_t n = recv(fd, buf, len - 1, 0);
    if (n < 0) return errno == ECONNRESET ? 0 : -1;
    buf[n] = '\0';
    return n;
}

/* Send a raw request; the status of the answer, 0 if closed without one,
 * -1 if nothing came within timeout_ms. body gets the answer (may be NULL). */
static int ask(int port, const char *request, size_t len, int timeout_ms, char *answer,
               size_t answer_len)
{
    int fd = connect_to(port);
    ck_assert_int_eq(send(fd, request, len, MSG_NOSIGNAL), (ssize_t)len);
    char buf[4096];
    ssize_t n = read_within(fd, buf, sizeof buf, timeout_ms);
    close(fd);
    if (n <= 0) return (int)n;
    if (answer) snprintf(answer, answer_len, "%s", buf);
    int status = 0;
    sscanf(buf, "HTTP/1.%*d %d", &status);
    return status;
}

static int ask_health(int port, int timeout_ms)
{
    const char *r = "GET /health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
    return ask(port, r, strlen(r), timeout_ms, NULL, 0);
}

/* ---- the wedge ---- */

START_TEST(idle_connections_beyond_the_cap_are_answered_and_do_not_wedge)
{
    int port = free_tcp_port();
    pid_t pid = api_start(port, (char *[]){"--api-max-conn", "10", NULL});
    ck_assert_int_eq(ask_health(port, 3000), 200);
    /* max_conn + 17 was enough to wedge it for good; take 40 */
    int held[40];
    for (int i = 0; i < 40; i++)
        held[i] = connect_to(port);
    usleep(300000);
    /* those beyond the cap were answered 503 at once, not left waiting */
    int answered_503 = 0;
    char buf[512];
    for (int i = 0; i < 40; i++)
        if (read_within(held[i], buf, sizeof buf, 0) > 0 && strstr(buf, " 503 ") &&
            strstr(buf, "connection limit"))
            answered_503++;
    ck_assert_int_eq(answered_503, 30);
    /* a client now gets a prompt 503, not silence */
    double t0 = now_s();
    ck_assert_int_eq(ask_health(port, 3000), 503);
    ck_assert(now_s() - t0 < 2.0);
    for (int i = 0; i < 40; i++)
        close(held[i]);
    usleep(300000);
    ck_assert_int_eq(ask_health(port, 3000), 200);
    api_stop(pid);
}
END_TEST

/* ---- slowloris ---- */

START_TEST(slowloris_is_cut_on_a_deadline_for_the_whole_request)
{
    int port = free_tcp_port();
    pid_t pid =
        api_start(port, (char *[]){"--api-max-conn", "20", "-o", "http.idle_timeout=2s", NULL});
    int slow[20];
    for (int i = 0; i < 20; i++) {
        slow[i] = connect_to(port);
        ck_assert_int_eq(send(slow[i], "GET /health HTTP/1.1\r\n", 22, MSG_NOSIGNAL), 22);
    }
    /* one byte each every 0.5 s: MHD's per-byte timeout never fired */
    double t0 = now_s(), closed_at[20] = {0};
    int closed = 0;
    while (closed < 20 && now_s() - t0 < 8.0) {
        for (int i = 0; i < 20; i++) {
            if (closed_at[i] > 0) continue;
            char buf[256];
            ssize_t n = read_within(slow[i], buf, sizeof buf, 0);
            if (n == 0 || send(slow[i], "X", 1, MSG_NOSIGNAL) < 0) {
                closed_at[i] = now_s() - t0;
                closed++;
            }
        }
        usleep(500000);
    }
    ck_assert_int_eq(closed, 20);
    for (int i = 0; i < 20; i++) {
        ck_assert_msg(closed_at[i] >= 1.5 && closed_at[i] < 6.0,
                      "slow connection %d closed after %.1f s", i, closed_at[i]);
        close(slow[i]);
    }
    ck_assert_int_eq(ask_health(port, 3000), 200);
    api_stop(pid);
}
END_TEST

/* ---- health ---- */

static pid_t api_child(pid_t parent)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task/%d/children", parent, parent);
    for (int i = 0; i < 100; i++) {
        char *text = read_file(path);
        pid_t child = text ? (pid_t)atoi(text) : 0;
        free(text);
        if (child > 0) return child;
        usleep(50000);
    }
    return 0;
}

START_TEST(a_stopped_api_process_is_noticed_and_replaced)
{
    int port = free_tcp_port();
    pid_t pid = api_start(port, (char *[]){"-o", "http.health_check=1s", NULL});
    pid_t child = api_child(pid);
    ck_assert_int_gt(child, 0);
    ck_assert_int_eq(ask_health(port, 3000), 200);
    /* alive but answering nothing, as a wedged server is */
    kill(child, SIGSTOP);
    double t0 = now_s();
    ck_assert_int_eq(ask_health(port, 500), -1);
    ck_assert_msg(wait_for_text(ERR, "stopped answering", 10), "not noticed");
    ck_assert(wait_for_text(ERR, "started again", 10));
    pid_t again = api_child(pid);
    ck_assert_int_ne(again, child);
    int status = -1;
    for (int i = 0; i < 40 && status != 200; i++) {
        status = ask_health(port, 1000);
        if (status != 200) usleep(100000);
    }
    ck_assert_int_eq(status, 200);
    ck_assert_msg(now_s() - t0 < 15.0, "replaced after %.1f s", now_s() - t0);
    api_stop(pid);
}
END_TEST

/* ---- Authorization ---- */

static int ask_with_auth(int port, const char *headers, size_t len)
{
    char req[512];
    const char *head = "GET /v1/stats HTTP/1.1\r\nHost: t\r\nConnection: close\r\n";
    size_t n = strlen(head);
    memcpy(req, head, n);
    memcpy(req + n, headers, len);
    memcpy(req + n + len, "\r\n", 2);
    return ask(port, req, n + len + 2, 5000, NULL, 0);
}

#define H(text) text, sizeof text - 1

START_TEST(authorization_with_a_nul_or_twice_is_refused)
{
    int port = free_tcp_port();
    pid_t pid = api_start(port, NULL);
    usleep(300000);
    ck_assert_int_eq(ask_with_auth(port, H("Authorization: Bearer " KEY "\r\n")), 200);
    ck_assert_int_eq(ask_with_auth(port, H("Authorization: Bearer " KEY "\r\nX-A: b\r\n")), 200);
    /* the key, a NUL, then anything: a C string stops at the NUL */
    ck_assert_int_eq(ask_with_auth(port, H("Authorization: Bearer " KEY "\0junk\r\n")), 400);
    ck_assert_int_eq(ask_with_auth(port, H("Authorization: Bearer " KEY "\0junk\r\nX-A: b\r\n")),
                     400);
    ck_assert_int_eq(ask_with_auth(port, H("Authorization: Bearer " KEY "\0\r\nX-A: b\r\n")), 400);
    ck_assert_int_eq(ask_with_auth(port, H("Authorization: Bearer " KEY "\r\n"
                                           "Authorization: Bearer " KEY "\r\n")),
                     400);
    ck_assert_int_eq(ask_with_auth(port, H("Authorization: Bearer wrong\r\n"
                                           "Authorization: Bearer " KEY "\r\n")),
                     400);
    ck_assert_int_eq(ask_with_auth(port, H("Authorization: Bearer wrong\r\n")), 401);
    api_stop(pid);
}
END_TEST

/* ---- log flood ---- */

static int count_lines(const char *text, const char *needle)
{
    int n = 0;
    for (const char *line = text; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        if (memmem(line, len, needle, strlen(needle))) n++;
        line = end ? end + 1 : NULL;
    }
    return n;
}

START_TEST(malformed_requests_do_not_flood_the_log)
{
    int port = free_tcp_port();
    pid_t pid = api_start(port, NULL);
    usleep(300000);
    /* 300 requests MHD refuses (and used to log, one line each) */
    for (int i = 0; i < 300; i++) {
        int fd = connect_to(port);
        const char *bad = "GET /health HTTP/1.1\r\nHost: t\r\nBad Header\r\n\r\n";
        send(fd, bad, strlen(bad), MSG_NOSIGNAL);
        char buf[512];
        read_within(fd, buf, sizeof buf, 2000);
        close(fd);
    }
    ck_assert_msg(wait_for_text(ERR, "were suppressed (rate limit)", 5), "no suppression line");
    api_stop(pid);
    char *log = read_file(ERR);
    int api_lines = count_lines(log, "sipnab-api: ");
    ck_assert_msg(api_lines <= 20, "%d lines from the API process:\n%s", api_lines, log);
    free(log);
}
END_TEST

/* ---- seccomp, and no datagram socket ---- */

static bool is_udp_socket(const char *udp_tables, unsigned long inode)
{
    char col[32];
    snprintf(col, sizeof col, " %lu ", inode);
    return udp_tables && strstr(udp_tables, col);
}

START_TEST(the_api_process_runs_under_seccomp_without_udp)
{
    int port = free_tcp_port();
    pid_t pid = api_start(port, NULL);
    char *log = read_file(ERR);
    ck_assert_msg(strstr(log, "seccomp: ") && strstr(log, "no UDP egress"), "%s", log);
    free(log);
    pid_t child = api_child(pid);
    ck_assert_int_gt(child, 0);
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/status", child);
    char *status = read_file(path);
    ck_assert_ptr_nonnull(strstr(status, "\nSeccomp:\t2\n"));
    free(status);
    char *udp = read_file("/proc/net/udp"), *udp6 = read_file("/proc/net/udp6");
    for (int fd = 0; fd < 64; fd++) {
        char link[64], target[128];
        snprintf(link, sizeof link, "/proc/%d/fd/%d", child, fd);
        ssize_t n = readlink(link, target, sizeof target - 1);
        if (n <= 0) continue;
        target[n] = '\0';
        unsigned long inode;
        if (sscanf(target, "socket:[%lu]", &inode) != 1) continue;
        ck_assert_msg(!is_udp_socket(udp, inode) && !is_udp_socket(udp6, inode),
                      "fd %d of the API process is a UDP socket", fd);
    }
    free(udp);
    free(udp6);
    ck_assert_int_eq(ask_health(port, 3000), 200);
    api_stop(pid);
}
END_TEST

int main(void)
{
    snprintf(OUT, sizeof OUT, "/tmp/sipnab-api-hostile-%d.out", (int)getpid());
    snprintf(ERR, sizeof ERR, "/tmp/sipnab-api-hostile-%d.err", (int)getpid());
    Suite *s = suite_create("api_hostile");
    TCase *tc = tcase_create("api_hostile");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, idle_connections_beyond_the_cap_are_answered_and_do_not_wedge);
    tcase_add_test(tc, slowloris_is_cut_on_a_deadline_for_the_whole_request);
    tcase_add_test(tc, a_stopped_api_process_is_noticed_and_replaced);
    tcase_add_test(tc, authorization_with_a_nul_or_twice_is_refused);
    tcase_add_test(tc, malformed_requests_do_not_flood_the_log);
    tcase_add_test(tc, the_api_process_runs_under_seccomp_without_udp);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    unlink(OUT);
    unlink(ERR);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
