/* The pcapng Decryption Secrets Block walker (pcapng_secrets.h): blocks
 * built here in both byte orders and fed in every chunk size, an oversize
 * and a malformed block, and the DSB of tests/data/sip-tls-dsb.pcapng. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "pcapng_secrets.h"

typedef struct found {
    int n;
    uint32_t type;
    char data[4096];
    size_t len;
} found_t;

static void on_secrets(void *ud, uint32_t type, const uint8_t *data, size_t len)
{
    found_t *f = ud;
    f->n++;
    f->type = type;
    f->len = len < sizeof f->data ? len : sizeof f->data;
    memcpy(f->data, data, f->len);
}

static size_t put32(uint8_t *p, uint32_t v, bool be)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(be ? v >> (24 - 8 * i) : v >> (8 * i));
    return 4;
}

/* type, total length, body (padded to 4), total length */
static size_t block(uint8_t *out, uint32_t type, const uint8_t *body, size_t n, bool be)
{
    size_t padded = (n + 3) & ~(size_t)3, total = 12 + padded, o = 0;
    o += put32(out + o, type, be);
    o += put32(out + o, (uint32_t)total, be);
    memcpy(out + o, body, n);
    memset(out + o + n, 0, padded - n);
    o += padded;
    o += put32(out + o, (uint32_t)total, be);
    return o;
}

static const char KEYS[] = "CLIENT_RANDOM 00 11\n"; /* any text: the walker does not read it */

static size_t capture(uint8_t *out, bool be, size_t secrets_len)
{
    uint8_t body[8192];
    size_t o = 0, n;
    /* SHB: byte-order magic, version 1.0, section length -1 */
    n = put32(body, 0x1A2B3C4D, be);
    body[n++] = be ? 0 : 1, body[n++] = be ? 1 : 0, body[n++] = 0, body[n++] = 0;
    memset(body + n, 0xff, 8), n += 8;
    o += block(out + o, PCAPNG_BLOCK_SHB, body, n, be);
    /* IDB: Ethernet */
    memset(body, 0, 8);
    body[be ? 1 : 0] = 1;
    o += block(out + o, 1, body, 8, be);
    /* DSB: secrets type, length, the secrets */
    n = put32(body, 0x544c534b, be);
    n += put32(body + n, (uint32_t)secrets_len, be);
    for (size_t i = 0; i < secrets_len; i++)
        body[n + i] = (uint8_t)KEYS[i % (sizeof KEYS - 1)];
    n += secrets_len;
    o += block(out + o, PCAPNG_BLOCK_DSB, body, n, be);
    /* an EPB-sized block after it */
    memset(body, 0x55, 60);
    o += block(out + o, 6, body, 60, be);
    return o;
}

START_TEST(dsb_in_both_byte_orders_every_chunk)
{
    static uint8_t file[16384];
    for (int be = 0; be < 2; be++) {
        size_t n = capture(file, be, sizeof KEYS - 1);
        for (size_t chunk = 1; chunk <= n; chunk++) {
            pcapng_secrets_t w;
            found_t f = {0};
            pcapng_secrets_init(&w, 1 << 20, on_secrets, &f);
            for (size_t off = 0; off < n; off += chunk)
                pcapng_secrets_feed(&w, file + off, n - off < chunk ? n - off : chunk);
            ck_assert_int_eq(f.n, 1);
            ck_assert_uint_eq(f.type, 0x544c534b);
            ck_assert_uint_eq(f.len, sizeof KEYS - 1);
            ck_assert_mem_eq(f.data, KEYS, f.len);
            ck_assert_uint_eq(w.blocks, 4);
            ck_assert(!w.stopped);
            pcapng_secrets_free(&w);
        }
    }
}
END_TEST

START_TEST(oversize_and_malformed)
{
    static uint8_t file[16384];
    size_t n = capture(file, false, 5000);
    pcapng_secrets_t w;
    found_t f = {0};
    pcapng_secrets_init(&w, 1000, on_secrets, &f); /* smaller than the block */
    pcapng_secrets_feed(&w, file, n);
    ck_assert_int_eq(f.n, 0);
    ck_assert_uint_eq(w.oversize, 1);
    ck_assert_uint_eq(w.blocks, 4); /* skipped, and the walk goes on */
    pcapng_secrets_free(&w);
    /* a block length that is not a multiple of 4 stops the walk */
    n = capture(file, false, 20);
    file[28 + 4] = 13; /* the IDB's total length */
    pcapng_secrets_init(&w, 1 << 20, on_secrets, &f);
    pcapng_secrets_feed(&w, file, n);
    ck_assert(w.stopped);
    ck_assert_int_eq(f.n, 0);
    pcapng_secrets_free(&w);
    /* a secrets length beyond its block: not handed out */
    n = capture(file, true, 20);
    file[28 + 20 + 8 + 4 + 3] = 200;
    pcapng_secrets_init(&w, 1 << 20, on_secrets, &f);
    pcapng_secrets_feed(&w, file, n);
    ck_assert_int_eq(f.n, 0);
    pcapng_secrets_free(&w);
}
END_TEST

START_TEST(dsb_of_the_test_capture)
{
    FILE *fp = fopen(SNB_TEST_DATA_DIR "/sip-tls-dsb.pcapng", "rb");
    ck_assert_ptr_nonnull(fp);
    pcapng_secrets_t w;
    found_t f = {0};
    pcapng_secrets_init(&w, 1 << 20, on_secrets, &f);
    uint8_t buf[777];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, fp)) > 0)
        pcapng_secrets_feed(&w, buf, got);
    fclose(fp);
    ck_assert_int_eq(f.n, 1);
    ck_assert_uint_eq(f.type, 0x544c534b);
    f.data[f.len < sizeof f.data ? f.len : sizeof f.data - 1] = '\0';
    ck_assert_ptr_nonnull(strstr(f.data, "CLIENT_RANDOM 7ddc218d"));
    ck_assert_ptr_nonnull(strstr(f.data, "SERVER_TRAFFIC_SECRET_0 4991e7e2"));
    ck_assert(!w.stopped);
    pcapng_secrets_free(&w);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("pcap_secrets");
    TCase *tc = tcase_create("pcap_secrets");
    tcase_add_test(tc, dsb_in_both_byte_orders_every_chunk);
    tcase_add_test(tc, oversize_and_malformed);
    tcase_add_test(tc, dsb_of_the_test_capture);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
