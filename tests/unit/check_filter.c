/* The filter language: every operator per type, precedence, aliases,
 * absent values, regexes, every error message with its caret, limits, and
 * evaluation over a small table of fake dialogs. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "filter.h"

enum { F_STATE, F_FROM, F_UA, F_PDD, F_MOS, F_ONE_WAY, F_NAT, F_CODE };

static const snb_filter_field_t fields[] = {
    {"state", SNB_FT_STRING, F_STATE},    {"from", SNB_FT_STRING, F_FROM},
    {"user-agent", SNB_FT_STRING, F_UA},  {"pdd", SNB_FT_NUMBER, F_PDD},
    {"rtp.mos", SNB_FT_NUMBER, F_MOS},    {"one_way", SNB_FT_BOOL, F_ONE_WAY},
    {"nat_mismatch", SNB_FT_BOOL, F_NAT}, {"code", SNB_FT_NUMBER, F_CODE},
};
#define N_FIELDS (sizeof fields / sizeof fields[0])

static const snb_filter_alias_t aliases[] = {
    {"failed", "state == 'Failed'", "ended with an error"},
    {"slow-setup", "pdd > 3000", "slow to ring"},
    {"bad-audio", "rtp.mos < 3.5 OR one_way", "poor media"},
    {"problems", "failed OR slow-setup OR bad-audio", "anything worth a look"},
    {"loop-a", "loop-b AND one_way", "cycle"},
    {"loop-b", "pdd > 1 OR loop-a", "cycle"},
    {"self", "self", "cycle of one"},
    {"broken", "pdd ==", "an alias with an error"},
};
#define N_ALIASES (sizeof aliases / sizeof aliases[0])

/* A fake dialog: a NULL string or a negative number means absent. */
typedef struct rec {
    const char *state, *from, *ua;
    double pdd, mos, code;
    int one_way, nat; /* -1 absent */
} rec_t;

static int calls;

static void str_val(snb_filter_value_t *out, const char *s)
{
    out->present = s != NULL;
    out->str = s;
    out->len = s ? strlen(s) : 0;
}

static void num_val(snb_filter_value_t *out, double v)
{
    out->present = v >= 0;
    out->num = v;
}

static void bool_val(snb_filter_value_t *out, int v)
{
    out->present = v >= 0;
    out->b = v > 0;
}

static void value(void *ud, int id, snb_filter_value_t *out)
{
    const rec_t *r = ud;
    calls++;
    switch (id) {
    case F_STATE:
        str_val(out, r->state);
        break;
    case F_FROM:
        str_val(out, r->from);
        break;
    case F_UA:
        str_val(out, r->ua);
        break;
    case F_PDD:
        num_val(out, r->pdd);
        break;
    case F_MOS:
        num_val(out, r->mos);
        break;
    case F_CODE:
        num_val(out, r->code);
        break;
    case F_ONE_WAY:
        bool_val(out, r->one_way);
        break;
    case F_NAT:
        bool_val(out, r->nat);
        break;
    default:
        ck_abort_msg("unknown field id %d", id);
    }
}

static const rec_t base = {.state = "Failed",
                           .from = "alice",
                           .ua = "Yealink SIP-T46S",
                           .pdd = 2500,
                           .mos = 4.1,
                           .code = 486,
                           .one_way = 0,
                           .nat = 1};

static char err[1024];

static snb_filter_t *compile(const char *expr)
{
    snb_filter_t *f =
        snb_filter_compile(expr, fields, N_FIELDS, aliases, N_ALIASES, err, sizeof err);
    ck_assert_msg(f != NULL, "compile '%s' failed: %s", expr, err);
    return f;
}

static bool eval_on(const char *expr, const rec_t *r)
{
    snb_filter_t *f = compile(expr);
    bool m = snb_filter_eval(f, value, (void *)r);
    snb_filter_free(f);
    return m;
}

#define MATCH(expr) ck_assert_msg(eval_on(expr, &base), "expected match: %s", expr)
#define NO_MATCH(expr) ck_assert_msg(!eval_on(expr, &base), "expected no match: %s", expr)

