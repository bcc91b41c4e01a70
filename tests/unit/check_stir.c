/* STIR/SHAKEN logic (snb_stir_logic): base64url, TNs, Date, the Identity
 * header, TNAuthList DER, and the verifier against the test STI-PKI of
 * tests/data/stir/pki with PASSporTs signed here with its test keys, so
 * every reason code is produced by a fixture of our own (including the
 * ones the corpus has no call for: bad_typ, bad_ppt, cert_unavailable,
 * malformed_identity, div_mismatch, no_shaken_policy). */
#include <check.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_run.h"
#include "stir_b64url.h"
#include "stir_date.h"
#include "stir_es256.h"
#include "stir_identity.h"
#include "stir_json.h"
#include "stir_pki.h"
#include "stir_tn.h"
#include "stir_tnauth.h"
#include "stir_verify.h"

#define PKI SNB_TEST_DATA_DIR "/stir/pki"
#define CAPITOL "https://certs.capitol-telecom.example/sti/7Z1A-2026.pem"
#define POTOMAC "https://sti.potomac-voice.example/shaken/7Z2B.pem"
#define NOW_S 1795011607LL /* 2026-11-18T14:20:07Z, inside every valid leaf's validity */
#define NOW_US (NOW_S * 1000000 + 162958)

/* ---- small pure parts ---- */

START_TEST(b64url_round_trip)
{
    const unsigned char data[] = {0xfb, 0xff, 0x00, 'a', 'b'};
    char enc[16];
    unsigned char dec[16];
    for (size_t n = 0; n <= sizeof data; n++) {
        long e = stir_b64url_encode(data, n, enc, sizeof enc);
        ck_assert_int_ge(e, 0);
        ck_assert_ptr_null(strpbrk(enc, "+/="));
        ck_assert_int_eq(stir_b64url_decode(enc, (size_t)e, dec, sizeof dec), (long)n);
        ck_assert(!memcmp(dec, data, n));
    }
    ck_assert_int_eq(stir_b64url_decode("-_8", 3, dec, sizeof dec), 2);
    ck_assert_int_eq(stir_b64url_decode("+/8=", 4, dec, sizeof dec), -1); /* base64, not url */
    ck_assert_int_eq(stir_b64url_decode("QUJD=", 5, dec, sizeof dec), 3);
    ck_assert_int_eq(stir_b64url_decode("QUJDR", 5, dec, sizeof dec), -1);
    ck_assert_int_eq(stir_b64url_decode("QUJD", 4, dec, 2), -1); /* no room */
    ck_assert_int_eq(stir_b64url_encode(data, 3, enc, 4), -1);   /* no room for the NUL */
}
END_TEST

static const char *tn(const char *uri)
{
    static char out[STIR_TN_MAX];
    return stir_tn_of_uri(uri, strlen(uri), out) ? out : NULL;
}

START_TEST(tn_canonical)
{
    ck_assert_str_eq(tn("sip:+12025550142@host;user=phone"), "12025550142");
    ck_assert_str_eq(tn("sip:12025550142@host"), "12025550142");
    ck_assert_str_eq(tn("SIPS:+1(202)555.0142@host"), "12025550142");
    ck_assert_str_eq(tn("tel:+1-202-555-0142;verstat=TN-Validation-Passed"), "12025550142");
    ck_assert_str_eq(tn("sip:+12025550142;verstat=TN-Validation-Passed@h;user=phone"),
                     "12025550142");
    ck_assert_ptr_null(tn("sip:anonymous@anonymous.invalid"));
    ck_assert_ptr_null(tn("sip:host.example"));
    ck_assert_ptr_null(tn("mailto:12025550142@x"));
    ck_assert_ptr_null(tn("tel:"));
    char v[64];
    const char *u = "sip:+12025550142;verstat=TN-Validation-Passed@h;user=phone";
    ck_assert(stir_tn_verstat(u, strlen(u), v, sizeof v));
    ck_assert_str_eq(v, "TN-Validation-Passed");
    u = "tel:+1-202-555-0142;npdi;verstat=No-TN-Validation";
    ck_assert(stir_tn_verstat(u, strlen(u), v, sizeof v));
    ck_assert_str_eq(v, "No-TN-Validation");
    u = "sip:+12025550142@h;verstat=x"; /* a URI parameter, not the userinfo's */
    ck_assert(!stir_tn_verstat(u, strlen(u), v, sizeof v));
}
END_TEST

