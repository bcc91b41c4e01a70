/* The tls module's logic (snb_tls_logic): key derivation against RFC 8448's
 * TLS 1.3 trace and against the TLS 1.2 PRF computed here from HMAC, a
 * record of that trace opened, the record layer with records split and
 * coalesced, the key log parser and its cap, and whole TLS 1.2 and 1.3
 * connections sealed here with OpenSSL and followed by a session: split
 * at every size, with KeyUpdate, with wrong keys, with none, with keys
 * that come late and with a gap; the connection table's cap and expiry. */
#include <check.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "tls_aead.h"
#include "tls_handshake.h"
#include "tls_kdf.h"
#include "tls_keylog.h"
#include "tls_record.h"
#include "tls_session.h"
#include "tls_suite.h"
#include "tls_table.h"

static size_t unhex(const char *s, uint8_t *out)
{
    size_t n = 0;
    while (*s) {
        while (*s == ' ' || *s == '\n')
            s++;
        if (!*s) break;
        unsigned v;
        sscanf(s, "%2x", &v);
        out[n++] = (uint8_t)v;
        s += 2;
    }
    return n;
}

static void hex_eq(const uint8_t *got, const char *want_hex)
{
    uint8_t want[256];
    size_t n = unhex(want_hex, want);
    ck_assert_mem_eq(got, want, n);
}

/* ---- key derivation ---- */

/* RFC 8448 3 (Simple 1-RTT Handshake), TLS_AES_128_GCM_SHA256. */
#define RFC8448_S_HS                                                                               \
    "b6 7b 7d 69 0c c1 6c 4e 75 e5 42 13 cb 2d 37 b4 e9 c9 12 bc de d9 10 5d 42 be fd 59 d3 91 "   \
    "ad 38"
#define RFC8448_C_HS                                                                               \
    "b3 ed db 12 6e 06 7f 35 a7 80 b3 ab f4 5e 2d 8f 3b 1a 95 07 38 f5 2e 96 00 74 6a 0e 27 a5 "   \
    "5a 21"

START_TEST(tls13_keys_rfc8448)
{
    const tls_suite_t *suite = tls_suite_find(0x1301);
    ck_assert_ptr_nonnull(suite);
    uint8_t secret[32];
    tls_keys_t k;
    unhex(RFC8448_S_HS, secret);
    ck_assert_int_eq(tls13_keys(suite, secret, &k), 0);
    hex_eq(k.key, "3f ce 51 60 09 c2 17 27 d0 f2 e4 e8 6e e4 03 bc");
    hex_eq(k.iv, "5d 31 3e b2 67 12 76 ee 13 00 0b 30");
    unhex(RFC8448_C_HS, secret);
    ck_assert_int_eq(tls13_keys(suite, secret, &k), 0);
    hex_eq(k.key, "db fa a6 93 d1 76 2c 5b 66 6a f5 d9 50 25 8d 01");
    hex_eq(k.iv, "5b d3 c7 1b 83 6e 0b 76 bb 73 26 5f");
}
END_TEST

/* RFC 8448 3: the client's protected Finished (58 octets) opens with the
 * client handshake keys at sequence 0: the Finished message, then the inner
 * content type handshake. */
START_TEST(tls13_record_rfc8448)
{
    uint8_t rec[128], secret[32], out[128];
    size_t n = unhex("17 03 03 00 35 75 ec 4d c2 38 cc e6 0b 29 80 44 a7 1e 21 9c 56 cc 77 b0 51 "
                     "7f e9 b9 3c 7a 4b fc 44 d8 7f 38 f8 03 38 ac 98 fc 46 de b3 84 bd 1c ae ac "
                     "ab 68 67 d7 26 c4 05 46",
                     rec);
    ck_assert_int_eq(n, 58);
    unhex(RFC8448_C_HS, secret);
    const tls_suite_t *suite = tls_suite_find(0x1301);
    tls_keys_t k;
    ck_assert_int_eq(tls13_keys(suite, secret, &k), 0);
    tls_cipher_t c = {0};
    ck_assert_int_eq(tls_cipher_init(&c, suite, true, &k), 0);
    size_t plain;
    ck_assert_int_eq(tls_cipher_open(&c, rec, rec + 5, n - 5, out, &plain), 0);
    ck_assert_uint_eq(plain, 4 + 32 + 1);
    hex_eq(out, "14 00 00 20 a8 ec 43 6d 67 76 34 ae 52 5a c1 fc eb e1 1a 03 9e c1 76 94 fa c6 e9 "
                "85 27 b6 42 f2 ed d5 ce 61");
    ck_assert_uint_eq(out[plain - 1], TLS_CT_HANDSHAKE);
    /* the same record again is sequence 1: it must not open */
    ck_assert_int_eq(tls_cipher_open(&c, rec, rec + 5, n - 5, out, &plain), -1);
    /* a flipped bit: the tag fails */
    tls_cipher_init(&c, suite, true, &k);
    rec[40] ^= 1;
    ck_assert_int_eq(tls_cipher_open(&c, rec, rec + 5, n - 5, out, &plain), -1);
    /* too short for a tag */
    ck_assert_int_eq(tls_cipher_open(&c, rec, rec + 5, 10, out, &plain), -1);
    tls_cipher_free(&c);
}
END_TEST

/* P_hash of RFC 5246 5, from HMAC: an independent PRF. */
static void p_hash(const EVP_MD *md, const uint8_t *secret, size_t slen, const uint8_t *seed,
                   size_t seedlen, uint8_t *out, size_t outlen)
{
    uint8_t a[64], buf[64 + 256];
    unsigned alen, blen;
    HMAC(md, secret, (int)slen, seed, seedlen, a, &alen); /* A(1) */
    for (size_t done = 0; done < outlen;) {
        memcpy(buf, a, alen);
        memcpy(buf + alen, seed, seedlen);
        uint8_t block[64];
        HMAC(md, secret, (int)slen, buf, alen + seedlen, block, &blen);
        size_t k = outlen - done < blen ? outlen - done : blen;
        memcpy(out + done, block, k);
        done += k;
        HMAC(md, secret, (int)slen, a, alen, a, &alen); /* A(i+1) */
    }
}

