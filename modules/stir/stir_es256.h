/* ES256 (RFC 7518 §3.4): ECDSA P-256 with SHA-256, the signature sent as
 * raw R||S (32 + 32 bytes). OpenSSL verifies DER ECDSA-Sig-Value, so R and
 * S are converted first. */
#ifndef STIR_ES256_H
#define STIR_ES256_H

#include <openssl/evp.h>
#include <stdbool.h>
#include <stddef.h>

/* True when sig (64 bytes) signs data with key (a P-256 public key). */
bool stir_es256_verify(EVP_PKEY *key, const void *data, size_t len, const unsigned char sig[64]);

/* Sign (tests and fixtures): raw R||S into sig. */
bool stir_es256_sign(EVP_PKEY *key, const void *data, size_t len, unsigned char sig[64]);

#endif
