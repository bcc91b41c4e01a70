/* The API process's copy of dialogs, streams and counters (see api_store.h).
 *
 * Dialogs: a chained hash by Call-ID for lookup, and a skip list ordered by
 * (created_us, arrival) for listing, so inserts are O(log n) whatever order
 * the capture process sends them in (a resync may come in hash order).
 * Streams: a hash by id, a skip list by id, and per-SSRC groups whose head
 * is the most recently stored stream. Hashes are SipHash-1-3 with a random
 * key: Call-IDs and SSRCs come from the network. */
#include "api_store.h"
#include "api_alerts.h"
#include "api_slab.h"

#include "sipnab/hash.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

static const char *const state_names[API_STATE_COUNT] = {
    "Trying",     "Ringing", "InCall",  "Completed", "Failed",     "Cancelled",
    "Registered", "Expired", "Pending", "Active",    "Terminated", "Transferring",
};

const char *api_state_name(unsigned state)
{
    return state < API_STATE_COUNT ? state_names[state] : NULL;
}

int api_state_from(const char *name)
{
    if (!name) return -1;
    for (int i = 0; i < API_STATE_COUNT; i++)
        if (strcasecmp(name, state_names[i]) == 0) return i;
    return -1;
}

/* ---- intrusive chained hash ------------------------------------------- */

typedef struct hnode {
    struct hnode *next;
    uint64_t hash;
} hnode_t;

typedef struct htab {
    hnode_t **b;
    size_t mask, count;
} htab_t;

static hnode_t *htab_first(const htab_t *t, uint64_t hash)
{
    return t->b ? t->b[hash & t->mask] : NULL;
}

static int htab_grow(htab_t *t, size_t *bytes)
{
    size_t n = t->b ? (t->mask + 1) * 2 : 64;
    hnode_t **nb = calloc(n, sizeof *nb);
    if (!nb) return -1;
    if (t->b) {
        for (size_t i = 0; i <= t->mask; i++) {
            hnode_t *h = t->b[i];
            while (h) {
                hnode_t *next = h->next;
                h->next = nb[h->hash & (n - 1)];
                nb[h->hash & (n - 1)] = h;
                h = next;
            }
        }
        *bytes -= (t->mask + 1) * sizeof *t->b;
        free(t->b);
    }
    *bytes += n * sizeof *nb;
    t->b = nb;
    t->mask = n - 1;
    return 0;
}

/* Make room for one more entry up front, so an insert cannot fail later. */
static int htab_reserve(htab_t *t, size_t *bytes)
{
    if (t->b && t->count < t->mask + 1) return 0;
    return htab_grow(t, bytes);
}

static void htab_insert(htab_t *t, hnode_t *h)
{
    hnode_t **slot = &t->b[h->hash & t->mask];
    h->next = *slot;
    *slot = h;
    t->count++;
}

static void htab_remove(htab_t *t, hnode_t *h)
{
    for (hnode_t **pp = &t->b[h->hash & t->mask]; *pp; pp = &(*pp)->next) {
        if (*pp == h) {
            *pp = h->next;
            t->count--;
            return;
        }
    }
}

/* ---- skip list by a (k1, k2) key -------------------------------------- */

#define ORD_LEVELS 20 /* p = 1/4: plenty beyond 10^11 entries */

typedef struct ord_node {
    uint64_t k1, k2;
    struct ord_node **next; /* `level` links, allocated right after the owner */
    unsigned level;
} ord_node_t;

typedef struct ord_list {
    ord_node_t *head[ORD_LEVELS];
} ord_list_t;

static bool ord_less(const ord_node_t *a, uint64_t k1, uint64_t k2)
{
    return a->k1 < k1 || (a->k1 == k1 && a->k2 < k2);
}

/* Slots (per level) holding the first node not less than (k1, k2). */
static void ord_find(ord_list_t *l, uint64_t k1, uint64_t k2, ord_node_t ***slots)
{
    ord_node_t **links = l->head;
    for (unsigned i = ORD_LEVELS; i-- > 0;) {
        while (links[i] && ord_less(links[i], k1, k2))
            links = links[i]->next;
        slots[i] = &links[i];
    }
}

static void ord_insert(ord_list_t *l, ord_node_t *n)
{
    ord_node_t **slots[ORD_LEVELS];
    ord_find(l, n->k1, n->k2, slots);
    for (unsigned i = 0; i < n->level; i++) {
        n->next[i] = *slots[i];
        *slots[i] = n;
    }
}

static void ord_remove(ord_list_t *l, ord_node_t *n)
{
    ord_node_t **slots[ORD_LEVELS];
    ord_find(l, n->k1, n->k2, slots);
    for (unsigned i = 0; i < n->level; i++)
        if (*slots[i] == n) *slots[i] = n->next[i];
}

