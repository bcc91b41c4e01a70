/* api_json_dump against json_dumps(JSON_COMPACT | JSON_PRESERVE_ORDER): the
 * same bytes for every kind of value, escape, real and nesting, and the
 * same failures. */
#include <check.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api_json_dump.h"
#include "check_run.h"

/* Both dumps of v agree (text and length); returns ours for more checks. */
static char *same_as_jansson(json_t *v)
{
    size_t len = 12345;
    char *ours = api_json_dump(v, &len);
    char *theirs = v ? json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    if (!theirs) {
        ck_assert_ptr_null(ours);
        ck_assert_uint_eq(len, 0);
        return NULL;
    }
    ck_assert_ptr_nonnull(ours);
    ck_assert_str_eq(ours, theirs);
    ck_assert_uint_eq(len, strlen(theirs));
    free(theirs);
    return ours;
}

static void expect(json_t *v, const char *want)
{
    char *got = same_as_jansson(v);
    ck_assert_ptr_nonnull(got);
    ck_assert_str_eq(got, want);
    free(got);
    json_decref(v);
}

START_TEST(scalars_and_nesting)
{
    expect(json_pack("{s:n,s:b,s:b,s:I,s:I,s:I}", "n", "t", 1, "f", 0, "i", (json_int_t)-42, "max",
                     (json_int_t)INT64_MAX, "min", (json_int_t)INT64_MIN),
           "{\"n\":null,\"t\":true,\"f\":false,\"i\":-42,\"max\":9223372036854775807,"
           "\"min\":-9223372036854775808}");
    expect(json_object(), "{}");
    expect(json_array(), "[]");
    expect(json_pack("[[],{},[i,[i,{s:[]}]]]", 1, 2, "a"), "[[],{},[1,[2,{\"a\":[]}]]]");
    /* insertion order, not key order */
    expect(json_pack("{s:i,s:i,s:i}", "z", 1, "a", 2, "m", 3), "{\"z\":1,\"a\":2,\"m\":3}");
}
END_TEST

START_TEST(reals_like_jsonp_dtostr)
{
    expect(json_pack("[f,f,f,f,f,f,f,f,f,f]", 0.0, -0.0, 1.0, 1.5, 0.1, 1e300, 1e-300, 123456789.0,
                     1e17, -2.5e-7),
           "[0.0,-0.0,1.0,1.5,0.10000000000000001,1.0000000000000001e300,1e-300,"
           "123456789.0,1e17,-2.4999999999999999e-7]");
    /* the values a dialog carries: milliseconds and seconds */
    for (int i = 0; i < 5000; i++) {
        json_t *a = json_pack("[f,f]", (double)i / 1000.0, (double)i * 1.37 / 7.0);
        free(same_as_jansson(a));
        json_decref(a);
    }
}
END_TEST

START_TEST(string_escapes)
{
    json_t *s = json_stringn("a\"b\\c\b\f\n\r\t\x01\x1f\x7f/ z\0end", 20);
    json_t *a = json_array();
    json_array_append_new(a, s);
    expect(a, "[\"a\\\"b\\\\c\\b\\f\\n\\r\\t\\u0001\\u001F\x7f/ z\\u0000end\"]");
    /* every control byte and every escaped key */
    json_t *o = json_object();
    for (int c = 0; c < 0x20; c++) {
        char key[3] = {'k', (char)c, 0};
        json_object_setn_new(o, key, 2, json_stringn(key, 2));
    }
    free(same_as_jansson(o));
    json_decref(o);
}
END_TEST

/* The 8-byte fast path: one byte to escape (or not) at every position of
 * clean strings of every length up to 40. */
