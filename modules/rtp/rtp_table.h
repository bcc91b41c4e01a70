/* The RTP stream table: every UDP packet goes through rtp_table_packet(),
 * which finds (or creates) its stream and updates the stream's statistics.
 *
 * A stream is one SSRC on one 5-tuple (src, sport, dst, dport): a new SSRC
 * on the same 5-tuple is a new stream. A packet belongs to a call when its
 * destination, else its source, (addr, port) was announced in an SDP seen by
 * rtp_calls; otherwise the heuristic must accept it: `heur_packets`
 * consecutive RTP v2 packets of one SSRC on one 5-tuple, with sequence numbers
 * advancing by 1..RTP_HEUR_MAX_SEQ_GAP, timestamps not going back and a
 * plausible payload type. Held-back packets are counted when the stream is
 * created. RTCP (same port or port + 1) is matched to streams by SSRC.
 *
 * Capture time only: a stream with no call becomes orphaned when
 * orphan_timeout_us of capture time has passed since its first packet, so an
 * SDP seen slightly after the media still claims it, and a file and a live
 * capture give the same answer. Bounded: max_streams (the least recently
 * active stream is evicted), max_pending heuristic candidates,
 * RTP_DTMF_MAX_DIGITS digits per stream (rtp_dtmf tracker). The hot path (a packet of a known
 * stream) is one hash lookup and rtp_stream_update(), no allocation. */
#ifndef SNB_RTP_TABLE_H
#define SNB_RTP_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rtp_calls.h"
#include "rtp_dtmf.h"
#include "rtp_packet.h"
#include "rtp_stream.h"
#include "sipnab/packet.h"

#define RTP_HEUR_MAX 8          /* upper bound of heur_packets */
#define RTP_HEUR_MAX_SEQ_GAP 50 /* sequence step accepted between candidate packets */
#define RTP_STREAM_SR_RING 4    /* sender reports remembered for round-trip times */

typedef struct rtp_stream rtp_stream_t;
typedef struct rtp_table rtp_table_t;

typedef struct rtp_table_cfg {
    uint32_t max_streams;        /* streams at once (default 4096) */
    uint32_t max_pending;        /* heuristic candidates at once (default 1024) */
    uint32_t heur_packets;       /* packets that confirm a stream, 2..RTP_HEUR_MAX (default 2) */
    bool heuristic;              /* find streams without SDP (default true) */
    int16_t default_te_pt;       /* telephone-event PT when no SDP says (101; -1 none) */
    uint64_t pending_timeout_us; /* a candidate waits this long for its next packet (2 s) */
    uint64_t orphan_timeout_us;  /* no SDP this long after the first packet: orphan (10 s) */
    uint64_t interval_us;        /* quality interval given to rtp_stream_init (5 s) */
    /* Called just before a stream is evicted or the table freed (may be NULL). */
    void (*on_stream_end)(void *ud, const rtp_stream_t *s, bool evicted);
    void *ud;
    snb_hash_key_t hash_key; /* 5-tuples and SSRCs come from packets (sipnab/hash.h) */
} rtp_table_cfg_t;

#define RTP_TABLE_CFG_DEFAULT                                                                      \
    {                                                                                              \
        .max_streams = 4096, .max_pending = 1024, .heur_packets = 2, .heuristic = true,            \
        .default_te_pt = 101, .pending_timeout_us = 2000000, .orphan_timeout_us = 10000000,        \
        .interval_us = 5000000,                                                                    \
    }

/* What RTCP said about this stream (its SSRC as a report-block source). */
typedef struct rtp_stream_rtcp {
    uint64_t sr_packets;   /* sender reports from this stream's SSRC */
    uint64_t rr_blocks;    /* report blocks about this SSRC */
    uint64_t last_us;      /* last report block about it */
    uint8_t fraction_lost; /* /256, latest block */
    int32_t cumulative_lost;
    double jitter_ms; /* latest block's jitter (ms; -1 unknown clock) */
    double rtt_ms;    /* latest LSR/DLSR round trip; -1 unknown */
    bool has_xr;
    rtcp_xr_voip_t xr; /* latest XR VoIP metrics block about this SSRC */
    struct {
        uint32_t ntp_mid; /* middle 32 bits of the SR's NTP time (LSR) */
        uint64_t at_us;   /* capture time it was seen */
    } sr[RTP_STREAM_SR_RING];
    uint32_t n_sr;
    uint32_t xr_blocks; /* XR VoIP metrics blocks about this SSRC (in the padding) */
} rtp_stream_rtcp_t;

/* How the stream found its call. */
enum rtp_assoc { RTP_ASSOC_NONE = 0, RTP_ASSOC_DST = 1, RTP_ASSOC_SRC = 2 };