/* ---- the store -------------------------------------------------------- */

/* A record's memory: its strings in one blob, and its filter values apart
 * (values_alloc); rec_mem_alloc and rec_mem_free handle both. */
typedef struct rec_mem {
    char *blob;
    char *hot;
    size_t hot_size;
    size_t size; /* blob and hot, for the store's byte count */
} rec_mem_t;

/* ord is last, so its links follow it (node_alloc) and sit beside d.values,
 * which ends d: a filtered scan of every dialog reads one or two adjacent
 * cache lines of each node, not four. */
typedef struct dnode {
    hnode_t h;
    rec_mem_t mem; /* d's strings and values */
    size_t node_size;
    api_dialog_t d;
    ord_node_t ord;
} dnode_t;

typedef struct sgroup sgroup_t;

typedef struct snode {
    hnode_t h;     /* by id */
    rec_mem_t mem; /* st's strings and values */
    size_t node_size;
    sgroup_t *grp;
    struct snode *gprev, *gnext; /* in grp, most recently stored first */
    api_stream_t st;
    ord_node_t ord; /* last, as in dnode_t */
} snode_t;

struct sgroup {
    hnode_t h; /* by ssrc */
    uint32_t ssrc;
    snode_t *head;
};

struct api_store {
    snb_hash_key_t key; /* Call-IDs come from packets: hashed under a random key */
    uint64_t rng;       /* skip list levels */
    uint64_t arrival;   /* tie-break of equal created_us */
    uint64_t now_us;    /* api_store_set_now */
    htab_t dialogs, streams, groups;
    ord_list_t dorder, sorder;
    json_t *counters;
    size_t counters_bytes;
    api_alerts_t *alerts; /* security alerts (GET /v1/alerts) */
    size_t bytes;
    api_store_totals_t totals;
    /* PDD of the dialogs held: a count per millisecond up to PDD_DIRECT_MS,
     * the rare longer ones in a plain array; exact percentiles without a
     * sort per request. */
    uint32_t *pdd_ms_count;
    int32_t *pdd_long;
    size_t n_pdd_long, cap_pdd_long;
    /* the filter field tables (API_FRAME_FIELDS) */
    api_field_table_t dtable, stable;
    char **kinds; /* diagnosis kinds, bit i of diag_flags */
    size_t n_kinds;
    /* list nodes, dense (api_slab.h): [0] up to SLAB_LINKS links, [1] more */
    api_slab_t dslab[2], sslab[2];
    api_slab_sizes_t hot; /* filter values (values_alloc) */
};

#define SLAB_LINKS 4 /* p = 1/4: 99.6 % of nodes have at most 4 levels */

#define PDD_DIRECT_MS 65536

const double api_lag_le_s[API_LAG_NLE] = {0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10};

void api_store_set_now(api_store_t *s, uint64_t now_us)
{
    s->now_us = now_us;
}

static void account_lag(api_store_t *s, uint64_t captured_us)
{
    if (!captured_us || !s->now_us) return;
    /* A packet stamped after "now" (clock steps) counts as no lag. */
    double lag_s = s->now_us > captured_us ? (double)(s->now_us - captured_us) / 1e6 : 0;
    api_feed_lag_t *l = &s->totals.lag;
    size_t i = 0;
    while (i < API_LAG_NLE && lag_s > api_lag_le_s[i])
        i++;
    l->counts[i]++;
    l->count++;
    l->sum_s += lag_s;
}

/* Account a dialog (sign +1) or take it out (-1) of the totals. */
static void account_dialog(api_store_t *s, const api_dialog_t *d, int sign)
{
    s->totals.by_state[d->state] += (size_t)sign;
    if (d->pdd_ms < 0) return;
    s->totals.with_pdd += (size_t)sign;
    if (d->pdd_ms < PDD_DIRECT_MS) {
        s->pdd_ms_count[d->pdd_ms] += (uint32_t)sign;
        return;
    }
    if (sign < 0) {
        for (size_t i = 0; i < s->n_pdd_long; i++)
            if (s->pdd_long[i] == d->pdd_ms) {
                s->pdd_long[i] = s->pdd_long[--s->n_pdd_long];
                return;
            }
        return;
    }
    if (s->n_pdd_long == s->cap_pdd_long) {
        size_t cap = s->cap_pdd_long ? s->cap_pdd_long * 2 : 16;
        int32_t *g = realloc(s->pdd_long, cap * sizeof *g);
        if (!g) { /* counted as the longest direct value rather than lost */
            s->pdd_ms_count[PDD_DIRECT_MS - 1]++;
            return;
        }
        s->pdd_long = g;
        s->cap_pdd_long = cap;
    }
    s->pdd_long[s->n_pdd_long++] = d->pdd_ms;
}

