/* The binary's behaviour on flags, configuration files and bad input:
 * one clear line, the documented exit code, and never a crash. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_run.h"
#include "run_util.h"

#define SAMPLE SNB_TEST_DATA_DIR "/sngrep-aaa.pcap"
#define MODPATH SNB_BUILD_DIR "/modules:" SNB_BUILD_DIR "/tests/modules"

static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

START_TEST(wrong_flags_get_one_line_and_exit_2)
{
    char *bogus[] = {(char *)sipnab_bin(), "--bogus", NULL};
    run_result_t r = run_cmd(bogus, 10);
    ck_assert_int_eq(r.status, 2);
    ck_assert_str_eq(r.err, "sipnab: unknown option '--bogus' (see --help)\n");
    run_free(&r);
    char *novalue[] = {(char *)sipnab_bin(), "-I", NULL};
    r = run_cmd(novalue, 10);
    ck_assert_int_eq(r.status, 2);
    ck_assert_str_eq(r.err, "sipnab: option '-I' needs a value (see --help)\n");
    run_free(&r);
    char *badsize[] = {(char *)sipnab_bin(), "-c", "/dev/null", "-I", SAMPLE, "-s", "abc", NULL};
    r = run_cmd(badsize, 10);
    ck_assert_int_eq(r.status, 2);
    ck_assert_int_eq(count_lines(r.err), 1);
    ck_assert(strstr(r.err, "command line: option 'snaplen': 'abc' is not a size") != NULL);
    run_free(&r);
    char *stray[] = {(char *)sipnab_bin(), "udp", NULL};
    r = run_cmd(stray, 10);
    ck_assert_int_eq(r.status, 2);
    ck_assert(strstr(r.err, "filter words need -I FILE or -d IFACE") != NULL);
    run_free(&r);
    char *help[] = {(char *)sipnab_bin(), "--help", NULL};
    r = run_cmd(help, 10);
    ck_assert_int_eq(r.status, 0);
    ck_assert(strstr(r.out, "--stats") && strstr(r.out, "--dump-config") &&
              strstr(r.out, "-I, --input FILE"));
    run_free(&r);
}
END_TEST

/* A module file that does not open has no flags: an unknown flag (likely
 * its own) and --help say which file did not load and why, in one line. */
START_TEST(module_that_does_not_load_is_named_by_unknown_flag_and_help)
{
    char dir[] = "/tmp/snb-cli-XXXXXX", so[64];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(so, sizeof so, "%s/mine.so", dir);
    ck_assert_int_eq(write_file(so, "", 0), 0); /* dlopen: file too short */
    char path[256];
    snprintf(path, sizeof path, "%s/modules:%s", SNB_BUILD_DIR, dir);
    char *flag[] = {(char *)sipnab_bin(), "--module-path", path, "--mine-level", "3", NULL};
    run_result_t r = run_cmd(flag, 10);
    ck_assert_int_eq(r.status, 2);
    ck_assert_int_eq(count_lines(r.err), 1);
    ck_assert_ptr_nonnull(strstr(r.err, "sipnab: unknown option '--mine-level' (see --help; 1 file "
                                        "on the module path not loaded, first: module mine.so: "
                                        "cannot load: "));
    ck_assert_ptr_nonnull(strstr(r.err, "mine.so: file too short)\n"));
    run_free(&r);
    char *help[] = {(char *)sipnab_bin(), "--module-path", path, "--help", NULL};
    r = run_cmd(help, 10);
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "--stats"));
    ck_assert_int_eq(count_lines(r.err), 1);
    ck_assert_ptr_nonnull(strstr(r.err, "sipnab: warning: 1 file on the module path not loaded, "
                                        "first: module mine.so: cannot load: "));
    run_free(&r);
    unlink(so);
    rmdir(dir);
}
END_TEST

