/* Per-call media view from SIP message events (see rtp_calls.h). */
#include "rtp_calls.h"
#include "rtp_dlist.h"

#include <stdlib.h>
#include <string.h>

#include "sipnab/lazytable.h"

struct rtp_calls {
    uint32_t max_calls;
    uint32_t n_calls;
    rtp_call_t *calls;    /* max_calls slots */
    uint32_t *free_slots; /* slots emptied by eviction, reused first */
    uint32_t n_free;
    uint32_t next_unused;  /* slots from here on were never used */
    rtp_call_t **call_bkt; /* call_mask + 1 */
    uint64_t call_mask;
    rtp_endpoint_t **ep_bkt; /* ep_mask + 1 */
    uint64_t ep_mask;
    /* Eviction order without a scan: calls still up, least recently
     * updated first; ended calls, earliest end first (capture time only
     * moves forward, so appending keeps both sorted). */
    rtp_call_t *live_head, *live_tail;
    rtp_call_t *ended_head, *ended_tail;
    uint64_t linger_us; /* 0: ended calls stay until evicted */
    uint32_t faxing;    /* calls with fax.active */
    rtp_calls_stats_t st;
    snb_hash_key_t key; /* Call-IDs and SDP endpoints come from packets */
};

static void call_free_endpoints(rtp_call_t *k)
{
    for (int s = 0; s < 2; s++) {
        for (int i = 0; i < k->side[s].n_eps; i++)
            free(k->side[s].eps[i]);
        k->side[s].n_eps = 0;
    }
}

static uint64_t pow2_at_least(uint64_t n)
{
    uint64_t p = 16;
    while (p < n)
        p <<= 1;
    return p;
}

rtp_calls_t *rtp_calls_new(uint32_t max_calls)
{
    if (max_calls == 0) max_calls = 1;
    rtp_calls_t *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->max_calls = max_calls;
    c->call_mask = pow2_at_least((uint64_t)max_calls * 2) - 1;
    /* Calls usually announce 2 endpoints (one per side): buckets for 4 per
     * call keep chains short without touching pages nobody uses. */
    c->ep_mask = pow2_at_least((uint64_t)max_calls * 4) - 1;
    /* Sized for max_calls, touched as calls come (sipnab/lazytable.h). */
    c->calls = snb_lazy_table_new(max_calls, sizeof *c->calls);
    c->free_slots = snb_lazy_table_new(max_calls, sizeof *c->free_slots);
    c->call_bkt = snb_lazy_table_new(c->call_mask + 1, sizeof *c->call_bkt);
    c->ep_bkt = snb_lazy_table_new(c->ep_mask + 1, sizeof *c->ep_bkt);
    if (!c->calls || !c->free_slots || !c->call_bkt || !c->ep_bkt) {
        rtp_calls_free(c);
        return NULL;
    }
    return c;
}

void rtp_calls_free(rtp_calls_t *c)
{
    if (!c) return;
    for (uint32_t i = 0; c->calls && i < c->next_unused; i++)
        if (c->calls[i].used) call_free_endpoints(&c->calls[i]);
    snb_lazy_table_free(c->calls, c->max_calls, sizeof *c->calls);
    snb_lazy_table_free(c->free_slots, c->max_calls, sizeof *c->free_slots);
    snb_lazy_table_free(c->call_bkt, c->call_mask + 1, sizeof *c->call_bkt);
    snb_lazy_table_free(c->ep_bkt, c->ep_mask + 1, sizeof *c->ep_bkt);
    free(c);
}

void rtp_calls_set_linger(rtp_calls_t *c, uint64_t linger_us)
{
    c->linger_us = linger_us;
}

void rtp_calls_set_key(rtp_calls_t *c, const snb_hash_key_t *key)
{
    c->key = *key;
}

uint64_t rtp_calls_hash_id(const rtp_calls_t *c, const char *call_id, size_t len)
{
    if (len > RTP_CALL_ID_MAX - 1) len = RTP_CALL_ID_MAX - 1;
    return snb_hash_bytes(&c->key, call_id, len);
}

/* ---- endpoint index ------------------------------------------------------ */

static bool ep_indexable(const rtp_endpoint_t *ep)
{
    return ep->port != 0 && !rtp_addr_is_any(&ep->addr);
}

