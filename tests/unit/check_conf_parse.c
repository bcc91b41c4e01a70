/* The config dialect: lexer, model, precedence, conf.d order, every error. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "conf.h"

#define DATA SNB_TEST_DATA_DIR "/conf"

static char err[SNB_CONF_ERRLEN];

static snb_conf_t *parse_ok(const char *text)
{
    snb_conf_t *c = snb_conf_new();
    ck_assert_ptr_nonnull(c);
    int rc = snb_conf_parse_string(c, text, strlen(text), "test.conf", err, sizeof(err));
    ck_assert_msg(rc == 0, "unexpected error: %s", err);
    return c;
}

/* Parse `len` bytes and expect exactly `want` as the error. */
static void expect_err_n(const char *text, size_t len, const char *want)
{
    snb_conf_t *c = snb_conf_new();
    memset(err, 'x', sizeof(err));
    int rc = snb_conf_parse_string(c, text, len, "test.conf", err, sizeof(err));
    ck_assert_int_eq(rc, -1);
    ck_assert_str_eq(err, want);
    ck_assert_ptr_null(strchr(err, '\n'));
    snb_conf_free(c);
}

static void expect_err(const char *text, const char *want)
{
    expect_err_n(text, strlen(text), want);
}

static const snb_conf_entry_t *entry(const snb_conf_section_t *s, const char *key)
{
    ck_assert_ptr_nonnull(s);
    for (size_t i = 0; i < s->n_entries; i++)
        if (strcmp(s->entries[i].key, key) == 0) return &s->entries[i];
    return NULL;
}

static const char *val(const snb_conf_t *c, const char *sec, const char *inst, const char *key)
{
    const snb_conf_entry_t *e = entry(snb_conf_find(c, sec, inst), key);
    ck_assert_msg(e != NULL, "no key %s", key);
    return e->value;
}

START_TEST(test_good_file)
{
    snb_conf_t *c = snb_conf_new();
    int rc = snb_conf_parse_file(c, DATA "/good.conf", err, sizeof(err));
    ck_assert_msg(rc == 0, "%s", err);
    ck_assert_uint_eq(snb_conf_section_count(c), 4);

    const snb_conf_section_t *core = snb_conf_section_at(c, 0);
    ck_assert_str_eq(core->name, "core");
    ck_assert_ptr_null(core->instance);
    ck_assert_str_eq(core->file, DATA "/good.conf");
    ck_assert_int_eq(core->line, 4);
    ck_assert_uint_eq(core->n_entries, 4);
    ck_assert_str_eq(core->entries[0].key, "load");
    ck_assert_str_eq(core->entries[0].value, "pcap, sip, rtp");
    ck_assert(core->entries[0].append);
    ck_assert(!core->entries[0].extends_default);
    ck_assert_int_eq(core->entries[0].line, 6);
    ck_assert_str_eq(val(c, "core", NULL, "empty"), "");
    ck_assert_str_eq(val(c, "core", NULL, "quoted_empty"), "");
    ck_assert_str_eq(val(c, "core", NULL, "comment_only"), "");

    const snb_conf_section_t *lan = snb_conf_section_at(c, 1);
    ck_assert_str_eq(lan->name, "pcap"); /* lower-cased */
    ck_assert_str_eq(lan->instance, "lan");
    ck_assert_int_eq(lan->line, 11);
    ck_assert_ptr_eq(snb_conf_find(c, "pcap", "lan"), lan);
    ck_assert_ptr_null(snb_conf_find(c, "pcap", NULL));
    ck_assert_ptr_null(snb_conf_find(c, "pcap", "LAN"));
    ck_assert_str_eq(val(c, "pcap", "lan", "interface"), "eth0");
    ck_assert_str_eq(val(c, "pcap", "lan", "filter"), "udp port 5060 # not a comment ; nor this");
    ck_assert_str_eq(val(c, "pcap", "lan", "url"), "http://x/#frag");
    ck_assert_str_eq(val(c, "pcap", "lan", "snaplen"), "1500");
    ck_assert_str_eq(val(c, "pcap", "lan", "indented"), "spaced value");
    ck_assert_int_eq(entry(lan, "snaplen")->line, 15);

    ck_assert_str_eq(val(c, "pcap", "wan side", "interface"), "eth1");
    ck_assert_str_eq(val(c, "pcap", "wan side", "escapes"), "tab\there\nnl \"q\" back\\slash");
    ck_assert_str_eq(val(c, "pcap", "wan side", "mixed"), "x y  z w");

    const snb_conf_section_t *q = snb_conf_find(c, "pcap", "a \"quoted\" \\ name");
    ck_assert_ptr_nonnull(q);
    ck_assert_str_eq(val(c, "pcap", "a \"quoted\" \\ name", "interface"), "eth2");
    char label[128];
    snb_conf_section_label(q, label, sizeof(label));
    ck_assert_str_eq(label, "[pcap \"a \\\"quoted\\\" \\\\ name\"]");
    snb_conf_section_label(core, label, sizeof(label));
    ck_assert_str_eq(label, "[core]");
    ck_assert_ptr_null(snb_conf_section_at(c, 4));
    snb_conf_free(c);
}
END_TEST

