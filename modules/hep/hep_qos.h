/* RTP quality reports for Homer: a stream's final figures as the JSON of
 * HEP proto type 34 (the "rtpagent" full report Homer and heplify-server
 * read: CORRELATION_ID, TOTAL_PACKETS, MEAN_JITTER, MIN_MOS, ...). Pure. */
#ifndef SNB_HEP_QOS_H
#define SNB_HEP_QOS_H

#include <stddef.h>

#include "sipnab/rtp.h"

/* malloc'd JSON text (length in *len), NULL when out of memory. */
char *hep_qos_final_report(const snb_rtp_stream_event_t *s, size_t *len);

#endif
