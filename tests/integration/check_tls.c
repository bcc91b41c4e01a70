/* SIP over TLS through the real binary (issue 11.3): the TLS 1.2 and 1.3
 * connections of sip-tls-keylog decrypted with its NSS key log, the same
 * packets in sip-tls-dsb.pcapng with the keys in a Decryption Secrets
 * Block; the dialogs say transport TLS. Without keys, with wrong keys and
 * with a key log that cannot be read, the run is clean and counted. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_run.h"
#include "run_util.h"

/* The two dialogs of both captures, as Wireshark decrypts them. */
static void check_tls_dialogs(const char *out)
{
    int dialogs = 0, reg = 0, call = 0;
    char *copy = strdup(out);
    for (char *line = strtok(copy, "\n"); line; line = strtok(NULL, "\n")) {
        json_error_t e;
        json_t *d = json_loads(line, 0, &e);
        ck_assert_msg(d != NULL, "bad JSON: %s", line);
        dialogs++;
        const char *cid = json_string_value(json_object_get(d, "call_id"));
        ck_assert_str_eq(json_string_value(json_object_get(d, "transport")), "TLS");
        if (!strcmp(cid, "tls-reg-0001@corpus.test")) {
            reg++;
            ck_assert_int_eq(json_integer_value(json_object_get(d, "msg_count")), 4);
            ck_assert_int_eq(json_integer_value(json_object_get(d, "final_code")), 200);
        } else if (!strcmp(cid, "tls-call-0001@corpus.test")) {
            call++;
            ck_assert_int_eq(json_integer_value(json_object_get(d, "msg_count")), 7);
            ck_assert_str_eq(json_string_value(json_object_get(d, "state")), "Completed");
        }
        json_decref(d);
    }
    free(copy);
    ck_assert_int_eq(dialogs, 2);
    ck_assert_int_eq(reg, 1);
    ck_assert_int_eq(call, 1);
}

static run_result_t run(const char *capture, const char *flag, const char *value,
                        const char *output)
{
    char *cap = data_path(capture);
    char *argv[] = {(char *)sipnab_bin(), "-c",         "/dev/null",   "-N", "-I", cap,
                    (char *)output,       (char *)flag, (char *)value, NULL};
    run_result_t r = run_cmd(argv, 60);
    free(cap);
    return r;
}

/* --stats --json: the last line of stdout. */
static json_t *stats_of(const run_result_t *r)
{
    size_t n = strlen(r->out);
    while (n && r->out[n - 1] == '\n')
        n--;
    const char *line = memrchr(r->out, '\n', n);
    line = line ? line + 1 : r->out;
    json_error_t e;
    return json_loadb(line, n - (size_t)(line - r->out), 0, &e);
}

static long labelled(json_t *stats, const char *metric, const char *label)
{
    return (long)json_integer_value(json_object_get(json_object_get(stats, metric), label));
}

START_TEST(keylog_decrypts_tls12_and_tls13)
{
    char *keys = data_path("sip-tls-keylog.keys");
    run_result_t r = run("sip-tls-keylog.pcap", "--tls-keylog", keys, "--dialogs-json");
    ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
    check_tls_dialogs(r.out);
    run_free(&r);
    r = run("sip-tls-keylog.pcap", "--tls-keylog", keys, "--json");
    ck_assert_int_eq(r.status, 0);
    int messages = 0;
    for (const char *p = r.out; (p = strstr(p, "\"transport\":\"TLS\"")); p++)
        messages++;
    ck_assert_int_eq(messages, 11);
    run_free(&r);
    free(keys);
}
END_TEST

START_TEST(dsb_found_in_the_capture)
{
    run_result_t r = run("sip-tls-dsb.pcapng", "--load", "tls", "--dialogs-json");
    ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
    check_tls_dialogs(r.out);
    run_free(&r);
}
END_TEST