START_TEST(test_comments_and_blanks)
{
    snb_conf_t *c = parse_ok("\n   \n# c1\n  ; c2\n[s] # after header\n[s];x\n"
                             "a = 1 # c\nb = 2;kept\nc = 3\t; c\nd = #\ne = x#y ;z\n\t\n");
    ck_assert_uint_eq(snb_conf_section_count(c), 1);
    ck_assert_str_eq(val(c, "s", NULL, "a"), "1");
    ck_assert_str_eq(val(c, "s", NULL, "b"), "2;kept");
    ck_assert_str_eq(val(c, "s", NULL, "c"), "3");
    ck_assert_str_eq(val(c, "s", NULL, "d"), "");
    ck_assert_str_eq(val(c, "s", NULL, "e"), "x#y");
    snb_conf_free(c);
}
END_TEST

START_TEST(test_quotes)
{
    snb_conf_t *c = parse_ok("[s]\na = \"  lead and trail  \"\nb = \"a\" \"b\"\nc=\"#;\"\n"
                             "d = \"\\\\\\\"\"\ne = pre\"mid\"post  \nf = \"\" \n"
                             "g = \"x\" # comment\n");
    ck_assert_str_eq(val(c, "s", NULL, "a"), "  lead and trail  ");
    ck_assert_str_eq(val(c, "s", NULL, "b"), "a b");
    ck_assert_str_eq(val(c, "s", NULL, "c"), "#;");
    ck_assert_str_eq(val(c, "s", NULL, "d"), "\\\"");
    ck_assert_str_eq(val(c, "s", NULL, "e"), "premidpost");
    ck_assert_str_eq(val(c, "s", NULL, "f"), "");
    ck_assert_str_eq(val(c, "s", NULL, "g"), "x");
    snb_conf_free(c);
}
END_TEST

START_TEST(test_names)
{
    snb_conf_t *c = parse_ok("[ My_Sec-1 ]\nKEY_a-9 = v\n[my_sec-1 \"Inst Name\" ]\nk=v2\n"
                             "[sec\"x\"]\nk=v3\n");
    ck_assert_uint_eq(snb_conf_section_count(c), 3);
    ck_assert_str_eq(val(c, "my_sec-1", NULL, "key_a-9"), "v");
    ck_assert_str_eq(val(c, "my_sec-1", "Inst Name", "k"), "v2");
    ck_assert_str_eq(val(c, "sec", "x", "k"), "v3");
    snb_conf_free(c);
}
END_TEST

START_TEST(test_crlf)
{
    snb_conf_t *c = snb_conf_new();
    ck_assert_int_eq(snb_conf_parse_file(c, DATA "/crlf.conf", err, sizeof(err)), 0);
    ck_assert_str_eq(val(c, "pcap", "lan", "interface"), "eth0");
    ck_assert_str_eq(val(c, "pcap", "lan", "filter"), "udp port 5060");
    ck_assert_str_eq(val(c, "pcap", "lan", "empty"), "");
    ck_assert_int_eq(entry(snb_conf_find(c, "pcap", "lan"), "empty")->line, 6);
    snb_conf_free(c);
    /* No final newline, a final lone CR, and a UTF-8 BOM. */
    c = parse_ok("\xef\xbb\xbf[s]\r\na = 1\r");
    ck_assert_str_eq(val(c, "s", NULL, "a"), "1");
    snb_conf_free(c);
}
END_TEST

