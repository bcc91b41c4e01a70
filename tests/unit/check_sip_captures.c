/* Replay every capture in tests/data through the decoder and the SIP framer
 * and compare the messages per request method and per response code with
 * Wireshark 4.0's `tshark -q -z sip,stat` (the "## tshark -q -z sip,stat"
 * section of NAME.tshark.txt, read with oracle.h).
 *
 * Wireshark dissects SIP on its default ports and by heuristics; sipnab
 * finds SIP by content on any port. Where our count differs by design, the
 * table `differences` below states our own expected numbers and why. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "decoder.h"
#include "oracle.h"
#include "sip_framer.h"
#include "support.h"

#define MAX_KEYS 64

typedef struct counts {
    unsigned total;
    unsigned n;
    char key[MAX_KEYS][48]; /* "INVITE" or "200"; long names cut */
    unsigned val[MAX_KEYS];
} counts_t;

static void count_add(counts_t *c, const char *long_key, unsigned v)
{
    char key[sizeof c->key[0]];
    snprintf(key, sizeof key, "%s", long_key); /* compare as stored */
    for (unsigned i = 0; i < c->n; i++)
        if (strcmp(c->key[i], key) == 0) {
            c->val[i] += v;
            return;
        }
    ck_assert_uint_lt(c->n, MAX_KEYS);
    snprintf(c->key[c->n], sizeof c->key[0], "%s", key);
    c->val[c->n++] = v;
}

static unsigned count_get(const counts_t *c, const char *key)
{
    for (unsigned i = 0; i < c->n; i++)
        if (strcmp(c->key[i], key) == 0) return c->val[i];
    return 0;
}

/* ---- oracle -------------------------------------------------------------- */

/* The nth (0-based) sip,stat section: hep3-sngrep-aaa.tshark.txt has the
 * raw capture's first and the HEP-unwrapped traffic's second. Keys as ours:
 * "200" or the method name, cut to fit. */
static bool oracle_counts(const char *path, unsigned nth, counts_t *c)
{
    memset(c, 0, sizeof *c);
    oracle_t *o = oracle_load(path);
    const oracle_sip_t *s = o ? oracle_sip_section(o, (int)nth) : NULL;
    bool any = s && s->messages >= 0;
    if (any) {
        c->total = (unsigned)s->messages;
        for (int i = 0; i < s->n_codes; i++) {
            char code[16];
            snprintf(code, sizeof code, "%03d", s->codes[i].code);
            count_add(c, code, (unsigned)s->codes[i].count);
        }
        for (int i = 0; i < s->n_methods; i++)
            count_add(c, s->methods[i].name, (unsigned)s->methods[i].count);
    }
    oracle_free(o);
    return any;
}

/* ---- replay -------------------------------------------------------------- */

typedef struct replay {
    sip_framer_t *fr;
    counts_t got;
    unsigned by_transport[4]; /* sip_transport_t */
} replay_t;

static void on_msg(void *ud, const snb_packet_t *pkt, sip_transport_t t, const sip_msg_t *m)
{
    replay_t *r = ud;
    char key[48];
    if (m->is_request)
        snb_str_copy(m->method_name, key, sizeof key);
    else
        snprintf(key, sizeof key, "%03u", m->status_code);
    count_add(&r->got, key, 1);
    r->got.total++;
    ck_assert_int_lt(t, 4);
    r->by_transport[t]++;
}

static void on_pkt(void *ud, const snb_packet_t *p)
{
    replay_t *r = ud;
    sip_framer_packet(r->fr, p);
}

static void replay(const char *path, replay_t *r, sip_framer_stats_t *st)
{
    memset(r, 0, sizeof *r);
    r->fr = sip_framer_new(NULL, on_msg, r);
    ck_assert_ptr_nonnull(r->fr);
    snb_decode_limits_t lim = SNB_DECODE_LIMITS_DEFAULT;
    snb_decode_stats_t dst;
    memset(&dst, 0, sizeof dst);
    snb_decoder_t *dec = snb_decoder_new(&lim, &dst, on_pkt, r);
    ck_assert_ptr_nonnull(dec);
    snb_pcapr_t *pr = snb_pcapr_open(path);
    ck_assert_msg(pr != NULL, "open %s", path);
    snb_frame_t fr;
    int rc;
    while ((rc = snb_pcapr_next(pr, &fr)) == 1)
        snb_decoder_feed(dec, &fr);
    ck_assert_int_eq(rc, 0);
    snb_decoder_flush(dec);
    sip_framer_flush(r->fr);
    *st = *sip_framer_stats(r->fr);
    snb_pcapr_close(pr);
    snb_decoder_free(dec);
    sip_framer_free(r->fr);
}

/* ---- expected differences ------------------------------------------------- */

typedef struct diff {
    const char *capture;
    unsigned section;   /* sip,stat section of the oracle to compare with */
    unsigned total;     /* our message count */
    const char *counts; /* our per-key counts where they differ: "KEY=N,KEY=N" */
    const char *why;
} diff_t;

static const diff_t differences[] = {
    {"sip-tls-dsb.pcapng", 0, 0, "INVITE=0,ACK=0,REGISTER=0,BYE=0,200=0,180=0,100=0,401=0",
     "SIP over TLS: Wireshark decrypts with the embedded keys; the framer alone sees "
     "ciphertext (the tls module decrypts it: it_check_sip_oracles)"},
    {"sip-tls-keylog.pcap", 0, 0, "INVITE=0,ACK=0,REGISTER=0,BYE=0,200=0,180=0,100=0,401=0",
     "SIP over TLS: the oracle was made with the key log; the framer alone sees ciphertext "
     "(the tls module decrypts it: it_check_sip_oracles)"},
    {NULL, 0, 0, NULL, NULL},
};

