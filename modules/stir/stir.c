/* stir.so: STIR/SHAKEN verification of every initial INVITE's Identity
 * headers (RFC 8224/8225/8588/8946, ATIS-1000074/1000080). The loop glue:
 * options and flags, the trust anchors and offline certificate cache,
 * reading SIP through the platform's accessors, and the "stir_shaken"
 * dialog annotation (JSON, diagnosis hints, filter fields, call report)
 * and counters. The rules themselves are in stir_verify.c.
 *
 * Certificates come from the cert map and, for live capture with fetch =
 * yes, from an HTTPS fetch of x5u (stir_fetch.c, kept in stir_cache.c): an
 * INVITE whose x5u is missing waits for its fetch (at most fetch_timeout),
 * then is verified and published. A capture file never makes us fetch. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sipnab/core.h>
#include <sipnab/dialogs.h>
#include <sipnab/log.h>
#include <sipnab/module.h>
#include <sipnab/sip.h>

#include "stir_cache.h"
#include "stir_date.h"
#include "stir_fetch.h"
#include "stir_identity.h"
#include "stir_json.h"
#include "stir_pki.h"
#include "stir_tn.h"
#include "stir_verify.h"

typedef struct stir_conf {
    bool verify;
    const char *trust;
    const char *cert_map;
    int64_t max_age;
    bool fetch;
    uint64_t fetch_timeout; /* ms */
    uint64_t fetch_max_size;
    int64_t fetch_cache;
    bool fetch_allow_private;  /* tests only */
    const char *fetch_ca_file; /* tests only */
} stir_conf_t;

#define MAX_PENDING 4096 /* INVITEs waiting for a fetch; more are verified at once */

/* An INVITE held until the x5u fetches it needs have ended: its input, with
 * the Identity values copied (the message is gone by then). */
typedef struct pending {
    char *call_id;
    size_t call_id_len;
    stir_call_input_t in;
    snb_str_t ids[STIR_MAX_IDENTITIES];
    char *copies[STIR_MAX_IDENTITIES];
    char *waiting[STIR_MAX_IDENTITIES]; /* URLs not fetched yet */
    unsigned n_waiting;
    struct pending *next;
} pending_t;

/* What a dialog keeps: the rendered object and what fields and reports read. */
typedef struct stir_dialog {
    json_t *json;
    stir_result_t result;
    stir_reason_t reason, underlying;
    char attest[8], spc[STIR_SPC_MAX], orig_tn[64], verstat[64];
    double iat_age_s;
    bool has_age;
    unsigned identities;
} stir_dialog_t;

#define N_ATTEST 5 /* A, B, C, none, other */

typedef struct stir {
    snb_core_t *core;
    const stir_conf_t *conf;
    const snb_dialogs_service_t *dialogs;
    stir_pki_t *pki;
    int annotation;
    snb_event_type_t ev_message;
    int subscription;
    int end_subscription; /* capture-end, taken in init: see on_capture_end */
    uint64_t verifications[STIR_RESULT_COUNT][N_ATTEST][STIR_REASON_COUNT];
    uint64_t passports[STIR_REASON_COUNT];
    uint64_t identities_not_verified;
    uint64_t fetches[STIR_FETCH_RESULT_COUNT];
    int live; /* -1 not known yet, 0 file input, 1 live capture */
    stir_fetcher_t *fetcher;
    stir_cache_t *cache;
    pending_t *pending;
    unsigned n_pending;
} stir_t;

static const char *const attest_names[N_ATTEST] = {"A", "B", "C", "none", "other"};

static unsigned attest_index(const char *a)
{
    if (!a[0]) return 3;
    if (!a[1] && a[0] >= 'A' && a[0] <= 'C') return (unsigned)(a[0] - 'A');
    return 4;
}

/* ---- SIP in ---- */

/* The TN (and verstat) of a From/To/PAI style value. */
static bool tn_of(const snb_sip_message_event_t *ev, snb_str_t value, char tn[STIR_TN_MAX],
                  char *verstat, size_t vsize)
{
    snb_sip_nameaddr_t na;
    if (!value.p || !ev->sip->nameaddr(value, &na)) return false;
    if (verstat && !verstat[0]) stir_tn_verstat(na.uri.p, na.uri.len, verstat, vsize);
    return stir_tn_of_uri(na.uri.p, na.uri.len, tn);
}