START_TEST(one_special_byte_anywhere)
{
    static const char probes[] = {'"', '\\', '\n', 0x01, 0x1f, 0x20, 0x7f, '/', 'a', 0};
    char buf[41];
    for (size_t n = 1; n <= 40; n++)
        for (size_t at = 0; at < n; at++)
            for (size_t k = 0; k < sizeof probes; k++) {
                memset(buf, 'x', n);
                buf[at] = probes[k];
                json_t *a = json_array();
                json_array_append_new(a, json_stringn(buf, n));
                free(same_as_jansson(a));
                json_decref(a);
            }
    /* and a non-ASCII pair anywhere: the same bytes as jansson (fallback) */
    for (size_t at = 0; at + 2 <= 40; at++) {
        memset(buf, 'y', 40);
        buf[at] = (char)0xc3;
        buf[at + 1] = (char)0xa9;
        json_t *a = json_array();
        json_array_append_new(a, json_stringn(buf, 40));
        free(same_as_jansson(a));
        json_decref(a);
    }
}
END_TEST

START_TEST(non_ascii_as_jansson)
{
    /* valid UTF-8 passes through unescaped */
    expect(json_pack("{s:s}", "d\xc3\xa9j\xc3\xa0", "\xe2\x82\xac \xf0\x9f\x98\x80"),
           "{\"d\xc3\xa9j\xc3\xa0\":\"\xe2\x82\xac \xf0\x9f\x98\x80\"}");
    /* invalid UTF-8 (only json_stringn_nocheck makes it): both fail */
    json_t *a = json_array();
    json_array_append_new(a, json_stringn_nocheck("bad\xff", 4));
    ck_assert_ptr_null(same_as_jansson(a));
    json_decref(a);
}
END_TEST

START_TEST(not_a_container)
{
    size_t len = 7;
    ck_assert_ptr_null(api_json_dump(NULL, &len));
    ck_assert_uint_eq(len, 0);
    json_t *i = json_integer(3);
    ck_assert_ptr_null(same_as_jansson(i));
    json_decref(i);
}
END_TEST

/* Random documents from a fixed seed: strings of bytes 0x00-0x7f mixed with
 * valid UTF-8, reals and integers of every size, nesting up to 6 levels. */
static uint64_t rnd(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static json_t *random_value(uint64_t *s, int depth)
{
    switch (rnd(s) % (depth > 5 ? 5 : 7)) {
    case 0:
        return json_null();
    case 1:
        return json_boolean(rnd(s) & 1);
    case 2:
        return json_integer((json_int_t)rnd(s) >> (rnd(s) % 64));
    case 3: {
        union {
            uint64_t u;
            double d;
        } u = {.u = rnd(s)};
        if (u.d != u.d || u.d - u.d != 0) u.d = (double)(int64_t)u.u / 1e9; /* no NaN/inf */
        return json_real(u.d);
    }
    case 4: {
        char buf[40];
        size_t n = rnd(s) % 30;
        for (size_t i = 0; i < n; i++)
            buf[i] = (char)(rnd(s) % 0x80);
        if (rnd(s) % 8 == 0 && n + 2 <= sizeof buf) {
            buf[n++] = (char)0xc3;
            buf[n++] = (char)0xa9;
        }
        return json_stringn(buf, n);
    }
    case 5: {
        json_t *a = json_array();
        for (size_t n = rnd(s) % 5; n > 0; n--)
            json_array_append_new(a, random_value(s, depth + 1));
        return a;
    }
    default: {
        json_t *o = json_object();
        for (size_t n = rnd(s) % 5; n > 0; n--) {
            char key[8];
            size_t k = rnd(s) % 7;
            for (size_t i = 0; i < k; i++)
                key[i] = (char)(1 + rnd(s) % 0x7f);
            json_object_setn_new(o, key, k, random_value(s, depth + 1));
        }
        return o;
    }
    }
}

START_TEST(random_documents)
{
    uint64_t seed = 19;
    for (int i = 0; i < 20000; i++) {
        json_t *v = json_array();
        json_array_append_new(v, random_value(&seed, 0));
        free(same_as_jansson(v));
        json_decref(v);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("api_json_dump");
    TCase *tc = tcase_create("api_json_dump");
    tcase_add_test(tc, scalars_and_nesting);
    tcase_add_test(tc, reals_like_jsonp_dtostr);
    tcase_add_test(tc, string_escapes);
    tcase_add_test(tc, one_special_byte_anywhere);
    tcase_add_test(tc, non_ascii_as_jansson);
    tcase_add_test(tc, not_a_container);
    tcase_add_test(tc, random_documents);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