static void account_stream(api_store_t *s, const api_stream_t *st, int sign)
{
    s->totals.streams += (size_t)sign;
    s->totals.streams_orphaned += st->orphaned ? (size_t)sign : 0;
    s->totals.streams_active += st->active ? (size_t)sign : 0;
}

const api_store_totals_t *api_store_totals(const api_store_t *s)
{
    return &s->totals;
}

static int cmp_i32(const void *x, const void *y)
{
    int32_t a = *(const int32_t *)x, b = *(const int32_t *)y;
    return (a > b) - (a < b);
}

int64_t api_store_pdd_percentile(const api_store_t *s, unsigned p)
{
    size_t n = s->totals.with_pdd;
    if (!n) return -1;
    size_t rank = (n * p + 99) / 100; /* nearest rank, 1-based */
    if (rank < 1) rank = 1;
    size_t seen = 0;
    for (size_t ms = 0; ms < PDD_DIRECT_MS; ms++) {
        seen += s->pdd_ms_count[ms];
        if (seen >= rank) return (int64_t)ms;
    }
    /* beyond 65 s: sort the few long ones (const: a copy) */
    int32_t *v = malloc(s->n_pdd_long * sizeof *v);
    if (!v) return PDD_DIRECT_MS;
    memcpy(v, s->pdd_long, s->n_pdd_long * sizeof *v);
    qsort(v, s->n_pdd_long, sizeof *v, cmp_i32);
    size_t i = rank - seen - 1;
    int64_t r = i < s->n_pdd_long ? v[i] : v[s->n_pdd_long - 1];
    free(v);
    return r;
}

#define CONTAINER(ptr, type, member) ((type *)(void *)((char *)(ptr)-offsetof(type, member)))

static unsigned random_level(api_store_t *s)
{
    /* xorshift64*: cheap, and the seed is per store */
    uint64_t x = s->rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    s->rng = x;
    uint64_t r = x * 0x2545F4914F6CDD1DULL;
    unsigned level = 1;
    while (level < ORD_LEVELS && (r & 3) == 0) {
        level++;
        r >>= 2;
    }
    return level;
}

api_store_t *api_store_new(void)
{
    api_store_t *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    uint64_t seed[3];
    if (getrandom(seed, sizeof seed, GRND_NONBLOCK) != (ssize_t)sizeof seed) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        seed[0] = (uint64_t)ts.tv_nsec * 0x9E3779B97F4A7C15ULL ^ (uint64_t)(uintptr_t)s;
        seed[1] = (uint64_t)ts.tv_sec ^ (uint64_t)(uintptr_t)&ts;
        seed[2] = seed[0] ^ seed[1] ^ 0x5851F42D4C957F2DULL;
    }
    snb_hash_key_from_seed(&s->key, seed[0], seed[1]);
    s->rng = seed[2] | 1;
    s->counters = json_object();
    s->pdd_ms_count = calloc(PDD_DIRECT_MS, sizeof *s->pdd_ms_count);
    s->alerts = api_alerts_new(API_ALERTS_CAP);
    if (!s->counters || !s->pdd_ms_count || !s->alerts) {
        json_decref(s->counters);
        free(s->pdd_ms_count);
        api_alerts_free(s->alerts);
        free(s);
        return NULL;
    }
    s->bytes = sizeof *s + PDD_DIRECT_MS * sizeof *s->pdd_ms_count;
    for (int big = 0; big < 2; big++) {
        size_t links = (big ? ORD_LEVELS : SLAB_LINKS) * sizeof(ord_node_t *);
        api_slab_init(&s->dslab[big], sizeof(dnode_t) + links);
        api_slab_init(&s->sslab[big], sizeof(snode_t) + links);
    }
    api_slab_sizes_init(&s->hot);
    return s;
}

static void free_htab(htab_t *t)
{
    free(t->b);
    t->b = NULL;
}

static void table_clear(api_field_table_t *t);
static void kinds_clear(api_store_t *s);
static void rec_mem_free(api_store_t *s, rec_mem_t *m);

