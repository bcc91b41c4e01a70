/* base64url without padding (RFC 4648 §5), as JWS uses it (RFC 7515 §2). */
#ifndef STIR_B64URL_H
#define STIR_B64URL_H

#include <stddef.h>

/* Decode len characters into out (room for cap bytes). Trailing '=' are
 * tolerated; any other character outside the alphabet fails. Returns the
 * decoded length, or -1 (bad input or out too small). */
long stir_b64url_decode(const char *in, size_t len, unsigned char *out, size_t cap);

/* Encode into out (cap bytes, the NUL included). Returns the length, or -1. */
long stir_b64url_encode(const unsigned char *in, size_t len, char *out, size_t cap);

#endif
