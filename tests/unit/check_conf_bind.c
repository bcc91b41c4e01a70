/* Typed value parsers, binding onto option tables, redaction, dump. */
#include <check.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "conf.h"

struct cfg {
    bool promisc;
    int64_t snaplen;
    uint64_t bufsize;
    uint64_t timeout;
    const char *interface;
    const char *mode;
    snb_strlist_t load;
    const char *password;
    int64_t pin;
};

#define F(m) offsetof(struct cfg, m)
static const snb_option_t opts[] = {
    {"interface", SNB_OPT_STRING, NULL, 0, 0, NULL, SNB_OPT_REQUIRED, F(interface), "device"},
    {"promisc", SNB_OPT_BOOL, "yes", 0, 0, NULL, 0, F(promisc), "promiscuous mode"},
    {"snaplen", SNB_OPT_INT, "65535", 64, 262144, NULL, 0, F(snaplen), "bytes per packet"},
    {"bufsize", SNB_OPT_SIZE, "2m", 0, 0, NULL, 0, F(bufsize), "kernel buffer"},
    {"timeout", SNB_OPT_DURATION, "1500ms", 0, 0, NULL, 0, F(timeout), "read timeout"},
    {"mode", SNB_OPT_ENUM, "live", 0, 0, "live|file", 0, F(mode), "source"},
    {"load", SNB_OPT_LIST, "pcap, sip", 0, 0, NULL, 0, F(load), "modules"},
    {"password", SNB_OPT_STRING, NULL, 0, 0, NULL, SNB_OPT_SECRET, F(password), "secret"},
    {"pin", SNB_OPT_INT, "1234", 0, 9999, NULL, SNB_OPT_SECRET, F(pin), "secret number"},
    SNB_OPTIONS_END,
};

static char err[SNB_CONF_ERRLEN], why[SNB_CONF_ERRLEN];

/* Parse each (origin, text) pair in order into a new conf. */
static snb_conf_t *conf_of(const char *origin, const char *text, const char *origin2,
                           const char *text2)
{
    snb_conf_t *c = snb_conf_new();
    ck_assert_msg(snb_conf_parse_string(c, text, strlen(text), origin, err, sizeof(err)) == 0, "%s",
                  err);
    if (text2)
        ck_assert_msg(snb_conf_parse_string(c, text2, strlen(text2), origin2, err, sizeof(err)) ==
                          0,
                      "%s", err);
    return c;
}

/* Bind [pcap "lan"] from `text` (a.conf) and expect exactly `want`. */
static void expect_bind_err(const char *text, const char *want)
{
    snb_conf_t *c = conf_of("a.conf", text, NULL, NULL);
    struct cfg out;
    memset(&out, 0, sizeof(out));
    ck_assert_int_eq(
        snb_conf_bind(c, snb_conf_find(c, "pcap", "lan"), opts, &out, err, sizeof(err)), -1);
    ck_assert_str_eq(err, want);
    snb_conf_free(c);
}

static const snb_option_t *opt_of(snb_opt_type_t t, int64_t min, int64_t max)
{
    static snb_option_t o;
    o = (snb_option_t){.name = "x", .type = t, .min = min, .max = max, .choices = "live|file"};
    return &o;
}

static void ok_u64(snb_opt_type_t t, const char *text, uint64_t want)
{
    uint64_t v = 7;
    int rc = snb_conf_parse_value(NULL, opt_of(t, 0, 0), text, &v, why, sizeof(why));
    ck_assert_msg(rc == 0, "'%s': %s", text, why);
    ck_assert_msg(v == want, "'%s' gave %llu", text, (unsigned long long)v);
}

static void bad(snb_opt_type_t t, int64_t min, int64_t max, const char *text, const char *want)
{
    union {
        bool b;
        int64_t i;
        uint64_t u;
        const char *s;
        snb_strlist_t l;
        double d;
    } v;
    memset(&v, 0x5a, sizeof(v));
    snb_conf_t *c = snb_conf_new();
    ck_assert_int_eq(snb_conf_parse_value(c, opt_of(t, min, max), text, &v, why, sizeof(why)), -1);
    ck_assert_str_eq(why, want);
    ck_assert_int_eq(v.i, 0x5a5a5a5a5a5a5a5a); /* untouched on error */
    snb_conf_free(c);
}

