/* Classic pcap files read by our own reader: the fast path for the most
 * common input. libpcap reads each record with fread (two copies and a few
 * hundred instructions per packet); here the file is read with pread into
 * windows, and a record is a pointer into one.
 *
 * With read_ahead, two windows: records come from one while a thread of
 * ours reads the other, so the kernel's copy of a large file runs on the
 * other core while this one analyses packets. Else one window, which the
 * caller reads again when it gets to its end. The unread tail of a window
 * (less than one record) is copied into the room before the next bytes
 * read, so a record is always in one piece.
 *
 * Not mmap: a file that another process truncates while we read it
 * (logrotate's copytruncate, a ring-buffer writer) would kill a mapping's
 * reader with SIGBUS; pread just returns less, which is reported as the
 * usual one-line truncation after everything before it was processed.
 * pcapng, gzip, pipes and live capture stay with libpcap. */
#ifndef SNB_PCAP_CLASSIC_H
#define SNB_PCAP_CLASSIC_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct pcap_window {
    uint8_t *buf; /* room for a record's worth of the window before, then the bytes read */
    size_t len;   /* bytes read after the room */
    uint64_t off; /* file offset of the first byte read */
    int err;      /* errno of a failed read (the window ends there), else 0 */
    bool full;    /* the consumer's: read, not yet given back (read_ahead) */
} pcap_window_t;

typedef struct pcap_classic {
    bool open;
    int fd;
    pcap_window_t win[2]; /* win[1] only with read_ahead */
    size_t win_size;      /* bytes per read */
    int cur;              /* the window records come from */
    size_t pos, end;      /* in win[cur].buf: the next record header, the end of its bytes */
    bool last;            /* win[cur] is the file's last (a short read) */
    uint64_t off;         /* file offset of the next record header */
    bool swapped;         /* file written in the other byte order */
    bool nsec;            /* nanosecond timestamps */
    int linktype;
    uint32_t snaplen;
    /* read ahead: the reader thread fills the window the consumer gave back */
    bool read_ahead;
    bool stop; /* guarded by mu: close wants the thread gone */
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cond;
} pcap_classic_t;

typedef struct pcap_classic_record {
    uint64_t ts_us;
    uint32_t caplen, wirelen;
    const uint8_t *data; /* valid until the next pcap_classic_next() on this file */
} pcap_classic_record_t;

/* Open path if it is a regular classic pcap file (any byte order, us or
 * ns). 0 and *c filled; 1 if it is not one (use libpcap); -1 with why on an
 * error. read_ahead: for a file of 4 MiB or more, a thread reads the next
 * window meanwhile (c->read_ahead says whether one started; without it the
 * caller reads, as for smaller files). */
int pcap_classic_open(pcap_classic_t *c, const char *path, bool read_ahead, char *why,
                      size_t whylen);

enum pcap_classic_result {
    PCAP_CLASSIC_RECORD = 1,
    PCAP_CLASSIC_END = 0,
    PCAP_CLASSIC_TRUNCATED = -1,
    PCAP_CLASSIC_CORRUPT = -2
};

/* Next record; on TRUNCATED/CORRUPT c->off stays at the damaged record and
 * why says what is wrong (CORRUPT, or a read error). The record's bytes
 * stay valid until the next call. */
int pcap_classic_next(pcap_classic_t *c, pcap_classic_record_t *rec, char *why, size_t whylen);
bool pcap_classic_is_open(const pcap_classic_t *c);
void pcap_classic_close(pcap_classic_t *c);

#endif
