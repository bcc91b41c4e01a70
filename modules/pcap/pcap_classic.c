/* Classic pcap through a pread window (see pcap_classic.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pcap_classic.h"

/* libpcap's own ceiling for one record (MAXIMUM_SNAPLEN). */
#define MAX_RECORD 262144u
/* One read per window; a window always holds the largest record. */
#define WINDOW (512u * 1024)

static uint32_t rd32(const uint8_t *p, bool swapped)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return swapped ? __builtin_bswap32(v) : v;
}

int pcap_classic_open(pcap_classic_t *c, const char *path, char *why, size_t whylen)
{
    memset(c, 0, sizeof *c);
    if (strcmp(path, "-") == 0) return 1; /* standard input: a stream for libpcap */
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(why, whylen, "%s", strerror(errno));
        return -1;
    }
    struct stat st;
    uint8_t hdr[24];
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 24 ||
        pread(fd, hdr, sizeof hdr, 0) != (ssize_t)sizeof hdr) {
        close(fd);
        return 1; /* a pipe, or too short: libpcap reads it or says why */
    }
    uint32_t magic;
    memcpy(&magic, hdr, 4);
    switch (magic) {
    case 0xa1b2c3d4:
        break;
    case 0xd4c3b2a1:
        c->swapped = true;
        break;
    case 0xa1b23c4d:
        c->nsec = true;
        break;
    case 0x4d3cb2a1:
        c->swapped = c->nsec = true;
        break;
    default:
        close(fd);
        return 1;
    }
    (void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    c->open = true;
    c->fd = fd;
    c->off = c->win_off = 24;
    c->snaplen = rd32(hdr + 16, c->swapped);
    c->linktype = (int)(rd32(hdr + 20, c->swapped) & 0x03ffffff); /* low bits: the type */
    return 0;
}

/* Make at least `need` bytes from the next record on available in the
 * window: keep what is left, read more after it. 1 when they are there, 0
 * at the end of the file (fewer there), -1 on a read error (why). */
static int fill(pcap_classic_t *c, size_t need, char *why, size_t whylen)
{
    if (c->win_len - c->win_pos >= need) return 1;
    if (!c->win) {
        c->win = malloc(WINDOW);
        if (!c->win) {
            snprintf(why, whylen, "out of memory");
            return -1;
        }
        c->win_cap = WINDOW;
    }
    size_t left = c->win_len - c->win_pos;
    memmove(c->win, c->win + c->win_pos, left);
    c->win_off += c->win_pos;
    c->win_pos = 0;
    c->win_len = left;
    while (c->win_len < need) {
        ssize_t n = pread(c->fd, c->win + c->win_len, c->win_cap - c->win_len,
                          (off_t)(c->win_off + c->win_len));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            snprintf(why, whylen, "read error: %s", strerror(errno));
            return -1;
        }
        if (n == 0) return 0; /* the end, or the file shrank under us */
        c->win_len += (size_t)n;
    }
    return 1;
}

int pcap_classic_next(pcap_classic_t *c, pcap_classic_record_t *rec, char *why, size_t whylen)
{
    /* The common case, a whole record already in the window, calls nothing. */
    if (c->win_len - c->win_pos < 16) {
        int rc = fill(c, 16, why, whylen);
        if (rc < 0) return PCAP_CLASSIC_CORRUPT;
        if (rc == 0) return c->win_len == c->win_pos ? PCAP_CLASSIC_END : PCAP_CLASSIC_TRUNCATED;
    }
    const uint8_t *h = c->win + c->win_pos;
    uint32_t caplen = rd32(h + 8, c->swapped);
    if (caplen > MAX_RECORD) {
        snprintf(why, whylen, "record of %u bytes, larger than the %u-byte limit", caplen,
                 MAX_RECORD);
        return PCAP_CLASSIC_CORRUPT;
    }
    if (c->win_len - c->win_pos < 16 + (size_t)caplen) {
        int rc = fill(c, 16 + (size_t)caplen, why, whylen);
        if (rc < 0) return PCAP_CLASSIC_CORRUPT;
        if (rc == 0) return PCAP_CLASSIC_TRUNCATED;
        h = c->win + c->win_pos; /* the window moved */
    }
    uint32_t sec = rd32(h, c->swapped), frac = rd32(h + 4, c->swapped);
    rec->ts_us = (uint64_t)sec * 1000000u + (c->nsec ? frac / 1000u : frac);
    rec->caplen = caplen;
    rec->wirelen = rd32(h + 12, c->swapped);
    rec->data = h + 16;
    c->win_pos += 16 + (size_t)caplen;
    c->off = c->win_off + c->win_pos;
    return PCAP_CLASSIC_RECORD;
}

bool pcap_classic_is_open(const pcap_classic_t *c)
{
    return c->open;
}

void pcap_classic_close(pcap_classic_t *c)
{
    if (c->open) close(c->fd);
    free(c->win);
    memset(c, 0, sizeof *c);
}
