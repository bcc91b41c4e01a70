/* mmap-backed zeroed tables (see sipnab/lazytable.h). */
#include "sipnab/lazytable.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#if defined(__SANITIZE_ADDRESS__)
#define LAZY_CALLOC 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LAZY_CALLOC 1
#endif
#endif

void *snb_lazy_table_new(size_t n, size_t size)
{
    if (!n || !size || n > SIZE_MAX / size) return NULL;
#ifdef LAZY_CALLOC
    return calloc(n, size);
#else
    void *p = mmap(NULL, n * size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
#endif
}

void snb_lazy_table_free(void *p, size_t n, size_t size)
{
    if (!p) return;
#ifdef LAZY_CALLOC
    (void)n;
    (void)size;
    free(p);
#else
    munmap(p, n * size);
#endif
}