START_TEST(date_header)
{
    int64_t t;
    const char *d = "Wed, 18 Nov 2026 14:20:06 GMT";
    ck_assert(stir_date_parse(d, strlen(d), &t));
    ck_assert_int_eq(t, 1795011606);
    d = "Thu, 01 Jan 1970 00:00:00 GMT";
    ck_assert(stir_date_parse(d, strlen(d), &t));
    ck_assert_int_eq(t, 0);
    d = "Wed, 18 Foo 2026 14:20:06 GMT";
    ck_assert(!stir_date_parse(d, strlen(d), &t));
    d = "Wed, 18 Nov 2026 14:20:06 PST";
    ck_assert(!stir_date_parse(d, strlen(d), &t));
    d = "Wed, 18 Nov 2026 14:20";
    ck_assert(!stir_date_parse(d, strlen(d), &t));
}
END_TEST

static bool parse(const char *v, stir_identity_t *id)
{
    return stir_identity_parse(snb_str(v, strlen(v)), id);
}

START_TEST(identity_header)
{
    stir_identity_t id;
    ck_assert(
        parse("aGVhZA.Y2xhaW1z.c2ln;info=<https://x.example/c.pem>;alg=ES256;ppt=shaken", &id));
    ck_assert(!id.compact);
    ck_assert(snb_str_eq(id.header_b64, SNB_STR_LIT("aGVhZA")));
    ck_assert(snb_str_eq(id.signing_input, SNB_STR_LIT("aGVhZA.Y2xhaW1z")));
    ck_assert(snb_str_eq(id.info, SNB_STR_LIT("https://x.example/c.pem")));
    ck_assert(snb_str_eq(id.alg, SNB_STR_LIT("ES256")));
    ck_assert(snb_str_eq(id.ppt, SNB_STR_LIT("shaken")));
    ck_assert(parse("..c2ln ; info=<https://x/;a=b>; ppt=\"div\"", &id));
    ck_assert(id.compact);
    ck_assert(snb_str_eq(id.info, SNB_STR_LIT("https://x/;a=b")));
    ck_assert(snb_str_eq(id.ppt, SNB_STR_LIT("div")));
    ck_assert_ptr_null(id.alg.p);
    ck_assert(!parse("aGVhZA.Y2xhaW1z;info=<https://x>", &id)); /* two parts */
    ck_assert(!parse("a.b.c.d;info=<https://x>", &id));         /* four */
    ck_assert(!parse("a..c;info=<https://x>", &id));            /* no claims */
    ck_assert(!parse("a.b.;info=<https://x>", &id));            /* no signature */
    ck_assert(!parse("a.b.c!;info=<https://x>", &id));          /* junk */
    ck_assert(!parse("", &id));
    char *big = malloc(STIR_IDENTITY_MAX_LEN + 10);
    memset(big, 'A', STIR_IDENTITY_MAX_LEN + 9);
    big[1] = big[3] = '.';
    big[STIR_IDENTITY_MAX_LEN + 9] = '\0';
    ck_assert(!parse(big, &id));
    free(big);
}
END_TEST

START_TEST(tnauthlist_der)
{
    const unsigned char spc[] = {0x30, 0x08, 0xA0, 0x06, 0x16, 0x04, '7', 'Z', '1', 'A'};
    char out[STIR_SPC_MAX];
    ck_assert(stir_tnauth_spc(spc, sizeof spc, out));
    ck_assert_str_eq(out, "7Z1A");
    ck_assert(!stir_tnauth_spc(spc, sizeof spc - 1, out)); /* truncated */
    const unsigned char one_tn[] = {0x30, 0x07, 0xA2, 0x05, 0x16, 0x03, '2', '0', '2'};
    ck_assert(stir_tnauth_spc(one_tn, sizeof one_tn, out));
    ck_assert_str_eq(out, "");
    const unsigned char long_len[] = {0x30, 0x84, 0xff, 0xff, 0xff, 0xff};
    ck_assert(!stir_tnauth_spc(long_len, sizeof long_len, out));
    const unsigned char not_ia5[] = {0x30, 0x06, 0xA0, 0x04, 0x04, 0x02, 'A', 'B'};
    ck_assert(!stir_tnauth_spc(not_ia5, sizeof not_ia5, out));
    ck_assert(!stir_tnauth_spc(spc, 0, out));
}
END_TEST

