/* From decoded packets to SIP messages (see sip_framer.h).
 *
 * Hot path: a whole message in one UDP datagram or one TCP segment is
 * parsed straight from the packet; a per-direction stream object exists
 * only while a TCP direction has a partial message, bytes to discard, or is
 * in WebSocket mode. */
#include <stdlib.h>
#include <string.h>

#include "sip_framer.h"
#include "sip_framer_int.h"

#define DEFAULT_MAX_STREAMS 4096
#define DEFAULT_MAX_MESSAGE (256 * 1024)
#define MAX_TAIL 512 /* bytes kept after garbage: a start line split by a segment */
#define WS_PROBE 512 /* bytes unmasked to recognise SIP in a WebSocket frame */

typedef enum smode { MODE_SIP = 0, MODE_WS } smode_t;

typedef struct stream {
    uint64_t id;
    struct stream *hnext;
    struct stream *lprev, *lnext; /* LRU: head is the most recent */
    uint64_t last_ts;
    uint64_t next_off; /* stream offset expected next */
    smode_t mode;
    char *buf; /* unframed bytes: a partial message or frame */
    size_t len, cap;
    size_t need;      /* SIP: total the buffered message needs, 0 unknown */
    size_t hdr_scan;  /* SIP: header end searched up to here */
    uint64_t discard; /* bytes still to drop (oversize message or frame) */
    /* WebSocket: a fragmented message being joined */
    uint8_t *wsmsg;
    size_t wslen, wscap;
    bool ws_in_msg, ws_drop;
} stream_t;

struct sip_framer {
    sip_framer_limits_t lim;
    sip_message_cb cb;
    void *ud;
    sip_framer_stats_t st;
    stream_t **buckets;
    uint32_t nbuckets, nstreams;
    stream_t *lru_head, *lru_tail;
    uint8_t *scratch; /* unmasking a one-frame WebSocket message */
    size_t scratch_cap;
    uint64_t now;
    sip_msg_t msg;
};

/* ---- stream table -------------------------------------------------------- */

static uint32_t bucket_of(const sip_framer_t *f, uint64_t id)
{
    return (uint32_t)((id * 0x9E3779B97F4A7C15ull) >> 32) & (f->nbuckets - 1);
}

static void lru_unlink(sip_framer_t *f, stream_t *s)
{
    if (s->lprev)
        s->lprev->lnext = s->lnext;
    else
        f->lru_head = s->lnext;
    if (s->lnext)
        s->lnext->lprev = s->lprev;
    else
        f->lru_tail = s->lprev;
    s->lprev = s->lnext = NULL;
}

static void lru_push(sip_framer_t *f, stream_t *s)
{
    s->lnext = f->lru_head;
    s->lprev = NULL;
    if (f->lru_head) f->lru_head->lprev = s;
    f->lru_head = s;
    if (!f->lru_tail) f->lru_tail = s;
}

static stream_t *stream_find(sip_framer_t *f, uint64_t id)
{
    for (stream_t *s = f->buckets[bucket_of(f, id)]; s; s = s->hnext)
        if (s->id == id) return s;
    return NULL;
}

static bool stream_partial(const stream_t *s)
{
    return s->len || s->ws_in_msg;
}

static void stream_free(sip_framer_t *f, stream_t *s)
{
    stream_t **pp = &f->buckets[bucket_of(f, s->id)];
    while (*pp != s)
        pp = &(*pp)->hnext;
    *pp = s->hnext;
    lru_unlink(f, s);
    f->nstreams--;
    free(s->buf);
    free(s->wsmsg);
    free(s);
}

