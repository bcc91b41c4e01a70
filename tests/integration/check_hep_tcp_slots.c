/* The HEP TCP listener's slots under idle and hostile connections (issue
 * 18), with real sockets on loopback against the real sipnab:
 *  - the lockout: 64 idle connections from a source outside --hep-allow
 *    used to take every slot, and an allowed sender's packets were lost
 *    without a counter; now they are refused at accept and counted;
 *  - slots are bounded and freed: beyond max_connections a connection is
 *    refused (counted), and one that delivers no whole HEP packet within
 *    idle_timeout, silent or trickling, is closed (counted);
 *  - sipnab stops at once with connections open.
 * Packets are encoded with the module's own codec. Each test takes a few
 * seconds. */
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
#include <time.h>
#include <unistd.h>

#include "hep_codec.h"
#include "run_util.h"

/* Per process: other build trees may run this test at the same time. */
static char OUT[64], ERR[64];

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* `sipnab -L tcp:127.0.0.1:port --stats --json` plus extra; its pid. */
static pid_t listener(int port, char *const extra[])
{
    static char listen[48];
    snprintf(listen, sizeof listen, "tcp:127.0.0.1:%d", port);
    char *argv[24] = {
        (char *)sipnab_bin(), "-c", "/dev/null", "-N", "-L", listen, "--stats", "--json", "-o",
        "sip.output=none"};
    int n = 10;
    for (int i = 0; extra && extra[i]; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;
    unlink(OUT);
    unlink(ERR);
    pid_t pid = run_bg(argv, OUT, ERR);
    ck_assert_msg(wait_for_text(ERR, "hep: listening on", 10), "listener did not start");
    return pid;
}

/* SIGINT it (it must stop within 5 s); its --stats JSON. */
static json_t *stop_listener(pid_t pid)
{
    usleep(300000);
    double t0 = now_s();
    kill(pid, SIGINT);
    ck_assert_int_eq(run_wait(pid, 10), 0);
    ck_assert_msg(now_s() - t0 < 5.0, "took %.1f s to stop", now_s() - t0);
    char *out = read_file(OUT);
    const char *last = out, *p = out;
    while ((p = strstr(p, "\n{")))
        last = ++p;
    json_error_t e;
    json_t *st = json_loads(last, JSON_DISABLE_EOF_CHECK, &e);
    ck_assert_msg(st != NULL, "no stats: %s", out);
    free(out);
    return st;
}

static int connect_from(const char *src, int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in from = {.sin_family = AF_INET};
    inet_pton(AF_INET, src, &from.sin_addr);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&from, sizeof from), 0);
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&to, sizeof to), 0);
    return fd;
}

/* Whether the listener has closed fd (EOF or reset) within timeout_ms. */
static bool closed_by_peer(int fd, int timeout_ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, timeout_ms) <= 0) return false;
    char c;
    ssize_t n = recv(fd, &c, 1, MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno == ECONNRESET);
}

/* One HEP v3 SIP OPTIONS, encoded by the module's codec; its length. */
static size_t hep_options(int i, uint8_t *buf, size_t len)
{
    char sip[512];
    int n = snprintf(sip, sizeof sip,
                     "OPTIONS sip:probe@127.0.0.1 SIP/2.0\r\n"
                     "Via: SIP/2.0/UDP 127.0.0.2:5060;branch=z9hG4bK%d\r\n"
                     "From: <sip:p@127.0.0.2>;tag=%d\r\nTo: <sip:probe@127.0.0.1>\r\n"
                     "Call-ID: slots-%d@hep\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n",
                     i, i, i);
    hep_packet_t h = {.version = 3,
                      .ip_family = 4,
                      .ip_proto = 17,
                      .src = {.family = 4, .a = {127, 0, 0, 2}},
                      .dst = {.family = 4, .a = {127, 0, 0, 1}},
                      .sport = 5060,
                      .dport = 5060,
                      .ts_sec = (uint32_t)time(NULL),
                      .proto_type = 1,
                      .capture_id = 2001,
                      .payload = (const uint8_t *)sip,
                      .payload_len = (uint32_t)n};
    long out = hep_encode_v3(&h, false, buf, len);
    ck_assert_int_gt(out, 0);
    return (size_t)out;
}

/* One connection from src sending count packets, then closing. */
static void send_packets(const char *src, int port, int count)
{
    int fd = connect_from(src, port);
    for (int i = 0; i < count; i++) {
        uint8_t pkt[1024];
        size_t n = hep_options(i, pkt, sizeof pkt);
        ck_assert_int_eq(send(fd, pkt, n, MSG_NOSIGNAL), (ssize_t)n);
    }
    close(fd);
}

