/* The "sip.message" payload: plain data for other modules, the SDP already
 * parsed into media lines (what the RTP module needs), and the parsed message
 * with its accessors. */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "sdp.h"
#include "sip_event.h"

/* The public numbering must follow sip_method_t. */
_Static_assert((int)SNB_SIP_INVITE == (int)SIP_INVITE && (int)SNB_SIP_INFO == (int)SIP_INFO &&
                   (int)SNB_SIP_UPDATE == (int)SIP_UPDATE,
               "snb_sip_method and sip_method_t differ");

static void media_addr(snb_str_t text, uint8_t family, snb_addr_t *out)
{
    char buf[64];
    memset(out, 0, sizeof *out);
    snb_str_copy(text, buf, sizeof buf);
    if (family == 6 && inet_pton(AF_INET6, buf, out->a) == 1)
        out->family = 6;
    else if (inet_pton(AF_INET, buf, out->a) == 1)
        out->family = 4;
}

static void fill_media(snb_sip_message_event_t *ev, const sdp_t *sdp)
{
    for (unsigned i = 0; i < sdp->n_media && ev->n_media < SNB_SIP_MAX_MEDIA; i++) {
        const sdp_media_t *m = &sdp->media[i];
        snb_sip_media_t *o = &ev->media[ev->n_media++];
        memset(o, 0, sizeof *o);
        snb_str_copy(m->type, o->type, sizeof o->type);
        media_addr(m->conn_addr, m->conn_family, &o->addr);
        o->port = m->port;
        o->direction = (uint8_t)(m->direction == SDP_DIR_NONE ? SDP_DIR_SENDRECV : m->direction);
        o->telephone_event_pt = (int16_t)m->telephone_event_pt;
        o->ptime = m->ptime;
        for (unsigned f = 0; f < m->n_formats && o->n_formats < SNB_SIP_MAX_FORMATS; f++) {
            const sdp_format_t *fmt = &m->formats[f];
            o->formats[o->n_formats].pt = fmt->pt;
            snb_str_copy(sdp_format_name(fmt), o->formats[o->n_formats].encoding,
                         sizeof o->formats[0].encoding);
            o->formats[o->n_formats].clock_rate = sdp_format_clock(fmt);
            o->n_formats++;
        }
    }
}

void sip_event_fill(snb_sip_message_event_t *ev, snb_event_type_t type, const sip_msg_meta_t *meta,
                    const sip_msg_t *msg, bool retransmit, const sip_dialog_t *d)
{
    memset(ev, 0, offsetof(snb_sip_message_event_t, media));
    ev->ev = SNB_EVENT_BORROWED(type, &sip_message_event_ops);
    ev->ts_us = meta->ts_us;
    ev->src = meta->src;
    ev->dst = meta->dst;
    ev->sport = meta->sport;
    ev->dport = meta->dport;
    ev->transport = meta->transport;
    ev->is_request = msg->is_request;
    ev->retransmit = retransmit;
    ev->method = (uint8_t)msg->method;
    ev->cseq_method = (uint8_t)msg->cseq_method;
    ev->status = msg->status_code;
    ev->cseq = msg->cseq;
    ev->malformed = msg->malformed;
    ev->call_id = msg->call_id;
    ev->method_name = msg->method_name;
    ev->content_type = msg->content_type;
    ev->body = msg->body;
    ev->from_tag = msg->from.tag;
    ev->to_tag = msg->to.tag;
    ev->raw = msg->buf;
    ev->raw_len = msg->len;
    ev->msg = (const snb_sip_msg_t *)msg;
    ev->sip = &sip_api;
    snb_str_t sdp_text = sip_msg_sdp(msg);
    if (!sdp_text.p) return;
    sdp_t sdp;
    if (sdp_parse(sdp_text.p, sdp_text.len, &sdp) != 0) return;
    fill_media(ev, &sdp);
    /* The store decided offer or answer for this message's timeline entry. */
    bool offer = msg->is_request;
    if (d && d->n_sdp && d->sdp[d->n_sdp - 1].ts_us == meta->ts_us)
        offer = d->sdp[d->n_sdp - 1].offer;
    ev->sdp_role = offer ? SNB_SDP_OFFER : SNB_SDP_ANSWER;
}

/* A copy is one block: the event (up to the media lines it uses), the
 * parsed message's index, then the message text; every slice is moved into
 * it. Deferred delivery copies into the bus's arena, so this costs memcpy,
 * not malloc, per message. */
static size_t event_bytes(const snb_sip_message_event_t *e)
{
    size_t n = offsetof(snb_sip_message_event_t, media) + e->n_media * sizeof e->media[0];
    return (n + 15) & ~(size_t)15;
}

static size_t msg_bytes(const snb_sip_message_event_t *e)
{
    return e->msg ? (sip_msg_copy_size((const sip_msg_t *)e->msg) + 15) & ~(size_t)15 : 0;
}

static size_t sip_event_size(const snb_event_t *ev)
{
    const snb_sip_message_event_t *e = (const snb_sip_message_event_t *)ev;
    return event_bytes(e) + msg_bytes(e) + e->raw_len;
}

static snb_str_t rebase(snb_str_t s, const char *old_base, const char *new_base)
{
    if (!s.p) return s;
    return snb_str(new_base + (s.p - old_base), s.len);
}

static void sip_event_copy(const snb_event_t *ev, void *dst)
{
    const snb_sip_message_event_t *src = (const snb_sip_message_event_t *)ev;
    snb_sip_message_event_t *c = dst;
    size_t eb = event_bytes(src), mb = msg_bytes(src);
    memcpy(c, src, offsetof(snb_sip_message_event_t, media) + src->n_media * sizeof src->media[0]);
    char *raw = (char *)dst + eb + mb;
    if (src->raw_len) memcpy(raw, src->raw, src->raw_len);
    c->raw = raw;
    c->call_id = rebase(src->call_id, src->raw, raw);
    c->method_name = rebase(src->method_name, src->raw, raw);
    c->content_type = rebase(src->content_type, src->raw, raw);
    c->body = rebase(src->body, src->raw, raw);
    c->from_tag = rebase(src->from_tag, src->raw, raw);
    c->to_tag = rebase(src->to_tag, src->raw, raw);
    if (src->msg) {
        sip_msg_t *m = (sip_msg_t *)((char *)dst + eb);
        sip_msg_copy((const sip_msg_t *)src->msg, m, raw);
        c->msg = (const snb_sip_msg_t *)m;
    }
}

const snb_event_ops_t sip_message_event_ops = {
    .name = "sip-message",
    .size = sip_event_size,
    .copy = sip_event_copy,
};

/* "sip.dialog" events are plain data. */
static size_t dialog_event_size(const snb_event_t *ev)
{
    (void)ev;
    return sizeof(snb_sip_dialog_event_t);
}

static void dialog_event_copy(const snb_event_t *ev, void *dst)
{
    memcpy(dst, ev, sizeof(snb_sip_dialog_event_t));
}

const snb_event_ops_t sip_dialog_event_ops = {
    .name = SNB_SIP_DIALOG_EVENT,
    .size = dialog_event_size,
    .copy = dialog_event_copy,
};
