/* Logging to stderr; the level lives in the core context. */
#include <stdarg.h>
#include <stdio.h>

#include "core_internal.h"
#include "sipnab/log.h"

void snb_log(const snb_core_t *core, snb_log_level_t level, const char *who, const char *fmt, ...)
{
    snb_log_level_t max = core ? core->log_level : SNB_LOG_INFO;
    if (level > max) return;
    /* One write per line so lines from the API child and the parent do not interleave. */
    char line[2048];
    int n = snprintf(line, sizeof line, "%s: ", who ? who : "sipnab");
    va_list ap;
    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < sizeof line) vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s\n", line);
}