START_TEST(sources_outside_the_allow_list_take_no_slot)
{
    int port = free_tcp_port();
    pid_t pid = listener(port, (char *[]){"--hep-allow", "127.0.0.2/32", NULL});
    send_packets("127.0.0.2", port, 10);
    /* every slot (max_connections is 64) asked for by a stranger */
    int idle[64];
    for (int i = 0; i < 64; i++)
        idle[i] = connect_from("127.0.0.1", port);
    int refused = 0;
    for (int i = 0; i < 64; i++)
        refused += closed_by_peer(idle[i], 2000);
    ck_assert_int_eq(refused, 64); /* at accept, not after holding a slot */
    send_packets("127.0.0.2", port, 100);
    for (int i = 0; i < 64; i++)
        close(idle[i]);
    json_t *st = stop_listener(pid);
    ck_assert_int_eq(json_int(st, "hep_accepted"), 110);
    ck_assert_int_eq(json_int(st, "hep_tcp_refused_not_allowed"), 64);
    ck_assert_int_eq(json_int(st, "hep_tcp_refused_full"), 0);
    json_decref(st);
}
END_TEST

/* Strangers and a sender queued together, accepted in one batch: the
 * strangers' close callbacks have not run when the sender is accepted, and
 * they once still held slots then, so the sender was refused as "full". */
START_TEST(strangers_accepted_in_the_same_batch_take_no_slot)
{
    int port = free_tcp_port();
    pid_t pid = listener(port, (char *[]){"--hep-allow", "127.0.0.2/32", NULL});
    ck_assert_int_eq(kill(pid, SIGSTOP), 0); /* the kernel queues what follows */
    int idle[64];
    for (int i = 0; i < 64; i++)
        idle[i] = connect_from("127.0.0.1", port);
    send_packets("127.0.0.2", port, 100);
    ck_assert_int_eq(kill(pid, SIGCONT), 0);
    int refused = 0;
    for (int i = 0; i < 64; i++)
        refused += closed_by_peer(idle[i], 2000);
    ck_assert_int_eq(refused, 64);
    for (int i = 0; i < 64; i++)
        close(idle[i]);
    json_t *st = stop_listener(pid);
    ck_assert_int_eq(json_int(st, "hep_accepted"), 100);
    ck_assert_int_eq(json_int(st, "hep_tcp_refused_not_allowed"), 64);
    ck_assert_int_eq(json_int(st, "hep_tcp_refused_full"), 0);
    json_decref(st);
}
END_TEST

START_TEST(slots_are_bounded_and_idle_ones_freed)
{
    int port = free_tcp_port();
    pid_t pid = listener(port, (char *[]){"-o", "hep.listen1.max_connections=4", "-o",
                                          "hep.listen1.idle_timeout=1s", NULL});
    /* 3 silent, and 1 trickling a frame header one byte at a time */
    int held[4];
    for (int i = 0; i < 4; i++)
        held[i] = connect_from("127.0.0.1", port);
    usleep(200000);
    int fifth = connect_from("127.0.0.1", port);
    ck_assert_msg(closed_by_peer(fifth, 2000), "a connection beyond max_connections was kept");
    close(fifth);
    uint8_t pkt[1024];
    hep_options(0, pkt, sizeof pkt);
    double t0 = now_s();
    int closed = 0, byte = 0;
    bool gone[4] = {false};
    while (closed < 4 && now_s() - t0 < 5.0) {
        send(held[3], pkt + byte, 1, MSG_NOSIGNAL);
        byte = (byte + 1) % 5; /* never a whole packet */
        for (int i = 0; i < 4; i++)
            if (!gone[i] && closed_by_peer(held[i], 0)) {
                gone[i] = true;
                closed++;
            }
        usleep(200000);
    }
    ck_assert_int_eq(closed, 4);
    ck_assert_msg(now_s() - t0 < 4.0, "idle connections closed after %.1f s", now_s() - t0);
    for (int i = 0; i < 4; i++)
        close(held[i]);
    /* the slots are free again */
    send_packets("127.0.0.2", port, 50);
    json_t *st = stop_listener(pid);
    ck_assert_int_eq(json_int(st, "hep_accepted"), 50);
    ck_assert_int_eq(json_int(st, "hep_tcp_refused_full"), 1);
    ck_assert_int_eq(json_int(st, "hep_tcp_idle_closed"), 4);
    json_decref(st);
}
END_TEST

START_TEST(stops_at_once_with_connections_open)
{
    int port = free_tcp_port();
    pid_t pid = listener(port, NULL);
    int fds[3];
    for (int i = 0; i < 3; i++)
        fds[i] = connect_from("127.0.0.2", port);
    usleep(200000);
    json_t *st = stop_listener(pid); /* within 5 s, or it fails */
    json_decref(st);
    for (int i = 0; i < 3; i++)
        close(fds[i]);
}
END_TEST

int main(void)
{
    snprintf(OUT, sizeof OUT, "/tmp/sipnab-hep-slots-%d.out", (int)getpid());
    snprintf(ERR, sizeof ERR, "/tmp/sipnab-hep-slots-%d.err", (int)getpid());
    Suite *s = suite_create("hep_tcp_slots");
    TCase *tc = tcase_create("hep_tcp_slots");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, sources_outside_the_allow_list_take_no_slot);
    tcase_add_test(tc, strangers_accepted_in_the_same_batch_take_no_slot);
    tcase_add_test(tc, slots_are_bounded_and_idle_ones_freed);
    tcase_add_test(tc, stops_at_once_with_connections_open);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    unlink(OUT);
    unlink(ERR);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
