/* Key derivation, with OpenSSL's KDFs only (EVP_KDF "TLS1-PRF" and "HKDF"):
 *  - TLS 1.2 (RFC 5246 6.3): key_block = PRF(master_secret, "key expansion",
 *    server_random + client_random), cut into the write keys and IVs;
 *  - TLS 1.3 (RFC 8446 7.1, 7.3): HKDF-Expand-Label of a traffic secret
 *    into "key" and "iv", and "traffic upd" for a KeyUpdate. */
#ifndef SNB_TLS_KDF_H
#define SNB_TLS_KDF_H

#include <stddef.h>
#include <stdint.h>

#include "tls_suite.h"

#define TLS_MASTER_LEN 48
#define TLS_RANDOM_LEN 32
#define TLS_MAX_SECRET 48 /* a SHA-384 traffic secret */

/* One direction's record protection keys. */
typedef struct tls_keys {
    uint8_t key[32];
    uint8_t iv[12]; /* 1.2 GCM: the 4-byte salt first */
} tls_keys_t;

/* The TLS 1.2 PRF; 0 or -1. */
int tls12_prf(tls_hash_t hash, const uint8_t *secret, size_t secret_len, const char *label,
              const uint8_t *seed, size_t seed_len, uint8_t *out, size_t out_len);
/* Both directions' keys of a TLS 1.2 AEAD suite; 0 or -1. */
int tls12_keys(const tls_suite_t *suite, const uint8_t master[TLS_MASTER_LEN],
               const uint8_t client_random[TLS_RANDOM_LEN],
               const uint8_t server_random[TLS_RANDOM_LEN], tls_keys_t *client, tls_keys_t *server);

/* HKDF-Expand-Label(secret, "tls13 " + label, context, out_len); 0 or -1. */
int tls13_expand_label(tls_hash_t hash, const uint8_t *secret, size_t secret_len, const char *label,
                       const uint8_t *context, size_t context_len, uint8_t *out, size_t out_len);
/* The key and IV of a TLS 1.3 traffic secret (hash length bytes); 0 or -1. */
int tls13_keys(const tls_suite_t *suite, const uint8_t *secret, tls_keys_t *keys);
/* The next application traffic secret after a KeyUpdate, in place; 0 or -1. */
int tls13_update_secret(const tls_suite_t *suite, uint8_t *secret);

#endif