START_TEST(test_bool)
{
    const char *yes[] = {"yes", "YES", "true", "True", "on", "ON", "1"};
    const char *no[] = {"no", "No", "false", "FALSE", "off", "Off", "0"};
    for (size_t i = 0; i < 7; i++) {
        bool b = false;
        ck_assert_int_eq(
            snb_conf_parse_value(NULL, opt_of(SNB_OPT_BOOL, 0, 0), yes[i], &b, why, sizeof(why)),
            0);
        ck_assert(b);
        ck_assert_int_eq(
            snb_conf_parse_value(NULL, opt_of(SNB_OPT_BOOL, 0, 0), no[i], &b, why, sizeof(why)), 0);
        ck_assert(!b);
    }
    const char *msg = "'maybe' is not a boolean (yes/no/true/false/on/off/1/0)";
    bad(SNB_OPT_BOOL, 0, 0, "maybe", msg);
    bad(SNB_OPT_BOOL, 0, 0, "", "'' is not a boolean (yes/no/true/false/on/off/1/0)");
    bad(SNB_OPT_BOOL, 0, 0, "2", "'2' is not a boolean (yes/no/true/false/on/off/1/0)");
    bad(SNB_OPT_BOOL, 0, 0, "yess", "'yess' is not a boolean (yes/no/true/false/on/off/1/0)");
}
END_TEST

static void ok_int(const char *text, int64_t min, int64_t max, int64_t want)
{
    int64_t v = 7;
    int rc = snb_conf_parse_value(NULL, opt_of(SNB_OPT_INT, min, max), text, &v, why, sizeof(why));
    ck_assert_msg(rc == 0, "'%s': %s", text, why);
    ck_assert_int_eq(v, want);
}

START_TEST(test_int)
{
    ok_int("0", 0, 0, 0);
    ok_int("1500", 0, 0, 1500);
    ok_int("+42", 0, 0, 42);
    ok_int("-42", 0, 0, -42);
    ok_int("007", 0, 0, 7);
    ok_int("9223372036854775807", 0, 0, INT64_MAX);
    ok_int("-9223372036854775808", 0, 0, INT64_MIN);
    ok_int("64", 64, 262144, 64);
    ok_int("262144", 64, 262144, 262144);
    ok_int("-5", -10, -1, -5);
    bad(SNB_OPT_INT, 0, 0, "9223372036854775808",
        "'9223372036854775808' does not fit in a 64-bit integer");
    bad(SNB_OPT_INT, 0, 0, "-9223372036854775809",
        "'-9223372036854775809' does not fit in a 64-bit integer");
    bad(SNB_OPT_INT, 0, 0, "99999999999999999999999",
        "'99999999999999999999999' does not fit in a 64-bit integer");
    bad(SNB_OPT_INT, 64, 262144, "63", "'63' out of range (64..262144)");
    bad(SNB_OPT_INT, 64, 262144, "262145", "'262145' out of range (64..262144)");
    bad(SNB_OPT_INT, 64, 262144, "-1", "'-1' out of range (64..262144)");
    bad(SNB_OPT_INT, 0, 0, "12a", "'12a' is not an integer");
    bad(SNB_OPT_INT, 0, 0, "", "'' is not an integer");
    bad(SNB_OPT_INT, 0, 0, "-", "'-' is not an integer");
    bad(SNB_OPT_INT, 0, 0, " 1", "' 1' is not an integer");
    bad(SNB_OPT_INT, 0, 0, "1.5", "'1.5' is not an integer");
    bad(SNB_OPT_INT, 0, 0, "0x10", "'0x10' is not an integer");
    bad(SNB_OPT_INT, 0, 0, "--1", "'--1' is not an integer");
}
END_TEST

START_TEST(test_number)
{
    double v = 0;
    ck_assert_int_eq(
        snb_conf_parse_value(NULL, opt_of(SNB_OPT_NUMBER, 1, 5), "3.5", &v, why, sizeof(why)), 0);
    ck_assert_double_eq(v, 3.5);
    ck_assert_int_eq(
        snb_conf_parse_value(NULL, opt_of(SNB_OPT_NUMBER, 0, 0), "-1e3", &v, why, sizeof(why)), 0);
    ck_assert_double_eq(v, -1000.0);
    bad(SNB_OPT_NUMBER, 1, 5, "5.01", "'5.01' out of range (1..5)");
    bad(SNB_OPT_NUMBER, 0, 0, "3,5", "'3,5' is not a number (e.g. 3.5)");
    bad(SNB_OPT_NUMBER, 0, 0, "nan", "'nan' is not a number (e.g. 3.5)");
    bad(SNB_OPT_NUMBER, 0, 0, "inf", "'inf' is not a number (e.g. 3.5)");
    bad(SNB_OPT_NUMBER, 0, 0, "", "'' is not a number (e.g. 3.5)");
    bad(SNB_OPT_NUMBER, 0, 0, "1e999", "'1e999' is not a number (e.g. 3.5)");
}
END_TEST

