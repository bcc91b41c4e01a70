/* Logging: every line starts with the module name ("pcap: ..."), goes to
 * stderr, and is dropped when below the core's configured level. The level
 * lives in the core context (no process globals); core may be NULL before the
 * core exists, in which case INFO and above are printed. */
#ifndef SIPNAB_LOG_H
#define SIPNAB_LOG_H

#include "sipnab/export.h"

typedef struct snb_core snb_core_t;

typedef enum snb_log_level {
    SNB_LOG_ERROR = 0,
    SNB_LOG_WARN = 1,
    SNB_LOG_INFO = 2,
    SNB_LOG_DEBUG = 3,
} snb_log_level_t;

SNB_API void snb_log(const snb_core_t *core, snb_log_level_t level, const char *who,
                     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#define snb_log_error(core, who, ...) snb_log(core, SNB_LOG_ERROR, who, __VA_ARGS__)
#define snb_log_warn(core, who, ...) snb_log(core, SNB_LOG_WARN, who, __VA_ARGS__)
#define snb_log_info(core, who, ...) snb_log(core, SNB_LOG_INFO, who, __VA_ARGS__)
#define snb_log_debug(core, who, ...) snb_log(core, SNB_LOG_DEBUG, who, __VA_ARGS__)

#endif
