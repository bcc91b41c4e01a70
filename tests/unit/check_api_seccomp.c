/* The API process's seccomp filter (api_seccomp.c), applied in a child:
 * before it, a UDP datagram to 127.0.0.1 leaves (the hole of issue 18);
 * after it, no socket can be made, sendto with an address and ioctls other
 * than non-blocking are refused, serving's calls still work, and a call
 * off the list ends the process with SIGSYS. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "api_server.h"
#include "check_run.h"

/* Run fn in a child; its exit status (or 128 + signal). */
static int in_child(int (*fn)(void))
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) _exit(fn());
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

static int udp_to_loopback(int fd)
{
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(9)};
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return (int)sendto(fd, "x", 1, 0, (struct sockaddr *)&to, sizeof to);
}

static int egress_without_filter(void)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    return fd >= 0 && udp_to_loopback(fd) == 1 ? 0 : 1;
}

static int egress_with_filter(void)
{
    int early = socket(AF_INET, SOCK_DGRAM, 0); /* made before the filter */
    char what[128];
    if (api_sandbox_seccomp(what, sizeof what) != 0) return 10;
    errno = 0;
    if (socket(AF_INET, SOCK_DGRAM, 0) != -1 || errno != EPERM) return 11;
    if (socket(AF_INET, SOCK_STREAM, 0) != -1 || errno != EPERM) return 12;
    if (udp_to_loopback(early) != -1 || errno != EPERM) return 13;
    char c = 'x';
    if (ioctl(STDIN_FILENO, TIOCSTI, &c) != -1 || errno != EPERM) return 14;
    int one = 1;
    if (ioctl(early, FIONBIO, &one) != 0) return 15; /* what libuv does */
    int sp[2] = {-1, -1};                            /* no socketpair either */
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp) != -1) return 16;
    int p[2];
    if (pipe2(p, 0) != 0 || write(p[1], "y", 1) != 1 || read(p[0], &c, 1) != 1) return 17;
    return 0;
}

static int off_the_list(void)
{
    char what[128];
    if (api_sandbox_seccomp(what, sizeof what) != 0) return 10;
    syscall(SYS_getuid); /* not something serving does */
    return 0;
}

START_TEST(udp_egress_closed_and_calls_allowed)
{
    ck_assert_int_eq(in_child(egress_without_filter), 0);
    ck_assert_int_eq(in_child(egress_with_filter), 0);
    ck_assert_int_eq(in_child(off_the_list), 128 + SIGSYS);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("api_seccomp");
    TCase *tc = tcase_create("seccomp");
    tcase_add_test(tc, udp_egress_closed_and_calls_allowed);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
