/* The module loader: a good module loads; each broken variant is refused with
 * one line naming the file and the reason; dependency ordering. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "core_internal.h"

#define MODDIR SNB_BUILD_DIR "/tests/modules"

static void expect_refusal(const char *name, const char *message)
{
    snb_loaded_module_t m;
    char err[512] = "";
    ck_assert_int_ne(snb_loader_open(MODDIR, name, &m, err, sizeof err), 0);
    ck_assert_msg(strstr(err, message) != NULL, "%s: got '%s', want '%s'", name, err, message);
    ck_assert_ptr_null(strchr(err, '\n'));
}

START_TEST(good_module_loads)
{
    snb_loaded_module_t m;
    char err[512] = "";
    ck_assert_int_eq(snb_loader_open(MODDIR, "counter", &m, err, sizeof err), 0);
    ck_assert_str_eq(m.mod->name, "counter");
    ck_assert_uint_eq(m.mod->abi_major, SNB_ABI_MAJOR);
    ck_assert_str_eq(m.mod->build_signature, SNB_BUILD_SIGNATURE);
    ck_assert_ptr_nonnull(m.mod->options);
    ck_assert_str_eq(m.mod->options[0].name, "retain_every");
    ck_assert(strstr(m.path, "/tests/modules/counter.so") != NULL);
    snb_loader_close(&m);
}
END_TEST

START_TEST(broken_modules_are_refused_with_reason)
{
    char want[128];
    snprintf(want, sizeof want, "module badabi.so: built for ABI 99.%d, core speaks %d.%d",
             SNB_ABI_MINOR, SNB_ABI_MAJOR, SNB_ABI_MINOR);
    expect_refusal("badabi", want);
    snprintf(want, sizeof want, "module badminor.so: built for ABI %d.99, core speaks %d.%d",
             SNB_ABI_MAJOR, SNB_ABI_MAJOR, SNB_ABI_MINOR);
    expect_refusal("badminor", want);
    expect_refusal(
        "wrongname",
        "module wrongname.so: calls itself 'somethingelse' but the file is wrongname.so");
    expect_refusal("nostart", "module nostart.so: missing mandatory callback 'start'");
    expect_refusal("undefsym", "undefined symbol: snb_function_that_does_not_exist");
    expect_refusal("undefsym", "module undefsym.so: cannot load:");
    expect_refusal("nodescriptor",
                   "module nodescriptor.so: no snb_module_info symbol: not a sipnab module");
    expect_refusal("badsig", "module badsig.so: built as 'ptr4-weird', core is '");
    expect_refusal("absent", "module absent.so: not found in " MODDIR);
    expect_refusal("../evil", "module '../evil': invalid module name");
}
END_TEST

START_TEST(search_path_takes_the_first_folder_with_the_module)
{
    snb_loaded_module_t m;
    char err[512] = "";
    ck_assert_int_eq(snb_loader_open("/nonexistent:" MODDIR, "counter", &m, err, sizeof err), 0);
    snb_loader_close(&m);
}
END_TEST

/* Sorting works on descriptors; fake ones are enough. */
static snb_module_t fake(const char *name, const char *const *deps)
{
    snb_module_t m = {.name = name, .depends = deps};
    return m;
}

START_TEST(dependencies_come_first_and_order_is_stable)
{
    static const char *const needs_b[] = {"b", NULL};
    static const char *const needs_c[] = {"c", NULL};
    snb_module_t a = fake("a", needs_b), b = fake("b", needs_c), c = fake("c", NULL),
                 d = fake("d", NULL);
    snb_loaded_module_t mods[4] = {{.mod = &a}, {.mod = &d}, {.mod = &b}, {.mod = &c}};
    char err[256] = "";
    ck_assert_int_eq(snb_loader_sort(mods, 4, err, sizeof err), 0);
    ck_assert_str_eq(mods[0].mod->name, "d");
    ck_assert_str_eq(mods[1].mod->name, "c");
    ck_assert_str_eq(mods[2].mod->name, "b");
    ck_assert_str_eq(mods[3].mod->name, "a");
}
END_TEST

START_TEST(missing_dependency_and_cycle_are_refused)
{
    static const char *const needs_x[] = {"x", NULL};
    static const char *const needs_q[] = {"q", NULL};
    static const char *const needs_p[] = {"p", NULL};
    snb_module_t a = fake("a", needs_x);
    snb_loaded_module_t one[1] = {{.mod = &a}};
    char err[256] = "";
    ck_assert_int_ne(snb_loader_sort(one, 1, err, sizeof err), 0);
    ck_assert_str_eq(err, "module a: depends on 'x', which is not loaded");
    snb_module_t p = fake("p", needs_q), q = fake("q", needs_p);
    snb_loaded_module_t two[2] = {{.mod = &p}, {.mod = &q}};
    ck_assert_int_ne(snb_loader_sort(two, 2, err, sizeof err), 0);
    ck_assert_str_eq(err, "module p: dependency cycle");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("loader");
    TCase *tc = tcase_create("loader");
    tcase_add_test(tc, good_module_loads);
    tcase_add_test(tc, broken_modules_are_refused_with_reason);
    tcase_add_test(tc, search_path_takes_the_first_folder_with_the_module);
    tcase_add_test(tc, dependencies_come_first_and_order_is_stable);
    tcase_add_test(tc, missing_dependency_and_cycle_are_refused);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
