/* Event reference counting, copies, and the ops of the two built-in types.
 * Every other type's ops belong to the module that publishes it. */
#include <stdlib.h>
#include <string.h>

#include "sipnab/event.h"

snb_event_t *snb_event_retain(const snb_event_t *ev)
{
    if (ev->flags & SNB_EVF_BORROWED) {
        snb_event_t *c = malloc(ev->ops->size(ev));
        if (!c) return NULL;
        ev->ops->copy(ev, c);
        c->flags &= ~(uint32_t)SNB_EVF_BORROWED;
        c->refcount = 1;
        c->next = NULL;
        return c;
    }
    snb_event_t *owned = (snb_event_t *)ev; /* refcount is the one mutable field */
    owned->refcount++;
    return owned;
}

void snb_event_release(snb_event_t *ev)
{
    if (!ev || (ev->flags & SNB_EVF_BORROWED)) return;
    if (--ev->refcount) return;
    if (ev->ops->destroy)
        ev->ops->destroy(ev);
    else
        free(ev);
}

/* A packet event copy is one block: the event, a frame header, the frame
 * bytes, the payload when it lives outside the frame (reassembled), and the
 * source name. */
static bool payload_in_frame(const snb_packet_t *p)
{
    const snb_frame_t *f = p->frame;
    return f && p->payload >= f->data && p->payload + p->payload_len <= f->data + f->caplen;
}

static size_t packet_event_size(const snb_event_t *ev)
{
    const snb_packet_event_t *pe = (const snb_packet_event_t *)ev;
    const snb_packet_t *p = &pe->pkt;
    size_t caplen = p->frame ? p->frame->caplen : 0;
    size_t extra = payload_in_frame(p) ? 0 : p->payload_len;
    size_t name_len = pe->source ? strlen(pe->source) + 1 : 0;
    return sizeof *pe + sizeof(snb_frame_t) + caplen + extra + name_len;
}

static void packet_event_copy(const snb_event_t *ev, void *dst)
{
    const snb_packet_event_t *pe = (const snb_packet_event_t *)ev;
    const snb_packet_t *p = &pe->pkt;
    const snb_frame_t *f = p->frame;
    size_t caplen = f ? f->caplen : 0;
    bool in_frame = payload_in_frame(p);
    snb_packet_event_t *c = dst;
    *c = *pe;
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
    cursor += caplen + (in_frame ? 0 : p->payload_len);
    if (pe->source) {
        memcpy(cursor, pe->source, strlen(pe->source) + 1);
        c->source = (const char *)cursor;
    }
}

const snb_event_ops_t snb_packet_event_ops = {
    .name = "packet",
    .size = packet_event_size,
    .copy = packet_event_copy,
};

/* Events with no payload beyond the header (SNB_EV_CAPTURE_END). */
static size_t plain_event_size(const snb_event_t *ev)
{
    (void)ev;
    return sizeof(snb_event_t);
}

static void plain_event_copy(const snb_event_t *ev, void *dst)
{
    memcpy(dst, ev, sizeof *ev);
}

const snb_event_ops_t snb_plain_event_ops = {
    .name = "plain",
    .size = plain_event_size,
    .copy = plain_event_copy,
};
