#include "sec_detect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sec_accounts.h"
#include "sec_calls.h"
#include "sec_fingerprint.h"
#include "sec_number.h"
#include "sec_hll.h"
#include "sec_sketch.h"
#include "sipnab/format.h"
#include "sipnab/lazytable.h"
#include "sipnab/sip.h"

#define NONE 0u /* list links and bucket heads are index + 1 */

enum { RATE_REGISTER, RATE_INVITE, RATE_OPTIONS, RATE_COUNT };
enum { CALL_PREMIUM = 1, CALL_RUN = 2, CALL_ANSWERED = 4 };

typedef struct sec_src {
    snb_addr_t addr;
    bool ua_scanner; /* the User-Agent in ua matched */
    uint16_t sport, dport;
    snb_addr_t last_dst;
    uint32_t hnext, lru_prev, lru_next, pend_prev, pend_next;
    bool pending;
    uint64_t win_start, first_us, last_us;
    uint64_t sec_start;
    uint32_t sec_count[RATE_COUNT];
    uint32_t methods[SNB_SEC_M_COUNT];
    uint32_t responses[SNB_SEC_R_COUNT];
    uint32_t requests, enum_requests, finals, reached, cred_fail;
    uint32_t new_calls, premium_answered, run_answered, run, one_ring;
    uint64_t last_number;
    sec_hll_t targets;            /* users asked */
    sec_sketch_t hosts, answered; /* addresses asked, and those that answered */
    uint64_t alerted_at[SNB_SEC_TYPE_COUNT];
    char ua[48];
    uint8_t n_call_ids, n_targets;
    char call_ids[2][64];
    char target_samples[2][64];
} sec_src_t;

struct sec_detect {
    sec_cfg_t cfg;
    sec_calls_t *calls;
    sec_accounts_t *accounts;
    sec_src_t *src;    /* max_sources entries */
    uint32_t *buckets; /* n_buckets heads */
    uint32_t n_buckets, used;
    /* User-Agents already matched: many sources send the same few. */
    struct {
        uint64_t hash;
        bool scanner;
    } ua_cache[256];
    uint32_t lru_head, lru_tail;   /* most recent at head */
    uint32_t pend_head, pend_tail; /* oldest activity at head */
    sec_stats_t stats;
};

/* ---- the source table ---- */

static inline sec_src_t *at(sec_detect_t *d, uint32_t link)
{
    return link ? &d->src[link - 1] : NULL;
}

/* The address's words: IPv4 uses its 4 bytes only, whatever the rest holds. */
static uint64_t addr_hash_with(const snb_hash_key_t *key, const snb_addr_t *a)
{
    uint32_t w[5] = {0};
    memcpy(w, a->a, a->family == 4 ? 4 : 16);
    w[4] = a->family;
    return snb_hash_words(key, w, 5);
}

static uint64_t addr_hash(const sec_detect_t *d, const snb_addr_t *a)
{
    return addr_hash_with(&d->cfg.key, a);
}

/* What the distinct-count sketches see: hashed with their own key
 * (sec_cfg_t.sketch_key), so that their estimates repeat when it does. */
static uint64_t sketch_addr(const sec_detect_t *d, const snb_addr_t *a)
{
    return addr_hash_with(&d->cfg.sketch_key, a);
}

static uint32_t bucket_of(const sec_detect_t *d, const snb_addr_t *a)
{
    return (uint32_t)addr_hash(d, a) & (d->n_buckets - 1);
}

static bool addr_eq(const snb_addr_t *a, const snb_addr_t *b)
{
    return a->family == b->family && memcmp(a->a, b->a, a->family == 4 ? 4 : 16) == 0;
}

static void lru_unlink(sec_detect_t *d, sec_src_t *s)
{
    if (s->lru_prev)
        at(d, s->lru_prev)->lru_next = s->lru_next;
    else
        d->lru_head = s->lru_next;
    if (s->lru_next)
        at(d, s->lru_next)->lru_prev = s->lru_prev;
    else
        d->lru_tail = s->lru_prev;
    s->lru_prev = s->lru_next = NONE;
}

static void lru_push_head(sec_detect_t *d, sec_src_t *s, uint32_t link)
{
    s->lru_prev = NONE;
    s->lru_next = d->lru_head;
    if (d->lru_head) at(d, d->lru_head)->lru_prev = link;
    d->lru_head = link;
    if (!d->lru_tail) d->lru_tail = link;
}

