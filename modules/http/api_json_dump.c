/* See api_json_dump.h. The output rules are jansson 2.14's do_dump() and
 * dump_string() with JSON_COMPACT: "," and ":" without spaces, objects in
 * insertion order, the escapes \" \\ \b \f \n \r \t and \u00XX (upper-case
 * hex) for other bytes below 0x20, integers with "%lld", reals with "%.17g"
 * plus ".0" when neither '.' nor 'e' appears and the exponent's '+' and
 * leading zeros dropped (jsonp_dtostr). */
#include "api_json_dump.h"

#include <locale.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct out {
    char *p;
    size_t len, cap;
    bool fallback; /* a byte >= 0x80: let json_dumps do it all */
    bool failed;   /* out of memory */
} out_t;

/* The slow path of put/put_c: room for need more bytes and the NUL. */
static bool grow(out_t *o, size_t need)
{
    size_t cap = o->cap ? o->cap : 1024;
    while (cap < o->len + need + 1) {
        if (cap > SIZE_MAX / 2) return !(o->failed = true);
        cap *= 2;
    }
    char *p = realloc(o->p, cap);
    if (!p) return !(o->failed = true);
    o->p = p;
    o->cap = cap;
    return true;
}

static inline void put(out_t *o, const char *s, size_t n)
{
    if (o->len + n + 1 > o->cap && !grow(o, n)) return;
    memcpy(o->p + o->len, s, n);
    o->len += n;
}

static inline void put_c(out_t *o, char c)
{
    if (o->len + 2 > o->cap && !grow(o, 1)) return;
    o->p[o->len++] = c;
}

/* 1: the byte needs an escape; 2: not ASCII (fall back). */
static const uint8_t special[256] = {
    [0 ... 0x1f] = 1,
    ['"'] = 1,
    ['\\'] = 1,
    [0x80 ... 0xff] = 2,
};

/* Might any of the 8 bytes of w need a look (< 0x20, '"', '\\', >= 0x80)?
 * The has-less-than / has-zero-byte tests: never a false "no"; a false "yes"
 * only sends that word through the byte loop. */
static bool word_special(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    uint64_t quote = w ^ (ones * '"'), bslash = w ^ (ones * '\\');
    uint64_t ctl = (w - ones * 0x20) & ~w;
    uint64_t q = (quote - ones) & ~quote, b = (bslash - ones) & ~bslash;
    return ((ctl | q | b | w) & highs) != 0;
}

static void put_string(out_t *o, const char *s, size_t n)
{
    put_c(o, '"');
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        /* 8 clean bytes at a time; a flagged word is checked byte by byte */
        while (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (word_special(w)) break;
            i += 8;
        }
        if (i >= n) break;
        uint8_t c = (uint8_t)s[i];
        if (!special[c]) continue;
        if (special[c] == 2) {
            o->fallback = true;
            return;
        }
        put(o, s + run, i - run);
        run = i + 1;
        char esc[7];
        switch (c) {
        case '"':
            put(o, "\\\"", 2);
            break;
        case '\\':
            put(o, "\\\\", 2);
            break;
        case '\b':
            put(o, "\\b", 2);
            break;
        case '\f':
            put(o, "\\f", 2);
            break;
        case '\n':
            put(o, "\\n", 2);
            break;
        case '\r':
            put(o, "\\r", 2);
            break;
        case '\t':
            put(o, "\\t", 2);
            break;
        default:
            snprintf(esc, sizeof esc, "\\u%04X", (unsigned)c);
            put(o, esc, 6);
            break;
        }
    }
    put(o, s + run, n - run);
    put_c(o, '"');
}

/* jansson's jsonp_dtostr() with precision 17. */
static void put_real(out_t *o, double value)
{
    char buf[100];
    int ret = snprintf(buf, sizeof buf, "%.17g", value);
    if (ret < 0 || (size_t)ret >= sizeof buf) {
        o->fallback = true;
        return;
    }
    size_t length = (size_t)ret;
    const char *point = localeconv()->decimal_point;
    if (point[0] != '.') {
        char *pos = strchr(buf, point[0]);
        if (pos) *pos = '.';
    }
    if (!strchr(buf, '.') && !strchr(buf, 'e')) {
        if (length + 3 >= sizeof buf) {
            o->fallback = true;
            return;
        }
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
    put(o, buf, length);
}

static void put_value(out_t *o, const json_t *v)
{
    if (o->fallback || o->failed) return;
    char buf[32];
    switch (json_typeof(v)) {
    case JSON_NULL:
        put(o, "null", 4);
        break;
    case JSON_TRUE:
        put(o, "true", 4);
        break;
    case JSON_FALSE:
        put(o, "false", 5);
        break;
    case JSON_INTEGER: {
        /* "%lld" without snprintf's format parsing (a third of the dump) */
        json_int_t i = json_integer_value(v);
        uint64_t u = i < 0 ? 0 - (uint64_t)i : (uint64_t)i;
        char *e = buf + sizeof buf, *p = e;
        do {
            *--p = (char)('0' + u % 10);
            u /= 10;
        } while (u);
        if (i < 0) *--p = '-';
        put(o, p, (size_t)(e - p));
        break;
    }
    case JSON_REAL:
        put_real(o, json_real_value(v));
        break;
    case JSON_STRING:
        put_string(o, json_string_value(v), json_string_length(v));
        break;
    case JSON_ARRAY: {
        put_c(o, '[');
        size_t n = json_array_size(v);
        for (size_t i = 0; i < n && !o->fallback; i++) {
            if (i) put_c(o, ',');
            put_value(o, json_array_get(v, i));
        }
        put_c(o, ']');
        break;
    }
    case JSON_OBJECT: {
        put_c(o, '{');
        bool first = true;
        for (void *it = json_object_iter((json_t *)v); it && !o->fallback;
             it = json_object_iter_next((json_t *)v, it)) {
            if (!first) put_c(o, ',');
            first = false;
            put_string(o, json_object_iter_key(it), json_object_iter_key_len(it));
            put_c(o, ':');
            put_value(o, json_object_iter_value(it));
        }
        put_c(o, '}');
        break;
    }
    default:
        o->fallback = true;
        break;
    }
}

char *api_json_dump(const json_t *v, size_t *len)
{
    *len = 0;
    if (!v || (!json_is_object(v) && !json_is_array(v))) return NULL;
    out_t o = {0};
    put_value(&o, v);
    if (o.fallback || o.failed) {
        free(o.p);
        if (o.failed) return NULL;
        char *text = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER);
        *len = text ? strlen(text) : 0;
        return text;
    }
    o.p[o.len] = '\0'; /* grow() always kept room for it */
    *len = o.len;
    return o.p;
}
