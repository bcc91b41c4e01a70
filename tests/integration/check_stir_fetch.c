/* The HTTPS fetch of x5u through the real binary: a live capture on lo (root
 * only) of INVITEs whose x5u points at an HTTPS server started here
 * (stir_x5u_server.py, with a certificate made here by openssl and trusted
 * through the test-only fetch_ca_file). The call whose chain is served
 * becomes valid once the fetch ends, and a later one is a cache hit; an
 * oversized body (with or without Content-Length) is too_large, a server
 * that never answers times out, a 404 is http_error; without
 * fetch_allow_private the loopback address is refused; stopped during a
 * fetch, the held call is still printed; a capture file never fetches.
 * PASSporTs are signed here with the corpus's test keys, so their iat is
 * fresh. */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <openssl/pem.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check_run.h"
#include "hep_codec.h"
#include "run_util.h"
#include "stir_b64url.h"
#include "stir_es256.h"
#include "support.h"

#define MODULES SNB_BUILD_DIR "/modules"
#define STIR SNB_TEST_DATA_DIR "/stir"
#define OUT SNB_BUILD_DIR "/sipnab-stir-fetch.out"
#define ERR SNB_BUILD_DIR "/sipnab-stir-fetch.err"
#define CONF SNB_BUILD_DIR "/sipnab-stir-fetch.conf"

static char dir[64];
static int https_port;
/* picked per run (the kernel's free port): the suites of other build trees
 * may capture on lo at the same time, and must not see our INVITEs */
static int sip_port;
static pid_t server;

static void shell(const char *cmd)
{
    char *argv[] = {"/bin/sh", "-c", (char *)cmd, NULL};
    run_result_t r = run_cmd(argv, 60);
    ck_assert_msg(r.status == 0, "%s: %s", cmd, r.err);
    run_free(&r);
}

/* A certificate for 127.0.0.1 and the HTTPS server that uses it. */
static void start_server(void)
{
    snprintf(dir, sizeof dir, "/tmp/stir-fetch-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "
             "%s/key.pem -out %s/cert.pem -days 2 -subj /CN=127.0.0.1 -addext "
             "subjectAltName=IP:127.0.0.1",
             dir, dir);
    shell(cmd);
    https_port = free_tcp_port();
    char port[16], cert[128], key[128], out[128], err[128];
    snprintf(port, sizeof port, "%d", https_port);
    snprintf(cert, sizeof cert, "%s/cert.pem", dir);
    snprintf(key, sizeof key, "%s/key.pem", dir);
    snprintf(out, sizeof out, "%s/server.out", dir);
    snprintf(err, sizeof err, "%s/server.err", dir);
    char *argv[] = {"/usr/bin/env",
                    "python3",
                    SNB_SOURCE_DIR "/tests/integration/stir_x5u_server.py",
                    port,
                    cert,
                    key,
                    STIR "/pki/certs/sp-capitol-7Z1A.pem",
                    NULL};
    server = run_bg(argv, out, err);
    ck_assert_msg(wait_for_text(out, "ready", 20), "the HTTPS server did not start");
}

static void stop_server(void)
{
    kill(server, SIGKILL);
    waitpid(server, NULL, 0);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    shell(cmd);
}

/* An Identity header for x5u, signed now with the capitol test key. */
static char *identity(const char *x5u)
{
    char header[512], claims[512], h[1024], c[1024], input[2100], s[100];
    snprintf(header, sizeof header,
             "{\"alg\":\"ES256\",\"ppt\":\"shaken\",\"typ\":\"passport\",\"x5u\":\"%s\"}", x5u);
    snprintf(claims, sizeof claims,
             "{\"attest\":\"A\",\"dest\":{\"tn\":[\"13015550149\"]},\"iat\":%lld,"
             "\"orig\":{\"tn\":\"12025550106\"},\"origid\":\"fetch-test\"}",
             (long long)time(NULL));
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
    snprintf(out, 4096, "%s.%s;info=<%s>;alg=ES256;ppt=shaken", input, s, x5u);
    return out;
}