START_TEST(tls12_keys_match_the_prf_from_hmac)
{
    uint16_t ids[] = {0xC02F, 0xC030, 0xCCA8};
    uint8_t master[48], cr[32], sr[32];
    for (int i = 0; i < 48; i++)
        master[i] = (uint8_t)(i * 7 + 1);
    for (int i = 0; i < 32; i++) {
        cr[i] = (uint8_t)(0xC0 + i);
        sr[i] = (uint8_t)(0x50 + i);
    }
    for (size_t t = 0; t < sizeof ids / sizeof ids[0]; t++) {
        const tls_suite_t *s = tls_suite_find(ids[t]);
        tls_keys_t c, sv;
        ck_assert_int_eq(tls12_keys(s, master, cr, sr, &c, &sv), 0);
        uint8_t seed[13 + 64], block[128];
        memcpy(seed, "key expansion", 13);
        memcpy(seed + 13, sr, 32);
        memcpy(seed + 45, cr, 32);
        p_hash(s->hash == TLS_HASH_SHA384 ? EVP_sha384() : EVP_sha256(), master, 48, seed,
               sizeof seed, block, sizeof block);
        size_t k = s->key_len, v = s->fixed_iv;
        ck_assert_mem_eq(c.key, block, k);
        ck_assert_mem_eq(sv.key, block + k, k);
        ck_assert_mem_eq(c.iv, block + 2 * k, v);
        ck_assert_mem_eq(sv.iv, block + 2 * k + v, v);
    }
}
END_TEST

START_TEST(suites_we_decrypt)
{
    ck_assert_ptr_nonnull(tls_suite_find(0x1301));
    ck_assert_ptr_nonnull(tls_suite_find(0x1302));
    ck_assert_ptr_nonnull(tls_suite_find(0x1303));
    ck_assert_ptr_nonnull(tls_suite_find(0xC02B));
    ck_assert_ptr_nonnull(tls_suite_find(0xCCA9));
    ck_assert_ptr_null(tls_suite_find(0x002F)); /* AES-CBC */
    ck_assert_ptr_null(tls_suite_find(0x1304)); /* AES-CCM */
    ck_assert(tls_suite_find(0x1302)->hash == TLS_HASH_SHA384);
}
END_TEST

/* ---- record layer ---- */

typedef struct seen {
    int n;
    uint8_t types[64];
    size_t lens[64];
    uint8_t bytes[4096];
    size_t total;
} seen_t;

static bool on_rec(void *ud, const tls_record_t *r)
{
    seen_t *s = ud;
    if (s->n < 64) {
        s->types[s->n] = r->type;
        s->lens[s->n] = r->len;
    }
    s->n++;
    memcpy(s->bytes + s->total, r->body, r->len);
    s->total += r->len;
    return true;
}

static size_t make_records(uint8_t *out)
{
    size_t n = 0;
    for (int i = 0; i < 5; i++) {
        size_t len = (size_t)(i * 37 + (i == 3 ? 0 : 3));
        out[n++] = (uint8_t)(i == 0 ? 22 : 23);
        out[n++] = 3;
        out[n++] = 3;
        out[n++] = (uint8_t)(len >> 8);
        out[n++] = (uint8_t)len;
        for (size_t j = 0; j < len; j++)
            out[n++] = (uint8_t)(i + j);
    }
    return n;
}

START_TEST(records_split_and_coalesced)
{
    uint8_t stream[1024];
    size_t n = make_records(stream);
    seen_t whole = {0};
    tls_reasm_t r = {0};
    tls_budget_t b = {.max = 1 << 20};
    ck_assert_int_eq(tls_reasm_feed(&r, &b, stream, n, on_rec, &whole), TLS_REASM_OK);
    ck_assert_int_eq(whole.n, 5);
    ck_assert_uint_eq(tls_reasm_pending(&r), 0);
    /* every chunk size: the same records, the same bytes */
    for (size_t chunk = 1; chunk <= n; chunk++) {
        seen_t s = {0};
        for (size_t off = 0; off < n; off += chunk) {
            size_t k = n - off < chunk ? n - off : chunk;
            ck_assert_int_eq(tls_reasm_feed(&r, &b, stream + off, k, on_rec, &s), TLS_REASM_OK);
        }
        ck_assert_int_eq(s.n, 5);
        ck_assert_mem_eq(s.types, whole.types, 5);
        ck_assert_uint_eq(s.total, whole.total);
        ck_assert_mem_eq(s.bytes, whole.bytes, whole.total);
        ck_assert_uint_eq(tls_reasm_pending(&r), 0);
    }
    tls_reasm_reset(&r, &b);
    ck_assert_uint_eq(b.used, 0);
}
END_TEST

START_TEST(records_bad_and_bounded)
{
    tls_reasm_t r = {0};
    tls_budget_t b = {.max = 1 << 20};
    seen_t s = {0};
    const uint8_t http[] = "GET / HTTP/1.1\r\n";
    ck_assert_int_eq(tls_reasm_feed(&r, &b, http, sizeof http - 1, on_rec, &s), TLS_REASM_NOT_TLS);
    /* a header claiming more than a record may hold */
    const uint8_t huge[] = {23, 3, 3, 0x48, 0x01};
    ck_assert_int_eq(tls_reasm_feed(&r, &b, huge, 5, on_rec, &s), TLS_REASM_NOT_TLS);
    /* a bad header completed across two feeds */
    ck_assert_int_eq(tls_reasm_feed(&r, &b, huge, 2, on_rec, &s), TLS_REASM_OK);
    ck_assert_int_eq(tls_reasm_feed(&r, &b, huge + 2, 3, on_rec, &s), TLS_REASM_NOT_TLS);
    /* the budget: a partial record that does not fit */
    tls_budget_t small = {.max = 100};
    const uint8_t big[] = {23, 3, 3, 0x10, 0x00, 1, 2, 3};
    tls_reasm_t r2 = {0};
    ck_assert_int_eq(tls_reasm_feed(&r2, &small, big, sizeof big, on_rec, &s), TLS_REASM_NO_ROOM);
    ck_assert_uint_eq(small.used, 0);
    ck_assert_int_eq(s.n, 0);
    tls_reasm_reset(&r, &b);
    tls_reasm_reset(&r2, &small);
}
END_TEST