START_TEST(counters_of_a_decrypted_capture)
{
    char *cap = data_path("sip-tls-dsb.pcapng");
    char *argv[] = {(char *)sipnab_bin(),
                    "-c",
                    "/dev/null",
                    "-I",
                    cap,
                    "--load",
                    "tls",
                    "--stats",
                    "--json",
                    "-o",
                    "sip.output=none",
                    NULL};
    run_result_t r = run_cmd(argv, 60);
    ck_assert_int_eq(r.status, 0);
    json_t *s = stats_of(&r);
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(json_int(s, "tls_secrets_blocks"), 1);
    ck_assert_int_eq(json_int(s, "tls_keylog_lines"), 5);
    ck_assert_int_eq(labelled(s, "tls_handshakes", "1.2"), 1);
    ck_assert_int_eq(labelled(s, "tls_handshakes", "1.3"), 1);
    ck_assert_int_eq(labelled(s, "tls_sessions", "decrypted"), 2);
    ck_assert_int_eq(labelled(s, "tls_records", "failed"), 0);
    ck_assert_int_gt(labelled(s, "tls_records", "decrypted"), 11);
    ck_assert_int_eq(json_int(s, "sip_messages"), 11);
    json_decref(s);
    run_free(&r);
    free(cap);
}
END_TEST

/* A key log without these sessions: nothing decrypted, each session and
 * record counted as without keys. */
START_TEST(no_keys_counted)
{
    char *cap = data_path("sip-tls-keylog.pcap");
    char *argv[] = {(char *)sipnab_bin(), "-c",        "/dev/null", "-I",     cap,
                    "--tls-keylog",       "/dev/null", "--stats",   "--json", "-o",
                    "sip.output=none",    NULL};
    run_result_t r = run_cmd(argv, 60);
    ck_assert_int_eq(r.status, 0);
    json_t *s = stats_of(&r);
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(json_int(s, "sip_messages"), 0);
    ck_assert_int_eq(labelled(s, "tls_sessions", "no_keys"), 2);
    ck_assert_int_gt(labelled(s, "tls_records", "no_keys"), 0);
    ck_assert_int_eq(labelled(s, "tls_records", "failed"), 0);
    json_decref(s);
    run_free(&r);
    free(cap);
}
END_TEST

/* Keys that do not belong: every record fails its tag, counted; no SIP,
 * no crash, exit 0. */
START_TEST(wrong_keys_counted)
{
    char *keys_path = data_path("sip-tls-keylog.keys");
    char *text = read_file(keys_path);
    ck_assert_ptr_nonnull(text);
    /* flip one hex digit of every secret (the last of each line) */
    for (char *nl = strchr(text, '\n'); nl; nl = strchr(nl + 1, '\n'))
        if (nl > text && nl[-1] != 'f' && nl[-1] != '\n') nl[-1] = nl[-1] == '0' ? '1' : '0';
    char wrong[] = "/tmp/sipnab-tls-wrong-XXXXXX";
    int fd = mkstemp(wrong);
    ck_assert_int_ge(fd, 0);
    close(fd);
    ck_assert_int_eq(write_file(wrong, text, strlen(text)), 0);
    char *cap = data_path("sip-tls-keylog.pcap");
    char *argv[] = {(char *)sipnab_bin(), "-c",  "/dev/null", "-I",     cap,
                    "--tls-keylog",       wrong, "--stats",   "--json", "-o",
                    "sip.output=none",    NULL};
    run_result_t r = run_cmd(argv, 60);
    ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
    json_t *s = stats_of(&r);
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(json_int(s, "sip_messages"), 0);
    ck_assert_int_gt(labelled(s, "tls_records", "failed"), 0);
    ck_assert_int_eq(labelled(s, "tls_records", "decrypted"), 0);
    ck_assert_int_eq(labelled(s, "tls_sessions", "failed"), 2);
    json_decref(s);
    run_free(&r);
    unlink(wrong);
    free(cap);
    free(text);
    free(keys_path);
}
END_TEST

/* A key log whose last line has no newline (written by hand): still read. */
START_TEST(keylog_without_final_newline)
{
    char *keys_path = data_path("sip-tls-keylog.keys");
    char *text = read_file(keys_path);
    ck_assert_ptr_nonnull(text);
    size_t n = strlen(text);
    while (n && text[n - 1] == '\n')
        n--;
    /* the TLS 1.2 secret last, without its newline */
    char *line = strstr(text, "CLIENT_RANDOM");
    ck_assert_ptr_nonnull(line);
    char *eol = strchr(line, '\n');
    char reordered[4096];
    int k = snprintf(reordered, sizeof reordered, "%.*s%.*s\n%.*s", (int)(line - text), text,
                     (int)(text + n - eol - 1), eol + 1, (int)(eol - line), line);
    char path[] = "/tmp/sipnab-tls-nonl-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    ck_assert_int_eq(write_file(path, reordered, (size_t)k), 0);
    run_result_t r = run("sip-tls-keylog.pcap", "--tls-keylog", path, "--dialogs-json");
    ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
    check_tls_dialogs(r.out);
    run_free(&r);
    unlink(path);
    free(text);
    free(keys_path);
}
END_TEST

