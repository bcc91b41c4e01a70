/* libFuzzer target for the config library: parse the input as a config
 * file, bind the first sections against a table with every option type,
 * and check invariants:
 *   - errors are one NUL-terminated line;
 *   - a secret value never shows in an error;
 *   - dump -> parse -> bind -> dump is a fixed point.
 * The input's first line is also fed to every value parser directly. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

struct fz {
    int64_t pin;
    bool b;
    int64_t i;
    uint64_t sz, d;
    const char *s, *e;
    snb_strlist_t l;
    int64_t big;
    uint64_t rsz, rd;
};

#define F(m) offsetof(struct fz, m)
/* The secret comes first so opts + 1 is the same table without it. */
static const snb_option_t opts[] = {
    {"pin", SNB_OPT_INT, "1234", 0, 9999, NULL, SNB_OPT_SECRET, F(pin), NULL},
    {"b", SNB_OPT_BOOL, "no", 0, 0, NULL, 0, F(b), NULL},
    {"i", SNB_OPT_INT, "5", -100, 100000, NULL, 0, F(i), NULL},
    {"sz", SNB_OPT_SIZE, "4k", 0, 0, NULL, 0, F(sz), NULL},
    {"d", SNB_OPT_DURATION, "1s", 0, 0, NULL, 0, F(d), NULL},
    {"s", SNB_OPT_STRING, NULL, 0, 0, NULL, 0, F(s), NULL},
    {"e", SNB_OPT_ENUM, "a", 0, 0, "a|b|c d|#", 0, F(e), NULL},
    {"l", SNB_OPT_LIST, "x, y", 0, 0, NULL, 0, F(l), NULL},
    {"big", SNB_OPT_INT, NULL, INT64_MIN, INT64_MAX, NULL, 0, F(big), NULL},
    {"rsz", SNB_OPT_SIZE, "1m", 1024, 1 << 30, NULL, 0, F(rsz), NULL},
    {"rd", SNB_OPT_DURATION, "1m", 1, 3600000, NULL, 0, F(rd), NULL},
    SNB_OPTIONS_END,
};

static void check_err(const char *err)
{
    if (memchr(err, '\0', SNB_CONF_ERRLEN) == NULL) abort();
    if (strchr(err, '\n') || strchr(err, '\r')) abort();
}

static char *dump(const snb_option_t *table, const void *bound)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) abort();
    snb_conf_dump_options(f, table, bound);
    fclose(f);
    return text;
}

static void roundtrip(const struct fz *a)
{
    char err[SNB_CONF_ERRLEN];
    char *t1 = dump(opts + 1, a);
    size_t n = strlen(t1) + 8;
    char *doc = malloc(n);
    snprintf(doc, n, "[s]\n%s", t1);
    snb_conf_t *c = snb_conf_new();
    struct fz b;
    memset(&b, 0, sizeof(b));
    if (snb_conf_parse_string(c, doc, strlen(doc), "dump", err, sizeof(err)) < 0) {
        fprintf(stderr, "dump does not parse: %s\n%s", err, doc);
        abort();
    }
    if (snb_conf_bind(c, snb_conf_find(c, "s", NULL), opts + 1, &b, err, sizeof(err)) < 0) {
        fprintf(stderr, "dump does not bind: %s\n%s", err, doc);
        abort();
    }
    char *t2 = dump(opts + 1, &b);
    if (strcmp(t1, t2) != 0) {
        fprintf(stderr, "dump changed:\n%s---\n%s", t1, t2);
        abort();
    }
    free(t1);
    free(t2);
    free(doc);
    snb_conf_free(c);
}

static void values(const uint8_t *data, size_t size)
{
    char text[128];
    size_t n = 0;
    while (n < size && n < sizeof(text) - 1 && data[n] != '\n' && data[n] != '\0') {
        text[n] = (char)data[n];
        n++;
    }
    text[n] = '\0';
    snb_conf_t *c = snb_conf_new();
    for (const snb_option_t *o = opts; o->name; o++) {
        char why[SNB_CONF_ERRLEN];
        union {
            bool b;
            int64_t i;
            uint64_t u;
            const char *s;
            snb_strlist_t l;
        } v;
        if (snb_conf_parse_value(c, o, text, &v, why, sizeof(why)) < 0) {
            check_err(why);
            if ((o->flags & SNB_OPT_SECRET) && strncmp(why, "<redacted> ", 11) != 0) abort();
        }
    }
    snb_conf_free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[SNB_CONF_ERRLEN];
    values(data, size);
    snb_conf_t *c = snb_conf_new();
    if (snb_conf_parse_string(c, (const char *)data, size, "fuzz.conf", err, sizeof(err)) < 0)
        check_err(err);
    /* Bind what was merged even after an error: the model must stay sane. */
    size_t ns = snb_conf_section_count(c);
    for (size_t i = 0; i < ns && i < 4; i++) {
        const snb_conf_section_t *s = snb_conf_section_at(c, i);
        if (snb_conf_find(c, s->name, s->instance) != s) abort();
        struct fz a;
        memset(&a, 0, sizeof(a));
        if (snb_conf_bind(c, s, opts, &a, err, sizeof(err)) == 0) {
            roundtrip(&a);
            continue;
        }
        check_err(err);
        /* "fuzz.conf:N: option 'pin': ..." must not quote the value. */
        const char *p = err + strspn(err, "fuzz.conf:0123456789");
        const char *tag = " option 'pin': ";
        if (strncmp(p, tag, strlen(tag)) == 0) {
            p += strlen(tag);
            if (strncmp(p, "<redacted>", 10) != 0 && strncmp(p, "'+='", 4) != 0) abort();
        }
    }
    snb_conf_free(c);
    return 0;
}