/* ---- handshake messages ---- */

typedef struct hs_seen {
    int n;
    uint8_t type[8];
    size_t len[8];
} hs_seen_t;

static void on_hs(void *ud, uint8_t type, const uint8_t *body, size_t len)
{
    (void)body;
    hs_seen_t *h = ud;
    if (h->n < 8) {
        h->type[h->n] = type;
        h->len[h->n] = len;
    }
    h->n++;
}

START_TEST(handshake_messages_joined_and_skipped)
{
    uint8_t msgs[300];
    size_t n = 0;
    msgs[n++] = 1, msgs[n++] = 0, msgs[n++] = 0, msgs[n++] = 100; /* 100-byte message */
    memset(msgs + n, 0xAA, 100), n += 100;
    msgs[n++] = 20, msgs[n++] = 0, msgs[n++] = 0, msgs[n++] = 32;
    memset(msgs + n, 0xBB, 32), n += 32;
    for (size_t chunk = 1; chunk <= n; chunk++) {
        tls_hs_collector_t c = {0};
        hs_seen_t h = {0};
        for (size_t off = 0; off < n; off += chunk)
            tls_hs_feed(&c, msgs + off, n - off < chunk ? n - off : chunk, on_hs, &h);
        ck_assert_int_eq(h.n, 2);
        ck_assert_int_eq(h.type[0], 1);
        ck_assert_uint_eq(h.len[0], 100);
        ck_assert_int_eq(h.type[1], 20);
        ck_assert_uint_eq(h.len[1], 32);
        tls_hs_reset(&c);
    }
    /* an oversize message is skipped; the next one is still found */
    tls_hs_collector_t c = {0};
    hs_seen_t h = {0};
    uint8_t big_hdr[] = {11, 0x02, 0x00, 0x00}; /* 128 KiB certificate */
    tls_hs_feed(&c, big_hdr, 2, on_hs, &h);
    tls_hs_feed(&c, big_hdr + 2, 2, on_hs, &h);
    uint8_t zeros[4096] = {0};
    for (int i = 0; i < 32; i++)
        tls_hs_feed(&c, zeros, sizeof zeros, on_hs, &h);
    ck_assert_int_eq(h.n, 0);
    tls_hs_feed(&c, msgs + 104, 36, on_hs, &h);
    ck_assert_int_eq(h.n, 1);
    ck_assert_int_eq(h.type[0], 20);
    tls_hs_reset(&c);
}
END_TEST

/* ---- the key log ---- */

static const char *const CR1 = "7ddc218d2a12ce0c67b24dd7a081c5300e79c06557c12066c916e869679033f0";

START_TEST(keylog_lines)
{
    snb_hash_key_t key = {{1, 2}, {0}, 3};
    tls_keylog_t *kl = tls_keylog_new(16, &key);
    char text[2048];
    snprintf(text, sizeof text,
             "# comment\n\n"
             "CLIENT_RANDOM %s %s\r\n"
             "EXPORTER_SECRET %s %s\n"
             "CLIENT_TRAFFIC_SECRET_0 %s %s\n"
             "CLIENT_RANDOM %s 00\n"          /* short master secret */
             "CLIENT_RANDOM zz%s %s\n"        /* not hex */
             "WHAT %s %s\n"                   /* unknown label */
             "SERVER_TRAFFIC_SECRET_0 %s %s", /* no newline at the end */
             CR1,
             "c921c5f6c58006251825b3ae31672bdc161efb2f0adc8ab230791052b3c628cd8b2b2959782492ec19624"
             "e4a2273e2e8",
             CR1, "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", CR1,
             "4b1c61952309bcf81361b002070a18a9dad2f234e10ab07c88b55ccd9a6f75d6", CR1, CR1 + 2, "00",
             CR1, "00", CR1,
             "4303c01d48a57d932a6fa61b73edb5e3fcdb2aa4d36720322f3eec9b987cf93e075956daf0241c0fbe6ff"
             "3f951e76850");
    tls_keylog_add(kl, text, strlen(text));
    uint8_t cr[32];
    unhex(CR1, cr);
    const tls_secrets_t *s = tls_keylog_find(kl, cr);
    ck_assert_ptr_nonnull(s);
    ck_assert_uint_eq(s->len[TLS_SECRET_MASTER], 48);
    hex_eq(s->secret[TLS_SECRET_MASTER], "c9 21 c5 f6");
    ck_assert_uint_eq(s->len[TLS_SECRET_CLIENT_TRAFFIC], 32);
    ck_assert_uint_eq(s->len[TLS_SECRET_SERVER_TRAFFIC], 48);
    ck_assert_uint_eq(s->len[TLS_SECRET_CLIENT_HANDSHAKE], 0);
    const tls_keylog_stats_t *st = tls_keylog_stats(kl);
    ck_assert_uint_eq(st->lines, 3);
    ck_assert_uint_eq(st->bad_lines, 3);
    ck_assert_uint_eq(st->entries, 1);
    cr[0] ^= 1;
    ck_assert_ptr_null(tls_keylog_find(kl, cr));
    tls_keylog_free(kl);
}
END_TEST

