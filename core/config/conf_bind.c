/* Typed value parsers and binding a section onto a module's option table. */
#include "conf.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define BOOL_HELP "yes/no/true/false/on/off/1/0"

__attribute__((format(printf, 3, 4))) static int say(char *buf, size_t len, const char *fmt, ...)
{
    if (buf && len) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf, len, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* The value as shown in a message: quoted, short, one line, or <redacted>. */
static void show_value(const snb_option_t *opt, const char *s, char *dst, size_t dstlen)
{
    static const char hex[] = "0123456789abcdef";
    if (opt->flags & SNB_OPT_SECRET) {
        snprintf(dst, dstlen, "<redacted>");
        return;
    }
    size_t o = 0;
    dst[o++] = '\'';
    for (size_t i = 0; s[i]; i++) {
        unsigned char c = (unsigned char)s[i];
        if (i >= 60 || o + 10 >= dstlen) {
            memcpy(dst + o, "...", 3);
            o += 3;
            break;
        }
        if (c >= 0x20 && c != 0x7f) {
            dst[o++] = (char)c;
        } else {
            dst[o++] = '\\';
            dst[o++] = 'x';
            dst[o++] = hex[c >> 4];
            dst[o++] = hex[c & 15];
        }
    }
    dst[o++] = '\'';
    dst[o] = '\0';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Leading decimal digits. 0 ok, -1 none, -2 overflow. */
static int digits(const char **sp, uint64_t *out)
{
    const char *s = *sp;
    uint64_t v = 0;
    if (!is_digit(*s)) return -1;
    for (; is_digit(*s); s++) {
        unsigned d = (unsigned)(*s - '0');
        if (v > (UINT64_MAX - d) / 10) return -2;
        v = v * 10 + d;
    }
    *sp = s;
    *out = v;
    return 0;
}

static int parse_bool(const char *s, bool *out)
{
    static const char *const yes[] = {"yes", "true", "on", "1"};
    static const char *const no[] = {"no", "false", "off", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(s, yes[i]) == 0) return *out = true, 0;
        if (strcasecmp(s, no[i]) == 0) return *out = false, 0;
    }
    return -1;
}

static int parse_int(const char *s, int64_t *out)
{
    bool neg = false;
    if (*s == '+' || *s == '-') neg = *s++ == '-';
    uint64_t v;
    int rc = digits(&s, &v);
    if (rc) return rc;
    if (*s) return -1;
    if (neg ? v > (uint64_t)INT64_MAX + 1 : v > (uint64_t)INT64_MAX) return -2;
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return 0;
}

/* 512, 512b, 64k, 64kb, 64KiB, 16m, 2g (powers of 1024). */
static int parse_size(const char *s, uint64_t *out)
{
    uint64_t v, mul = 1;
    int rc = digits(&s, &v);
    if (rc) return rc;
    switch (*s) {
    case 'k':
    case 'K':
        mul = 1ull << 10;
        break;
    case 'm':
    case 'M':
        mul = 1ull << 20;
        break;
    case 'g':
    case 'G':
        mul = 1ull << 30;
        break;
    }
    if (mul > 1) {
        s++;
        if (*s == 'i' || *s == 'I') {
            s++;
            if (*s != 'b' && *s != 'B') return -1;
        }
    }
    if (*s == 'b' || *s == 'B') s++;
    if (*s) return -1;
    if (v > UINT64_MAX / mul) return -2;
    *out = v * mul;
    return 0;
}

/* 500ms, 30s, 5m, 1h; a bare number is seconds. Stored in milliseconds. */
static int parse_duration(const char *s, uint64_t *out)
{
    uint64_t v, mul;
    int rc = digits(&s, &v);
    if (rc) return rc;
    if (*s == '\0' || strcasecmp(s, "s") == 0)
        mul = 1000;
    else if (strcasecmp(s, "ms") == 0)
        mul = 1;
    else if (strcasecmp(s, "m") == 0)
        mul = 60 * 1000;
    else if (strcasecmp(s, "h") == 0)
        mul = 3600 * 1000;
    else
        return -1;
    if (v > UINT64_MAX / mul) return -2;
    *out = v * mul;
    return 0;
}

static bool ranged(const snb_option_t *opt)
{
    return opt->min != 0 || opt->max != 0;
}

static int range_error(const snb_option_t *opt, const char *shown, char *why, size_t whylen)
{
    char lo[64], hi[64];
    if (opt->type == SNB_OPT_INT || opt->type == SNB_OPT_NUMBER) {
        snprintf(lo, sizeof(lo), "%lld", (long long)opt->min);
        snprintf(hi, sizeof(hi), "%lld", (long long)opt->max);
    } else {
        /* Sizes and durations read best in their own units (4k..1m). */
        snb_option_t plain = {.type = opt->type};
        uint64_t a = opt->min < 0 ? 0 : (uint64_t)opt->min;
        uint64_t b = opt->max < 0 ? 0 : (uint64_t)opt->max;
        if (opt->min < 0)
            snprintf(lo, sizeof(lo), "%lld", (long long)opt->min);
        else
            snb_conf_format_value(&plain, &a, lo, sizeof(lo));
        if (opt->max < 0)
            snprintf(hi, sizeof(hi), "%lld", (long long)opt->max);
        else
            snb_conf_format_value(&plain, &b, hi, sizeof(hi));
    }
    return say(why, whylen, "%s out of range (%s..%s)", shown, lo, hi);
}

static bool u64_in_range(const snb_option_t *opt, uint64_t v)
{
    if (!ranged(opt)) return true;
    if (v > (uint64_t)INT64_MAX) return false;
    return (int64_t)v >= opt->min && (int64_t)v <= opt->max;
}

static bool enum_has(const char *choices, const char *s)
{
    size_t n = strlen(s);
    for (const char *p = choices;;) {
        const char *bar = strchr(p, '|');
        size_t l = bar ? (size_t)(bar - p) : strlen(p);
        if (l == n && memcmp(p, s, n) == 0) return true;
        if (!bar) return false;
        p = bar + 1;
    }
}

static bool list_sep(char c)
{
    return c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int parse_list(snb_conf_t *conf, const char *s, snb_strlist_t *out)
{
    size_t n = 0;
    for (const char *p = s; *p;) {
        while (*p && list_sep(*p))
            p++;
        if (!*p) break;
        n++;
        while (*p && !list_sep(*p))
            p++;
    }
    const char **v = snb_conf_alloc(conf, (n + 1) * sizeof(*v));
    if (!v) return -1;
    size_t k = 0;
    for (const char *p = s; *p;) {
        while (*p && list_sep(*p))
            p++;
        if (!*p) break;
        const char *start = p;
        while (*p && !list_sep(*p))
            p++;
        char *item = snb_conf_alloc(conf, (size_t)(p - start) + 1);
        if (!item) return -1;
        memcpy(item, start, (size_t)(p - start));
        item[p - start] = '\0';
        v[k++] = item;
    }
    v[k] = NULL;
    out->v = v;
    out->n = k;
    return 0;
}

int snb_conf_parse_value(snb_conf_t *conf, const snb_option_t *opt, const char *text, void *dst,
                         char *why, size_t whylen)
{
    char shown[128];
    if (!opt || !text || !dst) return say(why, whylen, "invalid arguments");
    show_value(opt, text, shown, sizeof(shown));
    bool allocates =
        opt->type == SNB_OPT_STRING || opt->type == SNB_OPT_ENUM || opt->type == SNB_OPT_LIST;
    if (allocates && !conf) return say(why, whylen, "no conf to own the value");
    int rc;
    switch (opt->type) {
    case SNB_OPT_BOOL: {
        bool b;
        if (parse_bool(text, &b) < 0)
            return say(why, whylen, "%s is not a boolean (" BOOL_HELP ")", shown);
        *(bool *)dst = b;
        return 0;
    }
    case SNB_OPT_INT: {
        int64_t v;
        rc = parse_int(text, &v);
        if (rc == -1) return say(why, whylen, "%s is not an integer", shown);
        if (rc == -2) return say(why, whylen, "%s does not fit in a 64-bit integer", shown);
        if (ranged(opt) && (v < opt->min || v > opt->max))
            return range_error(opt, shown, why, whylen);
        *(int64_t *)dst = v;
        return 0;
    }
    case SNB_OPT_SIZE: {
        uint64_t v;
        rc = parse_size(text, &v);
        if (rc == -1)
            return say(why, whylen, "%s is not a size (e.g. 1500, 64k, 16MiB, 2g)", shown);
        if (rc == -2) return say(why, whylen, "%s is too large", shown);
        if (!u64_in_range(opt, v)) return range_error(opt, shown, why, whylen);
        *(uint64_t *)dst = v;
        return 0;
    }
    case SNB_OPT_DURATION: {
        uint64_t v;
        rc = parse_duration(text, &v);
        if (rc == -1)
            return say(why, whylen, "%s is not a duration (e.g. 500ms, 30s, 5m, 1h)", shown);
        if (rc == -2) return say(why, whylen, "%s is too large", shown);
        if (!u64_in_range(opt, v)) return range_error(opt, shown, why, whylen);
        *(uint64_t *)dst = v;
        return 0;
    }
    case SNB_OPT_STRING: {
        char *s = snb_conf_strdup(conf, text);
        if (!s) return say(why, whylen, "out of memory");
        *(const char **)dst = s;
        return 0;
    }
    case SNB_OPT_ENUM: {
        if (!opt->choices) return say(why, whylen, "enum option has no choices");
        if (!enum_has(opt->choices, text))
            return say(why, whylen, "%s is not one of %s", shown, opt->choices);
        char *s = snb_conf_strdup(conf, text);
        if (!s) return say(why, whylen, "out of memory");
        *(const char **)dst = s;
        return 0;
    }
    case SNB_OPT_LIST: {
        snb_strlist_t l;
        if (parse_list(conf, text, &l) < 0) return say(why, whylen, "out of memory");
        *(snb_strlist_t *)dst = l;
        return 0;
    }
    case SNB_OPT_NUMBER: {
        char *end;
        errno = 0;
        double v = strtod(text, &end);
        if (end == text || *end || errno || !isfinite(v))
            return say(why, whylen, "%s is not a number (e.g. 3.5)", shown);
        if (ranged(opt) && (v < (double)opt->min || v > (double)opt->max))
            return range_error(opt, shown, why, whylen);
        *(double *)dst = v;
        return 0;
    }
    }
    return say(why, whylen, "unknown option type %d", (int)opt->type);
}

static size_t field_size(snb_opt_type_t t)
{
    switch (t) {
    case SNB_OPT_BOOL:
        return sizeof(bool);
    case SNB_OPT_INT:
        return sizeof(int64_t);
    case SNB_OPT_SIZE:
    case SNB_OPT_DURATION:
        return sizeof(uint64_t);
    case SNB_OPT_STRING:
    case SNB_OPT_ENUM:
        return sizeof(const char *);
    case SNB_OPT_LIST:
        return sizeof(snb_strlist_t);
    case SNB_OPT_NUMBER:
        return sizeof(double);
    }
    return 0;
}

__attribute__((format(printf, 5, 6))) static void at(char *err, size_t errlen, const char *file,
                                                     int line, const char *fmt, ...)
{
    char msg[SNB_CONF_ERRLEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (!err || !errlen) return;
    if (!file)
        snprintf(err, errlen, "%s", msg);
    else if (line > 0)
        snprintf(err, errlen, "%s:%d: %s", file, line, msg);
    else
        snprintf(err, errlen, "%s: %s", file, msg);
}

static int concat_lists(snb_conf_t *conf, snb_strlist_t *dst, const snb_strlist_t *a,
                        const snb_strlist_t *b)
{
    const char **v = snb_conf_alloc(conf, (a->n + b->n + 1) * sizeof(*v));
    if (!v) return -1;
    for (size_t i = 0; i < a->n; i++)
        v[i] = a->v[i];
    for (size_t i = 0; i < b->n; i++)
        v[a->n + i] = b->v[i];
    v[a->n + b->n] = NULL;
    dst->v = v;
    dst->n = a->n + b->n;
    return 0;
}

int snb_conf_bind(snb_conf_t *conf, const snb_conf_section_t *section, const snb_option_t *opts,
                  void *out, char *err, size_t errlen)
{
    char why[SNB_CONF_ERRLEN], label[160], key[64];
    if (err && errlen) err[0] = '\0';
    if (!conf || !opts || !out) return at(err, errlen, NULL, 0, "invalid arguments"), -1;

    size_t n = 0, total = 0;
    for (; opts[n].name; n++) {
        size_t sz = field_size(opts[n].type);
        if (!sz) {
            at(err, errlen, NULL, 0, "option '%s': unknown option type %d", opts[n].name,
               (int)opts[n].type);
            return -1;
        }
        total += sz;
    }
    /* Save every field so a failed bind leaves `out` as it was (reload). */
    unsigned char *saved = malloc(total + 1);
    bool *seen = calloc(n + 1, sizeof(*seen));
    int rc = -1;
    if (!saved || !seen) {
        at(err, errlen, NULL, 0, "out of memory");
        free(saved);
        free(seen);
        return -1;
    }
    for (size_t i = 0, o = 0; i < n; i++) {
        size_t sz = field_size(opts[i].type);
        memcpy(saved + o, (char *)out + opts[i].offset, sz);
        o += sz;
    }

    for (size_t i = 0; i < n; i++) {
        const snb_option_t *opt = &opts[i];
        void *dst = (char *)out + opt->offset;
        memset(dst, 0, field_size(opt->type));
        if (opt->def && snb_conf_parse_value(conf, opt, opt->def, dst, why, sizeof(why)) < 0) {
            at(err, errlen, NULL, 0, "option '%s': invalid default: %s", opt->name, why);
            goto fail;
        }
    }

    if (section) snb_conf_section_label(section, label, sizeof(label));
    for (size_t e = 0; section && e < section->n_entries; e++) {
        const snb_conf_entry_t *ent = &section->entries[e];
        size_t i = 0;
        while (i < n && strcasecmp(opts[i].name, ent->key) != 0)
            i++;
        snprintf(key, sizeof(key), "%s", ent->key);
        if (i == n) {
            at(err, errlen, ent->file, ent->line, "unknown option '%s' in %s", key, label);
            goto fail;
        }
        const snb_option_t *opt = &opts[i];
        void *dst = (char *)out + opt->offset;
        if (ent->append && opt->type != SNB_OPT_LIST) {
            at(err, errlen, ent->file, ent->line, "option '%s': '+=' only works with list options",
               key);
            goto fail;
        }
        if (opt->type == SNB_OPT_LIST && ent->extends_default) {
            snb_strlist_t more, *cur = dst;
            if (snb_conf_parse_value(conf, opt, ent->value, &more, why, sizeof(why)) < 0 ||
                concat_lists(conf, cur, cur, &more) < 0) {
                at(err, errlen, ent->file, ent->line, "option '%s': out of memory", key);
                goto fail;
            }
        } else if (snb_conf_parse_value(conf, opt, ent->value, dst, why, sizeof(why)) < 0) {
            at(err, errlen, ent->file, ent->line, "option '%s': %s", key, why);
            goto fail;
        }
        seen[i] = true;
    }

    for (size_t i = 0; i < n; i++) {
        if (!(opts[i].flags & SNB_OPT_REQUIRED) || seen[i]) continue;
        if (section)
            at(err, errlen, section->file, section->line, "%s: required option '%s' is not set",
               label, opts[i].name);
        else
            at(err, errlen, NULL, 0, "required option '%s' is not set", opts[i].name);
        goto fail;
    }
    rc = 0;
    goto done;
fail:
    for (size_t i = 0, o = 0; i < n; i++) {
        size_t sz = field_size(opts[i].type);
        memcpy((char *)out + opts[i].offset, saved + o, sz);
        o += sz;
    }
done:
    free(saved);
    free(seen);
    return rc;
}
