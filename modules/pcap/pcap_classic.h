/* Classic pcap files read by our own reader: the fast path for the most
 * common input. libpcap reads each record with fread (two copies and a few
 * hundred instructions per packet); here the file is read with pread into
 * one window per file, and a record is a pointer into that window.
 *
 * Not mmap: a file that another process truncates while we read it
 * (logrotate's copytruncate, a ring-buffer writer) would kill a mapping's
 * reader with SIGBUS; pread just returns less, which is reported as the
 * usual one-line truncation after everything before it was processed.
 * pcapng, gzip, pipes and live capture stay with libpcap. */
#ifndef SNB_PCAP_CLASSIC_H
#define SNB_PCAP_CLASSIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct pcap_classic {
    bool open;
    int fd;
    uint8_t *win;     /* the window: bytes [win_off, win_off + win_len) of the file */
    size_t win_cap;   /* allocated */
    size_t win_len;   /* valid bytes */
    size_t win_pos;   /* next record header, within the window */
    uint64_t win_off; /* file offset of win[0] */
    uint64_t off;     /* file offset of the next record header */
    bool swapped;     /* file written in the other byte order */
    bool nsec;        /* nanosecond timestamps */
    int linktype;
    uint32_t snaplen;
} pcap_classic_t;

typedef struct pcap_classic_record {
    uint64_t ts_us;
    uint32_t caplen, wirelen;
    const uint8_t *data; /* valid until the next pcap_classic_next() on this file */
} pcap_classic_record_t;

/* Open path if it is a regular classic pcap file (any byte order, us or
 * ns). 0 and *c filled; 1 if it is not one (use libpcap); -1 with why on an
 * error. */
int pcap_classic_open(pcap_classic_t *c, const char *path, char *why, size_t whylen);

enum pcap_classic_result {
    PCAP_CLASSIC_RECORD = 1,
    PCAP_CLASSIC_END = 0,
    PCAP_CLASSIC_TRUNCATED = -1,
    PCAP_CLASSIC_CORRUPT = -2
};

/* Next record; on TRUNCATED/CORRUPT c->off stays at the damaged record and
 * why says what is wrong (CORRUPT, or a read error). */
int pcap_classic_next(pcap_classic_t *c, pcap_classic_record_t *rec, char *why, size_t whylen);
bool pcap_classic_is_open(const pcap_classic_t *c);
void pcap_classic_close(pcap_classic_t *c);

#endif
