/* Every request body the center accepts, parsed and checked before anything
 * is stored: wrong types, unknown fields, oversize values and bad criteria
 * are refused with one line saying why (the HTTP layer answers 400). Pure:
 * unit-tested and fuzzed (tests/fuzz/fuzz_center_validate.c). */
#ifndef SNB_CENTER_VALIDATE_H
#define SNB_CENTER_VALIDATE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

#define VALIDATE_MAX_LABEL 256
#define VALIDATE_MAX_NAME 64
#define VALIDATE_MAX_URL 512
#define VALIDATE_MAX_TAGS 32
#define VALIDATE_MAX_AGENT_IDS 1000
#define VALIDATE_MAX_DATA (64 * 1024)
#define VALIDATE_MAX_LINE (8 * 1024)
#define VALIDATE_MAX_FIELD 1024
#define VALIDATE_MAX_PACKET (256 * 1024)

typedef struct session_req {
    char *label;
    int64_t duration_s;
    char *criteria_json; /* normalized by snb_criteria */
    bool capture_rtp, capture_pcap;
    int64_t *agent_ids;
    size_t n_agent_ids;
    char **tags;
    size_t n_tags;
} session_req_t;

/* POST /api/sessions. duration_seconds defaults to default_s, must be in
 * [1, max_s]. 0 or -1 with err. */
int validate_session(const char *body, size_t len, int64_t default_s, int64_t max_s,
                     session_req_t *out, char *err, size_t errlen);
void session_req_free(session_req_t *r);

typedef struct agent_req {
    agent_in_t in;
    json_t *root; /* owns the strings in `in` */
    char tags[VALIDATE_MAX_TAGS * (VALIDATE_MAX_NAME + 1) + 1];
} agent_req_t;

/* POST /api/agents (registration = false: name, url, token, enabled, tags)
 * or POST /api/ingest/register (name, url, tags, command_token, version). */
int validate_agent(const char *body, size_t len, bool registration, agent_req_t *out, char *err,
                   size_t errlen);
void agent_req_free(agent_req_t *r);

/* POST /api/sessions/{id}/share: an empty body, or {"expires_in_seconds": N}. */
int validate_share(const char *body, size_t len, int64_t *expires_in_s, char *err, size_t errlen);

typedef struct ingest_batch {
    char agent[VALIDATE_MAX_NAME + 1];
    ingest_event_t *ev;
    size_t n;
    char **bodies;
    unsigned char **packets;
    json_t *root;
} ingest_batch_t;

/* POST /api/ingest: {"agent", "events": [...]}, at most max_events. */
int validate_ingest(const char *body, size_t len, size_t max_events, ingest_batch_t *out, char *err,
                    size_t errlen);
void ingest_batch_free(ingest_batch_t *b);

/* Helpers shared with the server. */
bool validate_name(const char *s);
bool validate_session_id(const char *s);
/* Standard base64 (padding optional, no whitespace); -1 on a bad character
 * or when the result would exceed cap. */
long validate_b64_decode(const char *in, size_t len, unsigned char *out, size_t cap);

#endif
