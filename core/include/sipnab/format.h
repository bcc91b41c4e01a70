/* Text forms every output needs: UTC timestamps with microseconds and
 * addresses. Header-only, so pure module libraries use them without linking
 * the core; one place, so every output prints times and addresses alike. */
#ifndef SIPNAB_FORMAT_H
#define SIPNAB_FORMAT_H

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "sipnab/packet.h"

/* "2005-07-04T09:32:20.839312Z" (iso) or "2005-07-04 09:32:20.839312". */
static inline char *snb_format_utc(uint64_t ts_us, bool iso, char *buf, size_t len)
{
    time_t secs = (time_t)(ts_us / 1000000u);
    struct tm tm;
    gmtime_r(&secs, &tm);
    char day[32];
    strftime(day, sizeof day, iso ? "%Y-%m-%dT%H:%M:%S" : "%Y-%m-%d %H:%M:%S", &tm);
    snprintf(buf, len, "%s.%06u%s", day, (unsigned)(ts_us % 1000000u), iso ? "Z" : "");
    return buf;
}

/* "192.168.1.2" / "2001:db8::1"; "" when the family is unknown. */
static inline char *snb_format_addr(const snb_addr_t *a, char *buf, size_t len)
{
    buf[0] = '\0';
    if (a->family == 4 || a->family == 6)
        inet_ntop(a->family == 4 ? AF_INET : AF_INET6, a->a, buf, (socklen_t)len);
    return buf;
}

/* "192.168.1.2:5060" / "[2001:db8::1]:5060". */
static inline char *snb_format_endpoint(const snb_addr_t *a, uint16_t port, char *buf, size_t len)
{
    char ip[64];
    snb_format_addr(a, ip, sizeof ip);
    snprintf(buf, len, a->family == 6 ? "[%s]:%u" : "%s:%u", ip, port);
    return buf;
}

/* Text from a capture (a From display name, a User-Agent, a request line)
 * written into Markdown: every character GFM would read as markup or HTML
 * (`francisco <francisco>` would lose its `<francisco>` as a tag) is
 * escaped, and line breaks become spaces, so it shows as it was sent. */
static inline void snb_format_md(FILE *out, const char *text)
{
    for (const char *p = text ? text : ""; *p; p++) {
        switch (*p) {
        case '&':
            fputs("&amp;", out);
            break;
        case '\\':
        case '`':
        case '*':
        case '_':
        case '[':
        case ']':
        case '<':
        case '>':
        case '|':
        case '#':
        case '~':
        case '!':
            fputc('\\', out);
            fputc(*p, out);
            break;
        case '\n':
        case '\r':
            fputc(' ', out);
            break;
        default:
            fputc(*p, out);
        }
    }
}

#endif