static stream_t *stream_get_id(sip_framer_t *f, uint64_t id, uint64_t ts, uint64_t next_off)
{
    stream_t *s = stream_find(f, id);
    if (s) return s;
    if (f->nstreams >= f->lim.max_streams && f->lru_tail) {
        stream_t *old = f->lru_tail;
        f->st.stream_evictions++;
        if (stream_partial(old)) f->st.truncated++;
        stream_free(f, old);
    }
    s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->id = id;
    s->last_ts = ts;
    s->next_off = next_off;
    uint32_t b = bucket_of(f, s->id);
    s->hnext = f->buckets[b];
    f->buckets[b] = s;
    lru_push(f, s);
    f->nstreams++;
    return s;
}

static stream_t *stream_get(sip_framer_t *f, const snb_packet_t *pkt)
{
    return stream_get_id(f, pkt->stream_id, pkt->ts_us, pkt->stream_offset + pkt->payload_len);
}

static bool grow(void **buf, size_t *cap, size_t want)
{
    if (want <= *cap) return true;
    size_t nc = *cap ? *cap : 1024;
    while (nc < want)
        nc *= 2;
    void *nb = realloc(*buf, nc);
    if (!nb) return false;
    *buf = nb;
    *cap = nc;
    return true;
}

static void stream_keep(stream_t *s, const char *p, size_t n)
{
    if (!n) {
        s->len = 0;
        return;
    }
    if (s->buf && p >= s->buf && p < s->buf + s->cap) { /* tail of our own buffer */
        memmove(s->buf, p, n);
        s->len = n;
        return;
    }
    if (!grow((void **)&s->buf, &s->cap, n)) {
        s->len = 0;
        return;
    }
    memcpy(s->buf, p, n);
    s->len = n;
}

static void expire(sip_framer_t *f, uint64_t now)
{
    if (now > f->now) f->now = now;
    if (!f->lim.idle_timeout_us) return;
    while (f->lru_tail && f->now - f->lru_tail->last_ts > f->lim.idle_timeout_us) {
        if (stream_partial(f->lru_tail)) f->st.truncated++;
        stream_free(f, f->lru_tail);
    }
}

/* ---- delivery --------------------------------------------------------------- */

static void deliver(sip_framer_t *f, const snb_packet_t *pkt, sip_transport_t t)
{
    f->st.messages++;
    if (f->msg.malformed) f->st.malformed++;
    f->cb(f->ud, pkt, t, &f->msg);
}

static bool is_space(char c)
{
    return c == '\r' || c == '\n' || c == ' ' || c == '\t';
}

/* A datagram-like unit (UDP payload, SCTP DATA chunk, WebSocket message):
 * junk before the start line is skipped and counted; several messages only
 * when Content-Length delimits them. */
static void handle_datagram(sip_framer_t *f, const snb_packet_t *pkt, const char *d, size_t n,
                            sip_transport_t t)
{
    size_t off = 0;
    bool any = false;
    /* HEP: the hep module unwraps it (-E) and the SIP inside comes back as
     * its own packet; searching it here would count it twice. */
    const unsigned char *u = (const unsigned char *)d;
    if (t == SIP_TRANSPORT_UDP && n >= 6 &&
        (memcmp(d, "HEP3", 4) == 0 ||
         ((u[0] == 1 || u[0] == 2) && u[2] <= 10 && (u[3] == 6 || u[3] == 17 || u[3] == 132)))) {
        f->st.not_sip++;
        return;
    }
    while (off < n) {
        while (off < n && is_space(d[off])) /* CRLF keepalives: not junk */
            off++;
        if (off >= n) break;
        sip_start_line_t sl; /* judged by the search, not parsed twice */
        size_t s = sip_find_start_line_judged(d + off, n - off, &sl);
        if (s >= n - off) break;
        f->st.skipped_bytes += s;
        off += s;
        size_t used;
        if (sip_msg_parse_judged(d + off, n - off, 0, &f->msg, &used, &sl) != SIP_PARSE_OK ||
            !used) {
            off++;
            continue;
        }
        deliver(f, pkt, t);
        any = true;
        off += used;
    }
    if (!any) f->st.not_sip++;
}

