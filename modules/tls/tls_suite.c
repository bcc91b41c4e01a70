/* The cipher suite table (see tls_suite.h); IANA numbers, RFC 5288, 5289,
 * 7905 and 8446. */
#include "tls_suite.h"

#define GCM128 TLS_AEAD_AES_128_GCM, TLS_HASH_SHA256, 16, 4, 8
#define GCM256 TLS_AEAD_AES_256_GCM, TLS_HASH_SHA384, 32, 4, 8
#define CHACHA12 TLS_AEAD_CHACHA20_POLY1305, TLS_HASH_SHA256, 32, 12, 0

static const tls_suite_t suites[] = {
    {0x009C, false, GCM128, "TLS_RSA_WITH_AES_128_GCM_SHA256"},
    {0x009D, false, GCM256, "TLS_RSA_WITH_AES_256_GCM_SHA384"},
    {0x009E, false, GCM128, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"},
    {0x009F, false, GCM256, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384"},
    {0xC02B, false, GCM128, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"},
    {0xC02C, false, GCM256, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"},
    {0xC02F, false, GCM128, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"},
    {0xC030, false, GCM256, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"},
    {0xCCA8, false, CHACHA12, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"},
    {0xCCA9, false, CHACHA12, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"},
    {0xCCAA, false, CHACHA12, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256"},
    {0x1301, true, TLS_AEAD_AES_128_GCM, TLS_HASH_SHA256, 16, 12, 0, "TLS_AES_128_GCM_SHA256"},
    {0x1302, true, TLS_AEAD_AES_256_GCM, TLS_HASH_SHA384, 32, 12, 0, "TLS_AES_256_GCM_SHA384"},
    {0x1303, true, CHACHA12, "TLS_CHACHA20_POLY1305_SHA256"},
};

const tls_suite_t *tls_suite_find(uint16_t id)
{
    for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++)
        if (suites[i].id == id) return &suites[i];
    return NULL;
}

size_t tls_hash_len(tls_hash_t h)
{
    return h == TLS_HASH_SHA384 ? 48 : 32;
}
