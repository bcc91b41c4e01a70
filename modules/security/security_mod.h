/* The security module's glue state, shared by security.c (lifetime,
 * events, annotation, metrics) and security_out.c (what it prints). */
#ifndef SECURITY_MOD_H
#define SECURITY_MOD_H

#include <stdbool.h>
#include <stdint.h>

#include "sec_detect.h"
#include "sec_ua.h"
#include "sipnab/core.h"
#include "sipnab/dialogs.h"
#include "sipnab/options.h"
#include "sipnab/output.h"
#include "sipnab/security.h"
#include "sipnab/sip.h"

typedef struct security_conf {
    bool fail2ban, alerts_json, report, kill_scanner;
    int64_t kill_response;
    const char *kill_ua;
    bool builtin_ua, fingerprints;
    int64_t max_sources, max_calls;
    uint64_t window, idle, alert_interval; /* ms */
    int64_t sweep_hosts, enum_users, enum_ratio_pct, bf_failures, bf_account_failures;
    int64_t max_accounts;
    int64_t register_rate, invite_rate, options_rate;
    int64_t toll_calls, toll_run;
    snb_strlist_t toll_prefixes;
    int64_t wangiri_calls;
    uint64_t wangiri_ring; /* ms */
    int64_t report_max;
} security_conf_t;

/* Alerts kept for the --report table (the first report_max). */
typedef struct security_log {
    snb_security_alert_t *v;
    size_t n, cap, dropped;
} security_log_t;

typedef struct security_mod {
    snb_core_t *core;
    const security_conf_t *conf;
    const snb_dialogs_service_t *dialogs;
    int annotation;
    sec_ua_t *ua;
    sec_detect_t *det;
    snb_event_type_t ev_message, ev_alert;
    int sub;
    bool sketch_keyed; /* the sketches' key is chosen (at the first message) */
    snb_output_t *out_fail2ban, *out_json, *out_report;
    security_log_t log;
    uint64_t alerts[SNB_SEC_TYPE_COUNT];
    uint64_t dialogs_marked, kill_dry_run, kill_sent, kill_limited, kill_failed;
    void *kill; /* security_out_kill.c's state, with --kill-scanner */
} security_mod_t;

/* security_out.c */
int security_out_claim(security_mod_t *m);
void security_out_alert(security_mod_t *m, const snb_security_alert_t *a);
void security_out_end(security_mod_t *m);
void security_out_free(security_mod_t *m);
/* security_out_kill.c: replies to scanners */
int security_out_kill_init(security_mod_t *m);
void security_out_kill_free(security_mod_t *m);
/* The source instance of each packet (live interface or not). */
void security_out_kill_packet(security_mod_t *m, const char *source);
/* A request from a source flagged as a scanner. */
void security_out_kill_request(security_mod_t *m, const snb_sip_message_event_t *ev);

#endif
