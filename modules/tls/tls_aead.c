/* Record decryption with EVP AEAD ciphers (see tls_aead.h). */
#include <openssl/evp.h>
#include <string.h>

#include "tls_aead.h"

static const EVP_CIPHER *evp_cipher(tls_aead_t a)
{
    switch (a) {
    case TLS_AEAD_AES_128_GCM:
        return EVP_aes_128_gcm();
    case TLS_AEAD_AES_256_GCM:
        return EVP_aes_256_gcm();
    default:
        return EVP_chacha20_poly1305();
    }
}

int tls_cipher_init(tls_cipher_t *c, const tls_suite_t *suite, bool tls13, const tls_keys_t *keys)
{
    if (!c->ctx) c->ctx = EVP_CIPHER_CTX_new();
    EVP_CIPHER_CTX *ctx = c->ctx;
    c->suite = NULL;
    if (!ctx || EVP_DecryptInit_ex(ctx, evp_cipher(suite->aead), NULL, NULL, NULL) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL) != 1 ||
        EVP_DecryptInit_ex(ctx, NULL, NULL, keys->key, NULL) != 1)
        return -1;
    c->suite = suite;
    c->tls13 = tls13;
    memcpy(c->iv, keys->iv, sizeof c->iv);
    c->seq = 0;
    return 0;
}

bool tls_cipher_ready(const tls_cipher_t *c)
{
    return c->suite != NULL;
}

static void put_be64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}

int tls_cipher_open(tls_cipher_t *c, const uint8_t hdr[5], const uint8_t *frag, size_t frag_len,
                    uint8_t *out, size_t *out_len)
{
    *out_len = 0;
    if (!c->suite) return -1;
    uint64_t seq = c->seq++;
    size_t explicit_iv = c->tls13 ? 0 : c->suite->explicit_iv;
    if (frag_len < explicit_iv + TLS_TAG_LEN) return -1;
    size_t n = frag_len - explicit_iv - TLS_TAG_LEN;
    const uint8_t *ct = frag + explicit_iv, *tag = ct + n;

    uint8_t nonce[12], seq_be[8];
    put_be64(seq_be, seq);
    if (explicit_iv) { /* 1.2 GCM: salt + the record's explicit nonce */
        memcpy(nonce, c->iv, 4);
        memcpy(nonce + 4, frag, 8);
    } else { /* 1.2 ChaCha20 and 1.3: IV xor the padded sequence number */
        memcpy(nonce, c->iv, 12);
        for (int i = 0; i < 8; i++)
            nonce[4 + i] ^= seq_be[i];
    }
    /* 1.3: the record header; 1.2: seq, type, version, plaintext length. */
    uint8_t aad[13];
    size_t aad_len;
    if (c->tls13) {
        memcpy(aad, hdr, 5);
        aad_len = 5;
    } else {
        memcpy(aad, seq_be, 8);
        memcpy(aad + 8, hdr, 3);
        aad[11] = (uint8_t)(n >> 8);
        aad[12] = (uint8_t)n;
        aad_len = 13;
    }
    EVP_CIPHER_CTX *ctx = c->ctx;
    int len = 0, fin = 0;
    if (EVP_DecryptInit_ex(ctx, NULL, NULL, NULL, nonce) != 1 ||
        EVP_DecryptUpdate(ctx, NULL, &len, aad, (int)aad_len) != 1 ||
        EVP_DecryptUpdate(ctx, out, &len, ct, (int)n) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, TLS_TAG_LEN, (void *)tag) != 1 ||
        EVP_DecryptFinal_ex(ctx, out + len, &fin) != 1)
        return -1;
    *out_len = (size_t)len + (size_t)fin;
    return 0;
}

void tls_cipher_free(tls_cipher_t *c)
{
    EVP_CIPHER_CTX_free(c->ctx);
    c->ctx = NULL;
    c->suite = NULL;
}