static void expect_err(const char *expr, const char *want)
{
    memset(err, 'x', sizeof err);
    snb_filter_t *f =
        snb_filter_compile(expr, fields, N_FIELDS, aliases, N_ALIASES, err, sizeof err);
    ck_assert_msg(f == NULL, "'%s' compiled", expr);
    ck_assert_str_eq(err, want);
}

static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The caret on line 3 sits under `c` on line 2. */
static void expect_caret_under(char c)
{
    const char *l2 = strchr(err, '\n');
    ck_assert_ptr_nonnull(l2);
    l2++;
    const char *l3 = strchr(l2, '\n');
    ck_assert_ptr_nonnull(l3);
    l3++;
    const char *caret = strchr(l3, '^');
    ck_assert_ptr_nonnull(caret);
    size_t k = (size_t)(caret - l3);
    ck_assert_int_eq(l2[k], c);
}

START_TEST(test_string_ops)
{
    MATCH("state == 'Failed'");
    MATCH("state == \"Failed\"");
    NO_MATCH("state == 'failed'"); /* exact, case-sensitive */
    NO_MATCH("state == 'Fail'");
    NO_MATCH("state == 'Failed '");
    MATCH("state != 'failed'");
    NO_MATCH("state != 'Failed'");
    /* Bytewise ordering: 'F' < 'a', and a prefix sorts first. */
    MATCH("state < 'a'");
    MATCH("state > 'Fail'");
    NO_MATCH("state < 'Fail'");
    MATCH("state <= 'Failed'");
    MATCH("state >= 'Failed'");
    NO_MATCH("state > 'Failed'");
    NO_MATCH("state < 'Failed'");
    MATCH("state < 'Failee'");
    MATCH("state >= 'E'");
    NO_MATCH("state <= 'E'");
    MATCH("user-agent == 'Yealink SIP-T46S'");
}
END_TEST

START_TEST(test_string_escapes)
{
    rec_t r = base;
    r.from = "it's";
    ck_assert(eval_on("from == 'it\\'s'", &r));
    ck_assert(eval_on("from == \"it's\"", &r));
    r.from = "say \"hi\"";
    ck_assert(eval_on("from == \"say \\\"hi\\\"\"", &r));
    ck_assert(eval_on("from == 'say \"hi\"'", &r));
    r.from = "a\\b";
    ck_assert(eval_on("from == 'a\\\\b'", &r));
    /* Other backslashes stay, so regexes read as written. */
    ck_assert(eval_on("from == 'a\\b'", &r));
    r.from = "";
    ck_assert(eval_on("from == ''", &r));
    ck_assert(!eval_on("from != ''", &r));
}
END_TEST

START_TEST(test_number_ops)
{
    MATCH("pdd == 2500");
    MATCH("pdd == 2500.0");
    NO_MATCH("pdd == 2501");
    MATCH("pdd != 2501");
    NO_MATCH("pdd != 2500");
    MATCH("pdd < 2500.5");
    NO_MATCH("pdd < 2500");
    MATCH("pdd > 2499.99");
    NO_MATCH("pdd > 2500");
    MATCH("pdd <= 2500");
    MATCH("pdd >= 2500");
    NO_MATCH("pdd >= 2500.01");
    MATCH("rtp.mos > 4");
    MATCH("rtp.mos == 4.1");
    MATCH("rtp.mos<4.2");
    MATCH("pdd>-1");
    MATCH("pdd > -2500.5");
    NO_MATCH("pdd < -1");
    MATCH("code>=400&&code<500");
}
END_TEST

START_TEST(test_bool_ops)
{
    MATCH("nat_mismatch");
    MATCH("nat_mismatch == true");
    MATCH("nat_mismatch != false");
    NO_MATCH("nat_mismatch == false");
    NO_MATCH("nat_mismatch != true");
    NO_MATCH("one_way");
    MATCH("NOT one_way");
    MATCH("!one_way");
    MATCH("one_way == FALSE");
    MATCH("true");
    NO_MATCH("false");
    MATCH("NOT false");
}
END_TEST