START_TEST(keylog_cap_forgets_the_oldest)
{
    snb_hash_key_t key = {{5, 6}, {0}, 7};
    tls_keylog_t *kl = tls_keylog_new(4, &key);
    char line[256];
    for (int i = 0; i < 10; i++) {
        snprintf(line, sizeof line, "CLIENT_RANDOM %064x %096x\n", i, i);
        tls_keylog_add(kl, line, strlen(line));
    }
    const tls_keylog_stats_t *st = tls_keylog_stats(kl);
    ck_assert_uint_eq(st->entries, 4);
    ck_assert_uint_eq(st->evicted, 6);
    uint8_t cr[32] = {0};
    cr[31] = 9;
    ck_assert_ptr_nonnull(tls_keylog_find(kl, cr));
    cr[31] = 5;
    ck_assert_ptr_null(tls_keylog_find(kl, cr));
    cr[31] = 6;
    ck_assert_ptr_nonnull(tls_keylog_find(kl, cr));
    tls_keylog_free(kl);
}
END_TEST

/* ---- whole connections, sealed here ---- */

/* A protected record: plaintext (+ inner type for 1.3) sealed with OpenSSL. */
static size_t seal(const tls_suite_t *s, bool tls13, const tls_keys_t *k, uint64_t seq,
                   uint8_t type, const uint8_t *plain, size_t n, uint8_t *out)
{
    const EVP_CIPHER *cipher = s->aead == TLS_AEAD_AES_128_GCM   ? EVP_aes_128_gcm()
                               : s->aead == TLS_AEAD_AES_256_GCM ? EVP_aes_256_gcm()
                                                                 : EVP_chacha20_poly1305();
    uint8_t inner[2048];
    memcpy(inner, plain, n);
    size_t in_len = n;
    if (tls13) inner[in_len++] = type;
    size_t explicit_iv = tls13 ? 0 : s->explicit_iv;
    size_t body = explicit_iv + in_len + 16;
    out[0] = tls13 ? TLS_CT_APPLICATION_DATA : type;
    out[1] = 3, out[2] = 3, out[3] = (uint8_t)(body >> 8), out[4] = (uint8_t)body;
    uint8_t nonce[12], seq_be[8];
    for (int i = 0; i < 8; i++)
        seq_be[i] = (uint8_t)(seq >> (56 - 8 * i));
    if (explicit_iv) {
        memcpy(nonce, k->iv, 4);
        memcpy(nonce + 4, seq_be, 8); /* the explicit nonce: any value; ours is the seq */
        memcpy(out + 5, seq_be, 8);
    } else {
        memcpy(nonce, k->iv, 12);
        for (int i = 0; i < 8; i++)
            nonce[4 + i] ^= seq_be[i];
    }
    uint8_t aad[13];
    size_t aad_len = 5;
    if (tls13) {
        memcpy(aad, out, 5);
    } else {
        memcpy(aad, seq_be, 8);
        aad[8] = type, aad[9] = 3, aad[10] = 3, aad[11] = (uint8_t)(n >> 8), aad[12] = (uint8_t)n;
        aad_len = 13;
    }
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int len;
    EVP_EncryptInit_ex(ctx, cipher, NULL, NULL, NULL);
    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL);
    EVP_EncryptInit_ex(ctx, NULL, NULL, k->key, nonce);
    EVP_EncryptUpdate(ctx, NULL, &len, aad, (int)aad_len);
    EVP_EncryptUpdate(ctx, out + 5 + explicit_iv, &len, inner, (int)in_len);
    EVP_EncryptFinal_ex(ctx, out + 5 + explicit_iv + len, &len);
    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, out + 5 + explicit_iv + in_len);
    EVP_CIPHER_CTX_free(ctx);
    return 5 + body;
}

static size_t clear_record(uint8_t type, const uint8_t *body, size_t n, uint8_t *out)
{
    out[0] = type, out[1] = 3, out[2] = 3, out[3] = (uint8_t)(n >> 8), out[4] = (uint8_t)n;
    memcpy(out + 5, body, n);
    return 5 + n;
}

static size_t client_hello(const uint8_t cr[32], uint8_t *out)
{
    uint8_t m[128];
    size_t n = 0;
    m[n++] = 1, m[n++] = 0, m[n++] = 0, m[n++] = 0; /* length below */
    m[n++] = 3, m[n++] = 3;
    memcpy(m + n, cr, 32), n += 32;
    m[n++] = 0; /* session id */
    m[n++] = 0, m[n++] = 4, m[n++] = 0x13, m[n++] = 0x01, m[n++] = 0xc0, m[n++] = 0x2f;
    m[n++] = 1, m[n++] = 0; /* compression */
    m[n++] = 0, m[n++] = 0; /* extensions */
    m[3] = (uint8_t)(n - 4);
    return clear_record(TLS_CT_HANDSHAKE, m, n, out);
}

static size_t server_hello(const uint8_t sr[32], uint16_t suite, bool tls13, uint8_t *out)
{
    uint8_t m[128];
    size_t n = 0;
    m[n++] = 2, m[n++] = 0, m[n++] = 0, m[n++] = 0;
    m[n++] = 3, m[n++] = 3;
    memcpy(m + n, sr, 32), n += 32;
    m[n++] = 0;
    m[n++] = (uint8_t)(suite >> 8), m[n++] = (uint8_t)suite;
    m[n++] = 0;
    if (tls13) { /* supported_versions: 0x0304 */
        m[n++] = 0, m[n++] = 6, m[n++] = 0, m[n++] = 0x2b, m[n++] = 0, m[n++] = 2, m[n++] = 3,
        m[n++] = 4;
    }
    m[3] = (uint8_t)(n - 4);
    return clear_record(TLS_CT_HANDSHAKE, m, n, out);
}

typedef struct conn_out {
    uint8_t text[2][4096];
    size_t len[2];
} conn_out_t;

