/* Classic pcap files read through mmap: the fast path for the most common
 * input. libpcap reads each record with fread (two copies and a few hundred
 * instructions per packet); here a record is a pointer into the mapped file.
 * pcapng, gzip and live capture stay with libpcap. */
#ifndef SNB_PCAP_MMAP_H
#define SNB_PCAP_MMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct pcap_mmap {
    const uint8_t *base;
    size_t size;
    size_t off;      /* next record header */
    size_t released; /* pages below this offset were dropped from RSS */
    bool swapped;    /* file written in the other byte order */
    bool nsec;       /* nanosecond timestamps */
    int linktype;
    uint32_t snaplen;
} pcap_mmap_t;

typedef struct pcap_mmap_record {
    uint64_t ts_us;
    uint32_t caplen, wirelen;
    const uint8_t *data;
} pcap_mmap_record_t;

/* Map path if it is a classic pcap file (any byte order, us or ns). 0 and
 * *m filled; 1 if it is not one (use libpcap); -1 with why on an error. */
int pcap_mmap_open(pcap_mmap_t *m, const char *path, char *why, size_t whylen);

enum pcap_mmap_result {
    PCAP_MMAP_RECORD = 1,
    PCAP_MMAP_END = 0,
    PCAP_MMAP_TRUNCATED = -1,
    PCAP_MMAP_CORRUPT = -2
};

/* Next record; on TRUNCATED/CORRUPT m->off stays at the damaged record and
 * why says what is wrong (CORRUPT). */
int pcap_mmap_next(pcap_mmap_t *m, pcap_mmap_record_t *rec, char *why, size_t whylen);
/* Drop the pages already read from the process's RSS (they stay in the page
 * cache): call between batches, when no record of them is still in use.
 * Without it a large file would show up as resident memory. */
void pcap_mmap_release(pcap_mmap_t *m);
void pcap_mmap_close(pcap_mmap_t *m);

#endif
