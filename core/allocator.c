#include "allocator.h"

#include <stdio.h>
#include <stdlib.h>

#ifdef SNB_HAVE_MIMALLOC
#include <mimalloc.h>

void snb_allocator_setup(void)
{
    /* mimalloc reads its MIMALLOC_* variables at start; ours is a default. */
    if (!getenv("MIMALLOC_LARGE_OS_PAGES")) mi_option_enable(mi_option_large_os_pages);
}

const char *snb_allocator_name(void)
{
    static char name[48];
    int v = mi_version(); /* 209: 2.0.9 */
    snprintf(name, sizeof name, "mimalloc %d.%d.%d%s", v / 100, v / 10 % 10, v % 10,
             mi_option_is_enabled(mi_option_large_os_pages) ? ", huge pages" : "");
    return name;
}
#else
void snb_allocator_setup(void) {}

const char *snb_allocator_name(void)
{
    return "libc malloc";
}
#endif