static void read_call(const snb_sip_message_event_t *ev, stir_call_input_t *in,
                      snb_str_t identities[STIR_MAX_IDENTITIES],
                      char (*unfolded)[STIR_IDENTITY_MAX_LEN + 1])
{
    const snb_sip_api_t *sip = ev->sip;
    const snb_sip_msg_t *msg = ev->msg;
    memset(in, 0, sizeof *in);
    in->ts_us = ev->ts_us;
    in->n_identities = sip->header_count(msg, "Identity");
    for (unsigned i = 0; i < in->n_identities && i < STIR_MAX_IDENTITIES; i++) {
        identities[i] = sip->header(msg, "Identity", i);
        /* A folded header (CRLF + whitespace before a parameter) reads as
         * one line; a value too long for the buffer stays as it is and is
         * refused by the parser as too long. */
        if (identities[i].p && identities[i].len <= STIR_IDENTITY_MAX_LEN && unfolded)
            identities[i] = snb_str(
                unfolded[i], sip->unfold(identities[i], unfolded[i], STIR_IDENTITY_MAX_LEN + 1));
    }
    in->identities = identities;
    /* orig: the first P-Asserted-Identity with a TN, else From; verstat
     * from the first PAI that carries one, else From. */
    unsigned n_pai = sip->header_count(msg, "P-Asserted-Identity");
    char tn[STIR_TN_MAX];
    for (unsigned i = 0; i < n_pai && i < 8; i++) {
        snb_str_t v = sip->header(msg, "P-Asserted-Identity", i);
        if (tn_of(ev, v, tn, in->verstat, sizeof in->verstat) && !in->orig_tn[0])
            memcpy(in->orig_tn, tn, sizeof tn);
    }
    snb_str_t from = sip->header(msg, "From", 0);
    if (!in->orig_tn[0]) tn_of(ev, from, in->orig_tn, NULL, 0);
    if (!in->verstat[0]) tn_of(ev, from, tn, in->verstat, sizeof in->verstat);
    tn_of(ev, sip->header(msg, "To", 0), in->to_tn, NULL, 0);
    snb_str_t ruri = sip->request_uri(msg);
    if (ruri.p) stir_tn_of_uri(ruri.p, ruri.len, in->ruri_tn);
    static const char *const diversion_headers[] = {"Diversion", "History-Info"};
    for (size_t h = 0; h < 2; h++) {
        unsigned n = sip->header_count(msg, diversion_headers[h]);
        for (unsigned i = 0; i < n && in->n_diversion_tns < STIR_MAX_DIVERSIONS; i++)
            if (tn_of(ev, sip->header(msg, diversion_headers[h], i), tn, NULL, 0))
                memcpy(in->diversion_tns[in->n_diversion_tns++], tn, sizeof tn);
    }
    snb_str_t date = sip->header(msg, "Date", 0);
    in->has_date = date.p && stir_date_parse(date.p, date.len, &in->date);
}

static void free_dialog(void *ctx, void *data)
{
    (void)ctx;
    stir_dialog_t *sd = data;
    if (!sd) return;
    json_decref(sd->json);
    free(sd);
}

static stir_dialog_t *keep(const stir_call_result_t *r)
{
    stir_dialog_t *sd = calloc(1, sizeof *sd);
    if (!sd) return NULL;
    sd->json = stir_result_json(r);
    if (!sd->json) {
        free(sd);
        return NULL;
    }
    sd->result = r->result;
    sd->reason = r->reason;
    sd->underlying = r->underlying;
    sd->identities = r->identity_count;
    snprintf(sd->verstat, sizeof sd->verstat, "%s", r->verstat);
    if (r->n) {
        const stir_identity_result_t *p = &r->ids[r->primary];
        snprintf(sd->spc, sizeof sd->spc, "%s", p->spc);
        if (p->parsed) {
            snprintf(sd->attest, sizeof sd->attest, "%s", p->pp.attest);
            snprintf(sd->orig_tn, sizeof sd->orig_tn, "%s", p->pp.orig_tn);
            sd->iat_age_s = p->iat_age_s;
            sd->has_age = p->pp.has_iat;
        }
    }
    return sd;
}

static void count(stir_t *s, const stir_call_result_t *r)
{
    unsigned a = r->n ? attest_index(r->ids[r->primary].pp.attest) : 3;
    s->verifications[r->result][a][r->reason]++;
    for (unsigned i = 0; i < r->n; i++)
        s->passports[r->ids[i].reason]++;
    s->identities_not_verified += r->identity_count - r->n;
}

/* Publish a verdict on the dialog of call_id (it may have gone meanwhile). */
static void publish(stir_t *s, const char *call_id, size_t len, const stir_call_result_t *r)
{
    count(s, r);
    const snb_dialog_t *d = s->dialogs->find(s->dialogs->ctx, call_id, len);
    void **slot = d ? s->dialogs->data(s->dialogs->ctx, d, s->annotation) : NULL;
    if (!slot) return;
    stir_dialog_t *sd = keep(r);
    if (!sd) return;
    free_dialog(NULL, *slot); /* a new initial INVITE (after a challenge) replaces it */
    *slot = sd;
    s->dialogs->touch(s->dialogs->ctx, d);
}

