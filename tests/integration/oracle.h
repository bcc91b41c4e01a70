/* Reading a capture's Wireshark oracle (NAME.tshark.txt). */
#ifndef SNB_ORACLE_H
#define SNB_ORACLE_H

#include <stdbool.h>

typedef struct oracle oracle_t;

oracle_t *oracle_load(const char *path);
/* Run Debian's tshark on a capture made by a test and read its io,phs. */
oracle_t *oracle_from_tshark(const char *capture);
void oracle_free(oracle_t *o);
/* capinfos "Number of packets". */
long oracle_packets(const oracle_t *o);
/* Frames that contain `proto` anywhere in their -z io,phs path (each frame
 * counted once, at the shallowest occurrence); 0 when absent. */
long oracle_phs_frames(const oracle_t *o, const char *proto);

/* The `-z sip,stat` section. Counts by response code and request method;
 * -1 for values the oracle does not state. */
typedef struct oracle_sip {
    long messages, resent;
    long setup_avg_ms, setup_min_ms, setup_max_ms;
    int n_codes;
    struct {
        int code;
        long count;
    } codes[64];
    int n_methods;
    struct {
        char *name; /* PROTOS captures have methods thousands of bytes long */
        long count;
    } methods[32];
    int n_call_ids; /* from the per Call-ID summary */
    char **call_ids;
} oracle_sip_t;

const oracle_sip_t *oracle_sip(const oracle_t *o);
long oracle_sip_code(const oracle_t *o, int code);
long oracle_sip_method(const oracle_t *o, const char *method);

/* One stream of the heuristic `-z rtp,streams` section (the one that finds
 * RTP with or without SDP, as sipnab does). */
typedef struct oracle_rtp_stream {
    char src[64], dst[64];
    unsigned sport, dport;
    unsigned long ssrc;
    char payload[64];
    long packets, lost;
    double max_delta_ms, mean_jitter_ms, max_jitter_ms;
    bool problems;
} oracle_rtp_stream_t;

const oracle_rtp_stream_t *oracle_rtp_streams(const oracle_t *o, int *n);

/* Compare `sipnab --stats --json` output with the oracle: frames and every
 * protocol Wireshark names; prints each mismatch, returns their number. */
#include <jansson.h>
int oracle_compare_stats(const oracle_t *o, json_t *stats, const char *label);

#endif
