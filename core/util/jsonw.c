/* See sipnab/jsonw.h. The escapes are jansson 2.14's dump_string(): \" \\
 * \b \f \n \r \t, \u00XX (upper-case hex) for the other bytes below 0x20,
 * and with ascii every code point above 0x7F as \uXXXX, a surrogate pair
 * above 0xFFFF. UTF-8 is checked as utf8_check_string() does: no
 * continuation byte first, no overlong form, no surrogate, nothing above
 * U+10FFFF. */
#include "sipnab/jsonw.h"

#include "sipnab/format.h"

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void snb_jsonw_init(snb_jsonw_t *w, bool ascii)
{
    memset(w, 0, sizeof *w);
    w->ascii = ascii;
}

void snb_jsonw_reset(snb_jsonw_t *w)
{
    w->len = 0;
    if (w->p) w->p[0] = '\0';
    w->failed = false;
    w->depth = 0;
    w->members = 0;
}

void snb_jsonw_free(snb_jsonw_t *w)
{
    free(w->p);
    snb_jsonw_init(w, w->ascii);
}

/* reserve's path when the room is not there (or the writer failed). */
static bool grow(snb_jsonw_t *w, size_t need)
{
    if (w->failed) return false;
    size_t cap = w->cap ? w->cap : 1024;
    while (cap < w->len + need + 1) {
        if (cap > SIZE_MAX / 2 || need > SIZE_MAX / 4) return !(w->failed = true);
        cap *= 2;
    }
    char *p = realloc(w->p, cap);
    if (!p) return !(w->failed = true);
    w->p = p;
    w->cap = cap;
    return true;
}

/* Room for need more bytes and the NUL; false (and failed) if none. Each
 * public call reserves its worst case once and then writes without checks.
 * Inline: every member asks, and the room is nearly always there. */
static inline bool reserve(snb_jsonw_t *w, size_t need)
{
    if (__builtin_expect(!w->failed && need < SIZE_MAX / 4 && w->len + need + 1 <= w->cap, 1))
        return true;
    return grow(w, need);
}

/* The most bytes a string of n bytes takes quoted: 6 per byte (\u00XX), and
 * a 4-byte sequence's surrogate pair is 12. */
static size_t string_room(size_t n)
{
    return n > SIZE_MAX / 8 ? SIZE_MAX / 2 : 6 * n + 2;
}

/* n bytes into reserved room. Keys, numbers and most values are short:
 * two overlapping loads and stores copy 4 to 16 bytes without a call to
 * memcpy (each reads and writes only inside [0, n)). */
static inline void raw(snb_jsonw_t *w, const char *s, size_t n)
{
    char *d = w->p + w->len;
    if (n >= 8 && n <= 16) {
        uint64_t a, b;
        memcpy(&a, s, 8);
        memcpy(&b, s + n - 8, 8);
        memcpy(d, &a, 8);
        memcpy(d + n - 8, &b, 8);
    } else if (n >= 4 && n < 8) {
        uint32_t a, b;
        memcpy(&a, s, 4);
        memcpy(&b, s + n - 4, 4);
        memcpy(d, &a, 4);
        memcpy(d + n - 4, &b, 4);
    } else if (n < 4) {
        for (size_t i = 0; i < n; i++)
            d[i] = s[i];
    } else {
        memcpy(d, s, n);
    }
    w->len += n;
}

static inline void raw_c(snb_jsonw_t *w, char c)
{
    w->p[w->len++] = c;
}

static void raw_u(snb_jsonw_t *w, unsigned v)
{
    static const char hex[] = "0123456789ABCDEF";
    char *e = w->p + w->len;
    e[0] = '\\';
    e[1] = 'u';
    e[2] = hex[v >> 12 & 15];
    e[3] = hex[v >> 8 & 15];
    e[4] = hex[v >> 4 & 15];
    e[5] = hex[v & 15];
    w->len += 6;
}

static void terminate(snb_jsonw_t *w)
{
    if (w->p) w->p[w->len] = '\0';
}

/* The length of the UTF-8 sequence at s (n bytes left) and its code point,
 * or 0 when it is not valid. */
