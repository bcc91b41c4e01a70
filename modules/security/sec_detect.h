/* The detector: SIP messages in (as plain fields the glue read through the
 * accessors), alerts out. Pure: no core, no clock but the messages' capture
 * times, so unit tests and the fuzzer drive it directly.
 *
 * State is per source address, in a table of at most max_sources entries
 * (seeded hash, least recently active evicted first, so a million spoofed
 * sources cost the cap's memory and nothing more), plus a fixed table of
 * recent calls (sec_calls.h). Counters run over a window per source that
 * starts with its first message; rules (docs/modules/security.md):
 *
 *  scanner      a tool's User-Agent or header fingerprint; requests to sweep_hosts addresses or
 *               more, at least half of which never answered (a server
 *               pinging its phones hears back); or enumeration:
 *               enum_targets distinct users or more, nearly one request
 *               each (distinct/requests >= enum_ratio), and almost none
 *               registered or reached (a NAT with many phones succeeds).
 *               Sweeps and enumerations are judged when the source pauses
 *               (idle_us), at the window's end or at the capture's end: in
 *               its first second a REGISTER flood cycling through users
 *               looks exactly like svwar, and answers take a moment;
 *  bruteforce   bf_failures requests with credentials refused (401/403/407
 *               to the CSeq that carried them); or bf_account_failures
 *               refusals of one account from two addresses or more (each
 *               source refused at least once is reported);
 *  *_flood      rate_* requests of one method within one second, to fewer
 *               than sweep_hosts addresses, repeating targets (distinct /
 *               requests < enum_ratio) unless they are INVITEs with SDP
 *               (calls, not probes);
 *  toll_fraud   toll_calls new calls to premium prefixes, or toll_run calls
 *               in a row to consecutive numbers;
 *  wangiri      wangiri_calls calls CANCELled within wangiri_ring_us of
 *               their INVITE, to distinct destinations, most of its calls.
 *
 * An alert is raised at most once per source and type per alert_us. */
#ifndef SEC_DETECT_H
#define SEC_DETECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sec_ua.h"
#include "sipnab/hash.h"
#include "sipnab/packet.h"
#include "sipnab/security.h"
#include "sipnab/str.h"

/* One SIP message, as the glue read it. Slices are borrowed for the call. */
typedef struct sec_msg {
    uint64_t ts_us;
    snb_addr_t src, dst;
    uint16_t sport, dport;
    bool is_request;
    bool retransmit;
    bool has_credentials; /* Authorization or Proxy-Authorization */
    bool has_to_tag;
    bool has_sdp;        /* an SDP offer or answer in the body */
    uint8_t method;      /* enum snb_sip_method (requests) */
    uint8_t cseq_method; /* enum snb_sip_method */
    uint16_t status;     /* responses */
    uint32_t cseq;
    snb_str_t call_id;
    snb_str_t user_agent;  /* requests: User-Agent (p NULL when absent) */
    snb_str_t from_tag;    /* requests: the From tag, for tool fingerprints */
    snb_str_t account;     /* requests with credentials: the account (To user of a
                              REGISTER, From user of others), for per-account counts */
    snb_str_t target_user; /* REGISTER: the To user; other requests: the R-URI user */
} sec_msg_t;

typedef void (*sec_alert_fn)(void *ud, const snb_security_alert_t *alert);

typedef struct sec_cfg {
    uint32_t max_sources; /* per-source entries held */
    uint32_t max_calls;   /* call entries held */
    uint64_t window_us;   /* counting window per source */
    uint64_t idle_us;     /* a pause after which enumeration is judged */
    uint64_t alert_us;    /* one alert per source and type per this */
    uint32_t sweep_hosts;
    uint32_t enum_targets;
    double enum_ratio;
    double enum_reached; /* at most this share of INVITE/REGISTER finals succeeded */
    uint32_t bf_failures;
    uint32_t bf_account_failures; /* refusals of one account from 2+ addresses */
    uint32_t max_accounts;
    uint32_t rate_register, rate_invite, rate_options; /* per second */
    uint32_t toll_calls, toll_run;
    const char *const *toll_prefixes;
    size_t n_toll_prefixes;
    uint32_t wangiri_calls;
    uint64_t wangiri_ring_us;
    sec_ua_t *ua;              /* borrowed; NULL: no User-Agent rule */
    bool fingerprints;         /* tool header fingerprints (sec_fingerprint.h) */
    snb_hash_key_t key;        /* the tables' (source, call, account lookups) */
    snb_hash_key_t sketch_key; /* the distinct-count sketches' (sec_hll.h, sec_sketch.h):
                                * with a fixed key their estimates, and so the
                                * alerts, repeat run after run; all zero (not
                                * set): the same as key */
    sec_alert_fn on_alert;
    void *ud;
} sec_cfg_t;

/* Defaults, as documented in docs/modules/security.md and the option table. */
#define SEC_CFG_DEFAULT                                                                            \
    {                                                                                              \
        .max_sources = 65536, .max_calls = 16384, .window_us = 60000000, .idle_us = 2000000,       \
        .alert_us = 60000000, .sweep_hosts = 10, .enum_targets = 20, .enum_ratio = 0.6,            \
        .enum_reached = 0.2, .bf_failures = 10, .rate_register = 50, .rate_invite = 50,            \
        .rate_options = 50, .toll_calls = 5, .toll_run = 5, .wangiri_calls = 10,                   \
        .wangiri_ring_us = 5000000, .fingerprints = true, .bf_account_failures = 20,               \
        .max_accounts = 16384                                                                      \
    }

typedef struct sec_stats {
    uint64_t messages, sources_seen, evicted, suppressed;
    uint64_t alerts[SNB_SEC_TYPE_COUNT];
    uint32_t sources; /* held now */
} sec_stats_t;

typedef struct sec_detect sec_detect_t;

sec_detect_t *sec_detect_new(const sec_cfg_t *cfg);
void sec_detect_free(sec_detect_t *d);
/* Feed one message. Returns the alert types (bit 1 << type) raised so far
 * against the sender of a request or the receiver of a response within the
 * alert interval (so the glue can mark the dialog), 0 for clean sources. */
unsigned sec_detect_msg(sec_detect_t *d, const sec_msg_t *m);
/* Replace cfg.sketch_key; before the first message only (the sketches
 * already filled would mix two keys). */
void sec_detect_set_sketch_key(sec_detect_t *d, const snb_hash_key_t *key);
/* Judge every source whose decision waits (the capture ended). */
void sec_detect_flush(sec_detect_t *d);
const sec_stats_t *sec_detect_stats(const sec_detect_t *d);
/* Bytes the tables hold (fixed at creation). */
size_t sec_detect_memory(const sec_detect_t *d);

#endif
