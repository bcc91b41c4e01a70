/* The service registry: provide once per name, look up by minimum version. */
#include <check.h>
#include <stdlib.h>

#include "check_run.h"
#include "core_internal.h"

typedef struct demo_v2 {
    int (*answer)(void);
    int (*added_in_v2)(void);
} demo_v2_t;

static int answer(void)
{
    return 42;
}
static int added(void)
{
    return 2;
}

START_TEST(provide_and_look_up)
{
    snb_core_t *core = snb_core_new();
    static const demo_v2_t table = {answer, added};
    ck_assert_ptr_null(snb_core_service(core, "demo", 1));
    ck_assert_int_eq(snb_core_provide(core, "demo", 2, &table), 0);
    ck_assert_int_eq(snb_core_provide(core, "demo", 3, &table), -17); /* -EEXIST */
    const demo_v2_t *t = snb_core_service(core, "demo", 1);
    ck_assert_ptr_eq(t, &table);
    ck_assert_int_eq(t->answer(), 42);
    ck_assert_ptr_nonnull(snb_core_service(core, "demo", 2));
    ck_assert_ptr_null(snb_core_service(core, "demo", 3)); /* too old for this caller */
    ck_assert_ptr_null(snb_core_service(core, "other", 0));
    ck_assert_int_eq(snb_core_provide(core, NULL, 1, &table), -22);
    for (int i = 0; i < 100; i++) {
        char name[16];
        snprintf(name, sizeof name, "s%d", i);
        ck_assert_int_eq(snb_core_provide(core, name, 1, &table), 0);
    }
    /* No fixed limit on the number of services. */
    ck_assert_int_eq(snb_core_provide(core, "one-more", 1, &table), 0);
    ck_assert_ptr_eq(snb_core_service(core, "s30", 1), &table);
    snb_core_free(core);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("service");
    TCase *tc = tcase_create("service");
    tcase_add_test(tc, provide_and_look_up);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
