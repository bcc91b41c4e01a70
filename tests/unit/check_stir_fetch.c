/* The pure parts of the x5u fetch (snb_stir_logic): the SSRF address rules
 * over every refused range and some public neighbours, the fetched-chain
 * cache (LRU cap, expiry by Cache-Control max-age and by the leaf's
 * notAfter, no-store), the body size cap, and the PKI's fetched chains
 * (added, notAfter read, removed). */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "stir_addr.h"
#include "stir_body.h"
#include "stir_cache.h"
#include "stir_pki.h"

#define PKI SNB_TEST_DATA_DIR "/stir/pki"

static bool allowed(const char *text)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    struct sockaddr_in *in = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, text, &in->sin_addr) == 1)
        in->sin_family = AF_INET;
    else {
        ck_assert_msg(inet_pton(AF_INET6, text, &in6->sin6_addr) == 1, "bad address %s", text);
        in6->sin6_family = AF_INET6;
    }
    return stir_addr_allowed((struct sockaddr *)&ss);
}

START_TEST(address_ranges)
{
    static const char *const refused[] = {
        /* IPv4: unspecified, this network, private, CGNAT, loopback, link-local,
         * IETF assignments, documentation, 6to4 relay, benchmarking, multicast,
         * reserved, broadcast; both ends of each range */
        "0.0.0.0",
        "0.255.255.255",
        "10.0.0.0",
        "10.255.255.255",
        "100.64.0.0",
        "100.127.255.255",
        "127.0.0.1",
        "127.255.255.254",
        "169.254.0.1",
        "169.254.169.254",
        "172.16.0.0",
        "172.31.255.255",
        "192.0.0.0",
        "192.0.0.255",
        "192.0.2.1",
        "192.88.99.1",
        "192.168.0.1",
        "192.168.255.255",
        "198.18.0.0",
        "198.19.255.255",
        "198.51.100.7",
        "203.0.113.9",
        "224.0.0.1",
        "239.255.255.255",
        "240.0.0.1",
        "255.255.255.255",
        /* IPv6: unspecified, loopback, IPv4-compatible, mapped and NAT64 of
         * refused IPv4, 6to4 of a private one, discard, IETF/Teredo,
         * documentation (both), SRv6, ULA, link-local, site-local,
         * multicast, local-use NAT64, and outside 2000::/3 */
        "::",
        "::1",
        "::10.0.0.1",
        "::ffff:127.0.0.1",
        "::ffff:10.1.2.3",
        "64:ff9b::192.168.1.1",
        "2002:c0a8:0101::1",
        "100::1",
        "2001::1",
        "2001:2::1",
        "2001:db8::1",
        "3fff::1",
        "5f00::1",
        "fc00::1",
        "fdff:ffff::1",
        "fe80::1",
        "febf::1",
        "fec0::1",
        "ff02::1",
        "ff0e::1",
        "64:ff9b:1::1",
        "4000::1",
        "1234::1",
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        ck_assert_msg(!allowed(refused[i]), "%s allowed", refused[i]);
    static const char *const public[] = {
        "1.1.1.1",          "8.8.8.8",
        "9.255.255.255",    "11.0.0.0",
        "100.63.255.255",   "100.128.0.0",
        "126.255.255.255",  "128.0.0.1",
        "169.253.255.255",  "172.15.255.255",
        "172.32.0.0",       "192.0.1.1",
        "192.0.3.1",        "192.167.255.255",
        "192.169.0.0",      "198.17.255.255",
        "198.20.0.0",       "203.0.114.1",
        "223.255.255.255",  "2606:4700::1111",
        "2a00:1450::1",     "2001:4860:4860::8888",
        "2001:200::1",      "::ffff:8.8.8.8",
        "64:ff9b::808:808", "2002:0808:0808::1",
        "3ffe::1",
    };
    for (size_t i = 0; i < sizeof public / sizeof public[0]; i++)
        ck_assert_msg(allowed(public[i]), "%s refused", public[i]);
    struct sockaddr unix_like = {.sa_family = AF_UNIX};
    ck_assert(!stir_addr_allowed(&unix_like));
    ck_assert(!stir_addr_allowed(NULL));
}
END_TEST

START_TEST(cache_control_and_not_after)
{
    const int64_t now = 1000000, far = now + 10000000;
    ck_assert_int_eq(stir_cache_expiry("max-age=600", now, far, 3600), now + 600);
    ck_assert_int_eq(stir_cache_expiry("public, MAX-AGE=\"120\"", now, far, 3600), now + 120);
    ck_assert_int_eq(stir_cache_expiry(NULL, now, far, 3600), now + 3600);
    ck_assert_int_eq(stir_cache_expiry("public", now, far, 3600), now + 3600);
    ck_assert_int_eq(stir_cache_expiry("max-age=600, max-age=60", now, far, 3600), now + 60);
    ck_assert_int_eq(stir_cache_expiry("no-store", now, far, 3600), -1);
    ck_assert_int_eq(stir_cache_expiry("max-age=600, No-Cache", now, far, 3600), -1);
    ck_assert_int_eq(stir_cache_expiry("max-age=0", now, far, 3600), -1);
    /* never past the leaf's notAfter */
    ck_assert_int_eq(stir_cache_expiry("max-age=600", now, now + 30, 3600), now + 30);
    ck_assert_int_eq(stir_cache_expiry(NULL, now, now - 1, 3600), -1);
    ck_assert_int_eq(stir_cache_expiry("max-age=99999999999999", now, far, 3600), far);
    ck_assert_int_eq(stir_cache_expiry("=,,max-age=x, ,", now, far, 3600), now + 3600);
}
END_TEST

static char evicted[8][32];
static int n_evicted;

static void on_evict(void *ud, const char *url)
{
    (void)ud;
    snprintf(evicted[n_evicted++ % 8], sizeof evicted[0], "%s", url);
}

START_TEST(cache_lru_and_expiry)
{
    snb_hash_key_t key;
    memset(&key, 0, sizeof key);
    key.sip[0] = 0x1234;
    key.sip[1] = 0x5678;
    n_evicted = 0;
    stir_cache_t *c = stir_cache_new(2, &key, on_evict, NULL);
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(stir_cache_put(c, "https://a/", 100), 0);
    ck_assert_int_eq(stir_cache_put(c, "https://b/", 200), 0);
    ck_assert(stir_cache_get(c, "https://a/", 50)); /* a is now the most recent */
    ck_assert_int_eq(stir_cache_put(c, "https://c/", 300), 0);
    ck_assert_int_eq(n_evicted, 1);
    ck_assert_str_eq(evicted[0], "https://b/"); /* the least recently used */
    ck_assert(!stir_cache_get(c, "https://b/", 50));
    ck_assert_uint_eq(stir_cache_count(c), 2);
    /* expiry: fresh before, dropped at its time */
    ck_assert(stir_cache_get(c, "https://a/", 99));
    ck_assert(!stir_cache_get(c, "https://a/", 100));
    ck_assert_int_eq(n_evicted, 2);
    ck_assert_str_eq(evicted[1], "https://a/");
    ck_assert_uint_eq(stir_cache_count(c), 1);
    /* a put replaces the time of an entry already there */
    ck_assert_int_eq(stir_cache_put(c, "https://c/", 400), 0);
    ck_assert(stir_cache_get(c, "https://c/", 350));
    ck_assert_uint_eq(stir_cache_count(c), 1);
    stir_cache_free(c); /* the rest leave through the callback too */
    ck_assert_int_eq(n_evicted, 3);
    ck_assert_str_eq(evicted[2], "https://c/");
    /* many keys in a larger cache stay findable */
    c = stir_cache_new(1000, &key, NULL, NULL);
    char url[64];
    for (int i = 0; i < 1500; i++) {
        snprintf(url, sizeof url, "https://h/%d", i);
        ck_assert_int_eq(stir_cache_put(c, url, 10), 0);
    }
    ck_assert_uint_eq(stir_cache_count(c), 1000);
    for (int i = 0; i < 1500; i++) {
        snprintf(url, sizeof url, "https://h/%d", i);
        ck_assert_int_eq(stir_cache_get(c, url, 5), i >= 500);
    }
    stir_cache_free(c);
}
END_TEST

START_TEST(body_size_cap)
{
    stir_body_t b = {0};
    char chunk[1000];
    memset(chunk, 'x', sizeof chunk);
    for (int i = 0; i < 4; i++)
        ck_assert(stir_body_append(&b, chunk, sizeof chunk, 4096));
    ck_assert_uint_eq(b.len, 4000);
    ck_assert_uint_eq(strlen(b.data), 4000);
    ck_assert(stir_body_append(&b, chunk, 96, 4096)); /* exactly the cap */
    ck_assert(!b.too_large);
    ck_assert(!stir_body_append(&b, chunk, 1, 4096)); /* one byte past it */
    ck_assert(b.too_large);
    ck_assert_uint_eq(b.len, 4096);
    stir_body_free(&b);
    stir_body_t h = {0};
    ck_assert(!stir_body_append(&h, chunk, SIZE_MAX, 4096)); /* no overflow */
    ck_assert(h.too_large);
    stir_body_free(&h);
}
END_TEST

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    char *buf = malloc(65536);
    *len = fread(buf, 1, 65535, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

START_TEST(pki_fetched_chains)
{
    stir_pki_t *pki = stir_pki_new();
    size_t len;
    char *pem = slurp(PKI "/certs/sp-capitol-7Z1A.pem", &len);
    const char *url = "https://127.0.0.1:1/chain.pem";
    ck_assert(!stir_pki_has_chain(pki, url));
    ck_assert_int_eq(stir_pki_add_chain_pem(pki, "https://z/", pem, len), 0);
    ck_assert_int_eq(stir_pki_add_chain_pem(pki, url, pem, len), 0);
    ck_assert(stir_pki_has_chain(pki, url));
    int64_t not_after = 0;
    ck_assert(stir_pki_not_after(pki, url, &not_after));
    ck_assert_int_eq(not_after, 1822348799); /* Sep 30 23:59:59 2027 GMT */
    stir_pki_remove_chain(pki, url);
    ck_assert(!stir_pki_has_chain(pki, url));
    ck_assert(!stir_pki_not_after(pki, url, &not_after));
    ck_assert(stir_pki_has_chain(pki, "https://z/"));
    ck_assert_uint_eq(stir_pki_chain_count(pki), 1);
    stir_pki_remove_chain(pki, url);                                  /* absent: nothing happens */
    ck_assert_int_ne(stir_pki_add_chain_pem(pki, url, "AAAA", 4), 0); /* not PEM */
    free(pem);
    stir_pki_free(pki);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("stir_fetch");
    TCase *tc = tcase_create("pure");
    tcase_add_test(tc, address_ranges);
    tcase_add_test(tc, cache_control_and_not_after);
    tcase_add_test(tc, cache_lru_and_expiry);
    tcase_add_test(tc, body_size_cap);
    tcase_add_test(tc, pki_fetched_chains);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