START_TEST(shipped_config_passes_and_bad_configs_name_file_and_line)
{
    char *ok[] = {(char *)sipnab_bin(), "-c", SNB_SOURCE_DIR "/conf/sipnab.conf", "-t", NULL};
    run_result_t r = run_cmd(ok, 10);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert(strstr(r.err, "is ok") != NULL);
    run_free(&r);

    const char *bad[][2] = {
        {"[core]\nload = pcap\n[pcap \"lan\"]\ninterface = lo\nsnaplen = 99999999\n",
         ":5: option 'snaplen': '99999999' out of range"},
        {"[core]\nload = pcap\n\n[hep]\nport = 9060\n",
         ":4: [hep] configures module 'hep', which is not loaded"},
        {"[core]\nlod = pcap\n", ":2: unknown option 'lod' in [core]"},
        {"[core]\nload = pcap\n[pcap \"x\"\n", ":3: "},
        {"[decode]\ntcp_timeout = soon\n", ":2: option 'tcp_timeout': 'soon'"},
        {"[core \"a\"]\n", ":1: [core] takes no instance name"},
        {"[core]\nload = nosuchmodule\n", "module nosuchmodule.so: not found in"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char path[] = "/tmp/sipnab-test-XXXXXX.conf";
        int fd = mkstemps(path, 5);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(write(fd, bad[i][0], strlen(bad[i][0])), (ssize_t)strlen(bad[i][0]));
        close(fd);
        char *argv[] = {(char *)sipnab_bin(), "-c", path, "-t", NULL};
        r = run_cmd(argv, 10);
        ck_assert_int_eq(r.status, 2);
        ck_assert_int_eq(count_lines(r.err), 1);
        ck_assert_msg(strstr(r.err, bad[i][1]) != NULL, "case %zu: %s", i, r.err);
        if (bad[i][1][0] == ':') ck_assert(strstr(r.err, path) != NULL);
        run_free(&r);
        unlink(path);
    }
}
END_TEST

START_TEST(dump_config_redacts_secrets)
{
    char *argv[] = {(char *)sipnab_bin(),
                    "-c",
                    "/dev/null",
                    "--module-path",
                    MODPATH,
                    "--load",
                    "counter",
                    "-o",
                    "counter.secret_token=hunter2",
                    "-T",
                    NULL};
    run_result_t r = run_cmd(argv, 10);
    ck_assert_int_eq(r.status, 0);
    ck_assert(strstr(r.out, "[counter]\nretain_every = 0\nsecret_token = <redacted>\n") != NULL);
    ck_assert(strstr(r.out, "hunter2") == NULL && strstr(r.err, "hunter2") == NULL);
    ck_assert(strstr(r.out, "[decode]\n") && strstr(r.out, "tcp_timeout = 5m\n"));
    run_free(&r);
}
END_TEST

START_TEST(packets_reach_subscribers_and_survive_retain)
{
    char *extra[] = {"--module-path",          MODPATH, "--load", "counter", "-o",
                     "counter.retain_every=7", NULL};
    run_result_t r;
    json_t *st = sipnab_stats(SAMPLE, extra, &r);
    ck_assert_ptr_nonnull(st);
    /* 590 UDP datagrams + 29 TCP segments with data (the oracle's 57 TCP
     * frames include 28 without payload, which are not delivered). */
    ck_assert_msg(strstr(r.err, "counter: packets=619 udp=590 tcp=29 sctp=0 payload_bytes=69770 "
                                "ends=1 retained_ok=88") != NULL,
                  "%s", r.err);
    json_decref(st);
    run_free(&r);
}
END_TEST

START_TEST(truncated_capture_reports_offset_after_processing_what_came_before)
{
    char *whole = read_file(SAMPLE);
    ck_assert_ptr_nonnull(whole);
    const char *path = "/tmp/sipnab-test-truncated.pcap";
    ck_assert_int_eq(write_file(path, whole, 5000), 0);
    run_result_t r;
    json_t *st = sipnab_stats(path, NULL, &r);
    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.err,
                     "pcap: /tmp/sipnab-test-truncated.pcap: truncated at byte 4897 after 31 "
                     "packets\n");
    ck_assert_ptr_nonnull(st);
    ck_assert_int_eq(json_int(st, "frames"), 31);
    ck_assert_int_eq(json_int(st, "capture_errors"), 1);
    json_decref(st);
    run_free(&r);
    free(whole);
    unlink(path);
}
END_TEST

