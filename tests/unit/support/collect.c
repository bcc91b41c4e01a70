/* Packet collector for decoder tests (API in support.h). */
#include "support.h"

#include <stdlib.h>
#include <string.h>

void snb_collect_cb(void *ud, const snb_packet_t *pkt)
{
    snb_collect_t *c = ud;
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 16;
        c->pkts = realloc(c->pkts, c->cap * sizeof(*c->pkts));
        if (!c->pkts) abort();
    }
    snb_packet_t *p = &c->pkts[c->n++];
    *p = *pkt;
    uint8_t *copy = malloc(pkt->payload_len + 1);
    if (!copy) abort();
    if (pkt->payload_len) memcpy(copy, pkt->payload, pkt->payload_len);
    copy[pkt->payload_len] = 0;
    p->payload = copy;
}

void snb_collect_reset(snb_collect_t *c)
{
    for (size_t i = 0; i < c->n; i++)
        free((void *)c->pkts[i].payload);
    free(c->pkts);
    memset(c, 0, sizeof(*c));
}

char *snb_collect_stream(const snb_collect_t *c, uint64_t stream_id, size_t *len)
{
    size_t n = 0;
    for (size_t i = 0; i < c->n; i++)
        if (c->pkts[i].stream_id == stream_id) n += c->pkts[i].payload_len;
    char *s = malloc(n + 1);
    if (!s) abort();
    n = 0;
    for (size_t i = 0; i < c->n; i++)
        if (c->pkts[i].stream_id == stream_id) {
            memcpy(s + n, c->pkts[i].payload, c->pkts[i].payload_len);
            n += c->pkts[i].payload_len;
        }
    s[n] = 0;
    if (len) *len = n;
    return s;
}
