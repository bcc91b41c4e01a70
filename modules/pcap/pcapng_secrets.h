/* pcapng Decryption Secrets Blocks (block type 0x0000000A: secrets type,
 * secrets length, the secrets, options), found while a pcapng file is
 * read. libpcap skips these blocks, so the bytes libpcap reads are walked
 * block by block here as they go by (no second pass over the file), and
 * each secrets block is handed out whole. Pure and bounded: a block whose
 * secrets exceed max_block is skipped (counted); a malformed block
 * structure stops the walk (libpcap reports the damage). */
#ifndef SNB_PCAPNG_SECRETS_H
#define SNB_PCAPNG_SECRETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PCAPNG_BLOCK_SHB 0x0A0D0D0Au
#define PCAPNG_BLOCK_DSB 0x0000000Au

typedef void (*pcapng_secrets_cb)(void *ud, uint32_t secrets_type, const uint8_t *data, size_t len);

typedef struct pcapng_secrets {
    pcapng_secrets_cb cb;
    void *ud;
    size_t max_block;
    uint8_t hdr[12]; /* type, total length, and the first body word */
    size_t hdr_len;
    bool big_endian; /* of the current section */
    uint64_t left;   /* bytes of the current block after hdr */
    bool collecting; /* a secrets block, into buf */
    uint8_t *buf;
    size_t len;
    bool stopped;
    uint64_t blocks, secrets_blocks, oversize;
} pcapng_secrets_t;

void pcapng_secrets_init(pcapng_secrets_t *w, size_t max_block, pcapng_secrets_cb cb, void *ud);
/* The next bytes of the file, in order from its first byte. */
void pcapng_secrets_feed(pcapng_secrets_t *w, const uint8_t *data, size_t n);
void pcapng_secrets_free(pcapng_secrets_t *w);

#endif