START_TEST(not_a_capture_missing_file_and_bad_linktype)
{
    const char *junk = "/tmp/sipnab-test-junk.pcap";
    ck_assert_int_eq(write_file(junk, "hello, this is not a capture\n", 29), 0);
    run_result_t r;
    json_t *st = sipnab_stats(junk, NULL, &r);
    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.err, "pcap: /tmp/sipnab-test-junk.pcap: not a capture file (no pcap or "
                            "pcapng header)\n");
    json_decref(st);
    run_free(&r);

    ck_assert_int_eq(write_file(junk, "", 0), 0);
    st = sipnab_stats(junk, NULL, &r);
    ck_assert_int_eq(r.status, 1);
    ck_assert(strstr(r.err, "not a capture file") != NULL);
    json_decref(st);
    run_free(&r);
    unlink(junk);

    st = sipnab_stats("/nonexistent/capture.pcap", NULL, &r);
    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.err, "pcap: /nonexistent/capture.pcap: No such file or directory\n");
    json_decref(st);
    run_free(&r);

    /* A valid pcap header with link type 105 (802.11), which we do not decode. */
    uint8_t hdr[24 + 16 + 4] = {0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0};
    hdr[16] = 0xff, hdr[17] = 0xff; /* snaplen 65535 */
    hdr[20] = 105;
    hdr[24 + 8] = 4, hdr[24 + 12] = 4; /* caplen = len = 4 */
    const char *wifi = "/tmp/sipnab-test-80211.pcap";
    ck_assert_int_eq(write_file(wifi, hdr, sizeof hdr), 0);
    st = sipnab_stats(wifi, NULL, &r);
    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.err, "pcap: /tmp/sipnab-test-80211.pcap: unsupported link type 105 "
                            "(IEEE802_11)\n");
    json_decref(st);
    run_free(&r);

    /* A record that claims 2 GB: corrupt, reported, no crash, no huge allocation. */
    hdr[20] = 1;
    hdr[24 + 8] = 0, hdr[24 + 11] = 0x80;
    ck_assert_int_eq(write_file(wifi, hdr, sizeof hdr), 0);
    st = sipnab_stats(wifi, NULL, &r);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "pcap: /tmp/sipnab-test-80211.pcap: corrupt at byte 24 after 0 "
                                "packets: ") != NULL,
                  "%s", r.err);
    ck_assert_int_eq(count_lines(r.err), 1);
    json_decref(st);
    run_free(&r);
    unlink(wifi);
}
END_TEST

START_TEST(gzip_and_several_files_in_a_row)
{
    const char *gzpath = "/tmp/sipnab-test-aaa.pcap.gz";
    char *sh[] = {"/bin/sh", "-c", "gzip -c " SAMPLE " > /tmp/sipnab-test-aaa.pcap.gz", NULL};
    run_result_t z = run_cmd(sh, 20);
    ck_assert_int_eq(z.status, 0);
    run_free(&z);
    run_result_t r;
    json_t *st = sipnab_stats(gzpath, NULL, &r);
    ck_assert_int_eq(r.status, 0);
    ck_assert_int_eq(json_int(st, "frames"), 691);
    ck_assert_int_eq(json_int(st, "udp"), 590);
    json_decref(st);
    run_free(&r);

    /* -I twice: the files are read one after the other into one analysis. */
    char *extra[] = {"-I", SNB_TEST_DATA_DIR "/sip-register.pcap", NULL};
    st = sipnab_stats(gzpath, extra, &r);
    ck_assert_int_eq(r.status, 0);
    ck_assert_int_eq(json_int(st, "capture_files"), 2);
    ck_assert_int_eq(json_int(st, "frames"), 691 + 2);
    json_decref(st);
    run_free(&r);
    unlink(gzpath);
}
END_TEST

static uint32_t swap32(uint32_t v)
{
    return __builtin_bswap32(v);
}

/* Classic pcap in the other byte order and with nanosecond timestamps must
 * read the same as the original (the mapped reader handles all four magics). */
