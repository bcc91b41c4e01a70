/* Decryption secrets found in a capture (pcapng Decryption Secrets Blocks,
 * block type 0x0000000A), published by the capture module that reads the
 * file as "capture.secrets", before the packets that follow them, for the
 * modules that decrypt (the tls module takes TLS key logs). */
#ifndef SIPNAB_SECRETS_H
#define SIPNAB_SECRETS_H

#include <stdint.h>

#include "sipnab/event.h"

#define SNB_CAPTURE_SECRETS_EVENT "capture.secrets" /* snb_capture_secrets_event_t */

/* Secrets types of the pcapng specification. */
#define SNB_SECRETS_TLS_KEYLOG 0x544c534bu /* "TLSK": an NSS key log */
#define SNB_SECRETS_WIREGUARD 0x57474b4cu  /* "WGKL" */

typedef struct snb_capture_secrets_event {
    snb_event_t ev;
    uint32_t secrets_type; /* SNB_SECRETS_* */
    uint32_t len;
    const uint8_t *data; /* len bytes, as the block holds them */
    const char *file;    /* the capture file they came from */
} snb_capture_secrets_event_t;

#endif
