/* The security module through the real binary, on the labelled captures of
 * tests/data/security (real SIPVicious, sipsak and SIPp runs against a small
 * PBX, and benign look-alikes; NAME.truth.json gives every source's class)
 * and on sipvicious-scan.pcap:
 *
 *  - every source's class (the most specific alert type it raised, or
 *    benign when it raised none) equals its truth verdict or an acceptable
 *    one, with the tool User-Agent list on and off (behaviour alone);
 *  - Debian's fail2ban-regex, with our shipped filter, finds exactly the
 *    attacking hosts in our real --fail2ban output, and the spec's own
 *    failregex lines match the SCANNER and REG_FLOOD lines;
 *  - the counter, the dialog annotation and its filter field, the --report
 *    table, the kill-scanner dry run and one-line errors for bad flags. */
#include <check.h>
#include <dirent.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run_util.h"

#define SECURITY_DIR SNB_TEST_DATA_DIR "/security"

static run_result_t sipnab(char *const args[])
{
    char *argv[40] = {(char *)sipnab_bin(), "-c", "/dev/null", "-N", "--load", "security"};
    int n = 6;
    for (int i = 0; args[i] && n < 39; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    return run_cmd(argv, 120);
}

/* Most specific first: a cracker that also enumerated is a cracker. */
static const char *const class_order[] = {"toll_fraud",   "wangiri",   "bruteforce",
                                          "invite_flood", "reg_flood", "options_flood",
                                          "scanner",      NULL};

static int class_rank(const char *type)
{
    for (int i = 0; class_order[i]; i++)
        if (!strcmp(class_order[i], type)) return i;
    return 99;
}

/* {source: class} from --alerts-json output. */
static json_t *classes_of(const char *out)
{
    json_t *classes = json_object();
    char *copy = strdup(out);
    for (char *save, *line = strtok_r(copy, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        json_error_t e;
        json_t *a = json_loads(line, 0, &e);
        ck_assert_msg(a != NULL, "not JSON: %.120s", line);
        const char *src = json_string_value(json_object_get(a, "source"));
        const char *type = json_string_value(json_object_get(a, "type"));
        ck_assert_ptr_nonnull(src);
        ck_assert_ptr_nonnull(type);
        const char *had = json_string_value(json_object_get(classes, src));
        if (!had || class_rank(type) < class_rank(had))
            json_object_set_new(classes, src, json_string(type));
        json_decref(a);
    }
    free(copy);
    return classes;
}

static bool acceptable(json_t *source, const char *expected, const char *got)
{
    if (!strcmp(expected, got)) return true;
    json_t *alts = json_object_get(source, "acceptable_verdicts");
    size_t i;
    json_t *v;
    json_array_foreach(alts, i,
                       v) if (json_is_string(v) && !strcmp(json_string_value(v), got)) return true;
    return false;
}

/* Compare one capture's classes with its truth; prints the table row of
 * every source, returns the number of mismatches. */
static int check_capture(const char *pcap, json_t *truth, char *const extra[])
{
    char *args[16] = {"-I", (char *)pcap, "--alerts-json"};
    int n = 3;
    for (int i = 0; extra && extra[i]; i++)
        args[n++] = extra[i];
    args[n] = NULL;
    run_result_t r = sipnab(args);
    ck_assert_msg(r.status == 0, "%s: exit %d: %s", pcap, r.status, r.err);
    json_t *classes = classes_of(r.out);
    json_t *verdicts = json_object_get(truth, "verdicts");
    json_t *sources = json_object_get(truth, "sources");
    int bad = 0;
    const char *ip;
    json_t *v;
    json_object_foreach(verdicts, ip, v)
    {
        const char *expected = json_string_value(v);
        const char *got = json_string_value(json_object_get(classes, ip));
        if (!got) got = "benign";
        bool ok = acceptable(json_object_get(sources, ip), expected, got);
        if (!ok || strcmp(expected, "benign"))
            printf("  %-40s %-15s expected %-13s got %-13s %s\n", strrchr(pcap, '/') + 1, ip,
                   expected, got, ok ? "ok" : "MISMATCH");
        bad += !ok;
    }
    /* Every source that raised something is a known one. */
    json_object_foreach(classes, ip, v) if (!json_object_get(verdicts, ip))
    {
        printf("  %s: alert for %s, which is not in the truth\n", pcap, ip);
        bad++;
    }
    json_decref(classes);
    run_free(&r);
    return bad;
}

static int check_all(char *const extra[])
{
    DIR *dir = opendir(SECURITY_DIR);
    ck_assert_ptr_nonnull(dir);
    int bad = 0, captures = 0;
    struct dirent *e;
    while ((e = readdir(dir))) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".pcap")) continue;
        char pcap[1024], truth_path[1024];
        snprintf(pcap, sizeof pcap, "%s/%s", SECURITY_DIR, e->d_name);
        snprintf(truth_path, sizeof truth_path, "%s/%.*s.truth.json", SECURITY_DIR, (int)(len - 5),
                 e->d_name);
        json_error_t err;
        json_t *truth = json_load_file(truth_path, 0, &err);
        ck_assert_msg(truth != NULL, "%s: %s", truth_path, err.text);
        bad += check_capture(pcap, truth, extra);
        json_decref(truth);
        captures++;
    }
    closedir(dir);
    ck_assert_int_ge(captures, 11);
    /* SIPVicious (svmap, svwar, svcrack against one host) from 127.0.0.1,
     * which is also the scanned host. */
    json_t *truth = json_pack("{s:{s:s}, s:{}}", "verdicts", "127.0.0.1", "scanner", "sources");
    char *svc = data_path("sipvicious-scan.pcap");
    bad += check_capture(svc, truth, extra);
    free(svc);
    json_decref(truth);
    return bad;
}