/* Apply "KEY=N,..." overrides to an oracle's counts. */
static void apply_overrides(counts_t *o, const char *spec)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", spec);
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        char *eq = strchr(tok, '=');
        ck_assert_ptr_nonnull(eq);
        *eq = 0;
        unsigned v = (unsigned)atoi(eq + 1);
        bool set = false;
        for (unsigned i = 0; i < o->n; i++)
            if (strcmp(o->key[i], tok) == 0) {
                o->total = o->total - o->val[i] + v;
                o->val[i] = v;
                set = true;
            }
        ck_assert_msg(set, "override of %s not in the oracle", tok);
    }
}

static const diff_t *find_diff(const char *name)
{
    for (size_t i = 0; differences[i].capture; i++)
        if (strcmp(differences[i].capture, name) == 0) return &differences[i];
    return NULL;
}

static bool has_suffix(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && strcmp(s + a - b, suf) == 0;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(a, b);
}

START_TEST(test_captures)
{
    DIR *dir = opendir(SNB_TEST_DATA_DIR);
    ck_assert_ptr_nonnull(dir);
    struct dirent *de;
    char names[128][256];
    size_t nn = 0;
    while ((de = readdir(dir)) && nn < 128) {
        if (!has_suffix(de->d_name, ".pcap") && !has_suffix(de->d_name, ".pcapng")) continue;
        snprintf(names[nn++], sizeof names[0], "%s", de->d_name);
    }
    closedir(dir);
    ck_assert_uint_gt(nn, 30);
    qsort(names, nn, sizeof names[0], cmp_name);
    unsigned mismatches = 0, checked = 0;
    for (size_t i = 0; i < nn; i++) {
        char path[1024], opath[1024], base[256];
        memcpy(base, names[i], sizeof base);
        snprintf(path, sizeof path, "%s/%s", SNB_TEST_DATA_DIR, base);
        *strrchr(base, '.') = 0;
        snprintf(opath, sizeof opath, "%s/%s.tshark.txt", SNB_TEST_DATA_DIR, base);
        const diff_t *d = find_diff(names[i]);
        counts_t oracle;
        ck_assert_msg(oracle_counts(opath, d ? d->section : 0, &oracle), "oracle %s", opath);
        unsigned ws_total = oracle.total;
        if (d) apply_overrides(&oracle, d->counts);
        replay_t r;
        sip_framer_stats_t st;
        replay(path, &r, &st);
        printf("%-40s ours %5u  wireshark %5u  malformed %3llu skipped %6llu trunc %llu%s\n",
               names[i], r.got.total, ws_total, (unsigned long long)st.malformed,
               (unsigned long long)st.skipped_bytes, (unsigned long long)st.truncated,
               d ? "  (documented difference)" : "");
        if (getenv("SNB_VERBOSE"))
            for (unsigned k = 0; k < r.got.n; k++)
                printf("    %s ours %u wireshark %u\n", r.got.key[k], r.got.val[k],
                       count_get(&oracle, r.got.key[k]));
        if (d) {
            ck_assert_msg(r.got.total == d->total, "%s: total %u, documented %u", names[i],
                          r.got.total, d->total);
            ck_assert_uint_eq(oracle.total, d->total);
        }
        if (r.got.total != oracle.total) {
            mismatches++;
            continue;
        }
        for (unsigned k = 0; k < oracle.n; k++)
            ck_assert_msg(count_get(&r.got, oracle.key[k]) == oracle.val[k], "%s: %s ours %u ws %u",
                          names[i], oracle.key[k], count_get(&r.got, oracle.key[k]), oracle.val[k]);
        for (unsigned k = 0; k < r.got.n; k++)
            ck_assert_msg(count_get(&oracle, r.got.key[k]) == r.got.val[k], "%s: extra %s %u",
                          names[i], r.got.key[k], r.got.val[k]);
        checked++;
        /* transports as Wireshark shows them (tshark -Y sip -e websocket.opcode ...) */
        if (strcmp(names[i], "heplify-sip-sctp-sll.pcap") == 0) {
            /* The INVITE is split over two DATA chunks (B, then E) and joined. */
            ck_assert_uint_eq(st.sctp_fragments, 2);
            ck_assert_uint_eq(r.by_transport[SIP_TRANSPORT_SCTP], 4);
        }
        if (strcmp(names[i], "heplify-sip-websocket.pcap") == 0) {
            ck_assert_uint_eq(st.ws_frames, 11);
            ck_assert_uint_eq(r.by_transport[SIP_TRANSPORT_WS], 11);
            ck_assert_uint_eq(r.by_transport[SIP_TRANSPORT_UDP], 28);
        }
        if (strcmp(names[i], "ws-sip-over-tcp.pcap") == 0)
            ck_assert_uint_eq(r.by_transport[SIP_TRANSPORT_TCP], 7);
        if (strcmp(names[i], "heplify-sip-tcp-retrans-sll.pcap") == 0)
            ck_assert_uint_eq(r.by_transport[SIP_TRANSPORT_TCP], 4); /* + 4 UDP */
    }
    ck_assert_uint_eq(checked, nn);
    ck_assert_uint_eq(mismatches, 0);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("sip_captures");
    TCase *tc = tcase_create("captures");
    tcase_set_timeout(tc, 240);
    tcase_add_test(tc, test_captures);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    return snb_check_run(suite());
}
