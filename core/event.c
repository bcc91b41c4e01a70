/* Event reference counting, and the SNB_EV_PACKET clone/destroy ops. */
#include <stdlib.h>
#include <string.h>

#include "sipnab/event.h"
#include "sipnab/rtp.h"

snb_event_t *snb_event_retain(const snb_event_t *ev)
{
    if (ev->flags & SNB_EVF_BORROWED) return ev->ops->clone(ev);
    snb_event_t *owned = (snb_event_t *)ev; /* refcount is the one mutable field */
    owned->refcount++;
    return owned;
}

void snb_event_release(snb_event_t *ev)
{
    if (!ev || (ev->flags & SNB_EVF_BORROWED)) return;
    if (--ev->refcount == 0) ev->ops->destroy(ev);
}

/* A cloned packet event is one allocation: the event, a frame header, the
 * frame bytes, the payload when it lives outside the frame (reassembled), and
 * the source name. */
static snb_event_t *packet_event_clone(const snb_event_t *ev)
{
    const snb_packet_event_t *pe = (const snb_packet_event_t *)ev;
    const snb_packet_t *p = &pe->pkt;
    const snb_frame_t *f = p->frame;
    size_t caplen = f ? f->caplen : 0;
    bool in_frame = f && p->payload >= f->data && p->payload + p->payload_len <= f->data + caplen;
    size_t extra = in_frame ? 0 : p->payload_len;
    size_t name_len = pe->source ? strlen(pe->source) + 1 : 0;

    snb_packet_event_t *c = malloc(sizeof *c + sizeof(snb_frame_t) + caplen + extra + name_len);
    if (!c) return NULL;
    *c = *pe;
    c->ev.flags &= ~(uint32_t)SNB_EVF_BORROWED;
    c->ev.refcount = 1;
    c->ev.next = NULL;
    uint8_t *cursor = (uint8_t *)(c + 1);
    snb_frame_t *cf = (snb_frame_t *)cursor;
    cursor += sizeof *cf;
    if (f) {
        *cf = *f;
        memcpy(cursor, f->data, caplen);
        cf->data = cursor;
        c->pkt.frame = cf;
    } else {
        c->pkt.frame = NULL;
    }
    if (in_frame) {
        c->pkt.payload = cursor + (p->payload - f->data);
    } else {
        uint8_t *pl = cursor + caplen;
        if (p->payload_len) memcpy(pl, p->payload, p->payload_len);
        c->pkt.payload = pl;
    }
    cursor += caplen + extra;
    if (name_len) {
        memcpy(cursor, pe->source, name_len);
        c->source = (const char *)cursor;
    }
    return &c->ev;
}

static void event_free(snb_event_t *ev)
{
    free(ev);
}

const snb_event_ops_t snb_packet_event_ops = {
    .name = "packet",
    .clone = packet_event_clone,
    .destroy = event_free,
};

/* Events with no payload beyond the header (SNB_EV_CAPTURE_END). */
static snb_event_t *plain_event_clone(const snb_event_t *ev)
{
    snb_event_t *c = malloc(sizeof *c);
    if (!c) return NULL;
    *c = *ev;
    c->flags &= ~(uint32_t)SNB_EVF_BORROWED;
    c->refcount = 1;
    c->next = NULL;
    return c;
}

const snb_event_ops_t snb_plain_event_ops = {
    .name = "plain",
    .clone = plain_event_clone,
    .destroy = event_free,
};

/* RTCP report events: the header struct plus a copy of the packet. */
static snb_event_t *rtcp_event_clone(const snb_event_t *ev)
{
    const snb_rtcp_event_t *r = (const snb_rtcp_event_t *)ev;
    snb_rtcp_event_t *c = malloc(sizeof *c + r->len);
    if (!c) return NULL;
    *c = *r;
    uint8_t *data = (uint8_t *)(c + 1);
    if (r->len) memcpy(data, r->data, r->len);
    c->data = data;
    c->ev.flags &= ~(uint32_t)SNB_EVF_BORROWED;
    c->ev.refcount = 1;
    c->ev.next = NULL;
    return &c->ev;
}

const snb_event_ops_t snb_rtcp_event_ops = {
    .name = "rtcp",
    .clone = rtcp_event_clone,
    .destroy = event_free,
};

/* Stream reports: plain data, copied whole. */
static snb_event_t *stream_event_clone(const snb_event_t *ev)
{
    snb_rtp_stream_event_t *c = malloc(sizeof *c);
    if (!c) return NULL;
    *c = *(const snb_rtp_stream_event_t *)ev;
    c->ev.flags &= ~(uint32_t)SNB_EVF_BORROWED;
    c->ev.refcount = 1;
    c->ev.next = NULL;
    return &c->ev;
}

const snb_event_ops_t snb_stream_event_ops = {
    .name = "rtp-stream",
    .clone = stream_event_clone,
    .destroy = event_free,
};
