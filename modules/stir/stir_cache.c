/* See stir_cache.h. Chained buckets (power of two, about two per entry)
 * and an intrusive doubly linked LRU list. */
#include "stir_cache.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct entry {
    char *url;
    int64_t expires;
    uint64_t hash;
    struct entry *next_in_bucket;
    struct entry *newer, *older; /* LRU list */
} entry_t;

struct stir_cache {
    snb_hash_key_t key;
    entry_t **buckets;
    size_t mask, n, cap;
    entry_t *newest, *oldest;
    stir_cache_evict_cb cb;
    void *ud;
};

stir_cache_t *stir_cache_new(size_t cap, const snb_hash_key_t *key, stir_cache_evict_cb cb,
                             void *ud)
{
    stir_cache_t *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    size_t nb = 16;
    while (nb < 2 * cap && nb < ((size_t)1 << 24))
        nb *= 2;
    c->buckets = calloc(nb, sizeof *c->buckets);
    if (!c->buckets) {
        free(c);
        return NULL;
    }
    c->mask = nb - 1;
    c->cap = cap ? cap : 1;
    c->key = *key;
    c->cb = cb;
    c->ud = ud;
    return c;
}

static void unlink_lru(stir_cache_t *c, entry_t *e)
{
    if (e->newer)
        e->newer->older = e->older;
    else
        c->newest = e->older;
    if (e->older)
        e->older->newer = e->newer;
    else
        c->oldest = e->newer;
    e->newer = e->older = NULL;
}

static void push_newest(stir_cache_t *c, entry_t *e)
{
    e->older = c->newest;
    e->newer = NULL;
    if (c->newest) c->newest->newer = e;
    c->newest = e;
    if (!c->oldest) c->oldest = e;
}

static entry_t **find(stir_cache_t *c, const char *url, uint64_t h)
{
    entry_t **pp = &c->buckets[h & c->mask];
    while (*pp && ((*pp)->hash != h || strcmp((*pp)->url, url)))
        pp = &(*pp)->next_in_bucket;
    return pp;
}

static void drop(stir_cache_t *c, entry_t *e)
{
    entry_t **pp = find(c, e->url, e->hash);
    *pp = e->next_in_bucket;
    unlink_lru(c, e);
    c->n--;
    if (c->cb) c->cb(c->ud, e->url);
    free(e->url);
    free(e);
}

void stir_cache_free(stir_cache_t *c)
{
    if (!c) return;
    while (c->oldest)
        drop(c, c->oldest);
    free(c->buckets);
    free(c);
}

size_t stir_cache_count(const stir_cache_t *c)
{
    return c->n;
}

bool stir_cache_get(stir_cache_t *c, const char *url, int64_t now)
{
    uint64_t h = snb_hash_bytes(&c->key, url, strlen(url));
    entry_t *e = *find(c, url, h);
    if (!e) return false;
    if (now >= e->expires) {
        drop(c, e);
        return false;
    }
    unlink_lru(c, e);
    push_newest(c, e);
    return true;
}

int stir_cache_put(stir_cache_t *c, const char *url, int64_t expires)
{
    uint64_t h = snb_hash_bytes(&c->key, url, strlen(url));
    entry_t *e = *find(c, url, h);
    if (e) {
        e->expires = expires;
        unlink_lru(c, e);
        push_newest(c, e);
        return 0;
    }
    e = calloc(1, sizeof *e);
    if (!e || !(e->url = strdup(url))) {
        free(e);
        return -1;
    }
    while (c->n >= c->cap)
        drop(c, c->oldest);
    e->expires = expires;
    e->hash = h;
    entry_t **bucket = &c->buckets[h & c->mask];
    e->next_in_bucket = *bucket;
    *bucket = e;
    push_newest(c, e);
    c->n++;
    return 0;
}

/* Cache-Control directives (RFC 9111 §5.2): comma-separated, case-blind
 * names; max-age's value may be quoted. Returns the max-age or -1, and
 * whether no-store or no-cache was seen. */
static int64_t parse_cache_control(const char *s, bool *forbid)
{
    int64_t max_age = -1;
    *forbid = false;
    while (s && *s) {
        while (*s == ' ' || *s == '\t' || *s == ',')
            s++;
        const char *name = s;
        while (*s && *s != '=' && *s != ',' && *s != ' ' && *s != '\t')
            s++;
        size_t len = (size_t)(s - name);
        while (*s == ' ' || *s == '\t')
            s++;
        const char *value = NULL;
        if (*s == '=') {
            value = ++s;
            while (*s && *s != ',')
                s++;
        }
        if ((len == 8 && !strncasecmp(name, "no-store", 8)) ||
            (len == 8 && !strncasecmp(name, "no-cache", 8)))
            *forbid = true;
        else if (len == 7 && !strncasecmp(name, "max-age", 7) && value) {
            if (*value == '"') value++;
            if (isdigit((unsigned char)*value)) {
                int64_t v = 0;
                while (isdigit((unsigned char)*value) && v < 1000000000)
                    v = v * 10 + (*value++ - '0');
                if (max_age < 0 || v < max_age) max_age = v; /* the stricter of two */
            }
        }
    }
    return max_age;
}

int64_t stir_cache_expiry(const char *cache_control, int64_t now, int64_t not_after,
                          int64_t default_ttl)
{
    bool forbid;
    int64_t max_age = parse_cache_control(cache_control, &forbid);
    if (forbid) return -1;
    int64_t expires = now + (max_age >= 0 ? max_age : default_ttl);
    if (expires > not_after) expires = not_after;
    return expires > now ? expires : -1;
}