/* ---- WebSocket -------------------------------------------------------------- */

static void ws_message(sip_framer_t *f, const snb_packet_t *pkt, const char *d, size_t n)
{
    handle_datagram(f, pkt, d, n, SIP_TRANSPORT_WS);
}

/* Does a frame at d look like a WebSocket frame carrying SIP? Used to pick
 * up a WebSocket connection whose handshake was not captured. */
static bool ws_probe(const uint8_t *d, size_t n)
{
    sip_ws_frame_t fr;
    if (n < 2 || (d[0] != 0x81 && d[0] != 0x82)) return false;
    if (sip_ws_frame_parse(d, n, &fr) != 1 || fr.payload_len < 8) return false;
    size_t k = n - fr.hdr_len;
    if (k > fr.payload_len) k = (size_t)fr.payload_len;
    if (k > WS_PROBE) k = WS_PROBE;
    char tmp[WS_PROBE];
    if (fr.masked)
        sip_ws_unmask((uint8_t *)tmp, d + fr.hdr_len, k, fr.mask, 0);
    else
        memcpy(tmp, d + fr.hdr_len, k);
    return sip_looks_like_sip(tmp, k);
}

/* One complete frame (header fr, payload p). */
static void ws_frame(sip_framer_t *f, stream_t *s, const snb_packet_t *pkt,
                     const sip_ws_frame_t *fr, const uint8_t *p)
{
    size_t n = (size_t)fr->payload_len;
    f->st.ws_frames++;
    if (fr->opcode >= 8) return; /* close, ping, pong */
    if (fr->opcode == 1 || fr->opcode == 2) {
        if (s->ws_in_msg) f->st.truncated++; /* previous fragmented message never ended */
        s->ws_in_msg = false;
        s->wslen = 0;
        s->ws_drop = false;
        if (fr->fin) {
            if (fr->rsv) { /* compressed (permessage-deflate): cannot read */
                f->st.not_sip++;
                return;
            }
            if (!fr->masked) {
                ws_message(f, pkt, (const char *)p, n);
                return;
            }
            if (!grow((void **)&f->scratch, &f->scratch_cap, n ? n : 1)) return;
            sip_ws_unmask(f->scratch, p, n, fr->mask, 0);
            ws_message(f, pkt, (const char *)f->scratch, n);
            return;
        }
        s->ws_in_msg = true;
        s->ws_drop = fr->rsv != 0;
    } else if (!s->ws_in_msg) {
        return; /* continuation without a start */
    }
    if (!s->ws_drop && s->wslen + n > f->lim.max_message) {
        f->st.oversize++;
        s->ws_drop = true;
    }
    if (!s->ws_drop) {
        if (!grow((void **)&s->wsmsg, &s->wscap, s->wslen + n + 1)) {
            s->ws_drop = true;
        } else {
            if (fr->masked)
                sip_ws_unmask(s->wsmsg + s->wslen, p, n, fr->mask, 0);
            else
                memcpy(s->wsmsg + s->wslen, p, n);
            s->wslen += n;
        }
    }
    if (fr->fin) {
        if (!s->ws_drop) ws_message(f, pkt, (const char *)s->wsmsg, s->wslen);
        s->ws_in_msg = false;
        s->ws_drop = false;
        s->wslen = 0;
    }
}

/* WebSocket frames in v; returns the bytes consumed (the rest is a partial
 * frame to keep). Switches the stream back to SIP mode on a bad frame. */