static size_t utf8_next(const unsigned char *s, size_t n, unsigned *cp)
{
    unsigned c = s[0];
    size_t len;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c < 0xC2) return 0; /* continuation byte, or overlong two-byte form */
    if (c < 0xE0) {
        len = 2;
        c &= 0x1F;
    } else if (c < 0xF0) {
        len = 3;
        c &= 0x0F;
    } else if (c < 0xF5) {
        len = 4;
        c &= 0x07;
    } else {
        return 0;
    }
    if (n < len) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        c = c << 6 | (s[i] & 0x3F);
    }
    if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) || c > 0x10FFFF ||
        (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return len;
}

bool snb_jsonw_utf8_valid(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    for (size_t i = 0; i < n;) {
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        unsigned cp;
        size_t len = utf8_next(s + i, n - i, &cp);
        if (!len) return false;
        i += len;
    }
    return true;
}

/* Might any of the 8 bytes of v need a look (< 0x20, '"', '\\', >= 0x80)?
 * The has-less-than / has-zero-byte tests: never a false "no"; a false
 * "yes" only sends that word through the byte loop. */
static inline bool word_special(uint64_t v)
{
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    uint64_t quote = v ^ (ones * '"'), bslash = v ^ (ones * '\\');
    uint64_t ctl = (v - ones * 0x20) & ~v;
    uint64_t q = (quote - ones) & ~quote, b = (bslash - ones) & ~bslash;
    return ((ctl | q | b | v) & highs) != 0;
}

/* The quoted, escaped string, into room reserved with string_room(n);
 * false (and nothing kept) if it is not UTF-8. */
static bool raw_string(snb_jsonw_t *w, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t start = w->len, run = 0;
    raw_c(w, '"');
    for (size_t i = 0; i < n;) {
        /* 8 plain ASCII bytes at a time */
        while (i + 8 <= n) {
            uint64_t v;
            memcpy(&v, s + i, 8);
            if (word_special(v)) break;
            i += 8;
        }
        if (i >= n) break;
        unsigned c = s[i];
        if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
            i++;
            continue;
        }
        unsigned cp;
        size_t len = utf8_next(s + i, n - i, &cp);
        if (!len) {
            w->len = start;
            return false;
        }
        if (cp >= 0x80 && !w->ascii) {
            i += len;
            continue;
        }
        raw(w, str + run, i - run);
        i += len;
        run = i;
        switch (cp) {
        case '"':
            raw(w, "\\\"", 2);
            break;
        case '\\':
            raw(w, "\\\\", 2);
            break;
        case '\b':
            raw(w, "\\b", 2);
            break;
        case '\f':
            raw(w, "\\f", 2);
            break;
        case '\n':
            raw(w, "\\n", 2);
            break;
        case '\r':
            raw(w, "\\r", 2);
            break;
        case '\t':
            raw(w, "\\t", 2);
            break;
        default:
            if (cp < 0x10000) {
                raw_u(w, cp);
            } else {
                cp -= 0x10000;
                raw_u(w, 0xD800 | (cp >> 10));
                raw_u(w, 0xDC00 | (cp & 0x3FF));
            }
        }
    }
    raw(w, str + run, n - run);
    raw_c(w, '"');
    return true;
}

/* "%lld" of v at the end of buf without snprintf's format parsing; its
 * start, and its length in *n. */
static const char *int_text(long long v, char buf[24], size_t *n)
{
    char *e = buf + 24;
    char *p = snb_format_uint(v < 0 ? 0 - (unsigned long long)v : (unsigned long long)v, e);
    if (v < 0) *--p = '-';
    *n = (size_t)(e - p);
    return p;
}

/* Reserve the comma, the key and value_room more, and write the first two;
 * the length before them (to take them back if the value is left out), or
 * SIZE_MAX when out of room. */
static size_t member(snb_jsonw_t *w, const char *key, size_t klen, size_t value_room)
{
    if (value_room > SIZE_MAX / 4 || klen > SIZE_MAX / 4 || !reserve(w, klen + 4 + value_room))
        return SIZE_MAX;
    size_t before = w->len;
    if (w->members & (1u << w->depth)) raw_c(w, ',');
    if (key) { /* a plain name (sipnab/jsonw.h): nothing to escape */
        raw_c(w, '"');
        raw(w, key, klen);
        raw_c(w, '"');
        raw_c(w, ':');
    }
    return before;
}

