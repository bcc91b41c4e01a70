/* The per-dispatch arena: aligned bump allocation, reuse after reset, and a
 * bound on what a burst leaves behind. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "check_run.h"

START_TEST(allocations_are_aligned_and_distinct)
{
    snb_arena_t *a = snb_arena_new(4096);
    char *prev = NULL;
    for (size_t i = 1; i < 200; i++) {
        char *p = snb_arena_alloc(a, i);
        ck_assert_ptr_nonnull(p);
        ck_assert_uint_eq((uintptr_t)p % 16, 0);
        memset(p, (int)i, i); /* ASan would flag an overlap with a neighbour */
        if (prev) ck_assert_ptr_ne(p, prev);
        prev = p;
    }
    /* Larger than a chunk: a chunk of its own. */
    char *big = snb_arena_alloc(a, 100000);
    ck_assert_ptr_nonnull(big);
    memset(big, 1, 100000);
    snb_arena_free(a);
}
END_TEST

START_TEST(reset_reuses_memory)
{
    snb_arena_t *a = snb_arena_new(4096);
    for (int round = 0; round < 1000; round++) {
        for (int i = 0; i < 10; i++)
            ck_assert_ptr_nonnull(snb_arena_alloc(a, 1000));
        snb_arena_reset(a);
    }
    /* 10 KB per round: three or four 4 KiB chunks, reused, never 1000 rounds' worth. */
    ck_assert_uint_le(snb_arena_capacity(a), 5 * 4096);
    /* A burst of 8 MB gives back what is beyond the keep limit on reset. */
    for (int i = 0; i < 2000; i++)
        ck_assert_ptr_nonnull(snb_arena_alloc(a, 4000));
    ck_assert_uint_ge(snb_arena_capacity(a), 8000000);
    snb_arena_reset(a);
    ck_assert_uint_le(snb_arena_capacity(a), (1u << 20) + 4096);
    snb_arena_free(a);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("arena");
    TCase *tc = tcase_create("arena");
    tcase_add_test(tc, allocations_are_aligned_and_distinct);
    tcase_add_test(tc, reset_reuses_memory);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