static void pend_unlink(sec_detect_t *d, sec_src_t *s)
{
    if (!s->pending) return;
    if (s->pend_prev)
        at(d, s->pend_prev)->pend_next = s->pend_next;
    else
        d->pend_head = s->pend_next;
    if (s->pend_next)
        at(d, s->pend_next)->pend_prev = s->pend_prev;
    else
        d->pend_tail = s->pend_prev;
    s->pend_prev = s->pend_next = NONE;
    s->pending = false;
}

static void pend_push_tail(sec_detect_t *d, sec_src_t *s, uint32_t link)
{
    pend_unlink(d, s);
    s->pend_next = NONE;
    s->pend_prev = d->pend_tail;
    if (d->pend_tail) at(d, d->pend_tail)->pend_next = link;
    d->pend_tail = link;
    if (!d->pend_head) d->pend_head = link;
    s->pending = true;
}

static void judge_deferred(sec_detect_t *d, sec_src_t *s, uint64_t now_us);
static bool looks_sweeping(const sec_detect_t *d, const sec_src_t *s);

static void table_remove(sec_detect_t *d, uint32_t link)
{
    sec_src_t *s = at(d, link);
    uint32_t *p = &d->buckets[bucket_of(d, &s->addr)];
    while (*p && *p != link)
        p = &at(d, *p)->hnext;
    if (*p) *p = s->hnext;
    lru_unlink(d, s);
    pend_unlink(d, s);
    memset(s, 0, sizeof *s);
    d->used--;
}

static sec_src_t *find(sec_detect_t *d, const snb_addr_t *a, uint32_t *link_out)
{
    for (uint32_t l = d->buckets[bucket_of(d, a)]; l; l = at(d, l)->hnext)
        if (addr_eq(&at(d, l)->addr, a)) {
            if (link_out) *link_out = l;
            return at(d, l);
        }
    return NULL;
}

/* The source's entry, made (evicting the least recently active) if new. */
static sec_src_t *find_or_add(sec_detect_t *d, const snb_addr_t *a, uint64_t now_us,
                              uint32_t *link_out)
{
    uint32_t link;
    sec_src_t *s = find(d, a, &link);
    if (s) {
        lru_unlink(d, s);
        lru_push_head(d, s, link);
        *link_out = link;
        return s;
    }
    if (d->used == d->cfg.max_sources) {
        uint32_t victim = d->lru_tail;
        sec_src_t *v = at(d, victim);
        if (v->pending) judge_deferred(d, v, now_us); /* decide before forgetting */
        table_remove(d, victim);
        d->stats.evicted++;
        link = victim;
    } else {
        /* Free entries are the zeroed ones; the table only fills in order
         * until the first eviction, after which the victim's slot is reused. */
        link = d->used + 1;
        while (at(d, link)->win_start) /* cannot loop forever: used < max */
            link = link % d->cfg.max_sources + 1;
    }
    s = at(d, link);
    memset(s, 0, sizeof *s);
    s->addr = *a;
    s->win_start = s->first_us = now_us ? now_us : 1;
    uint32_t b = bucket_of(d, a);
    s->hnext = d->buckets[b];
    d->buckets[b] = link;
    lru_push_head(d, s, link);
    d->used++;
    d->stats.sources_seen++;
    *link_out = link;
    return s;
}

sec_detect_t *sec_detect_new(const sec_cfg_t *cfg)
{
    sec_detect_t *d = calloc(1, sizeof *d);
    if (!d) return NULL;
    d->cfg = *cfg;
    static const snb_hash_key_t unset;
    if (!memcmp(&d->cfg.sketch_key, &unset, sizeof unset)) /* NH hashes all to 0 with it */
        d->cfg.sketch_key = d->cfg.key;
    if (d->cfg.max_sources < 2) d->cfg.max_sources = 2;
    d->n_buckets = 1;
    while (d->n_buckets < d->cfg.max_sources)
        d->n_buckets <<= 1;
    /* Sized for max_sources, touched as sources come (sipnab/lazytable.h). */
    d->src = snb_lazy_table_new(d->cfg.max_sources, sizeof *d->src);
    d->buckets = snb_lazy_table_new(d->n_buckets, sizeof *d->buckets);
    d->calls = sec_calls_new(d->cfg.max_calls, &d->cfg.key);
    d->accounts = sec_accounts_new(d->cfg.max_accounts);
    if (!d->src || !d->buckets || !d->calls || !d->accounts) {
        sec_detect_free(d);
        return NULL;
    }
    return d;
}

