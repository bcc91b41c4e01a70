/* Reading capture files on the loop, in batches, merged by timestamp. */
#ifndef SNB_PCAP_FILE_H
#define SNB_PCAP_FILE_H

#include <uv.h>

#include "pcap_conf.h"
#include "sipnab/core.h"

typedef struct pcap_file_reader pcap_file_reader_t;

pcap_file_reader_t *pcap_file_reader_new(snb_core_t *core, const char *name,
                                         const pcap_conf_t *conf);
/* Opens the first readable file and starts reading; 0 or a negative error. */
int pcap_file_reader_start(pcap_file_reader_t *r);
void pcap_file_reader_stop(pcap_file_reader_t *r);
/* Frees once the idle handle has closed (after stop). */
void pcap_file_reader_free(pcap_file_reader_t *r);

#endif
