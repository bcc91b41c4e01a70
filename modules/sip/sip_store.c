/* The bounded dialog store: a Call-ID hash table (chained, power-of-two
 * buckets, grows with the count and so is bounded by max_dialogs), the
 * creation-order list, the finished list (eviction order), an expiry heap of
 * REGISTER bindings in capture time, and the Wireshark-equivalent resend and
 * setup-time statistics. Every operation is O(1) per message except the
 * expiry heap's O(log n). */
#include "sip_dialog_int.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "sipnab/gonelog.h"

#define NO_HEAP UINT32_MAX

/* The change list: every dialog in the order of its last change, with the
 * cursors of the consumers as markers in it (everything after a cursor has
 * changed since that consumer last looked). Circular, around store->changes. */
typedef struct chg {
    struct chg *prev, *next;
    uint64_t seq;
    bool is_cursor;
} chg_t;

typedef struct dnode {
    sip_dialog_t d; /* first: a sip_dialog_t * is a dnode_t * */
    sip_dialog_priv_t priv;
    struct dnode *prev, *next;   /* creation order */
    struct dnode *fprev, *fnext; /* finished order (eviction candidates) */
    chg_t chg;                   /* place in the change list */
    void **slots;                /* annotations' per-dialog data; NULL until one is set */
    int64_t deadline_us;         /* heap key: binding expiry or give-up time */
    uint32_t heap_idx;
    bool in_finished;
    /* What a lookup reads, beside the Call-ID it compares: a probe of a
     * hash chain touches one or two cache lines of a node, not three. */
    uint32_t id_len;
    uint64_t hash;
    struct dnode *hnext; /* hash chain */
    char call_id[];      /* d.call_id points here */
} dnode_t;

/* A heap slot holds its key, so sifting compares within the array and
 * touches a node only to record where it moved. */
typedef struct heap_entry {
    int64_t key; /* the node's deadline_us */
    dnode_t *node;
} heap_entry_t;

static dnode_t *node_of_chg(chg_t *c)
{
    return (dnode_t *)((char *)c - offsetof(dnode_t, chg));
}

struct sip_store_cursor {
    chg_t mark;         /* in the change list */
    uint64_t gone_next; /* absolute index of the next gone entry to hand over */
    struct sip_store_cursor *next_cursor;
};

/* Evictions remembered for cursors that have not seen them yet; beyond,
 * the oldest are forgotten and a cursor that needed them resyncs. */
#define GONE_MAX 65536u

struct sip_store {
    sip_store_limits_t lim;
    sip_store_stats_t stats;
    dnode_t **buckets;
    uint32_t nbuckets, count;
    dnode_t *head, *tail;   /* creation order */
    dnode_t *fhead, *ftail; /* finished order */
    heap_entry_t *heap;     /* min-heap on deadline_us */
    uint32_t heap_n, heap_cap;
    sip_resend_table_t nocid; /* messages without a Call-ID (Wireshark keys them on "") */
    uint64_t now_us;
    /* Wireshark's sip,stat setup time (see sip_store_setup_stats) */
    uint32_t setup_count, setup_min, setup_max;
    uint64_t setup_total;
    /* changes (see sip_store_cursor_new) */
    chg_t changes; /* list head */
    uint64_t seq;
    sip_store_cursor_t *cursors;
    snb_gonelog_t *gone; /* evictions the cursors have not all seen */
    /* state changes, for SNB_SIP_DIALOG_EVENT */
    sip_store_observer_fn observer;
    void *observer_ud;
    /* annotations' per-dialog slots */
    size_t n_slots;
    void (*slot_free)(void *ud, size_t slot, void *data);
    void *slot_ud;
    /* message texts */
    bool keep_text;
    uint64_t text_bytes;
};

/* Call-IDs are chosen by whoever sends: hashed under the process key. */
static uint64_t id_hash(const sip_store_t *s, const char *p, size_t n)
{
    return snb_hash_bytes(&s->lim.hash_key, p, n);
}

