/* User-Agent signatures of scanning and cracking tools: a built-in list
 * (SIPVicious's friendly-scanner, sipcli, sundayddr, ...) plus the
 * operator's own regular expression (--kill-ua), one PCRE2 pattern,
 * case-insensitive, with match and depth limits so a hostile header cannot
 * make matching slow. */
#ifndef SEC_UA_H
#define SEC_UA_H

#include <stdbool.h>
#include <stddef.h>

typedef struct sec_ua sec_ua_t;

/* The built-in alternatives, as a PCRE2 pattern (documented). */
extern const char sec_ua_builtin[];

/* extra: the operator's pattern, or NULL/"" for none; builtin: include
 * the built-in list. NULL on a bad pattern, with the reason (and offset)
 * in err; a matcher that matches nothing when there is no pattern at all. */
sec_ua_t *sec_ua_new(const char *extra, bool builtin, char *err, size_t err_len);
void sec_ua_free(sec_ua_t *u);
/* Does this User-Agent value match? Looks at its first 256 bytes. */
bool sec_ua_match(sec_ua_t *u, const char *ua, size_t len);

#endif