START_TEST(test_append_and_replace)
{
    snb_conf_t *c = parse_ok("[s]\nl += a\nl += b c\nr = 1\nr = 2\nm = x\nm += \nm += y\n"
                             "z = q\nz += w\nz = final\n");
    const snb_conf_section_t *s = snb_conf_find(c, "s", NULL);
    const snb_conf_entry_t *l = entry(s, "l");
    ck_assert_str_eq(l->value, "a, b c");
    ck_assert(l->append);
    ck_assert(l->extends_default); /* no '=' came first */
    ck_assert_int_eq(l->line, 3);
    const snb_conf_entry_t *r = entry(s, "r");
    ck_assert_str_eq(r->value, "2");
    ck_assert(!r->append);
    ck_assert_int_eq(r->line, 5);
    const snb_conf_entry_t *m = entry(s, "m");
    ck_assert_str_eq(m->value, "x, y");
    ck_assert(m->append);
    ck_assert(!m->extends_default);
    ck_assert_int_eq(m->line, 8);
    const snb_conf_entry_t *z = entry(s, "z");
    ck_assert_str_eq(z->value, "final");
    ck_assert(!z->append);
    /* Entries keep first-appearance order. */
    ck_assert_uint_eq(s->n_entries, 4);
    ck_assert_str_eq(s->entries[0].key, "l");
    ck_assert_str_eq(s->entries[3].key, "z");
    snb_conf_free(c);
}
END_TEST

START_TEST(test_later_file_wins)
{
    snb_conf_t *c = snb_conf_new();
    const char *a = "[pcap \"lan\"]\nsnaplen = 100\nload = x\nonly_a = 1\n";
    const char *b = "# b\n[pcap \"lan\"]\nsnaplen = 200\nload += y\n";
    ck_assert_int_eq(snb_conf_parse_string(c, a, strlen(a), "a.conf", err, sizeof(err)), 0);
    ck_assert_int_eq(snb_conf_parse_string(c, b, strlen(b), "b.conf", err, sizeof(err)), 0);
    const snb_conf_section_t *s = snb_conf_find(c, "pcap", "lan");
    ck_assert_uint_eq(snb_conf_section_count(c), 1);
    ck_assert_str_eq(s->file, "a.conf"); /* where the header first appeared */
    ck_assert_int_eq(s->line, 1);
    const snb_conf_entry_t *e = entry(s, "snaplen");
    ck_assert_str_eq(e->value, "200");
    ck_assert_str_eq(e->file, "b.conf");
    ck_assert_int_eq(e->line, 3);
    e = entry(s, "load");
    ck_assert_str_eq(e->value, "x, y");
    ck_assert_str_eq(e->file, "b.conf");
    ck_assert_int_eq(e->line, 4);
    e = entry(s, "only_a");
    ck_assert_str_eq(e->file, "a.conf");
    /* A new file starts outside any section. */
    const char *d = "k = v\n";
    ck_assert_int_eq(snb_conf_parse_string(c, d, strlen(d), "d.conf", err, sizeof(err)), -1);
    ck_assert_str_eq(err, "d.conf:1: key 'k' is outside of any section");
    snb_conf_free(c);
}
END_TEST

START_TEST(test_confd_order)
{
    snb_conf_t *c = snb_conf_new();
    int rc = snb_conf_load(c, DATA "/main.conf", DATA "/confd", err, sizeof(err));
    ck_assert_msg(rc == 0, "%s", err);
    /* Byte order: "10-a.conf" < "2-b.conf" < "99.conf"; .hidden and x.txt skipped. */
    ck_assert_str_eq(val(c, "core", NULL, "trail"), "main, 10-a, 2-b, 99");
    const snb_conf_entry_t *e = entry(snb_conf_find(c, "core", NULL), "last");
    ck_assert_str_eq(e->value, "99");
    ck_assert_str_eq(e->file, DATA "/confd/99.conf");
    ck_assert_int_eq(e->line, 4);
    snb_conf_free(c);

    c = snb_conf_new();
    ck_assert_int_eq(snb_conf_load(c, DATA "/main.conf", DATA "/no-such-dir", err, sizeof(err)), 0);
    ck_assert_str_eq(val(c, "core", NULL, "last"), "main");
    snb_conf_free(c);
    c = snb_conf_new();
    ck_assert_int_eq(snb_conf_load(c, DATA "/main.conf", NULL, err, sizeof(err)), 0);
    snb_conf_free(c);
}
END_TEST

