/* Reading a capture's Wireshark oracle (tests/data/NAME.tshark.txt): the
 * output of capinfos and several tshark runs, one "## ..." section each.
 * The one reader for unit and integration tests (support/oracle.c). */
#ifndef SNB_ORACLE_H
#define SNB_ORACLE_H

#include <stdbool.h>
#include <stdio.h>

typedef struct oracle oracle_t;

/* NULL if the file cannot be opened. */
oracle_t *oracle_load(const char *path);
/* Read from a stream. bare_phs: it is the bare output of `tshark -q -z
 * io,phs` (no section headers, no capinfos): the packets are the sum of the
 * top-level frames, and a stream without a hierarchy row gives NULL. */
oracle_t *oracle_parse(FILE *f, bool bare_phs);
void oracle_free(oracle_t *o);
/* capinfos "Number of packets". */
long oracle_packets(const oracle_t *o);
/* Frames that contain `proto` anywhere in their -z io,phs path (each frame
 * counted once, at the shallowest occurrence); 0 when absent. */
long oracle_phs_frames(const oracle_t *o, const char *proto);

/* "SIP 200 OK : 3 Packets" and "INVITE : 2 Packets" lines. */
typedef struct oracle_sip_code {
    int code;
    long count;
} oracle_sip_code_t;
typedef struct oracle_sip_method {
    char *name; /* PROTOS captures have methods thousands of bytes long */
    long count;
} oracle_sip_method_t;

/* One `-z sip,stat` section with the per Call-ID summary and distinct
 * Call-ID count that follow it. -1 for values the oracle does not state. */
typedef struct oracle_sip {
    long messages, resent;
    long setup_avg_ms, setup_min_ms, setup_max_ms;
    int n_codes; /* in file order, as are the methods */
    oracle_sip_code_t *codes;
    int n_methods;
    oracle_sip_method_t *methods;
    int n_call_ids; /* from the per Call-ID summary */
    char **call_ids;
    long distinct_call_ids; /* "distinct SIP Call-IDs, corrected ..." */
} oracle_sip_t;

/* sip,stat sections in file order. hep3-* oracles have two: the capture as
 * it is (Wireshark has no HEP dissector), then its unwrapped HEP payloads. */
int oracle_sip_sections(const oracle_t *o);
/* The nth (0-based) section; NULL if there are fewer. */
const oracle_sip_t *oracle_sip_section(const oracle_t *o, int nth);
/* The last section (what sipnab must give, unwrapping HEP); all -1 and
 * empty if there is none. */
const oracle_sip_t *oracle_sip(const oracle_t *o);
/* Counts of the last section, summed over reason phrases; 0 when absent. */
long oracle_sip_code(const oracle_t *o, int code);
long oracle_sip_method(const oracle_t *o, const char *method);

/* One stream of the heuristic `-z rtp,streams` section (the one that finds
 * RTP with or without SDP, as sipnab does). Figures in ms as printed (3
 * decimals); a min jitter of -1 means Wireshark could not compute it. */
typedef struct oracle_rtp_stream {
    char src[64], dst[64];
    unsigned sport, dport;
    unsigned long ssrc;
    char payload[64]; /* as printed, tokens joined by a space: "g711A, CN" */
    long packets, lost;
    double min_delta_ms, mean_delta_ms, max_delta_ms;
    double min_jitter_ms, mean_jitter_ms, max_jitter_ms;
    bool problems; /* the "X" in "Problems?" */
    int section;   /* which heuristic rtp,streams section, 0-based */
} oracle_rtp_stream_t;

/* Heuristic rtp,streams sections; the oracles in tests/data have one each,
 * so 0 means the oracle does not say (not that there is no RTP). */
int oracle_rtp_sections(const oracle_t *o);
/* The streams of every heuristic section, in file order. */
const oracle_rtp_stream_t *oracle_rtp_streams(const oracle_t *o, int *n);

#endif