static int invite_text(char *msg, size_t size, const char *call_id, const char *path)
{
    char x5u[128];
    snprintf(x5u, sizeof x5u, "https://127.0.0.1:%d%s", https_port, path);
    char *id = identity(x5u);
    int n = snprintf(msg, size,
                     "INVITE sip:+13015550149@127.0.0.1;user=phone SIP/2.0\r\n"
                     "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-%s\r\n"
                     "From: <sip:+12025550106@capitol-telecom.example;user=phone>;tag=f1\r\n"
                     "To: <sip:+13015550149@fedline.example;user=phone>\r\n"
                     "Call-ID: %s\r\n"
                     "CSeq: 1 INVITE\r\n"
                     "Identity: %s\r\n"
                     "Content-Length: 0\r\n\r\n",
                     call_id, call_id, id);
    free(id);
    return n;
}

static void send_invite(const char *call_id, const char *path)
{
    char msg[8192];
    int n = invite_text(msg, sizeof msg, call_id, path);
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)sip_port)};
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    sendto(fd, msg, (size_t)n, 0, (struct sockaddr *)&to, sizeof to);
    close(fd);
}

static void write_conf(bool allow_private)
{
    char conf[1024];
    int n = snprintf(conf, sizeof conf,
                     "[core]\nstats = yes\nstats_format = json\n"
                     "[stir]\nfetch = yes\nfetch_timeout = 1s\nfetch_ca_file = %s/cert.pem\n"
                     "fetch_allow_private = %s\n",
                     dir, allow_private ? "yes" : "no");
    ck_assert_int_eq(write_file(CONF, conf, (size_t)n), 0);
}

/* sipnab with fetch on, reading INPUTS (NULL-terminated argv words); waits
 * for READY on stderr. */
static pid_t start_capture(bool allow_private, char *const inputs[], const char *ready)
{
    write_conf(allow_private);
    char *argv[32] = {(char *)sipnab_bin(),
                      "-c",
                      CONF,
                      "--module-path",
                      MODULES,
                      "--stir-shaken",
                      "--stir-trust",
                      STIR "/pki/trust",
                      "--dialogs-json"};
    int n = 9;
    for (int i = 0; inputs[i] && n < 31; i++)
        argv[n++] = inputs[i];
    argv[n] = NULL;
    pid_t pid = run_bg(argv, OUT, ERR);
    ck_assert_msg(wait_for_text(ERR, ready, 10), "no start");
    usleep(300000);
    return pid;
}

/* SIGINT prints the dialogs and the counters (the last stdout line).
 * Returns stir_shaken by Call-ID, and the stir_fetches counters in *fetches. */
static json_t *stop_capture(pid_t pid, json_t **fetches)
{
    kill(pid, SIGINT);
    ck_assert_int_eq(run_wait(pid, 15), 0);
    char *out = read_file(OUT);
    json_t *by = json_object();
    *fetches = NULL;
    for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
        json_t *d = json_loads(line, 0, NULL);
        ck_assert_msg(d != NULL, "not JSON: %.80s", line);
        const char *call = json_string_value(json_object_get(d, "call_id"));
        if (call)
            json_object_set(by, call, json_object_get(d, "stir_shaken"));
        else if (json_object_get(d, "stir_verifications")) {
            json_decref(*fetches);
            *fetches = json_incref(json_object_get(d, "stir_fetches"));
        }
        json_decref(d);
    }
    free(out);
    return by;
}

/* A live run on lo: the INVITEs are sent, then the run is stopped. */
static json_t *live_run(bool allow_private, const char *const calls[][2], size_t n_calls,
                        const char *again, int wait_ms, json_t **fetches)
{
    sip_port = free_tcp_port();
    char port[16], want[64];
    snprintf(port, sizeof port, "%d", sip_port);
    snprintf(want, sizeof want, "pcap: lo: capturing (filter: udp port %d)", sip_port);
    pid_t pid =
        start_capture(allow_private, (char *[]){"-d", "lo", "udp", "port", port, NULL}, want);
    for (size_t i = 0; i < n_calls; i++)
        send_invite(calls[i][0], calls[i][1]);
    usleep((useconds_t)wait_ms * 1000);
    if (again) { /* a later call for a chain fetched already: from the cache */
        send_invite(again, "/chain.pem");
        usleep(500000);
    }
    return stop_capture(pid, fetches);
}