static size_t ws_view(sip_framer_t *f, stream_t *s, const snb_packet_t *pkt, const char *v,
                      size_t n)
{
    size_t off = 0;
    while (off < n) {
        sip_ws_frame_t fr;
        const uint8_t *p = (const uint8_t *)v + off;
        int r = sip_ws_frame_parse(p, n - off, &fr);
        if (r == 0) return off;
        if (r < 0) {
            s->mode = MODE_SIP; /* lost framing: resynchronise on SIP text */
            if (s->ws_in_msg) f->st.truncated++;
            s->ws_in_msg = false;
            s->wslen = 0;
            return off;
        }
        uint64_t total = fr.hdr_len + fr.payload_len;
        if (fr.payload_len > f->lim.max_message) {
            f->st.oversize++;
            f->st.ws_frames++;
            if (s->ws_in_msg) s->ws_drop = true;
            if (total > n - off) {
                s->discard = total - (n - off);
                return n;
            }
            off += (size_t)total;
            continue;
        }
        if (total > n - off) return off;
        ws_frame(f, s, pkt, &fr, p + fr.hdr_len);
        off += (size_t)total;
    }
    return off;
}

/* ---- TCP -------------------------------------------------------------------- */

/* Stream data is TCP, or the plaintext of TLS that the tls module
 * decrypted (its own stream ids: sipnab/tls.h). */
static sip_transport_t stream_transport(const snb_packet_t *pkt)
{
    return pkt->flags & SNB_PKT_TLS ? SIP_TRANSPORT_TLS : SIP_TRANSPORT_TCP;
}

/* Could a last line (no line end yet) after garbage be the beginning of a
 * start line? Only known methods and "SIP/2.0 " count, so that ordinary
 * text does not create stream state. */
static bool tail_plausible(const char *p, size_t n)
{
    static const char ver[] = "SIP/2.0 ";
    size_t k = n < 8 ? n : 8, i = 0;
    while (i < k && snb_ascii_lower(p[i]) == snb_ascii_lower(ver[i]))
        i++;
    if (i == k) return true;
    size_t t = 0;
    while (t < n && t < 16 && p[t] >= 'A' && p[t] <= 'Z')
        t++;
    if (t == 0 || (t < n && p[t] != ' ')) return false;
    for (int m = 1; m < SIP_METHOD_COUNT; m++) {
        const char *name = sip_method_name((sip_method_t)m);
        size_t ml = strlen(name);
        if (t < n ? (ml == t && memcmp(name, p, t) == 0) : (ml >= t && memcmp(name, p, t) == 0))
            return true;
    }
    return false;
}

/* Frame what is in v (a packet's payload or a stream buffer). Returns the
 * bytes consumed; the rest is an incomplete message the caller keeps
 * (*sp then points to the stream, created if needed). */
