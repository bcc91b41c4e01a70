/* Session capture criteria (docs/center-protocol.md, "Criteria"): parsed and
 * validated once (by sipnab-center when a session is created, by the agent
 * module when a start command arrives) and matched against a neutral view of
 * one SIP message, so the same rules hold on both sides. Pure: no I/O, no
 * allocation while matching; depends only on jansson. */
#ifndef SNB_CRITERIA_H
#define SNB_CRITERIA_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SNB_CRITERIA_MAX_VALUE 256 /* bytes per value */

typedef struct snb_criteria snb_criteria_t;

/* Parses and validates a session's "criteria" object (docs/center-protocol.md).
 * NULL with a one-line reason in err on refusal (no criterion, method only,
 * too long, control characters, bad IP/CIDR, unknown key). A key whose value
 * is null or "" counts as not given (web forms send empty fields). */
snb_criteria_t *snb_criteria_parse(const json_t *criteria, char *err, size_t errlen);
json_t *snb_criteria_json(
    const snb_criteria_t *c); /* the normalized object, for storage and agent commands */
void snb_criteria_free(snb_criteria_t *c);

/* A slice of the message; p == NULL or len == 0 means absent. */
typedef struct snb_crit_str {
    const char *p;
    size_t len;
} snb_crit_str_t;

typedef struct snb_crit_ip {
    uint8_t family; /* 4 or 6; 0 when unknown */
    uint8_t a[16];  /* network order; IPv4 in the first 4 bytes */
} snb_crit_ip_t;

/* The neutral view of one SIP message the matcher reads. The agent fills it
 * from the platform's parsed SIP accessors; tests fill it by hand. */
typedef struct snb_criteria_msg {
    snb_crit_str_t from_user, from_display, from_host;
    snb_crit_str_t to_user, to_display, to_host;
    snb_crit_str_t ruri_user, ruri_host; /* requests only */
    bool is_request;
    snb_crit_str_t method;      /* request method ("INVITE") */
    snb_crit_str_t cseq_method; /* the CSeq method (responses are matched by it) */
    snb_crit_str_t call_id;
    const snb_crit_str_t *tenant_values; /* values of the configured tenant headers */
    size_t n_tenant_values;
    snb_crit_ip_t src, dst;
    snb_crit_str_t text; /* the whole message */
} snb_criteria_msg_t;

/* Every given criterion matches (AND). */
bool snb_criteria_match(const snb_criteria_t *c, const snb_criteria_msg_t *m);

/* The parts of the view a criteria object reads beyond the message's own
 * fields (Call-ID, addresses, request method, text), so a caller fills only
 * those: filling From/To/R-URI costs accessor calls per message. */
enum snb_criteria_need {
    SNB_CRIT_NEED_FROM = 1u << 0,   /* from_user, from_display, from_host */
    SNB_CRIT_NEED_TO = 1u << 1,     /* to_user, to_display, to_host */
    SNB_CRIT_NEED_RURI = 1u << 2,   /* ruri_user, ruri_host */
    SNB_CRIT_NEED_TENANT = 1u << 3, /* tenant_values */
    SNB_CRIT_NEED_CSEQ = 1u << 4,   /* cseq_method (responses) */
};
unsigned snb_criteria_needs(const snb_criteria_t *c);

/* The cheap criteria only (call_id, provider_ip, a request's method), on a
 * view that may hold just the message's own fields: false when the message
 * cannot match, so the caller skips filling the rest. */
bool snb_criteria_prefilter(const snb_criteria_t *c, const snb_criteria_msg_t *m);

/* A log line belongs to a session when it contains the session's text or
 * call_id criterion (case-insensitive for text, exact for call_id). False
 * when the session has neither. */
bool snb_criteria_match_line(const snb_criteria_t *c, const char *line, size_t len);

/* The value of one criterion ("from", "to", ...), normalized; NULL when not
 * given. */
const char *snb_criteria_get(const snb_criteria_t *c, const char *key);

/* Helpers the matcher uses, exposed for tests and for the agent. */
/* Case-insensitive ASCII substring search; needle_lower must be lowercase. */
bool snb_crit_contains_ci(const char *hay, size_t hlen, const char *needle_lower, size_t nlen);
/* Parses "192.0.2.1", "2001:db8::1", "10.0.0.0/8", "2001:db8::/32". */
bool snb_crit_parse_prefix(const char *text, snb_crit_ip_t *addr, unsigned *prefix_len);

#endif
