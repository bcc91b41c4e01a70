/* Every capture of tests/data through decoder -> framer -> store, compared
 * with Wireshark 4.0's `-z sip,stat` in its .tshark.txt oracle: the number of
 * resent SIP messages and the average / min / max setup time. Where we
 * differ on purpose, the table below says why. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "decoder.h"
#include "oracle.h"
#include "sip_dialog.h"
#include "sip_framer.h"
#include "support.h"

typedef struct run {
    sip_store_t *store;
    sip_framer_t *framer;
    uint64_t messages;
} run_t;

/* Known, explained differences: the capture, then the field we do not
 * compare and why. */
static const struct {
    const char *capture;
    const char *why;
} skip_messages[] = {
    /* the keys file lets Wireshark decrypt TLS; sipnab does not decrypt */
    {"sip-tls-keylog", "TLS decrypted by Wireshark only"},
    {"sip-tls-dsb", "TLS decrypted by Wireshark only (pcapng DSB)"},
};

static const char *skip_reason(const char *base)
{
    for (size_t i = 0; i < sizeof skip_messages / sizeof skip_messages[0]; i++)
        if (strcmp(base, skip_messages[i].capture) == 0) return skip_messages[i].why;
    return NULL;
}

static void on_msg(void *ud, const snb_packet_t *pkt, sip_transport_t transport,
                   const sip_msg_t *msg)
{
    run_t *r = ud;
    sip_msg_meta_t meta = {
        .ts_us = pkt->ts_us,
        .src = pkt->src,
        .dst = pkt->dst,
        .sport = pkt->sport,
        .dport = pkt->dport,
        .transport = (uint8_t)transport,
    };
    r->messages++;
    sip_store_message(r->store, msg, &meta, NULL);
}

static void on_pkt(void *ud, const snb_packet_t *pkt)
{
    run_t *r = ud;
    sip_framer_packet(r->framer, pkt);
}

static bool replay(const char *capture, run_t *r)
{
    sip_store_limits_t sl = {.max_dialogs = 100000, .max_messages = 64, .max_sdp = 16};
    sip_framer_limits_t fl = {
        .max_streams = 4096, .max_message = 65536, .idle_timeout_us = 300000000ull};
    r->store = sip_store_new(&sl);
    r->framer = sip_framer_new(&fl, on_msg, r);
    snb_decode_limits_t dl = SNB_DECODE_LIMITS_DEFAULT;
    snb_decode_stats_t ds;
    memset(&ds, 0, sizeof ds);
    snb_decoder_t *dec = snb_decoder_new(&dl, &ds, on_pkt, r);
    snb_pcapr_t *rd = snb_pcapr_open(capture);
    if (!r->store || !r->framer || !dec || !rd) return false;
    snb_frame_t f;
    while (snb_pcapr_next(rd, &f) == 1)
        snb_decoder_feed(dec, &f);
    snb_decoder_flush(dec);
    sip_framer_flush(r->framer);
    snb_pcapr_close(rd);
    snb_decoder_free(dec);
    return true;
}

START_TEST(captures_match_wireshark_sip_stat)
{
    DIR *dir = opendir(SNB_TEST_DATA_DIR);
    ck_assert_ptr_nonnull(dir);
    struct dirent *e;
    int compared = 0, failures = 0;
    printf("%-40s %9s %9s %16s %16s\n", "capture", "msgs", "resent", "setup avg/min/max", "oracle");
    while ((e = readdir(dir))) {
        size_t n = strlen(e->d_name);
        const char *suffix = ".tshark.txt";
        if (n <= strlen(suffix) || strcmp(e->d_name + n - strlen(suffix), suffix) != 0) continue;
        char base[256], path[1024], cap[1024];
        snprintf(base, sizeof base, "%.*s", (int)(n - strlen(suffix)), e->d_name);
        snprintf(path, sizeof path, "%s/%s", SNB_TEST_DATA_DIR, e->d_name);
        snprintf(cap, sizeof cap, "%s/%s.pcap", SNB_TEST_DATA_DIR, base);
        FILE *probe = fopen(cap, "rb");
        if (!probe) {
            snprintf(cap, sizeof cap, "%s/%s.pcapng", SNB_TEST_DATA_DIR, base);
            probe = fopen(cap, "rb");
        }
        if (!probe) continue;
        fclose(probe);
        oracle_t *ora = oracle_load(path);
        /* The first section: Wireshark's view of the capture as it is.
         * (hep3-*'s appended unwrapped section is what the binary must give
         * with -E; see tests/integration/check_sip_oracles.c.) The framer,
         * like Wireshark, does not look inside HEP. */
        const oracle_sip_t *o = ora ? oracle_sip_section(ora, 0) : NULL;
        if (!o) {
            oracle_free(ora);
            continue;
        }
        run_t r;
        memset(&r, 0, sizeof r);
        ck_assert_msg(replay(cap, &r), "cannot replay %s", cap);
        uint32_t cnt, avg, mn, mx;
        sip_store_setup_stats(r.store, &cnt, &avg, &mn, &mx);
        uint64_t resent = sip_store_stats(r.store)->retransmits;
        const char *why = skip_reason(base);
        /* one dialog per distinct Call-ID (unless the framer saw fewer messages) */
        if (!why && o->distinct_call_ids >= 0 && (long)r.messages == o->messages)
            ck_assert_msg((long)sip_store_count(r.store) == o->distinct_call_ids,
                          "%s: %u dialogs, %ld Call-IDs", base, sip_store_count(r.store),
                          o->distinct_call_ids);
        /* message counts are the framer's business: printed, not asserted */
        printf("%-40s %4llu/%-4ld %4llu/%-4ld %5u/%5u/%5u %5ld/%5ld/%5ld%s%s%s\n", base,
               (unsigned long long)r.messages, o->messages, (unsigned long long)resent, o->resent,
               avg, mn, mx, o->setup_avg_ms, o->setup_min_ms, o->setup_max_ms,
               why ? "  (msgs: " : "", why ? why : "", why ? ")" : "");
        bool ok = (long)resent == o->resent && (long)avg == o->setup_avg_ms &&
                  (long)mn == o->setup_min_ms && (long)mx == o->setup_max_ms;
        if (!ok) {
            failures++;
            fprintf(stderr,
                    "MISMATCH %s: resent %llu (oracle %ld), setup %u/%u/%u (oracle %ld/%ld/%ld)\n",
                    base, (unsigned long long)resent, o->resent, avg, mn, mx, o->setup_avg_ms,
                    o->setup_min_ms, o->setup_max_ms);
        }
        compared++;
        sip_framer_free(r.framer);
        sip_store_free(r.store);
        oracle_free(ora);
    }
    closedir(dir);
    ck_assert_int_ge(compared, 30);
    ck_assert_int_eq(failures, 0);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("sip_oracle_timing");
    TCase *tc = tcase_create("oracle");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, captures_match_wireshark_sip_stat);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return snb_check_run(suite());
}