static void written(snb_jsonw_t *w)
{
    w->members |= 1u << w->depth;
    terminate(w);
}

static void open_container(snb_jsonw_t *w, const char *key, size_t klen, char c)
{
    if (w->depth + 1 >= SNB_JSONW_MAX_DEPTH) {
        w->failed = true;
        return;
    }
    if (member(w, key, klen, 1) == SIZE_MAX) return;
    raw_c(w, c);
    written(w);
    w->depth++;
    w->members &= ~(1u << w->depth);
}

static void close_container(snb_jsonw_t *w, char c)
{
    if (!w->depth) {
        w->failed = true;
        return;
    }
    w->depth--;
    if (!reserve(w, 1)) return;
    raw_c(w, c);
    terminate(w);
}

void snb_jsonw_object_begin_k(snb_jsonw_t *w, const char *key, size_t klen)
{
    open_container(w, key, klen, '{');
}

void snb_jsonw_object_end(snb_jsonw_t *w)
{
    close_container(w, '}');
}

void snb_jsonw_array_begin_k(snb_jsonw_t *w, const char *key, size_t klen)
{
    open_container(w, key, klen, '[');
}

void snb_jsonw_array_end(snb_jsonw_t *w)
{
    close_container(w, ']');
}

void snb_jsonw_string_k(snb_jsonw_t *w, const char *key, size_t klen, const char *s, size_t n)
{
    if (!s) {
        snb_jsonw_null_k(w, key, klen);
        return;
    }
    size_t before = member(w, key, klen, string_room(n));
    if (before == SIZE_MAX) return;
    if (raw_string(w, s, n)) {
        written(w);
    } else { /* as json_object_set_new(o, key, json_stringn(...) == NULL) */
        w->len = before;
        terminate(w);
    }
}

void snb_jsonw_cstring_k(snb_jsonw_t *w, const char *key, size_t klen, const char *s)
{
    if (s) snb_jsonw_string_k(w, key, klen, s, strlen(s));
}

void snb_jsonw_int_k(snb_jsonw_t *w, const char *key, size_t klen, long long v)
{
    char buf[24];
    size_t n;
    const char *p = int_text(v, buf, &n);
    if (member(w, key, klen, n) == SIZE_MAX) return;
    raw(w, p, n);
    written(w);
}

void snb_jsonw_bool_k(snb_jsonw_t *w, const char *key, size_t klen, bool v)
{
    if (member(w, key, klen, 5) == SIZE_MAX) return;
    raw(w, v ? "true" : "false", v ? 4 : 5);
    written(w);
}

void snb_jsonw_null_k(snb_jsonw_t *w, const char *key, size_t klen)
{
    if (member(w, key, klen, 4) == SIZE_MAX) return;
    raw(w, "null", 4);
    written(w);
}

/* "%.17g" of a value in [1e-3, 1e15) or its negative, as glibc prints it
 * (17 significant digits, correctly rounded, ties to even; fixed notation
 * in this range; trailing fraction zeros dropped), then ".0" when no point
 * is left, as real_text does: into buf (>= 32 bytes), its length; 0 for
 * values outside the range. Durations and offsets in milliseconds are most
 * of the reals sipnab writes, and snprintf's exact big-number path took
 * about 4 000 instructions each. */