START_TEST(test_precedence)
{
    /* a OR b AND c == a OR (b AND c) */
    MATCH("nat_mismatch OR one_way AND false");
    NO_MATCH("(nat_mismatch OR one_way) AND false");
    /* NOT binds tighter than AND */
    NO_MATCH("NOT nat_mismatch AND true");
    MATCH("NOT (nat_mismatch AND false)");
    MATCH("NOT one_way AND nat_mismatch");
    MATCH("not not nat_mismatch");
    NO_MATCH("NOT state == 'Failed'"); /* NOT takes the whole comparison */
    MATCH("NOT state == 'x' AND nat_mismatch");
    MATCH("!!nat_mismatch");
    NO_MATCH("!!!nat_mismatch");
    /* left-assoc chains, mixed keywords and symbols, case-insensitive */
    MATCH("false or false Or TRUE");
    NO_MATCH("true AND true and false");
    MATCH("false || true && nat_mismatch");
    NO_MATCH("(false || true) && one_way");
    MATCH("((((nat_mismatch))))");
    MATCH("!(one_way) && (state == 'Failed' || pdd > 9000)");
    MATCH("state=='Failed'AND(pdd>1)");
}
END_TEST

START_TEST(test_aliases)
{
    MATCH("failed");
    MATCH("FAILED");
    NO_MATCH("slow-setup");
    NO_MATCH("bad-audio");
    MATCH("problems"); /* failed */
    NO_MATCH("NOT problems");
    MATCH("failed AND NOT slow-setup");
    rec_t r = base;
    r.state = "Answered";
    ck_assert(!eval_on("problems", &r));
    r.one_way = 1;
    ck_assert(eval_on("problems", &r)); /* through bad-audio */
    r.one_way = 0;
    r.pdd = 3001;
    ck_assert(eval_on("problems", &r)); /* through slow-setup */
    /* An alias stands for a parenthesised expression. */
    r = base;
    r.mos = 2;
    ck_assert(!eval_on("bad-audio AND false", &r));
}
END_TEST

START_TEST(test_alias_errors)
{
    expect_err("loop-a", "column 12: alias cycle: loop-a -> loop-b -> loop-a (in alias 'loop-b')\n"
                         "  pdd > 1 OR loop-a\n"
                         "             ^");
    expect_err("one_way OR self", "column 1: alias cycle: self -> self (in alias 'self')\n"
                                  "  self\n"
                                  "  ^");
    expect_err("broken", "column 7: expected a value after '==' (in alias 'broken')\n"
                         "  pdd ==\n"
                         "        ^");
    expect_err("failed == 1", "column 8: 'failed' is an alias for a whole condition; it cannot "
                              "be compared\n"
                              "  failed == 1\n"
                              "         ^");

    /* Every alias checked at startup. */
    char e[256];
    ck_assert_int_eq(snb_filter_check_aliases(fields, N_FIELDS, aliases, 4, e, sizeof e), 0);
    ck_assert_int_eq(snb_filter_check_aliases(fields, N_FIELDS, aliases, N_ALIASES, e, sizeof e),
                     -1);
    ck_assert_str_eq(e, "column 12: alias cycle: loop-a -> loop-b -> loop-a (in alias 'loop-b')\n"
                        "  pdd > 1 OR loop-a\n"
                        "             ^");
}
END_TEST