static void on_plain(void *ud, int side, const uint8_t *p, size_t n)
{
    conn_out_t *o = ud;
    memcpy(o->text[side] + o->len[side], p, n);
    o->len[side] += n;
}

/* The two sides' streams of one connection. */
typedef struct conn {
    uint8_t stream[2][8192];
    size_t len[2];
} conn_t;

/* How a connection is fed to a session. */
typedef struct feed {
    size_t chunk;   /* bytes per call */
    size_t keys_at; /* the key log is filled once the client sent this many bytes (0: at once) */
    int gap_side;   /* this side loses bytes ... */
    size_t gap_at;  /* ... once this many of its bytes went by (gap_side -1: never) */
} feed_t;

/* Feed both streams: the ClientHello, then the ServerHello it gets
 * (nothing else can come before them), then both sides alternating. */
static tls_outcome_t follow_fed(const conn_t *c, const char *keylog, feed_t f, conn_out_t *out,
                                tls_stats_t *st)
{
    snb_hash_key_t key = {{9, 9}, {0}, 9};
    tls_keylog_t *kl = tls_keylog_new(8, &key);
    if (!f.keys_at) tls_keylog_add(kl, keylog, strlen(keylog));
    static uint8_t scratch[TLS_RECORD_MAX];
    tls_budget_t b = {.max = 1 << 20};
    tls_env_t env = {
        .keylog = kl, .budget = &b, .stats = st, .scratch = scratch, .cb = on_plain, .ud = out};
    tls_session_t *s = tls_session_new(0);
    size_t off[2] = {0, 0};
    for (int side = 0; side < 2; side++) {
        off[side] = 5 + (size_t)(c->stream[side][3] << 8 | c->stream[side][4]);
        tls_session_data(s, &env, side, c->stream[side], off[side]);
    }
    bool keyed = !f.keys_at, gapped = f.gap_side < 0;
    while (off[0] < c->len[0] || off[1] < c->len[1]) {
        for (int side = 1; side >= 0; side--) {
            if (!keyed && off[0] >= f.keys_at) {
                tls_keylog_add(kl, keylog, strlen(keylog));
                keyed = true;
            }
            size_t k = c->len[side] - off[side] < f.chunk ? c->len[side] - off[side] : f.chunk;
            if (!gapped && side == f.gap_side && off[side] >= f.gap_at) {
                tls_session_gap(s, &env, side);
                gapped = true;
                off[side] += k; /* those bytes are the ones lost */
                continue;
            }
            if (k) tls_session_data(s, &env, side, c->stream[side] + off[side], k);
            off[side] += k;
        }
    }
    tls_outcome_t o = tls_session_outcome(s);
    tls_session_free(s, &env);
    ck_assert_uint_eq(b.used, 0);
    tls_keylog_free(kl);
    return o;
}

static tls_outcome_t follow(const conn_t *c, const char *keylog, size_t chunk, conn_out_t *out,
                            tls_stats_t *st)
{
    return follow_fed(c, keylog, (feed_t){.chunk = chunk, .gap_side = -1}, out, st);
}

static void add(conn_t *c, int side, size_t n)
{
    c->len[side] += n;
}

static const char MSG_C1[] = "REGISTER sips:example.test SIP/2.0\r\nContent-Length: 0\r\n\r\n";
static const char MSG_S1[] = "SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n";
static const char MSG_C2[] = "OPTIONS sips:example.test SIP/2.0\r\nContent-Length: 0\r\n\r\n";

static void build12(conn_t *c, uint16_t id, const uint8_t master[48], const uint8_t cr[32],
                    const uint8_t sr[32])
{
    const tls_suite_t *s = tls_suite_find(id);
    tls_keys_t kc, ks;
    ck_assert_int_eq(tls12_keys(s, master, cr, sr, &kc, &ks), 0);
    memset(c, 0, sizeof *c);
    const uint8_t ccs = 1, fin[16] = {20, 0, 0, 12};
    add(c, 0, client_hello(cr, c->stream[0]));
    add(c, 1, server_hello(sr, id, false, c->stream[1]));
    add(c, 0, clear_record(TLS_CT_CHANGE_CIPHER_SPEC, &ccs, 1, c->stream[0] + c->len[0]));
    add(c, 0, seal(s, false, &kc, 0, TLS_CT_HANDSHAKE, fin, 16, c->stream[0] + c->len[0]));
    add(c, 1, clear_record(TLS_CT_CHANGE_CIPHER_SPEC, &ccs, 1, c->stream[1] + c->len[1]));
    add(c, 1, seal(s, false, &ks, 0, TLS_CT_HANDSHAKE, fin, 16, c->stream[1] + c->len[1]));
    add(c, 0,
        seal(s, false, &kc, 1, TLS_CT_APPLICATION_DATA, (const uint8_t *)MSG_C1, strlen(MSG_C1),
             c->stream[0] + c->len[0]));
    add(c, 1,
        seal(s, false, &ks, 1, TLS_CT_APPLICATION_DATA, (const uint8_t *)MSG_S1, strlen(MSG_S1),
             c->stream[1] + c->len[1]));
    add(c, 0,
        seal(s, false, &kc, 2, TLS_CT_APPLICATION_DATA, (const uint8_t *)MSG_C2, strlen(MSG_C2),
             c->stream[0] + c->len[0]));
}

static void hexstr(const uint8_t *p, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", p[i]);
}

static void expect_sip(const conn_out_t *o)
{
    char want_c[256];
    snprintf(want_c, sizeof want_c, "%s%s", MSG_C1, MSG_C2);
    ck_assert_uint_eq(o->len[0], strlen(want_c));
    ck_assert_mem_eq(o->text[0], want_c, o->len[0]);
    ck_assert_uint_eq(o->len[1], strlen(MSG_S1));
    ck_assert_mem_eq(o->text[1], MSG_S1, o->len[1]);
}

