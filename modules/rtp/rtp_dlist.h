/* Intrusive doubly linked lists for the RTP tables: O(1) append, remove and
 * move-to-tail, which keep every eviction order without a scan. */
#ifndef SNB_RTP_DLIST_H
#define SNB_RTP_DLIST_H

#include <stddef.h>

/* Doubly linked lists threaded through the nodes, one pair of fields each. */
#define DL_APPEND(head, tail, n, prev, next)                                                       \
    do {                                                                                           \
        (n)->prev = (tail);                                                                        \
        (n)->next = NULL;                                                                          \
        if (tail)                                                                                  \
            (tail)->next = (n);                                                                    \
        else                                                                                       \
            (head) = (n);                                                                          \
        (tail) = (n);                                                                              \
    } while (0)
#define DL_REMOVE(head, tail, n, prev, next)                                                       \
    do {                                                                                           \
        if ((n)->prev)                                                                             \
            (n)->prev->next = (n)->next;                                                           \
        else                                                                                       \
            (head) = (n)->next;                                                                    \
        if ((n)->next)                                                                             \
            (n)->next->prev = (n)->prev;                                                           \
        else                                                                                       \
            (tail) = (n)->prev;                                                                    \
        (n)->prev = (n)->next = NULL;                                                              \
    } while (0)

#endif
