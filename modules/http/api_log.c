/* Rate-limited log of remote origin (see api_log.h). One bucket of the
 * shared rate limiter, keyed by no address: the limit is on what we write,
 * whoever causes it. */
#include <stdlib.h>
#include <string.h>

#include "api_log.h"
#include "sipnab/ratelimit.h"

struct api_log {
    FILE *out;
    snb_ratelimit_t *limit;
    uint64_t suppressed;
};

static const snb_addr_t any_source; /* every line charges the same bucket */

api_log_t *api_log_new(FILE *out, uint32_t per_second)
{
    api_log_t *l = calloc(1, sizeof *l);
    if (!l) return NULL;
    l->out = out;
    l->limit = snb_ratelimit_new(per_second, 0, 4);
    if (!l->limit) {
        free(l);
        return NULL;
    }
    return l;
}

void api_log_free(api_log_t *l)
{
    if (!l) return;
    snb_ratelimit_free(l->limit);
    free(l);
}

static void say_suppressed(api_log_t *l)
{
    fprintf(l->out, "sipnab-api: %llu log lines caused by clients were suppressed (rate limit)\n",
            (unsigned long long)l->suppressed);
    l->suppressed = 0;
}

void api_log_remote(api_log_t *l, uint64_t now_us, const char *fmt, va_list ap)
{
    if (!snb_ratelimit_allow(l->limit, &any_source, now_us)) {
        l->suppressed++;
        return;
    }
    if (l->suppressed) say_suppressed(l);
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n && msg[n - 1] == '\n')
        msg[--n] = '\0';
    fprintf(l->out, "sipnab-api: %s\n", msg);
    fflush(l->out);
}

void api_log_flush(api_log_t *l, uint64_t now_us)
{
    if (!l->suppressed || !snb_ratelimit_allow(l->limit, &any_source, now_us)) return;
    say_suppressed(l);
    fflush(l->out);
}

uint64_t api_log_suppressed(const api_log_t *l)
{
    return l->suppressed;
}