START_TEST(pcap_byte_orders_and_nanoseconds)
{
    char *orig = read_file(SNB_TEST_DATA_DIR "/sip-register.pcap");
    ck_assert_ptr_nonnull(orig);
    /* Swap the file header's and each record header's fields. */
    size_t len = 852 + 24 + 2 * 16; /* 2 frames of the oracle's 852 bytes */
    uint8_t *sw = malloc(len);
    memcpy(sw, orig, len);
    uint32_t *h = (uint32_t *)sw;
    h[0] = swap32(h[0]);
    ((uint16_t *)sw)[2] = __builtin_bswap16(((uint16_t *)sw)[2]);
    ((uint16_t *)sw)[3] = __builtin_bswap16(((uint16_t *)sw)[3]);
    for (int i = 2; i < 6; i++)
        h[i] = swap32(h[i]);
    size_t off = 24;
    while (off + 16 <= len) {
        uint32_t caplen;
        memcpy(&caplen, sw + off + 8, 4);
        for (int i = 0; i < 4; i++) {
            uint32_t v;
            memcpy(&v, sw + off + 4 * i, 4);
            v = swap32(v);
            memcpy(sw + off + 4 * i, &v, 4);
        }
        off += 16 + caplen;
    }
    ck_assert_uint_eq(off, len);
    const char *swapped = "/tmp/sipnab-test-bigendian.pcap";
    ck_assert_int_eq(write_file(swapped, sw, len), 0);
    char *sh[] = {"/bin/sh", "-c",
                  "editcap -F nsecpcap " SNB_TEST_DATA_DIR
                  "/sip-register.pcap /tmp/sipnab-test-ns.pcap",
                  NULL};
    run_result_t e = run_cmd(sh, 30);
    ck_assert_msg(e.status == 0, "editcap: %s", e.err);
    run_free(&e);
    const char *files[] = {SNB_TEST_DATA_DIR "/sip-register.pcap", swapped,
                           "/tmp/sipnab-test-ns.pcap"};
    for (int i = 0; i < 3; i++) {
        char *argv[] = {(char *)sipnab_bin(), "-c",     "/dev/null", "-I",
                        (char *)files[i],     "--json", NULL};
        run_result_t r = run_cmd(argv, 30);
        ck_assert_msg(r.status == 0, "%s: %s", files[i], r.err);
        ck_assert_msg(strstr(r.out, "\"timestamp\":\"2011-08-01T06:37:22.150251Z\",\"src\":"
                                    "\"10.33.6.101\"") != NULL,
                      "%s: %s", files[i], r.out);
        ck_assert_int_eq(count_lines(r.out), 2);
        run_free(&r);
    }
    unlink(swapped);
    unlink("/tmp/sipnab-test-ns.pcap");
    free(sw);
    free(orig);
}
END_TEST

START_TEST(trailing_words_are_a_bpf_filter)
{
    char *extra[] = {"udp", "and", "not", "port", "53", NULL};
    run_result_t r;
    json_t *st = sipnab_stats(SAMPLE, extra, &r);
    ck_assert_int_eq(r.status, 0);
    /* 590 UDP frames, of which the oracle's 357 are DNS. */
    ck_assert_int_eq(json_int(st, "udp"), 590 - 357);
    ck_assert_int_eq(json_int(st, "tcp"), 0);
    json_decref(st);
    run_free(&r);
    char *bad[] = {"udpp", NULL};
    st = sipnab_stats(SAMPLE, bad, &r);
    ck_assert_int_eq(r.status, 1);
    ck_assert(strstr(r.err, "pcap: bad filter 'udpp'") != NULL);
    json_decref(st);
    run_free(&r);
}
END_TEST

START_TEST(missing_interface_is_one_line)
{
    char *argv[] = {(char *)sipnab_bin(), "-c", "/dev/null", "-d", "nosuch0", NULL};
    run_result_t r = run_cmd(argv, 10);
    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.err, "pcap: nosuch0: no such interface\n");
    run_free(&r);
    /* Two live instances, the second bad: the first must be closed again
     * and the process must end (not hang on its handles). */
    char *two[] = {(char *)sipnab_bin(), "-c", "/dev/null", "-d", "lo", "-d", "nosuch0", NULL};
    r = run_cmd(two, 10);
    ck_assert_int_eq(r.status, 1);
    ck_assert(strstr(r.err, "pcap: nosuch0: no such interface\n") != NULL);
    run_free(&r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cli");
    TCase *tc = tcase_create("cli");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, wrong_flags_get_one_line_and_exit_2);
    tcase_add_test(tc, module_that_does_not_load_is_named_by_unknown_flag_and_help);
    tcase_add_test(tc, shipped_config_passes_and_bad_configs_name_file_and_line);
    tcase_add_test(tc, dump_config_redacts_secrets);
    tcase_add_test(tc, packets_reach_subscribers_and_survive_retain);
    tcase_add_test(tc, truncated_capture_reports_offset_after_processing_what_came_before);
    tcase_add_test(tc, not_a_capture_missing_file_and_bad_linktype);
    tcase_add_test(tc, gzip_and_several_files_in_a_row);
    tcase_add_test(tc, pcap_byte_orders_and_nanoseconds);
    tcase_add_test(tc, trailing_words_are_a_bpf_filter);
    tcase_add_test(tc, missing_interface_is_one_line);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