/* A key log that grows while we capture (an application writing it as
 * it connects): the capture comes through a pipe, the TLS 1.3 secrets are
 * written half way, after the INVITE went by. The file is read again when
 * records arrive without keys (at most once a second of capture time): the
 * BYE's record (2.6 s later) finds them, so the records after it are
 * opened, at the sequence numbers they had. */
START_TEST(keylog_written_while_capturing)
{
    char *cap_path = data_path("sip-tls-keylog.pcap");
    char *keys_path = data_path("sip-tls-keylog.keys");
    char *cap = read_file(cap_path), *keys = read_file(keys_path);
    ck_assert_ptr_nonnull(cap);
    ck_assert_ptr_nonnull(keys);
    /* the capture up to and with frame 26 (the INVITE), then the rest */
    struct stat st;
    ck_assert_int_eq(stat(cap_path, &st), 0);
    size_t cap_len = (size_t)st.st_size, split = 24;
    for (int frame = 1; frame <= 26; frame++) {
        uint32_t caplen;
        memcpy(&caplen, cap + split + 8, 4);
        split += 16 + caplen;
    }
    char log_path[] = "/tmp/sipnab-tls-grow-XXXXXX";
    int fd = mkstemp(log_path);
    ck_assert_int_ge(fd, 0);
    char *tls12 = strstr(keys, "CLIENT_RANDOM"), *tls12_end = strchr(tls12, '\n') + 1;
    ck_assert_int_eq(write(fd, tls12, (size_t)(tls12_end - tls12)), tls12_end - tls12);
    char out_path[] = "/tmp/sipnab-tls-grow-out-XXXXXX";
    close(mkstemp(out_path));
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s -c /dev/null -N -I - --tls-keylog %s --json > %s", sipnab_bin(),
             log_path, out_path);
    FILE *in = popen(cmd, "w");
    ck_assert_ptr_nonnull(in);
    ck_assert_uint_eq(fwrite(cap, 1, split, in), split);
    fflush(in);
    sleep(1); /* let it read the first part */
    /* the TLS 1.3 lines: every line but the CLIENT_RANDOM one */
    ck_assert_int_eq(write(fd, keys, (size_t)(tls12 - keys)), tls12 - keys);
    size_t rest = strlen(tls12_end);
    ck_assert_int_eq(write(fd, tls12_end, rest), (ssize_t)rest);
    close(fd);
    ck_assert_uint_eq(fwrite(cap + split, 1, cap_len - split, in), cap_len - split);
    ck_assert_int_eq(pclose(in), 0);
    char *out = read_file(out_path);
    ck_assert_ptr_nonnull(out);
    int messages = 0;
    for (const char *p = out; (p = strstr(p, "\"transport\":\"TLS\"")); p++)
        messages++;
    /* the REGISTER dialog's 4, and the 200 OK to the BYE */
    ck_assert_int_eq(messages, 5);
    ck_assert_ptr_nonnull(strstr(out, "\"cseq_method\":\"BYE\""));
    unlink(log_path);
    unlink(out_path);
    free(out);
    free(cap);
    free(keys);
    free(cap_path);
    free(keys_path);
}
END_TEST

START_TEST(unreadable_keylog_is_a_config_error)
{
    run_result_t r = run("sip-tls-keylog.pcap", "--tls-keylog", "/nonexistent/keys", "--report");
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "--tls-keylog"));
    ck_assert_ptr_nonnull(strstr(r.err, "/nonexistent/keys"));
    run_free(&r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("tls");
    TCase *tc = tcase_create("tls");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, keylog_decrypts_tls12_and_tls13);
    tcase_add_test(tc, dsb_found_in_the_capture);
    tcase_add_test(tc, counters_of_a_decrypted_capture);
    tcase_add_test(tc, no_keys_counted);
    tcase_add_test(tc, wrong_keys_counted);
    tcase_add_test(tc, keylog_without_final_newline);
    tcase_add_test(tc, keylog_written_while_capturing);
    tcase_add_test(tc, unreadable_keylog_is_a_config_error);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
