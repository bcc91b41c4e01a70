/* libFuzzer: the TLS record layer, handshake parser, key log parser and
 * session state machine on arbitrary bytes. The input is a sequence of
 * chunks [side (low bit)][length][bytes], the two directions of one
 * connection; the key log holds the secrets of the connections in
 * tests/data/sip-tls-keylog.pcap, so seeds taken from it decrypt and the
 * fuzzer reaches the protected phases. Invariants: no crash, no leak, the
 * buffer budget returns to zero, plaintext never exceeds the input. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tls_handshake.h"
#include "tls_keylog.h"
#include "tls_session.h"

static const char KEYLOG[] =
    "CLIENT_RANDOM 7ddc218d2a12ce0c67b24dd7a081c5300e79c06557c12066c916e869679033f0 "
    "c921c5f6c58006251825b3ae31672bdc161efb2f0adc8ab230791052b3c628cd8b2b2959782492ec19624e4a2273e"
    "2e8\n"
    "SERVER_HANDSHAKE_TRAFFIC_SECRET "
    "4991e7e299b86124191ba66f898ecc95e52df15f77b12cf1f731075b05941c23 "
    "3d32f62976722002d82be6ed1afe8d75e98703eefb6c3878837e25d7e3efe9176ce0ee5ac4c889696bf533292aa77"
    "70b\n"
    "SERVER_TRAFFIC_SECRET_0 4991e7e299b86124191ba66f898ecc95e52df15f77b12cf1f731075b05941c23 "
    "4303c01d48a57d932a6fa61b73edb5e3fcdb2aa4d36720322f3eec9b987cf93e075956daf0241c0fbe6ff3f951e76"
    "850\n"
    "CLIENT_HANDSHAKE_TRAFFIC_SECRET "
    "4991e7e299b86124191ba66f898ecc95e52df15f77b12cf1f731075b05941c23 "
    "72a69ccd80f4780009073b5b847e3c83369e6b41eb3169f2fe213325e873bdc3a790c742d49155c47719ead8ef577"
    "690\n"
    "CLIENT_TRAFFIC_SECRET_0 4991e7e299b86124191ba66f898ecc95e52df15f77b12cf1f731075b05941c23 "
    "4b1c61952309bcf81361b002070a18a9dad2f234e10ab07c88b55ccd9a6f75d649ce87428fea1697eb535f855f75d"
    "b45\n";

static size_t plaintext;

static void on_plain(void *ud, int side, const uint8_t *p, size_t n)
{
    (void)ud;
    if (side < 0 || side > 1 || (n && !p)) abort();
    plaintext += n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static tls_keylog_t *kl;
    static uint8_t scratch[TLS_RECORD_MAX];
    if (!kl) {
        snb_hash_key_t key = {{1, 2}, {3}, 4};
        kl = tls_keylog_new(64, &key);
        tls_keylog_add(kl, KEYLOG, sizeof KEYLOG - 1);
    }
    /* the key log parser on the same bytes, into a log of its own */
    snb_hash_key_t key = {{5, 6}, {7}, 8};
    tls_keylog_t *other = tls_keylog_new(4, &key);
    tls_keylog_add(other, (const char *)data, size);
    tls_keylog_free(other);

    tls_stats_t st = {0};
    tls_budget_t budget = {.max = 64 * 1024};
    tls_env_t env = {
        .keylog = kl, .budget = &budget, .stats = &st, .scratch = scratch, .cb = on_plain};
    tls_session_t *s = tls_session_new(0);
    plaintext = 0;
    size_t off = 0, fed = 0;
    while (off + 2 <= size) {
        int side = data[off] & 1;
        bool gap = data[off] & 2;
        size_t n = data[off + 1];
        off += 2;
        if (n > size - off) n = size - off;
        if (gap) tls_session_gap(s, &env, side);
        tls_session_data(s, &env, side, data + off, n);
        fed += n;
        off += n;
    }
    if (plaintext > fed) abort();
    (void)tls_session_outcome(s);
    tls_session_free(s, &env);
    if (budget.used != 0) abort();
    tls_hello_t h;
    tls_parse_client_hello(data, size, &h);
    tls_parse_server_hello(data, size, &h);
    return 0;
}
