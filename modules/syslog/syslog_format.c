/* Writing RFC 5424 and RFC 3164 messages (see syslog_format.h). */
#include "syslog_format.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

typedef struct out {
    char *buf;
    size_t size, len;
} out_t;

static void put(out_t *o, char c)
{
    if (o->len + 1 < o->size) o->buf[o->len++] = c;
}

__attribute__((format(printf, 2, 3))) static void putf(out_t *o, const char *fmt, ...)
{
    if (o->len + 1 >= o->size) return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(o->buf + o->len, o->size - o->len, fmt, ap);
    va_end(ap);
    if (n > 0) o->len += (size_t)n < o->size - o->len ? (size_t)n : o->size - o->len - 1;
}

/* A header field: printable ASCII without spaces, at most max bytes, "-"
 * when empty (RFC 5424 NILVALUE). */
static void put_token(out_t *o, const char *s, size_t max)
{
    size_t n = 0;
    for (; s && *s && n < max; s++)
        if (*s > 32 && *s < 127) {
            put(o, *s);
            n++;
        }
    if (!n) put(o, '-');
}

static void put_text(out_t *o, const char *s)
{
    for (; s && *s; s++)
        put(o, (unsigned char)*s < 32 || *s == 127 ? ' ' : *s);
}

size_t syslog_format_5424(const syslog_msg_t *m, char *buf, size_t size)
{
    out_t o = {.buf = buf, .size = size};
    if (!size) return 0;
    time_t sec = (time_t)(m->ts_us / 1000000u);
    struct tm tm;
    gmtime_r(&sec, &tm);
    putf(&o, "<%d>1 %04d-%02d-%02dT%02d:%02d:%02d.%06uZ ", m->facility * 8 + m->severity,
         tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
         (unsigned)(m->ts_us % 1000000u));
    put_token(&o, m->hostname, 255);
    put(&o, ' ');
    put_token(&o, m->app_name, 48);
    putf(&o, " %ld ", m->procid);
    put_token(&o, m->msgid, 32);
    put(&o, ' ');
    if (!m->n_params) {
        put(&o, '-');
    } else {
        putf(&o, "[%s", SYSLOG_SD_ID);
        for (size_t i = 0; i < m->n_params; i++) {
            put(&o, ' ');
            size_t n = 0;
            for (const char *p = m->params[i].name; *p && n < 32; p++)
                if (*p > 32 && *p < 127 && *p != '=' && *p != ']' && *p != '"') {
                    put(&o, *p);
                    n++;
                }
            put(&o, '=');
            put(&o, '"');
            for (const char *p = m->params[i].value ? m->params[i].value : ""; *p; p++) {
                if (*p == '"' || *p == '\\' || *p == ']') put(&o, '\\');
                put(&o, (unsigned char)*p < 32 ? ' ' : *p);
            }
            put(&o, '"');
        }
        put(&o, ']');
    }
    if (m->text && *m->text) {
        put(&o, ' ');
        put_text(&o, m->text);
    }
    o.buf[o.len] = '\0';
    return o.len;
}

size_t syslog_format_3164(const syslog_msg_t *m, char *buf, size_t size)
{
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    out_t o = {.buf = buf, .size = size};
    if (!size) return 0;
    time_t sec = (time_t)(m->ts_us / 1000000u);
    struct tm tm;
    localtime_r(&sec, &tm); /* a local daemon reads local time */
    putf(&o, "<%d>%s %2d %02d:%02d:%02d ", m->facility * 8 + m->severity, months[tm.tm_mon],
         tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    put_token(&o, m->app_name, 32);
    putf(&o, "[%ld]: ", m->procid);
    put_text(&o, m->text);
    o.buf[o.len] = '\0';
    return o.len;
}

int syslog_facility(const char *name)
{
    static const struct {
        const char *name;
        int code;
    } facilities[] = {{"kern", 0},    {"user", 1},    {"mail", 2},      {"daemon", 3},
                      {"auth", 4},    {"syslog", 5},  {"lpr", 6},       {"news", 7},
                      {"uucp", 8},    {"cron", 9},    {"authpriv", 10}, {"ftp", 11},
                      {"local0", 16}, {"local1", 17}, {"local2", 18},   {"local3", 19},
                      {"local4", 20}, {"local5", 21}, {"local6", 22},   {"local7", 23}};
    for (size_t i = 0; name && i < sizeof facilities / sizeof *facilities; i++)
        if (!strcasecmp(name, facilities[i].name)) return facilities[i].code;
    return -1;
}