void api_store_free(api_store_t *s)
{
    if (!s) return;
    api_alerts_free(s->alerts);
    table_clear(&s->dtable);
    table_clear(&s->stable);
    kinds_clear(s);
    for (ord_node_t *o = s->dorder.head[0]; o;) {
        ord_node_t *next = o->next[0];
        dnode_t *n = CONTAINER(o, dnode_t, ord);
        rec_mem_free(s, &n->mem);
        o = next;
    }
    for (ord_node_t *o = s->sorder.head[0]; o;) {
        ord_node_t *next = o->next[0];
        snode_t *n = CONTAINER(o, snode_t, ord);
        rec_mem_free(s, &n->mem);
        o = next;
    }
    for (size_t i = 0; s->groups.b && i <= s->groups.mask; i++) {
        for (hnode_t *h = s->groups.b[i]; h;) {
            hnode_t *next = h->next;
            free(CONTAINER(h, sgroup_t, h));
            h = next;
        }
    }
    for (int big = 0; big < 2; big++) {
        api_slab_clear(&s->dslab[big]);
        api_slab_clear(&s->sslab[big]);
    }
    api_slab_sizes_clear(&s->hot);
    free_htab(&s->dialogs);
    free_htab(&s->streams);
    free_htab(&s->groups);
    json_decref(s->counters);
    free(s->pdd_ms_count);
    free(s->pdd_long);
    free(s);
}

/* Copies strings into one blob as NUL-terminated C strings. */
typedef struct blob_w {
    char *p;
} blob_w_t;

static char *blob_put(blob_w_t *w, snb_str_t v)
{
    char *out = w->p;
    if (v.p && v.len) memcpy(out, v.p, v.len);
    out[v.p ? v.len : 0] = '\0';
    w->p += (v.p ? v.len : 0) + 1;
    return out;
}

static size_t blob_len(snb_str_t v)
{
    return (v.p ? v.len : 0) + 1u;
}

/* A record's filter values, with where each starts, in their own small
 * allocation, from slabs (api_slab.h): a filtered listing of 100 000
 * dialogs reads only these, and reading them out of the record's big blob of
 * JSON cost a cache and TLB miss per dialog (most of a 35 ms scan). */
static char *values_alloc(api_store_t *s, snb_str_t values, api_values_t *out, size_t *size)
{
    size_t n = api_values_index(values, NULL, 0);
    *size = n * sizeof(uint32_t) + blob_len(values);
    char *mem = api_slab_sizes_alloc(&s->hot, *size);
    if (!mem) return NULL;
    api_values_index(values, (uint32_t *)(void *)mem, n);
    blob_w_t w = {mem + n * sizeof(uint32_t)};
    *out = (api_values_t){.offs = (const uint32_t *)(void *)mem, .n = n};
    out->p = blob_put(&w, values);
    out->len = values.p ? values.len : 0;
    return mem;
}

static void rec_mem_free(api_store_t *s, rec_mem_t *m)
{
    free(m->blob);
    api_slab_sizes_free(&s->hot, m->hot, m->hot_size);
    memset(m, 0, sizeof *m);
}

/* A blob of blob_size bytes and the values in hot (read through *v); -1
 * (nothing held) when out of memory. */
static int rec_mem_alloc(api_store_t *s, size_t blob_size, snb_str_t values, api_values_t *v,
                         rec_mem_t *m)
{
    m->blob = malloc(blob_size);
    m->hot = values_alloc(s, values, v, &m->hot_size);
    m->size = blob_size + m->hot_size;
    if (m->blob && m->hot) return 0;
    rec_mem_free(s, m);
    return -1;
}

/* Node with room for its skip-list links right after it, from a slab (so
 * the nodes of a scan are dense); its ord_node_t is its last member, at
 * ord_at. *total is what it holds of memory. */
static void *node_alloc(api_store_t *s, api_slab_t slab[2], size_t size, size_t ord_at,
                        ord_node_t **ord, size_t *total)
{
    unsigned level = random_level(s);
    api_slab_t *from = &slab[level > SLAB_LINKS];
    char *n = api_slab_alloc(from);
    if (!n) return NULL;
    *total = from->slot;
    *ord = (ord_node_t *)(void *)(n + ord_at);
    (*ord)->level = level;
    (*ord)->next = (ord_node_t **)(void *)(n + size);
    return n;
}

static void node_free(api_slab_t slab[2], void *n, const ord_node_t *ord)
{
    api_slab_free(&slab[ord->level > SLAB_LINKS], n);
}

static dnode_t *find_dnode(const api_store_t *s, const char *id, size_t len)
{
    uint64_t hash = snb_hash_bytes(&s->key, id, len);
    for (hnode_t *h = htab_first(&s->dialogs, hash); h; h = h->next) {
        dnode_t *n = CONTAINER(h, dnode_t, h);
        if (h->hash == hash && n->d.call_id_len == len && memcmp(n->d.call_id, id, len) == 0)
            return n;
    }
    return NULL;
}