void sec_detect_free(sec_detect_t *d)
{
    if (!d) return;
    sec_calls_free(d->calls);
    sec_accounts_free(d->accounts);
    snb_lazy_table_free(d->src, d->cfg.max_sources, sizeof *d->src);
    snb_lazy_table_free(d->buckets, d->n_buckets, sizeof *d->buckets);
    free(d);
}

void sec_detect_set_sketch_key(sec_detect_t *d, const snb_hash_key_t *key)
{
    d->cfg.sketch_key = *key;
}

const sec_stats_t *sec_detect_stats(const sec_detect_t *d)
{
    ((sec_detect_t *)d)->stats.sources = d->used;
    return &d->stats;
}

size_t sec_detect_memory(const sec_detect_t *d)
{
    return sizeof *d + (size_t)d->cfg.max_sources * sizeof *d->src +
           (size_t)d->n_buckets * sizeof *d->buckets +
           (size_t)sec_calls_slots(d->calls) * sizeof(sec_call_t) +
           (size_t)sec_accounts_slots(d->accounts) * sizeof(sec_account_t);
}

/* ---- alerts ---- */

static void copy_text(char *dst, size_t size, const char *p, size_t len)
{
    if (len >= size) len = size - 1;
    size_t n = 0;
    for (size_t i = 0; i < len; i++) /* printable ASCII only: these go to logs */
        dst[n++] = (p[i] >= 0x20 && p[i] < 0x7f) ? p[i] : '?';
    dst[n] = '\0';
}

static void raise_alert(sec_detect_t *d, sec_src_t *s, unsigned type, uint64_t now_us,
                        const char *reason)
{
    uint64_t last = s->alerted_at[type];
    if (last && now_us - last < d->cfg.alert_us) {
        d->stats.suppressed++;
        return;
    }
    s->alerted_at[type] = now_us ? now_us : 1;
    d->stats.alerts[type]++;
    if (!d->cfg.on_alert) return;
    snb_security_alert_t a;
    memset(&a, 0, sizeof a);
    a.type = (uint8_t)type;
    a.severity = type == SNB_SEC_TOLL_FRAUD || type == SNB_SEC_WANGIRI ? SNB_SEC_SEV_ALERT
                 : type == SNB_SEC_BRUTEFORCE                          ? SNB_SEC_SEV_ERROR
                                                                       : SNB_SEC_SEV_WARNING;
    a.src = s->addr;
    a.sport = s->sport;
    a.dst = s->last_dst;
    a.dport = s->dport;
    a.ts_us = now_us;
    a.first_us = s->first_us;
    a.last_us = s->last_us;
    snprintf(a.reason, sizeof a.reason, "%s", reason);
    snprintf(a.user_agent, sizeof a.user_agent, "%s", s->ua);
    a.requests = s->requests;
    a.distinct_targets = sec_hll_count(&s->targets);
    a.distinct_hosts = sec_sketch_count(&s->hosts);
    memcpy(a.methods, s->methods, sizeof a.methods);
    memcpy(a.responses, s->responses, sizeof a.responses);
    for (unsigned i = 0; i < s->n_targets && i < SNB_SEC_MAX_TARGETS; i++)
        snprintf(a.targets[a.n_targets++], sizeof a.targets[0], "%s", s->target_samples[i]);
    for (unsigned i = 0; i < s->n_call_ids && i < SNB_SEC_MAX_CALL_IDS; i++)
        snprintf(a.call_ids[a.n_call_ids++], sizeof a.call_ids[0], "%s", s->call_ids[i]);
    d->cfg.on_alert(d->cfg.ud, &a);
}

static unsigned alerted_mask(const sec_detect_t *d, const sec_src_t *s, uint64_t now_us)
{
    unsigned mask = 0;
    for (unsigned t = 0; t < SNB_SEC_TYPE_COUNT; t++)
        if (s->alerted_at[t] && now_us - s->alerted_at[t] < d->cfg.alert_us) mask |= 1u << t;
    return mask;
}

/* ---- rules ---- */

/* Many distinct targets, about one request each: enumeration, unless the
 * source also floods them (then it repeats) or gets through (a NAT). */
static bool looks_enumerating(const sec_detect_t *d, const sec_src_t *s, uint32_t distinct)
{
    return distinct >= d->cfg.enum_targets &&
           (double)distinct >= d->cfg.enum_ratio * (double)s->enum_requests;
}

