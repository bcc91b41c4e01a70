/* The media lines of a SIPREC offer (RFC 7866 §8.1.1): each m= line with
 * its a=label (RFC 4574), which the metadata's <stream><label> names, and
 * the address and port its RTP comes from. */
#ifndef SIPREC_SDP_H
#define SIPREC_SDP_H

#include <jansson.h>
#include <stddef.h>

#define SIPREC_SDP_MAX_MEDIA 64

/* [{"label", "m_index", "media", "port", "address", "direction"}] for the
 * m= lines that have a label, in order; a new array. */
json_t *siprec_sdp_labels(const char *sdp, size_t len);

/* Fold a new offer's labels (siprec_sdp_labels) into those known so far:
 * each label keeps its latest m-line, and "endpoints" lists every
 * "address:port" ("[v6]:port") it has had with a non-zero port, so RTP
 * sent before a re-INVITE disabled the m-line still maps to its label. */
void siprec_sdp_merge(json_t *known, const json_t *latest);

#endif