static rtp_endpoint_t **ep_bucket(const rtp_calls_t *c, const snb_addr_t *a, uint16_t port)
{
    return &c->ep_bkt[rtp_addr_hash(&c->key, a, port) & c->ep_mask];
}

static void ep_index(rtp_calls_t *c, rtp_endpoint_t *ep)
{
    if (!ep_indexable(ep)) return;
    rtp_endpoint_t **b = ep_bucket(c, &ep->addr, ep->port);
    ep->hnext = *b; /* newest first: a re-used port belongs to the latest call */
    *b = ep;
}

static void ep_unindex(rtp_calls_t *c, rtp_endpoint_t *ep)
{
    if (!ep_indexable(ep)) return;
    for (rtp_endpoint_t **pp = ep_bucket(c, &ep->addr, ep->port); *pp; pp = &(*pp)->hnext)
        if (*pp == ep) {
            *pp = ep->hnext;
            break;
        }
    ep->hnext = NULL;
}

/* Move an already indexed endpoint to the front of its chain (re-announced). */
static void ep_touch(rtp_calls_t *c, rtp_endpoint_t *ep)
{
    ep_unindex(c, ep);
    ep_index(c, ep);
}

static rtp_endpoint_t *lookup_kind(const rtp_calls_t *c, const snb_addr_t *addr, uint16_t port,
                                   bool image)
{
    for (rtp_endpoint_t *ep = *ep_bucket(c, addr, port); ep; ep = ep->hnext)
        if (ep->port == port && ep->image == image && rtp_addr_eq(&ep->addr, addr)) return ep;
    return NULL;
}

const rtp_endpoint_t *rtp_calls_lookup(const rtp_calls_t *c, const snb_addr_t *addr, uint16_t port)
{
    return lookup_kind(c, addr, port, false);
}

rtp_endpoint_t *rtp_calls_lookup_image(const rtp_calls_t *c, const snb_addr_t *addr, uint16_t port)
{
    return lookup_kind(c, addr, port, true);
}

uint32_t rtp_calls_faxing(const rtp_calls_t *c)
{
    return c->faxing;
}

void rtp_calls_count_udptl(rtp_calls_t *c)
{
    c->st.udptl++;
}

/* ---- call table ---------------------------------------------------------- */

rtp_call_t *rtp_calls_find(const rtp_calls_t *c, const char *call_id, size_t len)
{
    if (len > RTP_CALL_ID_MAX - 1) len = RTP_CALL_ID_MAX - 1;
    uint64_t h = rtp_calls_hash_id(c, call_id, len);
    for (rtp_call_t *k = c->call_bkt[h & c->call_mask]; k; k = k->hnext)
        if (k->call_hash == h && strlen(k->call_id) == len && memcmp(k->call_id, call_id, len) == 0)
            return k;
    return NULL;
}

static void list_remove(rtp_calls_t *c, rtp_call_t *k)
{
    if (k->on_ended_list)
        DL_REMOVE(c->ended_head, c->ended_tail, k, lprev, lnext);
    else
        DL_REMOVE(c->live_head, c->live_tail, k, lprev, lnext);
}

/* Put k at the tail of the list its state belongs on: O(1) per message. */
static void list_place(rtp_calls_t *c, rtp_call_t *k)
{
    list_remove(c, k);
    k->on_ended_list = k->ended_us != 0;
    if (k->on_ended_list)
        DL_APPEND(c->ended_head, c->ended_tail, k, lprev, lnext);
    else
        DL_APPEND(c->live_head, c->live_tail, k, lprev, lnext);
}

static void call_remove(rtp_calls_t *c, rtp_call_t *k)
{
    list_remove(c, k);
    for (rtp_call_t **pp = &c->call_bkt[k->call_hash & c->call_mask]; *pp; pp = &(*pp)->hnext)
        if (*pp == k) {
            *pp = k->hnext;
            break;
        }
    for (int s = 0; s < 2; s++)
        for (int i = 0; i < k->side[s].n_eps; i++)
            ep_unindex(c, k->side[s].eps[i]);
    call_free_endpoints(k);
    if (k->fax.active) c->faxing--;
    memset(k, 0, sizeof *k);
    c->n_calls--;
    c->free_slots[c->n_free++] = (uint32_t)(k - c->calls);
}