/* A sweep: many addresses, most of which never answered (a server that
 * pings its registered phones hears back from them). */
static bool looks_sweeping(const sec_detect_t *d, const sec_src_t *s)
{
    return sec_sketch_count(&s->hosts) >= d->cfg.sweep_hosts;
}

static void judge_sweep(sec_detect_t *d, sec_src_t *s, uint64_t now_us)
{
    uint32_t hosts = sec_sketch_count(&s->hosts);
    uint32_t answered = sec_sketch_count(&s->answered);
    uint32_t silent = hosts > answered ? hosts - answered : 0;
    if (hosts >= d->cfg.sweep_hosts && 2 * silent >= hosts) {
        char why[96];
        snprintf(why, sizeof why, "requests to %u addresses, %u never answered", hosts, silent);
        raise_alert(d, s, SNB_SEC_SCANNER, now_us, why);
    }
}

static void judge_deferred(sec_detect_t *d, sec_src_t *s, uint64_t now_us)
{
    judge_sweep(d, s, now_us);
    uint32_t distinct = sec_hll_count(&s->targets);
    bool failing = s->finals == 0 || (double)s->reached <= d->cfg.enum_reached * s->finals;
    if (looks_enumerating(d, s, distinct) && failing) {
        char why[96];
        snprintf(why, sizeof why, "enumeration of %u users in %u requests", distinct,
                 s->enum_requests);
        raise_alert(d, s, SNB_SEC_SCANNER, now_us, why);
    }
    pend_unlink(d, s);
}

static void roll_window(sec_detect_t *d, sec_src_t *s, uint64_t now_us)
{
    if (now_us < s->win_start + d->cfg.window_us) return;
    if (s->pending) judge_deferred(d, s, now_us);
    uint64_t alerted[SNB_SEC_TYPE_COUNT];
    memcpy(alerted, s->alerted_at, sizeof alerted);
    snb_addr_t addr = s->addr;
    uint32_t hnext = s->hnext, lp = s->lru_prev, ln = s->lru_next;
    bool ua_scanner = s->ua_scanner;
    char ua[sizeof s->ua];
    memcpy(ua, s->ua, sizeof ua);
    memset(s, 0, sizeof *s);
    s->addr = addr;
    s->hnext = hnext;
    s->lru_prev = lp;
    s->lru_next = ln;
    s->ua_scanner = ua_scanner;
    memcpy(s->ua, ua, sizeof ua);
    memcpy(s->alerted_at, alerted, sizeof alerted);
    s->win_start = s->first_us = now_us ? now_us : 1;
}

static unsigned method_slot(unsigned method)
{
    switch (method) {
    case SNB_SIP_INVITE:
        return SNB_SEC_M_INVITE;
    case SNB_SIP_REGISTER:
        return SNB_SEC_M_REGISTER;
    case SNB_SIP_OPTIONS:
        return SNB_SEC_M_OPTIONS;
    case SNB_SIP_ACK:
        return SNB_SEC_M_ACK;
    case SNB_SIP_BYE:
        return SNB_SEC_M_BYE;
    case SNB_SIP_CANCEL:
        return SNB_SEC_M_CANCEL;
    default:
        return SNB_SEC_M_OTHER;
    }
}

static unsigned response_slot(unsigned status)
{
    switch (status) {
    case 401:
        return SNB_SEC_R_401;
    case 403:
        return SNB_SEC_R_403;
    case 404:
        return SNB_SEC_R_404;
    case 407:
        return SNB_SEC_R_407;
    default:
        break;
    }
    if (status < 200) return SNB_SEC_R_1XX;
    if (status < 300) return SNB_SEC_R_2XX;
    if (status < 400) return SNB_SEC_R_3XX;
    if (status < 500) return SNB_SEC_R_4XX_OTHER;
    if (status < 600) return SNB_SEC_R_5XX;
    return SNB_SEC_R_6XX;
}

static void keep_sample(char samples[2][64], uint8_t *n, const char *text)
{
    for (unsigned i = 0; i < *n; i++)
        if (strcmp(samples[i], text) == 0) return;
    if (*n < 2) snprintf(samples[(*n)++], 64, "%.63s", text);
}