static size_t real_text_fixed(double v, char *buf)
{
    static const uint64_t pow10[20] = {1ull,
                                       10ull,
                                       100ull,
                                       1000ull,
                                       10000ull,
                                       100000ull,
                                       1000000ull,
                                       10000000ull,
                                       100000000ull,
                                       1000000000ull,
                                       10000000000ull,
                                       100000000000ull,
                                       1000000000000ull,
                                       10000000000000ull,
                                       100000000000000ull,
                                       1000000000000000ull,
                                       10000000000000000ull,
                                       100000000000000000ull,
                                       1000000000000000000ull,
                                       10000000000000000000ull};
    bool neg = v < 0;
    double a = neg ? -v : v;
    if (!(a >= 1e-3 && a < 1e15)) return 0;
    uint64_t bits;
    memcpy(&bits, &a, sizeof bits); /* a normal double here: a = m * 2^-shift */
    uint64_t m = (bits & 0x000FFFFFFFFFFFFFull) | 1ull << 52;
    int shift = 1075 - (int)(bits >> 52); /* 3..62 in this range */
    /* floor(log10(a)) from the binary exponent, maybe one too small: the
     * loop below corrects it (no libm, which modules do not all link) */
    int d = (int)((int64_t)(52 - shift) * 78913 >> 18);
    uint64_t digits = 0;
    for (int tries = 0; tries < 4; tries++) {
        int s = 16 - d; /* a * 10^s has 17 digits before the point */
        if (s < 0 || s > 19) return 0;
        unsigned __int128 p = (unsigned __int128)m * pow10[s];
        unsigned __int128 q = p >> shift, rem = p - (q << shift);
        unsigned __int128 half = (unsigned __int128)1 << (shift - 1);
        if (rem > half || (rem == half && (q & 1))) q++;
        if (q < pow10[16]) {
            d--;
        } else if (q >= pow10[17]) {
            d++;
        } else {
            digits = (uint64_t)q;
            break;
        }
    }
    if (!digits) return 0;
    char dig[17];
    for (int i = 16; i >= 0; i--, digits /= 10)
        dig[i] = (char)('0' + digits % 10);
    size_t n = 0;
    if (neg) buf[n++] = '-';
    int last = 16; /* the last digit kept: trailing fraction zeros go */
    int int_digits = d >= 0 ? d + 1 : 0;
    while (last >= int_digits && dig[last] == '0')
        last--;
    if (d >= 0) {
        memcpy(buf + n, dig, (size_t)int_digits);
        n += (size_t)int_digits;
        buf[n++] = '.';
        if (last < int_digits) {
            buf[n++] = '0'; /* no fraction left: real_text's ".0" */
        } else {
            memcpy(buf + n, dig + int_digits, (size_t)(last + 1 - int_digits));
            n += (size_t)(last + 1 - int_digits);
        }
    } else {
        buf[n++] = '0';
        buf[n++] = '.';
        for (int z = 0; z < -d - 1; z++)
            buf[n++] = '0';
        memcpy(buf + n, dig, (size_t)(last + 1));
        n += (size_t)(last + 1);
    }
    buf[n] = '\0';
    return n;
}

/* jansson's jsonp_dtostr() with precision 17, into buf (>= 32 bytes); its
 * length, or 0 if it does not fit. */
static size_t real_text(double value, char *buf, size_t size)
{
    if (value == 0) { /* "0" or "-0", then ".0" */
        size_t n = signbit(value) ? 4 : 3;
        memcpy(buf, signbit(value) ? "-0.0" : "0.0", n + 1);
        return n;
    }
    size_t fast = real_text_fixed(value, buf);
    if (fast) return fast;
    int ret = snprintf(buf, size, "%.17g", value);
    if (ret < 0 || (size_t)ret >= size) return 0;
    size_t length = (size_t)ret;
    const char *point = localeconv()->decimal_point;
    if (point[0] != '.') {
        char *pos = strchr(buf, point[0]);
        if (pos) *pos = '.';
    }
    if (!strchr(buf, '.') && !strchr(buf, 'e')) {
        if (length + 3 >= size) return 0;
        buf[length++] = '.';
        buf[length++] = '0';
        buf[length] = '\0';
    }
    char *start = strchr(buf, 'e');
    if (start) {
        start++;
        char *end = start + 1;
        if (*start == '-') start++;
        while (*end == '0')
            end++;
        if (end != start) {
            memmove(start, end, length - (size_t)(end - buf));
            length -= (size_t)(end - start);
        }
    }
    return length;
}

void snb_jsonw_real_k(snb_jsonw_t *w, const char *key, size_t klen, double v)
{
    char buf[100];
    size_t n;
    if (!isfinite(v) || !(n = real_text(v, buf, sizeof buf))) return;
    if (member(w, key, klen, n) == SIZE_MAX) return;
    raw(w, buf, n);
    written(w);
}

