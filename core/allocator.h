/* The capture process's memory allocator (docs/dependencies.md, mimalloc).
 * Holding 100 000 dialogs means touching hundreds of MB a few KB at a time;
 * glibc's malloc spent a quarter of a SIP-heavy capture in _int_malloc and
 * malloc_consolidate. Linked with mimalloc, it replaces malloc for the whole
 * process. Transparent huge pages are left to the environment
 * (MIMALLOC_LARGE_OS_PAGES=1): on a VM, zeroing a fresh 2 MiB page can
 * cost more than the faults it saves (docs/benchmark.md, eighth session). */
#ifndef SNB_ALLOCATOR_H
#define SNB_ALLOCATOR_H

/* "mimalloc 2.0.9", "mimalloc 2.0.9, huge pages" or "libc malloc", for
 * --version. */
const char *snb_allocator_name(void);

#endif