static void check_user_agent(sec_detect_t *d, sec_src_t *s, const sec_msg_t *m)
{
    if (!m->user_agent.p) return;
    char ua[sizeof s->ua];
    copy_text(ua, sizeof ua, m->user_agent.p, m->user_agent.len);
    if (strcmp(ua, s->ua) != 0 || !s->ua[0]) {
        memcpy(s->ua, ua, sizeof ua);
        /* Match the whole value, not our truncated copy (once per value). */
        uint64_t h = snb_hash_bytes(&d->cfg.key, m->user_agent.p, m->user_agent.len) | 1;
        unsigned i = (unsigned)(h >> 56);
        if (d->ua_cache[i].hash != h) {
            d->ua_cache[i].hash = h;
            d->ua_cache[i].scanner = sec_ua_match(d->cfg.ua, m->user_agent.p, m->user_agent.len);
        }
        s->ua_scanner = d->ua_cache[i].scanner;
    }
    if (s->ua_scanner) {
        char why[96];
        snprintf(why, sizeof why, "User-Agent %s", s->ua);
        raise_alert(d, s, SNB_SEC_SCANNER, m->ts_us, why);
    }
}

static void check_fingerprint(sec_detect_t *d, sec_src_t *s, const sec_msg_t *m)
{
    const char *tool = d->cfg.fingerprints ? sec_fingerprint_from_tag(m->from_tag) : NULL;
    if (!tool) return;
    char why[96];
    snprintf(why, sizeof why, "%s From tag", tool);
    raise_alert(d, s, SNB_SEC_SCANNER, m->ts_us, why);
}

static void check_flood(sec_detect_t *d, sec_src_t *s, unsigned method, bool has_sdp,
                        uint64_t now_us)
{
    unsigned r;
    uint32_t limit;
    unsigned type;
    switch (method) {
    case SNB_SIP_REGISTER:
        r = RATE_REGISTER, limit = d->cfg.rate_register, type = SNB_SEC_REG_FLOOD;
        break;
    case SNB_SIP_INVITE:
        r = RATE_INVITE, limit = d->cfg.rate_invite, type = SNB_SEC_INVITE_FLOOD;
        break;
    case SNB_SIP_OPTIONS:
        r = RATE_OPTIONS, limit = d->cfg.rate_options, type = SNB_SEC_OPTIONS_FLOOD;
        break;
    default:
        return;
    }
    if (now_us >= s->sec_start + 1000000 || now_us < s->sec_start) {
        s->sec_start = now_us;
        memset(s->sec_count, 0, sizeof s->sec_count);
    }
    if (++s->sec_count[r] < limit || limit == 0) return;
    /* A flood hits few addresses and repeats its targets; a sweep or an
     * enumeration at the same speed is a scanner. */
    if (looks_sweeping(d, s)) return;
    /* INVITEs with SDP are calls, not probes (svwar's carry no body): a
     * flood of them is a flood even to ever new numbers. */
    if (!(method == SNB_SIP_INVITE && has_sdp) &&
        looks_enumerating(d, s, sec_hll_count(&s->targets)))
        return;
    char why[96];
    snprintf(why, sizeof why, "%u %.*s in one second", s->sec_count[r],
             method == SNB_SIP_REGISTER ? 8
             : method == SNB_SIP_INVITE ? 6
                                        : 7,
             method == SNB_SIP_REGISTER ? "REGISTER"
             : method == SNB_SIP_INVITE ? "INVITE"
                                        : "OPTIONS");
    raise_alert(d, s, type, now_us, why);
}

static void on_new_call(sec_detect_t *d, sec_src_t *s, sec_call_t *c, const sec_msg_t *m)
{
    s->new_calls++;
    c->invite_us = m->ts_us ? m->ts_us : 1;
    const char *user = m->target_user.p;
    size_t len = m->target_user.len;
    char digits[24];
    uint32_t flags = 0;
    if (sec_number_international(user, len, digits, sizeof digits) &&
        sec_number_premium(digits, d->cfg.toll_prefixes, d->cfg.n_toll_prefixes))
        flags |= CALL_PREMIUM;
    uint64_t v;
    if (sec_number_value(user, len, &v)) {
        bool next = s->last_number && (v == s->last_number + 1 || v + 1 == s->last_number);
        s->run = next ? s->run + 1 : 1;
        s->last_number = v;
        if (s->run >= 2) flags |= CALL_RUN;
    }
    c->flags = (uint8_t)flags;
}

