/* Syslog messages as the RFCs write them (pure, so tests check the bytes):
 *  - RFC 5424, for network collectors: <PRI>1 TIMESTAMP HOST APP PROCID
 *    MSGID [SD-ID name="value" ...] MSG, the structured data carrying the
 *    event's fields;
 *  - RFC 3164, for the local /dev/log socket, which local daemons expect:
 *    <PRI>Mmm dd hh:mm:ss APP[PID]: MSG (the daemon adds the host).
 * Every field is cleaned: header fields become printable ASCII without
 * spaces, SD values escape '"', '\' and ']', and the message has no control
 * characters (a SIP header a sender wrote cannot forge a second line). */
#ifndef SNB_SYSLOG_FORMAT_H
#define SNB_SYSLOG_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#define SYSLOG_MSG_MAX 2048         /* bytes of one formatted message (RFC 5424 §6.1 safe size) */
#define SYSLOG_SD_ID "sipnab@32473" /* 32473: the example enterprise number (RFC 5612) */

typedef struct syslog_param {
    const char *name; /* an SD-NAME: printable ASCII, no '=', ' ', ']', '"' (cleaned) */
    const char *value;
} syslog_param_t;

typedef struct syslog_msg {
    int facility;   /* 0..23 (16 = local0) */
    int severity;   /* 0..7 */
    uint64_t ts_us; /* UTC, microseconds since the epoch */
    const char *hostname, *app_name, *msgid;
    long procid;
    const syslog_param_t *params;
    size_t n_params;
    const char *text;
} syslog_msg_t;

/* The message (no trailer) in buf; returns its length (< size). */
size_t syslog_format_5424(const syslog_msg_t *m, char *buf, size_t size);
size_t syslog_format_3164(const syslog_msg_t *m, char *buf, size_t size);

/* "local0" -> 16, "daemon" -> 3, ...; -1 if unknown. */
int syslog_facility(const char *name);

#endif
