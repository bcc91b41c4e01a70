/* main() of every Check test binary ends here: run the suite, say how it
 * went, and turn that into the exit status CTest reads. */
#ifndef SNB_CHECK_RUN_H
#define SNB_CHECK_RUN_H

#include <check.h>

/* Runs every test of s (CK_NORMAL output) and frees the runner; returns
 * EXIT_SUCCESS when none failed, EXIT_FAILURE otherwise. */
int snb_check_run(Suite *s);

#endif
