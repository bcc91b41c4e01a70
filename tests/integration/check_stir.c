/* STIR/SHAKEN through the real binary: every call of the labelled corpus
 * (tests/data/stir, a copy of shared/stir) gives truth.jsonl's result,
 * reason and claims; filters, the call report, diagnosis hints and the
 * counters carry the verdicts. A capture made here, with PASSporTs signed
 * with the corpus's test keys, adds cases the corpus lacks (bad_typ,
 * bad_ppt, cert_unavailable, a hostile Identity, too many Identity
 * headers) next to a valid call, so every assertion can fail both ways. */
#include <check.h>
#include <openssl/pem.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_run.h"
#include "run_util.h"
#include "stir_b64url.h"
#include "stir_es256.h"
#include "support.h"

#define MODULES SNB_BUILD_DIR "/modules"
#define STIR SNB_TEST_DATA_DIR "/stir"

static run_result_t sipnab(const char *capture, char *const extra[])
{
    char *argv[40] = {(char *)sipnab_bin(),
                      "-c",
                      "/dev/null",
                      "--module-path",
                      MODULES,
                      "-N",
                      "-I",
                      (char *)capture,
                      "--stir-shaken",
                      "--stir-trust",
                      STIR "/pki/trust",
                      "--stir-cert-map",
                      STIR "/pki/x5u-map.tsv"};
    int n = 13;
    for (int i = 0; extra[i] && n < 39; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;
    return run_cmd(argv, 120);
}

/* Call-ID -> stir_shaken object, from --dialogs-json lines. */
static json_t *dialogs_by_call_id(char *out)
{
    json_t *by = json_object();
    for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
        json_t *d = json_loads(line, 0, NULL);
        ck_assert_msg(d != NULL, "not JSON: %.80s", line);
        json_object_set(by, json_string_value(json_object_get(d, "call_id")), d);
        json_decref(d);
    }
    return by;
}

static int same(json_t *want, json_t *got, const char *call, const char *field)
{
    if (json_equal(want, got) || (json_is_null(want) && !got)) return 0;
    char *w = json_dumps(want, JSON_ENCODE_ANY), *g = json_dumps(got, JSON_ENCODE_ANY);
    fprintf(stderr, "%s: %s: expected %s, got %s\n", call, field, w, g ? g : "(absent)");
    free(w);
    free(g);
    return 1;
}

START_TEST(corpus_equals_truth)
{
    run_result_t r = sipnab(STIR "/stir-calls.pcap", (char *[]){"--dialogs-json", NULL});
    ck_assert_msg(r.status == 0, "%s", r.err);
    json_t *got = dialogs_by_call_id(r.out);
    char *truth = read_file(STIR "/truth.jsonl");
    ck_assert_ptr_nonnull(truth);
    static const char *const fields[] = {"result",
                                         "reason",
                                         "underlying_reason",
                                         "attest",
                                         "orig_tn",
                                         "dest_tn",
                                         "iat",
                                         "origid",
                                         "x5u",
                                         "info",
                                         "spc",
                                         "ppt",
                                         "form",
                                         "verstat_claimed",
                                         "identity_count"};
    static const char *const id_fields[] = {
        "form",    "ppt",     "alg_param", "alg",    "typ", "x5u",    "info",   "attest",
        "orig_tn", "dest_tn", "iat",       "origid", "spc", "result", "reason", "div_tn"};
    int calls = 0, mismatches = 0;
    for (char *line = strtok(truth, "\n"); line; line = strtok(NULL, "\n")) {
        json_t *t = json_loads(line, 0, NULL);
        ck_assert_ptr_nonnull(t);
        const char *call = json_string_value(json_object_get(t, "call_id"));
        json_t *s = json_object_get(json_object_get(got, call), "stir_shaken");
        ck_assert_msg(json_is_object(s), "%s: no stir_shaken", call);
        int before = mismatches;
        for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
            mismatches +=
                same(json_object_get(t, fields[i]), json_object_get(s, fields[i]), call, fields[i]);
        json_t *age = json_object_get(t, "iat_age_s");
        if (json_is_number(age))
            mismatches += fabs(json_number_value(age) -
                               json_number_value(json_object_get(s, "iat_age_s"))) > 1e-5;
        json_t *tids = json_object_get(t, "identities"), *gids = json_object_get(s, "identities");
        mismatches += json_array_size(tids) != json_array_size(gids);
        for (size_t i = 0; i < json_array_size(tids) && i < json_array_size(gids); i++)
            for (size_t k = 0; k < sizeof id_fields / sizeof id_fields[0]; k++) {
                json_t *w = json_object_get(json_array_get(tids, i), id_fields[k]);
                if (w)
                    mismatches += same(w, json_object_get(json_array_get(gids, i), id_fields[k]),
                                       call, id_fields[k]);
            }
        fprintf(stderr, "stir %-46s expected %s/%s got %s/%s%s\n", call,
                json_string_value(json_object_get(t, "result")),
                json_string_value(json_object_get(t, "reason")),
                json_string_value(json_object_get(s, "result")),
                json_string_value(json_object_get(s, "reason")),
                mismatches > before ? "  MISMATCH" : "");
        calls++;
        json_decref(t);
    }
    ck_assert_int_eq(calls, 20);
    ck_assert_int_eq(mismatches, 0);
    free(truth);
    json_decref(got);
    run_free(&r);
}
END_TEST