static size_t tcp_view(sip_framer_t *f, stream_t **sp, const snb_packet_t *pkt, const char *v,
                       size_t n, bool resync, bool *found)
{
    size_t off = 0;
    if (resync && !((*v == (char)0x81 || *v == (char)0x82) && ws_probe((const uint8_t *)v, n))) {
        /* after lost bytes the data starts anywhere: find a start line */
        off = sip_find_start_line(v, n);
        f->st.skipped_bytes += off;
    }
    while (off < n) {
        if (*sp && (*sp)->mode == MODE_WS) {
            *found = true;
            size_t used = ws_view(f, *sp, pkt, v + off, n - off);
            off += used;
            if ((*sp)->mode == MODE_WS || off >= n) return off;
            continue; /* bad frame: SIP mode from here */
        }
        while (off < n && is_space(v[off]))
            off++;
        if (off >= n) break;
        const char *p = v + off;
        size_t rem = n - off;
        if (*p == 'G' || *p == 'H') {
            size_t hl;
            int u = sip_ws_upgrade(p, rem, &hl);
            if (u == -1) { /* handshake not complete yet */
                if (!*sp) *sp = stream_get(f, pkt);
                if (*sp) (*sp)->need = 0;
                return off;
            }
            if (u == 1) {
                *sp = stream_get(f, pkt);
                if (!*sp) return n;
                (*sp)->mode = MODE_WS;
                *found = true;
                off += hl;
                continue;
            }
        } else if ((*p == (char)0x81 || *p == (char)0x82) && ws_probe((const uint8_t *)p, rem)) {
            *sp = stream_get(f, pkt);
            if (!*sp) return n;
            (*sp)->mode = MODE_WS;
            continue;
        }
        size_t used;
        sip_parse_result_t r = sip_msg_parse(p, rem, SIP_PARSE_STREAM, &f->msg, &used);
        if (r == SIP_PARSE_OK) {
            deliver(f, pkt, stream_transport(pkt));
            *found = true;
            off += used;
            continue;
        }
        if (r == SIP_PARSE_INCOMPLETE) {
            *found = true;
            if (used > f->lim.max_message) { /* known size: drop it exactly */
                f->st.oversize++;
                *sp = stream_get(f, pkt);
                if (*sp) (*sp)->discard = used - rem;
                return n;
            }
            if (rem <= f->lim.max_message) {
                if (!*sp) *sp = stream_get(f, pkt);
                if (*sp) (*sp)->need = used;
                return off;
            }
            f->st.oversize++; /* headers longer than a message may be: skip its start line */
            const char *nl = memchr(p, '\n', rem);
            size_t skip = nl ? (size_t)(nl + 1 - p) : 1;
            off += skip;
            p += skip;
            rem -= skip;
        }
        /* Not SIP here: skip to the next start line */
        size_t s = sip_find_start_line(p, rem);
        if (s == 0) s = 1; /* p itself was refused: always progress */
        if (s < rem) {
            f->st.skipped_bytes += s;
            off += s;
            continue;
        }
        /* None: keep a short last line that may be a start line's beginning */
        const char *lastlf = NULL;
        for (const char *q = v + n; q > p; q--)
            if (q[-1] == '\n') {
                lastlf = q;
                break;
            }
        size_t tail = lastlf ? (size_t)(v + n - lastlf) : 0;
        if (tail && tail <= MAX_TAIL && tail_plausible(lastlf, tail)) {
            f->st.skipped_bytes += rem - tail;
            if (!*sp) *sp = stream_get(f, pkt);
            if (*sp) (*sp)->need = 0;
            return n - tail;
        }
        f->st.skipped_bytes += rem;
        return n;
    }
    return n;
}

/* Is a header end ("\n\n" or "\n\r\n") in buf[from, len)? */
static bool has_header_end(const char *buf, size_t from, size_t len)
{
    for (const char *p = buf + from; p < buf + len;) {
        const char *nl = memchr(p, '\n', (size_t)(buf + len - p));
        if (!nl) return false;
        const char *q = nl + 1;
        if (q < buf + len && (*q == '\n' || (*q == '\r' && q + 1 < buf + len && q[1] == '\n')))
            return true;
        if (q + 1 >= buf + len && q < buf + len && *q == '\r') return false;
        p = q;
    }
    return false;
}

static void stream_reset(sip_framer_t *f, stream_t *s)
{
    if (stream_partial(s)) f->st.truncated++;
    s->len = s->need = s->hdr_scan = 0;
    s->discard = 0;
    s->ws_in_msg = s->ws_drop = false;
    s->wslen = 0;
    s->mode = MODE_SIP; /* WebSocket framing is lost too; ws_probe recovers it */
}

