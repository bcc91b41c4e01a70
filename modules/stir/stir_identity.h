/* The Identity header (RFC 8224 §4):
 *   Identity: <jws>;info=<URL>;alg=ES256;ppt=shaken
 * where jws is b64url(header).b64url(claims).b64url(signature) (full form)
 * or ..b64url(signature) (compact form, RFC 8224 §5.2.1). Slices point
 * into the header value. */
#ifndef STIR_IDENTITY_H
#define STIR_IDENTITY_H

#include <stdbool.h>
#include <stddef.h>

#include "sipnab/str.h"

#define STIR_IDENTITY_MAX_LEN 16384 /* a SHAKEN Identity is ~700 bytes; room for rcd */

typedef struct stir_identity {
    snb_str_t header_b64, claims_b64, sig_b64; /* header/claims empty in compact form */
    snb_str_t signing_input;                   /* "header.claims" as received */
    bool compact;
    snb_str_t info; /* without its angle brackets; p NULL when absent */
    snb_str_t alg;  /* the alg parameter, unquoted; p NULL when absent */
    snb_str_t ppt;  /* the ppt parameter, unquoted; p NULL when absent */
} stir_identity_t;

/* False when the value is not an Identity: too long, not three dot-parts,
 * a character outside base64url in the token, a part empty that must not
 * be. Unknown parameters are ignored. */
bool stir_identity_parse(snb_str_t value, stir_identity_t *out);

#endif
