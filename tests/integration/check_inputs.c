/* Inputs that are not a plain regular file (issue 18, items 6 and 7): a
 * pipe on standard input (`tcpdump -w - | sipnab -I -`), a FIFO, process
 * substitution, gzip through a pipe and in several members; and gzip damage
 * told apart from a clean end: data cut at a deflate flush point (which
 * gzread took for a complete file) and a bad CRC (which lost every packet
 * of the last 1 MiB read), both from tests/data/reliability (copies of
 * ../shared/reliability). The counts are Wireshark's (sngrep-aaa.tshark.txt:
 * 691 frames, 81 SIP messages). */
#include <check.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_run.h"
#include "oracle.h"
#include "run_util.h"

static run_result_t shell(const char *script)
{
    char *argv[] = {"/bin/sh", "-c", (char *)script, NULL};
    return run_cmd(argv, 60);
}

/* `sipnab ... --stats --json` through a shell line; the counters object. */
static json_t *stats_of(const char *script, run_result_t *r)
{
    *r = shell(script);
    const char *last = r->out;
    for (const char *p = r->out; *p; p++)
        if (*p == '\n' && p[1]) last = p + 1;
    json_error_t e;
    return json_loads(last, 0, &e);
}

static oracle_t *aaa_oracle(void)
{
    char *path = data_path("sngrep-aaa.tshark.txt");
    oracle_t *o = oracle_load(path);
    free(path);
    ck_assert_ptr_nonnull(o);
    return o;
}

START_TEST(pipes_fifos_and_gzip_streams)
{
    oracle_t *o = aaa_oracle();
    long long frames = oracle_packets(o), sip = oracle_sip(o)->messages;
    char *cap = data_path("sngrep-aaa.pcap");
    /* The shell lines see the binary, the capture, the options and the
     * FIFO as $S, $C, $O and $F. */
    const char *fifo = "/tmp/sipnab-check-inputs.fifo";
    setenv("S", sipnab_bin(), 1);
    setenv("C", cap, 1);
    setenv("O", "-c /dev/null -N -o sip.output=none --stats --json", 1);
    setenv("F", fifo, 1);
    unlink(fifo);
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    const char *lines[] = {
        "cat \"$C\" | \"$S\" $O -I -",               /* standard input */
        "\"$S\" $O -I /dev/stdin < \"$C\"",          /* a redirect */
        "cat \"$C\" > \"$F\" & \"$S\" $O -I \"$F\"", /* a FIFO */
        "gzip -c \"$C\" | \"$S\" $O -I -",           /* gzip through a pipe */
        /* two gzip members, as `cat a.gz b.gz` makes */
        "(head -c 50000 \"$C\" | gzip -c; tail -c +50001 \"$C\" | gzip -c) | \"$S\" $O -I -",
    };
    for (size_t i = 0; i < sizeof lines / sizeof *lines; i++) {
        run_result_t r;
        json_t *st = stats_of(lines[i], &r);
        ck_assert_msg(st != NULL && r.status == 0, "%s: status %d: %s", lines[i], r.status, r.err);
        ck_assert_int_eq(json_int(st, "capture_packets"), frames);
        ck_assert_int_eq(json_int(st, "sip_messages"), sip);
        ck_assert_int_eq(json_int(st, "capture_errors"), 0);
        json_decref(st);
        run_free(&r);
    }
    unlink(fifo);
    oracle_free(o);
    free(cap);
}
END_TEST

START_TEST(gzip_damage_is_reported_after_what_was_read)
{
    char *cut = data_path("reliability/gz-cut-at-flush.pcap.gz");
    char *crc = data_path("reliability/gz-bad-crc.pcap.gz");
    char script[1024];
    run_result_t r;
    /* cut at a flush point: 345 complete packets, then the end of the data
     * with no gzip trailer (gzread said nothing and exited 0) */
    snprintf(script, sizeof script,
             "'%s' -c /dev/null -N -o sip.output=none --stats --json -I '%s'", sipnab_bin(), cut);
    json_t *st = stats_of(script, &r);
    ck_assert_ptr_nonnull(st);
    ck_assert_int_eq(r.status, 1);
    ck_assert_int_eq(json_int(st, "capture_packets"), 345);
    ck_assert_ptr_nonnull(strstr(r.err, "gz-cut-at-flush.pcap.gz: truncated at byte 53417 after "
                                        "345 packets (gzip data cut short)\n"));
    json_decref(st);
    run_free(&r);
    /* a bad CRC at the very end: every packet is there (gzread lost the last
     * 1 MiB chunk, here all 691), then the damage is named */
    snprintf(script, sizeof script,
             "'%s' -c /dev/null -N -o sip.output=none --stats --json -I '%s'", sipnab_bin(), crc);
    st = stats_of(script, &r);
    ck_assert_ptr_nonnull(st);
    ck_assert_int_eq(r.status, 1);
    ck_assert_int_eq(json_int(st, "capture_packets"), 691);
    ck_assert_int_eq(json_int(st, "sip_messages"), 81);
    ck_assert_ptr_nonnull(strstr(r.err, "gz-bad-crc.pcap.gz: corrupt at byte 111077 after 691 "
                                        "packets: gzip: incorrect data check\n"));
    json_decref(st);
    run_free(&r);
    free(cut);
    free(crc);
}
END_TEST

/* A classic pcap of 4 MiB or more is read ahead by a thread where two CPUs
 * are there to run it, and by the loop when sipnab is pinned to one
 * (taskset): the same packets and SIP messages either way, 45 times the
 * sample's (its records appended 44 times; 5 MB). */
START_TEST(a_large_file_is_read_ahead_where_two_cpus_allow)
{
    oracle_t *o = aaa_oracle();
    long long frames = oracle_packets(o), sip = oracle_sip(o)->messages;
    char *cap = data_path("sngrep-aaa.pcap");
    const char *big = "/tmp/sipnab-check-inputs-big.pcap";
    char script[1024];
    snprintf(script, sizeof script,
             "{ cat '%s'; for i in $(seq 44); do tail -c +25 '%s'; done; } > '%s'", cap, cap, big);
    run_result_t r = shell(script);
    ck_assert_int_eq(r.status, 0);
    run_free(&r);
    cpu_set_t cpus;
    ck_assert_int_eq(sched_getaffinity(0, sizeof cpus, &cpus), 0);
    bool two = CPU_COUNT(&cpus) >= 2; /* else no thread even unpinned */
    const char *pin[] = {"", "taskset -c 0 "};
    for (int i = 0; i < 2; i++) {
        snprintf(script, sizeof script,
                 "%s'%s' -v -c /dev/null -N -o sip.output=none --stats --json -I '%s'", pin[i],
                 sipnab_bin(), big);
        json_t *st = stats_of(script, &r);
        ck_assert_msg(st != NULL && r.status == 0, "%s: status %d: %s", script, r.status, r.err);
        ck_assert_int_eq(json_int(st, "capture_packets"), 45 * frames);
        ck_assert_int_eq(json_int(st, "sip_messages"), 45 * sip);
        bool threaded = strstr(r.err, "our reader, read ahead by a thread)") != NULL;
        ck_assert_msg(threaded == (i == 0 && two), "%s: %s", script, r.err);
        json_decref(st);
        run_free(&r);
    }
    unlink(big);
    oracle_free(o);
    free(cap);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("inputs");
    TCase *tc = tcase_create("inputs");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, pipes_fifos_and_gzip_streams);
    tcase_add_test(tc, a_large_file_is_read_ahead_where_two_cpus_allow);
    tcase_add_test(tc, gzip_damage_is_reported_after_what_was_read);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
