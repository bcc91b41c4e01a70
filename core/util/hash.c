/* Keys for sipnab/hash.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "sipnab/hash.h"

void snb_hash_key_from_seed(snb_hash_key_t *key, uint64_t s0, uint64_t s1)
{
    /* The SipHash key is the seed; the NH key and final mix are SipHash of
     * their position under it, so they are as secret as the seed. */
    memset(key, 0, sizeof *key);
    key->sip[0] = s0;
    key->sip[1] = s1;
    for (uint32_t i = 0; i < SNB_HASH_MAX_WORDS; i++) {
        uint64_t h = snb_hash_bytes(key, &i, sizeof i);
        key->nh[i] = (uint32_t)(h ^ (h >> 32));
    }
    uint32_t fin = 0xffffffffu;
    key->fin = snb_hash_bytes(key, &fin, sizeof fin);
}

static bool fill_random(void *buf, size_t len)
{
    uint8_t *p = buf;
    size_t got = 0;
    while (got < len) {
        ssize_t n = getrandom(p + got, len - got, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += (size_t)n;
    }
    if (got == len) return true;
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    while (got < len) {
        ssize_t n = read(fd, p + got, len - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += (size_t)n;
    }
    close(fd);
    return got == len;
}

void snb_hash_key_random(snb_hash_key_t *key)
{
    uint64_t seed[2];
    if (!fill_random(seed, sizeof seed)) {
        /* No kernel randomness at all (a broken chroot): still not a fixed
         * key, though one an attacker could guess. */
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        seed[0] = (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ULL ^ (uint64_t)getpid();
        seed[1] = (uint64_t)ts.tv_sec ^ ((uint64_t)(uintptr_t)key << 17);
    }
    snb_hash_key_from_seed(key, seed[0], seed[1]);
}