/* The value alone, at the current position (comma and key written). */
static bool dump_value(snb_jsonw_t *w, const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        if (!reserve(w, 1)) return false;
        raw_c(w, '{');
        bool first = true;
        for (void *it = json_object_iter((json_t *)v); it;
             it = json_object_iter_next((json_t *)v, it)) {
            size_t klen = json_object_iter_key_len(it);
            if (!reserve(w, string_room(klen) + 2)) return false;
            if (!first) raw_c(w, ',');
            first = false;
            if (!raw_string(w, json_object_iter_key(it), klen)) return !(w->failed = true);
            raw_c(w, ':');
            if (!dump_value(w, json_object_iter_value(it))) return false;
        }
        if (!reserve(w, 1)) return false;
        raw_c(w, '}');
        return true;
    }
    case JSON_ARRAY: {
        if (!reserve(w, 1)) return false;
        raw_c(w, '[');
        size_t n = json_array_size(v);
        for (size_t i = 0; i < n; i++) {
            if (i) {
                if (!reserve(w, 1)) return false;
                raw_c(w, ',');
            }
            if (!dump_value(w, json_array_get(v, i))) return false;
        }
        if (!reserve(w, 1)) return false;
        raw_c(w, ']');
        return true;
    }
    case JSON_STRING: {
        size_t n = json_string_length(v);
        if (!reserve(w, string_room(n))) return false;
        if (!raw_string(w, json_string_value(v), n)) return !(w->failed = true);
        return true;
    }
    case JSON_INTEGER: {
        char buf[24];
        size_t n;
        const char *p = int_text(json_integer_value(v), buf, &n);
        if (!reserve(w, n)) return false;
        raw(w, p, n);
        return true;
    }
    case JSON_REAL: {
        char buf[100];
        size_t n = real_text(json_real_value(v), buf, sizeof buf);
        if (!n || !reserve(w, n)) return !(w->failed = true);
        raw(w, buf, n);
        return true;
    }
    case JSON_TRUE:
    case JSON_FALSE:
    case JSON_NULL: {
        const char *t = json_is_true(v) ? "true" : json_is_false(v) ? "false" : "null";
        size_t n = strlen(t);
        if (!reserve(w, n)) return false;
        raw(w, t, n);
        return true;
    }
    default:
        return !(w->failed = true);
    }
}

bool snb_jsonw_json_k(snb_jsonw_t *w, const char *key, size_t klen, const json_t *v)
{
    if (!v || w->failed) return !(w->failed = true);
    if (member(w, key, klen, 0) == SIZE_MAX) return false;
    if (!dump_value(w, v)) {
        w->failed = true;
        terminate(w);
        return false;
    }
    written(w);
    return true;
}

static bool skipped(const char *key, size_t klen, const char *const *skip)
{
    for (; skip && *skip; skip++)
        if (strlen(*skip) == klen && memcmp(*skip, key, klen) == 0) return true;
    return false;
}

bool snb_jsonw_members(snb_jsonw_t *w, const json_t *object)
{
    return snb_jsonw_members_except(w, object, NULL);
}

bool snb_jsonw_members_except(snb_jsonw_t *w, const json_t *object, const char *const *skip)
{
    if (!json_is_object(object) || w->failed) return !(w->failed = true);
    for (void *it = json_object_iter((json_t *)object); it;
         it = json_object_iter_next((json_t *)object, it)) {
        size_t klen = json_object_iter_key_len(it);
        if (skipped(json_object_iter_key(it), klen, skip)) continue;
        if (!reserve(w, string_room(klen) + 2)) return false;
        if (w->members & (1u << w->depth)) raw_c(w, ',');
        bool ok = raw_string(w, json_object_iter_key(it), klen);
        if (ok) {
            raw_c(w, ':');
            ok = dump_value(w, json_object_iter_value(it));
        }
        if (!ok) {
            w->failed = true;
            terminate(w);
            return false;
        }
        written(w);
    }
    return true;
}
