/* RTP fixed header (RFC 3550 5.1) and the RTP/RTCP demultiplexing test.
 * Every length is checked against the data before it is read. */
#include "rtp_packet.h"

static inline uint16_t be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}
static inline uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int rtp_parse(const uint8_t *data, size_t len, rtp_hdr_t *h)
{
    if (!data || len < 12 || (data[0] >> 6) != 2) return -1;
    uint8_t pt = data[1] & 0x7f;
    /* 72-76 with the marker bit are RTCP SR..APP (RFC 5761 4): never RTP. */
    if (pt >= 72 && pt <= 76) return -1;
    size_t off = 12 + 4u * (data[0] & 0x0f);
    if (off > len) return -1;
    bool ext = data[0] & 0x10;
    h->ext = NULL;
    h->ext_profile = h->ext_words = 0;
    if (ext) {
        if (len - off < 4) return -1;
        size_t ext_len = 4u * be16(data + off + 2);
        if (len - off - 4 < ext_len) return -1;
        h->ext_profile = be16(data + off);
        h->ext_words = be16(data + off + 2);
        h->ext = data + off + 4;
        off += 4 + ext_len;
    }
    size_t end = len;
    bool pad = data[0] & 0x20;
    h->padding_len = 0;
    if (pad) {
        /* The count is the last byte and includes itself, so 0 is invalid. */
        uint8_t n = data[len - 1];
        if (n == 0 || n > len - off) return -1;
        end = len - n;
        h->padding_len = n;
    }
    h->version = 2;
    h->padding = pad;
    h->extension = ext;
    h->marker = data[1] & 0x80;
    h->csrc_count = data[0] & 0x0f;
    h->pt = pt;
    h->seq = be16(data + 2);
    h->ts = be32(data + 4);
    h->ssrc = be32(data + 8);
    h->csrc = data + 12;
    h->payload = data + off;
    h->payload_len = (uint32_t)(end - off);
    return 0;
}

uint32_t rtp_hdr_csrc(const rtp_hdr_t *h, unsigned i)
{
    return i < h->csrc_count ? be32(h->csrc + 4 * i) : 0;
}

bool rtcp_looks_like(const uint8_t *data, size_t len)
{
    if (!data || len < 8 || (data[0] >> 6) != 2 || data[1] < 192 || data[1] > 223) return false;
    return ((size_t)be16(data + 2) + 1) * 4 <= len;
}