/* Field order follows the per-packet path (rtp_table_packet): the lookup's
 * key and chain link share the first cache line, the counters every packet
 * moves the next two, then the statistics; the rest is read when a stream
 * is created, claimed, reported or ended. */
struct rtp_stream {
    uint64_t id; /* 1, 2, ... in creation order: unique where SSRCs may repeat */
    snb_addr_t src, dst;
    uint16_t sport, dport;
    uint16_t sdp_port; /* of sdp_addr (here, in a hole) */
    uint32_t ssrc;
    uint32_t touch_scan;        /* private: rtp_table_changes' scan count at the last
                                   change without a packet (in a hole: no size) */
    struct rtp_stream *hnext;   /* private: the 5-tuple+SSRC hash chain */
    uint64_t first_us, last_us; /* any packet, held-back ones included */
    /* media accounting: comfort noise and telephone-events are not audio */
    uint64_t audio_packets, cn_packets, dtmf_packets;
    uint64_t first_audio_us, last_audio_us;
    uint32_t clock_rate; /* of the codec; 0 unknown */
    int16_t te_pt;       /* telephone-event PT (SDP, else default_te_pt) */
    /* ---- private to rtp_table.c, moved by every audio packet ---- */
    uint16_t last_seq; /* of the last audio packet */
    uint32_t last_ts;
    uint8_t last_pt;
    bool have_last;
    bool touched;   /* private: on the touched list (in a hole, as unclaimed) */
    bool unclaimed; /* private: on the unclaimed list (no call yet, not orphaned) */
    uint32_t step_val[4], step_cnt[4]; /* timestamp steps between audio packets */
    uint64_t lru_us;                   /* capture clock at the last move to the LRU tail */
    rtp_stream_stats_t stats;          /* rtp_stream_init/update: packets, lost, jitter, ... */
    char codec[16]; /* of the first packet: SDP rtpmap, else static table, else "" */
    bool heuristic; /* created by the heuristic, not by an SDP */
    bool orphaned;  /* no SDP claimed it within orphan_timeout_us */
    /* call association: call_id "" when none */
    char call_id[RTP_CALL_ID_MAX];
    uint32_t fed_state; /* private: rtp_table_changes' state signature at the last version */
    uint64_t call_hash;
    uint8_t assoc;         /* enum rtp_assoc */
    uint8_t from_side;     /* enum rtp_side of the sender; RTP_SIDE_NONE if unknown */
    snb_addr_t sdp_addr;   /* the announced endpoint it matched (dst or src) */
    uint32_t fed_ms;       /* private: rtp_table_changes' clock at the last version */
    uint64_t rtcp_packets; /* RTCP packets sent by this SSRC */
    rtp_stream_rtcp_t rtcp;
    /* Digit tracker, allocated on the first telephone-event (most streams
     * never carry one); rtp_dtmf_count/digit; flushed when the stream ends. */
    rtp_dtmf_tracker_t *dtmf;
    /* ---- private to rtp_table.c ---- */
    struct rtp_stream *snext; /* SSRC hash */
    struct rtp_stream *cnext; /* Call-ID hash, in stream id order */
    struct rtp_stream *all_prev, *all_next, *lru_prev, *lru_next, *un_prev, *un_next;
    struct rtp_stream *touch_prev, *touch_next; /* changed without a packet, by touch_scan */
    uint64_t fed_sig;          /* rtp_table_changes: signature at the last version */
    uint64_t version;          /* rtp_table_changes: when the signature last moved */
    uint64_t reported_packets; /* packets when last published as ended (rtp.c) */
};

typedef struct rtp_table_stats {
    uint64_t rtp_packets; /* counted in a stream (held-back ones included) */
    uint64_t rtcp_packets;
    uint64_t non_rtp;           /* UDP packets that were neither */
    uint64_t streams;           /* created */
    uint64_t streams_sdp;       /* ... created for an SDP endpoint */
    uint64_t streams_heuristic; /* ... created by the heuristic */
    uint64_t claimed_late;      /* heuristic streams an SDP claimed afterwards */
    uint64_t orphaned;
    uint64_t evicted;         /* streams dropped to make room */
    uint64_t pending_dropped; /* held-back packets never confirmed (expired, evicted, reset) */
    uint64_t pending_evicted; /* candidates dropped to make room */
    uint64_t rtt_samples;
    uint64_t change_visits; /* streams rtp_table_changes looked at, all scans */
} rtp_table_stats_t;

enum rtp_table_result {
    RTP_TABLE_NONE = 0,    /* not RTP/RTCP (or heuristic off and no SDP) */
    RTP_TABLE_RTP = 1,     /* counted in a stream (*stream set) */
    RTP_TABLE_RTCP = 2,    /* RTCP, applied to the streams it describes */
    RTP_TABLE_PENDING = 3, /* held back by the heuristic */
};

