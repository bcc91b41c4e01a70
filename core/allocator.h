/* The capture process's memory allocator (docs/dependencies.md, mimalloc).
 * Holding 100 000 dialogs means touching hundreds of MB a few KB at a time:
 * with glibc malloc on 4 KiB pages a SIP-heavy capture spent about 45 % of
 * its time in malloc and in page faults. Linked with mimalloc, the heap
 * asks for transparent huge pages instead. */
#ifndef SNB_ALLOCATOR_H
#define SNB_ALLOCATOR_H

/* Before the first large allocation: huge pages for the heap, unless the
 * environment (MIMALLOC_LARGE_OS_PAGES) says otherwise. No-op without
 * mimalloc (sanitizer builds, or SNB_MIMALLOC=OFF). */
void snb_allocator_setup(void);
/* "mimalloc 2.0.9" or "libc malloc", for --version. */
const char *snb_allocator_name(void);

#endif