static int count_lines(const char *s)
{
    int n = 0;
    for (; s && *s; s++)
        n += *s == '\n';
    return n;
}

START_TEST(filters_hints_report_and_counters)
{
    run_result_t r = sipnab(STIR "/stir-calls.pcap", (char *[]){"--dialogs-json", "--filter",
                                                                "stir.result == 'valid'", NULL});
    ck_assert_int_eq(r.status, 0);
    ck_assert_int_eq(count_lines(r.out), 6);
    run_free(&r);
    r = sipnab(STIR "/stir-calls.pcap", (char *[]){"--dialogs-json", "--filter",
                                                   "stir.attest == 'B' OR stir_unsigned", NULL});
    ck_assert_int_eq(count_lines(r.out), 2);
    run_free(&r);
    /* the stale call: a hint saying Expired, and the diagnosis kind */
    r = sipnab(STIR "/stir-calls.pcap",
               (char *[]){"--dialogs-json", "--filter", "stir.reason == 'stale_iat'", NULL});
    ck_assert_int_eq(count_lines(r.out), 1);
    json_t *d = json_loads(r.out, 0, NULL);
    json_t *diag = json_object_get(d, "diagnosis");
    ck_assert(json_is_true(json_object_get(diag, "stir_invalid")));
    char *hints = json_dumps(json_object_get(diag, "hints"), 0);
    ck_assert_ptr_nonnull(strstr(hints, "Expired"));
    free(hints);
    json_decref(d);
    run_free(&r);
    r = sipnab(
        STIR "/stir-calls.pcap",
        (char *[]){"--call-report", "251856b1ee6ee945ebe9@198.51.100.5", "--markdown", NULL});
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "## STIR/SHAKEN"));
    ck_assert_ptr_nonnull(strstr(r.out, "verstat_contradiction"));
    ck_assert_ptr_nonnull(strstr(r.out, "underlying: bad_signature"));
    run_free(&r);
    run_result_t s;
    char *extra[] = {"--stir-shaken",   "--stir-trust",          STIR "/pki/trust",
                     "--stir-cert-map", STIR "/pki/x5u-map.tsv", NULL};
    json_t *stats = sipnab_stats(STIR "/stir-calls.pcap", extra, &s);
    ck_assert_ptr_nonnull(stats);
    json_t *v = json_object_get(stats, "stir_verifications");
    ck_assert_int_eq(json_integer_value(json_object_get(v, "valid,A,ok")), 2);
    ck_assert_int_eq(json_integer_value(json_object_get(v, "invalid,A,bad_signature")), 2);
    ck_assert_int_eq(json_integer_value(json_object_get(v, "no_identity,none,no_identity")), 1);
    json_decref(stats);
    run_free(&s);
}
END_TEST

