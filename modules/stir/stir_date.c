/* See stir_date.h. Parsed by hand (no strptime locale, no timegm of a
 * struct tm with unchecked fields): days from the civil date. */
#include "stir_date.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static bool number(const char **p, const char *end, unsigned digits_min, unsigned digits_max,
                   unsigned *out)
{
    unsigned v = 0, n = 0;
    while (*p < end && isdigit((unsigned char)**p) && n < digits_max) {
        v = v * 10 + (unsigned)(**p - '0');
        (*p)++;
        n++;
    }
    *out = v;
    return n >= digits_min;
}

static void spaces(const char **p, const char *end)
{
    while (*p < end && (**p == ' ' || **p == '\t'))
        (*p)++;
}

bool stir_date_parse(const char *text, size_t len, int64_t *out)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    const char *p = text, *end = text + len;
    spaces(&p, end);
    const char *comma = memchr(p, ',', (size_t)(end - p));
    if (comma) p = comma + 1; /* the weekday is redundant */
    spaces(&p, end);
    unsigned day, year, hh, mm, ss, month = 0;
    if (!number(&p, end, 1, 2, &day)) return false;
    spaces(&p, end);
    if (end - p < 3) return false;
    for (unsigned i = 0; i < 12; i++)
        if (!strncasecmp(p, months + 3 * i, 3)) month = i + 1;
    if (!month) return false;
    p += 3;
    spaces(&p, end);
    if (!number(&p, end, 4, 4, &year)) return false;
    spaces(&p, end);
    if (!number(&p, end, 2, 2, &hh) || p >= end || *p++ != ':') return false;
    if (!number(&p, end, 2, 2, &mm) || p >= end || *p++ != ':') return false;
    if (!number(&p, end, 2, 2, &ss)) return false;
    if (day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60) return false;
    spaces(&p, end);
    if (end - p < 3 || strncasecmp(p, "GMT", 3)) return false;
    *out = days_from_civil(year, month, day) * 86400 + hh * 3600 + mm * 60 + ss;
    return true;
}
