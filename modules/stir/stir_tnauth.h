/* The TNAuthList certificate extension (RFC 8226 §9, OID
 * 1.3.6.1.5.5.7.1.26), which OpenSSL does not decode:
 *   TNAuthorizationList ::= SEQUENCE SIZE (1..MAX) OF TNEntry
 *   TNEntry ::= CHOICE { spc [0] ServiceProviderCode (IA5String),
 *                        range [1] TelephoneNumberRange, one [2] TelephoneNumber }
 * with EXPLICIT tags (the RFC's module). */
#ifndef STIR_TNAUTH_H
#define STIR_TNAUTH_H

#include <stdbool.h>
#include <stddef.h>

#define STIR_SPC_MAX 32

/* The first SPC of the DER-encoded list, into spc (NUL-terminated, "" when
 * the list has only TN entries). False when the DER is not such a list. */
bool stir_tnauth_spc(const unsigned char *der, size_t len, char spc[STIR_SPC_MAX]);

#endif