START_TEST(every_source_classified_as_truth)
{
    ck_assert_int_eq(check_all(NULL), 0);
}
END_TEST

/* A scanner with a blank or forged User-Agent is still caught: the same
 * verdicts from behaviour alone (no User-Agent list, no header fingerprints). */
START_TEST(behaviour_alone_classifies_as_truth)
{
    ck_assert_int_eq(check_all((char *[]){"-o", "security.builtin_ua=no", "-o",
                                          "security.fingerprints=no", NULL}),
                     0);
}
END_TEST

/* Thresholds are options: an absurd one silences the flood. */
START_TEST(thresholds_are_options)
{
    char *cap = data_path("security/flood-options.pcap");
    run_result_t r = sipnab((char *[]){"-I", cap, "--alerts-json", NULL});
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "\"options_flood\""));
    run_free(&r);
    r = sipnab((char *[]){"-I", cap, "--alerts-json", "-o", "security.options_rate=100000", NULL});
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_null(strstr(r.out, "\"options_flood\""));
    run_free(&r);
    free(cap);
}
END_TEST

/* ---- fail2ban ---- */

/* The tool's path (run_cmd does not search PATH), or "" when missing. */
static char fail2ban_regex[512];

static bool have_fail2ban_regex(void)
{
    FILE *p = popen("command -v fail2ban-regex 2>/dev/null", "r");
    if (!p) return false;
    if (!fgets(fail2ban_regex, sizeof fail2ban_regex, p)) fail2ban_regex[0] = '\0';
    pclose(p);
    fail2ban_regex[strcspn(fail2ban_regex, "\n")] = '\0';
    return fail2ban_regex[0] == '/';
}

/* fail2ban-regex -o ip LOG FILTER: one line per matched line. */
static char *fail2ban_ips(const char *log, const char *filter)
{
    char *argv[] = {fail2ban_regex, "-o", "ip", (char *)log, (char *)filter, NULL};
    run_result_t r = run_cmd(argv, 60);
    ck_assert_msg(r.status == 0, "fail2ban-regex: exit %d: %s", r.status, r.err);
    char *out = strdup(r.out);
    run_free(&r);
    return out;
}

static int count_lines_equal(const char *text, const char *line)
{
    int n = 0;
    size_t len = strlen(line);
    for (const char *p = text; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t l = nl ? (size_t)(nl - p) : strlen(p);
        if (l == len && !strncmp(p, line, len)) n++;
        p = nl ? nl + 1 : NULL;
    }
    return n;
}

