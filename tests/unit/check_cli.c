/* Flags become configuration settings: exact settings per flag, and the
 * per-input flags apply to every -I/-d instance whatever their order. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static char *set_text(const snb_cli_set_t *s, char *buf, size_t len)
{
    snprintf(buf, len, "%s%s%s%s.%s%s=%s", s->section, s->instance ? "\"" : "",
             s->instance ? s->instance : "", s->instance ? "\"" : "", s->key, s->append ? "+" : "",
             s->value);
    return buf;
}

static void expect_sets(int argc, char **argv, const char *const *want, size_t n_want)
{
    snb_cli_t cli;
    char err[256];
    ck_assert_msg(snb_cli_parse(&cli, argc, argv, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(cli.n_sets, n_want);
    for (size_t i = 0; i < n_want; i++) {
        char buf[256];
        ck_assert_str_eq(set_text(&cli.sets[i], buf, sizeof buf), want[i]);
    }
    snb_cli_free(&cli);
}

START_TEST(inputs_filter_and_per_input_options)
{
    char *argv[] = {"sipnab", "-N",     "-I",      "a.pcap", "-s",   "1500", "-d", "eth0",
                    "-I",     "b.pcap", "--stats", "udp",    "port", "5060", NULL};
    const char *const want[] = {
        "pcap\"files\".file+=a.pcap",
        "pcap\"files\".file+=b.pcap",
        "core.stats=yes",
        "pcap\"eth0\".interface=eth0",
        "pcap\"eth0\".snaplen=1500",
        "pcap\"eth0\".filter=udp port 5060",
        "pcap\"files\".snaplen=1500",
        "pcap\"files\".filter=udp port 5060",
    };
    expect_sets(14, argv, want, sizeof want / sizeof want[0]);
}
END_TEST

START_TEST(overrides_and_core_flags)
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
                    NULL};
    const char *const want[] = {
        "decode.tcp_timeout=1m", "pcap\"lan\".file+=x.pcap", "core.stats_format=json",
        "sip.json=yes",          "core.log_level=warn",      "core.load+=sip",
        "core.module_path=/m",

    };
    expect_sets(11, argv, want, sizeof want / sizeof want[0]);
}
END_TEST

static void expect_error(int argc, char **argv, const char *message)
{
    snb_cli_t cli;
    char err[256];
    ck_assert_int_ne(snb_cli_parse(&cli, argc, argv, err, sizeof err), 0);
    ck_assert_str_eq(err, message);
    snb_cli_free(&cli);
}

START_TEST(errors_are_one_line)
{
    char *unknown[] = {"sipnab", "-Z", NULL};
    expect_error(2, unknown, "unknown option '-Z'");
    char *missing[] = {"sipnab", "-d", NULL};
    expect_error(2, missing, "option '-d' needs a value");
    char *bad_o[] = {"sipnab", "-o", "nodot=1", NULL};
    expect_error(3, bad_o, "-o 'nodot=1': expected section.key=value");
    char *no_eq[] = {"sipnab", "-o", "core.stats", NULL};
    expect_error(3, no_eq, "-o 'core.stats': expected section.key=value");
    char *stray[] = {"sipnab", "port", "5060", NULL};
    expect_error(3, stray, "'port' is not an option; filter words need -I FILE or -d IFACE");
}
END_TEST

START_TEST(modes)
{
    char *argv[] = {"sipnab", "-c", "/etc/x.conf", "-T", NULL};
    snb_cli_t cli;
    char err[256];
    ck_assert_int_eq(snb_cli_parse(&cli, 4, argv, err, sizeof err), 0);
    ck_assert_str_eq(cli.config_path, "/etc/x.conf");
    ck_assert(cli.dump_config && !cli.test_config && !cli.help);
    ck_assert_uint_eq(cli.n_sets, 0);
    snb_cli_free(&cli);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cli");
    TCase *tc = tcase_create("cli");
    tcase_add_test(tc, inputs_filter_and_per_input_options);
    tcase_add_test(tc, overrides_and_core_flags);
    tcase_add_test(tc, errors_are_one_line);
    tcase_add_test(tc, modes);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
