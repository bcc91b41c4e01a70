/* TLS key derivation through OpenSSL's EVP_KDF (see tls_kdf.h). */
#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <string.h>

#include "tls_kdf.h"

static char *digest_name(tls_hash_t hash)
{
    return hash == TLS_HASH_SHA384 ? "SHA384" : "SHA256";
}

/* One EVP_KDF derivation with the given parameters. */
static int kdf_derive(const char *kdf_name, OSSL_PARAM *params, uint8_t *out, size_t out_len)
{
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, kdf_name, NULL);
    EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
    int rc = ctx && EVP_KDF_derive(ctx, out, out_len, params) > 0 ? 0 : -1;
    EVP_KDF_CTX_free(ctx);
    EVP_KDF_free(kdf);
    return rc;
}

int tls12_prf(tls_hash_t hash, const uint8_t *secret, size_t secret_len, const char *label,
              const uint8_t *seed, size_t seed_len, uint8_t *out, size_t out_len)
{
    /* Several seed parameters are concatenated: label, then seed. */
    OSSL_PARAM params[] = {
        OSSL_PARAM_utf8_string(OSSL_KDF_PARAM_DIGEST, digest_name(hash), 0),
        OSSL_PARAM_octet_string(OSSL_KDF_PARAM_SECRET, (void *)secret, secret_len),
        OSSL_PARAM_octet_string(OSSL_KDF_PARAM_SEED, (void *)label, strlen(label)),
        OSSL_PARAM_octet_string(OSSL_KDF_PARAM_SEED, (void *)seed, seed_len),
        OSSL_PARAM_END,
    };
    return kdf_derive("TLS1-PRF", params, out, out_len);
}

int tls12_keys(const tls_suite_t *suite, const uint8_t master[TLS_MASTER_LEN],
               const uint8_t client_random[TLS_RANDOM_LEN],
               const uint8_t server_random[TLS_RANDOM_LEN], tls_keys_t *client, tls_keys_t *server)
{
    uint8_t seed[2 * TLS_RANDOM_LEN];
    memcpy(seed, server_random, TLS_RANDOM_LEN);
    memcpy(seed + TLS_RANDOM_LEN, client_random, TLS_RANDOM_LEN);
    /* AEAD suites have no MAC keys: client key, server key, client IV, server IV. */
    uint8_t block[2 * 32 + 2 * 12];
    size_t k = suite->key_len, v = suite->fixed_iv;
    if (tls12_prf(suite->hash, master, TLS_MASTER_LEN, "key expansion", seed, sizeof seed, block,
                  2 * k + 2 * v) != 0)
        return -1;
    memset(client, 0, sizeof *client);
    memset(server, 0, sizeof *server);
    memcpy(client->key, block, k);
    memcpy(server->key, block + k, k);
    memcpy(client->iv, block + 2 * k, v);
    memcpy(server->iv, block + 2 * k + v, v);
    return 0;
}

int tls13_expand_label(tls_hash_t hash, const uint8_t *secret, size_t secret_len, const char *label,
                       const uint8_t *context, size_t context_len, uint8_t *out, size_t out_len)
{
    /* struct { uint16 length; opaque label<7..255>; opaque context<0..255>; } */
    uint8_t info[2 + 1 + 255 + 1 + 255];
    size_t label_len = 6 + strlen(label);
    if (label_len > 255 || context_len > 255 || out_len > 0xffff) return -1;
    size_t n = 0;
    info[n++] = (uint8_t)(out_len >> 8);
    info[n++] = (uint8_t)out_len;
    info[n++] = (uint8_t)label_len;
    memcpy(info + n, "tls13 ", 6);
    memcpy(info + n + 6, label, label_len - 6);
    n += label_len;
    info[n++] = (uint8_t)context_len;
    if (context_len) memcpy(info + n, context, context_len);
    n += context_len;
    int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
    OSSL_PARAM params[] = {
        OSSL_PARAM_int(OSSL_KDF_PARAM_MODE, &mode),
        OSSL_PARAM_utf8_string(OSSL_KDF_PARAM_DIGEST, digest_name(hash), 0),
        OSSL_PARAM_octet_string(OSSL_KDF_PARAM_KEY, (void *)secret, secret_len),
        OSSL_PARAM_octet_string(OSSL_KDF_PARAM_INFO, info, n),
        OSSL_PARAM_END,
    };
    return kdf_derive("HKDF", params, out, out_len);
}

int tls13_keys(const tls_suite_t *suite, const uint8_t *secret, tls_keys_t *keys)
{
    size_t hl = tls_hash_len(suite->hash);
    memset(keys, 0, sizeof *keys);
    if (tls13_expand_label(suite->hash, secret, hl, "key", NULL, 0, keys->key, suite->key_len) ||
        tls13_expand_label(suite->hash, secret, hl, "iv", NULL, 0, keys->iv, 12))
        return -1;
    return 0;
}

int tls13_update_secret(const tls_suite_t *suite, uint8_t *secret)
{
    uint8_t next[TLS_MAX_SECRET];
    size_t hl = tls_hash_len(suite->hash);
    if (tls13_expand_label(suite->hash, secret, hl, "traffic upd", NULL, 0, next, hl)) return -1;
    memcpy(secret, next, hl);
    return 0;
}