START_TEST(test_absent)
{
    rec_t r = {.pdd = -1, .mos = -1, .code = -1, .one_way = -1, .nat = -1};
    const char *false_on_absent[] = {
        "state == 'x'", "state < 'x'",  "state > 'x'", "state <= 'x'",    "state >= 'x'",
        "state =~ ''",  "state == ''",  "pdd == 0",    "pdd < 1",         "pdd > -1",
        "pdd <= 0",     "pdd >= 0",     "one_way",     "one_way == true", "one_way == false",
        "rtp.mos < 99", "nat_mismatch",
    };
    const char *true_on_absent[] = {
        "state != 'x'", "state != ''",     "state !~ 'x'",     "pdd != 0",
        "NOT one_way",  "one_way != true", "one_way != false", "NOT (pdd > -1)",
    };
    for (size_t i = 0; i < sizeof false_on_absent / sizeof *false_on_absent; i++) {
        /* "pdd < 1" is not valid: skip anything that doesn't compile. */
        snb_filter_t *f = snb_filter_compile(false_on_absent[i], fields, N_FIELDS, aliases,
                                             N_ALIASES, err, sizeof err);
        if (!f) continue;
        ck_assert_msg(!snb_filter_eval(f, value, &r), "%s", false_on_absent[i]);
        snb_filter_free(f);
    }
    for (size_t i = 0; i < sizeof true_on_absent / sizeof *true_on_absent; i++)
        ck_assert_msg(eval_on(true_on_absent[i], &r), "%s", true_on_absent[i]);

    /* No callback at all: everything is absent. */
    snb_filter_t *f = compile("state != 'x' AND NOT one_way");
    ck_assert(snb_filter_eval(f, NULL, NULL));
    snb_filter_free(f);
    ck_assert(!snb_filter_eval(NULL, value, &r));
}
END_TEST

START_TEST(test_regex)
{
    MATCH("state =~ '^Fail'");
    MATCH("state =~ 'ile'");
    NO_MATCH("state =~ '^failed$'");
    MATCH("state =~ '(?i)^failed$'");
    MATCH("state !~ '^Answered'");
    NO_MATCH("state !~ 'Failed'");
    MATCH("user-agent =~ 'T\\d+S$'"); /* \d kept as written */
    MATCH("user-agent =~ \"SIP-T4[0-9]\"");
    /* The same pattern twice shares one compiled regex; both still work. */
    MATCH("state =~ 'a' AND from =~ 'a'");
    NO_MATCH("state =~ 'x' OR from =~ 'x'");
    rec_t r = base;
    r.ua = "a\nb"; /* binary-safe subject by length */
    ck_assert(eval_on("user-agent =~ '^a\\nb$'", &r));
    /* Catastrophic backtracking stops at the match limit: no match. */
    r.ua = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!";
    ck_assert(!eval_on("user-agent =~ '^(a+)+$'", &r));
    ck_assert(eval_on("user-agent !~ '^(a+)+$'", &r));
}
END_TEST

START_TEST(test_regex_errors)
{
    expect_err("state =~ '(a'", "column 10: bad regular expression: missing closing parenthesis "
                                "(at offset 2 of the pattern)\n"
                                "  state =~ '(a'\n"
                                "           ^");
    expect_err("pdd =~ '1'", "column 5: '=~' needs a string field; 'pdd' is a number\n"
                             "  pdd =~ '1'\n"
                             "      ^");
    expect_err("one_way !~ 'x'", "column 9: '!~' needs a string field; 'one_way' is a boolean\n"
                                 "  one_way !~ 'x'\n"
                                 "          ^");
    expect_err("state =~ 1", "column 10: expected a quoted pattern after '=~'\n"
                             "  state =~ 1\n"
                             "           ^");
}
END_TEST