START_TEST(test_missing_file)
{
    snb_conf_t *c = snb_conf_new();
    ck_assert_int_eq(snb_conf_parse_file(c, DATA "/nope.conf", err, sizeof(err)), -1);
    ck_assert_str_eq(err, DATA "/nope.conf: No such file or directory");
    ck_assert_int_eq(snb_conf_load(c, "/nonexistent/sipnab.conf", DATA "/confd", err, sizeof(err)),
                     -1);
    ck_assert_str_eq(err, "/nonexistent/sipnab.conf: No such file or directory");
    ck_assert_int_eq(snb_conf_parse_file(c, DATA, err, sizeof(err)), -1);
    ck_assert_str_eq(err, DATA ": Is a directory");
    /* A confd path that is a file, not a directory. */
    ck_assert_int_eq(snb_conf_load(c, DATA "/main.conf", DATA "/main.conf", err, sizeof(err)), -1);
    ck_assert_str_eq(err, DATA "/main.conf: Not a directory");
    snb_conf_free(c);
}
END_TEST

START_TEST(test_set)
{
    snb_conf_t *c = parse_ok("[pcap \"lan\"]\nsnaplen = 100\nload = a\n");
    ck_assert_int_eq(snb_conf_set(c, "PCAP", "lan", "SnapLen", "300", false, NULL, 0), 0);
    ck_assert_int_eq(snb_conf_set(c, "pcap", "lan", "load", "b", true, NULL, 0), 0);
    ck_assert_int_eq(snb_conf_set(c, "core", NULL, "log", NULL, false, "env", 2), 0);
    const snb_conf_entry_t *e = entry(snb_conf_find(c, "pcap", "lan"), "snaplen");
    ck_assert_str_eq(e->value, "300");
    ck_assert_str_eq(e->file, "command line");
    ck_assert_int_eq(e->line, 0);
    ck_assert_str_eq(val(c, "pcap", "lan", "load"), "a, b");
    const snb_conf_section_t *core = snb_conf_find(c, "core", NULL);
    ck_assert_str_eq(core->file, "env");
    ck_assert_int_eq(core->line, 2);
    ck_assert_str_eq(val(c, "core", NULL, "log"), "");
    ck_assert_int_eq(snb_conf_set(c, "bad name", NULL, "k", "v", false, NULL, 0), -1);
    ck_assert_int_eq(snb_conf_set(c, "s", NULL, "bad.key", "v", false, NULL, 0), -1);
    ck_assert_int_eq(snb_conf_set(c, "s", "", "k", "v", false, NULL, 0), -1);
    ck_assert_int_eq(snb_conf_set(c, "s", "a\nb", "k", "v", false, NULL, 0), -1);
    ck_assert_int_eq(snb_conf_set(c, NULL, NULL, "k", "v", false, NULL, 0), -1);
    ck_assert_int_eq(snb_conf_set(NULL, "s", NULL, "k", "v", false, NULL, 0), -1);
    snb_conf_free(c);
}
END_TEST

START_TEST(test_err_section_header)
{
    expect_err("[core]\na = 1\n[pcap \"lan\"\n", "test.conf:3: unterminated section header");
    expect_err("[pcap", "test.conf:1: unterminated section header");
    expect_err("[pcap \"lan]\n", "test.conf:1: unterminated section header");
    expect_err("[pcap \"lan\\", "test.conf:1: unterminated section header");
    expect_err("\n[pc@p]\n", "test.conf:2: invalid section name 'pc@p'");
    expect_err("[pcap.lan]\n", "test.conf:1: invalid section name 'pcap.lan'");
    expect_err("[]\n", "test.conf:1: invalid section name ''");
    expect_err("[ \"x\"]\n", "test.conf:1: invalid section name ''");
    expect_err("[pcap lan]\n",
               "test.conf:1: invalid section header (expected [name] or [name \"instance\"])");
    expect_err("[pcap \"\"]\n", "test.conf:1: empty instance name in section header");
    expect_err("[pcap \"a\\nb\"]\n", "test.conf:1: invalid escape '\\n' in section header");
    expect_err("[pcap] x\n", "test.conf:1: unexpected text after section header");
}
END_TEST

