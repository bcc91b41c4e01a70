/* The JSON writer (sipnab/jsonw.h) against jansson: random documents built
 * both ways, call for call, must dump to the same bytes, with and without
 * JSON_ENSURE_ASCII, including strings that are not UTF-8 (left out by
 * both), control bytes, NULs and four-byte sequences. */
#include <check.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "sipnab/jsonw.h"

static uint64_t next(uint64_t *s) /* splitmix64: the same documents every run */
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* A string of up to 40 pieces: plain ASCII, escapes, valid 2-4 byte UTF-8,
 * and now and then a byte that breaks it. */
static size_t random_string(uint64_t *seed, char *buf, bool allow_invalid)
{
    static const char *pieces[] = {"abc",
                                   "sip:alice@example.com",
                                   "\"",
                                   "\\",
                                   "\n",
                                   "\t",
                                   "\r",
                                   "\b",
                                   "\f",
                                   "\x01",
                                   "\x1f",
                                   "/",
                                   "\x7f",
                                   "\xc3\xa9",
                                   "\xe2\x82\xac",
                                   "\xf0\x9f\x98\x80",
                                   "\xef\xbf\xbf",
                                   " ",
                                   "<>"};
    static const char *broken[] = {"\x80",         "\xc0\xaf",         "\xe0\x80\xaf",
                                   "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xf8",
                                   "\xc3",         "\xe2\x82"};
    size_t n = 0, count = next(seed) % 40;
    for (size_t i = 0; i < count; i++) {
        const char *p;
        size_t len;
        uint64_t r = next(seed);
        if (r % 11 == 0) {
            buf[n++] = '\0';
            continue;
        }
        if (allow_invalid && r % 97 == 1)
            p = broken[r / 97 % (sizeof broken / sizeof *broken)];
        else
            p = pieces[r / 11 % (sizeof pieces / sizeof *pieces)];
        len = strlen(p);
        memcpy(buf + n, p, len);
        n += len;
    }
    return n;
}

/* One value under key (NULL in an array) in both forms. */
static void add_value(uint64_t *seed, json_t *parent, const char *key, snb_jsonw_t *w, int depth);

static void attach(json_t *parent, const char *key, json_t *v)
{
    if (key)
        json_object_set_new(parent, key, v); /* a NULL v is refused, as jansson users get */
    else
        json_array_append_new(parent, v);
}

static void add_container(uint64_t *seed, json_t *parent, const char *key, snb_jsonw_t *w,
                          int depth, bool object)
{
    json_t *c = object ? json_object() : json_array();
    if (object)
        snb_jsonw_object_begin(w, key);
    else
        snb_jsonw_array_begin(w, key);
    size_t n = next(seed) % 8;
    for (size_t i = 0; i < n; i++) {
        char k[16];
        snprintf(k, sizeof k, "k%zu", i);
        add_value(seed, c, object ? k : NULL, w, depth + 1);
    }
    if (object)
        snb_jsonw_object_end(w);
    else
        snb_jsonw_array_end(w);
    if (parent)
        attach(parent, key, c);
    else
        json_decref(c);
}

static void add_value(uint64_t *seed, json_t *parent, const char *key, snb_jsonw_t *w, int depth)
{
    uint64_t r = next(seed) % (depth < 4 ? 10 : 8);
    char s[400];
    size_t n;
    long long v;
    switch (r) {
    case 0:
    case 1:
        n = random_string(seed, s, true);
        attach(parent, key, json_stringn(s, n));
        snb_jsonw_string(w, key, s, n);
        break;
    case 2: {
        static const long long edge[] = {0, -1, 1, LLONG_MIN, LLONG_MAX, 5060, -100000};
        uint64_t e = next(seed);
        v = e % 3 ? (long long)(e >> 3) - (long long)(e >> 2) : edge[e / 3 % 7];
        attach(parent, key, json_integer(v));
        snb_jsonw_int(w, key, v);
        break;
    }
    case 3:
        attach(parent, key, json_boolean(next(seed) & 1));
        snb_jsonw_bool(w, key,
                       json_is_true(key ? json_object_get(parent, key)
                                        : json_array_get(parent, json_array_size(parent) - 1)));
        break;
    case 4:
        attach(parent, key, json_null());
        snb_jsonw_null(w, key);
        break;
    case 5:
        attach(parent, key, json_null()); /* a NULL string is null */
        snb_jsonw_string(w, key, NULL, 3);
        break;
    case 6: { /* reals: plain, tiny, huge, integral, and NaN (refused by both) */
        static const double edge[] = {0.0, -0.0, 1.5, 0.1, 1e300, 1e-300, 1e17, -2.5e-7};
        uint64_t e = next(seed);
        double d = e % 5 == 0   ? NAN
                   : e % 5 == 1 ? edge[e / 5 % 8]
                                : (double)(int64_t)(e >> 11) / (double)(1 + (e & 0x3ff));
        attach(parent, key, json_real(d));
        snb_jsonw_real(w, key, d);
        break;
    }
    case 7: { /* a jansson value written whole */
        json_t *whole = json_pack("{s:[i,f,s,n],s:{s:b}}", "a", (int)(next(seed) % 100), 0.25,
                                  "x\"\u00e9", "o", "t", 1);
        attach(parent, key, json_incref(whole));
        ck_assert(snb_jsonw_json(w, key, whole));
        json_decref(whole);
        break;
    }
    case 8:
        add_container(seed, parent, key, w, depth, true);
        break;
    default:
        add_container(seed, parent, key, w, depth, false);
        break;
    }
}