/* ---- the verifier, with PASSporTs signed here ---- */

static stir_pki_t *pki;

static void load_pki(void)
{
    char err[256];
    pki = stir_pki_new();
    ck_assert_ptr_nonnull(pki);
    ck_assert_int_eq(stir_pki_load_trust(pki, PKI "/trust", err, sizeof err), 1);
    ck_assert_int_eq(stir_pki_load_map(pki, PKI "/x5u-map.tsv", err, sizeof err), 7);
}

static void free_pki(void)
{
    stir_pki_free(pki);
}

static EVP_PKEY *key(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, PKI "/private/%s.key.pem", name);
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    EVP_PKEY *k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    ck_assert_ptr_nonnull(k);
    return k;
}

static void b64(const char *text, char *out, size_t size)
{
    ck_assert_int_ge(stir_b64url_encode((const unsigned char *)text, strlen(text), out, size), 0);
}

/* "b64(header).b64(claims).b64(sig);params" signed with signer's key;
 * sig_len < 64 truncates the signature. */
static char *identity(const char *signer, const char *header, const char *claims,
                      const char *params, size_t sig_len)
{
    char h[2048], c[2048], input[4200], s[200];
    b64(header, h, sizeof h);
    b64(claims, c, sizeof c);
    snprintf(input, sizeof input, "%s.%s", h, c);
    unsigned char sig[64];
    EVP_PKEY *k = key(signer);
    ck_assert(stir_es256_sign(k, input, strlen(input), sig));
    EVP_PKEY_free(k);
    ck_assert_int_ge(stir_b64url_encode(sig, sig_len, s, sizeof s), 0);
    char *out = malloc(8192);
    snprintf(out, 8192, "%s.%s;%s", input, s, params);
    return out;
}

#define SHAKEN_HEADER(x5u)                                                                         \
    "{\"alg\":\"ES256\",\"ppt\":\"shaken\",\"typ\":\"passport\",\"x5u\":\"" x5u "\"}"
#define PARAMS(x5u) "info=<" x5u ">;alg=ES256;ppt=shaken"

static char *claims(int64_t iat, const char *orig, const char *dest)
{
    static char buf[512];
    snprintf(buf, sizeof buf,
             "{\"attest\":\"A\",\"dest\":{\"tn\":[\"%s\"]},\"iat\":%lld,\"orig\":{\"tn\":\"%s\"},"
             "\"origid\":\"4daa74c4-599e-4aac-8fea-29abe2567c7a\"}",
             dest, (long long)iat, orig);
    return buf;
}

static stir_call_input_t call_input(void)
{
    stir_call_input_t in = {.ts_us = NOW_US, .date = NOW_S - 1, .has_date = true};
    snprintf(in.orig_tn, sizeof in.orig_tn, "12025550106");
    snprintf(in.to_tn, sizeof in.to_tn, "13015550149");
    snprintf(in.ruri_tn, sizeof in.ruri_tn, "13015550149");
    return in;
}

static stir_call_result_t verify(stir_call_input_t *in, char **ids, unsigned n, int64_t max_age)
{
    snb_str_t v[16];
    for (unsigned i = 0; i < n; i++)
        v[i] = snb_str(ids[i], strlen(ids[i]));
    in->identities = v;
    in->n_identities = n;
    stir_config_t cfg = {.pki = pki, .max_age_s = max_age};
    stir_call_result_t r;
    stir_verify_call(&cfg, in, &r);
    for (unsigned i = 0; i < n; i++)
        free(ids[i]);
    return r;
}

static stir_reason_t one(const char *signer, const char *header, const char *claims_json,
                         const char *params, size_t sig_len)
{
    stir_call_input_t in = call_input();
    char *id = identity(signer, header, claims_json, params, sig_len);
    stir_call_result_t r = verify(&in, &id, 1, 60);
    return r.reason;
}

#define CAPITOL_KEY "sp-capitol-7Z1A"
#define GOOD_CLAIMS claims(NOW_S - 1, "12025550106", "13015550149")

