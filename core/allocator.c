#include "allocator.h"

#include <stdio.h>

#ifdef SNB_HAVE_MIMALLOC
#include <mimalloc.h>

const char *snb_allocator_name(void)
{
    static char name[48];
    int v = mi_version(); /* 209: 2.0.9 */
    snprintf(name, sizeof name, "mimalloc %d.%d.%d%s", v / 100, v / 10 % 10, v % 10,
             mi_option_is_enabled(mi_option_large_os_pages) ? ", huge pages" : "");
    return name;
}
#else
const char *snb_allocator_name(void)
{
    return "libc malloc";
}
#endif