START_TEST(fail2ban_regex_matches_the_attackers)
{
    if (!have_fail2ban_regex()) {
        printf("SKIP fail2ban: fail2ban-regex not installed (scripts/deps.sh installs it)\n");
        return;
    }
    /* Real output for three captures: two crackers, a REGISTER flood, and
     * a benign one (nothing). */
    const char *caps[] = {"security/bruteforce-svcrack.pcap", "security/flood-register.pcap",
                          "security/benign-pbx-restart.pcap", "security/scan-svmap-sweep.pcap"};
    char log[] = "/tmp/sipnab-f2b-XXXXXX";
    int fd = mkstemp(log);
    ck_assert_int_ge(fd, 0);
    size_t lines = 0;
    for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) {
        char *cap = data_path(caps[i]);
        run_result_t r = sipnab((char *[]){"-I", cap, "--fail2ban", NULL});
        ck_assert_int_eq(r.status, 0);
        ck_assert_int_eq(write(fd, r.out, strlen(r.out)), (ssize_t)strlen(r.out));
        for (const char *p = r.out; *p; p++)
            lines += *p == '\n';
        run_free(&r);
        free(cap);
    }
    close(fd);
    ck_assert_uint_gt(lines, 0);
    char *filter = SNB_SOURCE_DIR "/contrib/fail2ban/filter.d/sipnab.conf";
    char *ips = fail2ban_ips(log, filter);
    /* Every line matched, and only the attackers. */
    int matched = 0;
    for (const char *p = ips; *p; p++)
        matched += *p == '\n';
    ck_assert_int_eq(matched, (int)lines);
    const char *attackers[] = {"127.0.66.40", "127.0.66.41", "127.0.66.50", "127.0.66.10",
                               "127.0.66.11"};
    int found = 0;
    for (size_t i = 0; i < sizeof attackers / sizeof attackers[0]; i++) {
        int n = count_lines_equal(ips, attackers[i]);
        ck_assert_msg(n >= 1, "fail2ban found no line for %s in:\n%s", attackers[i], ips);
        found += n;
    }
    ck_assert_int_eq(found, matched); /* nobody else (no phone, no PBX) */
    free(ips);

    /* The spec's example failregex lines match our SCANNER and REG_FLOOD lines. */
    char spec[] = "/tmp/sipnab-f2b-spec-XXXXXX";
    fd = mkstemp(spec);
    const char *conf = "[Definition]\nfailregex = ^.*SCANNER.*from=<HOST>.*$\n"
                       "            ^.*REG_FLOOD.*from=<HOST>.*$\nignoreregex =\n";
    ck_assert_int_eq(write(fd, conf, strlen(conf)), (ssize_t)strlen(conf));
    close(fd);
    ips = fail2ban_ips(log, spec);
    ck_assert_int_ge(count_lines_equal(ips, "127.0.66.50"), 1); /* REG_FLOOD */
    ck_assert_int_ge(count_lines_equal(ips, "127.0.66.10"), 1); /* SCANNER */
    free(ips);
    unlink(spec);
    unlink(log);
}
END_TEST

/* ---- the platform pieces ---- */

START_TEST(counter_annotation_and_report)
{
    char *cap = data_path("security/wangiri-one-ring.pcap");
    run_result_t r = sipnab((char *[]){"-I", cap, "--stats", "--json", NULL});
    ck_assert_int_eq(r.status, 0);
    /* --stats --json is the last line. */
    size_t len = strlen(r.out);
    while (len && r.out[len - 1] == '\n')
        r.out[--len] = '\0';
    char *last = strrchr(r.out, '\n');
    json_error_t e;
    json_t *stats = json_loads(last ? last + 1 : r.out, 0, &e);
    ck_assert_msg(stats != NULL, "%s", e.text);
    json_t *alerts = json_object_get(stats, "security_alerts");
    ck_assert_int_eq(json_integer_value(json_object_get(alerts, "wangiri")), 1);
    ck_assert_int_eq(json_integer_value(json_object_get(alerts, "scanner")), 0);
    json_decref(stats);
    run_free(&r);

    /* The dialogs of the one-ring calls carry the annotation, and the
     * filter field picks them (and only them). */
    r = sipnab(
        (char *[]){"-I", cap, "--dialogs-json", "--filter", "security.alert == 'wangiri'", NULL});
    ck_assert_int_eq(r.status, 0);
    int dialogs = 0;
    for (char *save, *line = strtok_r(r.out, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        json_t *d = json_loads(line, 0, &e);
        ck_assert_ptr_nonnull(d);
        json_t *s = json_object_get(d, "security");
        ck_assert_str_eq(json_string_value(json_object_get(s, "source")), "127.0.50.9");
        ck_assert_str_eq(json_string_value(json_array_get(json_object_get(s, "alerts"), 0)),
                         "wangiri");
        dialogs++;
        json_decref(d);
    }
    ck_assert_int_ge(dialogs, 30);
    ck_assert_int_le(dialogs, 60);
    run_free(&r);

    r = sipnab((char *[]){"-I", cap, "--report", NULL});
    ck_assert_int_eq(r.status, 0);
    char *table = strstr(r.out, "\nSecurity alerts\n");
    ck_assert_ptr_nonnull(table);
    ck_assert_ptr_nonnull(strstr(table, "wangiri"));
    ck_assert_ptr_nonnull(strstr(table, "127.0.50.9:5060"));
    run_free(&r);
    free(cap);
}
END_TEST

static int count_text(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

/* /metrics (the http module) serves sipnab_security_alerts_total{type}
 * once: the real family, not also the placeholder the API keeps for when
 * no detector is loaded. */
START_TEST(metrics_family_once)
{
    if (access("/usr/bin/curl", X_OK) != 0) {
        printf("SKIP metrics: needs curl\n");
        return;
    }
    char *cap = data_path("security/scan-svmap-sweep.pcap");
    const char *key = "security-test-key-0123456789";
    char listen[32], url[64], auth[96], out[] = "/tmp/sipnab-sec-api-XXXXXX",
                                        err[] = "/tmp/sipnab-sec-api-err-XXXXXX";
    int port = 20000 + getpid() % 20000;
    snprintf(listen, sizeof listen, "127.0.0.1:%d", port);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/metrics", port);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", key);
    close(mkstemp(out));
    close(mkstemp(err));
    char *argv[] = {(char *)sipnab_bin(), "-c", "/dev/null", "-q",    "-N",   "--load",
                    "security",           "-I", cap,         "--api", listen, "--api-key",
                    (char *)key,          NULL};
    pid_t pid = run_bg(argv, out, err);
    char *metrics = NULL;
    for (int i = 0; i < 600 && !metrics; i++) {
        char *curl[] = {"/usr/bin/curl", "-s", "-H", auth, url, NULL};
        run_result_t r = run_cmd(curl, 5);
        if (r.out && strstr(r.out, "\nsipnab_api_feed_complete 1\n")) metrics = strdup(r.out);
        run_free(&r);
        if (!metrics) usleep(50000);
    }
    kill(pid, SIGINT);
    run_wait(pid, 15);
    unlink(out);
    unlink(err);
    free(cap);
    ck_assert_msg(metrics != NULL, "the API never held the whole capture");
    ck_assert_int_eq(count_text(metrics, "# TYPE sipnab_security_alerts_total counter\n"), 1);
    ck_assert_ptr_nonnull(strstr(metrics, "\nsipnab_security_alerts_total{type=\"scanner\"} 2\n"));
    ck_assert_ptr_nonnull(strstr(metrics, "\nsipnab_security_alerts_total{type=\"wangiri\"} 0\n"));
    free(metrics);
}
END_TEST

START_TEST(kill_scanner_dry_run_on_files)
{
    char *cap = data_path("security/scan-svmap-sweep.pcap");
    run_result_t r =
        sipnab((char *[]){"-I", cap, "--kill-scanner", "--kill-response", "404", NULL});
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(
        strstr(r.err, "kill-scanner dry run: would send \"SIP/2.0 404\" from 127.0.10.1:5060 to "
                      "127.0.66.10:5060"));
    run_free(&r);
    /* --kill-ua adds a signature: the keepalive peer's User-Agent. */
    cap = (free(cap), data_path("security/benign-pbx-restart.pcap"));
    r = sipnab((char *[]){"-I", cap, "--alerts-json", "--kill-ua", "^kamailio", NULL});
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "\"source\":\"127.0.50.1\""));
    run_free(&r);
    free(cap);
}
END_TEST

