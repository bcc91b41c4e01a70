/* Telephone numbers as STIR compares them (RFC 8224 §8.3): the user part
 * of a sip:/sips: URI or the number of a tel: URI, cut at the first ';',
 * without '+' and the visual separators - . ( ), all digits. */
#ifndef STIR_TN_H
#define STIR_TN_H

#include <stdbool.h>
#include <stddef.h>

#define STIR_TN_MAX 32 /* E.164 has at most 15 digits; room for odd national plans */

/* Canonical digits of a TN as a PASSporT writes it ("+1-202-555-0142").
 * False (out = "") when it is not a number. */
bool stir_tn_canon(const char *tn, size_t len, char out[STIR_TN_MAX]);

/* The TN of a URI ("sip:+12025550142;verstat=X@host;user=phone",
 * "tel:+1-202-555-0142;verstat=X"). False when the URI has none
 * ("sip:anonymous@anonymous.invalid"). */
bool stir_tn_of_uri(const char *uri, size_t len, char out[STIR_TN_MAX]);

/* The verstat parameter of such a URI (tel parameter, or a parameter in
 * the userinfo of a SIP URI), copied into out; false when absent. */
bool stir_tn_verstat(const char *uri, size_t len, char *out, size_t size);

#endif
