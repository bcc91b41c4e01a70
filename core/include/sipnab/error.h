/* sipnab error codes: 0 is success, negative values are failures.
 * System errors are negative errno values; project codes start below -1000 so
 * they never collide with errno. One X-macro table feeds snb_strerror(). */
#ifndef SIPNAB_ERROR_H
#define SIPNAB_ERROR_H

#include "sipnab/export.h"

#define SNB_ERRORS(X)                                                                              \
    X(SNB_E_CONFIG, -1001, "invalid configuration")                                                \
    X(SNB_E_ABI, -1002, "module ABI mismatch")                                                     \
    X(SNB_E_MODULE, -1003, "module error")                                                         \
    X(SNB_E_TRUNCATED, -1004, "truncated input")                                                   \
    X(SNB_E_FORMAT, -1005, "unrecognised format")                                                  \
    X(SNB_E_LINKTYPE, -1006, "unsupported link type")                                              \
    X(SNB_E_FULL, -1007, "queue or table full")                                                    \
    X(SNB_E_CAPTURE, -1008, "capture error")

enum snb_error {
#define SNB_ERR_ENUM(name, value, text) name = value,
    SNB_ERRORS(SNB_ERR_ENUM)
#undef SNB_ERR_ENUM
};

/* Text for a negative errno or an SNB_E_* code. Never returns NULL. */
SNB_API const char *snb_strerror(int err);

#endif