START_TEST(test_err_keys)
{
    expect_err("[pcap]\n\n\n\n\n\nsnaplen 1500\n", "test.conf:7: expected '=' after key 'snaplen'");
    expect_err("[pcap]\nsnaplen\n", "test.conf:2: expected '=' after key 'snaplen'");
    expect_err("[pcap]\na + = 1\n", "test.conf:2: expected '=' after key 'a'");
    expect_err("# top\nkey = 1\n[s]\n", "test.conf:2: key 'key' is outside of any section");
    expect_err("[s]\nsn@p = 1\n", "test.conf:2: invalid key 'sn@p'");
    expect_err("[s]\nsn.ap=1\n", "test.conf:2: invalid key 'sn.ap'");
    expect_err("[s]\na+b = 1\n", "test.conf:2: invalid key 'a+b'");
    expect_err("[s]\n\"q\" = 1\n", "test.conf:2: invalid key '\"q\"'");
    expect_err("[s]\n = 1\n", "test.conf:2: missing key before '='");
}
END_TEST

START_TEST(test_err_values)
{
    expect_err("[s]\na = \"open\n", "test.conf:2: unterminated quoted value");
    expect_err("[s]\na = \"x\" \"y\n", "test.conf:2: unterminated quoted value");
    expect_err("[s]\na = \"x\\", "test.conf:2: unterminated quoted value");
    expect_err("[s]\na = \"\\q\"\n", "test.conf:2: invalid escape '\\q' in quoted value");
    expect_err("[s]\na = x\x01y\n", "test.conf:2: control character 0x01 in line");
    expect_err("[s]\na = x\ry\n", "test.conf:2: control character 0x0d in line");
    expect_err_n("[s]\na = x\0y\n", 10, "test.conf:2: NUL byte in line");
    expect_err_n("[s]\n\0", 5, "test.conf:2: NUL byte in line");
}
END_TEST

START_TEST(test_err_line_length)
{
    size_t n = 4 + 4 + SNB_CONF_MAX_LINE + 8;
    char *t = malloc(n);
    /* "[s]\n" + "a = " + value: exactly 4096 bytes of line is fine ... */
    memcpy(t, "[s]\na = ", 8);
    memset(t + 8, 'v', SNB_CONF_MAX_LINE - 4);
    memcpy(t + 4 + SNB_CONF_MAX_LINE, "\r\n", 2);
    snb_conf_t *c = snb_conf_new();
    ck_assert_int_eq(
        snb_conf_parse_string(c, t, 4 + SNB_CONF_MAX_LINE + 2, "test.conf", err, sizeof(err)), 0);
    ck_assert_uint_eq(strlen(val(c, "s", NULL, "a")), SNB_CONF_MAX_LINE - 4);
    snb_conf_free(c);
    /* ... one more is not. */
    t[4 + SNB_CONF_MAX_LINE] = 'v';
    t[4 + SNB_CONF_MAX_LINE + 1] = '\n';
    expect_err_n(t, 4 + SNB_CONF_MAX_LINE + 2, "test.conf:2: line too long (max 4096 bytes)");
    expect_err_n(t, 4 + SNB_CONF_MAX_LINE + 1, "test.conf:2: line too long (max 4096 bytes)");
    free(t);
}
END_TEST

START_TEST(test_err_file_too_large)
{
    size_t n = SNB_CONF_MAX_FILE + 1;
    char *t = malloc(n);
    memset(t, '\n', n);
    expect_err_n(t, n, "test.conf: file too large (max 1048576 bytes)");
    snb_conf_t *c = snb_conf_new();
    ck_assert_int_eq(snb_conf_parse_string(c, t, n - 1, "test.conf", err, sizeof(err)), 0);
    snb_conf_free(c);
    free(t);
}
END_TEST

/* "[s]\n" then `count` distinct keys. */
static char *many_keys(size_t count, size_t *len)
{
    char *t = malloc(16 + count * 16);
    size_t o = (size_t)sprintf(t, "[s]\n");
    for (size_t i = 0; i < count; i++)
        o += (size_t)sprintf(t + o, "k%zu = %zu\n", i, i);
    *len = o;
    return t;
}