START_TEST(bad_options_are_one_line)
{
    run_result_t r = sipnab(STIR "/stir-calls.pcap",
                            (char *[]){"--stir-trust", "/nonexistent", "--report", NULL});
    ck_assert_int_ne(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.err, "/nonexistent"));
    run_free(&r);
    char *argv[] = {(char *)sipnab_bin(),
                    "-c",
                    "/dev/null",
                    "--module-path",
                    MODULES,
                    "-N",
                    "-I",
                    STIR "/stir-calls.pcap",
                    "--stir-max-age",
                    "30",
                    NULL};
    r = run_cmd(argv, 60);
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "--stir-shaken"));
    run_free(&r);
}
END_TEST

/* ---- a capture of our own ---- */

#define NOW_S 1795011607LL
#define CAPITOL "https://certs.capitol-telecom.example/sti/7Z1A-2026.pem"

static char *sign(const char *header, const char *claims, const char *params)
{
    char h[1024], c[1024], input[2100], s[100];
    stir_b64url_encode((const unsigned char *)header, strlen(header), h, sizeof h);
    stir_b64url_encode((const unsigned char *)claims, strlen(claims), c, sizeof c);
    snprintf(input, sizeof input, "%s.%s", h, c);
    FILE *f = fopen(STIR "/pki/private/sp-capitol-7Z1A.key.pem", "r");
    ck_assert_ptr_nonnull(f);
    EVP_PKEY *k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    unsigned char sig[64];
    ck_assert(stir_es256_sign(k, input, strlen(input), sig));
    EVP_PKEY_free(k);
    stir_b64url_encode(sig, 64, s, sizeof s);
    char *out = malloc(4096);
    snprintf(out, 4096, "%s.%s;%s", input, s, params);
    return out;
}

static void invite(FILE *pcap, int i, const char *identity_lines)
{
    char *msg = malloc(200000);
    int n = snprintf(msg, 200000,
                     "INVITE sip:+13015550149@198.51.100.20;user=phone SIP/2.0\r\n"
                     "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-own-%d\r\n"
                     "From: <sip:+12025550106@capitol-telecom.example;user=phone>;tag=f%d\r\n"
                     "To: <sip:+13015550149@fedline.example;user=phone>\r\n"
                     "Call-ID: own-%d@test\r\n"
                     "CSeq: 1 INVITE\r\n"
                     "P-Asserted-Identity: <tel:+1-202-555-0106>\r\n"
                     "Date: Wed, 18 Nov 2026 14:20:06 GMT\r\n"
                     "%s"
                     "Content-Length: 0\r\n\r\n",
                     i, i, i, identity_lines);
    snb_tb_t b;
    snb_tb_init(&b, msg, (size_t)n);
    snb_tb_udp(&b, 5060, 5060);
    snb_tb_ipv4(&b, "192.0.2.10", "198.51.100.20", 17);
    snb_tb_eth(&b, 0x0800);
    ck_assert_int_eq(
        snb_pcapw_put(pcap, (uint64_t)NOW_S * 1000000 + (uint64_t)i * 1000, b.p, b.len), 0);
    snb_tb_free(&b);
    free(msg);
}