START_TEST(test_errors)
{
    expect_err("state == AND x", "column 10: expected a value after '=='\n"
                                 "  state == AND x\n"
                                 "           ^");
    expect_err("pdd >", "column 6: expected a value after '>'\n"
                        "  pdd >\n"
                        "       ^");
    expect_err("stat == 'x'", "column 1: unknown field or alias 'stat' (did you mean 'state'?)\n"
                              "  stat == 'x'\n"
                              "  ^");
    expect_err("sttae == 'x'", "column 1: unknown field or alias 'sttae' (did you mean 'state'?)\n"
                               "  sttae == 'x'\n"
                               "  ^");
    expect_err("pdd > 1 AND slow_setup",
               "column 13: unknown field or alias 'slow_setup' (did you mean 'slow-setup'?)\n"
               "  pdd > 1 AND slow_setup\n"
               "              ^");
    expect_err("zzz", "column 1: unknown field or alias 'zzz'\n"
                      "  zzz\n"
                      "  ^");
    expect_err("(state == 'x'", "column 1: unclosed '('\n"
                                "  (state == 'x'\n"
                                "  ^");
    expect_err("(pdd > 1 nat_mismatch)", "column 10: expected AND, OR or ')' before "
                                         "'nat_mismatch'\n"
                                         "  (pdd > 1 nat_mismatch)\n"
                                         "           ^");
    expect_err("state == 'x", "column 10: unterminated string\n"
                              "  state == 'x\n"
                              "           ^");
    expect_err("state == 'x\\'", "column 10: unterminated string\n"
                                 "  state == 'x\\'\n"
                                 "           ^");
    expect_err("state == 'x' foo", "column 14: unexpected 'foo' (missing AND or OR?)\n"
                                   "  state == 'x' foo\n"
                                   "               ^");
    expect_err("pdd > 1 )", "column 9: unexpected ')' without a matching '('\n"
                            "  pdd > 1 )\n"
                            "          ^");
    expect_err("state == 1", "column 10: type mismatch: 'state' is a string field, compare it "
                             "with a quoted string\n"
                             "  state == 1\n"
                             "           ^");
    expect_err("pdd == '1'", "column 8: type mismatch: 'pdd' is a number field, compare it with "
                             "a number\n"
                             "  pdd == '1'\n"
                             "         ^");
    expect_err("one_way == 1", "column 12: type mismatch: 'one_way' is a boolean field, compare "
                               "it with true or false\n"
                               "  one_way == 1\n"
                               "             ^");
    expect_err("state == true", "column 10: type mismatch: 'state' is a string field, compare it "
                                "with a quoted string\n"
                                "  state == true\n"
                                "           ^");
    expect_err("one_way < true", "column 9: '<' does not apply to boolean field 'one_way' (use == "
                                 "or !=)\n"
                                 "  one_way < true\n"
                                 "          ^");
    expect_err("state", "column 1: 'state' is a string field: compare it, e.g. state == 'text'\n"
                        "  state\n"
                        "  ^");
    expect_err("pdd AND true", "column 1: 'pdd' is a number field: compare it, e.g. pdd > 0\n"
                               "  pdd AND true\n"
                               "  ^");
    expect_err("state == Failed", "column 10: expected a value after '==' (quote strings: "
                                  "'Failed')\n"
                                  "  state == Failed\n"
                                  "           ^");
    expect_err("", "column 1: empty expression\n"
                   "  \n"
                   "  ^");
    expect_err("   ", "column 4: empty expression\n"
                      "     \n"
                      "     ^");
    expect_err("one_way AND", "column 12: expected a condition after 'AND'\n"
                              "  one_way AND\n"
                              "             ^");
    expect_err("NOT", "column 4: expected a condition after 'NOT'\n"
                      "  NOT\n"
                      "     ^");
    expect_err("()", "column 2: expected a condition, got ')'\n"
                     "  ()\n"
                     "   ^");
    expect_err("'Failed' == state", "column 1: expected a field before string 'Failed' (write: "
                                    "field == value)\n"
                                    "  'Failed' == state\n"
                                    "  ^");
    expect_err("== 1", "column 1: expected a field before '=='\n"
                       "  == 1\n"
                       "  ^");
    expect_err("pdd = 1", "column 5: unexpected '=' (did you mean '=='?)\n"
                          "  pdd = 1\n"
                          "      ^");
    expect_err("one_way & true", "column 9: unexpected '&' (did you mean '&&'?)\n"
                                 "  one_way & true\n"
                                 "          ^");
    expect_err("one_way | true", "column 9: unexpected '|' (did you mean '||'?)\n"
                                 "  one_way | true\n"
                                 "          ^");
    expect_err("(one_way & true)", "column 10: unexpected '&' (did you mean '&&'?)\n"
                                   "  (one_way & true)\n"
                                   "           ^");
    expect_err("pdd > 200ms", "column 10: unexpected text after a number (values take no unit: "
                              "write a plain number)\n"
                              "  pdd > 200ms\n"
                              "           ^");
    expect_err("pdd > 1.", "column 9: expected a digit after the decimal point\n"
                           "  pdd > 1.\n"
                           "          ^");
    expect_err("pdd > 1 # x", "column 9: unexpected character '#'\n"
                              "  pdd > 1 # x\n"
                              "          ^");
    expect_err("pdd > 1 \x01", "column 9: unexpected byte 0x01\n"
                               "  pdd > 1  \n"
                               "          ^");
    /* Columns count characters: the caret stays under the right one after
     * UTF-8 text; control characters are shown as spaces. */
    expect_err("from == 'h\xc3\xa9' x", "column 14: unexpected 'x' (missing AND or OR?)\n"
                                        "  from == 'h\xc3\xa9' x\n"
                                        "               ^");
    expect_err("one_way\n\tAND", "column 13: expected a condition after 'AND'\n"
                                 "  one_way  AND\n"
                                 "              ^");
}
END_TEST

