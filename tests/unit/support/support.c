/* Small helpers of the test-support library; larger ones live in sibling files. */
#include <arpa/inet.h>
#include <string.h>

#include "support.h"

snb_addr_t snb_test_addr(const char *text)
{
    snb_addr_t a;
    memset(&a, 0, sizeof a);
    if (inet_pton(AF_INET, text, a.a) == 1)
        a.family = 4;
    else if (inet_pton(AF_INET6, text, a.a) == 1)
        a.family = 6;
    return a;
}