START_TEST(verify_valid_and_each_rule)
{
    ck_assert_int_eq(one(CAPITOL_KEY, SHAKEN_HEADER(CAPITOL), GOOD_CLAIMS, PARAMS(CAPITOL), 64),
                     STIR_OK);
    /* TNs written with a + and separators are the same numbers */
    ck_assert_int_eq(one(CAPITOL_KEY, SHAKEN_HEADER(CAPITOL),
                         claims(NOW_S - 1, "+1-202-555-0106", "+1 301"), PARAMS(CAPITOL), 64),
                     STIR_DEST_MISMATCH);
    ck_assert_int_eq(one(CAPITOL_KEY,
                         "{\"alg\":\"ES256\",\"ppt\":\"shaken\",\"typ\":\"JWT\",\"x5u\":\"" CAPITOL
                         "\"}",
                         GOOD_CLAIMS, PARAMS(CAPITOL), 64),
                     STIR_BAD_TYP);
    ck_assert_int_eq(
        one(CAPITOL_KEY, SHAKEN_HEADER(CAPITOL), GOOD_CLAIMS, "info=<" CAPITOL ">;alg=ES256", 64),
        STIR_BAD_PPT);
    ck_assert_int_eq(one(CAPITOL_KEY, SHAKEN_HEADER(CAPITOL), GOOD_CLAIMS,
                         "info=<" CAPITOL ">;alg=ES256;ppt=div", 64),
                     STIR_BAD_PPT);
    ck_assert_int_eq(
        one(CAPITOL_KEY,
            "{\"alg\":\"ES384\",\"ppt\":\"shaken\",\"typ\":\"passport\",\"x5u\":\"" CAPITOL "\"}",
            GOOD_CLAIMS, PARAMS(CAPITOL), 64),
        STIR_BAD_ALG);
    ck_assert_int_eq(one(CAPITOL_KEY, SHAKEN_HEADER("https://nowhere.example/c.pem"), GOOD_CLAIMS,
                         PARAMS("https://nowhere.example/c.pem"), 64),
                     STIR_CERT_UNAVAILABLE);
    ck_assert_int_eq(one(CAPITOL_KEY, SHAKEN_HEADER(CAPITOL), GOOD_CLAIMS, PARAMS(CAPITOL), 63),
                     STIR_MALFORMED_IDENTITY);
    ck_assert_int_eq(one(CAPITOL_KEY, SHAKEN_HEADER(CAPITOL), "[1,2]", PARAMS(CAPITOL), 64),
                     STIR_MALFORMED_IDENTITY);
    ck_assert_int_eq(one(CAPITOL_KEY, SHAKEN_HEADER(CAPITOL),
                         claims(NOW_S - 61, "12025550106", "13015550149"), PARAMS(CAPITOL), 64),
                     STIR_STALE_IAT);
    ck_assert_int_eq(one(CAPITOL_KEY, SHAKEN_HEADER(CAPITOL),
                         claims(NOW_S + 6, "12025550106", "13015550149"), PARAMS(CAPITOL), 64),
                     STIR_FUTURE_IAT);
    ck_assert_int_eq(one(CAPITOL_KEY, SHAKEN_HEADER(CAPITOL),
                         claims(NOW_S + 5, "12025550106", "13015550149"), PARAMS(CAPITOL), 64),
                     STIR_OK); /* 4.84 s ahead: clock skew */
    ck_assert_int_eq(one(CAPITOL_KEY, SHAKEN_HEADER(CAPITOL),
                         claims(INT64_MAX / 2, "12025550106", "13015550149"), PARAMS(CAPITOL), 64),
                     STIR_FUTURE_IAT);
    ck_assert_int_eq(one(CAPITOL_KEY, SHAKEN_HEADER(CAPITOL),
                         claims(NOW_S - 1, "12025550199", "13015550149"), PARAMS(CAPITOL), 64),
                     STIR_ORIG_MISMATCH);
    ck_assert_int_eq(
        one("sp-potomac-7Z2B", SHAKEN_HEADER(CAPITOL), GOOD_CLAIMS, PARAMS(CAPITOL), 64),
        STIR_BAD_SIGNATURE);
    ck_assert_int_eq(one("sp-cheaproutes-9X9X-untrusted",
                         SHAKEN_HEADER("https://sti.cheap-routes.example/cert.pem"), GOOD_CLAIMS,
                         PARAMS("https://sti.cheap-routes.example/cert.pem"), 64),
                     STIR_UNTRUSTED_CHAIN);
    ck_assert_int_eq(one("sp-anacostia-7Z3C-expired",
                         SHAKEN_HEADER("https://certs.anacostia-net.example/shaken/7Z3C-2025.pem"),
                         GOOD_CLAIMS,
                         PARAMS("https://certs.anacostia-net.example/shaken/7Z3C-2025.pem"), 64),
                     STIR_CERT_EXPIRED);
    ck_assert_int_eq(one("sp-rockcreek-notnauth",
                         SHAKEN_HEADER("https://pki.rockcreek-comm.example/sti/signing.pem"),
                         GOOD_CLAIMS, PARAMS("https://pki.rockcreek-comm.example/sti/signing.pem"),
                         64),
                     STIR_NO_TNAUTHLIST);
}
END_TEST

