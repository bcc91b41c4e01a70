/* The SIP Date header (RFC 3261 §20.17, RFC 1123 form, always GMT):
 * "Wed, 18 Nov 2026 14:21:13 GMT". The compact form's iat is this date
 * (RFC 8224 §5.2.1). */
#ifndef STIR_DATE_H
#define STIR_DATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Seconds since the epoch; false when the text is not such a date. */
bool stir_date_parse(const char *text, size_t len, int64_t *out);

#endif
