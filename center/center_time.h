/* Wall-clock microseconds and their RFC 3339 form (the wire's time format). */
#ifndef SNB_CENTER_TIME_H
#define SNB_CENTER_TIME_H

#include <stddef.h>
#include <stdint.h>

#define CENTER_TIME_LEN 32

int64_t center_now_us(void);
/* "2026-06-20T21:30:00.123456Z" */
const char *center_rfc3339(int64_t us, char buf[CENTER_TIME_LEN]);

#endif
