/* Dialled numbers, for toll fraud: is a number international (+CC or
 * 00CC) to one of the configured country/network codes (premium,
 * satellite and high-risk ranges), and is it the next number of a run
 * (+252901234500, ...501, ...502: a reseller testing a block)? */
#ifndef SEC_NUMBER_H
#define SEC_NUMBER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The default prefix list (digits after the international prefix). */
extern const char *const sec_default_toll_prefixes[];

/* The digits of a dialled number after "+" or "00" (visual separators
 * "-", ".", " ", "(", ")" skipped), in out (NUL-terminated); false when the
 * user part is not an international number. */
bool sec_number_international(const char *user, size_t len, char *out, size_t out_len);
/* Does the international number (digits) start with one of prefixes? A
 * prefix may be written "+882", "00882" or "882". */
bool sec_number_premium(const char *digits, const char *const *prefixes, size_t n);
/* The whole user part as a number when it is 7 to 18 digits (after an
 * optional "+"), for runs; false otherwise (extensions, names). */
bool sec_number_value(const char *user, size_t len, uint64_t *value);

#endif
