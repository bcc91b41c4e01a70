/* Compile error messages: the reason, the expression, a caret under the
 * offending character; and the "did you mean" distance. */
#include <stdio.h>
#include <string.h>

#include "filter_internal.h"

/* Show at most this many bytes of a long expression around the error. */
#define WINDOW 76

typedef struct out {
    char *buf;
    size_t cap, len;
} out_t;

static void put(out_t *o, const char *s, size_t n)
{
    for (size_t i = 0; i < n && o->len + 1 < o->cap; i++)
        o->buf[o->len++] = s[i];
    o->buf[o->len] = '\0';
}

static bool utf8_cont(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

/* Columns count characters (UTF-8 code points), not bytes, so the caret
 * lines up in a terminal. */
static size_t chars(const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += !utf8_cont((unsigned char)s[i]);
    return k;
}

void snb_ferr_vformat(char *err, size_t errlen, const char *src, size_t srclen, size_t pos,
                      const char *fmt, va_list ap)
{
    if (!err || !errlen) return;
    if (pos > srclen) pos = srclen;
    out_t o = {err, errlen, 0};
    err[0] = '\0';
    char line[256];
    int n = snprintf(line, sizeof line, "column %zu: ", chars(src, pos) + 1);
    put(&o, line, (size_t)n);
    n = vsnprintf(line, sizeof line, fmt, ap);
    if (n < 0) n = 0;
    put(&o, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);

    size_t start = 0, end = srclen;
    if (srclen > WINDOW) {
        start = pos > WINDOW / 2 ? pos - WINDOW / 2 : 0;
        end = start + WINDOW < srclen ? start + WINDOW : srclen;
        if (end == srclen) start = srclen - WINDOW;
        /* Cut on character boundaries, but never past the error itself
         * (a run of stray continuation bytes has no boundary). */
        while (start > 0 && start < pos && utf8_cont((unsigned char)src[start]))
            start++;
        while (end < srclen && end > pos && utf8_cont((unsigned char)src[end]))
            end--;
    }
    put(&o, "\n  ", 3);
    size_t caret = 0;
    if (start > 0) {
        put(&o, "...", 3);
        caret = 3;
    }
    for (size_t i = start; i < end; i++) {
        /* Control characters (newlines, tabs) would break the three-line
         * layout or the caret alignment. */
        char c = (unsigned char)src[i] < 0x20 || src[i] == 0x7f ? ' ' : src[i];
        put(&o, &c, 1);
    }
    if (end < srclen) put(&o, "...", 3);
    caret += chars(src + start, pos - start);
    put(&o, "\n  ", 3);
    for (size_t i = 0; i < caret; i++)
        put(&o, " ", 1);
    put(&o, "^", 1);
}

void snb_ferr_format(char *err, size_t errlen, const char *src, size_t srclen, size_t pos,
                     const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    snb_ferr_vformat(err, errlen, src, srclen, pos, fmt, ap);
    va_end(ap);
}

static unsigned char lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

size_t snb_ferr_distance(const char *a, size_t alen, const char *b, size_t blen, size_t max)
{
    /* Names are short; longer ones can't be within max of a field anyway. */
    enum { CAP = 64 };
    if (alen > blen ? alen - blen > max : blen - alen > max) return max + 1;
    if (alen >= CAP || blen >= CAP) return max + 1;
    /* Three rows: i-2 (for swaps), i-1 and i. */
    size_t rows[3][CAP + 1];
    size_t *pp = rows[0], *prev = rows[1], *cur = rows[2];
    for (size_t j = 0; j <= blen; j++)
        prev[j] = j;
    for (size_t i = 1; i <= alen; i++) {
        cur[0] = i;
        unsigned char ca = lower((unsigned char)a[i - 1]);
        for (size_t j = 1; j <= blen; j++) {
            unsigned char cb = lower((unsigned char)b[j - 1]);
            size_t v = prev[j - 1] + (ca != cb);
            if (prev[j] + 1 < v) v = prev[j] + 1;
            if (cur[j - 1] + 1 < v) v = cur[j - 1] + 1;
            /* A swap of two neighbours counts as one edit ("sttae"). */
            if (i > 1 && j > 1 && ca == lower((unsigned char)b[j - 2]) &&
                lower((unsigned char)a[i - 2]) == cb && pp[j - 2] + 1 < v)
                v = pp[j - 2] + 1;
            cur[j] = v;
        }
        size_t *t = pp;
        pp = prev;
        prev = cur;
        cur = t;
    }
    return prev[blen] > max ? max + 1 : prev[blen];
}