static stir_config_t config_of(const stir_t *s)
{
    return (stir_config_t){.pki = s->pki, .max_age_s = s->conf->max_age};
}

/* ---- x5u fetching (live capture only) ---- */

static void on_fetched(void *ud, const char *url, stir_fetch_result_t res, const stir_body_t *body,
                       const char *cache_control);

/* A fetched chain leaves the cache: drop it from the PKI too. */
static void on_evict(void *ud, const char *url)
{
    stir_pki_remove_chain(((stir_t *)ud)->pki, url);
}

/* Whether this run fetches: fetch = yes and a live source. Decided at the
 * first INVITE, when the sources are known; file input says so once. */
static bool fetching(stir_t *s)
{
    if (!s->conf->fetch) return false;
    if (s->live < 0) {
        s->live = snb_core_has_live_source(s->core) ? 1 : 0;
        if (!s->live) {
            snb_log_info(s->core, "stir",
                         "fetch = yes, but file input never fetches x5u: certificates come from "
                         "the cert map only");
        } else {
            stir_fetch_conf_t fc = {.timeout_ms = (long)s->conf->fetch_timeout,
                                    .max_size = (size_t)s->conf->fetch_max_size,
                                    .allow_private = s->conf->fetch_allow_private,
                                    .ca_file = s->conf->fetch_ca_file};
            s->fetcher = stir_fetcher_new(snb_core_loop(s->core), &fc, on_fetched, s);
            s->cache = stir_cache_new((size_t)s->conf->fetch_cache, snb_core_hash_key(s->core),
                                      on_evict, s);
            if (!s->fetcher || !s->cache) {
                snb_log_error(s->core, "stir", "x5u fetching could not start (out of memory)");
                s->live = 0;
            }
        }
    }
    return s->live == 1;
}

static void pending_free(pending_t *p)
{
    for (unsigned i = 0; i < STIR_MAX_IDENTITIES; i++) {
        free(p->copies[i]);
        free(p->waiting[i]);
    }
    free(p->call_id);
    free(p);
}

/* Verify a held INVITE with what the PKI has now, and publish it. */
static void pending_finish(stir_t *s, pending_t *p)
{
    stir_call_result_t *r = malloc(sizeof *r);
    if (r) {
        stir_config_t cfg = config_of(s);
        stir_verify_call(&cfg, &p->in, r);
        publish(s, p->call_id, p->call_id_len, r);
        free(r);
    }
    pending_free(p);
}

/* Hold the INVITE until the fetches of its URLs end. false when it cannot
 * be held (the caller verifies it now). */
static bool hold(stir_t *s, const snb_sip_message_event_t *ev, const stir_call_input_t *in,
                 char *const urls[], unsigned n_urls)
{
    if (s->n_pending >= MAX_PENDING) return false;
    pending_t *p = calloc(1, sizeof *p);
    if (!p) return false;
    p->in = *in;
    p->in.identities = p->ids;
    p->call_id = malloc(ev->call_id.len + 1);
    bool ok = p->call_id != NULL;
    if (ok) {
        memcpy(p->call_id, ev->call_id.p, ev->call_id.len);
        p->call_id_len = ev->call_id.len;
    }
    for (unsigned i = 0; ok && i < in->n_identities && i < STIR_MAX_IDENTITIES; i++) {
        snb_str_t v = in->identities[i];
        p->copies[i] = malloc(v.len + 1);
        ok = p->copies[i] != NULL;
        if (ok && v.len) memcpy(p->copies[i], v.p, v.len);
        p->ids[i] = ok && v.p ? snb_str(p->copies[i], v.len) : (snb_str_t){0};
    }
    for (unsigned i = 0; ok && i < n_urls; i++)
        if (stir_fetcher_start(s->fetcher, urls[i]) == 0)
            ok = (p->waiting[p->n_waiting++] = strdup(urls[i])) != NULL;
    if (!ok || !p->n_waiting) {
        pending_free(p);
        return false;
    }
    /* appended: calls are published in the order they came (a later
     * initial INVITE of a Call-ID replaces the earlier one's verdict) */
    pending_t **tail = &s->pending;
    while (*tail)
        tail = &(*tail)->next;
    *tail = p;
    s->n_pending++;
    return true;
}

/* The URLs of r's PASSporTs that need a fetch: not in the PKI, or a
 * fetched chain whose time in the cache is over (dropped just now). A
 * fresh fetched one counts as a cache hit. Returns how many (deduplicated). */