static int put_dialog(api_store_t *s, const api_dialog_rec_t *r)
{
    if (r->state >= API_STATE_COUNT) return -1;
    size_t size = blob_len(r->call_id) + blob_len(r->from_user) + blob_len(r->summary_json) +
                  blob_len(r->full_json) + blob_len(r->report_markdown) +
                  blob_len(r->messages_json);
    api_dialog_t d = {0};
    rec_mem_t mem;
    if (rec_mem_alloc(s, size, r->values, &d.values, &mem) != 0) return -1;
    blob_w_t w = {mem.blob};
    d.call_id = blob_put(&w, r->call_id);
    d.call_id_len = r->call_id.p ? r->call_id.len : 0;
    d.from_user = blob_put(&w, r->from_user);
    d.summary_json = blob_put(&w, r->summary_json);
    d.summary_len = r->summary_json.p ? r->summary_json.len : 0;
    d.full_json = blob_put(&w, r->full_json);
    d.full_len = r->full_json.p ? r->full_json.len : 0;
    d.report_markdown = blob_put(&w, r->report_markdown);
    d.markdown_len = r->report_markdown.p ? r->report_markdown.len : 0;
    d.messages_json = blob_put(&w, r->messages_json);
    d.messages_len = r->messages_json.p ? r->messages_json.len : 0;
    d.state = r->state;
    d.created_us = r->created_us;
    d.pdd_ms = r->pdd_ms;
    d.diag_flags = r->diag_flags;

    dnode_t *n = find_dnode(s, d.call_id, d.call_id_len);
    if (n) {
        /* Replace in place; it moves only if its creation time changed. */
        bool moved = n->d.created_us != d.created_us;
        if (moved) ord_remove(&s->dorder, &n->ord);
        account_dialog(s, &n->d, -1);
        account_dialog(s, &d, +1);
        s->bytes -= n->mem.size;
        rec_mem_free(s, &n->mem);
        n->d = d;
        n->mem = mem;
        s->bytes += mem.size;
        if (moved) {
            n->ord.k1 = d.created_us;
            n->ord.k2 = s->arrival++;
            ord_insert(&s->dorder, &n->ord);
        }
        return 0;
    }
    ord_node_t *ord;
    size_t total;
    if (htab_reserve(&s->dialogs, &s->bytes) != 0 ||
        !(n = node_alloc(s, s->dslab, sizeof *n, offsetof(dnode_t, ord), &ord, &total))) {
        rec_mem_free(s, &mem);
        return -1;
    }
    n->d = d;
    n->mem = mem;
    n->node_size = total;
    n->h.hash = snb_hash_bytes(&s->key, d.call_id, d.call_id_len);
    n->ord.k1 = d.created_us;
    n->ord.k2 = s->arrival++;
    htab_insert(&s->dialogs, &n->h);
    ord_insert(&s->dorder, &n->ord);
    s->bytes += mem.size + total;
    account_dialog(s, &n->d, +1);
    return 0;
}

static void drop_dialog(api_store_t *s, const char *id, size_t len)
{
    dnode_t *n = find_dnode(s, id, len);
    if (!n) return;
    account_dialog(s, &n->d, -1);
    htab_remove(&s->dialogs, &n->h);
    ord_remove(&s->dorder, &n->ord);
    s->bytes -= n->mem.size + n->node_size;
    rec_mem_free(s, &n->mem);
    node_free(s->dslab, n, &n->ord);
}

static uint64_t hash_u64(const api_store_t *s, uint64_t v)
{
    uint8_t b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    return snb_hash_bytes(&s->key, b, sizeof b);
}

static snode_t *find_snode(const api_store_t *s, uint64_t id)
{
    uint64_t hash = hash_u64(s, id);
    for (hnode_t *h = htab_first(&s->streams, hash); h; h = h->next) {
        snode_t *n = CONTAINER(h, snode_t, h);
        if (h->hash == hash && n->st.id == id) return n;
    }
    return NULL;
}

static sgroup_t *find_group(const api_store_t *s, uint32_t ssrc)
{
    uint64_t hash = hash_u64(s, ssrc);
    for (hnode_t *h = htab_first(&s->groups, hash); h; h = h->next) {
        sgroup_t *g = CONTAINER(h, sgroup_t, h);
        if (h->hash == hash && g->ssrc == ssrc) return g;
    }
    return NULL;
}

/* Take n out of its SSRC group; the group is freed once empty unless it is
 * `keep` (about to get n back). */
static void group_unlink(api_store_t *s, snode_t *n, const sgroup_t *keep)
{
    sgroup_t *g = n->grp;
    if (!g) return;
    if (n->gprev)
        n->gprev->gnext = n->gnext;
    else
        g->head = n->gnext;
    if (n->gnext) n->gnext->gprev = n->gprev;
    n->grp = NULL;
    n->gprev = n->gnext = NULL;
    if (!g->head && g != keep) {
        htab_remove(&s->groups, &g->h);
        s->bytes -= sizeof *g;
        free(g);
    }
}

