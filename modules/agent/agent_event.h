/* The JSON of the events the agent sends to /api/ingest
 * (docs/center-protocol.md, "Events"). Pure: the loop fills the fields,
 * these build the objects; "session" and "seq" are stamped per session. */
#ifndef AGENT_EVENT_H
#define AGENT_EVENT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AGENT_EVENT_DATA_MAX (64 * 1024) /* SIP text kept per event */
#define AGENT_EVENT_LINE_MAX 8192        /* log line kept per event */

typedef struct agent_packet_ref {
    const uint8_t *data; /* NULL: no packet */
    size_t caplen;
    uint32_t orig_len;
    int linktype;
    uint64_t ts_us;
} agent_packet_ref_t;

typedef struct agent_sip_fields {
    uint64_t ts_us;
    const char *type; /* "sip" or "webrtc" */
    const char *call_id;
    size_t call_id_len;
    const char *src, *dst, *transport;
    const char *method; /* requests; NULL for responses */
    size_t method_len;
    unsigned status; /* responses; 0 for requests */
    const char *summary;
    size_t summary_len;
    const char *data;
    size_t data_len;
    agent_packet_ref_t packet;
} agent_sip_fields_t;

typedef struct agent_rtp_fields {
    uint64_t ts_us;
    const char *call_id;
    const char *src, *dst;
    uint32_t ssrc;
    int pt; /* -1 unknown */
    uint64_t packets;
    int64_t lost;
    double jitter_ms;
    bool sample; /* false: one RTP packet for export.tar */
    agent_packet_ref_t packet;
} agent_rtp_fields_t;

/* A JSON string of arbitrary bytes: invalid UTF-8 becomes U+FFFD, so a
 * hostile message cannot make an event unserializable. At most max bytes
 * of input are used. */
json_t *agent_json_text(const char *p, size_t len, size_t max);

json_t *agent_event_sip(const agent_sip_fields_t *f);
json_t *agent_event_rtp(const agent_rtp_fields_t *f);
json_t *agent_event_log(uint64_t ts_us, const char *file, const char *line, size_t len,
                        const char *call_id);
/* Sets "session" and "seq" and serializes; the caller frees. */
char *agent_event_stamp(json_t *ev, const char *session, uint64_t seq, size_t *len);

/* Base64 (RFC 4648, padded); the caller frees. */
char *agent_base64(const uint8_t *data, size_t len, size_t *out_len);
/* "192.0.2.1:5060" or "[2001:db8::1]:5060"; family 4 or 6. */
void agent_format_endpoint(uint8_t family, const uint8_t *a, uint16_t port, char *buf, size_t len);
/* Constant-time compare of a presented token with the expected one. */
bool agent_token_equal(const char *presented, size_t presented_len, const char *expected);

#endif