START_TEST(test_err_too_many_entries)
{
    size_t len;
    char *t = many_keys(SNB_CONF_MAX_ENTRIES, &len);
    snb_conf_t *c = snb_conf_new();
    ck_assert_int_eq(snb_conf_parse_string(c, t, len, "test.conf", err, sizeof(err)), 0);
    ck_assert_uint_eq(snb_conf_find(c, "s", NULL)->n_entries, SNB_CONF_MAX_ENTRIES);
    ck_assert_str_eq(val(c, "s", NULL, "k9999"), "9999");
    /* Re-setting existing keys is not a new entry... */
    const char *again = "[s]\nk1 = x\nk2 += y\n";
    ck_assert_int_eq(snb_conf_parse_string(c, again, strlen(again), "b.conf", err, sizeof(err)), 0);
    ck_assert_str_eq(val(c, "s", NULL, "k2"), "2, y");
    /* ... a new key in any section is, and so is snb_conf_set. */
    const char *more = "[t]\n\nnew = 1\n";
    ck_assert_int_eq(snb_conf_parse_string(c, more, strlen(more), "c.conf", err, sizeof(err)), -1);
    ck_assert_str_eq(err, "c.conf:3: too many entries (max 10000)");
    ck_assert_int_eq(snb_conf_set(c, "s", NULL, "new", "1", false, NULL, 0), -1);
    snb_conf_free(c);
    free(t);

    t = many_keys(SNB_CONF_MAX_ENTRIES + 1, &len);
    expect_err_n(t, len, "test.conf:10002: too many entries (max 10000)");
    free(t);
}
END_TEST

START_TEST(test_err_too_many_sections)
{
    size_t count = SNB_CONF_MAX_SECTIONS + 1;
    char *t = malloc(count * 24);
    size_t o = 0;
    for (size_t i = 0; i < count; i++)
        o += (size_t)sprintf(t + o, "[s \"%zu\"]\n", i);
    expect_err_n(t, o, "test.conf:10001: too many sections (max 10000)");
    free(t);
}
END_TEST

/* Hostile but valid: one key appended to 200k times stays linear. */
START_TEST(test_many_appends)
{
    size_t count = 150000, o;
    char *t = malloc(8 + count * 8);
    o = (size_t)sprintf(t, "[s]\n");
    for (size_t i = 0; i < count; i++)
        o += (size_t)sprintf(t + o, "l+=ab\n");
    snb_conf_t *c = snb_conf_new();
    ck_assert_int_eq(snb_conf_parse_string(c, t, o, "test.conf", err, sizeof(err)), 0);
    ck_assert_uint_eq(strlen(val(c, "s", NULL, "l")), count * 4 - 2);
    snb_conf_free(c);
    free(t);
}
END_TEST

START_TEST(test_err_truncated_buffer)
{
    /* Errors fit any buffer, truncated, NUL-terminated. */
    snb_conf_t *c = snb_conf_new();
    char small[12];
    const char *t = "[s]\nbad value\n";
    ck_assert_int_eq(snb_conf_parse_string(c, t, strlen(t), "test.conf", small, sizeof(small)), -1);
    ck_assert_str_eq(small, "test.conf:2");
    ck_assert_int_eq(snb_conf_parse_string(c, t, strlen(t), "test.conf", NULL, 0), -1);
    snb_conf_free(c);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("conf_parse");
    TCase *tc = tcase_create("parse");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_good_file);
    tcase_add_test(tc, test_comments_and_blanks);
    tcase_add_test(tc, test_quotes);
    tcase_add_test(tc, test_names);
    tcase_add_test(tc, test_crlf);
    tcase_add_test(tc, test_append_and_replace);
    tcase_add_test(tc, test_later_file_wins);
    tcase_add_test(tc, test_confd_order);
    tcase_add_test(tc, test_missing_file);
    tcase_add_test(tc, test_set);
    tcase_add_test(tc, test_err_section_header);
    tcase_add_test(tc, test_err_keys);
    tcase_add_test(tc, test_err_values);
    tcase_add_test(tc, test_err_line_length);
    tcase_add_test(tc, test_err_file_too_large);
    tcase_add_test(tc, test_err_too_many_entries);
    tcase_add_test(tc, test_err_too_many_sections);
    tcase_add_test(tc, test_many_appends);
    tcase_add_test(tc, test_err_truncated_buffer);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return snb_check_run(suite());
}
