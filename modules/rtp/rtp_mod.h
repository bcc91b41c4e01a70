/* The RTP module's state, shared by its glue files: rtp.c (events and
 * lifetime), rtp_out_annotation.c (what it adds to dialogs) and
 * rtp_out_media.c (the "rtp.media" service). Not part of any API. */
#ifndef SNB_RTP_MOD_H
#define SNB_RTP_MOD_H

#include "rtp_diag_view.h"
#include "rtp_fields.h"
#include "rtp_out.h"
#include "sipnab/core.h"
#include "sipnab/dialogs.h"
#include "sipnab/gonelog.h"
#include "sipnab/media.h"
#include "sipnab/output.h"

typedef struct rtp_conf {
    bool streams_json;
    bool report;
    const char *filter;
    int64_t max_streams;
    int64_t max_calls;
    uint64_t call_linger;
    bool heuristic;
    int64_t heuristic_packets;
    uint64_t orphan_timeout;
    uint64_t interval;
    uint64_t late_media;
    const char *poor_loss;   /* percent, decimal */
    const char *poor_jitter; /* ms of mean jitter, decimal */
    const char *poor_mos;    /* decimal */
    int64_t poor_min_packets;
} rtp_conf_t;

#define RTP_COUNTERS(X)                                                                            \
    X(packets, "RTP packets counted in a stream")                                                  \
    X(rtcp_packets, "RTCP packets")                                                                \
    X(non_rtp, "UDP packets that were neither RTP nor RTCP")                                       \
    X(streams, "RTP streams")                                                                      \
    X(streams_sdp, "streams found through an SDP")                                                 \
    X(streams_heuristic, "streams found by the heuristic (no SDP)")                                \
    X(claimed_late, "heuristic streams an SDP claimed afterwards")                                 \
    X(orphaned, "streams no SDP claimed (capture time)")                                           \
    X(evicted, "streams evicted by the max_streams cap")                                           \
    X(pending_dropped, "held-back packets of candidate streams never confirmed")                   \
    X(calls, "calls with SDP seen")                                                                \
    X(calls_evicted, "calls evicted by the max_calls cap")                                         \
    X(calls_forgotten, "ended calls forgotten after call_linger")                                  \
    X(rtt_samples, "RTCP round-trip time samples")                                                 \
    X(info_dtmf, "DTMF digits sent as SIP INFO")                                                   \
    X(udptl_packets, "UDPTL (T.38 fax) packets of calls in their fax phase, not RTP")

enum {
#define RTP_COUNTER_ENUM(name, help) C_##name,
    RTP_COUNTERS(RTP_COUNTER_ENUM)
#undef RTP_COUNTER_ENUM
        C_COUNT
};

#define MAX_INFO_DTMF 4096

typedef struct rtp_mod {
    snb_core_t *core;
    const rtp_conf_t *conf;
    rtp_calls_t *calls;
    rtp_table_t *table;
    snb_filter_t *filter;
    rtp_diag_cfg_t diag_cfg;
    int sub;
    snb_event_type_t ev_sip, ev_rtcp, ev_stream;
    snb_output_t *out_streams, *out_report; /* claims on stdout */
    uint64_t now_us;                        /* capture clock: the newest packet or message */
    bool ended;
    rtp_info_dtmf_t info[MAX_INFO_DTMF];
    size_t n_info;
    uint64_t counters[C_COUNT];
    snb_media_service_t service;
    uint64_t udp_packets;
    uint64_t idle_walk_us; /* capture time of the last look for ended streams */
    snb_gonelog_t *gone;   /* evicted stream ids, for the cursors */
    struct snb_stream_cursor *cursors;
    const snb_dialogs_service_t *dialogs; /* the SIP module's, for the annotation */
    int annotation;
} rtp_mod_t;

/* A stream counts as active for the API while its last packet is this
 * recent in capture time. */
#define STREAM_ACTIVE_WINDOW_US 5000000u
/* An active stream whose only change is more packets is handed to a
 * cursor (the API feed) at most this often, wall clock: each re-send
 * renders the stream, and its dialog, again. */
#define STREAM_PROGRESS_MS 1000u
/* A stream silent this long (capture time) has ended: its final report is
 * published ("rtp.stream"). */
#define STREAM_IDLE_REPORT_US 10000000u
/* How often (capture time, at most) the streams are walked for ended ones:
 * a report is at most this much later than the silence that ends it. */
#define STREAM_IDLE_WALK_US 1000000u

/* rtp_out_annotation.c: register what the RTP module adds to dialogs. */
int rtp_annotation_register(rtp_mod_t *m);
/* The diagnosis of a call; false when the RTP module does not know it. */
bool rtp_diagnose(rtp_mod_t *m, const char *call_id, rtp_diag_result_t *out);

/* rtp_out_media.c: the "rtp.media" service table; a stream was evicted. */
void rtp_media_service_fill(rtp_mod_t *m);
void rtp_media_stream_gone(rtp_mod_t *m, uint64_t id);
void rtp_media_free(rtp_mod_t *m);

#endif