static void on_request(sec_detect_t *d, const sec_msg_t *m)
{
    uint32_t link;
    sec_src_t *s = find_or_add(d, &m->src, m->ts_us, &link);
    roll_window(d, s, m->ts_us);
    s->last_us = m->ts_us;
    s->sport = m->sport;
    s->dport = m->dport;
    s->last_dst = m->dst;
    s->requests++;
    s->methods[method_slot(m->method)]++;

    sec_sketch_add(&s->hosts, sketch_addr(d, &m->dst));

    bool enumerable = m->method == SNB_SIP_REGISTER || m->method == SNB_SIP_INVITE ||
                      m->method == SNB_SIP_OPTIONS;
    bool has_user = enumerable && m->target_user.p && m->target_user.len;
    if (has_user) {
        s->enum_requests++;
        sec_hll_add(&s->targets,
                    snb_hash_bytes(&d->cfg.sketch_key, m->target_user.p, m->target_user.len));
    }
    if (s->n_targets < 2) {                  /* samples for the alert: "user@host" or "host" */
        char host[46], sample[64], user[24]; /* INET6_ADDRSTRLEN */
        snb_format_addr(&m->dst, host, sizeof host);
        if (has_user) {
            copy_text(user, sizeof user, m->target_user.p, m->target_user.len);
            snprintf(sample, sizeof sample, "%.20s@%.42s", user, host);
        } else {
            snprintf(sample, sizeof sample, "%.63s", host);
        }
        keep_sample(s->target_samples, &s->n_targets, sample);
    }
    if (m->call_id.p && m->call_id.len && s->n_call_ids < 2) {
        char cid[64];
        copy_text(cid, sizeof cid, m->call_id.p, m->call_id.len);
        keep_sample(s->call_ids, &s->n_call_ids, cid);
    }

    check_user_agent(d, s, m);
    check_fingerprint(d, s, m);
    check_flood(d, s, m->method, m->has_sdp, m->ts_us);

    /* Calls: credentials, new calls, one-ring CANCELs. */
    bool created;
    if (m->has_credentials && !m->retransmit) {
        sec_call_t *c = sec_calls_get(d->calls, m->call_id.p, m->call_id.len, m->ts_us, true, NULL);
        if (c) {
            c->cred_cseq = m->cseq;
            c->account = m->account.p && m->account.len
                             ? snb_hash_bytes(&d->cfg.key, m->account.p, m->account.len) | 1
                             : 0;
        }
    }
    if (m->method == SNB_SIP_INVITE && !m->has_to_tag && !m->retransmit) {
        sec_call_t *c =
            sec_calls_get(d->calls, m->call_id.p, m->call_id.len, m->ts_us, true, &created);
        if (c && !c->invite_us) on_new_call(d, s, c, m);
    }
    if (m->method == SNB_SIP_CANCEL && !m->retransmit) {
        sec_call_t *c =
            sec_calls_get(d->calls, m->call_id.p, m->call_id.len, m->ts_us, false, NULL);
        if (c && c->invite_us && m->ts_us >= c->invite_us &&
            m->ts_us - c->invite_us <= d->cfg.wangiri_ring_us) {
            s->one_ring++;
            uint32_t distinct = sec_hll_count(&s->targets);
            if (s->one_ring >= d->cfg.wangiri_calls && 2 * s->one_ring >= s->new_calls &&
                2 * distinct >= d->cfg.wangiri_calls) {
                char why[96];
                snprintf(why, sizeof why, "%u calls cancelled within %llu ms of the INVITE",
                         s->one_ring, (unsigned long long)(d->cfg.wangiri_ring_us / 1000));
                raise_alert(d, s, SNB_SEC_WANGIRI, m->ts_us, why);
            }
        }
    }
    /* Enumerations and sweeps are judged once the source pauses. */
    if ((looks_enumerating(d, s, sec_hll_count(&s->targets)) || looks_sweeping(d, s)) &&
        !(s->alerted_at[SNB_SEC_SCANNER] &&
          m->ts_us - s->alerted_at[SNB_SEC_SCANNER] < d->cfg.alert_us))
        pend_push_tail(d, s, link);
    else if (s->pending)
        pend_push_tail(d, s, link); /* still waiting: its activity moved on */
}

