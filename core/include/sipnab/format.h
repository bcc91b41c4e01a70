/* Text forms every output needs: UTC timestamps with microseconds and
 * addresses. Header-only, so pure module libraries use them without linking
 * the core; one place, so every output prints times and addresses alike. */
#ifndef SIPNAB_FORMAT_H
#define SIPNAB_FORMAT_H

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sipnab/packet.h"

/* Digits of v, width of them (leading zeros); past the last. */
static inline char *snb_format_digits(char *p, unsigned v, int width)
{
    for (int i = width - 1; i >= 0; i--, v /= 10)
        p[i] = (char)('0' + v % 10);
    return p + width;
}

/* The decimal digits of v written so they end just before `end`; their
 * start ("%llu" without snprintf's format parsing). Room: 20 bytes. */
static inline char *snb_format_uint(uint64_t v, char *end)
{
    char *p = end;
    do
        *--p = (char)('0' + v % 10);
    while (v /= 10);
    return p;
}

/* Copy n bytes of text into buf of len as snprintf would (truncated, NUL). */
static inline char *snb_format_copy(char *buf, size_t len, const char *text, size_t n)
{
    if (!len) return buf;
    if (n >= len) n = len - 1;
    memcpy(buf, text, n);
    buf[n] = '\0';
    return buf;
}

/* "2005-07-04T09:32:20.839312Z" (iso) or "2005-07-04 09:32:20.839312".
 * Every message of every output prints one: arithmetic (the civil date of a
 * day number, H. Hinnant's algorithm) instead of gmtime_r, which takes the
 * time-zone lock, and strftime and snprintf, which parse formats; the feed
 * to the API process spent 6 % of its time here. */
static inline char *snb_format_utc(uint64_t ts_us, bool iso, char *buf, size_t len)
{
    uint64_t secs = ts_us / 1000000u;
    unsigned sod = (unsigned)(secs % 86400u);
    uint64_t z = secs / 86400u + 719468u; /* days since 0000-03-01 */
    uint64_t era = z / 146097u;
    unsigned doe = (unsigned)(z - era * 146097u);
    unsigned yoe = (doe - doe / 1460u + doe / 36524u - doe / 146096u) / 365u;
    unsigned doy = doe - (365u * yoe + yoe / 4u - yoe / 100u);
    unsigned mp = (5u * doy + 2u) / 153u;
    unsigned day = doy - (153u * mp + 2u) / 5u + 1u;
    unsigned month = mp < 10u ? mp + 3u : mp - 9u;
    uint64_t year = era * 400u + yoe + (month <= 2u);
    char t[48], *p = t, yd[24];
    int n = 0;
    do
        yd[n++] = (char)('0' + year % 10u);
    while ((year /= 10u) && n < 20);
    while (n < 4)
        yd[n++] = '0';
    while (n)
        *p++ = yd[--n];
    *p++ = '-';
    p = snb_format_digits(p, month, 2);
    *p++ = '-';
    p = snb_format_digits(p, day, 2);
    *p++ = iso ? 'T' : ' ';
    p = snb_format_digits(p, sod / 3600u, 2);
    *p++ = ':';
    p = snb_format_digits(p, sod / 60u % 60u, 2);
    *p++ = ':';
    p = snb_format_digits(p, sod % 60u, 2);
    *p++ = '.';
    p = snb_format_digits(p, (unsigned)(ts_us % 1000000u), 6);
    if (iso) *p++ = 'Z';
    return snb_format_copy(buf, len, t, (size_t)(p - t));
}

/* "192.168.1.2" / "2001:db8::1"; "" when the family is unknown. IPv4, by
 * far the common case, without inet_ntop (which goes through sprintf). */
static inline char *snb_format_addr(const snb_addr_t *a, char *buf, size_t len)
{
    if (len) buf[0] = '\0';
    if (a->family == 4) {
        char t[16], *p = t;
        for (int i = 0; i < 4; i++) {
            unsigned v = a->a[i];
            if (i) *p++ = '.';
            if (v >= 100) *p++ = (char)('0' + v / 100);
            if (v >= 10) *p++ = (char)('0' + v / 10 % 10);
            *p++ = (char)('0' + v % 10);
        }
        return snb_format_copy(buf, len, t, (size_t)(p - t));
    }
    if (a->family == 6) inet_ntop(AF_INET6, a->a, buf, (socklen_t)len);
    return buf;
}

/* "192.168.1.2:5060" / "[2001:db8::1]:5060". */
static inline char *snb_format_endpoint(const snb_addr_t *a, uint16_t port, char *buf, size_t len)
{
    char t[80], *p = t;
    if (a->family == 6) *p++ = '[';
    snb_format_addr(a, p, 64);
    p += strlen(p);
    if (a->family == 6) *p++ = ']';
    *p++ = ':';
    char digits[8], *end = digits + sizeof digits, *d = snb_format_uint(port, end);
    memcpy(p, d, (size_t)(end - d));
    p += end - d;
    return snb_format_copy(buf, len, t, (size_t)(p - t));
}

/* A duration in microseconds as seconds with three decimals, exactly what
 * snprintf("%.3f", us / 1e6) writes (the call report's ladder prints one a
 * line). Integer rounding agrees with it except where the value sits on a
 * half millisecond or is too large for a double to hold to the
 * microsecond: those go to snprintf. */
static inline char *snb_format_secs3(uint64_t us, char *buf, size_t len)
{
    if (us % 1000u == 500u || us >= (1ull << 52)) {
        snprintf(buf, len, "%.3f", (double)us / 1e6);
        return buf;
    }
    uint64_t ms = (us + 500u) / 1000u;
    char t[32], *end = t + sizeof t, *p = end - 3;
    snb_format_digits(p, (unsigned)(ms % 1000u), 3);
    *--p = '.';
    p = snb_format_uint(ms / 1000u, p);
    return snb_format_copy(buf, len, p, (size_t)(end - p));
}

/* Text from a capture (a From display name, a User-Agent, a request line)
 * written into Markdown: every character GFM would read as markup or HTML
 * (`francisco <francisco>` would lose its `<francisco>` as a tag) is
 * escaped, and line breaks become spaces, so it shows as it was sent. */
static inline void snb_format_md(FILE *out, const char *text)
{
    static const char markup[] = "&\\`*_[]<>|#~!\n\r";
    if (!text) return;
    size_t plain = strcspn(text, markup);
    if (!text[plain]) { /* the usual case: nothing to escape */
        fwrite(text, 1, plain, out);
        return;
    }
    for (const char *p = text; *p; p++) {
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
