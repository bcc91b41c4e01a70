/* Large zero-filled tables that cost memory only where they are used.
 *
 * A table sized for a configured maximum (the RTP module's 100 000 calls,
 * a quarter of a GiB) is mostly never touched. calloc gives that only
 * when the allocator takes the block straight from the kernel, as glibc
 * does above 128 KiB; mimalloc, which sipnab links (core/allocator.h),
 * zeroes a reused block and so commits all of it. These come from mmap:
 * pages stay unallocated until written. Under the sanitizers they are
 * plain calloc, so ASan still sees overflows. */
#ifndef SIPNAB_LAZYTABLE_H
#define SIPNAB_LAZYTABLE_H

#include <stddef.h>

/* n zeroed elements of size bytes; NULL on overflow or out of memory. */
void *snb_lazy_table_new(size_t n, size_t size);
/* p from snb_lazy_table_new(n, size), with the same n and size (or NULL). */
void snb_lazy_table_free(void *p, size_t n, size_t size);

#endif
