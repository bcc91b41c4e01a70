#include "center_time.h"

#include <stdio.h>
#include <time.h>

int64_t center_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

const char *center_rfc3339(int64_t us, char buf[CENTER_TIME_LEN])
{
    if (us < 0) us = 0;
    time_t sec = (time_t)(us / 1000000);
    struct tm tm;
    gmtime_r(&sec, &tm);
    char date[24];
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf, CENTER_TIME_LEN, "%.19s.%06dZ", date, (int)(us % 1000000));
    return buf;
}