static void compare(bool ascii)
{
    uint64_t seed = ascii ? 11 : 7;
    snb_jsonw_t w;
    snb_jsonw_init(&w, ascii);
    size_t flags = JSON_COMPACT | JSON_PRESERVE_ORDER | (ascii ? JSON_ENSURE_ASCII : 0);
    int left_out = 0;
    for (int doc = 0; doc < 20000; doc++) {
        snb_jsonw_reset(&w);
        json_t *root = json_object();
        snb_jsonw_object_begin(&w, NULL);
        size_t n = next(&seed) % 12;
        for (size_t i = 0; i < n; i++) {
            char k[16];
            snprintf(k, sizeof k, "m%zu", i);
            add_value(&seed, root, k, &w, 0);
            left_out += json_object_get(root, k) == NULL;
        }
        snb_jsonw_object_end(&w);
        char *want = json_dumps(root, flags);
        ck_assert_ptr_nonnull(want);
        ck_assert_msg(!w.failed && w.depth == 0, "document %d: writer failed", doc);
        ck_assert_msg(!strcmp(w.p, want), "document %d:\n jansson %s\n writer  %s", doc, want, w.p);
        free(want);
        json_decref(root);
    }
    ck_assert_int_gt(left_out, 100); /* invalid UTF-8 was exercised */
    snb_jsonw_free(&w);
}

START_TEST(random_documents_equal_jansson)
{
    compare(false);
}
END_TEST

START_TEST(random_documents_equal_jansson_ascii)
{
    compare(true);
}
END_TEST

/* One real through the writer and through jansson ([v] both ways). */
static void real_equal(snb_jsonw_t *w, double v)
{
    snb_jsonw_reset(w);
    snb_jsonw_array_begin(w, NULL);
    snb_jsonw_real(w, NULL, v);
    snb_jsonw_array_end(w);
    json_t *a = json_array();
    json_array_append_new(a, json_real(v));
    char *want = json_dumps(a, JSON_COMPACT);
    ck_assert_msg(!strcmp(w->p, want), "%.17g (%a): jansson %s, writer %s", v, v, want, w->p);
    free(want);
    json_decref(a);
}

/* The writer prints reals in [1e-3, 1e15) without snprintf: every form of
 * them (milliseconds as sipnab computes them, random bits, both sides of
 * the powers of ten, halfway cases) must equal jansson's "%.17g". */
/* snb_jsonw_utf8_valid says yes exactly where json_stringn takes the
 * bytes: random strings with broken sequences now and then, and every
 * one- and two-byte string. */
START_TEST(utf8_check_equals_jansson)
{
    uint64_t seed = 42;
    char buf[4096];
    int invalid = 0;
    for (int i = 0; i < 20000; i++) {
        size_t n = random_string(&seed, buf, i % 2 == 0);
        json_t *j = json_stringn(buf, n);
        ck_assert_msg(snb_jsonw_utf8_valid(buf, n) == (j != NULL), "string %d", i);
        invalid += j == NULL;
        json_decref(j);
    }
    ck_assert_int_gt(invalid, 100); /* the broken pieces were exercised */
    for (unsigned a = 0; a < 256; a++)
        for (unsigned b = 0; b < 256; b++) {
            char s[2] = {(char)a, (char)b};
            for (size_t n = 1; n <= 2; n++) {
                json_t *j = json_stringn(s, n);
                ck_assert(snb_jsonw_utf8_valid(s, n) == (j != NULL));
                json_decref(j);
            }
        }
}
END_TEST

