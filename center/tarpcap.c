#include "tarpcap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int grow(tarpcap_t *t, size_t more)
{
    if (t->failed) return -1;
    if (t->len + more > t->max) {
        t->failed = 1;
        return -1;
    }
    if (t->len + more <= t->cap) return 0;
    size_t cap = t->cap ? t->cap : 65536;
    while (cap < t->len + more)
        cap *= 2;
    unsigned char *b = realloc(t->buf, cap);
    if (!b) {
        t->failed = 1;
        return -1;
    }
    t->buf = b;
    t->cap = cap;
    return 0;
}

static int put(tarpcap_t *t, const void *p, size_t n)
{
    if (grow(t, n)) return -1;
    memcpy(t->buf + t->len, p, n);
    t->len += n;
    return 0;
}

static void put_le32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

void tarpcap_init(tarpcap_t *t, size_t max, int64_t mtime_s)
{
    memset(t, 0, sizeof *t);
    t->max = max;
    t->mtime = mtime_s;
}

/* Fills the header at t->hdr now that the member's size is known. */
static void close_member(tarpcap_t *t)
{
    if (!t->member[0] || t->failed) return;
    size_t size = t->len - t->hdr - 512;
    unsigned char *h = t->buf + t->hdr;
    memset(h, 0, 512);
    snprintf((char *)h, 100, "%s", t->member);
    snprintf((char *)h + 100, 8, "%07o", 0644);
    snprintf((char *)h + 108, 8, "%07o", 0);
    snprintf((char *)h + 116, 8, "%07o", 0);
    snprintf((char *)h + 124, 12, "%011llo", (unsigned long long)size);
    snprintf((char *)h + 136, 12, "%011llo", (unsigned long long)t->mtime);
    h[156] = '0';
    memcpy(h + 257, "ustar", 6);
    memcpy(h + 263, "00", 2);
    memset(h + 148, ' ', 8);
    unsigned sum = 0;
    for (int i = 0; i < 512; i++)
        sum += h[i];
    snprintf((char *)h + 148, 8, "%06o", sum);
    h[155] = ' ';
    size_t pad = (512 - size % 512) % 512;
    static const unsigned char zero[512];
    put(t, zero, pad);
    t->member[0] = 0;
}

int tarpcap_begin(tarpcap_t *t, const char *name, uint32_t linktype)
{
    close_member(t);
    if (strlen(name) >= sizeof t->member) return -1;
    t->hdr = t->len;
    static const unsigned char zero[512];
    if (put(t, zero, 512)) return -1;
    snprintf(t->member, sizeof t->member, "%s", name);
    unsigned char g[24];
    put_le32(g, 0xa1b2c3d4);
    g[4] = 2, g[5] = 0, g[6] = 4, g[7] = 0; /* version 2.4, little endian */
    put_le32(g + 8, 0);
    put_le32(g + 12, 0);
    put_le32(g + 16, TARPCAP_SNAPLEN);
    put_le32(g + 20, linktype);
    return put(t, g, sizeof g);
}

int tarpcap_packet(tarpcap_t *t, int64_t ts_us, const unsigned char *data, size_t len,
                   uint32_t orig_len)
{
    if (!t->member[0]) return -1;
    if (len > TARPCAP_SNAPLEN) len = TARPCAP_SNAPLEN;
    if (orig_len < len) orig_len = (uint32_t)len;
    if (ts_us < 0) ts_us = 0;
    unsigned char r[16];
    put_le32(r, (uint32_t)(ts_us / 1000000));
    put_le32(r + 4, (uint32_t)(ts_us % 1000000));
    put_le32(r + 8, (uint32_t)len);
    put_le32(r + 12, orig_len);
    if (put(t, r, sizeof r)) return -1;
    return put(t, data, len);
}

int tarpcap_finish(tarpcap_t *t)
{
    close_member(t);
    static const unsigned char zero[1024];
    put(t, zero, sizeof zero);
    return t->failed ? -1 : 0;
}

void tarpcap_free(tarpcap_t *t)
{
    free(t->buf);
    memset(t, 0, sizeof *t);
}

void tarpcap_name(char *out, size_t cap, const char *agent, uint32_t linktype, int several)
{
    if (several)
        snprintf(out, cap, "%.64s-%u.pcap", agent, linktype);
    else
        snprintf(out, cap, "%.64s.pcap", agent);
}