START_TEST(test_limits)
{
    char *buf = malloc(SNB_FILTER_MAX_LEN + 64);
    ck_assert_ptr_nonnull(buf);

    /* Depth: 64 levels are fine, the 65th '(' is the error. */
    for (int depth = 64; depth <= 65; depth++) {
        size_t n = 0;
        for (int i = 0; i < depth; i++)
            buf[n++] = '(';
        n += (size_t)sprintf(buf + n, "one_way");
        for (int i = 0; i < depth; i++)
            buf[n++] = ')';
        buf[n] = '\0';
        snb_filter_t *f =
            snb_filter_compile(buf, fields, N_FIELDS, aliases, N_ALIASES, err, sizeof err);
        if (depth == 64) {
            ck_assert_ptr_nonnull(f);
            ck_assert(!snb_filter_eval(f, value, (void *)&base));
            snb_filter_free(f);
        } else {
            ck_assert_ptr_null(f);
            ck_assert(starts_with(err, "column 65: nesting deeper than 64 levels\n"));
            expect_caret_under('(');
        }
    }
    /* NOT counts as a level too. */
    size_t n = 0;
    for (int i = 0; i < 65; i++)
        n += (size_t)sprintf(buf + n, "NOT ");
    sprintf(buf + n, "one_way");
    ck_assert_ptr_null(
        snb_filter_compile(buf, fields, N_FIELDS, aliases, N_ALIASES, err, sizeof err));
    ck_assert(starts_with(err, "column 257: nesting deeper than 64 levels\n"));

    /* Length: 4096 bytes compile, 4097 don't. */
    memset(buf, ' ', SNB_FILTER_MAX_LEN);
    memcpy(buf, "one_way", 7);
    buf[SNB_FILTER_MAX_LEN] = '\0';
    snb_filter_t *f = compile(buf);
    snb_filter_free(f);
    memset(buf, 'x', SNB_FILTER_MAX_LEN + 1);
    buf[SNB_FILTER_MAX_LEN + 1] = '\0';
    char want[256];
    n = (size_t)sprintf(want, "column 4097: expression longer than 4096 characters\n  ...");
    memset(want + n, 'x', 76);
    n += 76;
    n += (size_t)sprintf(want + n, "\n  ");
    memset(want + n, ' ', 78);
    n += 78;
    sprintf(want + n, "^");
    expect_err(buf, want);

    /* Nodes: 129 tests joined by 128 ORs are 257 nodes; 128 and 127 fit. */
    for (int terms = 128; terms <= 129; terms++) {
        n = 0;
        for (int i = 0; i < terms; i++)
            n += (size_t)sprintf(buf + n, "%sone_way", i ? " OR " : "");
        f = snb_filter_compile(buf, fields, N_FIELDS, aliases, N_ALIASES, err, sizeof err);
        if (terms == 128) {
            ck_assert_ptr_nonnull(f);
            snb_filter_free(f);
        } else {
            ck_assert_ptr_null(f);
            ck_assert(
                starts_with(err, "column 1409: expression too complex (more than 256 nodes)\n"));
            expect_caret_under('o');
            ck_assert(strstr(err, "\n  ...") != NULL);
        }
    }
    free(buf);
}
END_TEST

