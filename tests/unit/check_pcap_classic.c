/* The classic-pcap reader: every record back as written (across window
 * refills, large records included), both byte orders and ns timestamps,
 * truncation and corruption reported, and a file that shrinks while it is
 * read (logrotate copytruncate) reported as truncated instead of the
 * SIGBUS a mapping gets. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_run.h"
#include "pcap_classic.h"

#define PATH "/tmp/sipnab-check-pcap-classic.pcap"

static uint32_t sw(uint32_t v, bool swap)
{
    return swap ? __builtin_bswap32(v) : v;
}

/* n records; record i has caplen size_of(i) and bytes (i + j) & 0xff. */
static size_t size_of(int i)
{
    return i == 7 ? 200000 : (size_t)(60 + (i * 37) % 1400);
}

static void write_pcap(int n, bool swap, bool nsec)
{
    FILE *f = fopen(PATH, "wb");
    ck_assert_ptr_nonnull(f);
    uint32_t magic = sw(nsec ? 0xa1b23c4d : 0xa1b2c3d4, swap);
    uint32_t hdr[6] = {magic, sw(0x00040002, swap), 0, 0, sw(262144, swap), sw(1, swap)};
    fwrite(hdr, 4, 6, f);
    static uint8_t data[262144];
    for (int i = 0; i < n; i++) {
        size_t len = size_of(i);
        uint32_t rh[4] = {sw(1700000000u + (uint32_t)i, swap), sw(nsec ? 123456789 : 123456, swap),
                          sw((uint32_t)len, swap), sw((uint32_t)len + 4, swap)};
        for (size_t j = 0; j < len; j++)
            data[j] = (uint8_t)(i + j);
        fwrite(rh, 4, 4, f);
        fwrite(data, 1, len, f);
    }
    fclose(f);
}

static void check_record(const pcap_classic_record_t *r, int i)
{
    ck_assert_uint_eq(r->caplen, size_of(i));
    ck_assert_uint_eq(r->wirelen, size_of(i) + 4);
    ck_assert_uint_eq(r->ts_us, (1700000000ull + (uint64_t)i) * 1000000u + 123456u);
    for (size_t j = 0; j < r->caplen; j++)
        if (r->data[j] != (uint8_t)(i + j)) ck_abort_msg("record %d byte %zu differs", i, j);
}

/* n records, read by the caller or (4 MiB and more) with a thread reading
 * ahead. */
static void read_all(int n, bool swap, bool nsec, bool read_ahead)
{
    write_pcap(n, swap, nsec);
    pcap_classic_t c;
    char why[256];
    ck_assert_int_eq(pcap_classic_open(&c, PATH, read_ahead, why, sizeof why), 0);
    ck_assert_int_eq(c.linktype, 1);
    ck_assert(c.read_ahead == (read_ahead && n > 6000));
    pcap_classic_record_t r;
    int i = 0;
    int rc;
    while ((rc = pcap_classic_next(&c, &r, why, sizeof why)) == PCAP_CLASSIC_RECORD)
        check_record(&r, i++);
    ck_assert_int_eq(rc, PCAP_CLASSIC_END);
    ck_assert_int_eq(pcap_classic_next(&c, &r, why, sizeof why), PCAP_CLASSIC_END); /* stays */
    ck_assert_int_eq(i, n);
    struct stat st;
    stat(PATH, &st);
    ck_assert_uint_eq(c.off, (uint64_t)st.st_size);
    pcap_classic_close(&c);
    ck_assert(!pcap_classic_is_open(&c));
}

START_TEST(every_record_in_every_format)
{
    read_all(3000, false, false, false); /* about 2 MB: several windows */
    read_all(3000, true, false, false);
    read_all(3000, false, true, false);
    read_all(3000, true, true, false);
    read_all(3000, false, false, true); /* too small for a thread */
    unlink(PATH);
}
END_TEST

/* About 6 MB: a thread reads ahead, records come out the same. */
START_TEST(every_record_read_ahead)
{
    read_all(8000, false, false, true);
    read_all(8000, true, true, true);
    read_all(8000, false, false, false);
    /* closed early: the thread, waiting for a window back, is stopped */
    pcap_classic_t c;
    pcap_classic_record_t r;
    char why[256];
    ck_assert_int_eq(pcap_classic_open(&c, PATH, true, why, sizeof why), 0);
    ck_assert(c.read_ahead);
    for (int i = 0; i < 5; i++) {
        ck_assert_int_eq(pcap_classic_next(&c, &r, why, sizeof why), PCAP_CLASSIC_RECORD);
        check_record(&r, i);
    }
    usleep(20000);
    pcap_classic_close(&c);
    ck_assert(!pcap_classic_is_open(&c));
    unlink(PATH);
}
END_TEST