START_TEST(test_size)
{
    ok_u64(SNB_OPT_SIZE, "0", 0);
    ok_u64(SNB_OPT_SIZE, "512", 512);
    ok_u64(SNB_OPT_SIZE, "512b", 512);
    ok_u64(SNB_OPT_SIZE, "64k", 65536);
    ok_u64(SNB_OPT_SIZE, "64K", 65536);
    ok_u64(SNB_OPT_SIZE, "64kb", 65536);
    ok_u64(SNB_OPT_SIZE, "64KiB", 65536);
    ok_u64(SNB_OPT_SIZE, "16MiB", 16u << 20);
    ok_u64(SNB_OPT_SIZE, "16m", 16u << 20);
    ok_u64(SNB_OPT_SIZE, "2g", 2ull << 30);
    ok_u64(SNB_OPT_SIZE, "2GB", 2ull << 30);
    ok_u64(SNB_OPT_SIZE, "18446744073709551615", UINT64_MAX);
    ok_u64(SNB_OPT_SIZE, "17179869183g", 17179869183ull << 30);
    bad(SNB_OPT_SIZE, 0, 0, "18446744073709551616", "'18446744073709551616' is too large");
    bad(SNB_OPT_SIZE, 0, 0, "17179869184g", "'17179869184g' is too large");
    bad(SNB_OPT_SIZE, 0, 0, "18014398509481984k", "'18014398509481984k' is too large");
    const char *bads[] = {"1t", "1.5k", "-1", "k", "", "64ib", "64kib2", "64 k", "64kk", "+1"};
    for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
        char want[128];
        snprintf(want, sizeof(want), "'%s' is not a size (e.g. 1500, 64k, 16MiB, 2g)", bads[i]);
        bad(SNB_OPT_SIZE, 0, 0, bads[i], want);
    }
    /* Ranges apply to the byte value and print in size units. */
    uint64_t v;
    ck_assert_int_eq(
        snb_conf_parse_value(NULL, opt_of(SNB_OPT_SIZE, 4096, 1 << 30), "4k", &v, why, sizeof(why)),
        0);
    ck_assert_uint_eq(v, 4096);
    ck_assert_int_eq(
        snb_conf_parse_value(NULL, opt_of(SNB_OPT_SIZE, 4096, 1 << 30), "1g", &v, why, sizeof(why)),
        0);
    bad(SNB_OPT_SIZE, 4096, 1 << 30, "4095", "'4095' out of range (4k..1g)");
    bad(SNB_OPT_SIZE, 4096, 1 << 30, "1025m", "'1025m' out of range (4k..1g)");
    bad(SNB_OPT_SIZE, 1, 100, "18446744073709551615",
        "'18446744073709551615' out of range (1..100)");
}
END_TEST

START_TEST(test_duration)
{
    ok_u64(SNB_OPT_DURATION, "500ms", 500);
    ok_u64(SNB_OPT_DURATION, "30s", 30000);
    ok_u64(SNB_OPT_DURATION, "5m", 300000);
    ok_u64(SNB_OPT_DURATION, "1h", 3600000);
    ok_u64(SNB_OPT_DURATION, "1H", 3600000);
    ok_u64(SNB_OPT_DURATION, "10MS", 10);
    ok_u64(SNB_OPT_DURATION, "10", 10000); /* bare number = seconds */
    ok_u64(SNB_OPT_DURATION, "0", 0);
    ok_u64(SNB_OPT_DURATION, "18446744073709551615ms", UINT64_MAX);
    ok_u64(SNB_OPT_DURATION, "18446744073709551", 18446744073709551000ull);
    ok_u64(SNB_OPT_DURATION, "5124095576030h", 5124095576030ull * 3600000);
    bad(SNB_OPT_DURATION, 0, 0, "18446744073709552", "'18446744073709552' is too large");
    bad(SNB_OPT_DURATION, 0, 0, "5124095576031h", "'5124095576031h' is too large");
    bad(SNB_OPT_DURATION, 0, 0, "18446744073709551616ms", "'18446744073709551616ms' is too large");
    const char *bads[] = {"1d", "1.5s", "s", "-1s", "1 s", "", "1sec", "1msx", "1hs", "+1"};
    for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
        char want[128];
        snprintf(want, sizeof(want), "'%s' is not a duration (e.g. 500ms, 30s, 5m, 1h)", bads[i]);
        bad(SNB_OPT_DURATION, 0, 0, bads[i], want);
    }
    bad(SNB_OPT_DURATION, 1000, 60000, "999ms", "'999ms' out of range (1s..1m)");
    bad(SNB_OPT_DURATION, 1000, 60000, "61", "'61' out of range (1s..1m)");
    uint64_t v;
    ck_assert_int_eq(snb_conf_parse_value(NULL, opt_of(SNB_OPT_DURATION, 1000, 60000), "1m", &v,
                                          why, sizeof(why)),
                     0);
    ck_assert_uint_eq(v, 60000);
}
END_TEST

