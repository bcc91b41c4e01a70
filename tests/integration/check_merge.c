/* Several input files are one capture in time order (as mergecap merges
 * them): a capture split into two files, alternate packets in each, gives
 * the same dialogs, streams and counters as the original, whatever order the
 * files are given in. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "run_util.h"

/* Write the even and the odd records of a classic pcap file to two files. */
static void split(const char *in, const char *even, const char *odd)
{
    FILE *f = fopen(in, "rb"), *e = fopen(even, "wb"), *o = fopen(odd, "wb");
    ck_assert(f && e && o);
    unsigned char hdr[24];
    ck_assert_uint_eq(fread(hdr, 1, 24, f), 24);
    ck_assert(hdr[0] == 0xd4 && hdr[1] == 0xc3); /* little-endian microsecond pcap */
    fwrite(hdr, 1, 24, e);
    fwrite(hdr, 1, 24, o);
    unsigned char rec[16];
    static unsigned char data[262144];
    for (unsigned long n = 0; fread(rec, 1, 16, f) == 16; n++) {
        uint32_t caplen = (uint32_t)rec[8] | (uint32_t)rec[9] << 8 | (uint32_t)rec[10] << 16 |
                          (uint32_t)rec[11] << 24;
        ck_assert_uint_le(caplen, sizeof data);
        ck_assert_uint_eq(fread(data, 1, caplen, f), caplen);
        FILE *to = n % 2 ? o : e;
        fwrite(rec, 1, 16, to);
        fwrite(data, 1, caplen, to);
    }
    fclose(f);
    fclose(e);
    fclose(o);
}

static char *run(const char *a, const char *b, const char *what)
{
    char *argv[] = {(char *)sipnab_bin(), "-c", "/dev/null", "-q", "-I", (char *)a, "-I", (char *)b,
                    (char *)what,         NULL};
    if (!b) {
        argv[6] = (char *)what;
        argv[7] = NULL;
    }
    run_result_t r = run_cmd(argv, 60);
    ck_assert_msg(r.status == 0, "%s", r.err);
    char *out = r.out;
    r.out = NULL;
    run_free(&r);
    return out;
}

START_TEST(split_capture_reads_like_the_original)
{
    const char *captures[] = {"ws-sip-call-rtp-g711.pcap", "sngrep-aaa.pcap"};
    const char *even = "/tmp/sipnab-merge-even.pcap", *odd = "/tmp/sipnab-merge-odd.pcap";
    const char *outputs[] = {"--dialogs-json", "--streams-json"};
    for (size_t c = 0; c < sizeof captures / sizeof captures[0]; c++) {
        char *orig = data_path(captures[c]);
        split(orig, even, odd);
        for (size_t k = 0; k < sizeof outputs / sizeof outputs[0]; k++) {
            char *want = run(orig, NULL, outputs[k]);
            char *ab = run(even, odd, outputs[k]);
            char *ba = run(odd, even, outputs[k]);
            ck_assert_msg(strlen(want) > 10, "%s %s: no output", captures[c], outputs[k]);
            ck_assert_msg(!strcmp(want, ab), "%s %s: even+odd differs", captures[c], outputs[k]);
            ck_assert_msg(!strcmp(want, ba), "%s %s: odd+even differs", captures[c], outputs[k]);
            free(want);
            free(ab);
            free(ba);
        }
        /* the counters: the same packets, one more file */
        json_t *s1 = sipnab_stats(orig, NULL, NULL);
        char *two[] = {"-I", (char *)odd, NULL};
        json_t *s2 = sipnab_stats(even, two, NULL);
        ck_assert_ptr_nonnull(s1);
        ck_assert_ptr_nonnull(s2);
        const char *same[] = {"frames",      "udp",         "sip_messages",
                              "sip_dialogs", "rtp_streams", "rtp_rtp_packets"};
        for (size_t i = 0; i < sizeof same / sizeof same[0]; i++)
            ck_assert_msg(json_int(s1, same[i]) == json_int(s2, same[i]), "%s: %s %lld vs %lld",
                          captures[c], same[i], json_int(s1, same[i]), json_int(s2, same[i]));
        ck_assert_int_eq(json_int(s2, "capture_files"), 2);
        json_decref(s1);
        json_decref(s2);
        free(orig);
    }
    remove(even);
    remove(odd);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("merge");
    TCase *tc = tcase_create("merge");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, split_capture_reads_like_the_original);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
