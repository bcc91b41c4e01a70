/* Flags become configuration settings. The parser is generic: synthetic
 * owner tables test each rule (instances, shared flags, needs, loading,
 * positional words), and the real modules' tables, read from build/modules
 * as main() reads them, test the flags users type. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "cli.h"
#include "flag_scan.h"

static char *set_text(const snb_cli_set_t *s, char *buf, size_t len)
{
    snprintf(buf, len, "%s%s%s%s.%s%s=%s%s", s->section, s->instance ? "\"" : "",
             s->instance ? s->instance : "", s->instance ? "\"" : "", s->key, s->append ? "+" : "",
             s->value, s->soft ? " (soft)" : "");
    return buf;
}

static void expect_sets_with(const snb_flag_owner_t *owners, size_t n_owners, int argc, char **argv,
                             const char *const *want, size_t n_want)
{
    snb_cli_t cli;
    char err[256];
    ck_assert_msg(snb_cli_parse(&cli, argc, argv, owners, n_owners, err, sizeof err) == 0, "%s",
                  err);
    for (size_t i = 0; i < cli.n_sets && i < n_want; i++) {
        char buf[256];
        ck_assert_str_eq(set_text(&cli.sets[i], buf, sizeof buf), want[i]);
    }
    ck_assert_uint_eq(cli.n_sets, n_want);
    snb_cli_free(&cli);
}

static void expect_error_with(const snb_flag_owner_t *owners, size_t n_owners, int argc,
                              char **argv, const char *message)
{
    snb_cli_t cli;
    char err[256];
    ck_assert_int_ne(snb_cli_parse(&cli, argc, argv, owners, n_owners, err, sizeof err), 0);
    ck_assert_str_eq(err, message);
    snb_cli_free(&cli);
}

/* ---- the real tables ---- */

static snb_flag_catalog_t real;

static void load_real(void)
{
    ck_assert_int_eq(snb_flag_catalog_scan(&real, SNB_BUILD_DIR "/modules"), 0);
    ck_assert_uint_ge(real.n_owners, 6); /* core, hep, http, pcap, rtp, sip */
}

static void unload_real(void)
{
    snb_flag_catalog_free(&real);
}

#define ARGC(a) ((int)(sizeof(a) / sizeof(a)[0]) - 1)

START_TEST(inputs_filter_and_per_input_options)
{
    char *argv[] = {"sipnab", "-N",     "-I",      "a.pcap", "-s",   "1500", "-d", "eth0",
                    "-I",     "b.pcap", "--stats", "udp",    "port", "5060", NULL};
    const char *const want[] = {
        "pcap\"files\".file+=a.pcap",
        "pcap\"eth0\".interface=eth0",
        "pcap\"files\".file+=b.pcap",
        "core.stats=yes",
        /* per-input flags apply to every -I/-d instance, whatever their order */
        "pcap\"files\".snaplen=1500",
        "pcap\"eth0\".snaplen=1500",
        "pcap\"files\".filter=udp port 5060",
        "pcap\"eth0\".filter=udp port 5060",
    };
    expect_sets_with(real.owners, real.n_owners, ARGC(argv), argv, want,
                     sizeof want / sizeof want[0]);
}
END_TEST

START_TEST(overrides_shared_flags_and_core_flags)
{
    char *argv[] = {"sipnab",
                    "-o",
                    "decode.tcp_timeout=1m",
                    "-o",
                    "pcap.lan.file+=x.pcap",
                    "--json",
                    "-q",
                    "--load",
                    "sip",
                    "--module-path",
                    "/m",
                    "--report",
                    NULL};
    const char *const want[] = {
        "decode.tcp_timeout=1m",
        "pcap\"lan\".file+=x.pcap",
        /* --json and --report are declared by several owners: each gets its
         * setting, ignored where the module is not loaded */
        "core.stats_format=json (soft)",
        "sip.json=yes (soft)",
        "core.log_level=warn",
        "core.load+=sip",
        "core.module_path=/m",
        "rtp.report=yes (soft)",
        "security.report=yes (soft)",
        "sip.report=yes (soft)",
    };
    expect_sets_with(real.owners, real.n_owners, ARGC(argv), argv, want,
                     sizeof want / sizeof want[0]);
}
END_TEST

START_TEST(hep_listeners_and_loading)
{
    char *argv[] = {"sipnab",
                    "-L",
                    "udp:0.0.0.0:9060",
                    "--hep-allow",
                    "10.0.0.0/8",
                    "-L",
                    "tcp:127.0.0.1:9061",
                    "--hep-rate-limit",
                    "100",
                    "-H",
                    "10.0.0.50:9060",
                    "--api",
                    "127.0.0.1:8080",
                    "--api-key",
                    "k",
                    NULL};
    const char *const want[] = {
        "hep\"listen1\".listen=udp:0.0.0.0:9060",
        "hep\"listen2\".listen=tcp:127.0.0.1:9061",
        "hep\"mirror\".send=10.0.0.50:9060",
        "http.listen=127.0.0.1:8080",
        "http.api_key=k",
        /* --hep-allow and --hep-rate-limit: every -L listener, not the mirror */
        "hep\"listen1\".allow+=10.0.0.0/8",
        "hep\"listen2\".allow+=10.0.0.0/8",
        "hep\"listen1\".rate_limit=100",
        "hep\"listen2\".rate_limit=100",
        "core.load+=hep",
        "core.load+=http",
    };
    expect_sets_with(real.owners, real.n_owners, ARGC(argv), argv, want,
                     sizeof want / sizeof want[0]);
}
END_TEST

