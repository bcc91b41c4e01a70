/* Builds the input of rtp_diag_run() for one call from the call view
 * (rtp_calls) and its streams (rtp_table). Kept apart so rtp_diag stays a
 * pure function of plain data. */
#ifndef SNB_RTP_DIAG_VIEW_H
#define SNB_RTP_DIAG_VIEW_H

#include <stddef.h>
#include <stdint.h>

#include "rtp_calls.h"
#include "rtp_diag.h"
#include "rtp_table.h"

/* Fill *out for call at capture time now_us, with up to max of its streams
 * in streams[] (out->streams points there). Returns the number of streams
 * the call has (more than max if some were left out). */
size_t rtp_diag_view(const rtp_call_t *call, const rtp_table_t *t, uint64_t now_us,
                     rtp_diag_call_t *out, rtp_diag_stream_t *streams, size_t max);

/* One stream as the diagnosis sees it. */
void rtp_diag_stream_from(const rtp_stream_t *s, rtp_diag_stream_t *out);

#endif
