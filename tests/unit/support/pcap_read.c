/* Minimal classic pcap / pcapng reader for tests (API in support.h), so the
 * decoder's tests replay real captures without linking libpcap. */
#include "support.h"

#include <stdlib.h>
#include <string.h>

#define MAX_IFACES 16

struct snb_pcapr {
    FILE *f;
    int ng;   /* pcapng */
    int swap; /* file byte order differs from ours */
    int nsec; /* classic: nanosecond magic */
    int linktype;
    uint32_t niface;
    int if_link[MAX_IFACES];
    uint64_t if_div[MAX_IFACES]; /* ticks per microsecond divisor (or multiplier < 0) */
    int if_mul[MAX_IFACES];
    uint8_t *buf;
    size_t cap;
};

static uint32_t sw32(const snb_pcapr_t *r, uint32_t v)
{
    return r->swap ? __builtin_bswap32(v) : v;
}

static uint16_t sw16(const snb_pcapr_t *r, uint16_t v)
{
    return r->swap ? __builtin_bswap16(v) : v;
}

static int ensure(snb_pcapr_t *r, size_t n)
{
    if (n <= r->cap) return 0;
    uint8_t *nb = realloc(r->buf, n);
    if (!nb) return -1;
    r->buf = nb;
    r->cap = n;
    return 0;
}

snb_pcapr_t *snb_pcapr_open(const char *path)
{
    snb_pcapr_t *r = calloc(1, sizeof(*r));
    if (!r) return NULL;
    r->f = fopen(path, "rb");
    uint32_t magic;
    if (!r->f || fread(&magic, 4, 1, r->f) != 1) goto fail;
    if (magic == 0x0a0d0d0a) {
        r->ng = 1;
        rewind(r->f);
        return r;
    }
    if (magic == 0xa1b2c3d4 || magic == 0xa1b23c4d) {
        r->nsec = magic == 0xa1b23c4d;
    } else if (magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1) {
        r->swap = 1;
        r->nsec = magic == 0x4d3cb2a1;
    } else {
        goto fail;
    }
    uint32_t h[5];
    if (fread(h, 4, 5, r->f) != 5) goto fail;
    r->linktype = (int)(sw32(r, h[4]) & 0xffff);
    return r;
fail:
    snb_pcapr_close(r);
    return NULL;
}

void snb_pcapr_close(snb_pcapr_t *r)
{
    if (!r) return;
    if (r->f) fclose(r->f);
    free(r->buf);
    free(r);
}

static int classic_next(snb_pcapr_t *r, snb_frame_t *fr)
{
    uint32_t h[4];
    if (fread(h, 4, 4, r->f) != 4) return 0;
    uint32_t caplen = sw32(r, h[2]);
    if (caplen > (1u << 26) || ensure(r, caplen) < 0) return -1;
    if (caplen && fread(r->buf, caplen, 1, r->f) != 1) return -1;
    uint64_t frac = sw32(r, h[1]);
    fr->ts_us = (uint64_t)sw32(r, h[0]) * 1000000 + (r->nsec ? frac / 1000 : frac);
    fr->caplen = caplen;
    fr->wirelen = sw32(r, h[3]);
    fr->linktype = r->linktype;
    fr->data = r->buf;
    return 1;
}

/* if_tsresol: bit 7 clear = 10^-v seconds, set = 2^-v. */
static void set_resol(snb_pcapr_t *r, uint32_t i, uint8_t v)
{
    r->if_mul[i] = 0;
    r->if_div[i] = 1;
    if (v & 0x80) {
        /* 2^-n: convert via double (tests only). */
        r->if_div[i] = (uint64_t)1 << (v & 0x7f);
        r->if_mul[i] = -1;
    } else if (v >= 6) {
        for (uint8_t k = 6; k < v; k++)
            r->if_div[i] *= 10;
    } else {
        r->if_mul[i] = 1;
        for (uint8_t k = v; k < 6; k++)
            r->if_div[i] *= 10;
    }
}

static uint64_t ng_ts(const snb_pcapr_t *r, uint32_t i, uint64_t t)
{
    if (r->if_mul[i] < 0) return (uint64_t)((double)t / (double)r->if_div[i] * 1e6);
    if (r->if_mul[i] > 0) return t * r->if_div[i];
    return t / r->if_div[i];
}

static int ng_next(snb_pcapr_t *r, snb_frame_t *fr)
{
    for (;;) {
        uint32_t h[2];
        if (fread(h, 4, 2, r->f) != 2) return 0;
        uint32_t type = h[0];
        if (type == 0x0a0d0d0a) {
            /* Section header: byte-order magic decides the section's order. */
            uint32_t bom;
            if (fread(&bom, 4, 1, r->f) != 1) return -1;
            r->swap = bom == 0x4d3c2b1a;
            r->niface = 0;
            uint32_t blen = sw32(r, h[1]);
            if (blen < 16 || fseek(r->f, (long)blen - 12, SEEK_CUR) != 0) return -1;
            continue;
        }
        type = sw32(r, type);
        uint32_t blen = sw32(r, h[1]);
        if (blen < 12 || blen > (1u << 26) || (blen & 3)) return -1;
        uint32_t body = blen - 12;
        if (ensure(r, body + 4) < 0 || fread(r->buf, 1, body + 4, r->f) != body + 4) return -1;
        const uint8_t *b = r->buf;
        uint32_t v32[5];
        if (type == 1) { /* IDB */
            if (body < 8) return -1;
            uint16_t lt;
            memcpy(&lt, b, 2);
            if (r->niface < MAX_IFACES) {
                uint32_t i = r->niface;
                r->if_link[i] = sw16(r, lt);
                set_resol(r, i, 6);
                /* options: code(2) len(2) value padded to 4 */
                uint32_t o = 8;
                while (o + 4 <= body) {
                    uint16_t code, olen;
                    memcpy(&code, b + o, 2);
                    memcpy(&olen, b + o + 2, 2);
                    code = sw16(r, code);
                    olen = sw16(r, olen);
                    if (code == 0) break;
                    if (code == 9 && olen >= 1 && o + 4 < body) set_resol(r, i, b[o + 4]);
                    o += 4 + ((olen + 3u) & ~3u);
                }
            }
            r->niface++;
        } else if (type == 6) { /* EPB */
            if (body < 20) return -1;
            memcpy(v32, b, 20);
            uint32_t iface = sw32(r, v32[0]);
            uint32_t caplen = sw32(r, v32[3]);
            if (iface >= r->niface || iface >= MAX_IFACES || caplen > body - 20) return -1;
            uint64_t t = (uint64_t)sw32(r, v32[1]) << 32 | sw32(r, v32[2]);
            fr->ts_us = ng_ts(r, iface, t);
            fr->caplen = caplen;
            fr->wirelen = sw32(r, v32[4]);
            fr->linktype = r->if_link[iface];
            fr->data = b + 20;
            return 1;
        } else if (type == 3) { /* SPB: interface 0, no timestamp */
            if (body < 4 || r->niface == 0) return -1;
            memcpy(v32, b, 4);
            uint32_t wl = sw32(r, v32[0]);
            fr->ts_us = 0;
            fr->caplen = wl < body - 4 ? wl : body - 4;
            fr->wirelen = wl;
            fr->linktype = r->if_link[0];
            fr->data = b + 4;
            return 1;
        }
        /* other blocks: skipped */
    }
}

int snb_pcapr_next(snb_pcapr_t *r, snb_frame_t *f)
{
    return r->ng ? ng_next(r, f) : classic_next(r, f);
}
