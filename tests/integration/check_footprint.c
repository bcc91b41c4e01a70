/* What sipnab holds before traffic does: every module loaded, a capture of
 * one call. Tables sized for 100 000 calls or sources must cost memory only
 * as they fill. With mimalloc linked (core/allocator.h) a large calloc is
 * zeroed by hand when the allocator reuses memory, and the RTP module's
 * call table alone once made this run 290 MB resident (13 MB before). */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check_run.h"
#include "run_util.h"

#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif

/* Peak RSS of `sipnab argv...` in KiB, after it exited with status 0. */
static long peak_rss_kib(char *const argv[])
{
    char out[64], err[64];
    snprintf(out, sizeof out, "/tmp/sipnab-footprint-%d.out", (int)getpid());
    snprintf(err, sizeof err, "/tmp/sipnab-footprint-%d.err", (int)getpid());
    pid_t pid = run_bg(argv, out, err);
    ck_assert_int_gt(pid, 0);
    int status = 0;
    struct rusage ru;
    for (int i = 0; i < 600; i++) { /* 60 s */
        pid_t r = wait4(pid, &status, WNOHANG, &ru);
        if (r == pid) break;
        ck_assert_int_eq(r, 0);
        if (i == 599) {
            kill(pid, SIGKILL);
            ck_abort_msg("sipnab did not finish");
        }
        usleep(100000);
    }
    char *e = read_file(err);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "sipnab failed: %s", e ? e : "");
    free(e);
    unlink(out);
    unlink(err);
    return ru.ru_maxrss;
}

START_TEST(every_module_on_one_call_stays_small)
{
    char *cap = data_path("suricata-cloudshark-sip-s0.pcap");
    char *argv[] = {(char *)sipnab_bin(),           "-c", "/dev/null", "-N", "-I", cap, "--load",
                    "security,stir,siprec,tls,hep", NULL};
    long kib = peak_rss_kib(argv);
#ifdef SANITIZED
    long cap_kib = 512 * 1024; /* ASan's shadow and quarantine */
#else
    long cap_kib = 64 * 1024;
#endif
    printf("peak RSS with every analysis module on one call: %ld KiB (cap %ld)\n", kib, cap_kib);
    ck_assert_msg(kib < cap_kib, "peak RSS %ld KiB on a one-call capture", kib);
    free(cap);
}
END_TEST

START_TEST(version_names_the_allocator)
{
    char *argv[] = {(char *)sipnab_bin(), "--version", NULL};
    run_result_t r = run_cmd(argv, 10);
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(strstr(r.out, "malloc") != NULL, "--version: %s", r.out);
    run_free(&r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("footprint");
    TCase *tc = tcase_create("footprint");
    tcase_set_timeout(tc, 90);
    tcase_add_test(tc, every_module_on_one_call_stays_small);
    tcase_add_test(tc, version_names_the_allocator);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