START_TEST(test_string_enum_list)
{
    snb_conf_t *c = snb_conf_new();
    const char *s = NULL;
    ck_assert_int_eq(
        snb_conf_parse_value(c, opt_of(SNB_OPT_STRING, 0, 0), "a b # c", &s, why, sizeof(why)), 0);
    ck_assert_str_eq(s, "a b # c");
    ck_assert_int_eq(
        snb_conf_parse_value(c, opt_of(SNB_OPT_STRING, 0, 0), "", &s, why, sizeof(why)), 0);
    ck_assert_str_eq(s, "");
    ck_assert_int_eq(
        snb_conf_parse_value(c, opt_of(SNB_OPT_ENUM, 0, 0), "file", &s, why, sizeof(why)), 0);
    ck_assert_str_eq(s, "file");
    ck_assert_int_eq(
        snb_conf_parse_value(c, opt_of(SNB_OPT_ENUM, 0, 0), "live", &s, why, sizeof(why)), 0);
    ck_assert_str_eq(s, "live");
    bad(SNB_OPT_ENUM, 0, 0, "x", "'x' is not one of live|file");
    bad(SNB_OPT_ENUM, 0, 0, "Live", "'Live' is not one of live|file");
    bad(SNB_OPT_ENUM, 0, 0, "liv", "'liv' is not one of live|file");
    bad(SNB_OPT_ENUM, 0, 0, "live|file", "'live|file' is not one of live|file");
    bad(SNB_OPT_ENUM, 0, 0, "", "'' is not one of live|file");

    snb_strlist_t l;
    ck_assert_int_eq(snb_conf_parse_value(c, opt_of(SNB_OPT_LIST, 0, 0), " a, b  c,,d\t,e ", &l,
                                          why, sizeof(why)),
                     0);
    ck_assert_uint_eq(l.n, 5);
    ck_assert_str_eq(l.v[0], "a");
    ck_assert_str_eq(l.v[1], "b");
    ck_assert_str_eq(l.v[2], "c");
    ck_assert_str_eq(l.v[3], "d");
    ck_assert_str_eq(l.v[4], "e");
    ck_assert_ptr_null(l.v[5]);
    ck_assert_int_eq(
        snb_conf_parse_value(c, opt_of(SNB_OPT_LIST, 0, 0), " , ,, ", &l, why, sizeof(why)), 0);
    ck_assert_uint_eq(l.n, 0);
    ck_assert_ptr_nonnull(l.v);
    ck_assert_ptr_null(l.v[0]);
    ck_assert_int_eq(snb_conf_parse_value(c, opt_of(SNB_OPT_LIST, 0, 0), "", &l, why, sizeof(why)),
                     0);
    ck_assert_uint_eq(l.n, 0);
    ck_assert_int_eq(
        snb_conf_parse_value(NULL, opt_of(SNB_OPT_LIST, 0, 0), "a", &l, why, sizeof(why)), -1);
    ck_assert_str_eq(why, "no conf to own the value");
    snb_conf_free(c);
    /* Long and unprintable values are shortened to one line in messages. */
    bad(SNB_OPT_BOOL, 0, 0, "a\nb", "'a\\x0ab' is not a boolean (yes/no/true/false/on/off/1/0)");
    char longv[200];
    memset(longv, 'z', sizeof(longv) - 1);
    longv[sizeof(longv) - 1] = '\0';
    bad(SNB_OPT_INT, 0, 0, longv,
        "'zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz...' is not an integer");
}
END_TEST