static void read_shrinking(int n, bool read_ahead)
{
    write_pcap(n, false, false);
    pcap_classic_t c;
    char why[256];
    ck_assert_int_eq(pcap_classic_open(&c, PATH, read_ahead, why, sizeof why), 0);
    ck_assert(c.read_ahead == read_ahead);
    pcap_classic_record_t r;
    for (int i = 0; i < 10; i++) {
        ck_assert_int_eq(pcap_classic_next(&c, &r, why, sizeof why), PCAP_CLASSIC_RECORD);
        check_record(&r, i);
    }
    /* copytruncate: the file is emptied under us (a mapping would SIGBUS on
     * the next page it had not read yet). */
    ck_assert_int_eq(truncate(PATH, 0), 0);
    int rc, more = 0;
    while ((rc = pcap_classic_next(&c, &r, why, sizeof why)) == PCAP_CLASSIC_RECORD)
        check_record(&r, 10 + more++); /* what the window already held is still good */
    ck_assert_int_eq(rc, PCAP_CLASSIC_TRUNCATED);
    ck_assert_int_lt(more, n - 10);
    pcap_classic_close(&c);
    unlink(PATH);
}

START_TEST(a_file_that_shrinks_while_read_is_truncated)
{
    read_shrinking(3000, false);
    read_shrinking(8000, true); /* what the thread read before still counts */
}
END_TEST

START_TEST(truncated_and_corrupt_files)
{
    write_pcap(20, false, false);
    struct stat st;
    stat(PATH, &st);
    ck_assert_int_eq(truncate(PATH, st.st_size - 5), 0); /* the last record cut */
    pcap_classic_t c;
    char why[256];
    ck_assert_int_eq(pcap_classic_open(&c, PATH, false, why, sizeof why), 0);
    pcap_classic_record_t r;
    int n = 0, rc;
    while ((rc = pcap_classic_next(&c, &r, why, sizeof why)) == PCAP_CLASSIC_RECORD)
        n++;
    ck_assert_int_eq(rc, PCAP_CLASSIC_TRUNCATED);
    ck_assert_int_eq(n, 19);
    pcap_classic_close(&c);

    /* a record claiming 1 GB */
    FILE *f = fopen(PATH, "r+b");
    fseek(f, 24 + 8, SEEK_SET);
    uint32_t huge = 1u << 30;
    fwrite(&huge, 4, 1, f);
    fclose(f);
    ck_assert_int_eq(pcap_classic_open(&c, PATH, false, why, sizeof why), 0);
    ck_assert_int_eq(pcap_classic_next(&c, &r, why, sizeof why), PCAP_CLASSIC_CORRUPT);
    ck_assert_str_eq(why, "record of 1073741824 bytes, larger than the 262144-byte limit");
    ck_assert_uint_eq(c.off, 24);
    pcap_classic_close(&c);
    unlink(PATH);
}
END_TEST

START_TEST(not_ours_goes_to_libpcap)
{
    pcap_classic_t c;
    char why[256] = "";
    FILE *f = fopen(PATH, "wb");
    fputs("this is not a capture file at all, not even pcapng", f);
    fclose(f);
    ck_assert_int_eq(pcap_classic_open(&c, PATH, false, why, sizeof why), 1);
    unlink(PATH);
    /* not a regular file (a device, a pipe): libpcap streams it */
    ck_assert_int_eq(pcap_classic_open(&c, "/dev/null", false, why, sizeof why), 1);
    ck_assert_int_eq(pcap_classic_open(&c, "/nonexistent/x.pcap", false, why, sizeof why), -1);
    ck_assert_str_eq(why, "No such file or directory");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("pcap_classic");
    TCase *tc = tcase_create("pcap_classic");
    tcase_add_test(tc, every_record_in_every_format);
    tcase_add_test(tc, every_record_read_ahead);
    tcase_add_test(tc, a_file_that_shrinks_while_read_is_truncated);
    tcase_add_test(tc, truncated_and_corrupt_files);
    tcase_add_test(tc, not_ours_goes_to_libpcap);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