static const char *field(json_t *by, const char *call, const char *key)
{
    json_t *s = json_object_get(by, call);
    ck_assert_msg(json_is_object(s), "%s: no stir_shaken", call);
    return json_string_value(json_object_get(s, key));
}

static long long count(json_t *fetches, const char *result)
{
    return json_integer_value(json_object_get(fetches, result));
}

START_TEST(live_fetch_verifies_and_refuses)
{
    if (geteuid() != 0) {
        fprintf(stderr, "it_check_stir_fetch: SKIPPED, live capture needs root\n");
        return;
    }
    start_server();
    static const char *const calls[][2] = {
        {"fetch-ok@test", "/chain.pem"},      {"fetch-big@test", "/big.pem"},
        {"fetch-slow@test", "/slow.pem"},     {"fetch-missing@test", "/missing.pem"},
        {"fetch-stream@test", "/stream.pem"},
    };
    json_t *fetches;
    json_t *by = live_run(true, calls, 5, "fetch-again@test", 3000, &fetches); /* > fetch_timeout */
    char *err = read_file(ERR);
    ck_assert_msg(strstr(err, "fetch_allow_private = yes"), "no warning: %s", err);
    free(err);
    ck_assert_str_eq(field(by, "fetch-ok@test", "result"), "valid");
    ck_assert_str_eq(field(by, "fetch-ok@test", "reason"), "ok");
    ck_assert_str_eq(field(by, "fetch-ok@test", "spc"), "7Z1A");
    ck_assert_str_eq(field(by, "fetch-again@test", "result"), "valid");
    ck_assert_str_eq(field(by, "fetch-big@test", "reason"), "cert_unavailable");
    ck_assert_str_eq(field(by, "fetch-slow@test", "reason"), "cert_unavailable");
    ck_assert_str_eq(field(by, "fetch-missing@test", "reason"), "cert_unavailable");
    ck_assert_str_eq(field(by, "fetch-stream@test", "reason"), "cert_unavailable");
    ck_assert_ptr_nonnull(fetches);
    ck_assert_int_eq(count(fetches, "ok"), 1);
    ck_assert_int_eq(count(fetches, "too_large"), 2); /* Content-Length, and streamed */
    ck_assert_int_eq(count(fetches, "timeout"), 1);
    ck_assert_int_eq(count(fetches, "http_error"), 1);
    ck_assert_int_eq(count(fetches, "refused_address"), 0);
    ck_assert_int_eq(count(fetches, "cache_hit"), 1);
    json_decref(fetches);
    json_decref(by);

    /* Without fetch_allow_private the loopback server is refused. */
    static const char *const ok_call[][2] = {{"fetch-refused@test", "/chain.pem"}};
    by = live_run(false, ok_call, 1, NULL, 3000, &fetches);
    ck_assert_str_eq(field(by, "fetch-refused@test", "reason"), "cert_unavailable");
    ck_assert_ptr_nonnull(fetches);
    ck_assert_int_eq(count(fetches, "refused_address"), 1);
    ck_assert_int_eq(count(fetches, "ok"), 0);
    json_decref(fetches);
    json_decref(by);

    /* Stopped while a fetch is in flight: the held call gets the verdict
     * the PKI gives then, printed with its dialog, and the stop is clean. */
    static const char *const slow_call[][2] = {{"fetch-stopped@test", "/slow.pem"}};
    by = live_run(true, slow_call, 1, NULL, 300, &fetches);
    ck_assert_str_eq(field(by, "fetch-stopped@test", "reason"), "cert_unavailable");
    ck_assert_int_eq(count(fetches, "timeout"), 0);
    json_decref(fetches);
    json_decref(by);
    stop_server();
    unlink(CONF);
}
END_TEST

/* HEP input is live traffic captured elsewhere: it fetches (no root
 * needed: the INVITE arrives in a HEP3 datagram on loopback). */
