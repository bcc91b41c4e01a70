/* The config model (sections, entries, an arena) and the INI lexer/parser.
 * Lookups go through small hash tables so that hostile input (10,000 keys,
 * a 1 MiB file of repeated lines) stays linear. */
#include "conf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- arena ------------------------------------------------------------ */

#define ARENA_BLOCK 16384

struct arena_block {
    struct arena_block *next;
    size_t used, cap;
    max_align_t data[];
};

struct sect {
    snb_conf_section_t pub;
    snb_conf_entry_t *entries;
    size_t cap;
    size_t *vlen, *vcap; /* per entry: value length and buffer size, for cheap += */
};

struct snb_conf {
    struct sect **sects;
    size_t n_sects, cap_sects;
    uint32_t *sect_tab; /* open addressing: section index + 1, 0 = empty */
    size_t sect_tab_cap;
    uint64_t *ent_tab; /* (section index + 1) << 32 | entry index; 0 = empty */
    size_t ent_tab_cap;
    size_t n_entries;
    char **origins; /* interned file names the entries point at */
    size_t n_origins, cap_origins;
    struct arena_block *arena;
};

void *snb_conf_alloc(snb_conf_t *conf, size_t size)
{
    const size_t al = alignof(max_align_t);
    if (!conf || size > SIZE_MAX / 2) return NULL;
    size = (size + al - 1) / al * al;
    if (size == 0) size = al;
    struct arena_block *b = conf->arena;
    if (b && b->cap - b->used >= size) {
        void *p = (char *)b->data + b->used;
        b->used += size;
        return p;
    }
    size_t cap = size > ARENA_BLOCK / 4 ? size : ARENA_BLOCK;
    struct arena_block *nb = malloc(sizeof(*nb) + cap);
    if (!nb) return NULL;
    nb->cap = cap;
    nb->used = size;
    if (b && cap == size) {
        /* A big one-off block goes behind the head so the head's free space
         * stays usable. */
        nb->next = b->next;
        b->next = nb;
    } else {
        nb->next = b;
        conf->arena = nb;
    }
    return nb->data;
}

char *snb_conf_strdup(snb_conf_t *conf, const char *s)
{
    if (!s) return NULL;
    size_t n = strlen(s);
    char *p = snb_conf_alloc(conf, n + 1);
    if (p) memcpy(p, s, n + 1);
    return p;
}

/* ---- model ------------------------------------------------------------ */

snb_conf_t *snb_conf_new(void)
{
    return calloc(1, sizeof(snb_conf_t));
}

void snb_conf_free(snb_conf_t *conf)
{
    if (!conf) return;
    for (size_t i = 0; i < conf->n_sects; i++) {
        struct sect *s = conf->sects[i];
        for (size_t j = 0; j < s->pub.n_entries; j++) {
            free((char *)s->entries[j].key);
            free((char *)s->entries[j].value);
        }
        free(s->entries);
        free(s->vlen);
        free(s->vcap);
        free((char *)s->pub.name);
        free((char *)s->pub.instance);
        free(s);
    }
    free(conf->sects);
    free(conf->sect_tab);
    free(conf->ent_tab);
    for (size_t i = 0; i < conf->n_origins; i++)
        free(conf->origins[i]);
    free(conf->origins);
    struct arena_block *b = conf->arena;
    while (b) {
        struct arena_block *next = b->next;
        free(b);
        b = next;
    }
    free(conf);
}

size_t snb_conf_section_count(const snb_conf_t *conf)
{
    return conf ? conf->n_sects : 0;
}

const snb_conf_section_t *snb_conf_section_at(const snb_conf_t *conf, size_t i)
{
    if (!conf || i >= conf->n_sects) return NULL;
    return &conf->sects[i]->pub;
}

