/* libFuzzer: RTP parsing, per-stream statistics and the DTMF tracker.
 * The input is a list of records: 2-byte arrival step (big-endian, in units
 * of 64 us, 0xffff = 1 s back in time), 2-byte length, then that many bytes
 * of UDP payload. Packets that parse feed one stream (SSRC ignored so the
 * fuzzer need not guess it) and, if PT 101, a DTMF tracker. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rtp_dtmf.h"
#include "rtp_mos.h"
#include "rtp_packet.h"
#include "rtp_stream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static rtp_stream_stats_t s;
    static rtp_dtmf_tracker_t t;
    bool init = false;
    rtp_dtmf_init(&t, 8000);
    uint64_t now = 1ull << 40;
    size_t off = 0;
    while (size - off >= 4) {
        uint16_t step = (uint16_t)(data[off] << 8 | data[off + 1]);
        size_t len = (size_t)(data[off + 2] << 8 | data[off + 3]);
        off += 4;
        if (len > size - off) len = size - off;
        now = step == 0xffff ? now - 1000000 : now + 64ull * step;
        /* An exact-size copy so ASan sees any read past the datagram. */
        uint8_t *pkt = malloc(len ? len : 1);
        if (!pkt) return 0;
        memcpy(pkt, data + off, len);
        off += len;
        rtp_hdr_t h;
        if (rtp_parse(pkt, len, &h) == 0) {
            if (h.payload + h.payload_len > pkt + len || h.csrc_count > 15) abort();
            for (unsigned i = 0; i < h.csrc_count; i++)
                (void)rtp_hdr_csrc(&h, i);
            if (!init) {
                rtp_stream_init(&s, h.ssrc, h.pt, rtp_jitter_clock(h.pt, "opus", 0),
                                (h.seq & 1) ? 20000 : 0);
                init = true;
            }
            rtp_stream_update(&s, &h, now);
            if (h.pt == 101) rtp_dtmf_update(&t, &h, now);
        }
        (void)rtcp_looks_like(pkt, len);
        free(pkt);
    }
    rtp_dtmf_flush(&t);
    for (uint32_t i = 0; i < rtp_dtmf_count(&t); i++)
        if (!rtp_dtmf_digit(&t, i)) abort();
    if (init) {
        if (isnan(s.jitter_ms) || s.jitter_ms < 0 || s.max_jitter_ms < 0) abort();
        for (uint32_t a = 0; a < RTP_MAX_INTERVALS; a++) {
            const rtp_interval_t *iv = rtp_stream_interval(&s, a);
            if (iv && iv->packets == 0) abort();
        }
        double m = rtp_mos("PCMU", rtp_stream_loss_pct(&s), s.mean_jitter_ms, s.max_delta_ms);
        if (!(m >= 1.0 && m <= 4.5)) abort();
        (void)rtp_stream_expected(&s);
    }
    return 0;
}
