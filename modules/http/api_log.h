/* Log lines a remote client can cause (a malformed request, a TLS error):
 * rate limited, so an unauthenticated client cannot flood the journal. What
 * is held back is counted and said in one line once lines flow again (or
 * at the next api_log_flush). Pure: the clock is the caller's, the lines go
 * to a FILE. */
#ifndef SNB_API_LOG_H
#define SNB_API_LOG_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

typedef struct api_log api_log_t;

/* At most per_second lines a second (burst: one second's worth), to out. */
api_log_t *api_log_new(FILE *out, uint32_t per_second);
void api_log_free(api_log_t *l);
/* One line "sipnab-api: <text>" (trailing newlines trimmed), or counted. */
__attribute__((format(printf, 3, 0))) void api_log_remote(api_log_t *l, uint64_t now_us,
                                                          const char *fmt, va_list ap);
/* Say how many lines were held back since the last time, if any and if
 * the limit lets a line through now. */
void api_log_flush(api_log_t *l, uint64_t now_us);
/* Lines held back and not yet reported. */
uint64_t api_log_suppressed(const api_log_t *l);

#endif
