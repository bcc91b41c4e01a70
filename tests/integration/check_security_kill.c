/* --kill-scanner on a live interface, in two network namespaces joined by
 * a veth pair: Debian's SIPVicious svmap scans 10.213.0.2, where nothing
 * listens on 5060. Without sipnab svmap finds nothing; with sipnab
 * capturing there with --kill-scanner, svmap lists 10.213.0.2:5060: it got
 * our spoofed reply. Needs root (namespaces, raw sockets) and svmap:
 * skipped with a message otherwise. */
#include <check.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run_util.h"

/* Names with our pid: several suites may run this test at once. */
static char ns_scan[32], ns_pbx[32], veth_scan[16], veth_pbx[16];

static void make_names(void)
{
    unsigned id = (unsigned)getpid() % 100000;
    snprintf(ns_scan, sizeof ns_scan, "snbk%u_scan", id);
    snprintf(ns_pbx, sizeof ns_pbx, "snbk%u_pbx", id);
    snprintf(veth_scan, sizeof veth_scan, "snbk%ua", id);
    snprintf(veth_pbx, sizeof veth_pbx, "snbk%ub", id);
}

static int sh(const char *cmd)
{
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static bool have(const char *tool)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", tool);
    return sh(cmd) == 0;
}

static void teardown_netns(void)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "ip netns del %s 2>/dev/null; ip netns del %s 2>/dev/null; true",
             ns_scan, ns_pbx);
    sh(cmd);
}

static bool setup_netns(void)
{
    teardown_netns();
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "ip netns add %1$s && ip netns add %2$s"
             " && ip link add %3$s type veth peer name %4$s"
             " && ip link set %3$s netns %1$s && ip link set %4$s netns %2$s"
             " && ip -n %1$s addr add 10.213.0.1/24 dev %3$s"
             " && ip -n %2$s addr add 10.213.0.2/24 dev %4$s"
             " && ip -n %1$s link set %3$s up && ip -n %2$s link set %4$s up"
             " && ip -n %1$s link set lo up && ip -n %2$s link set lo up",
             ns_scan, ns_pbx, veth_scan, veth_pbx);
    return sh(cmd) == 0;
}

/* svmap's table, or "" */
static char *svmap(void)
{
    char *argv[] = {"/usr/sbin/ip", "netns", "exec", ns_scan, "svmap", "10.213.0.2", NULL};
    if (access(argv[0], X_OK) != 0) argv[0] = "/sbin/ip";
    run_result_t r = run_cmd(argv, 60);
    size_t n = strlen(r.out) + strlen(r.err) + 2;
    char *all = malloc(n);
    snprintf(all, n, "%s\n%s", r.out, r.err);
    run_free(&r);
    return all;
}

START_TEST(svmap_receives_our_reply)
{
    if (geteuid() != 0) {
        printf("SKIP kill-scanner: needs root (network namespaces and a raw socket)\n");
        return;
    }
    if (!have("svmap") || !have("ip")) {
        printf("SKIP kill-scanner: needs Debian's sipvicious (svmap) and iproute2\n");
        return;
    }
    make_names();
    ck_assert_msg(setup_netns(), "could not make the network namespaces");

    /* Control: nobody answers on 10.213.0.2:5060. */
    char *out = svmap();
    ck_assert_msg(strstr(out, "10.213.0.2:5060") == NULL, "svmap found a device already:\n%s", out);
    free(out);

    char out_path[] = "/tmp/sipnab-kill-out-XXXXXX", err_path[] = "/tmp/sipnab-kill-err-XXXXXX";
    close(mkstemp(out_path));
    close(mkstemp(err_path));
    char *argv[] = {"/usr/sbin/ip", "netns", "exec", ns_pbx,   (char *)sipnab_bin(), "-c",
                    "/dev/null",    "-N",    "-d",   veth_pbx, "--kill-scanner",     "--stats",
                    "--json",       NULL};
    if (access(argv[0], X_OK) != 0) argv[0] = "/sbin/ip";
    pid_t pid = run_bg(argv, out_path, err_path);
    ck_assert_int_gt(pid, 0);
    ck_assert_msg(wait_for_text(err_path, "capturing", 20), "sipnab did not start capturing");

    out = svmap();
    kill(pid, SIGINT);
    int status = run_wait(pid, 20);
    char *stats = read_file(out_path);
    char *err = read_file(err_path);
    teardown_netns();
    ck_assert_msg(strstr(out, "10.213.0.2:5060") != NULL, "svmap did not see our reply:\n%s\n%s",
                  out, err);
    ck_assert_int_eq(status, 0);
    /* --stats --json: the reply was sent, not a dry run. */
    json_error_t e;
    size_t len = strlen(stats); /* the last line */
    while (len && stats[len - 1] == '\n')
        stats[--len] = '\0';
    const char *last = strrchr(stats, '\n');
    json_t *j = json_loads(last ? last + 1 : stats, 0, &e);
    ck_assert_msg(j != NULL, "no stats in: %s", stats);
    ck_assert_int_ge(json_integer_value(json_object_get(j, "security_kill_sent")), 1);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "security_kill_dry_run")), 0);
    ck_assert_int_eq(
        json_integer_value(json_object_get(json_object_get(j, "security_alerts"), "scanner")), 1);
    json_decref(j);
    free(out);
    free(stats);
    free(err);
    unlink(out_path);
    unlink(err_path);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("security_kill");
    TCase *tc = tcase_create("netns");
    tcase_set_timeout(tc, 180);
    tcase_add_test(tc, svmap_receives_our_reply);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    teardown_netns();
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
