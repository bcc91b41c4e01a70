/* Wireshark-equivalent resend and setup-time rule (see sip_resend.h). The
 * behaviour follows packet-sip.c (sip_is_packet_resend, sip_find_invite) and
 * ui/cli/tap-sipstat.c of Wireshark 4.0, re-expressed; quirks are kept on
 * purpose because the point is to agree with its numbers. */
#include "sip_resend.h"

#include <stdlib.h>
#include <string.h>

enum { ST_NOTHING = 0, ST_REQUEST, ST_PROVISIONAL, ST_FINAL };

uint32_t sip_resend_ms(uint64_t later_us, uint64_t earlier_us)
{
    /* gint seconds * 1000 + gint nanoseconds / 1e6, wrapping like 32-bit C */
    int64_t secs = (int64_t)(later_us / 1000000) - (int64_t)(earlier_us / 1000000);
    int64_t usecs = (int64_t)(later_us % 1000000) - (int64_t)(earlier_us % 1000000);
    uint32_t ms = (uint32_t)secs * 1000u;
    return ms + (uint32_t)(int32_t)(usecs / 1000);
}

static bool addr_eq(const snb_addr_t *a, const snb_addr_t *b)
{
    if (a->family != b->family) return false;
    return memcmp(a->a, b->a, a->family == 6 ? 16 : 4) == 0;
}

static sip_resend_dir_t *find_dir(sip_resend_table_t *t, const sip_msg_meta_t *m)
{
    for (uint8_t i = 0; i < t->n; i++) {
        sip_resend_dir_t *d = &t->dirs[i];
        if (d->sport == m->sport && d->dport == m->dport && addr_eq(&d->src, &m->src) &&
            addr_eq(&d->dst, &m->dst)) {
            if (i > 0) { /* move to front: the replacement victim is the last */
                sip_resend_dir_t tmp = *d;
                memmove(&t->dirs[1], &t->dirs[0], i * sizeof *d);
                t->dirs[0] = tmp;
            }
            return &t->dirs[0];
        }
    }
    return NULL;
}

static sip_resend_dir_t *add_dir(sip_resend_table_t *t, const sip_msg_meta_t *m)
{
    if (t->n == t->cap && t->cap < SIP_RESEND_MAX_DIRS) {
        uint8_t cap = t->cap ? (uint8_t)(t->cap * 2) : 2;
        sip_resend_dir_t *nd = realloc(t->dirs, cap * sizeof *nd);
        if (nd) {
            t->dirs = nd;
            t->cap = cap;
        }
    }
    if (t->cap == 0) return NULL;
    if (t->n < t->cap) t->n++;
    memmove(&t->dirs[1], &t->dirs[0], (size_t)(t->n - 1) * sizeof t->dirs[0]);
    sip_resend_dir_t *d = &t->dirs[0];
    memset(d, 0, sizeof *d);
    d->src = m->src;
    d->dst = m->dst;
    d->sport = m->sport;
    d->dport = m->dport;
    return d;
}

static void method_copy(char out[SIP_RESEND_METHOD_LEN], snb_str_t s)
{
    snb_str_copy(s, out, SIP_RESEND_METHOD_LEN);
}

void sip_resend_track(sip_resend_table_t *t, const sip_msg_t *msg, const sip_msg_meta_t *meta,
                      sip_resend_result_t *out)
{
    out->resend = false;
    out->setup_ms = 0;
    /* Wireshark: only UDP, only with a CSeq header, and a CSeq method it
     * could copy (longer ones abort the dissection before the tap). */
    if (meta->transport != SIP_TRANSPORT_UDP) return;
    if (msg->malformed & SIP_MAL_NO_CSEQ) return;
    if (msg->cseq_method_name.len > SIP_RESEND_METHOD_LEN) return;

    char method[SIP_RESEND_METHOD_LEN];
    method_copy(method, msg->cseq_method_name);
    bool request = msg->is_request;
    sip_resend_dir_t *d = find_dir(t, meta);

    /* Setup time: an ACK measures from the last original request sent in
     * the same direction (the INVITE, or the CANCEL after it). */
    if (request && strcmp(method, "ACK") == 0 && d)
        out->setup_ms = sip_resend_ms(meta->ts_us, d->request_us);

    uint32_t compare;
    if (d) {
        compare = d->cseq;
        if (msg->cseq != d->cseq) {
            d->cseq = msg->cseq;
            memcpy(d->method, method, sizeof method);
            d->state = ST_NOTHING;
            if (request) d->request_us = meta->ts_us;
        }
    } else {
        d = add_dir(t, meta);
        if (!d) return;
        d->cseq = msg->cseq;
        memcpy(d->method, method, sizeof method);
        d->state = ST_NOTHING;
        if (request) d->request_us = meta->ts_us;
        compare = 0;
    }

    bool same = msg->cseq == compare && strcmp(method, d->method) == 0;
    if (request) {
        /* the stored method only changes with the CSeq number: a BYE reusing
         * the INVITE's number in the same direction is never "resent" */
        out->resend = same && d->state == ST_REQUEST && strcmp(method, "ACK") != 0 &&
                      strcmp(method, "CANCEL") != 0;
        d->state = ST_REQUEST;
        if (!out->resend) d->request_us = meta->ts_us;
    } else {
        uint16_t code = msg->status_code;
        out->resend = same && d->state == ST_FINAL && code >= 200 && code == d->response_code;
        if (code >= 200) {
            d->response_code = code;
            d->state = ST_FINAL;
        } else {
            d->state = ST_PROVISIONAL;
        }
    }
}

void sip_resend_free(sip_resend_table_t *t)
{
    free(t->dirs);
    t->dirs = NULL;
    t->n = t->cap = 0;
}

size_t sip_resend_bytes(const sip_resend_table_t *t)
{
    return (size_t)t->cap * sizeof *t->dirs;
}
