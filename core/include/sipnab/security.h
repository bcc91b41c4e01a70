/* What the security module publishes: one "security.alert" event per
 * detection (a source address and an alert type, at most once per source
 * and type per alert interval), for outputs that act on them (syslog, exec,
 * the REST API). Plain data: a copy is a memcpy of the struct.
 *
 *   h->ev_alert = snb_bus_lookup(bus, SNB_SECURITY_ALERT_EVENT);
 *   const snb_security_alert_t *a = (const snb_security_alert_t *)ev;
 *   snb_security_type_name(a->type) -> "scanner"
 *
 * Times are capture times (packet timestamps), in microseconds since the
 * epoch. Strings are NUL-terminated and truncated to their arrays. */
#ifndef SIPNAB_SECURITY_H
#define SIPNAB_SECURITY_H

#include <jansson.h>
#include <stdint.h>

#include "sipnab/event.h"
#include "sipnab/packet.h"

#define SNB_SECURITY_ALERT_EVENT "security.alert" /* snb_security_alert_t */

/* Alert types, in the order of the spec's fail2ban keywords. */
enum snb_security_type {
    SNB_SEC_SCANNER = 0,   /* SCANNER: tool User-Agent, address sweep, extension enumeration */
    SNB_SEC_BRUTEFORCE,    /* BRUTEFORCE: credentials tried and refused, again and again */
    SNB_SEC_REG_FLOOD,     /* REG_FLOOD: REGISTER rate past the threshold */
    SNB_SEC_INVITE_FLOOD,  /* INVITE_FLOOD */
    SNB_SEC_OPTIONS_FLOOD, /* OPTIONS_FLOOD */
    SNB_SEC_TOLL_FRAUD,    /* TOLL_FRAUD: a burst of calls to premium prefixes or a number run */
    SNB_SEC_WANGIRI,       /* WANGIRI: one-ring calls to many destinations */
    SNB_SEC_TYPE_COUNT
};

/* Syslog severities (RFC 5424 numbers): scanner=warning, fraud=alert. */
enum snb_security_severity {
    SNB_SEC_SEV_ALERT = 1,
    SNB_SEC_SEV_CRITICAL = 2,
    SNB_SEC_SEV_ERROR = 3,
    SNB_SEC_SEV_WARNING = 4,
};

/* Requests counted by method, and responses (sent to the source) by code. */
enum snb_security_method {
    SNB_SEC_M_INVITE = 0,
    SNB_SEC_M_REGISTER,
    SNB_SEC_M_OPTIONS,
    SNB_SEC_M_ACK,
    SNB_SEC_M_BYE,
    SNB_SEC_M_CANCEL,
    SNB_SEC_M_OTHER,
    SNB_SEC_M_COUNT
};
enum snb_security_response {
    SNB_SEC_R_1XX = 0,
    SNB_SEC_R_2XX,
    SNB_SEC_R_3XX,
    SNB_SEC_R_401,
    SNB_SEC_R_403,
    SNB_SEC_R_404,
    SNB_SEC_R_407,
    SNB_SEC_R_4XX_OTHER,
    SNB_SEC_R_5XX,
    SNB_SEC_R_6XX,
    SNB_SEC_R_COUNT
};

#define SNB_SEC_MAX_TARGETS 4
#define SNB_SEC_MAX_CALL_IDS 3

typedef struct snb_security_alert {
    snb_event_t ev;
    uint8_t type;     /* enum snb_security_type */
    uint8_t severity; /* enum snb_security_severity */
    snb_addr_t src;   /* the offending source */
    uint16_t sport;   /* its last source port */
    snb_addr_t dst;   /* the address it last sent to (the scanned one) */
    uint16_t dport;
    uint64_t ts_us;             /* when the rule fired */
    uint64_t first_us, last_us; /* the source's first and last message in the window */
    char reason[96];            /* why, in words: "User-Agent friendly-scanner" */
    char user_agent[64];        /* the last User-Agent it sent ("" if none) */
    uint32_t requests;          /* requests in the window */
    uint32_t distinct_targets;  /* users it addressed (estimate) */
    uint32_t distinct_hosts;    /* addresses it sent to (estimate) */
    uint32_t methods[SNB_SEC_M_COUNT];
    uint32_t responses[SNB_SEC_R_COUNT];
    uint8_t n_targets;
    char targets[SNB_SEC_MAX_TARGETS][64]; /* samples: "user@host" or "host" */
    uint8_t n_call_ids;
    char call_ids[SNB_SEC_MAX_CALL_IDS][64]; /* samples */
} snb_security_alert_t;

static inline const char *snb_security_type_name(unsigned type)
{
    static const char *const names[SNB_SEC_TYPE_COUNT] = {
        "scanner",       "bruteforce", "reg_flood", "invite_flood",
        "options_flood", "toll_fraud", "wangiri"};
    return type < SNB_SEC_TYPE_COUNT ? names[type] : "unknown";
}

/* "security.alerts": the security module's renderers, so that every output
 * (exec hooks, syslog, the API) shows an alert with the same fields as
 * --alerts-json. Loop thread only. */
#define SNB_SECURITY_SERVICE "security.alerts"
#define SNB_SECURITY_SERVICE_VERSION 1

typedef struct snb_security_service {
    void *ctx;
    /* The --alerts-json object; new reference (NULL when out of memory). */
    json_t *(*alert_json)(void *ctx, const snb_security_alert_t *a);
    /* "warning", "alert", ... */
    const char *(*severity_name)(void *ctx, unsigned severity);
} snb_security_service_t;

#endif