/* The distinct-count sketches (users, hosts) are estimates that move with
 * their hash key; from a file they use a fixed key, so the same capture
 * gives the same alerts, counts and distinct_users every run. With the
 * process's random key, flood-register.pcap (293 users in 489 REGISTERs,
 * just under the 60 % enumeration ratio) gave a different reg_flood alert
 * in nearly every run. */
START_TEST(same_capture_same_alerts)
{
    DIR *dir = opendir(SECURITY_DIR);
    ck_assert_ptr_nonnull(dir);
    int captures = 0;
    for (struct dirent *e; (e = readdir(dir));) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".pcap") != 0) continue;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", SECURITY_DIR, e->d_name);
        char *first = NULL;
        for (int run = 0; run < 4; run++) {
            run_result_t r = sipnab((char *[]){"-I", path, "--alerts-json", NULL});
            ck_assert_int_eq(r.status, 0);
            if (!first) {
                first = strdup(r.out);
            } else if (strcmp(first, r.out) != 0) {
                ck_abort_msg("%s: run %d printed other alerts than run 1", e->d_name, run + 1);
            }
            run_free(&r);
        }
        free(first);
        captures++;
    }
    closedir(dir);
    ck_assert_int_ge(captures, 10);
}
END_TEST

START_TEST(bad_flags_one_line_exit_2)
{
    run_result_t r = sipnab((char *[]){"--kill-ua", "(unclosed", "-I", "/dev/null", NULL});
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "--kill-ua"));
    ck_assert_ptr_null(strchr(r.err, '\n') ? strchr(strchr(r.err, '\n') + 1, '\n') : NULL);
    run_free(&r);
    r = sipnab((char *[]){"--kill-response", "42", "-I", "/dev/null", NULL});
    ck_assert_int_eq(r.status, 2);
    run_free(&r);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("security");
    TCase *tc = tcase_create("security");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, every_source_classified_as_truth);
    tcase_add_test(tc, behaviour_alone_classifies_as_truth);
    tcase_add_test(tc, thresholds_are_options);
    tcase_add_test(tc, fail2ban_regex_matches_the_attackers);
    tcase_add_test(tc, counter_annotation_and_report);
    tcase_add_test(tc, metrics_family_once);
    tcase_add_test(tc, kill_scanner_dry_run_on_files);
    tcase_add_test(tc, same_capture_same_alerts);
    tcase_add_test(tc, bad_flags_one_line_exit_2);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