START_TEST(reals_equal_jansson)
{
    snb_jsonw_t w;
    snb_jsonw_init(&w, false);
    for (long k = 0; k < 200000; k++) /* t_ms: microseconds / 1000.0 */
        real_equal(&w, (double)k / 1000.0);
    uint64_t seed = 5;
    for (int i = 0; i < 200000; i++) {
        uint64_t r = next(&seed);
        real_equal(&w, (double)(r >> 20) / 1000.0);    /* long captures, in ms */
        real_equal(&w, (double)(r % 100000000) / 1e6); /* seconds from microseconds */
        double bits;                                   /* any double in range */
        uint64_t u = (r & 0x000FFFFFFFFFFFFFull) | (uint64_t)(1013 + r % 60) << 52;
        memcpy(&bits, &u, sizeof bits);
        real_equal(&w, (r >> 63) ? -bits : bits);
        /* 13-15 digit integers plus sixteenths: many are exact halfway cases */
        real_equal(&w, (double)(r % 900000000000000ull + 1000000000000ull) + (double)(r % 16) / 16);
    }
    for (int e = -3; e <= 15; e++) { /* both sides of every power of ten */
        double p = pow(10, e);
        for (int ulps = -3; ulps <= 3; ulps++) {
            double v = p;
            for (int j = 0; j < (ulps < 0 ? -ulps : ulps); j++)
                v = nextafter(v, ulps < 0 ? 0 : INFINITY);
            real_equal(&w, v);
            real_equal(&w, -v);
        }
    }
    real_equal(&w, 0.0);
    real_equal(&w, -0.0);
    real_equal(&w, 35.355);
    real_equal(&w, 9.9999999999999999e14);
    snb_jsonw_free(&w);
}
END_TEST

/* snb_jsonw_members_except: the members of a tree but the ones named, in
 * order, as jansson dumps the tree with those deleted; the first and the
 * last member left out too, keys that need escaping kept. */
START_TEST(members_except_equals_jansson_without_them)
{
    json_t *o = json_pack("{s:i,s:[i,i],s:{s:s},s:s,s:n,s:b}", "quality_intervals", 1, "packets", 2,
                          3, "rtcp", "x", "y", "k\"ey", "v\u00e9", "mid", "dtmf", 1);
    ck_assert_ptr_nonnull(o);
    static const char *const skip[] = {"quality_intervals", "rtcp", "dtmf", "absent", NULL};
    snb_jsonw_t w;
    snb_jsonw_init(&w, false);
    snb_jsonw_object_begin(&w, NULL);
    ck_assert(snb_jsonw_members_except(&w, o, skip));
    snb_jsonw_object_end(&w);
    json_t *cut = json_deep_copy(o);
    json_object_del(cut, "quality_intervals");
    json_object_del(cut, "rtcp");
    json_object_del(cut, "dtmf");
    char *want = json_dumps(cut, JSON_COMPACT | JSON_PRESERVE_ORDER);
    ck_assert_str_eq(w.p, want);
    ck_assert_str_eq(w.p, "{\"packets\":[2,3],\"k\\\"ey\":\"v\u00e9\",\"mid\":null}");
    free(want);
    /* no skip list: every member, as snb_jsonw_members */
    snb_jsonw_reset(&w);
    snb_jsonw_object_begin(&w, NULL);
    ck_assert(snb_jsonw_members_except(&w, o, NULL));
    snb_jsonw_object_end(&w);
    want = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    ck_assert_str_eq(w.p, want);
    free(want);
    json_decref(cut);
    json_decref(o);
    snb_jsonw_free(&w);
}
END_TEST

START_TEST(fixed_forms)
{
    snb_jsonw_t w;
    snb_jsonw_init(&w, true);
    snb_jsonw_object_begin(&w, NULL);
    snb_jsonw_cstring(&w, "from", "Jos\xc3\xa9 \"J\"");
    snb_jsonw_string(&w, "bad", "\xff", 1); /* left out, no dangling comma */
    snb_jsonw_int(&w, "cseq", -42);
    snb_jsonw_array_begin(&w, "a");
    snb_jsonw_string(&w, NULL, "\xf0\x9f\x98\x80", 4);
    snb_jsonw_null(&w, NULL);
    snb_jsonw_array_end(&w);
    snb_jsonw_object_end(&w);
    ck_assert_str_eq(
        w.p, "{\"from\":\"Jos\\u00E9 \\\"J\\\"\",\"cseq\":-42,\"a\":[\"\\uD83D\\uDE00\",null]}");
    json_t *bad = json_pack("[o]", json_stringn_nocheck("\xff", 1));
    snb_jsonw_t w2;
    snb_jsonw_init(&w2, false);
    ck_assert(!snb_jsonw_json(&w2, NULL, bad)); /* json_dumps fails on it too */
    ck_assert(w2.failed);
    ck_assert_ptr_null(json_dumps(bad, JSON_COMPACT));
    snb_jsonw_free(&w2);
    json_decref(bad);
    snb_jsonw_object_end(&w); /* unbalanced */
    ck_assert(w.failed);
    snb_jsonw_free(&w);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("jsonw");
    TCase *tc = tcase_create("jsonw");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, random_documents_equal_jansson);
    tcase_add_test(tc, random_documents_equal_jansson_ascii);
    tcase_add_test(tc, fixed_forms);
    tcase_add_test(tc, members_except_equals_jansson_without_them);
    tcase_add_test(tc, reals_equal_jansson);
    tcase_add_test(tc, utf8_check_equals_jansson);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