START_TEST(verify_max_age_and_time)
{
    /* 61 s old: stale at the default 60, fresh with --stir-max-age 120 */
    stir_call_input_t in = call_input();
    char *id = identity(CAPITOL_KEY, SHAKEN_HEADER(CAPITOL),
                        claims(NOW_S - 61, "12025550106", "13015550149"), PARAMS(CAPITOL), 64);
    stir_call_result_t r = verify(&in, &id, 1, 120);
    ck_assert_int_eq(r.reason, STIR_OK);
    ck_assert(r.ids[0].iat_age_s > 61.16 && r.ids[0].iat_age_s < 61.17);
    /* the same valid PASSporT judged a year earlier: the leaf is not yet valid */
    in = call_input();
    in.ts_us -= 365LL * 86400 * 1000000;
    id = identity(CAPITOL_KEY, SHAKEN_HEADER(CAPITOL),
                  claims(NOW_S - 365LL * 86400, "12025550106", "13015550149"), PARAMS(CAPITOL), 64);
    r = verify(&in, &id, 1, 60);
    ck_assert_int_eq(r.reason, STIR_CERT_EXPIRED);
}
END_TEST

#define DIV_HEADER(x5u)                                                                            \
    "{\"alg\":\"ES256\",\"ppt\":\"div\",\"typ\":\"passport\",\"x5u\":\"" x5u "\"}"
#define DIV_PARAMS(x5u) "info=<" x5u ">;alg=ES256;ppt=div"

static char *div_identity(const char *div_tn, const char *dest)
{
    char c[512];
    snprintf(c, sizeof c,
             "{\"dest\":{\"tn\":[\"%s\"]},\"div\":{\"tn\":\"%s\"},\"iat\":%lld,\"orig\":{\"tn\":"
             "\"12025550106\"}}",
             dest, div_tn, NOW_S - 1);
    return identity("sp-potomac-7Z2B", DIV_HEADER(POTOMAC), c, DIV_PARAMS(POTOMAC), 64);
}