START_TEST(tls12_connection_every_split)
{
    uint16_t ids[] = {0xC02F, 0xC030, 0xCCA8};
    uint8_t master[48], cr[32], sr[32];
    for (int i = 0; i < 48; i++)
        master[i] = (uint8_t)(3 * i);
    for (int i = 0; i < 32; i++)
        cr[i] = (uint8_t)(100 + i), sr[i] = (uint8_t)(200 + i);
    char crhex[65], mhex[97], keylog[256];
    hexstr(cr, 32, crhex);
    hexstr(master, 48, mhex);
    snprintf(keylog, sizeof keylog, "CLIENT_RANDOM %s %s\n", crhex, mhex);
    static conn_t c;
    for (size_t t = 0; t < 3; t++) {
        build12(&c, ids[t], master, cr, sr);
        for (size_t chunk = 1; chunk < 400; chunk += chunk < 20 ? 1 : 37) {
            conn_out_t out = {0};
            tls_stats_t st = {0};
            ck_assert_int_eq(follow(&c, keylog, chunk, &out, &st), TLS_OUTCOME_DECRYPTED);
            expect_sip(&out);
            ck_assert_uint_eq(st.records_decrypted, 5);
            ck_assert_uint_eq(st.records_failed, 0);
            ck_assert_uint_eq(st.handshakes_12, 1);
        }
    }
    /* wrong master secret: every record fails, counted; no plaintext */
    keylog[strlen(keylog) - 2] ^= 1;
    conn_out_t out = {0};
    tls_stats_t st = {0};
    ck_assert_int_eq(follow(&c, keylog, 1000, &out, &st), TLS_OUTCOME_FAILED);
    ck_assert_uint_eq(out.len[0] + out.len[1], 0);
    ck_assert_uint_eq(st.records_failed, 5);
    /* no keys at all */
    memset(&st, 0, sizeof st);
    ck_assert_int_eq(follow(&c, "", 1000, &out, &st), TLS_OUTCOME_NO_KEYS);
    ck_assert_uint_eq(st.records_no_keys, 5);
    ck_assert_uint_eq(out.len[0] + out.len[1], 0);
}
END_TEST

/* TLS 1.3: encrypted handshake (Finished ends it per side), application
 * data, a NewSessionTicket, and a KeyUpdate from the client. */
static void build13(conn_t *c, uint16_t id, const uint8_t secrets[4][48], const uint8_t cr[32],
                    const uint8_t sr[32])
{
    const tls_suite_t *s = tls_suite_find(id);
    tls_keys_t chs, shs, cap, sap;
    tls13_keys(s, secrets[0], &chs);
    tls13_keys(s, secrets[1], &shs);
    tls13_keys(s, secrets[2], &cap);
    tls13_keys(s, secrets[3], &sap);
    memset(c, 0, sizeof *c);
    const uint8_t ccs = 1, ee[6] = {8, 0, 0, 2, 0, 0}, fin[36] = {20, 0, 0, 32},
                  nst[12] = {4, 0, 0, 8}, ku[5] = {24, 0, 0, 1, 0};
    uint8_t *o;
    add(c, 0, client_hello(cr, c->stream[0]));
    add(c, 1, server_hello(sr, id, true, c->stream[1]));
    add(c, 1, clear_record(TLS_CT_CHANGE_CIPHER_SPEC, &ccs, 1, c->stream[1] + c->len[1]));
    add(c, 1, seal(s, true, &shs, 0, TLS_CT_HANDSHAKE, ee, 6, c->stream[1] + c->len[1]));
    add(c, 1, seal(s, true, &shs, 1, TLS_CT_HANDSHAKE, fin, 36, c->stream[1] + c->len[1]));
    add(c, 0, clear_record(TLS_CT_CHANGE_CIPHER_SPEC, &ccs, 1, c->stream[0] + c->len[0]));
    add(c, 0, seal(s, true, &chs, 0, TLS_CT_HANDSHAKE, fin, 36, c->stream[0] + c->len[0]));
    add(c, 1, seal(s, true, &sap, 0, TLS_CT_HANDSHAKE, nst, 12, c->stream[1] + c->len[1]));
    o = c->stream[0] + c->len[0];
    add(c, 0,
        seal(s, true, &cap, 0, TLS_CT_APPLICATION_DATA, (const uint8_t *)MSG_C1, strlen(MSG_C1),
             o));
    add(c, 1,
        seal(s, true, &sap, 1, TLS_CT_APPLICATION_DATA, (const uint8_t *)MSG_S1, strlen(MSG_S1),
             c->stream[1] + c->len[1]));
    add(c, 0, seal(s, true, &cap, 1, TLS_CT_HANDSHAKE, ku, 5, c->stream[0] + c->len[0]));
    uint8_t next[48];
    memcpy(next, secrets[2], 48);
    tls13_update_secret(s, next);
    tls_keys_t cap2;
    tls13_keys(s, next, &cap2);
    add(c, 0,
        seal(s, true, &cap2, 0, TLS_CT_APPLICATION_DATA, (const uint8_t *)MSG_C2, strlen(MSG_C2),
             c->stream[0] + c->len[0]));
}

