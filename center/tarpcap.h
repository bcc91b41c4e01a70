/* export.tar: a POSIX ustar archive of classic pcap files (one per agent
 * and link type), built in memory from the stored packets. Pure: the
 * server feeds packets in order and serves the buffer. */
#ifndef SNB_CENTER_TARPCAP_H
#define SNB_CENTER_TARPCAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct tarpcap {
    unsigned char *buf;
    size_t len, cap, max;
    size_t hdr;       /* offset of the open member's tar header */
    char member[100]; /* its file name; "" when none is open */
    int64_t mtime;
    int failed; /* 1: over max or out of memory */
} tarpcap_t;

/* max: the largest archive built (bytes). */
void tarpcap_init(tarpcap_t *t, size_t max, int64_t mtime_s);
/* Opens the member `name` (at most 99 bytes) with a pcap header for
 * linktype, closing the previous one. */
int tarpcap_begin(tarpcap_t *t, const char *name, uint32_t linktype);
/* One record: caplen = len (cut at 262144), orig_len as captured. */
int tarpcap_packet(tarpcap_t *t, int64_t ts_us, const unsigned char *data, size_t len,
                   uint32_t orig_len);
/* Closes the last member and writes the end-of-archive blocks; the archive
 * is t->buf[0..t->len). 0, or -1 when it grew over max. */
int tarpcap_finish(tarpcap_t *t);
void tarpcap_free(tarpcap_t *t);

/* The member name for an agent: "<agent>.pcap", or "<agent>-<linktype>.pcap"
 * when the agent sent more than one link type. */
void tarpcap_name(char *out, size_t cap, const char *agent, uint32_t linktype, int several);

#define TARPCAP_SNAPLEN 262144

#endif