START_TEST(verify_diverted)
{
    stir_call_input_t in = call_input();
    snprintf(in.ruri_tn, sizeof in.ruri_tn, "17035550100"); /* diverted there */
    snprintf(in.diversion_tns[0], STIR_TN_MAX, "13015550149");
    in.n_diversion_tns = 1;
    char *ids[2] = {identity(CAPITOL_KEY, SHAKEN_HEADER(CAPITOL), GOOD_CLAIMS, PARAMS(CAPITOL), 64),
                    div_identity("13015550149", "17035550100")};
    stir_call_input_t copy = in;
    stir_call_result_t r = verify(&copy, ids, 2, 60);
    ck_assert_int_eq(r.result, STIR_RESULT_VALID);
    ck_assert_int_eq(r.reason, STIR_DIV_OK);
    ck_assert_int_eq(r.ids[0].reason, STIR_OK);
    ck_assert_int_eq(r.ids[1].reason, STIR_DIV_OK);
    ck_assert_str_eq(r.ids[1].spc, "7Z2B");
    /* div.tn is not the To TN */
    ids[0] = identity(CAPITOL_KEY, SHAKEN_HEADER(CAPITOL), GOOD_CLAIMS, PARAMS(CAPITOL), 64);
    ids[1] = div_identity("13015550000", "17035550100");
    copy = in;
    r = verify(&copy, ids, 2, 60);
    ck_assert_int_eq(r.reason, STIR_DIV_MISMATCH);
    /* dest does not hold the Request-URI */
    ids[0] = identity(CAPITOL_KEY, SHAKEN_HEADER(CAPITOL), GOOD_CLAIMS, PARAMS(CAPITOL), 64);
    ids[1] = div_identity("13015550149", "17035550999");
    copy = in;
    r = verify(&copy, ids, 2, 60);
    ck_assert_int_eq(r.reason, STIR_DIV_MISMATCH);
    /* the Diversion header names another TN than div */
    snprintf(in.diversion_tns[0], STIR_TN_MAX, "19995550000");
    ids[0] = identity(CAPITOL_KEY, SHAKEN_HEADER(CAPITOL), GOOD_CLAIMS, PARAMS(CAPITOL), 64);
    ids[1] = div_identity("13015550149", "17035550100");
    copy = in;
    r = verify(&copy, ids, 2, 60);
    ck_assert_int_eq(r.reason, STIR_DIV_MISMATCH);
}
END_TEST

START_TEST(verify_verstat)
{
    stir_call_input_t in = call_input();
    snprintf(in.verstat, sizeof in.verstat, "TN-Validation-Passed");
    char *id = identity(CAPITOL_KEY, SHAKEN_HEADER(CAPITOL), GOOD_CLAIMS, PARAMS(CAPITOL), 64);
    stir_call_result_t r = verify(&in, &id, 1, 60);
    ck_assert_int_eq(r.reason, STIR_OK); /* a true claim */
    in = call_input();
    snprintf(in.verstat, sizeof in.verstat, "TN-Validation-Passed");
    id = identity("sp-potomac-7Z2B", SHAKEN_HEADER(CAPITOL), GOOD_CLAIMS, PARAMS(CAPITOL), 64);
    r = verify(&in, &id, 1, 60);
    ck_assert_int_eq(r.result, STIR_RESULT_INVALID);
    ck_assert_int_eq(r.reason, STIR_VERSTAT_CONTRADICTION);
    ck_assert_int_eq(r.underlying, STIR_BAD_SIGNATURE);
    in = call_input();
    snprintf(in.verstat, sizeof in.verstat, "TN-Validation-Failed");
    id = identity(CAPITOL_KEY, SHAKEN_HEADER(CAPITOL), GOOD_CLAIMS, PARAMS(CAPITOL), 64);
    r = verify(&in, &id, 1, 60);
    ck_assert_int_eq(r.reason, STIR_VERSTAT_CONTRADICTION);
    ck_assert_int_eq(r.underlying, STIR_OK);
    in = call_input();
    snprintf(in.verstat, sizeof in.verstat, "No-TN-Validation");
    id = identity("sp-potomac-7Z2B", SHAKEN_HEADER(CAPITOL), GOOD_CLAIMS, PARAMS(CAPITOL), 64);
    r = verify(&in, &id, 1, 60);
    ck_assert_int_eq(r.reason, STIR_BAD_SIGNATURE);
}
END_TEST

/* The compact form: the signer signs the canonical PASSporT built from
 * the SIP headers; we rebuild it the same way (RFC 8225 §9). */
