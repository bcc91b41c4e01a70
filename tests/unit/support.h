/* Shared helpers for the Check tests (tests/unit/support/*.c). */
#ifndef SNB_TEST_SUPPORT_H
#define SNB_TEST_SUPPORT_H
#endif