START_TEST(test_err_buffer)
{
    char small[16];
    memset(small, 'x', sizeof small);
    ck_assert_ptr_null(
        snb_filter_compile("zzz", fields, N_FIELDS, aliases, N_ALIASES, small, sizeof small));
    ck_assert_str_eq(small, "column 1: unkno");
    ck_assert_ptr_null(snb_filter_compile("zzz", fields, N_FIELDS, aliases, N_ALIASES, NULL, 0));
    ck_assert_ptr_null(snb_filter_compile(NULL, fields, N_FIELDS, aliases, N_ALIASES, small, 1));
    ck_assert_str_eq(small, "");
    /* No fields or aliases at all. */
    snb_filter_t *f = snb_filter_compile("true AND NOT false", NULL, 0, NULL, 0, err, sizeof err);
    ck_assert_ptr_nonnull(f);
    ck_assert(snb_filter_eval(f, NULL, NULL));
    snb_filter_free(f);
    snb_filter_free(NULL);
    ck_assert(strstr(snb_filter_syntax(), "=~") != NULL);
}
END_TEST

/* Long expressions show a window around the error, caret still aligned. */
START_TEST(test_err_window)
{
    char buf[512];
    size_t n = 0;
    for (int i = 0; i < 20; i++)
        n += (size_t)sprintf(buf + n, "pdd > %d OR ", i);
    sprintf(buf + n, "pdd > 1 ) OR pdd > 2 OR pdd > 3 OR pdd > 4 OR pdd > 5 OR pdd > 6 OR pdd > 7");
    ck_assert_ptr_null(
        snb_filter_compile(buf, fields, N_FIELDS, aliases, N_ALIASES, err, sizeof err));
    ck_assert(starts_with(err, "column 239: unexpected ')' without a matching '('\n  ..."));
    ck_assert(strstr(err, "...\n") != NULL);
    expect_caret_under(')');
}
END_TEST

START_TEST(test_short_circuit)
{
    calls = 0;
    ck_assert(!eval_on("one_way AND pdd > 1 AND state == 'x'", &base));
    ck_assert_int_eq(calls, 1);
    calls = 0;
    ck_assert(eval_on("nat_mismatch OR pdd > 1 OR state == 'x'", &base));
    ck_assert_int_eq(calls, 1);
    calls = 0;
    ck_assert(eval_on("(one_way AND pdd > 1) OR (nat_mismatch AND state == 'Failed')", &base));
    ck_assert_int_eq(calls, 3);
    calls = 0;
    ck_assert(!eval_on("NOT (nat_mismatch OR pdd > 1) AND state == 'x'", &base));
    ck_assert_int_eq(calls, 1);
}
END_TEST

