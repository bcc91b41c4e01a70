/* The agent's running capture sessions (docs/center-protocol.md, "2. Center
 * -> agent"): a capped table of sessions, each with its parsed criteria,
 * its flags, its expiry and the seq of the last event it produced. Pure:
 * the command listener parses commands with agent_session_cmd_parse on its
 * own thread, the loop applies them. */
#ifndef AGENT_SESSION_H
#define AGENT_SESSION_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "criteria.h"

#define AGENT_SESSION_ID_LEN 20
#define AGENT_SESSIONS_MAX 64 /* hard cap: followed calls carry a 64-bit session mask */

/* A parsed start command. Owns its criteria until handed to the table. */
typedef struct agent_session_cmd {
    char id[AGENT_SESSION_ID_LEN + 1];
    char label[129];
    uint64_t expires_us; /* 0: none given */
    bool capture_rtp, capture_pcap;
    snb_criteria_t *criteria;
    uint64_t last_seq; /* the center's highest stored seq from this agent (0: none) */
} agent_session_cmd_t;

typedef struct agent_session {
    bool used;
    char id[AGENT_SESSION_ID_LEN + 1];
    char label[129];
    uint64_t expires_us;
    bool capture_rtp, capture_pcap;
    snb_criteria_t *criteria;
    uint64_t seq; /* of the last event made for it; the next is seq + 1 */
} agent_session_t;

typedef struct agent_sessions {
    agent_session_t slot[AGENT_SESSIONS_MAX];
    size_t cap; /* <= AGENT_SESSIONS_MAX, the configured max_sessions */
    size_t n;
} agent_sessions_t;

/* True for 20 lowercase hex characters. */
bool agent_session_id_valid(const char *id);

/* "2026-06-20T21:30:00.123456Z" (fraction optional, 'Z' or +hh:mm) to
 * microseconds since the epoch; false when it is not RFC 3339. */
bool agent_parse_rfc3339(const char *s, uint64_t *us);
/* us to "2026-06-20T21:30:00.123456Z"; buf at least 28 bytes. */
void agent_format_rfc3339(uint64_t us, char *buf, size_t len);

/* A session command object (PUT body, or an element of the registration
 * answer's "sessions"). path_id, when not NULL, must equal the body's id
 * (a missing body id takes it). 0, or -1 with a one-line reason. */
int agent_session_cmd_parse(const json_t *body, const char *path_id, agent_session_cmd_t *out,
                            char *err, size_t errlen);
void agent_session_cmd_clear(agent_session_cmd_t *cmd);

void agent_sessions_init(agent_sessions_t *t, size_t cap);
void agent_sessions_clear(agent_sessions_t *t);
/* Start or update: the table takes the command's criteria (cmd->criteria
 * becomes NULL). Returns the slot index, or -1 when the table is full.
 * *created tells a new session from an update (whose seq continues). */
int agent_sessions_put(agent_sessions_t *t, agent_session_cmd_t *cmd, bool *created);
int agent_sessions_find(const agent_sessions_t *t, const char *id);
/* Stop: frees the slot. False when unknown. */
bool agent_sessions_remove(agent_sessions_t *t, const char *id);
/* The slot indexes of sessions whose expires_at has passed (at most
 * AGENT_SESSIONS_MAX); the caller removes them after its own cleanup. */
size_t agent_sessions_expired(const agent_sessions_t *t, uint64_t now_us, int *slots);
/* A bitmask of the used slots. */
uint64_t agent_sessions_mask(const agent_sessions_t *t);

/* Seqs across restarts (option state_file): the center keeps one event
 * per (session, agent, seq), so an agent restarted during a session must
 * not start again at 1. The state is {"<session id>": <last seq>, ...}. */
#define AGENT_SEQ_RESTART_GAP 100000 /* covers seqs made after the last save */
json_t *agent_seq_state(const agent_sessions_t *t);
/* The seq a session restarted from state continues after: the saved one
 * plus the gap; 0 when the state does not know it. */
uint64_t agent_seq_resume(const json_t *state, const char *id);

#endif
