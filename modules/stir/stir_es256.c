/* See stir_es256.h. */
#include "stir_es256.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/obj_mac.h>
#include <string.h>

static bool is_p256(EVP_PKEY *key)
{
    char group[64];
    size_t n = 0;
    return EVP_PKEY_get_base_id(key) == EVP_PKEY_EC &&
           EVP_PKEY_get_utf8_string_param(key, "group", group, sizeof group, &n) &&
           (!strcmp(group, "prime256v1") || !strcmp(group, "P-256"));
}

bool stir_es256_verify(EVP_PKEY *key, const void *data, size_t len, const unsigned char sig[64])
{
    if (!key || !is_p256(key)) return false;
    ECDSA_SIG *es = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(sig, 32, NULL), *s = BN_bin2bn(sig + 32, 32, NULL);
    unsigned char *der = NULL;
    int der_len = -1;
    if (es && r && s && ECDSA_SIG_set0(es, r, s)) {
        r = s = NULL; /* owned by es now */
        der_len = i2d_ECDSA_SIG(es, &der);
    }
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(es);
    bool ok = false;
    EVP_MD_CTX *md = der_len > 0 ? EVP_MD_CTX_new() : NULL;
    if (md && EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key) == 1)
        ok = EVP_DigestVerify(md, der, (size_t)der_len, data, len) == 1;
    EVP_MD_CTX_free(md);
    OPENSSL_free(der);
    return ok;
}

bool stir_es256_sign(EVP_PKEY *key, const void *data, size_t len, unsigned char sig[64])
{
    if (!key || !is_p256(key)) return false;
    unsigned char der[80];
    size_t der_len = sizeof der;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    bool ok = md && EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
              EVP_DigestSign(md, der, &der_len, data, len) == 1;
    EVP_MD_CTX_free(md);
    if (!ok) return false;
    const unsigned char *p = der;
    ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
    if (!es) return false;
    const BIGNUM *r, *s;
    ECDSA_SIG_get0(es, &r, &s);
    ok = BN_bn2binpad(r, sig, 32) == 32 && BN_bn2binpad(s, sig + 32, 32) == 32;
    ECDSA_SIG_free(es);
    return ok;
}