static unsigned urls_to_fetch(stir_t *s, const stir_call_result_t *r,
                              char *urls[STIR_MAX_IDENTITIES])
{
    unsigned n = 0;
    int64_t now = (int64_t)time(NULL);
    for (unsigned i = 0; i < r->n; i++) {
        const stir_identity_result_t *id = &r->ids[i];
        /* only PASSporTs that reached the certificate check: a header or
         * freshness failure needs no certificate, so no fetch */
        if (!id->parsed || !id->pp.has_x5u || strncmp(id->pp.x5u, "https://", 8) ||
            (id->reason != STIR_CERT_UNAVAILABLE && !id->cert_found))
            continue;
        bool seen = false;
        for (unsigned k = 0; k < n; k++)
            seen |= !strcmp(urls[k], id->pp.x5u);
        if (seen) continue;
        if (stir_cache_get(s->cache, id->pp.x5u, now))
            s->fetches[STIR_FETCH_CACHE_HIT]++;
        else if (!stir_pki_has_chain(s->pki, id->pp.x5u))
            urls[n++] = (char *)id->pp.x5u;
    }
    return n;
}

static void on_fetched(void *ud, const char *url, stir_fetch_result_t res, const stir_body_t *body,
                       const char *cache_control)
{
    stir_t *s = ud;
    bool keep_it = false;
    if (res == STIR_FETCH_OK) {
        int64_t not_after = 0;
        if (stir_pki_add_chain_pem(s->pki, url, body->data, body->len) != 0 ||
            !stir_pki_not_after(s->pki, url, &not_after)) {
            stir_pki_remove_chain(s->pki, url);
            res = STIR_FETCH_BAD_CHAIN;
        } else {
            int64_t now = (int64_t)time(NULL);
            int64_t expires =
                stir_cache_expiry(cache_control, now, not_after, STIR_CACHE_DEFAULT_TTL_S);
            keep_it = expires >= 0 && stir_cache_put(s->cache, url, expires) == 0;
        }
    }
    s->fetches[res]++;
    if (res != STIR_FETCH_OK)
        snb_log_debug(s->core, "stir", "x5u %s: fetch failed: %s", url,
                      stir_fetch_result_name(res));
    /* the INVITEs that waited for it, verified now that it has ended */
    for (pending_t **pp = &s->pending; *pp;) {
        pending_t *p = *pp;
        for (unsigned i = 0; i < p->n_waiting; i++)
            if (!strcmp(p->waiting[i], url)) {
                free(p->waiting[i]);
                p->waiting[i] = p->waiting[--p->n_waiting];
                p->waiting[p->n_waiting] = NULL;
                break;
            }
        if (p->n_waiting) {
            pp = &p->next;
            continue;
        }
        *pp = p->next;
        s->n_pending--;
        pending_finish(s, p);
    }
    /* no-store (or past notAfter): used for the calls above, not kept */
    if (res == STIR_FETCH_OK && !keep_it) stir_pki_remove_chain(s->pki, url);
}

/* An earlier INVITE of this Call-ID still waiting is verified now, so the
 * later one's verdict (published after it) is the one that stays. */
static void supersede(stir_t *s, snb_str_t call_id)
{
    for (pending_t **pp = &s->pending; *pp;) {
        pending_t *p = *pp;
        if (p->call_id_len != call_id.len || memcmp(p->call_id, call_id.p, call_id.len)) {
            pp = &p->next;
            continue;
        }
        *pp = p->next;
        s->n_pending--;
        pending_finish(s, p);
    }
}

static void on_invite(stir_t *s, const snb_sip_message_event_t *ev)
{
    const snb_dialog_t *d = s->dialogs->find(s->dialogs->ctx, ev->call_id.p, ev->call_id.len);
    if (!d || !s->dialogs->data(s->dialogs->ctx, d, s->annotation)) return;
    if (s->pending) supersede(s, ev->call_id);
    snb_str_t identities[STIR_MAX_IDENTITIES];
    stir_call_input_t in;
    /* large: not on the loop's stack */
    char(*unfolded)[STIR_IDENTITY_MAX_LEN + 1] = malloc(STIR_MAX_IDENTITIES * sizeof *unfolded);
    stir_call_result_t *r = malloc(sizeof *r);
    if (!r || !unfolded) {
        free(r);
        free(unfolded);
        return;
    }
    read_call(ev, &in, identities, unfolded);
    stir_config_t cfg = config_of(s);
    stir_verify_call(&cfg, &in, r);
    if (fetching(s)) {
        char *urls[STIR_MAX_IDENTITIES];
        unsigned n = urls_to_fetch(s, r, urls);
        if (n && hold(s, ev, &in, urls, n)) {
            free(unfolded);
            free(r);
            return;
        }
        if (n) stir_verify_call(&cfg, &in, r); /* a stale chain may have been dropped */
    }
    free(unfolded);
    publish(s, ev->call_id.p, ev->call_id.len, r);
    free(r);
}