static void on_response(sec_detect_t *d, const sec_msg_t *m)
{
    /* The response goes to the source that asked. Only sources we know: a
     * response alone creates nothing. */
    sec_src_t *s = find(d, &m->dst, NULL);
    if (!s) return;
    if (m->ts_us >= s->win_start + d->cfg.window_us) return; /* its window is over */
    s->responses[response_slot(m->status)]++;
    sec_sketch_add(&s->answered, sketch_addr(d, &m->src));
    bool call_or_reg = m->cseq_method == SNB_SIP_INVITE || m->cseq_method == SNB_SIP_REGISTER;
    if (call_or_reg && m->status >= 200 && !m->retransmit) {
        s->finals++;
        /* Got through to a registrar or a phone (busy, no answer and
         * cancelled calls rang somebody). */
        if (m->status < 300 || m->status == 486 || m->status == 487 || m->status == 480 ||
            m->status == 603)
            s->reached++;
    }
    if (call_or_reg && (m->status == 401 || m->status == 403 || m->status == 407)) {
        sec_call_t *c =
            sec_calls_get(d->calls, m->call_id.p, m->call_id.len, m->ts_us, false, NULL);
        if (c && c->cred_cseq && c->cred_cseq == m->cseq && !m->retransmit) {
            c->cred_cseq = 0; /* once per refused request */
            char why[96];
            if (++s->cred_fail >= d->cfg.bf_failures) {
                snprintf(why, sizeof why, "%u requests with credentials refused", s->cred_fail);
                raise_alert(d, s, SNB_SEC_BRUTEFORCE, m->ts_us, why);
            }
            /* One account guessed from many addresses. */
            sec_account_t *a =
                c->account ? sec_accounts_refused(d->accounts, c->account, sketch_addr(d, &m->dst),
                                                  m->ts_us, d->cfg.window_us)
                           : NULL;
            uint32_t sources = a ? sec_sketch_count(&a->sources) : 0;
            if (a && d->cfg.bf_account_failures && a->refused >= d->cfg.bf_account_failures &&
                sources >= 2) {
                snprintf(why, sizeof why, "one account refused %u times from %u addresses",
                         a->refused, sources);
                raise_alert(d, s, SNB_SEC_BRUTEFORCE, m->ts_us, why);
            }
        }
    }
    if (m->cseq_method == SNB_SIP_INVITE && m->status >= 200 && m->status < 300) {
        sec_call_t *c =
            sec_calls_get(d->calls, m->call_id.p, m->call_id.len, m->ts_us, false, NULL);
        if (c && c->invite_us && !(c->flags & CALL_ANSWERED)) {
            c->flags |= CALL_ANSWERED;
            if (c->flags & CALL_PREMIUM) s->premium_answered++;
            if (c->flags & CALL_RUN) s->run_answered++;
            char why[96];
            if (d->cfg.toll_calls && s->premium_answered >= d->cfg.toll_calls) {
                snprintf(why, sizeof why, "%u answered calls to premium prefixes",
                         s->premium_answered);
                raise_alert(d, s, SNB_SEC_TOLL_FRAUD, m->ts_us, why);
            } else if (d->cfg.toll_run && s->run_answered + 1 >= d->cfg.toll_run) {
                snprintf(why, sizeof why, "%u answered calls to consecutive numbers",
                         s->run_answered + 1);
                raise_alert(d, s, SNB_SEC_TOLL_FRAUD, m->ts_us, why);
            }
        }
    }
}

/* Sources that paused long enough get their enumeration verdict. */
static void settle(sec_detect_t *d, uint64_t now_us)
{
    while (d->pend_head) {
        sec_src_t *s = at(d, d->pend_head);
        if (now_us < s->last_us + d->cfg.idle_us) break;
        judge_deferred(d, s, now_us);
    }
}

unsigned sec_detect_msg(sec_detect_t *d, const sec_msg_t *m)
{
    if (!d || !m || (m->src.family != 4 && m->src.family != 6)) return 0;
    d->stats.messages++;
    settle(d, m->ts_us);
    if (m->is_request) {
        on_request(d, m);
        sec_src_t *s = find(d, &m->src, NULL);
        return s ? alerted_mask(d, s, m->ts_us) : 0;
    }
    on_response(d, m);
    sec_src_t *s = find(d, &m->dst, NULL);
    return s ? alerted_mask(d, s, m->ts_us) : 0;
}

void sec_detect_flush(sec_detect_t *d)
{
    if (!d) return;
    while (d->pend_head) {
        sec_src_t *s = at(d, d->pend_head);
        judge_deferred(d, s, s->last_us);
    }
}
