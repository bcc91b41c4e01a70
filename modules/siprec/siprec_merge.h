/* The recording metadata of one call as it stands after every update
 * (RFC 7865 §6 datamode, RFC 7866 §7.1.1): a complete document replaces
 * the state; a partial one upserts groups, sessions, participants and
 * streams by id, a value present overriding the old one; a participant's
 * send/recv lists (participantstreamassoc, or Acme's <send>/<recv>)
 * replace its old lists; associate/disassociate times are kept per
 * participant. Then resolved: send/recv stream ids to their labels, and
 * per stream its senders, their aors and its receivers. */
#ifndef SIPREC_MERGE_H
#define SIPREC_MERGE_H

#include <jansson.h>

/* The empty state: {"groups": [], "sessions": [], "participants": [],
 * "streams": []}. */
json_t *siprec_state_new(void);

/* Apply one parsed document (siprec_xml_parse) to state. */
void siprec_merge(json_t *state, const json_t *doc);

/* A new object: the state with participants completed (every key, null or
 * [] when unknown) and send_labels/recv_labels, and streams with senders,
 * sender_aors and receivers. */
json_t *siprec_resolve(const json_t *state);

#endif