START_TEST(own_signed_cases)
{
    const char *claims =
        "{\"attest\":\"B\",\"dest\":{\"tn\":[\"+13015550149\"]},\"iat\":1795011606,"
        "\"orig\":{\"tn\":\"12025550106\"},\"origid\":\"x\"}";
    const char *good_header =
        "{\"alg\":\"ES256\",\"ppt\":\"shaken\",\"typ\":\"passport\",\"x5u\":\"" CAPITOL "\"}";
    const char *params = "info=<" CAPITOL ">;alg=ES256;ppt=shaken";
    char path[] = "/tmp/stir-own-XXXXXX.pcap";
    int fd = mkstemps(path, 5);
    ck_assert_int_ge(fd, 0);
    close(fd);
    FILE *pcap = snb_pcapw_open(path, 1);
    char line[5000];
    char *id = sign(good_header, claims, params);
    snprintf(line, sizeof line, "Identity: %s\r\n", id);
    invite(pcap, 1, line); /* valid */
    free(id);
    id = sign("{\"alg\":\"ES256\",\"ppt\":\"shaken\",\"typ\":\"jwt\",\"x5u\":\"" CAPITOL "\"}",
              claims, params);
    snprintf(line, sizeof line, "Identity: %s\r\n", id);
    invite(pcap, 2, line); /* bad_typ */
    free(id);
    id = sign(good_header, claims, "info=<" CAPITOL ">;alg=ES256");
    snprintf(line, sizeof line, "Identity: %s\r\n", id);
    invite(pcap, 3, line); /* bad_ppt */
    free(id);
    id = sign("{\"alg\":\"ES256\",\"ppt\":\"shaken\",\"typ\":\"passport\",\"x5u\":\"https://"
              "x.example/c\"}",
              claims, "info=<https://x.example/c>;alg=ES256;ppt=shaken");
    snprintf(line, sizeof line, "y: %s\r\n", id); /* compact header name */
    invite(pcap, 4, line);                        /* cert_unavailable */
    free(id);
    /* hostile: a 60 kB token, then base64 of a JSON bomb */
    char *big = malloc(70000);
    int n = snprintf(big, 70000, "Identity: ");
    memset(big + n, 'A', 60000);
    memcpy(big + n + 10, ".", 1);
    memcpy(big + n + 20, ".", 1);
    snprintf(big + n + 60000, 100, ";info=<" CAPITOL ">\r\n");
    invite(pcap, 5, big);
    free(big);
    char *many = malloc(60000);
    id = sign(good_header, claims, params);
    many[0] = '\0';
    for (int i = 0; i < 12; i++) {
        strcat(many, "Identity: ");
        strcat(many, id);
        strcat(many, "\r\n");
    }
    free(id);
    invite(pcap, 6, many);
    free(many);
    /* folded before its parameters (RFC 3261 line folding) */
    id = sign(good_header, claims, params);
    *strchr(id, ';') = '\0';
    snprintf(line, sizeof line, "Identity: %s\r\n  ;%s\r\n", id, params);
    invite(pcap, 7, line);
    free(id);
    ck_assert_int_eq(snb_pcapw_close(pcap), 0);

    run_result_t r = sipnab(path, (char *[]){"--dialogs-json", NULL});
    unlink(path);
    ck_assert_msg(r.status == 0, "%s", r.err);
    json_t *got = dialogs_by_call_id(r.out);
    static const struct {
        const char *call, *result, *reason;
    } want[] = {
        {"own-1@test", "valid", "ok"},
        {"own-2@test", "invalid", "bad_typ"},
        {"own-3@test", "invalid", "bad_ppt"},
        {"own-4@test", "invalid", "cert_unavailable"},
        {"own-5@test", "invalid", "malformed_identity"},
        {"own-6@test", "valid", "ok"},
        {"own-7@test", "valid", "ok"},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        json_t *s = json_object_get(json_object_get(got, want[i].call), "stir_shaken");
        ck_assert_msg(json_is_object(s), "%s: no stir_shaken", want[i].call);
        ck_assert_str_eq(json_string_value(json_object_get(s, "result")), want[i].result);
        ck_assert_str_eq(json_string_value(json_object_get(s, "reason")), want[i].reason);
    }
    json_t *s1 = json_object_get(json_object_get(got, "own-1@test"), "stir_shaken");
    ck_assert_str_eq(json_string_value(json_object_get(s1, "attest")), "B");
    ck_assert_str_eq(json_string_value(json_object_get(s1, "spc")), "7Z1A");
    json_t *s6 = json_object_get(json_object_get(got, "own-6@test"), "stir_shaken");
    ck_assert_int_eq(json_integer_value(json_object_get(s6, "identity_count")), 12);
    ck_assert_int_eq(json_integer_value(json_object_get(s6, "identities_not_verified")), 4);
    json_decref(got);
    run_free(&r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("it_stir");
    TCase *tc = tcase_create("stir");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, corpus_equals_truth);
    tcase_add_test(tc, filters_hints_report_and_counters);
    tcase_add_test(tc, bad_options_are_one_line);
    tcase_add_test(tc, own_signed_cases);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