/* A few filters over a table of dialogs: which ones each selects. */
START_TEST(test_dialog_table)
{
    static const rec_t dialogs[] = {
        {"Failed", "alice", "Yealink", 2500, 4.1, 486, 0, 1},
        {"Answered", "bob", "Polycom", 800, 4.3, 200, 0, 0},
        {"Answered", "carol", "Linphone", 4200, 3.1, 200, 1, 0},
        {"Cancelled", "Alice", NULL, -1, -1, 487, -1, -1},
        {"Calling", "dave", "Yealink", -1, -1, -1, -1, 0},
    };
    static const struct {
        const char *expr;
        const char *want; /* one char per dialog */
    } cases[] = {
        {"failed", "10000"},
        {"problems", "10100"},
        {"NOT problems", "01011"},
        {"from =~ '(?i)^alice$'", "10010"},
        {"from == 'alice'", "10000"},
        {"code >= 400 AND code < 500", "10010"},
        {"code != 200", "10011"},
        {"pdd > 1000 OR one_way", "10100"},
        {"user-agent =~ 'Yealink' && !nat_mismatch", "00001"},
        {"user-agent !~ 'Yealink'", "01110"},
        {"state < 'B'", "01100"},
        {"state >= 'Calling' AND state <= 'Cancelled'", "00011"},
        {"rtp.mos < 3.5 OR rtp.mos >= 4.2", "01100"},
        {"one_way == false", "11000"},
        {"NOT one_way", "11011"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        snb_filter_t *f = compile(cases[c].expr);
        char got[8] = {0};
        for (size_t d = 0; d < sizeof dialogs / sizeof *dialogs; d++)
            got[d] = snb_filter_eval(f, value, (void *)&dialogs[d]) ? '1' : '0';
        ck_assert_msg(strcmp(got, cases[c].want) == 0, "%s: got %s want %s", cases[c].expr, got,
                      cases[c].want);
        snb_filter_free(f);
    }
}
END_TEST

/* Inputs the fuzzer found, kept as regressions. */
START_TEST(test_fuzz_regressions)
{
    /* A long run of UTF-8 continuation bytes: the error window must not
     * be cut past the error position (heap overflow in the caret count). */
    char *buf = malloc(SNB_FILTER_MAX_LEN + 8);
    ck_assert_ptr_nonnull(buf);
    memcpy(buf, "NOT (", 5);
    memset(buf + 5, 0x80, SNB_FILTER_MAX_LEN);
    buf[SNB_FILTER_MAX_LEN + 5] = '\0';
    ck_assert_ptr_null(
        snb_filter_compile(buf, fields, N_FIELDS, aliases, N_ALIASES, err, sizeof err));
    ck_assert(starts_with(err, "column 6: expression longer than 4096 characters\n  ..."));
    memset(buf, 0x80, 200);
    memcpy(buf + 200, " x", 3);
    ck_assert_ptr_null(
        snb_filter_compile(buf, fields, N_FIELDS, aliases, N_ALIASES, err, sizeof err));
    ck_assert(starts_with(err, "column 1: unexpected byte 0x80\n"));
    free(buf);

    /* An empty first string literal: NULL + 0 in the literal buffer (UBSan). */
    rec_t r = base;
    r.from = "b";
    ck_assert(eval_on("state !=\"\" AND from <= 'b'", &r));
    ck_assert(!eval_on("state ==''", &r));

    static const char *const inputs[] = {
        "-", "'", "\"", "\\", "!", "!=", "=~", "(", ")", "1", "-1", "a.", "a-", ".5",
    };
    for (size_t i = 0; i < sizeof inputs / sizeof *inputs; i++) {
        snb_filter_t *f =
            snb_filter_compile(inputs[i], fields, N_FIELDS, aliases, N_ALIASES, err, sizeof err);
        ck_assert_msg(f == NULL, "'%s' compiled", inputs[i]);
        ck_assert(starts_with(err, "column "));
    }
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("filter");
    TCase *tc = tcase_create("filter");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_string_ops);
    tcase_add_test(tc, test_string_escapes);
    tcase_add_test(tc, test_number_ops);
    tcase_add_test(tc, test_bool_ops);
    tcase_add_test(tc, test_precedence);
    tcase_add_test(tc, test_aliases);
    tcase_add_test(tc, test_alias_errors);
    tcase_add_test(tc, test_absent);
    tcase_add_test(tc, test_regex);
    tcase_add_test(tc, test_regex_errors);
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_limits);
    tcase_add_test(tc, test_err_buffer);
    tcase_add_test(tc, test_err_window);
    tcase_add_test(tc, test_short_circuit);
    tcase_add_test(tc, test_dialog_table);
    tcase_add_test(tc, test_fuzz_regressions);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return snb_check_run(suite());
}