START_TEST(test_bind_all_types)
{
    snb_conf_t *c = conf_of("a.conf",
                            "[pcap \"lan\"]\ninterface = eth0\npromisc = off\nsnaplen = 1500\n"
                            "bufsize = 16MiB\ntimeout = 2s\nmode = file\nload = a b\n"
                            "password = \"s3 cr3t\"\npin = 42\n",
                            NULL, NULL);
    struct cfg out;
    memset(&out, 0xff, sizeof(out));
    int rc = snb_conf_bind(c, snb_conf_find(c, "pcap", "lan"), opts, &out, err, sizeof(err));
    ck_assert_msg(rc == 0, "%s", err);
    ck_assert_str_eq(out.interface, "eth0");
    ck_assert(!out.promisc);
    ck_assert_int_eq(out.snaplen, 1500);
    ck_assert_uint_eq(out.bufsize, 16u << 20);
    ck_assert_uint_eq(out.timeout, 2000);
    ck_assert_str_eq(out.mode, "file");
    ck_assert_uint_eq(out.load.n, 2);
    ck_assert_str_eq(out.load.v[0], "a");
    ck_assert_str_eq(out.load.v[1], "b");
    ck_assert_str_eq(out.password, "s3 cr3t");
    ck_assert_int_eq(out.pin, 42);
    snb_conf_free(c);
}
END_TEST