static void handle_tcp(sip_framer_t *f, const snb_packet_t *pkt)
{
    const char *d = (const char *)pkt->payload;
    size_t n = pkt->payload_len;
    bool found = false;
    bool gap = pkt->flags & SNB_PKT_TCP_GAP;
    stream_t *s = stream_find(f, pkt->stream_id);
    if (s) {
        lru_unlink(f, s);
        lru_push(f, s);
        s->last_ts = pkt->ts_us;
        gap = gap || pkt->stream_offset != s->next_off;
        if (gap) stream_reset(f, s);
        s->next_off = pkt->stream_offset + n;
        if (s->discard) {
            size_t k = s->discard < n ? (size_t)s->discard : n;
            s->discard -= k;
            d += k;
            n -= k;
            found = true;
        }
    }
    if (s && s->len) {
        found = true;
        size_t old = s->len;
        if (!grow((void **)&s->buf, &s->cap, old + n)) {
            stream_reset(f, s);
            return;
        }
        memcpy(s->buf + old, d, n);
        s->len = old + n;
        if (s->mode == MODE_SIP && s->len <= f->lim.max_message) {
            if (s->need && s->len < s->need) return; /* body still arriving */
            if (!s->need && memchr(s->buf, '\n', old) &&
                !has_header_end(s->buf, s->hdr_scan > 2 ? s->hdr_scan - 2 : 0, s->len)) {
                s->hdr_scan = s->len;
                return; /* header block still arriving */
            }
        }
        s->need = 0;
        s->hdr_scan = 0;
        size_t used = tcp_view(f, &s, pkt, s->buf, s->len, false, &found);
        stream_keep(s, s->buf + used, s->len - used);
        s->hdr_scan = s->len;
    } else if (n) {
        size_t used = tcp_view(f, &s, pkt, d, n, gap, &found);
        if (used < n && s) {
            stream_keep(s, d + used, n - used);
            s->hdr_scan = s->len;
        }
        if (!found) f->st.not_sip++;
    }
    if (s && !s->len && !s->discard && s->mode == MODE_SIP && !s->ws_in_msg) stream_free(f, s);
}

/* ---- SCTP ------------------------------------------------------------------- */

/* An SCTP association direction + stream id, as a stream-table key. Bit 62
 * keeps it apart from TCP stream ids. */
static uint64_t sctp_key(const snb_packet_t *pkt, uint16_t sid)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    const uint8_t *parts[2] = {pkt->src.a, pkt->dst.a};
    for (int p = 0; p < 2; p++)
        for (int i = 0; i < 16; i++)
            h = (h ^ parts[p][i]) * 1099511628211ull;
    uint64_t ports = (uint64_t)pkt->sport << 32 | (uint64_t)pkt->dport << 16 | sid;
    h = (h ^ ports) * 1099511628211ull;
    return (h & ~(3ull << 62)) | (1ull << 62);
}

/* A user message split over DATA chunks (RFC 9260 6.9): B starts it, E ends
 * it, TSNs are consecutive. Joined in a stream buffer, then parsed as one
 * datagram. Anything out of sequence drops the partial message. */
static void sctp_fragment(sip_framer_t *f, const snb_packet_t *pkt, const sip_sctp_chunk_t *c)
{
    uint64_t key = sctp_key(pkt, c->sid);
    bool begin = c->flags & SIP_SCTP_FLAG_B, end = c->flags & SIP_SCTP_FLAG_E;
    stream_t *s = begin ? stream_get_id(f, key, pkt->ts_us, c->tsn) : stream_find(f, key);
    f->st.sctp_fragments++;
    if (!s) return;
    if (begin) s->len = 0;
    if ((!begin && (!s->len || c->tsn != s->next_off)) ||
        s->len + c->payload_len > f->lim.max_message) {
        if (s->len + c->payload_len > f->lim.max_message)
            f->st.oversize++;
        else
            f->st.truncated++;
        stream_free(f, s);
        return;
    }
    if (!grow((void **)&s->buf, &s->cap, s->len + c->payload_len)) {
        stream_free(f, s);
        return;
    }
    if (c->payload_len) /* an empty chunk: buf may still be NULL */
        memcpy(s->buf + s->len, c->payload, c->payload_len);
    s->len += c->payload_len;
    s->next_off = c->tsn + 1u;
    s->last_ts = pkt->ts_us;
    lru_unlink(f, s);
    lru_push(f, s);
    if (!end) return;
    handle_datagram(f, pkt, s->buf, s->len, SIP_TRANSPORT_SCTP);
    stream_free(f, s);
}