/* Every INVITE still waiting for a fetch gets the verdict the PKI gives now. */
static void flush_pending(stir_t *s)
{
    while (s->pending) {
        pending_t *p = s->pending;
        s->pending = p->next;
        s->n_pending--;
        pending_finish(s, p);
    }
}

/* The capture ends (a live one at Ctrl-C): the held INVITEs are published
 * before the sip module prints the dialogs. Subscribed in init, so before
 * sip (which subscribes in its start): a bus delivers in subscription order. */
static void on_capture_end(void *ud, const snb_event_t *ev)
{
    (void)ev;
    flush_pending(ud);
}

static void on_event(void *ud, const snb_event_t *ev)
{
    stir_t *s = ud;
    if ((snb_event_type_t)ev->type != s->ev_message) return;
    const snb_sip_message_event_t *m = (const snb_sip_message_event_t *)ev;
    /* Initial INVITEs only: a re-INVITE (To tag) is inside a verified dialog. */
    if (m->is_request && m->method == SNB_SIP_INVITE && !m->retransmit && !m->to_tag.len &&
        m->msg && m->sip)
        on_invite(s, m);
}

/* ---- the dialog annotation ---- */

static const stir_dialog_t *of(stir_t *s, const snb_dialog_info_t *d)
{
    void **slot = s->dialogs->data(s->dialogs->ctx, d->dialog, s->annotation);
    return slot ? *slot : NULL;
}

static json_t *render(void *ctx, const snb_dialog_info_t *d)
{
    const stir_dialog_t *sd = of(ctx, d);
    return sd ? json_incref(sd->json) : NULL;
}

static const snb_diagnosis_kind_t kinds[] = {
    {"stir_invalid", "STIR/SHAKEN verification failed"},
};

static void diagnose(void *ctx, const snb_dialog_info_t *d, json_t *diagnosis)
{
    stir_t *s = ctx;
    const stir_dialog_t *sd = of(s, d);
    if (!sd) return;
    char hint[256];
    if (sd->result == STIR_RESULT_VALID)
        snprintf(hint, sizeof hint, "STIR/SHAKEN: valid (%s), attest %s%s%s",
                 stir_reason_name(sd->reason), sd->attest[0] ? sd->attest : "none",
                 sd->spc[0] ? ", SPC " : "", sd->spc);
    else if (sd->result == STIR_RESULT_NO_IDENTITY)
        snprintf(hint, sizeof hint, "STIR/SHAKEN: no Identity header");
    else if (sd->underlying == STIR_STALE_IAT)
        snprintf(hint, sizeof hint,
                 "STIR/SHAKEN: invalid (%s): Expired: iat %.1f s old, older than %lld s "
                 "(RFC 8224 §12)",
                 stir_reason_name(sd->reason), sd->iat_age_s, (long long)s->conf->max_age);
    else
        snprintf(hint, sizeof hint, "STIR/SHAKEN: invalid (%s): %s", stir_reason_name(sd->reason),
                 stir_reason_words(sd->underlying));
    if (sd->reason == STIR_VERSTAT_CONTRADICTION) {
        size_t n = strlen(hint);
        snprintf(hint + n, sizeof hint - n, "; verstat %s contradicts it", sd->verstat);
    }
    json_array_append_new(json_object_get(diagnosis, "hints"), json_string(hint));
    if (sd->result == STIR_RESULT_INVALID)
        json_object_set_new(diagnosis, "stir_invalid", json_true());
}

enum { F_RESULT, F_REASON, F_ATTEST, F_SPC, F_ORIG, F_AGE, F_IDENTITIES, F_VERSTAT };
static const snb_filter_field_t fields[] = {
    {"stir.result", SNB_FT_STRING, F_RESULT},         {"stir.reason", SNB_FT_STRING, F_REASON},
    {"stir.attest", SNB_FT_STRING, F_ATTEST},         {"stir.spc", SNB_FT_STRING, F_SPC},
    {"stir.orig_tn", SNB_FT_STRING, F_ORIG},          {"stir.iat_age", SNB_FT_NUMBER, F_AGE},
    {"stir.identities", SNB_FT_NUMBER, F_IDENTITIES}, {"stir.verstat", SNB_FT_STRING, F_VERSTAT},
};