START_TEST(verify_compact)
{
    stir_call_input_t in = call_input();
    char canon[1024];
    snprintf(canon, sizeof canon,
             "{\"dest\":{\"tn\":[\"13015550149\"]},\"iat\":%lld,\"orig\":{\"tn\":\"12025550106\"}}",
             (long long)in.date);
    char *full = identity("sp-potomac-7Z2B",
                          "{\"alg\":\"ES256\",\"typ\":\"passport\",\"x5u\":\"" POTOMAC "\"}", canon,
                          "info=<" POTOMAC ">;alg=ES256", 64);
    char *sig = strrchr(strtok(full, ";"), '.'); /* ".b64(sig)" */
    char *compact = malloc(512);
    snprintf(compact, 512, ".%s;info=<" POTOMAC ">;alg=ES256", sig);
    free(full);
    stir_call_input_t copy = in;
    stir_call_result_t r = verify(&copy, &compact, 1, 60);
    ck_assert_int_eq(r.reason, STIR_COMPACT_OK);
    ck_assert(r.ids[0].compact);
    ck_assert(!r.ids[0].pp.has_attest);
    ck_assert_int_eq(r.ids[0].pp.iat, in.date);
    /* the same signature with another To: the rebuilt PASSporT differs */
    full = identity("sp-potomac-7Z2B",
                    "{\"alg\":\"ES256\",\"typ\":\"passport\",\"x5u\":\"" POTOMAC "\"}", canon,
                    "info=<" POTOMAC ">;alg=ES256", 64);
    sig = strrchr(strtok(full, ";"), '.');
    compact = malloc(512);
    snprintf(compact, 512, ".%s;info=<" POTOMAC ">;alg=ES256", sig);
    free(full);
    copy = in;
    snprintf(copy.to_tn, sizeof copy.to_tn, "13015550150");
    r = verify(&copy, &compact, 1, 60);
    ck_assert_int_eq(r.reason, STIR_BAD_SIGNATURE);
    /* without a Date there is no iat to rebuild */
    compact = strdup("..AAAA;info=<" POTOMAC ">");
    copy = in;
    copy.has_date = false;
    r = verify(&copy, &compact, 1, 60);
    ck_assert_int_eq(r.reason, STIR_MALFORMED_IDENTITY);
}
END_TEST

START_TEST(verify_counts_and_json)
{
    stir_call_input_t in = call_input();
    stir_call_result_t r = verify(&in, NULL, 0, 60);
    ck_assert_int_eq(r.result, STIR_RESULT_NO_IDENTITY);
    ck_assert_int_eq(r.reason, STIR_NO_IDENTITY);
    char *ids[10];
    for (int i = 0; i < 10; i++)
        ids[i] = identity(CAPITOL_KEY, SHAKEN_HEADER(CAPITOL), GOOD_CLAIMS, PARAMS(CAPITOL), 64);
    in = call_input();
    r = verify(&in, ids, 10, 60);
    ck_assert_int_eq(r.identity_count, 10);
    ck_assert_int_eq(r.n, STIR_MAX_IDENTITIES);
    ck_assert_int_eq(r.reason, STIR_OK);
    json_t *j = stir_result_json(&r);
    ck_assert_str_eq(json_string_value(json_object_get(j, "result")), "valid");
    ck_assert_str_eq(json_string_value(json_object_get(j, "reason")), "ok");
    ck_assert_str_eq(json_string_value(json_object_get(j, "attest")), "A");
    ck_assert_str_eq(json_string_value(json_object_get(j, "spc")), "7Z1A");
    ck_assert_str_eq(json_string_value(json_object_get(j, "x5u")), CAPITOL);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "iat")), NOW_S - 1);
    ck_assert_int_eq(json_array_size(json_object_get(j, "identities")), STIR_MAX_IDENTITIES);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "identities_not_verified")), 2);
    ck_assert(json_is_null(json_object_get(j, "underlying_reason")));
    json_decref(j);
    /* invalid UTF-8 from a packet still renders */
    char *bad = strdup("a.b.c;info=<https://\xff\xfe>;alg=\xc3");
    in = call_input();
    r = verify(&in, &bad, 1, 60);
    ck_assert_int_eq(r.reason, STIR_MALFORMED_IDENTITY);
    j = stir_result_json(&r);
    ck_assert_ptr_nonnull(j);
    ck_assert_str_eq(json_string_value(json_object_get(j, "reason")), "malformed_identity");
    json_decref(j);
}
END_TEST

/* A leaf without the SHAKEN policy, made here and signed by the test
 * intermediate CA, served from a URL of our own. */