START_TEST(errors_are_one_line)
{
    char *unknown[] = {"sipnab", "-Y", NULL};
    expect_error_with(real.owners, real.n_owners, 2, unknown, "unknown option '-Y'");
    char *unknown_long[] = {"sipnab", "--bogus", NULL};
    expect_error_with(real.owners, real.n_owners, 2, unknown_long, "unknown option '--bogus'");
    char *missing[] = {"sipnab", "-d", NULL};
    expect_error_with(real.owners, real.n_owners, 2, missing, "option '-d' needs a value");
    char *bad_o[] = {"sipnab", "-o", "nodot=1", NULL};
    expect_error_with(real.owners, real.n_owners, 3, bad_o,
                      "-o 'nodot=1': expected section.key=value");
    char *no_eq[] = {"sipnab", "-o", "core.stats", NULL};
    expect_error_with(real.owners, real.n_owners, 3, no_eq,
                      "-o 'core.stats': expected section.key=value");
    char *stray[] = {"sipnab", "port", "5060", NULL};
    expect_error_with(real.owners, real.n_owners, 3, stray,
                      "'port' is not an option; filter words need -I FILE or -d IFACE");
    char *key_alone[] = {"sipnab", "-I", "a.pcap", "--api-key", "k", NULL};
    expect_error_with(real.owners, real.n_owners, 5, key_alone, "--api-key needs --api ADDR:PORT");
    char *allow_alone[] = {"sipnab", "--hep-allow", "10.0.0.0/8", NULL};
    expect_error_with(real.owners, real.n_owners, 3, allow_alone,
                      "--hep-allow needs -L [udp:|tcp:]ADDR:PORT");
}
END_TEST

START_TEST(modes)
{
    char *argv[] = {"sipnab", "-c", "/etc/x.conf", "-T", NULL};
    snb_cli_t cli;
    char err[256];
    ck_assert_int_eq(snb_cli_parse(&cli, 4, argv, real.owners, real.n_owners, err, sizeof err), 0);
    ck_assert_str_eq(cli.config_path, "/etc/x.conf");
    ck_assert(cli.dump_config && !cli.test_config && !cli.help);
    ck_assert_uint_eq(cli.n_sets, 0);
    snb_cli_free(&cli);
}
END_TEST

/* --help lists every flag of every module, grouped, the core naming none. */
START_TEST(usage_lists_every_flag_by_module)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    snb_cli_usage(f, real.owners, real.n_owners);
    fclose(f);
    const char *want[] = {"\nCore:\n",
                          "\nModule sip (",
                          "\nModule rtp (",
                          "\nModule hep (",
                          "--report",
                          "--filter EXPR",
                          "--streams-json",
                          "--dialogs-json",
                          "--call-report CALL-ID",
                          "-L, --hep-listen",
                          "--api ADDR:PORT",
                          "-I, --input FILE",
                          "FILTER WORDS",
                          "--stream-filter EXPR"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        ck_assert_msg(strstr(text, want[i]) != NULL, "--help lacks %s", want[i]);
    /* --report under both modules that declare it */
    const char *sip = strstr(text, "\nModule sip ("), *rtp = strstr(text, "\nModule rtp (");
    ck_assert_ptr_nonnull(strstr(sip, "--report"));
    ck_assert(strstr(rtp, "--report") < sip); /* rtp's group comes first (by name) */
    free(text);
}
END_TEST

/* ---- synthetic tables: each rule on its own ---- */

static const snb_flag_t demo_flags[] = {
    {.name = "demo-on", .short_name = 'D', .key = "on", .value = "yes", .flags = SNB_FLAG_LOADS},
    {.name = "demo-list", .arg = "X", .key = "list", .flags = SNB_FLAG_APPEND},
    {.name = "demo-limit", .arg = "N", .key = "limit", .needs = "demo-on|demo-list"},
    {.name = "shared", .key = "s", .value = "1"},
    {.name = NULL},
};
static const snb_flag_t other_flags[] = {
    {.name = "shared", .key = "t", .value = "2"},
    /* disagrees about taking a value: ignored */
    {.name = "demo-on", .arg = "X", .key = "x"},
    {.name = NULL},
};

START_TEST(synthetic_rules)
{
    const snb_flag_owner_t owners[] = {{"core", "", snb_core_flags},
                                       {"demo", "a demo", demo_flags},
                                       {"other", "another", other_flags}};
    char *argv[] = {"sipnab",   "-D",           "--demo-list", "a", "--demo-list=b",
                    "--shared", "--demo-limit", "5",           NULL};
    const char *const want[] = {
        "demo.on=yes",      "demo.list+=a", "demo.list+=b",    "demo.s=1 (soft)",
        "other.t=2 (soft)", "demo.limit=5", "core.load+=demo",
    };
    expect_sets_with(owners, 3, ARGC(argv), argv, want, sizeof want / sizeof want[0]);
    char *lonely[] = {"sipnab", "--demo-limit", "5", NULL};
    expect_error_with(owners, 3, 3, lonely, "--demo-limit needs -D or --demo-list X");
    /* No positional flag declared: trailing words are an error. */
    char *words[] = {"sipnab", "-D", "stray", NULL};
    expect_error_with(owners, 3, 3, words, "'stray' is not an option");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cli");
    TCase *tc = tcase_create("cli");
    tcase_add_checked_fixture(tc, load_real, unload_real);
    tcase_add_test(tc, inputs_filter_and_per_input_options);
    tcase_add_test(tc, overrides_shared_flags_and_core_flags);
    tcase_add_test(tc, hep_listeners_and_loading);
    tcase_add_test(tc, errors_are_one_line);
    tcase_add_test(tc, modes);
    tcase_add_test(tc, usage_lists_every_flag_by_module);
    tcase_add_test(tc, synthetic_rules);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