static void field(void *ctx, const snb_dialog_info_t *d, void *scratch, int id,
                  snb_filter_value_t *out)
{
    (void)scratch;
    const stir_dialog_t *sd = of(ctx, d);
    memset(out, 0, sizeof *out);
    if (!sd) return;
    switch (id) {
    case F_RESULT:
        snb_filter_value_text(out, stir_result_name(sd->result));
        break;
    case F_REASON:
        snb_filter_value_text(out, stir_reason_name(sd->reason));
        break;
    case F_ATTEST:
        snb_filter_value_text(out, sd->attest);
        break;
    case F_SPC:
        snb_filter_value_text(out, sd->spc);
        break;
    case F_ORIG:
        snb_filter_value_text(out, sd->orig_tn);
        break;
    case F_VERSTAT:
        snb_filter_value_text(out, sd->verstat);
        break;
    case F_AGE:
        out->present = sd->has_age;
        out->num = sd->iat_age_s;
        break;
    case F_IDENTITIES:
        out->present = true;
        out->num = sd->identities;
        break;
    }
}

static const snb_filter_alias_t aliases[] = {
    {"stir_failed", "stir.result == 'invalid'", "STIR/SHAKEN verification failed"},
    {"stir_unsigned", "stir.result == 'no_identity'", "INVITE without an Identity header"},
};

static void report(void *ctx, const snb_dialog_info_t *d, FILE *out, int format)
{
    const stir_dialog_t *sd = of(ctx, d);
    if (!sd) return;
    bool md = format == SNB_REPORT_MARKDOWN;
    fprintf(out, md ? "\n## STIR/SHAKEN\n\n" : "STIR/SHAKEN:\n");
    const char *item = md ? "- " : "  ";
    fprintf(out, "%sresult: %s (%s)", item, stir_result_name(sd->result),
            stir_reason_name(sd->reason));
    if (sd->reason == STIR_VERSTAT_CONTRADICTION)
        fprintf(out, ", underlying: %s", stir_reason_name(sd->underlying));
    fprintf(out, "\n");
    json_t *ids = json_object_get(sd->json, "identities");
    size_t i;
    json_t *id;
    json_array_foreach(ids, i, id)
    {
        const char *ppt = json_string_value(json_object_get(id, "ppt"));
        const char *attest = json_string_value(json_object_get(id, "attest"));
        const char *x5u = json_string_value(json_object_get(id, "x5u"));
        const char *spc = json_string_value(json_object_get(id, "spc"));
        const char *orig = json_string_value(json_object_get(id, "orig_tn"));
        json_t *age = json_object_get(id, "iat_age_s");
        fprintf(out,
                "%sIdentity %zu (%s, ppt %s): %s; attest %s, orig %s, iat age %s%.1f s, SPC %s, "
                "x5u %s\n",
                item, i + 1, json_string_value(json_object_get(id, "form")), ppt ? ppt : "-",
                json_string_value(json_object_get(id, "reason")), attest ? attest : "-",
                orig ? orig : "-", json_is_number(age) ? "" : "? ",
                json_is_number(age) ? json_number_value(age) : 0.0, spc ? spc : "-",
                x5u ? x5u : "-");
    }
    if (sd->verstat[0]) fprintf(out, "%sverstat claimed upstream: %s\n", item, sd->verstat);
}

/* ---- counters ---- */

static const char *const verification_labels[] = {"result", "attest", "reason", NULL};
static const char *const reason_label[] = {"reason", NULL};
static const char *const result_label[] = {"result", NULL};
static const snb_metric_def_t metrics[] = {
    {.name = "verifications",
     .help = "INVITEs verified, by call result, attestation and reason",
     .type = SNB_METRIC_COUNTER,
     .labels = verification_labels},
    {.name = "passports",
     .help = "Identity headers (PASSporTs) verified, by reason",
     .type = SNB_METRIC_COUNTER,
     .labels = reason_label},
    {.name = "identities_not_verified",
     .help = "Identity headers beyond the 8 verified per INVITE",
     .type = SNB_METRIC_COUNTER},
    {.name = "fetches",
     .help = "x5u certificate fetches (live capture), by result; cache_hit: served from the cache",
     .type = SNB_METRIC_COUNTER,
     .labels = result_label},
};

static void collect(void *ud, snb_metric_sink_t *sink)
{
    stir_t *s = ud;
    for (unsigned r = 0; r < STIR_RESULT_COUNT; r++)
        for (unsigned a = 0; a < N_ATTEST; a++)
            for (unsigned k = 0; k < STIR_REASON_COUNT; k++)
                if (s->verifications[r][a][k]) {
                    const char *v[] = {stir_result_name(r), attest_names[a], stir_reason_name(k)};
                    snb_metric_put(sink, 0, v, (double)s->verifications[r][a][k]);
                }
    for (unsigned k = 0; k < STIR_REASON_COUNT; k++)
        if (s->passports[k]) {
            const char *v[] = {stir_reason_name(k)};
            snb_metric_put(sink, 1, v, (double)s->passports[k]);
        }
    snb_metric_put(sink, 2, NULL, (double)s->identities_not_verified);
    for (unsigned k = 0; k < STIR_FETCH_RESULT_COUNT; k++)
        if (s->fetches[k] || (s->conf->fetch && k == STIR_FETCH_OK)) {
            const char *v[] = {stir_fetch_result_name(k)};
            snb_metric_put(sink, 3, v, (double)s->fetches[k]);
        }
}

