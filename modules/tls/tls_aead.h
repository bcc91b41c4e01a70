/* One direction's record decryption (RFC 5288, 7905, 8446 5.2-5.3): the
 * per-record nonce from the IV and the sequence number, the additional
 * data, and OpenSSL's EVP AEAD ciphers to open the record. */
#ifndef SNB_TLS_AEAD_H
#define SNB_TLS_AEAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tls_kdf.h"
#include "tls_suite.h"

#define TLS_TAG_LEN 16

typedef struct tls_cipher {
    void *ctx; /* EVP_CIPHER_CTX, keyed once */
    const tls_suite_t *suite;
    bool tls13;
    uint8_t iv[12];
    uint64_t seq; /* of the next record */
} tls_cipher_t;

/* Key a cipher (a previous key is replaced, the sequence restarts at 0);
 * 0 or -1. */
int tls_cipher_init(tls_cipher_t *c, const tls_suite_t *suite, bool tls13, const tls_keys_t *keys);
bool tls_cipher_ready(const tls_cipher_t *c);
/* Open one record: hdr is its 5-byte header, frag its body. The plaintext
 * (at most frag_len bytes) goes to out; *out_len is its length. The
 * sequence number advances whether or not the tag verifies (a record is a
 * record). Returns 0, or -1 when the record does not authenticate. */
int tls_cipher_open(tls_cipher_t *c, const uint8_t hdr[5], const uint8_t *frag, size_t frag_len,
                    uint8_t *out, size_t *out_len);
void tls_cipher_free(tls_cipher_t *c);

#endif