static uint64_t fnv(uint64_t h, const char *s)
{
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static uint64_t sect_hash(const char *name, const char *instance)
{
    uint64_t h = fnv(14695981039346656037ull, name);
    h = (h ^ (instance ? 0x1ff : 0x2ff)) * 1099511628211ull;
    return instance ? fnv(h, instance) : h;
}

static bool sect_match(const struct sect *s, const char *name, const char *instance)
{
    if (strcmp(s->pub.name, name) != 0) return false;
    if (!s->pub.instance || !instance) return !s->pub.instance && !instance;
    return strcmp(s->pub.instance, instance) == 0;
}

/* Returns the section index, or -1. */
static long sect_lookup(const snb_conf_t *conf, const char *name, const char *instance)
{
    if (!conf->sect_tab_cap) return -1;
    size_t mask = conf->sect_tab_cap - 1;
    for (size_t i = sect_hash(name, instance) & mask;; i = (i + 1) & mask) {
        uint32_t v = conf->sect_tab[i];
        if (!v) return -1;
        if (sect_match(conf->sects[v - 1], name, instance)) return (long)v - 1;
    }
}

static int sect_tab_grow(snb_conf_t *conf)
{
    size_t cap = conf->sect_tab_cap ? conf->sect_tab_cap * 2 : 64;
    uint32_t *t = calloc(cap, sizeof(*t));
    if (!t) return -1;
    for (size_t k = 0; k < conf->n_sects; k++) {
        const struct sect *s = conf->sects[k];
        size_t i = sect_hash(s->pub.name, s->pub.instance) & (cap - 1);
        while (t[i])
            i = (i + 1) & (cap - 1);
        t[i] = (uint32_t)k + 1;
    }
    free(conf->sect_tab);
    conf->sect_tab = t;
    conf->sect_tab_cap = cap;
    return 0;
}

const snb_conf_section_t *snb_conf_find(const snb_conf_t *conf, const char *name,
                                        const char *instance)
{
    if (!conf || !name) return NULL;
    long i = sect_lookup(conf, name, instance);
    return i < 0 ? NULL : &conf->sects[i]->pub;
}

static const char *intern_origin(snb_conf_t *conf, const char *origin)
{
    for (size_t i = 0; i < conf->n_origins; i++)
        if (strcmp(conf->origins[i], origin) == 0) return conf->origins[i];
    if (conf->n_origins == conf->cap_origins) {
        size_t cap = conf->cap_origins ? conf->cap_origins * 2 : 8;
        char **o = realloc(conf->origins, cap * sizeof(*o));
        if (!o) return NULL;
        conf->origins = o;
        conf->cap_origins = cap;
    }
    char *copy = strdup(origin);
    if (!copy) return NULL;
    conf->origins[conf->n_origins++] = copy;
    return copy;
}

enum { E_OK = 0, E_NOMEM = -1, E_LIMIT = -2 };

/* Find or create a section; *idx gets its index. */
static int sect_get(snb_conf_t *conf, const char *name, const char *instance, const char *file,
                    int line, size_t *idx)
{
    long i = sect_lookup(conf, name, instance);
    if (i >= 0) {
        *idx = (size_t)i;
        return E_OK;
    }
    if (conf->n_sects >= SNB_CONF_MAX_SECTIONS) return E_LIMIT;
    if ((conf->n_sects + 1) * 2 > conf->sect_tab_cap && sect_tab_grow(conf) < 0) return E_NOMEM;
    if (conf->n_sects == conf->cap_sects) {
        size_t cap = conf->cap_sects ? conf->cap_sects * 2 : 16;
        struct sect **s = realloc(conf->sects, cap * sizeof(*s));
        if (!s) return E_NOMEM;
        conf->sects = s;
        conf->cap_sects = cap;
    }
    struct sect *s = calloc(1, sizeof(*s));
    if (!s) return E_NOMEM;
    s->pub.name = strdup(name);
    s->pub.instance = instance ? strdup(instance) : NULL;
    s->pub.file = file;
    s->pub.line = line;
    if (!s->pub.name || (instance && !s->pub.instance)) {
        free((char *)s->pub.name);
        free((char *)s->pub.instance);
        free(s);
        return E_NOMEM;
    }
    size_t k = conf->n_sects++;
    conf->sects[k] = s;
    size_t mask = conf->sect_tab_cap - 1;
    size_t h = sect_hash(name, instance) & mask;
    while (conf->sect_tab[h])
        h = (h + 1) & mask;
    conf->sect_tab[h] = (uint32_t)k + 1;
    *idx = k;
    return E_OK;
}

static uint64_t ent_hash(size_t sidx, const char *key)
{
    return fnv((14695981039346656037ull ^ sidx) * 1099511628211ull, key);
}

static long ent_lookup(const snb_conf_t *conf, size_t sidx, const char *key)
{
    if (!conf->ent_tab_cap) return -1;
    size_t mask = conf->ent_tab_cap - 1;
    for (size_t i = ent_hash(sidx, key) & mask;; i = (i + 1) & mask) {
        uint64_t v = conf->ent_tab[i];
        if (!v) return -1;
        size_t s = (size_t)(v >> 32) - 1, e = (size_t)(v & 0xffffffffu);
        if (s == sidx && strcmp(conf->sects[s]->entries[e].key, key) == 0) return (long)e;
    }
}

static void ent_tab_put(uint64_t *t, size_t cap, size_t sidx, size_t eidx, const char *key)
{
    size_t i = ent_hash(sidx, key) & (cap - 1);
    while (t[i])
        i = (i + 1) & (cap - 1);
    t[i] = ((uint64_t)(sidx + 1) << 32) | eidx;
}

static int ent_tab_grow(snb_conf_t *conf)
{
    size_t cap = conf->ent_tab_cap ? conf->ent_tab_cap * 2 : 256;
    uint64_t *t = calloc(cap, sizeof(*t));
    if (!t) return -1;
    for (size_t s = 0; s < conf->n_sects; s++)
        for (size_t e = 0; e < conf->sects[s]->pub.n_entries; e++)
            ent_tab_put(t, cap, s, e, conf->sects[s]->entries[e].key);
    free(conf->ent_tab);
    conf->ent_tab = t;
    conf->ent_tab_cap = cap;
    return 0;
}

static char *memdup0(const char *p, size_t n, size_t *cap)
{
    char *s = malloc(n + 1);
    if (!s) return NULL;
    memcpy(s, p, n);
    s[n] = '\0';
    *cap = n + 1;
    return s;
}

/* The one place values are merged: `=` replaces, `+=` appends with ", ". */
static int entry_set(snb_conf_t *conf, size_t sidx, const char *key, const char *val, size_t vlen,
                     bool append, const char *file, int line)
{
    struct sect *s = conf->sects[sidx];
    long found = ent_lookup(conf, sidx, key);
    if (found >= 0) {
        size_t e = (size_t)found;
        snb_conf_entry_t *ent = &s->entries[e];
        if (!append) {
            size_t cap;
            char *nv = memdup0(val, vlen, &cap);
            if (!nv) return E_NOMEM;
            free((char *)ent->value);
            ent->value = nv;
            s->vlen[e] = vlen;
            s->vcap[e] = cap;
            ent->append = false;
            ent->extends_default = false;
        } else if (vlen > 0) {
            size_t old = s->vlen[e], sep = old ? 2 : 0;
            size_t need = old + sep + vlen + 1;
            if (need > s->vcap[e]) {
                size_t cap = s->vcap[e] * 2 > need ? s->vcap[e] * 2 : need;
                char *nv = realloc((char *)ent->value, cap);
                if (!nv) return E_NOMEM;
                ent->value = nv;
                s->vcap[e] = cap;
            }
            char *v = (char *)ent->value;
            if (sep) memcpy(v + old, ", ", 2);
            memcpy(v + old + sep, val, vlen);
            v[old + sep + vlen] = '\0';
            s->vlen[e] = old + sep + vlen;
        }
        if (append) ent->append = true;
        ent->file = file;
        ent->line = line;
        return E_OK;
    }
    if (conf->n_entries >= SNB_CONF_MAX_ENTRIES) return E_LIMIT;
    if ((conf->n_entries + 1) * 2 > conf->ent_tab_cap && ent_tab_grow(conf) < 0) return E_NOMEM;
    if (s->pub.n_entries == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 8;
        snb_conf_entry_t *ne = realloc(s->entries, cap * sizeof(*ne));
        if (!ne) return E_NOMEM;
        s->entries = ne;
        s->pub.entries = ne;
        size_t *nl = realloc(s->vlen, cap * sizeof(*nl));
        if (!nl) return E_NOMEM;
        s->vlen = nl;
        size_t *nc = realloc(s->vcap, cap * sizeof(*nc));
        if (!nc) return E_NOMEM;
        s->vcap = nc;
        s->cap = cap;
    }
    size_t e = s->pub.n_entries;
    size_t cap;
    char *k = strdup(key);
    char *v = memdup0(val, vlen, &cap);
    if (!k || !v) {
        free(k);
        free(v);
        return E_NOMEM;
    }
    s->entries[e] = (snb_conf_entry_t){.key = k,
                                       .value = v,
                                       .append = append,
                                       .file = file,
                                       .line = line,
                                       .extends_default = append};
    s->vlen[e] = vlen;
    s->vcap[e] = cap;
    s->pub.n_entries++;
    conf->n_entries++;
    ent_tab_put(conf->ent_tab, conf->ent_tab_cap, sidx, e, key);
    return E_OK;
}

/* ---- lexer helpers ---------------------------------------------------- */

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static bool is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static bool valid_name(const char *s)
{
    if (!s || !*s) return false;
    for (; *s; s++)
        if (!is_name_char(*s)) return false;
    return true;
}

static bool valid_instance(const char *s)
{
    if (!s) return true;
    if (!*s) return false;
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 && *s != '\t') return false;
    return true;
}