sip_store_t *sip_store_new(const sip_store_limits_t *limits)
{
    sip_store_t *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->lim = *limits;
    if (s->lim.max_dialogs == 0) s->lim.max_dialogs = 1; /* a store holds at least one */
    s->changes.prev = s->changes.next = &s->changes;
    s->nbuckets = 64;
    s->buckets = calloc(s->nbuckets, sizeof *s->buckets);
    s->gone = snb_gonelog_new(GONE_MAX);
    if (!s->buckets || !s->gone) {
        free(s->buckets);
        snb_gonelog_free(s->gone);
        free(s);
        return NULL;
    }
    return s;
}

static void node_free(sip_store_t *s, dnode_t *n)
{
    for (size_t i = 0; n->slots && i < s->n_slots; i++)
        if (n->slots[i] && s->slot_free) s->slot_free(s->slot_ud, i, n->slots[i]);
    free(n->slots);
    s->text_bytes -= n->d.text_cap;
    sip_dialog_release(&n->d);
    free(n);
}

void sip_store_free(sip_store_t *s)
{
    if (!s) return;
    for (dnode_t *n = s->head, *next; n; n = next) {
        next = n->next;
        node_free(s, n);
    }
    free(s->buckets);
    free(s->heap);
    snb_gonelog_free(s->gone);
    while (s->cursors) {
        sip_store_cursor_t *c = s->cursors;
        s->cursors = c->next_cursor;
        free(c);
    }
    sip_resend_free(&s->nocid);
    free(s);
}

const sip_store_stats_t *sip_store_stats(const sip_store_t *s)
{
    return &s->stats;
}
uint32_t sip_store_count(const sip_store_t *s)
{
    return s->count;
}

/* ---- expiry heap -------------------------------------------------------- */

static void heap_place(sip_store_t *s, uint32_t i, heap_entry_t e)
{
    s->heap[i] = e;
    e.node->heap_idx = i;
}

/* Sift the entry at i up or down to its place, moving the others into the
 * hole (each moved node is written once). */