/* ---- lifetime ---- */

static int load_pki(stir_t *s)
{
    char err[512];
    s->pki = stir_pki_new();
    if (!s->pki) return -ENOMEM;
    if (s->conf->trust && s->conf->trust[0] &&
        stir_pki_load_trust(s->pki, s->conf->trust, err, sizeof err) < 0) {
        snb_log_error(s->core, "stir", "%s", err);
        return -EINVAL;
    }
    if (s->conf->cert_map && s->conf->cert_map[0] &&
        stir_pki_load_map(s->pki, s->conf->cert_map, err, sizeof err) < 0) {
        snb_log_error(s->core, "stir", "%s", err);
        return -EINVAL;
    }
    if (!stir_pki_anchor_count(s->pki))
        snb_log_warn(s->core, "stir", "no trust anchors (--stir-trust): every chain is untrusted");
    if (!stir_pki_chain_count(s->pki) && !s->conf->fetch)
        snb_log_warn(s->core, "stir",
                     "no certificates (--stir-cert-map): every x5u is cert_unavailable");
    if (s->conf->fetch && s->conf->fetch_allow_private)
        snb_log_warn(s->core, "stir",
                     "fetch_allow_private = yes: x5u fetches may reach loopback and private "
                     "addresses (for tests only, never in production)");
    return 0;
}

static int stir_init(snb_core_t *core, const snb_instance_conf_t *inst, size_t n, void **state)
{
    (void)n;
    stir_t *s = calloc(1, sizeof *s);
    if (!s) return -ENOMEM;
    s->core = core;
    s->conf = inst[0].conf;
    s->live = -1;
    s->dialogs = snb_core_service(core, SNB_DIALOGS_SERVICE, SNB_DIALOGS_SERVICE_VERSION);
    if (!s->dialogs) {
        snb_log_error(core, "stir", "needs the sip module's dialog store");
        free(s);
        return -ENOENT;
    }
    int rc = s->conf->verify ? load_pki(s) : 0;
    if (!rc) {
        snb_dialog_annotation_t a = {.name = "stir",
                                     .key = "stir_shaken",
                                     .ctx = s,
                                     .render = render,
                                     .diagnose = diagnose,
                                     .kinds = kinds,
                                     .n_kinds = 1,
                                     .fields = fields,
                                     .n_fields = sizeof fields / sizeof fields[0],
                                     .field = field,
                                     .aliases = aliases,
                                     .n_aliases = sizeof aliases / sizeof aliases[0],
                                     .report = report,
                                     .free_data = free_dialog};
        s->annotation = s->dialogs->annotate(s->dialogs->ctx, &a);
        rc = s->annotation < 0 ? s->annotation : 0;
    }
    if (!rc && s->conf->verify && s->conf->fetch) {
        static const snb_event_type_t end[] = {SNB_EV_CAPTURE_END};
        s->end_subscription = snb_bus_subscribe(snb_core_bus(core), end, 1, on_capture_end, s);
        if (s->end_subscription < 0) rc = s->end_subscription;
    }
    snb_metric_group_t g = {.prefix = "stir", .defs = metrics, .n = 4, .collect = collect, .ud = s};
    if (!rc) rc = snb_core_metrics(core, &g);
    if (rc) {
        if (s->end_subscription > 0) snb_bus_unsubscribe(snb_core_bus(core), s->end_subscription);
        stir_pki_free(s->pki);
        free(s);
        return rc;
    }
    *state = s;
    return 0;
}

static int stir_start(void *state)
{
    stir_t *s = state;
    if (!s->conf->verify) return 0;
    snb_bus_t *bus = snb_core_bus(s->core);
    s->ev_message = snb_bus_lookup(bus, SNB_SIP_MESSAGE_EVENT);
    s->subscription = snb_bus_subscribe(bus, &s->ev_message, 1, on_event, s);
    return s->subscription > 0 ? 0 : s->subscription;
}

static void stir_stop(void *state)
{
    stir_t *s = state;
    if (s->subscription > 0) snb_bus_unsubscribe(snb_core_bus(s->core), s->subscription);
    s->subscription = 0;
    if (s->end_subscription > 0) snb_bus_unsubscribe(snb_core_bus(s->core), s->end_subscription);
    s->end_subscription = 0;
    flush_pending(s);
    stir_fetcher_free(s->fetcher); /* its handles close on the loop's last turn */
    s->fetcher = NULL;
}