static void handle_sctp(sip_framer_t *f, const snb_packet_t *pkt)
{
    size_t off = 0;
    sip_sctp_chunk_t c;
    while (sip_sctp_next(pkt->payload, pkt->payload_len, &off, &c)) {
        bool data = (c.type == SIP_SCTP_DATA && c.length >= 16) ||
                    (c.type == SIP_SCTP_IDATA && c.length >= 20);
        if (!data) continue;
        f->st.sctp_chunks++;
        if ((c.flags & (SIP_SCTP_FLAG_B | SIP_SCTP_FLAG_E)) ==
            (SIP_SCTP_FLAG_B | SIP_SCTP_FLAG_E)) {
            handle_datagram(f, pkt, (const char *)c.payload, c.payload_len, SIP_TRANSPORT_SCTP);
        } else if (c.type == SIP_SCTP_DATA) {
            sctp_fragment(f, pkt, &c);
        } else {
            f->st.sctp_fragments++; /* I-DATA fragments (MID/FSN): not joined */
        }
    }
}

/* ---- API ---------------------------------------------------------------------- */

sip_framer_t *sip_framer_new(const sip_framer_limits_t *limits, sip_message_cb cb, void *ud)
{
    if (!cb) return NULL;
    sip_framer_t *f = calloc(1, sizeof *f);
    if (!f) return NULL;
    if (limits) f->lim = *limits;
    if (!f->lim.max_streams) f->lim.max_streams = DEFAULT_MAX_STREAMS;
    if (!f->lim.max_message) f->lim.max_message = DEFAULT_MAX_MESSAGE;
    uint32_t nb = 64;
    while (nb < f->lim.max_streams && nb < (1u << 20))
        nb <<= 1;
    f->nbuckets = nb;
    f->buckets = calloc(nb, sizeof *f->buckets);
    if (!f->buckets) {
        free(f);
        return NULL;
    }
    f->cb = cb;
    f->ud = ud;
    return f;
}

void sip_framer_packet(sip_framer_t *f, const snb_packet_t *pkt)
{
    expire(f, pkt->ts_us);
    if (!pkt->payload_len || !pkt->payload) return;
    switch (pkt->transport) {
    case SNB_TRANSPORT_UDP:
        /* RTP and RTCP (version 2: first byte 0x80-0xBF) are most of the
         * UDP a SIP analyser sees; no SIP message or SIP-carrying wrapper
         * (HEP starts with "HEP3" or 0x01/0x02) starts so. Turned away here,
         * before handle_datagram's call: it is every RTP packet's cost. */
        if (pkt->payload_len >= 12 && (pkt->payload[0] & 0xC0) == 0x80)
            f->st.not_sip++;
        else
            handle_datagram(f, pkt, (const char *)pkt->payload, pkt->payload_len,
                            SIP_TRANSPORT_UDP);
        break;
    case SNB_TRANSPORT_TCP:
        if (pkt->flags & SNB_PKT_MESSAGE) /* a whole message (HEP): no stream framing */
            handle_datagram(f, pkt, (const char *)pkt->payload, pkt->payload_len,
                            SIP_TRANSPORT_TCP);
        else
            handle_tcp(f, pkt);
        break;
    case SNB_TRANSPORT_SCTP:
        handle_sctp(f, pkt);
        break;
    default:
        break;
    }
}

void sip_framer_flush(sip_framer_t *f)
{
    while (f->lru_tail) {
        if (stream_partial(f->lru_tail)) f->st.truncated++;
        stream_free(f, f->lru_tail);
    }
}

const sip_framer_stats_t *sip_framer_stats(const sip_framer_t *f)
{
    return &f->st;
}

void sip_framer_free(sip_framer_t *f)
{
    if (!f) return;
    while (f->lru_tail)
        stream_free(f, f->lru_tail);
    free(f->buckets);
    free(f->scratch);
    free(f);
}