START_TEST(hep_input_fetches)
{
    start_server();
    int hep_port = free_udp_port();
    char listen[48];
    snprintf(listen, sizeof listen, "udp:127.0.0.1:%d", hep_port);
    pid_t pid = start_capture(true, (char *[]){"-L", listen, NULL}, "hep: listening on");
    char msg[8192];
    int n = invite_text(msg, sizeof msg, "fetch-hep@test", "/chain.pem");
    hep_packet_t p = {.version = 3,
                      .ip_family = 4,
                      .ip_proto = 17,
                      .sport = 5060,
                      .dport = 5060,
                      .ts_sec = (uint32_t)time(NULL),
                      .proto_type = 1,
                      .capture_id = 7,
                      .payload = (const uint8_t *)msg,
                      .payload_len = (uint32_t)n};
    p.src.family = p.dst.family = 4;
    inet_pton(AF_INET, "192.0.2.10", p.src.a);
    inet_pton(AF_INET, "198.51.100.20", p.dst.a);
    uint8_t pkt[9000];
    long len = hep_encode_v3(&p, false, pkt, sizeof pkt);
    ck_assert_int_gt(len, n);
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)hep_port)};
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    ck_assert_int_eq(sendto(fd, pkt, (size_t)len, 0, (struct sockaddr *)&to, sizeof to), len);
    close(fd);
    usleep(1500000);
    json_t *fetches;
    json_t *by = stop_capture(pid, &fetches);
    char *err = read_file(ERR);
    ck_assert_msg(!strstr(err, "never fetches"), "%s", err);
    free(err);
    ck_assert_str_eq(field(by, "fetch-hep@test", "result"), "valid");
    ck_assert_ptr_nonnull(fetches);
    ck_assert_int_eq(count(fetches, "ok"), 1);
    json_decref(fetches);
    json_decref(by);
    stop_server();
    unlink(CONF);
}
END_TEST

/* A capture file never fetches, even with fetch = yes and the server up. */
START_TEST(file_input_never_fetches)
{
    start_server();
    char msg[8192];
    int n = invite_text(msg, sizeof msg, "file@test", "/chain.pem");
    char path[128];
    snprintf(path, sizeof path, "%s/call.pcap", dir);
    FILE *pcap = snb_pcapw_open(path, 1);
    snb_tb_t b;
    snb_tb_init(&b, msg, (size_t)n);
    snb_tb_udp(&b, 5060, 5060);
    snb_tb_ipv4(&b, "192.0.2.10", "198.51.100.20", 17);
    snb_tb_eth(&b, 0x0800);
    ck_assert_int_eq(snb_pcapw_put(pcap, (uint64_t)time(NULL) * 1000000, b.p, b.len), 0);
    snb_tb_free(&b);
    ck_assert_int_eq(snb_pcapw_close(pcap), 0);
    write_conf(true);
    char *argv[] = {(char *)sipnab_bin(),
                    "-c",
                    CONF,
                    "--module-path",
                    MODULES,
                    "-N",
                    "-I",
                    path,
                    "--stir-shaken",
                    "--stir-trust",
                    STIR "/pki/trust",
                    "--dialogs-json",
                    NULL};
    run_result_t r = run_cmd(argv, 60);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_msg(strstr(r.err, "file input never fetches x5u"), "%s", r.err);
    ck_assert_ptr_null(strstr(strstr(r.err, "never fetches") + 1, "never fetches")); /* once */
    ck_assert_ptr_nonnull(strstr(r.out, "\"reason\":\"cert_unavailable\""));
    /* the counters line: no fetch of any kind */
    const char *last = r.out;
    for (const char *p = r.out; *p; p++)
        if (*p == '\n' && p[1]) last = p + 1;
    json_t *st = json_loads(last, JSON_DISABLE_EOF_CHECK, NULL);
    ck_assert_ptr_nonnull(st);
    json_t *fetches = json_object_get(st, "stir_fetches");
    const char *k;
    json_t *v;
    json_object_foreach(fetches, k, v) ck_assert_int_eq(json_integer_value(v), 0);
    json_decref(st);
    run_free(&r);
    stop_server();
    unlink(CONF);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("it_stir_fetch");
    TCase *tc = tcase_create("stir_fetch");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, live_fetch_verifies_and_refuses);
    tcase_add_test(tc, file_input_never_fetches);
    tcase_add_test(tc, hep_input_fetches);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
