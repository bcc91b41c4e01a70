/* Classic pcap through mmap (see pcap_mmap.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pcap_mmap.h"

/* libpcap's own ceiling for one record (MAXIMUM_SNAPLEN). */
#define MAX_RECORD 262144u

static uint32_t rd32(const uint8_t *p, bool swapped)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return swapped ? __builtin_bswap32(v) : v;
}

int pcap_mmap_open(pcap_mmap_t *m, const char *path, char *why, size_t whylen)
{
    memset(m, 0, sizeof *m);
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
        return 1; /* not a regular file we can map, or too short: libpcap says why */
    }
    uint32_t magic;
    memcpy(&magic, hdr, 4);
    switch (magic) {
    case 0xa1b2c3d4:
        break;
    case 0xd4c3b2a1:
        m->swapped = true;
        break;
    case 0xa1b23c4d:
        m->nsec = true;
        break;
    case 0x4d3cb2a1:
        m->swapped = m->nsec = true;
        break;
    default:
        close(fd);
        return 1;
    }
    void *base = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (base == MAP_FAILED) return 1;
    madvise(base, (size_t)st.st_size, MADV_SEQUENTIAL);
    m->base = base;
    m->size = (size_t)st.st_size;
    m->off = 24;
    m->snaplen = rd32(hdr + 16, m->swapped);
    m->linktype = (int)(rd32(hdr + 20, m->swapped) & 0x03ffffff); /* low bits: the type */
    return 0;
}

int pcap_mmap_next(pcap_mmap_t *m, pcap_mmap_record_t *rec, char *why, size_t whylen)
{
    if (m->off == m->size) return PCAP_MMAP_END;
    if (m->size - m->off < 16) return PCAP_MMAP_TRUNCATED;
    const uint8_t *h = m->base + m->off;
    uint32_t sec = rd32(h, m->swapped), frac = rd32(h + 4, m->swapped);
    uint32_t caplen = rd32(h + 8, m->swapped), len = rd32(h + 12, m->swapped);
    if (caplen > MAX_RECORD) {
        snprintf(why, whylen, "record of %u bytes, larger than the %u-byte limit", caplen,
                 MAX_RECORD);
        return PCAP_MMAP_CORRUPT;
    }
    if (m->size - m->off - 16 < caplen) return PCAP_MMAP_TRUNCATED;
    rec->ts_us = (uint64_t)sec * 1000000u + (m->nsec ? frac / 1000u : frac);
    rec->caplen = caplen;
    rec->wirelen = len;
    rec->data = h + 16;
    m->off += 16 + (size_t)caplen;
    return PCAP_MMAP_RECORD;
}

void pcap_mmap_release(pcap_mmap_t *m)
{
    static const size_t chunk = 4u << 20; /* a syscall per 4 MiB read, not per batch */
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t upto = m->off & ~(page - 1);
    if (upto < m->released + chunk) return;
    madvise((void *)(m->base + m->released), upto - m->released, MADV_DONTNEED);
    m->released = upto;
}

void pcap_mmap_close(pcap_mmap_t *m)
{
    if (m->base) munmap((void *)m->base, m->size);
    memset(m, 0, sizeof *m);
}