/* Victim when full: the call that ended first, else the least recently
 * updated: the heads of the two lists. */
static rtp_call_t *call_victim(rtp_calls_t *c)
{
    return c->ended_head ? c->ended_head : c->live_head;
}

/* Ended calls past their linger, oldest first: amortised O(1). */
static void forget_ended(rtp_calls_t *c, uint64_t now_us)
{
    while (c->linger_us && c->ended_head && now_us > c->ended_head->ended_us &&
           now_us - c->ended_head->ended_us > c->linger_us) {
        call_remove(c, c->ended_head);
        c->st.forgotten++;
    }
}

static rtp_call_t *call_create(rtp_calls_t *c, const char *id, size_t len, uint64_t ts)
{
    if (len > RTP_CALL_ID_MAX - 1) len = RTP_CALL_ID_MAX - 1;
    if (c->n_calls == c->max_calls) {
        rtp_call_t *v = call_victim(c);
        c->st.evicted++;
        if (!v->ended_us) c->st.evicted_live++;
        call_remove(c, v);
    }
    /* O(1): a slot an eviction emptied, else the next never-used one. */
    rtp_call_t *k = c->n_free ? &c->calls[c->free_slots[--c->n_free]] : &c->calls[c->next_unused++];
    memset(k, 0, sizeof *k);
    k->used = true;
    memcpy(k->call_id, id, len);
    k->call_id[len] = '\0';
    k->call_hash = rtp_calls_hash_id(c, id, len);
    k->first_us = k->last_us = ts;
    DL_APPEND(c->live_head, c->live_tail, k, lprev, lnext);
    rtp_call_t **b = &c->call_bkt[k->call_hash & c->call_mask];
    k->hnext = *b;
    *b = k;
    c->n_calls++;
    c->st.calls++;
    return k;
}

rtp_call_t *rtp_calls_next(const rtp_calls_t *c, uint32_t *pos)
{
    while (*pos < c->max_calls) {
        rtp_call_t *k = &c->calls[(*pos)++];
        if (k->used) return k;
    }
    return NULL;
}

/* ---- SDP ----------------------------------------------------------------- */

static bool media_is_rtp(const snb_sip_media_t *m)
{
    return strcmp(m->type, "audio") == 0 || strcmp(m->type, "video") == 0;
}

/* m=image is T.38 (the SDP view carries no transport: udptl is assumed). */
static bool media_is_fax(const snb_sip_media_t *m)
{
    return strcmp(m->type, "image") == 0;
}

static void ep_fill(rtp_endpoint_t *ep, const snb_sip_media_t *m, uint32_t sdp_seq, uint64_t ts)
{
    ep->direction = m->direction ? m->direction : RTP_DIR_SENDRECV;
    ep->hold = ep->direction == RTP_DIR_SENDONLY || ep->direction == RTP_DIR_INACTIVE ||
               rtp_addr_is_any(&m->addr);
    ep->video = strcmp(m->type, "video") == 0;
    ep->telephone_event_pt = m->telephone_event_pt;
    ep->ptime = m->ptime;
    ep->sdp_seq = sdp_seq;
    ep->ts_us = ts;
    ep->n_formats = m->n_formats > RTP_CALL_MAX_FORMATS ? RTP_CALL_MAX_FORMATS : m->n_formats;
    for (unsigned i = 0; i < ep->n_formats; i++) {
        ep->formats[i].pt = m->formats[i].pt;
        memcpy(ep->formats[i].encoding, m->formats[i].encoding, sizeof ep->formats[i].encoding);
        ep->formats[i].encoding[sizeof ep->formats[i].encoding - 1] = '\0';
        ep->formats[i].clock_rate = m->formats[i].clock_rate;
    }
}

static void side_hold(rtp_call_side_t *sd, bool hold, uint64_t ts)
{
    rtp_hold_t *cur = sd->n_holds ? &sd->holds[(sd->n_holds - 1) % RTP_CALL_MAX_HOLDS] : NULL;
    bool holding = cur && cur->end_us == 0;
    if (hold && !holding) {
        rtp_hold_t *h = &sd->holds[sd->n_holds % RTP_CALL_MAX_HOLDS];
        h->start_us = ts;
        h->end_us = 0;
        sd->n_holds++;
    } else if (!hold && holding) {
        cur->end_us = ts;
    }
}