static void stir_fini(void *state)
{
    stir_t *s = state;
    if (s->end_subscription > 0) snb_bus_unsubscribe(snb_core_bus(s->core), s->end_subscription);
    stir_fetcher_free(s->fetcher);
    stir_cache_free(s->cache);
    stir_pki_free(s->pki);
    free(s); /* the dialog store frees our per-dialog data with free_dialog */
}

static const snb_option_t stir_options[] = {
    {.name = "verify",
     .type = SNB_OPT_BOOL,
     .def = "yes",
     .offset = offsetof(stir_conf_t, verify),
     .help = "verify the Identity headers of every initial INVITE"},
    {.name = "trust",
     .type = SNB_OPT_STRING,
     .offset = offsetof(stir_conf_t, trust),
     .help = "folder of PEM trust anchors (STI-CA roots)"},
    {.name = "cert_map",
     .type = SNB_OPT_STRING,
     .offset = offsetof(stir_conf_t, cert_map),
     .help = "offline certificate cache: lines 'x5u-URL<TAB>chain-file' (relative to its folder)"},
    {.name = "max_age",
     .type = SNB_OPT_INT,
     .def = "60",
     .min = 1,
     .max = 86400,
     .offset = offsetof(stir_conf_t, max_age),
     .help = "seconds an iat may be old (RFC 8224 §12: 60)"},
    {.name = "fetch",
     .type = SNB_OPT_BOOL,
     .def = "no",
     .offset = offsetof(stir_conf_t, fetch),
     .help = "live capture: fetch an x5u missing from the cert map over HTTPS (files never do)"},
    {.name = "fetch_timeout",
     .type = SNB_OPT_DURATION,
     .def = "2s",
     .min = 100,
     .max = 60000,
     .offset = offsetof(stir_conf_t, fetch_timeout),
     .help = "the longest an x5u fetch may take (and an INVITE wait for it)"},
    {.name = "fetch_max_size",
     .type = SNB_OPT_SIZE,
     .def = "64k",
     .min = 1024,
     .max = 1048576,
     .offset = offsetof(stir_conf_t, fetch_max_size),
     .help = "the largest x5u body accepted"},
    {.name = "fetch_cache",
     .type = SNB_OPT_INT,
     .def = "1000",
     .min = 1,
     .max = 100000,
     .offset = offsetof(stir_conf_t, fetch_cache),
     .help = "fetched chains kept (least recently used dropped first)"},
    {.name = "fetch_allow_private",
     .type = SNB_OPT_BOOL,
     .def = "no",
     .offset = offsetof(stir_conf_t, fetch_allow_private),
     .help = "TESTS ONLY: let x5u fetches reach loopback and private addresses"},
    {.name = "fetch_ca_file",
     .type = SNB_OPT_STRING,
     .offset = offsetof(stir_conf_t, fetch_ca_file),
     .help = "TESTS ONLY: trust this PEM CA file for x5u servers instead of the system CAs"},
    SNB_OPTIONS_END,
};

static const snb_flag_t stir_flags[] = {
    {.name = "stir-shaken",
     .key = "verify",
     .value = "yes",
     .flags = SNB_FLAG_LOADS,
     .help = "verify STIR/SHAKEN Identity headers (stir_shaken in dialogs, diagnosis hints)"},
    {.name = "stir-trust",
     .arg = "DIR",
     .key = "trust",
     .needs = "stir-shaken",
     .help = "folder of PEM trust anchors for STIR/SHAKEN"},
    {.name = "stir-cert-map",
     .arg = "FILE",
     .key = "cert_map",
     .needs = "stir-shaken",
     .help = "offline x5u certificate cache: 'URL<TAB>chain-file' lines"},
    {.name = "stir-max-age",
     .arg = "S",
     .key = "max_age",
     .needs = "stir-shaken",
     .help = "seconds a PASSporT iat may be old (default 60)"},
    {.name = "stir-fetch",
     .key = "fetch",
     .value = "yes",
     .needs = "stir-shaken",
     .help = "live capture: fetch x5u certificates missing from the cert map over HTTPS"},
    {.name = NULL},
};

static const char *const stir_depends[] = {"sip", NULL};

SNB_MODULE(.description = "STIR/SHAKEN: verify Identity headers (RFC 8224/8225/8588/8946)",
           .depends = stir_depends, .options = stir_options, .conf_size = sizeof(stir_conf_t),
           .init = stir_init, .start = stir_start, .stop = stir_stop, .fini = stir_fini,
           .cli_flags = stir_flags);
