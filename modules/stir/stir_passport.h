/* A PASSporT (RFC 8225, SHAKEN RFC 8588, div RFC 8946): the JWS header
 * and claims decoded from base64url JSON, or rebuilt from SIP for the
 * compact form (RFC 8225 §9 canonical JSON). Plain data, copyable. */
#ifndef STIR_PASSPORT_H
#define STIR_PASSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stir_identity.h"
#include "stir_tn.h"

#define STIR_PASSPORT_MAX_JSON 8192 /* decoded header or claims */
#define STIR_MAX_DEST 8             /* dest.tn values kept */
#define STIR_URL_MAX 512
#define STIR_SIG_LEN 64 /* ES256: raw R||S */

typedef struct stir_passport {
    /* header */
    char alg[16], typ[32], ppt[16];
    char x5u[STIR_URL_MAX];
    bool has_alg, has_typ, has_ppt, has_x5u;
    /* claims, as transmitted (TNs not yet canonical) */
    char attest[8];
    char orig_tn[64];
    char dest_tn[STIR_MAX_DEST][64];
    unsigned n_dest;
    char div_tn[64];
    char origid[128];
    int64_t iat;
    bool has_attest, has_orig, has_div, has_origid, has_iat;
    unsigned char sig[STIR_SIG_LEN];
} stir_passport_t;

/* Full form: decode header, claims and signature. False when one of them
 * is not base64url, not a JSON object, too big, or the signature is not 64
 * bytes (malformed_identity). */
bool stir_passport_decode(const stir_identity_t *id, stir_passport_t *out);

/* Compact form: the signature from the Identity, and the header and claims
 * rebuilt from SIP: x5u = info, ppt from the parameter, iat = Date, orig =
 * orig_tn, dest = [dest_tn] (canonical digits). The canonical signing input
 * "b64url(header).b64url(claims)" goes to input (NUL-terminated). False when
 * something is missing or does not fit (malformed_identity). */
bool stir_passport_rebuild(const stir_identity_t *id, const char *orig_tn, const char *dest_tn,
                           int64_t date, stir_passport_t *out, char *input, size_t input_size);

#endif
