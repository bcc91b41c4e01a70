/* Wireshark-equivalent retransmission and setup-time tracking.
 *
 * Reproduces the rule Wireshark 4.0 uses for `tshark -z sip,stat` ("Number
 * of resent SIP messages", "Average setup time"), so our counts equal the
 * oracle's. Per (Call-ID, src addr, src port, dst addr, dst port) it keeps one
 * record: the last CSeq number and method seen in that direction, how far the
 * transaction got (request / provisional / final seen), the last final code
 * and the time of the last original request. See docs/modules/sip-dialogs.md.
 *
 * A table holds the records of one Call-ID (the store keeps one per dialog,
 * and one for messages without a Call-ID). Pure logic, bounded. */
#ifndef SNB_SIP_RESEND_H
#define SNB_SIP_RESEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sip_dialog.h"
#include "sip_msg.h"

#define SIP_RESEND_MAX_DIRS 16   /* directions per Call-ID; least recently used replaced */
#define SIP_RESEND_METHOD_LEN 16 /* Wireshark's MAX_CSEQ_METHOD_SIZE, NUL included */

typedef struct sip_resend_dir {
    snb_addr_t src, dst;
    uint16_t sport, dport;
    uint8_t state; /* nothing / request / provisional / final seen */
    uint16_t response_code;
    uint32_t cseq;
    uint64_t request_us; /* last original request in this direction; 0 = never */
    char method[SIP_RESEND_METHOD_LEN];
} sip_resend_dir_t;

typedef struct sip_resend_table {
    sip_resend_dir_t *dirs; /* most recently used first */
    uint8_t n, cap;
} sip_resend_table_t;

typedef struct sip_resend_result {
    bool resend;       /* Wireshark's sip.resend */
    uint32_t setup_ms; /* Wireshark's setup_time for this message; 0 = none (as its tap) */
} sip_resend_result_t;

/* Track one message (only UDP with a CSeq counts, as in Wireshark). */
void sip_resend_track(sip_resend_table_t *t, const sip_msg_t *msg, const sip_msg_meta_t *meta,
                      sip_resend_result_t *out);
void sip_resend_free(sip_resend_table_t *t);
size_t sip_resend_bytes(const sip_resend_table_t *t);

/* Wireshark's millisecond difference: whole seconds * 1000 plus the
 * sub-second difference truncated toward zero, in 32-bit arithmetic. */
uint32_t sip_resend_ms(uint64_t later_us, uint64_t earlier_us);

#endif