static unsigned side_sdp(rtp_calls_t *c, rtp_call_t *k, unsigned s,
                         const snb_sip_message_event_t *ev)
{
    rtp_call_side_t *sd = &k->side[s];
    unsigned added = 0;
    bool audio_seen = false;
    sd->n_sdp++;
    for (unsigned i = 0; i < ev->n_media && i < SNB_SIP_MAX_MEDIA; i++) {
        const snb_sip_media_t *m = &ev->media[i];
        bool image = media_is_fax(m);
        if (!media_is_rtp(m) && !image) continue;
        if (image && m->port == 0) continue; /* T.38 refused or dropped */
        bool video = strcmp(m->type, "video") == 0;
        rtp_endpoint_t *ep = NULL;
        for (unsigned j = 0; j < sd->n_eps; j++) {
            rtp_endpoint_t *e = sd->eps[j];
            if (e->port == m->port && e->video == video && e->image == image &&
                rtp_addr_eq(&e->addr, &m->addr)) {
                ep = e;
                break;
            }
        }
        if (ep) {
            ep_fill(ep, m, sd->n_sdp, ev->ts_us);
            ep_touch(c, ep);
        } else {
            if (sd->next_ep < sd->n_eps) { /* the ring is full: reuse the oldest */
                ep = sd->eps[sd->next_ep];
                ep_unindex(c, ep);
            } else {
                ep = malloc(sizeof *ep);
                if (!ep) {
                    c->st.endpoints_unstored++;
                    continue;
                }
                sd->eps[sd->n_eps++] = ep;
            }
            sd->next_ep = (uint8_t)((sd->next_ep + 1) % RTP_CALL_MAX_EPS);
            memset(ep, 0, sizeof *ep);
            ep->addr = m->addr;
            ep->port = m->port;
            ep->image = image;
            ep->call = k;
            ep->side = (uint8_t)s;
            ep_fill(ep, m, sd->n_sdp, ev->ts_us);
            ep_index(c, ep);
            if (ep_indexable(ep) && !image) added++;
            c->st.endpoints++;
        }
        if (image) continue; /* directions and holds are the audio's */
        sd->dir_seen |= (uint8_t)(1u << ep->direction);
        if (rtp_addr_is_any(&m->addr) || m->port == 0) sd->zero_addr_seen = true;
        if (!video && !audio_seen) {
            audio_seen = true;
            side_hold(sd, ep->hold, ev->ts_us);
        }
    }
    return added;
}

/* The fax phase starts with an SDP answer accepting T.38 and ends with an
 * answer back to audio (RFC 6913's re-INVITE dance, in either direction). */
static void fax_sdp(rtp_calls_t *c, rtp_call_t *k, const snb_sip_message_event_t *ev)
{
    bool image = false, audio = false;
    for (unsigned i = 0; i < ev->n_media && i < SNB_SIP_MAX_MEDIA; i++) {
        if (ev->media[i].port == 0) continue;
        if (media_is_fax(&ev->media[i])) image = true;
        if (strcmp(ev->media[i].type, "audio") == 0) audio = true;
    }
    rtp_fax_t *f = &k->fax;
    if (image && !f->offered_us) f->offered_us = ev->ts_us;
    if (ev->sdp_role != SNB_SDP_ANSWER) return;
    if (image && !f->active) {
        f->active = true;
        f->switches++;
        if (!f->switched_us) f->switched_us = ev->ts_us;
        c->faxing++;
    } else if (!image && audio && f->active) {
        f->active = false;
        f->back_us = ev->ts_us;
        c->faxing--;
    }
}

/* Methods of an INVITE dialog: the messages that make a call, with or
 * without SDP (an answered INVITE without media is itself a diagnosis). */
static bool invite_dialog_method(uint8_t method)
{
    switch (method) {
    case SNB_SIP_INVITE:
    case SNB_SIP_ACK:
    case SNB_SIP_BYE:
    case SNB_SIP_CANCEL:
    case SNB_SIP_PRACK:
    case SNB_SIP_INFO:
    case SNB_SIP_UPDATE:
        return true;
    default:
        return false;
    }
}

/* Whether a message of a Call-ID not seen yet starts a call: REGISTER,
 * OPTIONS, SUBSCRIBE/NOTIFY, MESSAGE... without SDP never carry media, and
 * on signalling-heavy traffic they are most dialogs (a call apiece cost
 * its memory and a table slot for nothing). */