/* Copy a token for an error message: printable, short, one line. */
static void show(char *dst, size_t dstlen, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0, limit = 40;
    if (dstlen == 0) return;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (i >= limit || o + 8 >= dstlen) {
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
    dst[o] = '\0';
}

__attribute__((format(printf, 5, 6))) static int fail(char *err, size_t errlen, const char *file,
                                                      int line, const char *fmt, ...)
{
    char msg[SNB_CONF_ERRLEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (err && errlen) {
        if (line > 0)
            snprintf(err, errlen, "%s:%d: %s", file, line, msg);
        else
            snprintf(err, errlen, "%s: %s", file, msg);
    }
    return -1;
}

static int limit_error(int rc, char *err, size_t errlen, const char *file, int line)
{
    if (rc == E_LIMIT)
        return fail(err, errlen, file, line, "too many entries (max %d)", SNB_CONF_MAX_ENTRIES);
    return fail(err, errlen, file, line, "out of memory");
}

int snb_conf_section_label(const snb_conf_section_t *section, char *buf, size_t len)
{
    if (!section) return snprintf(buf, len, "[]");
    if (!section->instance) return snprintf(buf, len, "[%s]", section->name);
    char inst[128];
    size_t o = 0;
    for (const char *p = section->instance; *p && o + 6 < sizeof(inst); p++) {
        if (*p == '"' || *p == '\\') inst[o++] = '\\';
        inst[o++] = *p;
        if (p[1] && o + 6 >= sizeof(inst)) {
            memcpy(inst + o, "...", 3);
            o += 3;
        }
    }
    inst[o] = '\0';
    return snprintf(buf, len, "[%s \"%s\"]", section->name, inst);
}

/* ---- parser ----------------------------------------------------------- */

struct pstate {
    snb_conf_t *conf;
    const char *file;
    int line;
    long cur; /* current section index, -1 before the first header */
    char *err;
    size_t errlen;
    char buf[SNB_CONF_MAX_LINE + 1]; /* decoded token; never longer than its line */
};

static int parse_header(struct pstate *st, const char *p, size_t n, size_t i)
{
    char tok[64];
    i++; /* '[' */
    while (i < n && is_blank(p[i]))
        i++;
    size_t ns = i;
    while (i < n && is_name_char(p[i]))
        i++;
    size_t ne = i;
    if (i < n && !is_blank(p[i]) && p[i] != '"' && p[i] != ']') {
        while (i < n && !is_blank(p[i]) && p[i] != '"' && p[i] != ']')
            i++;
        show(tok, sizeof(tok), p + ns, i - ns);
        return fail(st->err, st->errlen, st->file, st->line, "invalid section name '%s'", tok);
    }
    if (i >= n) return fail(st->err, st->errlen, st->file, st->line, "unterminated section header");
    if (ne == ns) return fail(st->err, st->errlen, st->file, st->line, "invalid section name ''");
    char name[SNB_CONF_MAX_LINE + 1];
    for (size_t k = ns; k < ne; k++)
        name[k - ns] = lower(p[k]);
    name[ne - ns] = '\0';

    while (i < n && is_blank(p[i]))
        i++;
    bool has_inst = false;
    size_t il = 0;
    if (i < n && p[i] == '"') {
        has_inst = true;
        i++;
        for (;;) {
            if (i >= n)
                return fail(st->err, st->errlen, st->file, st->line, "unterminated section header");
            char c = p[i++];
            if (c == '"') break;
            if (c == '\\') {
                if (i >= n)
                    return fail(st->err, st->errlen, st->file, st->line,
                                "unterminated section header");
                c = p[i++];
                if (c != '"' && c != '\\') {
                    show(tok, sizeof(tok), &c, 1);
                    return fail(st->err, st->errlen, st->file, st->line,
                                "invalid escape '\\%s' in section header", tok);
                }
            }
            st->buf[il++] = c;
        }
        st->buf[il] = '\0';
        if (il == 0)
            return fail(st->err, st->errlen, st->file, st->line,
                        "empty instance name in section header");
        while (i < n && is_blank(p[i]))
            i++;
    }
    if (i >= n) return fail(st->err, st->errlen, st->file, st->line, "unterminated section header");
    if (p[i] != ']')
        return fail(st->err, st->errlen, st->file, st->line,
                    "invalid section header (expected [name] or [name \"instance\"])");
    i++;
    while (i < n && is_blank(p[i]))
        i++;
    if (i < n && p[i] != '#' && p[i] != ';')
        return fail(st->err, st->errlen, st->file, st->line,
                    "unexpected text after section header");
    size_t idx;
    int rc = sect_get(st->conf, name, has_inst ? st->buf : NULL, st->file, st->line, &idx);
    if (rc == E_LIMIT)
        return fail(st->err, st->errlen, st->file, st->line, "too many sections (max %d)",
                    SNB_CONF_MAX_SECTIONS);
    if (rc) return limit_error(rc, st->err, st->errlen, st->file, st->line);
    st->cur = (long)idx;
    return 0;
}

static int parse_assignment(struct pstate *st, const char *p, size_t n, size_t i)
{
    char tok[64];
    size_t ks = i;
    while (i < n && is_name_char(p[i]))
        i++;
    size_t ke = i;
    bool ok_next =
        i >= n || is_blank(p[i]) || p[i] == '=' || (p[i] == '+' && i + 1 < n && p[i + 1] == '=');
    if (ke == ks && i < n && p[i] == '=')
        return fail(st->err, st->errlen, st->file, st->line, "missing key before '='");
    if (ke == ks || !ok_next) {
        while (i < n && !is_blank(p[i]) && p[i] != '=')
            i++;
        show(tok, sizeof(tok), p + ks, i - ks);
        return fail(st->err, st->errlen, st->file, st->line, "invalid key '%s'", tok);
    }
    char key[SNB_CONF_MAX_LINE + 1];
    for (size_t k = ks; k < ke; k++)
        key[k - ks] = lower(p[k]);
    key[ke - ks] = '\0';
    show(tok, sizeof(tok), key, ke - ks);

    while (i < n && is_blank(p[i]))
        i++;
    bool append = false;
    if (i + 1 < n && p[i] == '+' && p[i + 1] == '=') {
        append = true;
        i += 2;
    } else if (i < n && p[i] == '=') {
        i++;
    } else {
        return fail(st->err, st->errlen, st->file, st->line, "expected '=' after key '%s'", tok);
    }
    if (st->cur < 0)
        return fail(st->err, st->errlen, st->file, st->line, "key '%s' is outside of any section",
                    tok);

    while (i < n && is_blank(p[i]))
        i++;
    size_t vs = i, len = 0, keep = 0;
    while (i < n) {
        char c = p[i];
        if (c == '"') {
            i++;
            for (;;) {
                if (i >= n)
                    return fail(st->err, st->errlen, st->file, st->line,
                                "unterminated quoted value");
                c = p[i++];
                if (c == '"') break;
                if (c == '\\') {
                    if (i >= n)
                        return fail(st->err, st->errlen, st->file, st->line,
                                    "unterminated quoted value");
                    c = p[i++];
                    switch (c) {
                    case '"':
                    case '\\':
                        break;
                    case 'n':
                        c = '\n';
                        break;
                    case 't':
                        c = '\t';
                        break;
                    default:
                        show(tok, sizeof(tok), &c, 1);
                        return fail(st->err, st->errlen, st->file, st->line,
                                    "invalid escape '\\%s' in quoted value", tok);
                    }
                }
                st->buf[len++] = c;
            }
            keep = len; /* quoted whitespace is never trimmed */
            continue;
        }
        if ((c == '#' || c == ';') && (i == vs || is_blank(p[i - 1]))) break;
        st->buf[len++] = c;
        if (!is_blank(c)) keep = len;
        i++;
    }
    int rc = entry_set(st->conf, (size_t)st->cur, key, st->buf, keep, append, st->file, st->line);
    if (rc) return limit_error(rc, st->err, st->errlen, st->file, st->line);
    return 0;
}

static int parse_line(struct pstate *st, const char *p, size_t n)
{
    size_t i = 0;
    while (i < n && is_blank(p[i]))
        i++;
    if (i >= n || p[i] == '#' || p[i] == ';') return 0;
    if (p[i] == '[') return parse_header(st, p, n, i);
    return parse_assignment(st, p, n, i);
}

int snb_conf_parse_string(snb_conf_t *conf, const char *text, size_t len, const char *origin,
                          char *err, size_t errlen)
{
    if (err && errlen) err[0] = '\0';
    if (!origin) origin = "<string>";
    if (!conf || (!text && len)) return fail(err, errlen, origin, 0, "invalid arguments");
    if (len > SNB_CONF_MAX_FILE)
        return fail(err, errlen, origin, 0, "file too large (max %d bytes)", SNB_CONF_MAX_FILE);
    struct pstate *st = malloc(sizeof(*st));
    if (!st) return fail(err, errlen, origin, 0, "out of memory");
    st->conf = conf;
    st->file = intern_origin(conf, origin);
    st->cur = -1;
    st->err = err;
    st->errlen = errlen;
    st->line = 0;
    int rc = 0;
    if (!st->file) {
        rc = fail(err, errlen, origin, 0, "out of memory");
        goto out;
    }
    size_t pos = 0;
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) pos = 3; /* UTF-8 BOM */
    while (pos < len) {
        st->line++;
        const char *p = text + pos;
        const char *nl = memchr(p, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - p) : len - pos;
        pos += n + (nl ? 1 : 0);
        if (n && p[n - 1] == '\r') n--; /* CRLF */
        if (n > SNB_CONF_MAX_LINE) {
            rc = fail(err, errlen, st->file, st->line, "line too long (max %d bytes)",
                      SNB_CONF_MAX_LINE);
            goto out;
        }
        for (size_t k = 0; k < n; k++) {
            unsigned char c = (unsigned char)p[k];
            if (c == 0) {
                rc = fail(err, errlen, st->file, st->line, "NUL byte in line");
                goto out;
            }
            if (c < 0x20 && c != '\t') {
                rc = fail(err, errlen, st->file, st->line, "control character 0x%02x in line", c);
                goto out;
            }
        }
        rc = parse_line(st, p, n);
        if (rc) goto out;
    }
out:
    free(st);
    return rc;
}

int snb_conf_parse_file(snb_conf_t *conf, const char *path, char *err, size_t errlen)
{
    if (err && errlen) err[0] = '\0';
    if (!path) return fail(err, errlen, "<null>", 0, "invalid arguments");
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return fail(err, errlen, path, 0, "%s", strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) < 0) {
        int e = errno;
        close(fd);
        return fail(err, errlen, path, 0, "%s", strerror(e));
    }
    if (S_ISDIR(sb.st_mode)) {
        close(fd);
        return fail(err, errlen, path, 0, "%s", strerror(EISDIR));
    }
    if (S_ISREG(sb.st_mode) && sb.st_size > SNB_CONF_MAX_FILE) {
        close(fd);
        return fail(err, errlen, path, 0, "file too large (max %d bytes)", SNB_CONF_MAX_FILE);
    }
    /* Read at most one byte past the limit: pipes and /proc files have no
     * honest st_size. */
    size_t cap = S_ISREG(sb.st_mode) ? (size_t)sb.st_size + 1 : 4096, len = 0;
    char *buf = malloc(cap);
    if (!buf) {
        close(fd);
        return fail(err, errlen, path, 0, "out of memory");
    }
    for (;;) {
        if (len == cap) {
            size_t ncap = cap * 2 > SNB_CONF_MAX_FILE + 1 ? SNB_CONF_MAX_FILE + 1 : cap * 2;
            if (ncap <= cap) break;
            char *nb = realloc(buf, ncap);
            if (!nb) {
                free(buf);
                close(fd);
                return fail(err, errlen, path, 0, "out of memory");
            }
            buf = nb;
            cap = ncap;
        }
        ssize_t r = read(fd, buf + len, cap - len);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            int e = errno;
            free(buf);
            close(fd);
            return fail(err, errlen, path, 0, "%s", strerror(e));
        }
        if (r == 0) break;
        len += (size_t)r;
        if (len > SNB_CONF_MAX_FILE) break;
    }
    close(fd);
    int rc = snb_conf_parse_string(conf, buf, len, path, err, errlen);
    free(buf);
    return rc;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_conf_name(const char *n)
{
    size_t l = strlen(n);
    return n[0] != '.' && l > 5 && strcmp(n + l - 5, ".conf") == 0;
}

