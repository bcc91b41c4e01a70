/* Hook command lines split without a shell, and the start budget: at most
 * `rate` starts in any one-second window, with no burst on top. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "exec_argv.h"
#include "exec_budget.h"

static exec_argv_t a;
static char why[128];

static void split_ok(const char *cmd, size_t argc, const char *const *want)
{
    ck_assert_msg(exec_argv_split(cmd, &a, why, sizeof why) == 0, "%s: %s", cmd, why);
    ck_assert_uint_eq(a.argc, argc);
    for (size_t i = 0; i < argc; i++)
        ck_assert_str_eq(a.argv[i], want[i]);
    ck_assert_ptr_null(a.argv[argc]);
}

START_TEST(words_quotes_and_escapes)
{
    split_ok("logger", 1, (const char *[]){"logger"});
    split_ok("  /usr/bin/logger   -t sipnab\t-p local0.notice ", 5,
             (const char *[]){"/usr/bin/logger", "-t", "sipnab", "-p", "local0.notice"});
    split_ok("script 'two words' \"a \\\"quoted\\\" $HOME\" x\\ y", 4,
             (const char *[]){"script", "two words", "a \"quoted\" $HOME", "x y"});
    split_ok("a'b'\"c\"d", 1, (const char *[]){"abcd"});
    split_ok("run ''", 2, (const char *[]){"run", ""});
    /* nothing is a shell operator: these are plain words */
    split_ok("echo $HOME ; rm -rf / | cat > x", 10,
             (const char *[]){"echo", "$HOME", ";", "rm", "-rf", "/", "|", "cat", ">", "x"});
}
END_TEST

START_TEST(a_copy_stands_alone)
{
    exec_argv_t *src = malloc(sizeof *src), copy;
    ck_assert_int_eq(exec_argv_split("/bin/echo 'a b' c", src, why, sizeof why), 0);
    exec_argv_copy(&copy, src);
    memset(src, 0x5a, sizeof *src); /* the source is gone */
    free(src);
    ck_assert_uint_eq(copy.argc, 3);
    ck_assert_str_eq(copy.argv[0], "/bin/echo");
    ck_assert_str_eq(copy.argv[1], "a b");
    ck_assert_str_eq(copy.argv[2], "c");
    ck_assert_ptr_null(copy.argv[3]);
    ck_assert(copy.argv[1] >= copy.buf && copy.argv[1] < copy.buf + sizeof copy.buf);
}
END_TEST

START_TEST(bad_command_lines)
{
    ck_assert_int_eq(exec_argv_split("", &a, why, sizeof why), -1);
    ck_assert_str_eq(why, "empty command");
    ck_assert_int_eq(exec_argv_split("   ", &a, why, sizeof why), -1);
    ck_assert_int_eq(exec_argv_split("say 'hi", &a, why, sizeof why), -1);
    ck_assert_str_eq(why, "unterminated quote");
    ck_assert_int_eq(exec_argv_split("say \"hi", &a, why, sizeof why), -1);
    ck_assert_str_eq(why, "unterminated quote");
    char many[400] = "";
    for (int i = 0; i < 65; i++)
        strcat(many, "w ");
    ck_assert_int_eq(exec_argv_split(many, &a, why, sizeof why), -1);
    ck_assert_str_eq(why, "more than 64 words");
    char *long_cmd = malloc(EXEC_COMMAND_MAX + 2);
    memset(long_cmd, 'x', EXEC_COMMAND_MAX + 1);
    long_cmd[EXEC_COMMAND_MAX + 1] = '\0';
    ck_assert_int_eq(exec_argv_split(long_cmd, &a, why, sizeof why), -1);
    ck_assert_str_eq(why, "longer than 4096 bytes");
    long_cmd[EXEC_COMMAND_MAX] = '\0'; /* exactly the limit: fine */
    ck_assert_int_eq(exec_argv_split(long_cmd, &a, why, sizeof why), 0);
    ck_assert_uint_eq(strlen(a.argv[0]), EXEC_COMMAND_MAX);
    free(long_cmd);
}
END_TEST

START_TEST(budget_is_a_sliding_second)
{
    exec_budget_t b;
    ck_assert_int_eq(exec_budget_init(&b, 10), 0);
    int started = 0;
    for (int i = 0; i < 10000; i++) /* 10 000 events in the same millisecond */
        started += exec_budget_take(&b, 5000);
    ck_assert_int_eq(started, 10);
    ck_assert(!exec_budget_take(&b, 5999)); /* the first start is not a second old */
    ck_assert(exec_budget_take(&b, 6000));
    /* A steady flood, one event per ms for 10 s: never more than 10 in any
     * window of 1000 ms. */
    exec_budget_t c;
    exec_budget_init(&c, 10);
    uint64_t starts[200];
    int n = 0;
    for (uint64_t t = 0; t < 10000; t++)
        if (exec_budget_take(&c, t)) starts[n++] = t;
    ck_assert_int_eq(n, 100);
    for (int i = 10; i < n; i++)
        ck_assert_uint_ge(starts[i] - starts[i - 10], 1000);
    exec_budget_free(&b);
    exec_budget_free(&c);
    exec_budget_t none;
    exec_budget_init(&none, 0); /* 0: no limit */
    for (int i = 0; i < 1000; i++)
        ck_assert(exec_budget_take(&none, 1));
    exec_budget_free(&none);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("exec");
    TCase *tc = tcase_create("exec");
    tcase_add_test(tc, words_quotes_and_escapes);
    tcase_add_test(tc, bad_command_lines);
    tcase_add_test(tc, a_copy_stands_alone);
    tcase_add_test(tc, budget_is_a_sliding_second);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