static void add_leaf_without_policy(const char *url)
{
    EVP_PKEY *ca_key = key("intermediate"), *leaf_key = key("sp-capitol-7Z1A");
    FILE *f = fopen(PKI "/ca/intermediate.pem", "r");
    ck_assert_ptr_nonnull(f);
    X509 *ca = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    X509 *x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 4242);
    X509_set_issuer_name(x, X509_get_subject_name(ca));
    X509_NAME *name = X509_NAME_new();
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"SHAKEN 7Z1A", -1,
                               -1, 0);
    X509_set_subject_name(x, name);
    X509_NAME_free(name);
    ASN1_TIME_set(X509_getm_notBefore(x), NOW_S - 86400);
    ASN1_TIME_set(X509_getm_notAfter(x), NOW_S + 86400);
    X509_set_pubkey(x, leaf_key);
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, ca, x, NULL, NULL, 0);
    X509_EXTENSION *bc =
        X509V3_EXT_conf_nid(NULL, &ctx, NID_basic_constraints, "critical,CA:FALSE");
    X509_add_ext(x, bc, -1);
    X509_EXTENSION_free(bc);
    ASN1_OCTET_STRING *tnauth = ASN1_OCTET_STRING_new();
    const unsigned char der[] = {0x30, 0x08, 0xA0, 0x06, 0x16, 0x04, '7', 'Z', '1', 'A'};
    ASN1_OCTET_STRING_set(tnauth, der, sizeof der);
    ASN1_OBJECT *oid = OBJ_txt2obj(STIR_TNAUTHLIST_OID, 1);
    X509_EXTENSION *ext = X509_EXTENSION_create_by_OBJ(NULL, oid, 0, tnauth);
    X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
    ASN1_OBJECT_free(oid);
    ASN1_OCTET_STRING_free(tnauth);
    ck_assert_int_gt(X509_sign(x, ca_key, EVP_sha256()), 0);
    BIO *bio = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(bio, x);
    PEM_write_bio_X509(bio, ca);
    char *pem;
    long len = BIO_get_mem_data(bio, &pem);
    ck_assert_int_eq(stir_pki_add_chain_pem(pki, url, pem, (size_t)len), 0);
    BIO_free(bio);
    X509_free(x);
    X509_free(ca);
    EVP_PKEY_free(ca_key);
    EVP_PKEY_free(leaf_key);
}

START_TEST(verify_no_shaken_policy)
{
#define NOPOL "https://nopolicy.example/leaf.pem"
    add_leaf_without_policy(NOPOL);
    ck_assert_int_eq(one(CAPITOL_KEY, SHAKEN_HEADER(NOPOL), GOOD_CLAIMS, PARAMS(NOPOL), 64),
                     STIR_NO_SHAKEN_POLICY);
}
END_TEST

START_TEST(pki_errors)
{
    char err[256];
    stir_pki_t *p = stir_pki_new();
    ck_assert_int_eq(stir_pki_load_trust(p, "/nonexistent", err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "/nonexistent"));
    ck_assert_int_eq(stir_pki_load_map(p, "/nonexistent.tsv", err, sizeof err), -1);
    ck_assert_int_eq(stir_pki_load_trust(p, PKI "/private", err, sizeof err), -1); /* keys only */
    char path[] = "/tmp/stir-map-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    const char bad[] = "https://a.example/c.pem\n";
    ck_assert_int_eq(write(fd, bad, sizeof bad - 1), (long)sizeof bad - 1);
    close(fd);
    ck_assert_int_eq(stir_pki_load_map(p, path, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, ":1:"));
    unlink(path);
    stir_cert_verdict_t v;
    stir_pki_check(p, CAPITOL, NOW_S, &v);
    ck_assert_int_eq(v.reason, STIR_CERT_UNAVAILABLE);
    stir_pki_free(p);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("stir");
    TCase *pure = tcase_create("parsing");
    tcase_add_test(pure, b64url_round_trip);
    tcase_add_test(pure, tn_canonical);
    tcase_add_test(pure, date_header);
    tcase_add_test(pure, identity_header);
    tcase_add_test(pure, tnauthlist_der);
    tcase_add_test(pure, pki_errors);
    suite_add_tcase(s, pure);
    TCase *v = tcase_create("verify");
    tcase_add_checked_fixture(v, load_pki, free_pki);
    tcase_add_test(v, verify_valid_and_each_rule);
    tcase_add_test(v, verify_max_age_and_time);
    tcase_add_test(v, verify_diverted);
    tcase_add_test(v, verify_verstat);
    tcase_add_test(v, verify_compact);
    tcase_add_test(v, verify_counts_and_json);
    tcase_add_test(v, verify_no_shaken_policy);
    suite_add_tcase(s, v);
    return snb_check_run(s);
}
