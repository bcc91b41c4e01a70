/* WebSocket pieces for SIP over WebSocket (RFC 7118): the HTTP Upgrade
 * handshake and frame headers. */
#include <string.h>

#include "sip_framer_int.h"
#include "sip_msg_int.h"

static bool ieq_n(const char *a, const char *lit, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (snb_ascii_lower(a[i]) != lit[i]) return false;
    return true;
}

static bool contains_ci(const char *p, const char *e, const char *lit)
{
    size_t n = strlen(lit);
    for (; p + n <= e; p++)
        if (ieq_n(p, lit, n)) return true;
    return false;
}

int sip_ws_upgrade(const char *d, size_t len, size_t *hdr_len)
{
    bool req = len >= 4 && memcmp(d, "GET ", 4) == 0;
    bool resp =
        len >= 12 && (memcmp(d, "HTTP/1.1 101", 12) == 0 || memcmp(d, "HTTP/1.0 101", 12) == 0);
    if (!req && !resp) return 0;
    size_t lim = len < SIP_WS_MAX_HANDSHAKE ? len : SIP_WS_MAX_HANDSHAKE;
    const char *p = d, *e = d + lim;
    bool upgrade = false;
    while (p < e) {
        const char *nl = memchr(p, '\n', (size_t)(e - p));
        if (!nl) break;
        const char *le = nl > p && nl[-1] == '\r' ? nl - 1 : nl;
        if (le == p) {
            *hdr_len = (size_t)(nl + 1 - d);
            return upgrade ? 1 : 0;
        }
        if (le - p > 8 && ieq_n(p, "upgrade:", 8) && contains_ci(p + 8, le, "websocket"))
            upgrade = true;
        p = nl + 1;
    }
    return len < SIP_WS_MAX_HANDSHAKE ? -1 : 0;
}

int sip_ws_frame_parse(const uint8_t *d, size_t len, sip_ws_frame_t *fr)
{
    if (len < 2) return 0;
    memset(fr, 0, sizeof *fr);
    fr->fin = d[0] & 0x80;
    fr->rsv = (uint8_t)((d[0] >> 4) & 7);
    fr->opcode = d[0] & 0x0f;
    fr->masked = d[1] & 0x80;
    uint64_t pl = d[1] & 0x7f;
    size_t h = 2;
    if ((fr->opcode >= 3 && fr->opcode <= 7) || fr->opcode >= 11) return -1;
    if (pl == 126) {
        if (len < 4) return 0;
        pl = (uint64_t)d[2] << 8 | d[3];
        h = 4;
    } else if (pl == 127) {
        if (len < 10) return 0;
        pl = 0;
        for (int i = 0; i < 8; i++)
            pl = pl << 8 | d[2 + i];
        if (pl >> 63) return -1;
        h = 10;
    }
    if (fr->opcode >= 8 && (!fr->fin || pl > 125)) return -1; /* RFC 6455 5.5 */
    if (fr->masked) {
        if (len < h + 4) return 0;
        memcpy(fr->mask, d + h, 4);
        h += 4;
    }
    fr->hdr_len = (uint32_t)h;
    fr->payload_len = pl;
    return 1;
}

void sip_ws_unmask(uint8_t *dst, const uint8_t *src, size_t n, const uint8_t mask[4], uint64_t pos)
{
    for (size_t i = 0; i < n; i++)
        dst[i] = src[i] ^ mask[(pos + i) & 3];
}