START_TEST(tls13_connection_every_split)
{
    uint16_t ids[] = {0x1301, 0x1302, 0x1303};
    static const char *const labels[4] = {"CLIENT_HANDSHAKE_TRAFFIC_SECRET",
                                          "SERVER_HANDSHAKE_TRAFFIC_SECRET",
                                          "CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0"};
    uint8_t secrets[4][48], cr[32], sr[32];
    for (int i = 0; i < 32; i++)
        cr[i] = (uint8_t)(7 * i), sr[i] = (uint8_t)(11 * i);
    static conn_t c;
    for (size_t t = 0; t < 3; t++) {
        const tls_suite_t *s = tls_suite_find(ids[t]);
        size_t hl = tls_hash_len(s->hash);
        char keylog[1024] = "", crhex[65], shex[97];
        hexstr(cr, 32, crhex);
        for (int k = 0; k < 4; k++) {
            for (size_t i = 0; i < hl; i++)
                secrets[k][i] = (uint8_t)(k * 50 + i + t);
            hexstr(secrets[k], hl, shex);
            snprintf(keylog + strlen(keylog), sizeof keylog - strlen(keylog), "%s %s %s\n",
                     labels[k], crhex, shex);
        }
        build13(&c, ids[t], (const uint8_t(*)[48])secrets, cr, sr);
        for (size_t chunk = 1; chunk < 400; chunk += chunk < 20 ? 1 : 37) {
            conn_out_t out = {0};
            tls_stats_t st = {0};
            ck_assert_int_eq(follow(&c, keylog, chunk, &out, &st), TLS_OUTCOME_DECRYPTED);
            expect_sip(&out);
            ck_assert_uint_eq(st.records_failed, 0);
            ck_assert_uint_eq(st.key_updates, 1);
            ck_assert_uint_eq(st.handshakes_13, 1);
        }
        /* only the application secrets: the handshake is skipped by trial */
        char app_only[1024] = "";
        const char *p = strstr(keylog, "CLIENT_TRAFFIC_SECRET_0");
        snprintf(app_only, sizeof app_only, "%s", p);
        conn_out_t out = {0};
        tls_stats_t st = {0};
        ck_assert_int_eq(follow(&c, app_only, 64, &out, &st), TLS_OUTCOME_DECRYPTED);
        expect_sip(&out);
        /* every key only once the client's first SIP record went by: the
         * handshake went by unopened, the records after it are opened at
         * the sequence numbers they had (KeyUpdate followed) */
        size_t c1_end = c.len[0] - (5 + strlen(MSG_C2) + 1 + 16) - (5 + 5 + 1 + 16);
        memset(&out, 0, sizeof out);
        memset(&st, 0, sizeof st);
        ck_assert_int_eq(follow_fed(&c, keylog,
                                    (feed_t){.chunk = 7, .keys_at = c1_end, .gap_side = -1}, &out,
                                    &st),
                         TLS_OUTCOME_DECRYPTED);
        ck_assert_uint_eq(out.len[0], strlen(MSG_C2));
        ck_assert_mem_eq(out.text[0], MSG_C2, out.len[0]);
        ck_assert_uint_eq(out.len[1], strlen(MSG_S1)); /* the server's came after the keys too */
        ck_assert_uint_eq(st.records_no_keys,
                          5); /* client Finished, REGISTER; server EE, Finished, ticket */
        ck_assert_uint_eq(st.key_updates, 1);
        ck_assert_uint_eq(st.records_failed, 0);
        /* wrong application secrets and no handshake ones: the trial is
         * given up after 16 records per direction, not made for ever */
        for (char *q = strstr(app_only, "SECRET_0 "); q; q = strstr(q + 1, "SECRET_0 ")) {
            char *eol = strchr(q, '\n');
            eol[-1] = eol[-1] == '0' ? '1' : '0';
        }
        const tls_suite_t *suite = tls_suite_find(ids[t]);
        tls_keys_t cap;
        tls13_keys(suite, secrets[2], &cap);
        for (uint64_t seq = 2; seq < 40; seq++) /* more client records (sequence past the update) */
            add(&c, 0,
                seal(suite, true, &cap, seq, TLS_CT_APPLICATION_DATA, (const uint8_t *)MSG_C1,
                     strlen(MSG_C1), c.stream[0] + c.len[0]));
        memset(&out, 0, sizeof out);
        memset(&st, 0, sizeof st);
        ck_assert_int_eq(follow(&c, app_only, 64, &out, &st), TLS_OUTCOME_FAILED);
        ck_assert_uint_eq(out.len[0] + out.len[1], 0);
        ck_assert_uint_le(st.records_no_keys, 2 * 16);
    }
}
END_TEST

/* Keys that come after the handshake (an application writes its key log
 * as it connects): the records that went by are counted, later ones are
 * opened at the right sequence numbers. */
START_TEST(late_keys_and_gaps)
{
    uint8_t master[48], cr[32], sr[32];
    for (int i = 0; i < 48; i++)
        master[i] = (uint8_t)(5 * i);
    for (int i = 0; i < 32; i++)
        cr[i] = (uint8_t)(i + 1), sr[i] = (uint8_t)(i + 2);
    char crhex[65], mhex[97], keylog[256];
    hexstr(cr, 32, crhex);
    hexstr(master, 48, mhex);
    snprintf(keylog, sizeof keylog, "CLIENT_RANDOM %s %s\n", crhex, mhex);
    static conn_t c;
    build12(&c, 0xC02F, master, cr, sr);
    /* keys once the first client SIP record has gone by */
    size_t before_c2 = c.len[0] - (5 + 8 + strlen(MSG_C2) + 16);
    conn_out_t out = {0};
    tls_stats_t st = {0};
    ck_assert_int_eq(follow_fed(&c, keylog,
                                (feed_t){.chunk = 7, .keys_at = before_c2 + 20, .gap_side = -1},
                                &out, &st),
                     TLS_OUTCOME_DECRYPTED);
    ck_assert_int_gt(st.records_no_keys, 0);
    ck_assert_uint_eq(st.records_failed, 0);
    ck_assert_uint_eq(out.len[0], strlen(MSG_C2)); /* the last one only */
    ck_assert_mem_eq(out.text[0], MSG_C2, out.len[0]);
    /* a gap in the client's direction after its first SIP record: the
     * client stops, the server goes on */
    memset(&out, 0, sizeof out);
    memset(&st, 0, sizeof st);
    follow_fed(&c, keylog, (feed_t){.chunk = 7, .gap_side = 0, .gap_at = before_c2}, &out, &st);
    ck_assert_uint_eq(st.gaps, 1);
    ck_assert_uint_eq(out.len[1], strlen(MSG_S1));
    ck_assert_uint_eq(out.len[0], strlen(MSG_C1));
}
END_TEST