START_TEST(test_bind_defaults_only)
{
    snb_conf_t *c = snb_conf_new();
    struct cfg out;
    memset(&out, 0xff, sizeof(out));
    /* opts + 1 skips the REQUIRED interface. */
    ck_assert_int_eq(snb_conf_bind(c, NULL, opts + 1, &out, err, sizeof(err)), 0);
    ck_assert(out.promisc);
    ck_assert_int_eq(out.snaplen, 65535);
    ck_assert_uint_eq(out.bufsize, 2u << 20);
    ck_assert_uint_eq(out.timeout, 1500);
    ck_assert_str_eq(out.mode, "live");
    ck_assert_uint_eq(out.load.n, 2);
    ck_assert_str_eq(out.load.v[0], "pcap");
    ck_assert_str_eq(out.load.v[1], "sip");
    ck_assert_ptr_null(out.load.v[2]);
    ck_assert_ptr_null(out.password); /* no default: unset */
    ck_assert_int_eq(out.pin, 1234);
    ck_assert_ptr_eq(out.interface, (const char *)(uintptr_t)UINTPTR_MAX); /* not in table */
    /* With the REQUIRED option and no section there is no file:line. */
    ck_assert_int_eq(snb_conf_bind(c, NULL, opts, &out, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "required option 'interface' is not set");
    snb_conf_free(c);
}
END_TEST

START_TEST(test_bind_errors)
{
    expect_bind_err("[pcap \"lan\"]\ninterface = eth0\n\n\n\n\n\n\nsnaplenn = 1\n",
                    "a.conf:9: unknown option 'snaplenn' in [pcap \"lan\"]");
    expect_bind_err("[pcap \"lan\"]\ninterface = eth0\n\nsnaplen = 99999999\n",
                    "a.conf:4: option 'snaplen': '99999999' out of range (64..262144)");
    expect_bind_err("[pcap \"lan\"]\ninterface = eth0\n\n\npromisc = maybe\n",
                    "a.conf:5: option 'promisc': 'maybe' is not a boolean "
                    "(yes/no/true/false/on/off/1/0)");
    expect_bind_err("[pcap \"lan\"]\nmode = x\ninterface = eth0\n",
                    "a.conf:2: option 'mode': 'x' is not one of live|file");
    expect_bind_err("[pcap \"lan\"]\ninterface = eth0\nsnaplen += 100\n",
                    "a.conf:3: option 'snaplen': '+=' only works with list options");
    expect_bind_err("[pcap \"lan\"]\ninterface = eth0\ninterface += eth1\n",
                    "a.conf:3: option 'interface': '+=' only works with list options");
    expect_bind_err("[pcap \"lan\"]\ninterface = eth0\nbufsize = 1x\n",
                    "a.conf:3: option 'bufsize': '1x' is not a size (e.g. 1500, 64k, 16MiB, 2g)");
    expect_bind_err("[pcap \"lan\"]\ninterface = eth0\ntimeout = 1d\n",
                    "a.conf:3: option 'timeout': '1d' is not a duration (e.g. 500ms, 30s, 5m, 1h)");
    expect_bind_err("# x\n[pcap \"lan\"]\npromisc = yes\n",
                    "a.conf:2: [pcap \"lan\"]: required option 'interface' is not set");
    /* An empty value is still "set" for a required string. */
    snb_conf_t *c = conf_of("a.conf", "[pcap \"lan\"]\ninterface =\n", NULL, NULL);
    struct cfg out;
    ck_assert_int_eq(
        snb_conf_bind(c, snb_conf_find(c, "pcap", "lan"), opts, &out, err, sizeof(err)), 0);
    ck_assert_str_eq(out.interface, "");
    snb_conf_free(c);
    /* Plain sections are labelled without an instance; command-line origin has no line. */
    c = conf_of("a.conf", "[pcap]\ninterface = x\n", NULL, NULL);
    ck_assert_int_eq(snb_conf_set(c, "pcap", NULL, "bogus", "1", false, NULL, 0), 0);
    ck_assert_int_eq(snb_conf_bind(c, snb_conf_find(c, "pcap", NULL), opts, &out, err, sizeof(err)),
                     -1);
    ck_assert_str_eq(err, "command line: unknown option 'bogus' in [pcap]");
    snb_conf_free(c);
}
END_TEST

START_TEST(test_bind_secret_redacted)
{
    expect_bind_err("[pcap \"lan\"]\ninterface = eth0\n\n\n\npin = 12345678\n",
                    "a.conf:6: option 'pin': <redacted> out of range (0..9999)");
    expect_bind_err("[pcap \"lan\"]\ninterface = eth0\npin = hunter2\n",
                    "a.conf:3: option 'pin': <redacted> is not an integer");
    expect_bind_err("[pcap \"lan\"]\ninterface = eth0\npin += 1\n",
                    "a.conf:3: option 'pin': '+=' only works with list options");
    /* A bad default is a programming error; secret defaults stay hidden too. */
    static const snb_option_t bad_def[] = {
        {"flag", SNB_OPT_BOOL, "maybe", 0, 0, NULL, 0, 0, NULL},
        SNB_OPTIONS_END,
    };
    static const snb_option_t bad_secret_def[] = {
        {"key", SNB_OPT_INT, "s3cret", 0, 0, NULL, SNB_OPT_SECRET, 0, NULL},
        SNB_OPTIONS_END,
    };
    snb_conf_t *c = snb_conf_new();
    int64_t v = 0;
    ck_assert_int_eq(snb_conf_bind(c, NULL, bad_def, &v, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "option 'flag': invalid default: 'maybe' is not a boolean "
                          "(yes/no/true/false/on/off/1/0)");
    ck_assert_int_eq(snb_conf_bind(c, NULL, bad_secret_def, &v, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "option 'key': invalid default: <redacted> is not an integer");
    ck_assert_ptr_null(strstr(err, "s3cret"));
    snb_conf_free(c);
}
END_TEST

START_TEST(test_bind_list_append)
{
    /* = in one file, += in a later one: concatenated. */
    snb_conf_t *c = conf_of("a.conf", "[pcap \"lan\"]\ninterface = e\nload = a\n", "b.conf",
                            "[pcap \"lan\"]\nload += b, c\nload += d\n");
    struct cfg out;
    ck_assert_int_eq(
        snb_conf_bind(c, snb_conf_find(c, "pcap", "lan"), opts, &out, err, sizeof(err)), 0);
    ck_assert_uint_eq(out.load.n, 4);
    ck_assert_str_eq(out.load.v[0], "a");
    ck_assert_str_eq(out.load.v[1], "b");
    ck_assert_str_eq(out.load.v[2], "c");
    ck_assert_str_eq(out.load.v[3], "d");
    snb_conf_free(c);
    /* Only +=: appended to the default. */
    c = conf_of("a.conf", "[pcap \"lan\"]\ninterface = e\nload += rtp\n", "b.conf",
                "[pcap \"lan\"]\nload += x\n");
    ck_assert_int_eq(
        snb_conf_bind(c, snb_conf_find(c, "pcap", "lan"), opts, &out, err, sizeof(err)), 0);
    ck_assert_uint_eq(out.load.n, 4);
    ck_assert_str_eq(out.load.v[0], "pcap");
    ck_assert_str_eq(out.load.v[1], "sip");
    ck_assert_str_eq(out.load.v[2], "rtp");
    ck_assert_str_eq(out.load.v[3], "x");
    ck_assert_ptr_null(out.load.v[4]);
    snb_conf_free(c);
    /* A later = resets, an empty = empties. */
    c = conf_of("a.conf", "[pcap \"lan\"]\ninterface = e\nload += rtp\n", "b.conf",
                "[pcap \"lan\"]\nload =\n");
    ck_assert_int_eq(
        snb_conf_bind(c, snb_conf_find(c, "pcap", "lan"), opts, &out, err, sizeof(err)), 0);
    ck_assert_uint_eq(out.load.n, 0);
    snb_conf_free(c);
}
END_TEST

START_TEST(test_bind_twice_and_restore)
{
    snb_conf_t *c = conf_of("a.conf", "[pcap \"lan\"]\ninterface = eth0\nload = x y\n", NULL, NULL);
    const snb_conf_section_t *s = snb_conf_find(c, "pcap", "lan");
    struct cfg a, b;
    memset(&a, 0, sizeof(a)); /* padding too: compared with memcmp below */
    memset(&b, 0, sizeof(b));
    ck_assert_int_eq(snb_conf_bind(c, s, opts, &a, err, sizeof(err)), 0);
    ck_assert_int_eq(snb_conf_bind(c, s, opts, &b, err, sizeof(err)), 0);
    ck_assert_str_eq(a.interface, "eth0");
    ck_assert_str_eq(b.interface, "eth0");
    ck_assert_ptr_ne(a.interface, b.interface);
    ck_assert_ptr_ne(a.load.v, b.load.v);
    ck_assert_str_eq(a.load.v[1], "y");
    ck_assert_str_eq(b.load.v[1], "y");
    /* A failed bind (reload with a bad value) leaves the struct as it was. */
    ck_assert_int_eq(snb_conf_set(c, "pcap", "lan", "snaplen", "1", false, NULL, 0), 0);
    struct cfg before = b;
    ck_assert_int_eq(snb_conf_bind(c, s, opts, &b, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "command line: option 'snaplen': '1' out of range (64..262144)");
    ck_assert_int_eq(memcmp(&before, &b, sizeof(b)), 0);
    snb_conf_free(c);
}
END_TEST

static char *dump(const snb_option_t *table, const void *bound)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    snb_conf_dump_options(f, table, bound);
    fclose(f);
    return text;
}

START_TEST(test_dump)
{
    snb_conf_t *c = conf_of("a.conf",
                            "[pcap \"lan\"]\ninterface = eth0\nsnaplen = -0\nbufsize = 1536\n"
                            "timeout = 120m\nload = \"a#b\", c;d e\npassword = x\n",
                            NULL, NULL);
    struct cfg out;
    ck_assert_int_eq(
        snb_conf_bind(c, snb_conf_find(c, "pcap", "lan"), opts, &out, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "a.conf:3: option 'snaplen': '-0' out of range (64..262144)");
    ck_assert_int_eq(snb_conf_set(c, "pcap", "lan", "snaplen", "64", false, NULL, 0), 0);
    ck_assert_int_eq(
        snb_conf_bind(c, snb_conf_find(c, "pcap", "lan"), opts, &out, err, sizeof(err)), 0);
    char *text = dump(opts, &out);
    ck_assert_str_eq(text, "interface = eth0\n"
                           "promisc = yes\n"
                           "snaplen = 64\n"
                           "bufsize = 1536\n"
                           "timeout = 120m\n"
                           "mode = live\n"
                           "load = \"a#b\", \"c;d\", e\n"
                           "password = <redacted>\n"
                           "pin = <redacted>\n");
    free(text);

    /* Hand-filled values: every formatting rule. */
    struct cfg v = {.promisc = false,
                    .snaplen = -5,
                    .bufsize = 64 * 1024,
                    .timeout = 1500,
                    .interface = "say \"hi\"\t\\ ok\n",
                    .mode = NULL,
                    .load = {0},
                    .password = NULL,
                    .pin = 0};
    text = dump(opts, &v);
    ck_assert_str_eq(text, "interface = \"say \\\"hi\\\"\\t\\\\ ok\\n\"\n"
                           "promisc = no\n"
                           "snaplen = -5\n"
                           "bufsize = 64k\n"
                           "timeout = 1500ms\n"
                           "mode =\n"
                           "load =\n"
                           "password =\n"
                           "pin = <redacted>\n");
    free(text);

    struct {
        uint64_t s[6], d[6];
        const char *str[4];
    } f = {{0, 1023, 1024, 3ull << 20, 5ull << 30, (1ull << 30) + 1},
           {0, 999, 1000, 60000, 7200000, 61000},
           {"", "C:\\path", "a;b", "#x"}};
    static const snb_option_t fmt[] = {
        {"s0", SNB_OPT_SIZE, .offset = 0},
        {"s1", SNB_OPT_SIZE, .offset = 8},
        {"s2", SNB_OPT_SIZE, .offset = 16},
        {"s3", SNB_OPT_SIZE, .offset = 24},
        {"s4", SNB_OPT_SIZE, .offset = 32},
        {"s5", SNB_OPT_SIZE, .offset = 40},
        {"d0", SNB_OPT_DURATION, .offset = 48},
        {"d1", SNB_OPT_DURATION, .offset = 56},
        {"d2", SNB_OPT_DURATION, .offset = 64},
        {"d3", SNB_OPT_DURATION, .offset = 72},
        {"d4", SNB_OPT_DURATION, .offset = 80},
        {"d5", SNB_OPT_DURATION, .offset = 88},
        {"t0", SNB_OPT_STRING, .offset = 96},
        {"t1", SNB_OPT_STRING, .offset = 96 + sizeof(char *)},
        {"t2", SNB_OPT_ENUM, .offset = 96 + 2 * sizeof(char *)},
        {"t3", SNB_OPT_STRING, .offset = 96 + 3 * sizeof(char *)},
        SNB_OPTIONS_END,
    };
    text = dump(fmt, &f);
    ck_assert_str_eq(text, "s0 = 0\ns1 = 1023\ns2 = 1k\ns3 = 3m\ns4 = 5g\ns5 = 1073741825\n"
                           "d0 = 0s\nd1 = 999ms\nd2 = 1s\nd3 = 1m\nd4 = 120m\nd5 = 61s\n"
                           "t0 =\nt1 = C:\\path\nt2 = \"a;b\"\nt3 = \"#x\"\n");
    free(text);

    char small[4];
    ck_assert_uint_eq(snb_conf_format_value(&opts[3], &out.bufsize, small, sizeof(small)), 4);
    ck_assert_str_eq(small, "153");
    snb_conf_free(c);
}
END_TEST

/* What dump prints parses back to the same values. */
START_TEST(test_dump_roundtrip)
{
    static const snb_option_t rt[] = {
        {"promisc", SNB_OPT_BOOL, "yes", .offset = offsetof(struct cfg, promisc)},
        {"snaplen", SNB_OPT_INT, "65535", .offset = offsetof(struct cfg, snaplen)},
        {"bufsize", SNB_OPT_SIZE, "2m", .offset = offsetof(struct cfg, bufsize)},
        {"timeout", SNB_OPT_DURATION, "1500ms", .offset = offsetof(struct cfg, timeout)},
        {"interface", SNB_OPT_STRING, .offset = offsetof(struct cfg, interface)},
        {"mode", SNB_OPT_ENUM, "live", .choices = "live|file|a \"b\"",
         .offset = offsetof(struct cfg, mode)},
        {"load", SNB_OPT_LIST, .offset = offsetof(struct cfg, load)},
        SNB_OPTIONS_END,
    };
    snb_conf_t *c = conf_of("a.conf",
                            "[s]\npromisc=0\nsnaplen=-7\nbufsize=3g\ntimeout=61s\n"
                            "interface=\" x\\\\y \\\"#;\\t\\n \"\nmode=\"a \\\"b\\\"\"\n"
                            "load=\"q\\\"\" ;x\nload+=\"#\"\n",
                            NULL, NULL);
    struct cfg a, b;
    ck_assert_int_eq(snb_conf_bind(c, snb_conf_find(c, "s", NULL), rt, &a, err, sizeof(err)), 0);
    char *t1 = dump(rt, &a);
    size_t n = strlen(t1) + 8;
    char *doc = malloc(n);
    snprintf(doc, n, "[s]\n%s", t1);
    ck_assert_int_eq(snb_conf_parse_string(c, doc, strlen(doc), "dump", err, sizeof(err)), 0);
    ck_assert_int_eq(snb_conf_bind(c, snb_conf_find(c, "s", NULL), rt, &b, err, sizeof(err)), 0);
    char *t2 = dump(rt, &b);
    ck_assert_str_eq(t1, t2);
    ck_assert_str_eq(b.interface, " x\\y \"#;\t\n ");
    ck_assert_str_eq(b.mode, "a \"b\"");
    ck_assert_uint_eq(b.load.n, 2);
    ck_assert_str_eq(b.load.v[0], "q\"");
    ck_assert_str_eq(b.load.v[1], "#");
    free(t1);
    free(t2);
    free(doc);
    snb_conf_free(c);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("conf_bind");
    TCase *tc = tcase_create("bind");
    tcase_add_test(tc, test_bool);
    tcase_add_test(tc, test_int);
    tcase_add_test(tc, test_number);
    tcase_add_test(tc, test_size);
    tcase_add_test(tc, test_duration);
    tcase_add_test(tc, test_string_enum_list);
    tcase_add_test(tc, test_bind_all_types);
    tcase_add_test(tc, test_bind_defaults_only);
    tcase_add_test(tc, test_bind_errors);
    tcase_add_test(tc, test_bind_secret_redacted);
    tcase_add_test(tc, test_bind_list_append);
    tcase_add_test(tc, test_bind_twice_and_restore);
    tcase_add_test(tc, test_dump);
    tcase_add_test(tc, test_dump_roundtrip);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return snb_check_run(suite());
}
