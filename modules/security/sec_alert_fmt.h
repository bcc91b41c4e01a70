/* How an alert is written: the fail2ban line, the NDJSON object and the row
 * of the --report table. Pure, so tests check the exact text. */
#ifndef SEC_ALERT_FMT_H
#define SEC_ALERT_FMT_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

#include "sipnab/security.h"

/* "SCANNER", "REG_FLOOD", ...: the fail2ban keyword of a type. */
const char *sec_alert_keyword(unsigned type);
/* "warning", "alert", ... */
const char *sec_alert_severity_name(unsigned severity);

/* One line, newline included:
 *   2026-12-06 02:53:33 sipnab SCANNER type=scanner severity=warning
 *   requests=80 hosts=40 users=1 to=127.0.10.1:5060 reason="..." from=127.0.66.10
 * (one line). The time is the alert's capture time in UTC, a format
 * fail2ban's default date detection reads. `from=` comes last and free
 * text (the reason) is reduced to [A-Za-z0-9 ._:@/,-], so nothing a sender
 * writes in a header can put another address after `from=`. Returns the
 * length (truncated to size - 1). */
size_t sec_alert_fail2ban(const snb_security_alert_t *a, char *buf, size_t size);
/* The --alerts-json object (docs/modules/security.md). New reference. */
json_t *sec_alert_json(const snb_security_alert_t *a);
/* The --report table. */
void sec_alert_report_header(FILE *out);
void sec_alert_report_row(FILE *out, const snb_security_alert_t *a);

#endif
