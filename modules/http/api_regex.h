/* A bounded PCRE2 regex for patterns that come from a client (REST
 * /v1/dialogs?from=, MCP search_messages): each match is capped by a match
 * limit, a depth limit and a heap limit, and a pattern that keeps hitting
 * them is reported as too expensive so the caller can stop scanning. Pure. */
#ifndef SNB_API_REGEX_H
#define SNB_API_REGEX_H

#include <stdbool.h>
#include <stddef.h>

#define API_REGEX_MATCH_LIMIT 100000
#define API_REGEX_DEPTH_LIMIT 10000
#define API_REGEX_HEAP_LIMIT_KIB 8192
/* A pattern that hits its match limit costs ~2 ms per subject; over 100 000
 * dialogs that is minutes of CPU per request. Past this many hits in one
 * request it is refused instead. */
#define API_REGEX_LIMIT_HITS_MAX 64

typedef struct api_regex api_regex_t;

/* NULL when the pattern does not compile ("at offset N: reason" in err) or
 * without memory ("out of memory"). */
api_regex_t *api_regex_compile(const char *pattern, char *err, size_t errlen);
/* Whether subject matches; a match that hits a limit counts as no match
 * (and as one hit toward api_regex_too_expensive). */
bool api_regex_match(api_regex_t *re, const char *subject, size_t len);
/* More than API_REGEX_LIMIT_HITS_MAX matches hit a limit: stop scanning. */
bool api_regex_too_expensive(const api_regex_t *re);
void api_regex_free(api_regex_t *re);

#endif
