/* libFuzzer: the framer fed packets cut from the input. Each packet is a
 * 4-byte control header (transport, stream, flags, length) and its data:
 *   c0 & 3: 0 UDP, 1 TCP, 2 SCTP; c0 >> 2 & 3: stream id;
 *   c1 & 1: TCP gap; c1 & 2: offset jump; c1 >> 2: time step;
 *   c2..c3: payload length (big-endian, clipped to what is left). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sip_framer.h"

static size_t seen;

static void on_msg(void *ud, const snb_packet_t *pkt, sip_transport_t t, const sip_msg_t *m)
{
    /* touch every slice so ASan checks them while they are valid */
    seen += m->call_id.len + m->body.len + m->len;
    if (m->len) seen += (unsigned char)m->buf[m->len - 1];
    if (m->body.len) seen += (unsigned char)m->body.p[m->body.len - 1];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sip_framer_limits_t lim = {3, 2048, 5000000};
    sip_framer_t *f = sip_framer_new(&lim, on_msg, NULL);
    if (!f) return 0;
    uint64_t off[4] = {0}, ts = 1;
    size_t p = 0;
    while (p + 4 <= size) {
        uint8_t c0 = data[p], c1 = data[p + 1];
        size_t len = (size_t)data[p + 2] << 8 | data[p + 3];
        p += 4;
        if (len > size - p) len = size - p;
        uint8_t *copy = malloc(len ? len : 1); /* exact size for ASan */
        if (!copy) break;
        memcpy(copy, data + p, len);
        p += len;
        unsigned sid = (c0 >> 2) & 3;
        snb_packet_t pkt = {0};
        pkt.ts_us = ts += (uint64_t)(c1 >> 2) * 100000;
        pkt.payload = copy;
        pkt.payload_len = (uint32_t)len;
        switch (c0 & 3) {
        case 1:
            pkt.transport = SNB_TRANSPORT_TCP;
            pkt.flags = SNB_PKT_TCP_STREAM | ((c1 & 1) ? SNB_PKT_TCP_GAP : 0);
            if (c1 & 2) off[sid] += 1000;
            pkt.stream_id = sid + 1;
            pkt.stream_offset = off[sid];
            off[sid] += len;
            break;
        case 2:
            pkt.transport = SNB_TRANSPORT_SCTP;
            break;
        default:
            pkt.transport = SNB_TRANSPORT_UDP;
            break;
        }
        sip_framer_packet(f, &pkt);
        free(copy);
    }
    sip_framer_flush(f);
    const sip_framer_stats_t *st = sip_framer_stats(f);
    if (st->malformed > st->messages) abort();
    sip_framer_free(f);
    return 0;
}