static void group_push(sgroup_t *g, snode_t *n)
{
    n->grp = g;
    n->gprev = NULL;
    n->gnext = g->head;
    if (g->head) g->head->gprev = n;
    g->head = n;
}

/* The "packets" number of a stream's list JSON, without parsing it all. */
static uint64_t json_packets(const char *json)
{
    const char *p = json ? strstr(json, "\"packets\":") : NULL;
    return p ? strtoull(p + 10, NULL, 10) : 0;
}

static int put_stream(api_store_t *s, const api_stream_rec_t *r)
{
    size_t size = blob_len(r->call_id) + blob_len(r->list_json) + blob_len(r->full_json);
    api_stream_t st = {0};
    rec_mem_t mem;
    if (rec_mem_alloc(s, size, r->values, &st.values, &mem) != 0) return -1;
    blob_w_t w = {mem.blob};
    st.id = r->id;
    st.ssrc = r->ssrc;
    st.orphaned = r->orphaned;
    st.active = r->active;
    st.mos = r->mos;
    st.jitter_ms = r->jitter_ms;
    st.loss_pct = r->loss_pct;
    st.call_id = blob_put(&w, r->call_id);
    st.list_json = blob_put(&w, r->list_json);
    st.list_len = r->list_json.p ? r->list_json.len : 0;
    st.full_json = blob_put(&w, r->full_json);
    st.full_len = r->full_json.p ? r->full_json.len : 0;
    st.packets = json_packets(st.list_json);

    /* Everything that can fail comes first: the store is unchanged then. */
    sgroup_t *g = find_group(s, st.ssrc), *fresh = NULL;
    if (!g) {
        fresh = calloc(1, sizeof *fresh);
        if (!fresh || htab_reserve(&s->groups, &s->bytes) != 0) {
            free(fresh);
            rec_mem_free(s, &mem);
            return -1;
        }
        fresh->ssrc = st.ssrc;
        fresh->h.hash = hash_u64(s, st.ssrc);
    }
    snode_t *n = find_snode(s, st.id);
    ord_node_t *ord = NULL;
    size_t total = 0;
    if (!n && (htab_reserve(&s->streams, &s->bytes) != 0 ||
               !(n = node_alloc(s, s->sslab, sizeof *n, offsetof(snode_t, ord), &ord, &total)))) {
        free(fresh);
        rec_mem_free(s, &mem);
        return -1;
    }
    if (fresh) {
        htab_insert(&s->groups, &fresh->h);
        s->bytes += sizeof *fresh;
        g = fresh;
    }
    if (ord) {
        n->node_size = total;
        n->h.hash = hash_u64(s, st.id);
        n->ord.k1 = st.id;
        htab_insert(&s->streams, &n->h);
        ord_insert(&s->sorder, &n->ord);
        s->bytes += total;
    } else {
        s->bytes -= n->mem.size;
        rec_mem_free(s, &n->mem);
        account_stream(s, &n->st, -1);
    }
    account_stream(s, &st, +1);
    /* The most recently stored stream heads its SSRC group. */
    group_unlink(s, n, g);
    group_push(g, n);
    n->st = st;
    n->mem = mem;
    s->bytes += mem.size;
    return 0;
}

static void drop_stream(api_store_t *s, uint64_t id)
{
    snode_t *n = find_snode(s, id);
    if (!n) return;
    account_stream(s, &n->st, -1);
    group_unlink(s, n, NULL);
    htab_remove(&s->streams, &n->h);
    ord_remove(&s->sorder, &n->ord);
    s->bytes -= n->mem.size + n->node_size;
    rec_mem_free(s, &n->mem);
    node_free(s->sslab, n, &n->ord);
}

/* The counters object replaces the previous one only if it parses. */
static int set_counters(api_store_t *s, const char *payload, uint32_t len)
{
    json_error_t err;
    json_t *j = json_loadb(payload, len, 0, &err);
    if (!json_is_object(j)) {
        json_decref(j);
        return -1;
    }
    json_decref(s->counters);
    s->counters = j;
    /* jansson's own allocations: roughly twice the text plus per-node overhead */
    s->bytes -= s->counters_bytes;
    s->counters_bytes = 2 * (size_t)len + 64;
    s->bytes += s->counters_bytes;
    return 0;
}

/* ---- filter field tables ---- */

static void table_clear(api_field_table_t *t)
{
    for (size_t i = 0; i < t->n_fields; i++)
        free((char *)t->fields[i].name);
    for (size_t i = 0; i < t->n_aliases; i++) {
        free((char *)t->aliases[i].name);
        free((char *)t->aliases[i].expression);
        free((char *)t->aliases[i].help);
    }
    free(t->fields);
    free(t->aliases);
    memset(t, 0, sizeof *t);
}

