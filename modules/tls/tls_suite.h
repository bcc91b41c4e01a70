/* The cipher suites the tls module can decrypt: AEAD suites only (AES-GCM
 * and ChaCha20-Poly1305), TLS 1.2 with any key exchange (the key log gives
 * the master secret, so ECDHE, DHE and RSA are all the same here) and the
 * three TLS 1.3 suites. */
#ifndef SNB_TLS_SUITE_H
#define SNB_TLS_SUITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum tls_aead {
    TLS_AEAD_AES_128_GCM,
    TLS_AEAD_AES_256_GCM,
    TLS_AEAD_CHACHA20_POLY1305,
} tls_aead_t;

typedef enum tls_hash {
    TLS_HASH_SHA256,
    TLS_HASH_SHA384,
} tls_hash_t;

typedef struct tls_suite {
    uint16_t id;
    bool tls13; /* a TLS 1.3 suite (no key exchange in its name) */
    tls_aead_t aead;
    tls_hash_t hash;     /* the PRF's (1.2) or HKDF's (1.3) hash */
    uint8_t key_len;     /* 16 or 32 */
    uint8_t fixed_iv;    /* 1.2: 4 (GCM salt) or 12 (ChaCha20); 1.3: 12 */
    uint8_t explicit_iv; /* 1.2 GCM: 8 bytes of nonce in each record; else 0 */
    const char *name;
} tls_suite_t;

/* NULL for a suite we cannot decrypt (CBC, CCM, export, unknown). */
const tls_suite_t *tls_suite_find(uint16_t id);
size_t tls_hash_len(tls_hash_t h); /* 32 or 48 */

#endif
