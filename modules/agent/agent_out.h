/* The agent module's glue, shared by agent.c (the loop side: bus, sessions,
 * timers, metrics), agent_out_post.c (the libcurl worker thread: register,
 * ingest), agent_out_listen.c (the libmicrohttpd command listener thread)
 * and agent_out_tail.c (log tailers on the loop). Threads meet only at
 * the queue (mutex), the session-id snapshot (mutex), atomic counters and
 * two snb_handoff rings into the loop. */
#ifndef AGENT_OUT_H
#define AGENT_OUT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "agent_follow.h"
#include "agent_queue.h"
#include "agent_session.h"
#include "agent_tail.h"
#include "sipnab/core.h"
#include "sipnab/event.h"
#include "sipnab/media.h"
#include "sipnab/options.h"

typedef struct agent_conf {
    const char *center; /* base URL of sipnab-center */
    const char *name;
    const char *tags;
    const char *listen;
    const char *url; /* what the center calls us at; default from listen */
    const char *collector_token;
    const char *command_token;
    const char *tls_cert, *tls_key;
    const char *center_ca;
    const char *port_file;
    const char *state_file;
    snb_strlist_t log_files;
    snb_strlist_t tenant_headers;
    int64_t buffer_events;
    uint64_t buffer_bytes;
    int64_t batch_size;
    uint64_t rtp_sample_interval; /* ms */
    uint64_t register_interval;   /* ms */
    uint64_t flush_timeout;       /* ms */
    uint64_t call_idle;           /* ms */
    int64_t max_sessions;
    int64_t max_calls;
} agent_conf_t;

/* Counters, written from several threads. */
enum agent_counter {
    C_EVENTS_QUEUED,
    C_EVENTS_SENT,
    C_EVENTS_DROPPED_QUEUE,   /* the bounded queue was full */
    C_EVENTS_DROPPED_REFUSED, /* the center answered 4xx to their batch */
    C_EVENTS_DROPPED_STOP,    /* still queued when the flush at shutdown gave up */
    C_EVENTS_REJECTED,        /* counted "rejected" by the center */
    C_BATCHES_SENT,
    C_BATCHES_RETRIED,
    C_COMMANDS_ACCEPTED,
    C_COMMANDS_REFUSED,
    C_COMMANDS_UNAUTHORIZED,
    C_REGISTER_OK,
    C_REGISTER_FAILED,
    C_LOG_LINES_READ,
    C_LOG_LINES_MATCHED,
    C_LOG_ROTATIONS,
    C_SIP_MATCHED,
    C_RTP_SAMPLES,
    C_RTP_PACKETS,
    C_CALLS_REFUSED,
    C_COUNT
};

typedef struct agent_tailer agent_tailer_t;

typedef struct agent {
    snb_core_t *core;
    const agent_conf_t *conf;
    char url[512]; /* advertised command URL */
    _Atomic uint64_t counters[C_COUNT];

    /* loop thread */
    agent_sessions_t sessions;
    agent_follow_t follow;
    snb_event_type_t ev_message, ev_stream;
    int subscription;
    const snb_media_service_t *media;
    uv_timer_t tick;
    bool tick_started;
    uint64_t next_sample_ms;
    uint64_t used_mask;                  /* the running sessions' slots */
    uint64_t put_ms[AGENT_SESSIONS_MAX]; /* when a command last started or updated each */
    bool any_pcap, any_rtp;              /* some running session captures packets / RTP */
    bool holding;                        /* file sources wait for the first registration answer */
    /* the frame of the last SIP-looking packet, for capture_pcap */
    uint8_t *frame;
    size_t frame_len, frame_cap;
    uint32_t frame_orig_len;
    int frame_linktype;
    uint64_t frame_ts;
    snb_addr_t frame_src, frame_dst;
    uint16_t frame_sport, frame_dport;
    json_t *seq_state; /* state_file as read at start */
    uint64_t seq_state_sum;
    bool state_error_logged;
    agent_tailer_t *tailers;
    size_t n_tailers;

    /* the queue and the worker */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    agent_queue_t queue;
    bool stopping, worker_running;
    pthread_t worker;
    snb_handoff_t *from_worker;

    /* the command listener */
    struct MHD_Daemon *mhd;
    snb_handoff_t *from_listener;
    uint16_t listen_port;
    char *tls_cert_pem, *tls_key_pem;
    pthread_mutex_t ids_mu;
    char ids[AGENT_SESSIONS_MAX][AGENT_SESSION_ID_LEN + 1];
    size_t n_ids;
} agent_t;

static inline void agent_count(agent_t *a, int c, uint64_t n)
{
    atomic_fetch_add_explicit(&a->counters[c], n, memory_order_relaxed);
}

/* agent.c: queue one serialized event (loop thread). */
void agent_enqueue(agent_t *a, const char *json, size_t len);
/* agent.c: the sessions and calls a log line belongs to get a log event. */
void agent_log_line(agent_t *a, const char *file, const char *line, size_t len);
/* agent.c: publish the running session ids for GET /agent/v1/sessions. */
void agent_publish_ids(agent_t *a);

/* agent_out_post.c */
int agent_worker_start(agent_t *a);
void agent_worker_stop(agent_t *a); /* flushes for up to flush_timeout, joins */
void agent_worker_wake(agent_t *a);
/* The registration answer's "sessions" reach the loop as records of this
 * header (op AGENT_OP_SYNC, data the JSON array). */

/* agent_out_listen.c */
int agent_listener_start(agent_t *a);
void agent_listener_stop(agent_t *a);

enum {
    AGENT_OP_PUT = 1,
    AGENT_OP_DELETE = 2,
    AGENT_OP_SYNC = 3,            /* a registration answer's sessions */
    AGENT_OP_REGISTER_FAILED = 4, /* the first registration failed: read files anyway */
};
typedef struct agent_op {
    int op;
    char id[AGENT_SESSION_ID_LEN + 1];
    uint64_t asked_ms; /* SYNC: when the registration was sent (agent_mono_ms) */
} agent_op_t;

/* CLOCK_MONOTONIC in ms, the same on every thread. */
uint64_t agent_mono_ms(void);
/* agent.c: a record from either hand-off (loop thread). */
void agent_apply_op(void *ud, const void *hdr, size_t hdr_len, const uint8_t *data, size_t len);

/* agent_out_tail.c */
int agent_tailers_start(agent_t *a);
void agent_tailers_poll(agent_t *a);
void agent_tailers_stop(agent_t *a);

#endif
