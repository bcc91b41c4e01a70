/* Printing bound values back as config text (`sipnab -T`). The output parses
 * back to the same values, except secrets, which print as <redacted>. */
#include "conf.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* snprintf-style builder: counts everything, stores what fits. */
struct sb {
    char *buf;
    size_t cap, len;
};

static void put(struct sb *b, char c)
{
    if (b->len + 1 < b->cap) b->buf[b->len] = c;
    b->len++;
}

static void puts_n(struct sb *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        put(b, s[i]);
}

static void put_str(struct sb *b, const char *s)
{
    puts_n(b, s, strlen(s));
}

static void put_u64(struct sb *b, uint64_t v, const char *suffix)
{
    char tmp[32];
    snprintf(tmp, sizeof(tmp), "%" PRIu64 "%s", v, suffix);
    put_str(b, tmp);
}

/* Text that would not survive unquoted: whitespace (trimmed or split), '#'
 * and ';' (comments), '"' (starts a quote). */
static bool needs_quotes(const char *s)
{
    return strpbrk(s, " \t\n#;\"") != NULL;
}

static void put_text(struct sb *b, const char *s)
{
    if (!needs_quotes(s)) {
        put_str(b, s);
        return;
    }
    put(b, '"');
    for (; *s; s++) {
        switch (*s) {
        case '"':
        case '\\':
            put(b, '\\');
            put(b, *s);
            break;
        case '\n':
            put_str(b, "\\n");
            break;
        case '\t':
            put_str(b, "\\t");
            break;
        default:
            put(b, *s);
        }
    }
    put(b, '"');
}

static bool is_set(const snb_option_t *opt, const void *field)
{
    switch (opt->type) {
    case SNB_OPT_STRING:
    case SNB_OPT_ENUM: {
        const char *s = *(const char *const *)field;
        return s && *s;
    }
    case SNB_OPT_LIST:
        return ((const snb_strlist_t *)field)->n > 0;
    default:
        return true;
    }
}

size_t snb_conf_format_value(const snb_option_t *opt, const void *field, char *buf, size_t len)
{
    struct sb b = {.buf = buf, .cap = len, .len = 0};
    if (!opt || !field) goto out;
    if ((opt->flags & SNB_OPT_SECRET) && is_set(opt, field)) {
        put_str(&b, "<redacted>");
        goto out;
    }
    switch (opt->type) {
    case SNB_OPT_BOOL:
        put_str(&b, *(const bool *)field ? "yes" : "no");
        break;
    case SNB_OPT_INT: {
        char tmp[32];
        snprintf(tmp, sizeof(tmp), "%" PRId64, *(const int64_t *)field);
        put_str(&b, tmp);
        break;
    }
    case SNB_OPT_NUMBER: {
        char tmp[32];
        snprintf(tmp, sizeof(tmp), "%g", *(const double *)field);
        put_str(&b, tmp);
        break;
    }
    case SNB_OPT_SIZE: {
        uint64_t v = *(const uint64_t *)field;
        if (v && v % (1ull << 30) == 0)
            put_u64(&b, v >> 30, "g");
        else if (v && v % (1ull << 20) == 0)
            put_u64(&b, v >> 20, "m");
        else if (v && v % (1ull << 10) == 0)
            put_u64(&b, v >> 10, "k");
        else
            put_u64(&b, v, "");
        break;
    }
    case SNB_OPT_DURATION: {
        uint64_t v = *(const uint64_t *)field;
        if (v == 0)
            put_str(&b, "0s");
        else if (v % 60000 == 0)
            put_u64(&b, v / 60000, "m");
        else if (v % 1000 == 0)
            put_u64(&b, v / 1000, "s");
        else
            put_u64(&b, v, "ms");
        break;
    }
    case SNB_OPT_STRING:
    case SNB_OPT_ENUM: {
        const char *s = *(const char *const *)field;
        if (s) put_text(&b, s);
        break;
    }
    case SNB_OPT_LIST: {
        const snb_strlist_t *l = field;
        for (size_t i = 0; i < l->n; i++) {
            if (i) put_str(&b, ", ");
            put_text(&b, l->v[i] ? l->v[i] : "");
        }
        break;
    }
    }
out:
    if (len) buf[b.len < len ? b.len : len - 1] = '\0';
    return b.len;
}

void snb_conf_dump_options(FILE *out, const snb_option_t *opts, const void *bound)
{
    if (!out || !opts || !bound) return;
    for (const snb_option_t *opt = opts; opt->name; opt++) {
        const void *field = (const char *)bound + opt->offset;
        char small[256];
        size_t n = snb_conf_format_value(opt, field, small, sizeof(small));
        char *text = small;
        if (n >= sizeof(small)) {
            text = malloc(n + 1);
            if (!text) return;
            snb_conf_format_value(opt, field, text, n + 1);
        }
        if (n)
            fprintf(out, "%s = %s\n", opt->name, text);
        else
            fprintf(out, "%s =\n", opt->name);
        if (text != small) free(text);
    }
}