/* ---- the connection table ---- */

static int gone_evicted, gone_other;

static void on_gone(void *ud, tls_conn_t *c, bool evicted)
{
    (void)ud;
    tls_session_free(c->session, NULL);
    if (evicted)
        gone_evicted++;
    else
        gone_other++;
}

static snb_packet_t packet(uint8_t last, uint16_t sport, uint16_t dport, bool reverse)
{
    snb_packet_t p = {.transport = SNB_TRANSPORT_TCP, .sport = sport, .dport = dport};
    p.src.family = p.dst.family = 4;
    p.src.a[0] = 10, p.src.a[3] = last;
    p.dst.a[0] = 10, p.dst.a[3] = 200;
    if (reverse) {
        snb_addr_t t = p.src;
        p.src = p.dst, p.dst = t;
        p.sport = dport, p.dport = sport;
    }
    return p;
}

START_TEST(table_both_directions_cap_and_idle)
{
    snb_hash_key_t key = {{1, 1}, {2}, 3};
    gone_evicted = gone_other = 0;
    tls_table_t *t = tls_table_new(3, 1000000, &key, on_gone, NULL);
    tls_conn_key_t k, back;
    snb_packet_t p = packet(1, 40000, 5061, false), r = packet(1, 40000, 5061, true);
    int side = tls_conn_key_of(&p, &k), rside = tls_conn_key_of(&r, &back);
    ck_assert_int_ne(side, rside); /* both directions: one key, two sides */
    ck_assert_mem_eq(&k, &back, sizeof k);
    ck_assert_ptr_null(tls_table_find(t, &k));
    tls_conn_t *c = tls_table_add(t, &k, 10);
    c->session = tls_session_new(side);
    ck_assert_ptr_eq(tls_table_find(t, &back), c);
    for (uint8_t i = 2; i <= 4; i++) { /* the cap: the least recently used goes */
        snb_packet_t q = packet(i, 40000, 5061, false);
        tls_conn_key_t kq;
        tls_conn_key_of(&q, &kq);
        tls_table_add(t, &kq, 10 + i)->session = tls_session_new(0);
        if (i == 3) tls_table_touch(t, c, 13); /* keeps the first one */
    }
    ck_assert_uint_eq(tls_table_count(t), 3);
    ck_assert_int_eq(gone_evicted, 1);
    ck_assert_ptr_eq(tls_table_find(t, &k), c);
    tls_table_expire(t, 13 + 1000000); /* idle, but not longer than the timeout */
    ck_assert_uint_eq(tls_table_count(t), 3);
    tls_table_expire(t, 13 + 1000001);
    ck_assert_uint_eq(tls_table_count(t), 1);
    ck_assert_ptr_null(tls_table_find(t, &k));
    tls_table_flush(t);
    ck_assert_uint_eq(tls_table_count(t), 0);
    ck_assert_int_eq(gone_other, 3);
    tls_table_free(t);
}
END_TEST

/* A ServerHello with a suite we cannot decrypt (CBC). */
START_TEST(unsupported_suite_counted)
{
    static conn_t c;
    uint8_t cr[32] = {1}, sr[32] = {2};
    memset(&c, 0, sizeof c);
    add(&c, 0, client_hello(cr, c.stream[0]));
    add(&c, 1, server_hello(sr, 0x002F, false, c.stream[1]));
    conn_out_t out = {0};
    tls_stats_t st = {0};
    ck_assert_int_eq(follow(&c, "", 100, &out, &st), TLS_OUTCOME_UNSUPPORTED);
    ck_assert_uint_eq(st.unsupported, 1);
}
END_TEST

START_TEST(hello_parsing)
{
    uint8_t rec[256], cr[32];
    for (int i = 0; i < 32; i++)
        cr[i] = (uint8_t)i;
    size_t n = client_hello(cr, rec);
    ck_assert(tls_starts_client_hello(rec, n));
    ck_assert(!tls_starts_client_hello(rec, 5));
    tls_hello_t h;
    ck_assert(tls_parse_client_hello(rec + 9, n - 9, &h));
    ck_assert_mem_eq(h.random, cr, 32);
    for (size_t cut = 0; cut < 2 + 32 + 1; cut++) /* truncated: refused */
        ck_assert(!tls_parse_client_hello(rec + 9, cut, &h));
    n = server_hello(cr, 0x1302, true, rec);
    ck_assert(tls_parse_server_hello(rec + 9, n - 9, &h));
    ck_assert_uint_eq(h.version, 0x0304);
    ck_assert_uint_eq(h.suite, 0x1302);
    ck_assert(!h.retry);
    ck_assert(!tls_parse_server_hello(rec + 9, n - 10, &h)); /* extension cut */
}
END_TEST

int main(void)
{
    Suite *s = suite_create("tls");
    TCase *tc = tcase_create("tls");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, tls13_keys_rfc8448);
    tcase_add_test(tc, tls13_record_rfc8448);
    tcase_add_test(tc, tls12_keys_match_the_prf_from_hmac);
    tcase_add_test(tc, suites_we_decrypt);
    tcase_add_test(tc, records_split_and_coalesced);
    tcase_add_test(tc, records_bad_and_bounded);
    tcase_add_test(tc, handshake_messages_joined_and_skipped);
    tcase_add_test(tc, keylog_lines);
    tcase_add_test(tc, keylog_cap_forgets_the_oldest);
    tcase_add_test(tc, tls12_connection_every_split);
    tcase_add_test(tc, tls13_connection_every_split);
    tcase_add_test(tc, late_keys_and_gaps);
    tcase_add_test(tc, table_both_directions_cap_and_idle);
    tcase_add_test(tc, unsupported_suite_counted);
    tcase_add_test(tc, hello_parsing);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
