/* Live capture on one interface, in its own thread. */
#ifndef SNB_PCAP_LIVE_H
#define SNB_PCAP_LIVE_H

#include "pcap_conf.h"
#include "sipnab/core.h"

typedef struct pcap_live pcap_live_t;

/* Opens and activates the interface; on failure logs one line, returns NULL. */
pcap_live_t *pcap_live_open(snb_core_t *core, const char *name, const pcap_conf_t *conf);
int pcap_live_start(pcap_live_t *l);
/* Stops the thread, drains what it queued, folds drop counters in. */
void pcap_live_stop(pcap_live_t *l);
void pcap_live_free(pcap_live_t *l);

#endif