/* calls may be NULL (heuristic only); it is borrowed and must outlive t.
 * NULL on allocation failure. cfg NULL = defaults. */
rtp_table_t *rtp_table_new(const rtp_table_cfg_t *cfg, rtp_calls_t *calls);
void rtp_table_free(rtp_table_t *t);

/* One decoded packet (UDP only; others are ignored). Advances the table's
 * clock to pkt->ts_us. *stream (if not NULL) gets the stream on RTP. */
int rtp_table_packet(rtp_table_t *t, const snb_packet_t *pkt, const rtp_stream_t **stream);

/* Call after rtp_calls_sip() reported new endpoints: streams still without
 * a call that match one are attached to it. Returns how many. */
unsigned rtp_table_sdp(rtp_table_t *t);

/* Capture time has reached now_us: orphan streams nobody claimed within
 * orphan_timeout_us, drop heuristic candidates older than pending_timeout_us.
 * rtp_table_packet() does this too; call it when time passes without packets
 * (end of capture: UINT64_MAX). */
void rtp_table_advance(rtp_table_t *t, uint64_t now_us);

/* All streams of an SSRC (any 5-tuple), up to max; returns the total. */
size_t rtp_table_by_ssrc(const rtp_table_t *t, uint32_t ssrc, const rtp_stream_t **out, size_t max);
/* A stream by 5-tuple and SSRC, or NULL. */
const rtp_stream_t *rtp_table_find(const rtp_table_t *t, const snb_addr_t *src, uint16_t sport,
                                   const snb_addr_t *dst, uint16_t dport, uint32_t ssrc);
/* Creation order: first, then next(s); NULL at the end. */
const rtp_stream_t *rtp_table_first(const rtp_table_t *t);
const rtp_stream_t *rtp_table_next(const rtp_stream_t *s);
/* Streams of a Call-ID in creation order: prev NULL for the first. */
const rtp_stream_t *rtp_table_call_next(const rtp_table_t *t, const char *call_id,
                                        const rtp_stream_t *prev);
/* Active: a packet within window_us of the table's capture clock, and the
 * capture not ended (what the change feed and the stream service say). */
bool rtp_table_stream_active(const rtp_table_t *t, const rtp_stream_t *s, uint64_t window_us,
                             bool ended);
/* Changes, for any number of consumers each keeping its own cursor (start
 * zeroed; zeroed again, it gets every stream once more): calls fn, in stream
 * id order, for every stream that changed since that consumer last looked
 * (packets, RTCP, call association, orphaning, or whether it is active: a
 * packet within active_window_us of the capture clock and the capture not
 * ended), then moves the cursor on. More packets alone, on a stream still
 * active, count as a change at most every progress_ms of the caller's clock
 * (now_ms, wrapping): a live stream's counters are not re-sent every scan,
 * while anything else (a new stream, RTCP, a call, orphaning, going quiet,
 * the end) counts at once. No hot-path cost, and not a walk over the whole
 * table: packets move a stream to the LRU tail (at most every 250 ms) and
 * the other changes to the tail of a list of their own, so a scan walks
 * back from both tails over the streams moved since the cursor's last scan
 * (less the active window, for streams that went quiet). */
typedef struct rtp_table_cursor {
    uint64_t seen;    /* the newest stream version handed over */
    uint64_t scan_us; /* the capture clock at the last scan */
    uint32_t scans;   /* the table's scan count after it */
} rtp_table_cursor_t;
typedef struct rtp_feed_rule {
    uint64_t active_window_us;
    bool ended;           /* the capture ended: no stream is active */
    uint32_t now_ms;      /* the caller's clock (live: wall time), for progress_ms */
    uint32_t progress_ms; /* 0: every scan */
} rtp_feed_rule_t;
typedef void (*rtp_stream_feed_fn)(void *ud, const rtp_stream_t *s, bool active);
size_t rtp_table_changes(rtp_table_t *t, rtp_table_cursor_t *c, const rtp_feed_rule_t *rule,
                         rtp_stream_feed_fn fn, void *ud);
size_t rtp_table_count(const rtp_table_t *t);

/* Packetization measured from RTP timestamps (most frequent step between
 * consecutive audio packets), ms; 0 if unknown. */
uint32_t rtp_stream_ptime_ms(const rtp_stream_t *s);
/* rtp_mos() with the stream's codec, loss, mean jitter and RTCP round trip. */
double rtp_stream_mos(const rtp_stream_t *s);

const rtp_table_stats_t *rtp_table_stats(const rtp_table_t *t);

#endif
