/* Capture input that libpcap reads (pcapng, gzip-compressed files, pipes,
 * standard input) as a stdio FILE for pcap_fopen_offline(): one descriptor,
 * its first bytes peeked without being lost (so a pipe works), and gzip
 * inflated by zlib here rather than by gzread, so that a stream cut short
 * or with a bad checksum is told apart from a clean end and every byte
 * before the damage is still delivered. */
#ifndef SNB_PCAP_STREAM_H
#define SNB_PCAP_STREAM_H

#include <stdbool.h>
#include <stdio.h>

typedef struct pcap_stream pcap_stream_t;

/* path "-" is standard input. Returns a FILE positioned at the start of the
 * (uncompressed) data, with its first 4 bytes in magic, and *state for
 * pcap_stream_damage (owned by the FILE: valid until fclose). On failure
 * returns NULL with a reason in why. ftell() gives the uncompressed offset. */
FILE *pcap_stream_open(const char *path, unsigned char magic[4], bool *compressed,
                       pcap_stream_t **state, char *why, size_t whylen);

/* Have fn see every (uncompressed) byte the FILE reads, in order, as it
 * reads it (before stdio buffers it for the reader). */
void pcap_stream_observe(pcap_stream_t *s, void (*fn)(void *ud, const void *data, size_t n),
                         void *ud);

/* Once the FILE has ended: NULL if the data ended cleanly, else why not
 * ("gzip data cut short", "gzip: incorrect data check", a read error). */
const char *pcap_stream_damage(const pcap_stream_t *s);

#endif
