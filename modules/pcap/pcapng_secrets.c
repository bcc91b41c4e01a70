/* Walking pcapng blocks for secrets (see pcapng_secrets.h). */
#include <stdlib.h>
#include <string.h>

#include "pcapng_secrets.h"

#define HDR 12

void pcapng_secrets_init(pcapng_secrets_t *w, size_t max_block, pcapng_secrets_cb cb, void *ud)
{
    memset(w, 0, sizeof *w);
    w->cb = cb;
    w->ud = ud;
    w->max_block = max_block;
}

static uint32_t u32(const pcapng_secrets_t *w, const uint8_t *p)
{
    return w->big_endian ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
                         : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* A block header is complete: what to do with the rest of the block. */
static void block_start(pcapng_secrets_t *w)
{
    static const uint8_t bom_be[4] = {0x1A, 0x2B, 0x3C, 0x4D}, bom_le[4] = {0x4D, 0x3C, 0x2B, 0x1A};
    if (!memcmp(w->hdr, "\x0A\x0D\x0D\x0A", 4)) { /* a section: its byte order */
        if (!memcmp(w->hdr + 8, bom_be, 4))
            w->big_endian = true;
        else if (!memcmp(w->hdr + 8, bom_le, 4))
            w->big_endian = false;
        else {
            w->stopped = true;
            return;
        }
    }
    uint32_t type = u32(w, w->hdr), total = u32(w, w->hdr + 4);
    if (total < HDR || total % 4) {
        w->stopped = true;
        return;
    }
    w->blocks++;
    w->left = total - HDR;
    w->len = 0;
    w->collecting = false;
    if (type != PCAPNG_BLOCK_DSB) return;
    if (w->left > w->max_block + 8) {
        w->oversize++;
        return;
    }
    uint8_t *nb = realloc(w->buf, w->left ? w->left : 1);
    if (!nb) return;
    w->buf = nb;
    w->collecting = true;
}

/* A secrets block is complete: secrets length, secrets, padding, options,
 * trailing total length. */
static void block_end(pcapng_secrets_t *w)
{
    if (!w->collecting || w->len < 8) return;
    uint32_t secrets_type = u32(w, w->hdr + 8), secrets_len = u32(w, w->buf);
    if (secrets_len > w->len - 8) return; /* longer than its block */
    w->secrets_blocks++;
    w->cb(w->ud, secrets_type, w->buf + 4, secrets_len);
}

void pcapng_secrets_feed(pcapng_secrets_t *w, const uint8_t *data, size_t n)
{
    while (n && !w->stopped) {
        if (w->hdr_len < HDR) {
            size_t k = HDR - w->hdr_len < n ? HDR - w->hdr_len : n;
            memcpy(w->hdr + w->hdr_len, data, k);
            w->hdr_len += k;
            data += k;
            n -= k;
            if (w->hdr_len < HDR) return;
            block_start(w);
            if (w->stopped) return;
        }
        size_t k = w->left < n ? (size_t)w->left : n;
        if (w->collecting) {
            memcpy(w->buf + w->len, data, k);
            w->len += k;
        }
        data += k;
        n -= k;
        w->left -= k;
        if (!w->left) {
            block_end(w);
            w->hdr_len = 0;
            w->collecting = false;
        }
    }
}

void pcapng_secrets_free(pcapng_secrets_t *w)
{
    free(w->buf);
    w->buf = NULL;
}
