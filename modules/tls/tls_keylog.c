/* The key log store (see tls_keylog.h): a chained hash table over a ring
 * of entries in arrival order, so the oldest is the one forgotten. */
#include <stdlib.h>
#include <string.h>

#include "tls_keylog.h"

typedef struct entry {
    uint8_t cr[TLS_RANDOM_LEN];
    struct entry *hnext;
    bool used;
    tls_secrets_t s;
} entry_t;

struct tls_keylog {
    snb_hash_key_t key;
    entry_t *ring; /* max entries, filled in order, then reused oldest first */
    size_t max, next;
    entry_t **buckets;
    size_t mask;
    tls_keylog_stats_t st;
};

static const struct {
    const char *label;
    enum tls_secret_kind kind;
} labels[] = {
    {"CLIENT_RANDOM", TLS_SECRET_MASTER},
    {"CLIENT_HANDSHAKE_TRAFFIC_SECRET", TLS_SECRET_CLIENT_HANDSHAKE},
    {"SERVER_HANDSHAKE_TRAFFIC_SECRET", TLS_SECRET_SERVER_HANDSHAKE},
    {"CLIENT_TRAFFIC_SECRET_0", TLS_SECRET_CLIENT_TRAFFIC},
    {"SERVER_TRAFFIC_SECRET_0", TLS_SECRET_SERVER_TRAFFIC},
};

/* Labels that are valid but of no use to us. */
static const char *const ignored[] = {"EXPORTER_SECRET", "EARLY_EXPORTER_SECRET",
                                      "CLIENT_EARLY_TRAFFIC_SECRET", "RSA", "RSA_SESSION_ID"};

tls_keylog_t *tls_keylog_new(size_t max_entries, const snb_hash_key_t *key)
{
    tls_keylog_t *kl = calloc(1, sizeof *kl);
    if (!kl) return NULL;
    kl->max = max_entries ? max_entries : 1;
    size_t nb = 16;
    while (nb < kl->max && nb < ((size_t)1 << 24))
        nb <<= 1;
    kl->mask = nb - 1;
    kl->key = *key;
    kl->ring = calloc(kl->max, sizeof *kl->ring);
    kl->buckets = calloc(nb, sizeof *kl->buckets);
    if (!kl->ring || !kl->buckets) {
        tls_keylog_free(kl);
        return NULL;
    }
    return kl;
}

static size_t bucket_of(const tls_keylog_t *kl, const uint8_t *cr)
{
    return (size_t)snb_hash_fixed(&kl->key, cr, TLS_RANDOM_LEN) & kl->mask;
}

static entry_t *find(const tls_keylog_t *kl, const uint8_t *cr)
{
    for (entry_t *e = kl->buckets[bucket_of(kl, cr)]; e; e = e->hnext)
        if (!memcmp(e->cr, cr, TLS_RANDOM_LEN)) return e;
    return NULL;
}

static void unlink_entry(tls_keylog_t *kl, entry_t *e)
{
    entry_t **pp = &kl->buckets[bucket_of(kl, e->cr)];
    while (*pp && *pp != e)
        pp = &(*pp)->hnext;
    if (*pp) *pp = e->hnext;
}

static entry_t *find_or_add(tls_keylog_t *kl, const uint8_t *cr)
{
    entry_t *e = find(kl, cr);
    if (e) return e;
    e = &kl->ring[kl->next];
    kl->next = (kl->next + 1) % kl->max;
    if (e->used) {
        unlink_entry(kl, e);
        kl->st.evicted++;
    } else {
        kl->st.entries++;
    }
    memset(e, 0, sizeof *e);
    e->used = true;
    memcpy(e->cr, cr, TLS_RANDOM_LEN);
    size_t b = bucket_of(kl, cr);
    e->hnext = kl->buckets[b];
    kl->buckets[b] = e;
    return e;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Exactly hex_len hex digits into out; false if anything else. */
static bool parse_hex(const char *p, size_t hex_len, uint8_t *out)
{
    for (size_t i = 0; i < hex_len / 2; i++) {
        int hi = hex_value(p[2 * i]), lo = hex_value(p[2 * i + 1]);
        if (hi < 0 || lo < 0) return false;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return true;
}

/* The next space-separated word of [*p, end); its length (0 at the end). */
static size_t next_word(const char **p, const char *end, const char **word)
{
    while (*p < end && (**p == ' ' || **p == '\t'))
        (*p)++;
    *word = *p;
    while (*p < end && **p != ' ' && **p != '\t')
        (*p)++;
    return (size_t)(*p - *word);
}

static bool word_is(const char *w, size_t n, const char *s)
{
    return strlen(s) == n && !memcmp(w, s, n);
}

static void add_line(tls_keylog_t *kl, const char *p, const char *end)
{
    while (end > p && (end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t'))
        end--;
    const char *label, *cr_hex, *secret_hex, *extra;
    size_t ln = next_word(&p, end, &label);
    if (ln == 0 || *label == '#') return;
    for (size_t i = 0; i < sizeof ignored / sizeof ignored[0]; i++)
        if (word_is(label, ln, ignored[i])) return;
    int kind = -1;
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
        if (word_is(label, ln, labels[i].label)) kind = (int)labels[i].kind;
    size_t cn = next_word(&p, end, &cr_hex), sn = next_word(&p, end, &secret_hex);
    size_t secret_len = sn / 2;
    uint8_t cr[TLS_RANDOM_LEN], secret[TLS_MAX_SECRET];
    bool ok = kind >= 0 && cn == 2 * TLS_RANDOM_LEN && sn % 2 == 0 &&
              next_word(&p, end, &extra) == 0 &&
              (kind == TLS_SECRET_MASTER ? secret_len == TLS_MASTER_LEN
                                         : secret_len == 32 || secret_len == 48) &&
              parse_hex(cr_hex, cn, cr) && parse_hex(secret_hex, sn, secret);
    if (!ok) {
        kl->st.bad_lines++;
        return;
    }
    entry_t *e = find_or_add(kl, cr);
    e->s.len[kind] = (uint8_t)secret_len;
    memcpy(e->s.secret[kind], secret, secret_len);
    kl->st.lines++;
}

void tls_keylog_add(tls_keylog_t *kl, const char *text, size_t len)
{
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *eol = nl ? nl : end;
        add_line(kl, p, eol);
        p = nl ? nl + 1 : end;
    }
}

const tls_secrets_t *tls_keylog_find(const tls_keylog_t *kl, const uint8_t cr[TLS_RANDOM_LEN])
{
    const entry_t *e = find(kl, cr);
    return e ? &e->s : NULL;
}

const tls_keylog_stats_t *tls_keylog_stats(const tls_keylog_t *kl)
{
    return &kl->st;
}

void tls_keylog_free(tls_keylog_t *kl)
{
    if (!kl) return;
    free(kl->ring);
    free(kl->buckets);
    free(kl);
}