static bool starts_call(const snb_sip_message_event_t *ev)
{
    return ev->n_media > 0 || invite_dialog_method(ev->method) ||
           invite_dialog_method(ev->cseq_method);
}

rtp_call_t *rtp_calls_sip(rtp_calls_t *c, const snb_sip_message_event_t *ev, unsigned *new_eps)
{
    if (new_eps) *new_eps = 0;
    if (!ev->call_id.p || ev->call_id.len == 0) return NULL;
    forget_ended(c, ev->ts_us);
    rtp_call_t *k = rtp_calls_find(c, ev->call_id.p, ev->call_id.len);
    bool fresh = !k;
    if (fresh && !starts_call(ev)) return NULL;
    if (fresh) k = call_create(c, ev->call_id.p, ev->call_id.len, ev->ts_us);
    if (ev->ts_us > k->last_us) k->last_us = ev->ts_us;

    char tag[sizeof k->caller_tag];
    /* The SIP module parsed the From tag; "" when absent. */
    if (ev->from_tag.p)
        snb_str_copy(ev->from_tag, tag, sizeof tag);
    else
        tag[0] = '\0';
    /* The first message's From tag is the caller's (a response carries its
     * request's From), unless the capture began mid-dialog. */
    if (fresh) memcpy(k->caller_tag, tag, sizeof tag);
    /* A request is sent by the caller when its From tag is the caller's; a
     * response travels the other way. */
    bool same_tag = !k->caller_tag[0] || strcmp(tag, k->caller_tag) == 0;
    bool by_caller = ev->is_request ? same_tag : !same_tag;

    if (ev->is_request && ev->method == SNB_SIP_INVITE) {
        if (!k->invite_us) k->invite_us = ev->ts_us;
        if (!k->answered && k->ended_us) k->ended_us = 0; /* retried after 401/407 */
    }
    if (!ev->is_request && ev->cseq_method == SNB_SIP_INVITE && ev->status >= 200) {
        if (ev->status < 300) {
            if (!k->answered) {
                k->answered = true;
                k->answered_us = ev->ts_us;
                k->final_status = ev->status;
            }
        } else if (!k->answered) {
            k->final_status = ev->status;
            if (!k->ended_us) k->ended_us = ev->ts_us;
        }
    }
    if (ev->is_request && ev->method == SNB_SIP_BYE && !k->ended_us) k->ended_us = ev->ts_us;

    if (ev->n_media > 0 && ev->sdp_role != SNB_SDP_NONE) {
        if (!k->side[0].n_sdp && !k->side[1].n_sdp)
            k->offer_by_caller = ev->sdp_role == SNB_SDP_ANSWER ? !by_caller : by_caller;
        unsigned s = by_caller == k->offer_by_caller ? RTP_SIDE_OFFER : RTP_SIDE_ANSWER;
        unsigned n = side_sdp(c, k, s, ev);
        if (new_eps) *new_eps = n;
        fax_sdp(c, k, ev);
    }
    list_place(c, k);
    return k;
}

const rtp_endpoint_t *rtp_call_latest(const rtp_call_t *call, unsigned side, bool video)
{
    if (side > 1) return NULL;
    const rtp_call_side_t *sd = &call->side[side];
    const rtp_endpoint_t *best = NULL;
    for (unsigned i = 0; i < sd->n_eps; i++) {
        const rtp_endpoint_t *e = sd->eps[i];
        if (e->video != video || e->image) continue;
        if (!best || e->sdp_seq > best->sdp_seq ||
            (e->sdp_seq == best->sdp_seq && e->ts_us > best->ts_us))
            best = e;
    }
    return best;
}

bool rtp_endpoint_format(const rtp_endpoint_t *ep, uint8_t pt, const char **encoding,
                         uint32_t *clock_rate)
{
    for (unsigned i = 0; i < ep->n_formats; i++)
        if (ep->formats[i].pt == pt) {
            if (encoding) *encoding = ep->formats[i].encoding;
            if (clock_rate) *clock_rate = ep->formats[i].clock_rate;
            return true;
        }
    return false;
}

const rtp_calls_stats_t *rtp_calls_stats(const rtp_calls_t *c)
{
    return &c->st;
}