static int table_parse(const json_t *j, api_field_table_t *out)
{
    memset(out, 0, sizeof *out);
    const json_t *fields = json_object_get(j, "fields"), *aliases = json_object_get(j, "aliases");
    size_t nf = json_array_size(fields), na = json_array_size(aliases);
    if (nf > 4096 || na > 4096) return -1;
    out->fields = calloc(nf ? nf : 1, sizeof *out->fields);
    out->aliases = calloc(na ? na : 1, sizeof *out->aliases);
    if (!out->fields || !out->aliases) return -1;
    for (size_t i = 0; i < nf; i++) {
        const json_t *f = json_array_get(fields, i);
        const char *name = json_string_value(json_object_get(f, "name"));
        const char *type = json_string_value(json_object_get(f, "type"));
        if (!name || !type) return -1;
        snb_filter_type_t t = !strcmp(type, "number") ? SNB_FT_NUMBER
                              : !strcmp(type, "bool") ? SNB_FT_BOOL
                                                      : SNB_FT_STRING;
        out->fields[out->n_fields] = (snb_filter_field_t){strdup(name), t, (int)i};
        if (!out->fields[out->n_fields++].name) return -1;
    }
    for (size_t i = 0; i < na; i++) {
        const json_t *a = json_array_get(aliases, i);
        const char *name = json_string_value(json_object_get(a, "name"));
        const char *expr = json_string_value(json_object_get(a, "expression"));
        const char *help = json_string_value(json_object_get(a, "help"));
        if (!name || !expr) return -1;
        snb_filter_alias_t *x = &out->aliases[out->n_aliases++];
        *x = (snb_filter_alias_t){strdup(name), strdup(expr), strdup(help ? help : "")};
        if (!x->name || !x->expression || !x->help) return -1;
    }
    return 0;
}

static void kinds_clear(api_store_t *s)
{
    for (size_t i = 0; i < s->n_kinds; i++)
        free(s->kinds[i]);
    free(s->kinds);
    s->kinds = NULL;
    s->n_kinds = 0;
}

/* All or nothing: a table that does not parse leaves the old ones. */
static int set_fields(api_store_t *s, const char *payload, uint32_t len)
{
    json_error_t err;
    json_t *j = json_loadb(payload, len, 0, &err);
    /* zeroed: on a frame that is not an object neither table is parsed,
     * and both are cleared below (the fuzzer found it) */
    api_field_table_t d = {0}, st = {0};
    int rc = json_is_object(j) ? 0 : -1;
    if (rc == 0) rc = table_parse(json_object_get(j, "dialogs"), &d);
    if (rc == 0) rc = table_parse(json_object_get(j, "streams"), &st);
    const json_t *kinds = json_object_get(json_object_get(j, "dialogs"), "kinds");
    size_t nk = json_array_size(kinds);
    char **k = rc == 0 ? calloc(nk ? nk : 1, sizeof *k) : NULL;
    if (rc == 0 && (!k || nk > 32)) rc = -1; /* diag_flags has 32 bits */
    for (size_t i = 0; rc == 0 && i < nk; i++)
        if (!json_is_string(json_array_get(kinds, i)) ||
            !(k[i] = strdup(json_string_value(json_array_get(kinds, i)))))
            rc = -1;
    json_decref(j);
    if (rc != 0) {
        for (size_t i = 0; k && i < nk; i++)
            free(k[i]);
        free(k);
        table_clear(&d);
        table_clear(&st);
        return -1;
    }
    table_clear(&s->dtable);
    table_clear(&s->stable);
    kinds_clear(s);
    s->dtable = d;
    s->stable = st;
    s->kinds = k;
    s->n_kinds = nk;
    return 0;
}

const api_field_table_t *api_store_dialog_fields(const api_store_t *s)
{
    return &s->dtable;
}

const api_field_table_t *api_store_stream_fields(const api_store_t *s)
{
    return &s->stable;
}

const char *const *api_store_kinds(const api_store_t *s, size_t *n)
{
    *n = s->n_kinds;
    return (const char *const *)s->kinds;
}

snb_filter_t *api_field_table_compile(const api_field_table_t *t, const char *expr, char *err,
                                      size_t errlen)
{
    return snb_filter_compile(expr, t->fields, t->n_fields, t->aliases, t->n_aliases, err, errlen);
}

static void record_value(void *ud, int id, snb_filter_value_t *out)
{
    const api_values_t *v = ud;
    if (id < 0 || (size_t)id >= v->n)
        memset(out, 0, sizeof *out);
    else
        api_values_get_at(snb_str(v->p, v->len), v->offs[id], out);
}

bool api_values_match(const snb_filter_t *f, const api_values_t *v)
{
    return snb_filter_eval(f, record_value, (void *)v);
}