int snb_conf_load(snb_conf_t *conf, const char *main_path, const char *confd_dir, char *err,
                  size_t errlen)
{
    if (snb_conf_parse_file(conf, main_path, err, errlen) < 0) return -1;
    if (!confd_dir) return 0;
    DIR *d = opendir(confd_dir);
    if (!d) {
        if (errno == ENOENT) return 0;
        return fail(err, errlen, confd_dir, 0, "%s", strerror(errno));
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (!is_conf_name(de->d_name)) continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            char **nn = realloc(names, cap * sizeof(*nn));
            if (!nn) {
                rc = fail(err, errlen, confd_dir, 0, "out of memory");
                goto out;
            }
            names = nn;
        }
        if (!(names[n] = strdup(de->d_name))) {
            rc = fail(err, errlen, confd_dir, 0, "out of memory");
            goto out;
        }
        n++;
    }
    if (n) qsort(names, n, sizeof(*names), cmp_names);
    for (size_t i = 0; i < n && rc == 0; i++) {
        size_t plen = strlen(confd_dir) + strlen(names[i]) + 2;
        char *path = malloc(plen);
        if (!path) {
            rc = fail(err, errlen, confd_dir, 0, "out of memory");
            break;
        }
        snprintf(path, plen, "%s/%s", confd_dir, names[i]);
        struct stat sb;
        if (stat(path, &sb) < 0)
            rc = fail(err, errlen, path, 0, "%s", strerror(errno));
        else if (S_ISREG(sb.st_mode)) /* skip directories and devices named *.conf */
            rc = snb_conf_parse_file(conf, path, err, errlen);
        free(path);
    }
out:
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    closedir(d);
    return rc;
}

int snb_conf_set(snb_conf_t *conf, const char *section, const char *instance, const char *key,
                 const char *value, bool append, const char *origin, int line)
{
    if (!conf || !valid_name(section) || !valid_name(key) || !valid_instance(instance)) return -1;
    if (!value) value = "";
    if (!origin) origin = "command line";
    size_t sl = strlen(section), kl = strlen(key);
    char *lname = malloc(sl + kl + 2);
    if (!lname) return -1;
    char *lkey = lname + sl + 1;
    for (size_t i = 0; i <= sl; i++)
        lname[i] = lower(section[i]);
    for (size_t i = 0; i <= kl; i++)
        lkey[i] = lower(key[i]);
    int rc = -1;
    const char *file = intern_origin(conf, origin);
    size_t idx;
    if (file && sect_get(conf, lname, instance, file, line, &idx) == E_OK &&
        entry_set(conf, idx, lkey, value, strlen(value), append, file, line) == E_OK)
        rc = 0;
    free(lname);
    return rc;
}