static void heap_fix(sip_store_t *s, uint32_t i)
{
    heap_entry_t e = s->heap[i];
    uint32_t start = i;
    while (i > 0 && e.key < s->heap[(i - 1) / 2].key) {
        heap_place(s, i, s->heap[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
    if (i == start) {
        for (;;) {
            uint32_t c = 2 * i + 1;
            if (c >= s->heap_n) break;
            if (c + 1 < s->heap_n && s->heap[c + 1].key < s->heap[c].key) c++;
            if (!(s->heap[c].key < e.key)) break;
            heap_place(s, i, s->heap[c]);
            i = c;
        }
    }
    heap_place(s, i, e);
}

static void heap_remove(sip_store_t *s, dnode_t *n)
{
    uint32_t i = n->heap_idx;
    if (i == NO_HEAP) return;
    n->heap_idx = NO_HEAP;
    if (i != --s->heap_n) {
        s->heap[i] = s->heap[s->heap_n];
        s->heap[i].node->heap_idx = i;
        heap_fix(s, i);
    }
}

static void heap_set(sip_store_t *s, dnode_t *n)
{
    if (n->heap_idx != NO_HEAP) {
        s->heap[n->heap_idx].key = n->deadline_us;
        heap_fix(s, n->heap_idx);
        return;
    }
    if (s->heap_n == s->heap_cap) {
        uint32_t cap = s->heap_cap ? s->heap_cap * 2 : 16;
        heap_entry_t *nh = realloc(s->heap, cap * sizeof *nh);
        if (!nh) return; /* without memory the binding just never expires */
        s->heap = nh;
        s->heap_cap = cap;
    }
    n->heap_idx = s->heap_n++;
    s->heap[n->heap_idx] = (heap_entry_t){n->deadline_us, n};
    heap_fix(s, n->heap_idx);
}

/* ---- lists -------------------------------------------------------------- */

static void finished_unlink(sip_store_t *s, dnode_t *n)
{
    if (!n->in_finished) return;
    if (n->fprev)
        n->fprev->fnext = n->fnext;
    else
        s->fhead = n->fnext;
    if (n->fnext)
        n->fnext->fprev = n->fprev;
    else
        s->ftail = n->fprev;
    n->fprev = n->fnext = NULL;
    n->in_finished = false;
}

static void finished_append(sip_store_t *s, dnode_t *n)
{
    if (n->in_finished) return;
    n->fprev = s->ftail;
    n->fnext = NULL;
    if (s->ftail)
        s->ftail->fnext = n;
    else
        s->fhead = n;
    s->ftail = n;
    n->in_finished = true;
}

static void chg_unlink(chg_t *c)
{
    c->prev->next = c->next;
    c->next->prev = c->prev;
    c->prev = c->next = c;
}

static void chg_append(sip_store_t *s, chg_t *c)
{
    c->prev = s->changes.prev;
    c->next = &s->changes;
    s->changes.prev->next = c;
    s->changes.prev = c;
}

/* The dialog changed: it moves to the end of the change list, after every
 * cursor, with the next sequence number. */
static void mark_changed(sip_store_t *s, dnode_t *n)
{
    if (n->chg.next && n->chg.next != &n->chg) chg_unlink(&n->chg);
    n->chg.seq = ++s->seq;
    chg_append(s, &n->chg);
}

/* When capture time must next act on a dialog: a REGISTER binding expires,
 * or a request still waiting is given up on. 0 = never. */
static int64_t deadline_of(const sip_store_t *s, const sip_dialog_t *d)
{
    if (d->state == SIP_DS_REGISTERED) return d->expires_at_us > 0 ? d->expires_at_us : 0;
    if (d->state == SIP_DS_TRYING && !d->responded && s->lim.no_response_us)
        return (int64_t)(d->last_us + s->lim.no_response_us);
    if ((d->state == SIP_DS_TRYING || d->state == SIP_DS_RINGING) && d->method == SIP_INVITE &&
        s->lim.no_final_us)
        return (int64_t)(d->last_us + s->lim.no_final_us);
    return 0;
}

/* Bring the lists and the heap in line with the dialog's state. */
static void sync_node(sip_store_t *s, dnode_t *n)
{
    if (n->d.finished)
        finished_append(s, n);
    else
        finished_unlink(s, n);
    int64_t deadline = deadline_of(s, &n->d);
    n->deadline_us = deadline; /* heap_set re-sorts a node whose key moved */
    if (deadline > 0)
        heap_set(s, n);
    else
        heap_remove(s, n);
}

static void unlink_node(sip_store_t *s, dnode_t *n)
{
    dnode_t **pp = &s->buckets[n->hash & (s->nbuckets - 1)];
    while (*pp != n)
        pp = &(*pp)->hnext;
    *pp = n->hnext;
    if (n->prev)
        n->prev->next = n->next;
    else
        s->head = n->next;
    if (n->next)
        n->next->prev = n->prev;
    else
        s->tail = n->prev;
    finished_unlink(s, n);
    chg_unlink(&n->chg);
    heap_remove(s, n);
    s->count--;
}

/* Remember an eviction for the cursors (only while there are any). */
static void log_gone(sip_store_t *s, const char *call_id, size_t len)
{
    if (s->cursors) snb_gonelog_add(s->gone, ++s->seq, call_id, len);
}

static void evict_one(sip_store_t *s)
{
    dnode_t *victim = s->fhead ? s->fhead : s->head;
    if (!victim) return;
    log_gone(s, victim->call_id, victim->id_len);
    unlink_node(s, victim);
    node_free(s, victim);
    s->stats.dialogs_evicted++;
}

static void grow_buckets(sip_store_t *s)
{
    uint32_t nb = s->nbuckets * 2;
    dnode_t **b = calloc(nb, sizeof *b);
    if (!b) return; /* longer chains, still correct */
    for (uint32_t i = 0; i < s->nbuckets; i++) {
        for (dnode_t *n = s->buckets[i], *next; n; n = next) {
            next = n->hnext;
            n->hnext = b[n->hash & (nb - 1)];
            b[n->hash & (nb - 1)] = n;
        }
    }
    free(s->buckets);
    s->buckets = b;
    s->nbuckets = nb;
}

static dnode_t *find_node(const sip_store_t *s, const char *id, size_t len, uint64_t h)
{
    for (dnode_t *n = s->buckets[h & (s->nbuckets - 1)]; n; n = n->hnext)
        if (n->hash == h && n->id_len == len && memcmp(n->call_id, id, len) == 0) return n;
    return NULL;
}

static dnode_t *create_node(sip_store_t *s, snb_str_t id, uint64_t h)
{
    while (s->count >= s->lim.max_dialogs)
        evict_one(s);
    dnode_t *n = calloc(1, sizeof *n + id.len + 1);
    if (!n) return NULL;
    memcpy(n->call_id, id.p, id.len);
    n->id_len = id.len;
    n->hash = h;
    n->heap_idx = NO_HEAP;
    n->d.call_id = n->call_id;
    n->d.engine = &n->priv;
    n->chg.prev = n->chg.next = &n->chg;
    n->hnext = s->buckets[h & (s->nbuckets - 1)];
    s->buckets[h & (s->nbuckets - 1)] = n;
    n->prev = s->tail;
    if (s->tail)
        s->tail->next = n;
    else
        s->head = n;
    s->tail = n;
    s->count++;
    s->stats.dialogs_created++;
    if (s->count > s->nbuckets / 4 * 3) grow_buckets(s);
    return n;
}

/* ---- messages ------------------------------------------------------------ */

/* The text of a message just kept as a summary, within the per-dialog and
 * global caps (counted when either stops it). */
static void keep_text(sip_store_t *s, sip_dialog_t *d, const sip_msg_t *msg)
{
    sip_msg_summary_t *m = &d->msgs[d->n_msgs - 1];
    if (!s->keep_text || !s->lim.max_text_dialog || !msg->len) return;
    if ((uint64_t)d->text_len + msg->len > s->lim.max_text_dialog) {
        s->stats.text_capped_dialog++;
        return;
    }
    if (s->text_bytes + msg->len > s->lim.max_text_total) {
        s->stats.text_capped_total++;
        return;
    }
    if (d->text_len + msg->len > d->text_cap) {
        uint32_t cap = d->text_cap ? d->text_cap : 1024;
        while (cap < d->text_len + msg->len)
            cap *= 2;
        if (cap > s->lim.max_text_dialog) cap = (uint32_t)s->lim.max_text_dialog;
        char *t = realloc(d->text, cap);
        if (!t) return;
        s->text_bytes += cap - d->text_cap; /* count what is held, not only what is used */
        d->text = t;
        d->text_cap = cap;
    }
    memcpy(d->text + d->text_len, msg->buf, msg->len);
    m->text_off = d->text_len;
    m->text_len = msg->len;
    d->text_len += msg->len;
    s->stats.texts_kept++;
}

static void account(sip_store_t *s, const sip_resend_result_t *r, bool *retransmit)
{
    if (r->resend) s->stats.retransmits++;
    if (retransmit) *retransmit = r->resend;
    if (r->setup_ms) { /* tap-sipstat: every non-zero setup_time is a sample */
        s->setup_count++;
        s->setup_total += r->setup_ms;
        if (s->setup_count == 1 || r->setup_ms < s->setup_min) s->setup_min = r->setup_ms;
        if (r->setup_ms > s->setup_max) s->setup_max = r->setup_ms;
    }
}

void sip_store_advance(sip_store_t *s, uint64_t now_us)
{
    if (now_us > s->now_us) s->now_us = now_us;
    while (s->heap_n && s->heap[0].key < (int64_t)s->now_us) {
        dnode_t *n = s->heap[0].node;
        heap_remove(s, n);
        uint64_t at = (uint64_t)n->deadline_us;
        uint8_t before = n->d.state;
        if (n->d.state == SIP_DS_REGISTERED) {
            sip_dialog_expire(&n->d, at);
            s->stats.registrations_expired++;
        } else {
            sip_dialog_time_out(&n->d, at,
                                n->d.responded ? SIP_TIMEOUT_NO_FINAL : SIP_TIMEOUT_NO_RESPONSE);
            s->stats.dialogs_timed_out++;
        }
        sync_node(s, n);
        mark_changed(s, n);
        if (s->observer && n->d.state != before) s->observer(s->observer_ud, &n->d, before, false);
    }
}

sip_dialog_t *sip_store_message(sip_store_t *s, const sip_msg_t *msg, const sip_msg_meta_t *meta,
                                bool *retransmit)
{
    sip_resend_result_t rr;
    s->stats.messages++;
    if (retransmit) *retransmit = false;
    sip_store_advance(s, meta->ts_us);
    if (!msg->call_id.p || msg->call_id.len == 0) {
        s->stats.messages_no_call_id++;
        sip_resend_track(&s->nocid, msg, meta, &rr);
        account(s, &rr, retransmit);
        return NULL;
    }
    uint64_t h = id_hash(s, msg->call_id.p, msg->call_id.len);
    dnode_t *n = find_node(s, msg->call_id.p, msg->call_id.len, h);
    bool created = !n;
    if (!n) {
        n = create_node(s, msg->call_id, h);
        if (!n) return NULL;
        sip_dialog_init(&n->d, msg, meta);
    }
    uint8_t before = n->d.state;
    uint32_t kept = n->d.n_msgs;
    sip_resend_track(&n->priv.rt, msg, meta, &rr);
    account(s, &rr, retransmit);
    sip_dialog_update(&n->d, msg, meta, rr.resend, &s->lim);
    if (n->d.n_msgs > kept) keep_text(s, &n->d, msg);
    sync_node(s, n);
    mark_changed(s, n);
    if (s->observer && (created || n->d.state != before))
        s->observer(s->observer_ud, &n->d, created ? n->d.state : before, created);
    return &n->d;
}

sip_dialog_t *sip_store_find(const sip_store_t *s, const char *call_id)
{
    if (!call_id) return NULL;
    size_t len = strlen(call_id);
    dnode_t *n = find_node(s, call_id, len, id_hash(s, call_id, len));
    return n ? &n->d : NULL;
}

void sip_store_foreach(const sip_store_t *s, sip_dialog_fn fn, void *ud)
{
    for (dnode_t *n = s->head; n; n = n->next)
        if (!fn(ud, &n->d)) break;
}

void sip_store_setup_stats(const sip_store_t *s, uint32_t *count, uint32_t *avg_ms,
                           uint32_t *min_ms, uint32_t *max_ms)
{
    if (count) *count = s->setup_count;
    if (avg_ms) *avg_ms = s->setup_count ? (uint32_t)(s->setup_total / s->setup_count) : 0;
    if (min_ms) *min_ms = s->setup_count ? s->setup_min : 0;
    if (max_ms) *max_ms = s->setup_max;
}

uint32_t sip_store_longest_chain(const sip_store_t *s)
{
    uint32_t longest = 0;
    for (uint32_t b = 0; b < s->nbuckets; b++) {
        uint32_t n = 0;
        for (const dnode_t *d = s->buckets[b]; d; d = d->hnext)
            n++;
        if (n > longest) longest = n;
    }
    return longest;
}

size_t sip_store_dialog_bytes(const sip_dialog_t *d)
{
    const dnode_t *n = (const dnode_t *)d;
    return sizeof *n + n->id_len + 1 + sip_dialog_owned_bytes(d);
}

/* ---- changes: cursors ------------------------------------------------------ */

sip_store_cursor_t *sip_store_cursor_new(sip_store_t *s)
{
    sip_store_cursor_t *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->mark.is_cursor = true;
    /* Before every dialog: all of them count as changed. */
    c->mark.prev = &s->changes;
    c->mark.next = s->changes.next;
    s->changes.next->prev = &c->mark;
    s->changes.next = &c->mark;
    c->gone_next = snb_gonelog_end(s->gone);
    c->next_cursor = s->cursors;
    s->cursors = c;
    return c;
}

void sip_store_cursor_free(sip_store_t *s, sip_store_cursor_t *c)
{
    if (!c) return;
    chg_unlink(&c->mark);
    for (sip_store_cursor_t **pp = &s->cursors; *pp; pp = &(*pp)->next_cursor) {
        if (*pp == c) {
            *pp = c->next_cursor;
            break;
        }
    }
    free(c);
}

void sip_store_cursor_reset(sip_store_t *s, sip_store_cursor_t *c)
{
    chg_unlink(&c->mark);
    c->mark.prev = &s->changes;
    c->mark.next = s->changes.next;
    s->changes.next->prev = &c->mark;
    s->changes.next = &c->mark;
    c->gone_next = snb_gonelog_end(s->gone);
}

/* Gone entries no cursor still needs are freed. */
static void trim_gone(sip_store_t *s)
{
    uint64_t min = snb_gonelog_end(s->gone);
    for (const sip_store_cursor_t *c = s->cursors; c; c = c->next_cursor)
        if (c->gone_next < min) min = c->gone_next;
    snb_gonelog_trim(s->gone, min);
}

size_t sip_store_cursor_next(sip_store_t *s, sip_store_cursor_t *c, size_t max,
                             const sip_store_feed_t *feed, void *ud)
{
    if (c->gone_next < snb_gonelog_start(s->gone)) { /* evictions it needed were forgotten */
        if (feed->resync) feed->resync(ud);
        sip_store_cursor_reset(s, c);
    }
    size_t done = 0;
    for (;;) {
        chg_t *next = c->mark.next;
        while (next != &s->changes && next->is_cursor)
            next = next->next;
        bool have_node = next != &s->changes;
        uint64_t gseq;
        const void *gid;
        bool have_gone = snb_gonelog_get(s->gone, c->gone_next, &gseq, &gid, NULL);
        if (!have_node && !have_gone) break;
        if (have_gone && (!have_node || gseq < next->seq)) {
            c->gone_next++;
            if (feed->gone) feed->gone(ud, gid);
            continue;
        }
        if (done == max) break;
        /* Step the cursor past the node, then hand it over. */
        chg_unlink(&c->mark);
        c->mark.prev = next;
        c->mark.next = next->next;
        next->next->prev = &c->mark;
        next->next = &c->mark;
        done++;
        if (feed->changed && !feed->changed(ud, &node_of_chg(next)->d)) break;
    }
    trim_gone(s);
    return done;
}

void sip_store_touch(sip_store_t *s, sip_dialog_t *d)
{
    mark_changed(s, (dnode_t *)d);
}

uint64_t sip_store_dialog_seq(const sip_dialog_t *d)
{
    return ((const dnode_t *)d)->chg.seq;
}

void sip_store_observe(sip_store_t *s, sip_store_observer_fn fn, void *ud)
{
    s->observer = fn;
    s->observer_ud = ud;
}

void sip_store_set_slots(sip_store_t *s, size_t n,
                         void (*free_fn)(void *ud, size_t slot, void *data), void *ud)
{
    s->n_slots = n;
    s->slot_free = free_fn;
    s->slot_ud = ud;
}

void **sip_store_slot(sip_store_t *s, sip_dialog_t *d, size_t slot)
{
    dnode_t *n = (dnode_t *)d;
    if (slot >= s->n_slots) return NULL;
    if (!n->slots) {
        n->slots = calloc(s->n_slots, sizeof *n->slots);
        if (!n->slots) return NULL;
    }
    return &n->slots[slot];
}

void sip_store_keep_text(sip_store_t *s, bool on)
{
    s->keep_text = on;
}

uint64_t sip_store_text_bytes(const sip_store_t *s)
{
    return s->text_bytes;
}
