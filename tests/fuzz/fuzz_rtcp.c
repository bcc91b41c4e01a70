/* libFuzzer: the RTCP compound walk. Every packet handed to the callback
 * must have its counts within bounds and its CNAME inside the input. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rtp_packet.h"

typedef struct ctx {
    const uint8_t *d;
    size_t n;
    unsigned calls;
    uint64_t acc;
} ctx_t;

static void on_packet(void *ud, const rtcp_packet_t *p)
{
    ctx_t *c = ud;
    c->calls++;
    if (p->n_blocks > RTCP_MAX_BLOCKS || p->n_bye > RTCP_MAX_BLOCKS || p->n_voip > 4) abort();
    if (p->cname) {
        const uint8_t *s = (const uint8_t *)p->cname;
        if (s < c->d || s + p->cname_len > c->d + c->n) abort();
        for (unsigned i = 0; i < p->cname_len; i++)
            c->acc += s[i];
    }
    for (unsigned i = 0; i < p->n_blocks; i++)
        c->acc += (uint64_t)p->blocks[i].cumulative_lost + p->blocks[i].jitter;
    for (unsigned i = 0; i < p->n_voip; i++)
        c->acc += p->voip[i].jb_abs_max;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *d = malloc(size ? size : 1);
    if (!d) return 0;
    memcpy(d, data, size);
    ctx_t c = {.d = d, .n = size};
    int r = rtcp_parse_compound(d, size, on_packet, &c);
    if (r > 0 && (unsigned)r != c.calls) abort();
    if (r > (int)(size / 4)) abort();
    (void)rtcp_looks_like(d, size);
    free(d);
    return 0;
}
