/* snb_strerror: one table for project codes, strerror for errno values. */
#include <string.h>

#include "sipnab/error.h"

const char *snb_strerror(int err)
{
    switch (err) {
#define SNB_ERR_CASE(name, value, text)                                                            \
    case name:                                                                                     \
        return text;
        SNB_ERRORS(SNB_ERR_CASE)
#undef SNB_ERR_CASE
    case 0:
        return "success";
    default:
        break;
    }
    if (err < 0 && err > -4096) return strerror(-err);
    return "unknown error";
}
