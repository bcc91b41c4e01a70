/* Symbol hygiene (nm -D): each module exports only its descriptor; the
 * executable exports only the snb_* API (plus what the C runtime and linker
 * always define). */
#include <check.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "run_util.h"

static const char *const runtime_symbols[] = {
    "_IO_stdin_used", "__bss_start", "__data_start", "_edata", "_end",
    "_start",         "data_start",  "_init",        "_fini",  NULL,
};

static int is_runtime(const char *sym)
{
    if (strchr(sym, '@')) return 1; /* copy-relocated libc data, e.g. stderr@GLIBC */
    /* Sanitizer builds: the runtime's own symbols and ODR indicators. */
    if (!strncmp(sym, "__asan", 6) || !strncmp(sym, "__odr_asan", 10) ||
        !strncmp(sym, "__ubsan", 7) || !strncmp(sym, "__sancov", 8))
        return 1;
    for (int i = 0; runtime_symbols[i]; i++)
        if (!strcmp(sym, runtime_symbols[i])) return 1;
    return 0;
}

/* Calls fn on each defined dynamic symbol name of path; returns their count. */
static int each_symbol(const char *path, void (*fn)(const char *path, const char *sym))
{
    char *argv[] = {"/usr/bin/nm", "-D", "--defined-only", (char *)path, NULL};
    run_result_t r = run_cmd(argv, 30);
    ck_assert_msg(r.status == 0, "nm %s: %s", path, r.err);
    int n = 0;
    for (char *line = strtok(r.out, "\n"); line; line = strtok(NULL, "\n")) {
        char *sym = strrchr(line, ' ');
        fn(path, sym ? sym + 1 : line);
        n++;
    }
    run_free(&r);
    return n;
}

static void module_symbol(const char *path, const char *sym)
{
    ck_assert_msg(!strcmp(sym, "snb_module_info"), "%s exports %s", path, sym);
}

static void core_symbol(const char *path, const char *sym)
{
    ck_assert_msg(!strncmp(sym, "snb_", 4) || is_runtime(sym), "%s exports %s", path, sym);
}

START_TEST(modules_export_only_their_descriptor)
{
    DIR *d = opendir(SNB_BUILD_DIR "/modules");
    ck_assert_ptr_nonnull(d);
    int modules = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 4 || strcmp(e->d_name + len - 3, ".so")) continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/modules/%s", SNB_BUILD_DIR, e->d_name);
        ck_assert_int_eq(each_symbol(path, module_symbol), 1);
        modules++;
    }
    closedir(d);
    ck_assert_int_ge(modules, 1);
}
END_TEST

START_TEST(executable_exports_only_the_core_api)
{
    int n = each_symbol(sipnab_bin(), core_symbol);
    /* The API modules link against must really be exported. */
    char *argv[] = {"/usr/bin/nm", "-D", "--defined-only", (char *)sipnab_bin(), NULL};
    run_result_t r = run_cmd(argv, 30);
    ck_assert(strstr(r.out, " snb_source_frame\n") && strstr(r.out, " snb_bus_publish\n") &&
              strstr(r.out, " snb_handoff_write\n") && strstr(r.out, " snb_log\n"));
    run_free(&r);
    ck_assert_int_gt(n, 10);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("exports");
    TCase *tc = tcase_create("exports");
    tcase_add_test(tc, modules_export_only_their_descriptor);
    tcase_add_test(tc, executable_exports_only_the_core_api);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
