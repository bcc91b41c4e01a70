/* Recording metadata (application/rs-metadata+xml, RFC 7865) parsed into
 * JSON, one document at a time, in the three shapes SRCs send:
 *
 *  - "rfc": RFC 7865, namespace urn:ietf:params:xml:ns:recording:1;
 *  - "ribbon": the RFC's element names under the pre-RFC namespace
 *    urn:ietf:params:xml:ns:recording (any prefix), callData in <group>;
 *  - "acme": the pre-RFC elements (id/session attributes, <aor>, <name>,
 *    <send>/<recv> and times inside <participant>, extensiondata).
 *
 * The result is the document's own view (what it says, before any merge):
 *   {"datamode", "shape", "namespace", "groups": [...], "sessions": [...],
 *    "participants": [...], "streams": [...]}
 * with the field names of shared/siprec/truth.json. An object is keyed by
 * its id and carries the keys of the elements that mention it (a
 * participant named only in a participantstreamassoc has id, send, recv).
 *
 * libxml2 runs with the network off (XML_PARSE_NONET) and without entity
 * substitution (no XML_PARSE_NOENT); a document with a DTD is refused
 * outright (no billion laughs, no external entities), text is read from
 * text nodes only, and the size and every list are capped. */
#ifndef SIPREC_XML_H
#define SIPREC_XML_H

#include <jansson.h>
#include <stddef.h>

#define SIPREC_XML_MAX_SIZE (256 * 1024) /* bytes of one document */
#define SIPREC_MAX_OBJECTS 256           /* groups, sessions, participants, streams: each */
#define SIPREC_MAX_LIST 64               /* aors, names, sipSessionIDs, send, recv */
#define SIPREC_MAX_TEXT 1024             /* bytes of one value */

typedef enum siprec_xml_error {
    SIPREC_XML_OK = 0,
    SIPREC_XML_TOO_BIG,
    SIPREC_XML_NOT_XML,       /* not well-formed */
    SIPREC_XML_DTD,           /* a DOCTYPE: refused */
    SIPREC_XML_NOT_RECORDING, /* the root is not <recording> of a recording namespace */
    SIPREC_XML_ERROR_COUNT
} siprec_xml_error_t;

const char *siprec_xml_error_name(siprec_xml_error_t e); /* "too_big", ... */

/* Call once before parsing (libxml2's global init); idempotent. */
void siprec_xml_init(void);

/* A new object, or NULL with *err set. *truncated counts the objects and
 * list items dropped at the caps (may be NULL). */
json_t *siprec_xml_parse(const char *xml, size_t len, siprec_xml_error_t *err, unsigned *truncated);

#endif
