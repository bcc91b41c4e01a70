/* libFuzzer target for the shared decoder.
 *
 * Input: byte 0 picks the link type (index into a table, so every decoder
 * entry is reachable), byte 1 the mode:
 *   even: the rest is one frame;
 *   odd:  the rest is a sequence of [len][dt][len bytes] records, each a frame
 *         whose timestamp advances by dt * 100 ms, so fragment and TCP tables
 *         fill (small limits below), reorder and expire.
 * The callback reads every payload byte so ASan checks the slices. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decoder.h"

static const int linktypes[] = {
    SNB_LINK_ETHERNET,   SNB_LINK_RAW,  SNB_LINK_LINUX_SLL,
    SNB_LINK_LINUX_SLL2, SNB_LINK_NULL, SNB_LINK_LOOP,
    SNB_LINK_IPV4,       SNB_LINK_IPV6, SNB_LINK_RAW_ALT,
    SNB_LINK_RAW_ALT2,   147,
};

static volatile uint32_t sink;

static void on_pkt(void *ud, const snb_packet_t *p)
{
    (void)ud;
    uint32_t s = p->sport + p->dport + p->vlan_count + p->tunnel_depth;
    for (uint32_t i = 0; i < p->payload_len; i++)
        s += p->payload[i];
    if (p->frame) s += p->frame->caplen;
    sink = s;
}

/* Feed a private copy of exactly len bytes so reads past caplen are caught. */
static void feed(snb_decoder_t *d, int lt, const uint8_t *p, size_t len, uint64_t ts)
{
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy) return;
    if (len) memcpy(copy, p, len);
    snb_frame_t f = {.ts_us = ts,
                     .caplen = (uint32_t)len,
                     .wirelen = (uint32_t)len,
                     .linktype = lt,
                     .data = copy};
    snb_decoder_feed(d, &f);
    free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) return 0;
    int lt = linktypes[data[0] % (sizeof(linktypes) / sizeof(linktypes[0]))];
    int multi = data[1] & 1;
    data += 2;
    size -= 2;

    snb_decode_stats_t st = {0};
    snb_decode_limits_t lim = {
        .max_tunnel_depth = 3,
        .frag_max_datagrams = 4,
        .frag_max_bytes = 3000,
        .frag_timeout_ms = 1000,
        .tcp_max_streams = 4,
        .tcp_max_buffered = 300,
        .tcp_timeout_ms = 1000,
    };
    snb_decoder_t *d = snb_decoder_new(&lim, &st, on_pkt, NULL);
    if (!d) return 0;
    uint64_t ts = 1000000;
    if (!multi) {
        feed(d, lt, data, size, ts);
    } else {
        while (size >= 2) {
            size_t len = data[0];
            ts += (uint64_t)data[1] * 100000;
            data += 2;
            size -= 2;
            if (len > size) len = size;
            feed(d, lt, data, len, ts);
            data += len;
            size -= len;
        }
    }
    snb_decoder_flush(d);
    snb_decoder_free(d);
    return 0;
}
