/* Open a capture file as a stdio FILE, transparently gunzipping .gz input. */
#ifndef SNB_PCAP_GZ_H
#define SNB_PCAP_GZ_H

#include <stdbool.h>
#include <stdio.h>

/* Returns a FILE positioned at the start of the (uncompressed) data, with its
 * first 4 bytes in magic. On failure returns NULL with a reason in why. */
FILE *pcap_gz_open(const char *path, unsigned char magic[4], bool *compressed, char *why,
                   size_t whylen);

#endif