static void drop_all(api_store_t *s)
{
    while (s->dorder.head[0]) {
        dnode_t *n = CONTAINER(s->dorder.head[0], dnode_t, ord);
        drop_dialog(s, n->d.call_id, n->d.call_id_len);
    }
    while (s->sorder.head[0]) {
        snode_t *n = CONTAINER(s->sorder.head[0], snode_t, ord);
        drop_stream(s, n->st.id);
    }
}

int api_store_apply(api_store_t *s, uint8_t type, const char *payload, uint32_t len)
{
    switch (type) {
    case API_FRAME_FIELDS:
        return set_fields(s, payload, len);
    case API_FRAME_RESET:
        if (len) return -1;
        drop_all(s);
        api_alerts_clear(s->alerts);
        return 0;
    case API_FRAME_ALERT:
        return api_alerts_add(s->alerts, payload, len);
    case API_FRAME_DIALOG: {
        api_dialog_rec_t r;
        if (api_wire_get_dialog(payload, len, &r) != 0 || put_dialog(s, &r) != 0) return -1;
        account_lag(s, r.captured_us);
        return 0;
    }
    case API_FRAME_DIALOG_GONE: {
        snb_str_t id;
        if (api_wire_get_dialog_gone(payload, len, &id) != 0) return -1;
        drop_dialog(s, id.p ? id.p : "", id.p ? id.len : 0);
        return 0;
    }
    case API_FRAME_STREAM: {
        api_stream_rec_t r;
        if (api_wire_get_stream(payload, len, &r) != 0) return -1;
        return put_stream(s, &r);
    }
    case API_FRAME_STREAM_GONE: {
        uint64_t id;
        if (api_wire_get_stream_gone(payload, len, &id) != 0) return -1;
        drop_stream(s, id);
        return 0;
    }
    case API_FRAME_COUNTERS:
        return set_counters(s, payload, len);
    default: /* API_FRAME_CONFIG is the server's, not the store's */
        return -1;
    }
}

const api_alerts_t *api_store_alerts(const api_store_t *s)
{
    return s->alerts;
}

size_t api_store_dialog_count(const api_store_t *s)
{
    return s->dialogs.count;
}

size_t api_store_stream_count(const api_store_t *s)
{
    return s->streams.count;
}

const api_dialog_t *api_store_find_dialog(const api_store_t *s, const char *call_id, size_t len)
{
    if (!call_id) return NULL;
    dnode_t *n = find_dnode(s, call_id, len);
    return n ? &n->d : NULL;
}

/* Of the streams that share an SSRC, the one with the most packets (a
 * 2-packet fragment stored last must not hide the call's real stream). */
const api_stream_t *api_store_find_ssrc(const api_store_t *s, uint32_t ssrc)
{
    sgroup_t *g = find_group(s, ssrc);
    const snode_t *best = NULL;
    for (const snode_t *n = g ? g->head : NULL; n; n = n->gnext)
        if (!best || n->st.packets > best->st.packets) best = n;
    return best ? &best->st : NULL;
}

void api_store_foreach_ssrc(const api_store_t *s, uint32_t ssrc, api_stream_fn fn, void *ud)
{
    sgroup_t *g = find_group(s, ssrc);
    for (const snode_t *n = g ? g->head : NULL; n; n = n->gnext)
        if (!fn(ud, &n->st)) return;
}

/* A scan of 100 000 dialogs is bound by memory latency: while fn reads one
 * dialog, the next node and the values of the one after it are fetched. */
void api_store_foreach_dialog(const api_store_t *s, api_dialog_fn fn, void *ud)
{
    const ord_node_t *o = s->dorder.head[0];
    const ord_node_t *next = o ? o->next[0] : NULL;
    for (; o; o = next, next = o ? o->next[0] : NULL) {
        if (next) {
            const dnode_t *n = CONTAINER(next, const dnode_t, ord);
            __builtin_prefetch(n->d.values.offs);
            if (next->next[0]) __builtin_prefetch(next->next[0]);
        }
        if (!fn(ud, &CONTAINER(o, const dnode_t, ord)->d)) return;
    }
}

void api_store_foreach_stream(const api_store_t *s, api_stream_fn fn, void *ud)
{
    for (const ord_node_t *o = s->sorder.head[0], *next; o; o = next) {
        next = o->next[0];
        if (next) __builtin_prefetch(&CONTAINER(next, const snode_t, ord)->st.values);
        if (!fn(ud, &CONTAINER(o, const snode_t, ord)->st)) return;
    }
}

const json_t *api_store_counters(const api_store_t *s)
{
    return s->counters;
}

size_t api_store_bytes(const api_store_t *s)
{
    return s->bytes;
}
