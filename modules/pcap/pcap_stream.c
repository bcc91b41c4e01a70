/* A capture input as a stdio FILE (see pcap_stream.h): fopencookie over one
 * descriptor, with an optional zlib inflater. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "pcap_stream.h"

#define IN_CHUNK (256u * 1024)

struct pcap_stream {
    int fd;
    bool own_fd; /* not standard input */
    bool gzip;
    bool in_eof;      /* read() returned 0 */
    bool member_done; /* inflate reached the end of a gzip member */
    bool z_ready;
    z_stream z;
    uint8_t *in; /* raw bytes read ahead: the peeked magic, gzip input */
    size_t in_pos, in_len;
    uint8_t head[4]; /* gzip: the inflated magic, delivered before the rest */
    size_t head_len, head_pos;
    uint64_t out_pos; /* bytes delivered (uncompressed) */
    char damage[160];
    void (*observe)(void *ud, const void *data, size_t n);
    void *observe_ud;
};

/* More raw input after what is buffered; 0 at the end, -1 on error. */
static ssize_t fill_in(pcap_stream_t *s)
{
    if (s->in_pos == s->in_len) s->in_pos = s->in_len = 0;
    for (;;) {
        ssize_t n = read(s->fd, s->in + s->in_len, IN_CHUNK - s->in_len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            snprintf(s->damage, sizeof s->damage, "read error: %s", strerror(errno));
            return -1;
        }
        if (n == 0) s->in_eof = true;
        s->in_len += (size_t)n;
        return n;
    }
}

static ssize_t plain_read(pcap_stream_t *s, char *buf, size_t size)
{
    if (s->in_pos < s->in_len) { /* what the peek read first */
        size_t n = s->in_len - s->in_pos < size ? s->in_len - s->in_pos : size;
        memcpy(buf, s->in + s->in_pos, n);
        s->in_pos += n;
        return (ssize_t)n;
    }
    for (;;) {
        ssize_t n = read(s->fd, buf, size);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) snprintf(s->damage, sizeof s->damage, "read error: %s", strerror(errno));
        return n;
    }
}

static bool next_is_gzip_member(pcap_stream_t *s)
{
    while (s->in_len - s->in_pos < 2 && !s->in_eof) {
        if (s->in_pos > 0) { /* keep the unread bytes at the front */
            memmove(s->in, s->in + s->in_pos, s->in_len - s->in_pos);
            s->in_len -= s->in_pos;
            s->in_pos = 0;
        }
        if (fill_in(s) < 0) return false;
    }
    return s->in_len - s->in_pos >= 2 && s->in[s->in_pos] == 0x1f && s->in[s->in_pos + 1] == 0x8b;
}

/* Inflate into buf. Returns what it produced, 0 at the end (damage set if
 * the end was not a clean one), -1 after a read error with nothing
 * produced. Whatever inflated before damage is returned first. */
static ssize_t gzip_read(pcap_stream_t *s, char *buf, size_t size)
{
    if (s->damage[0]) return 0;
    s->z.next_out = (Bytef *)buf;
    s->z.avail_out = (uInt)(size > (1u << 30) ? (1u << 30) : size);
    uInt want = s->z.avail_out;
    while (s->z.avail_out == want) {
        if (s->member_done) {
            /* Concatenated members (gzip's own habit) go on; anything else
             * after a complete member is ignored, as gzip does. */
            if (!next_is_gzip_member(s)) return 0;
            inflateReset(&s->z);
            s->member_done = false;
        }
        if (s->in_pos == s->in_len) {
            if (s->in_eof) {
                snprintf(s->damage, sizeof s->damage, "gzip data cut short");
                break;
            }
            if (fill_in(s) < 0) break;
            continue;
        }
        s->z.next_in = s->in + s->in_pos;
        s->z.avail_in = (uInt)(s->in_len - s->in_pos);
        int rc = inflate(&s->z, Z_NO_FLUSH);
        s->in_pos = s->in_len - s->z.avail_in;
        if (rc == Z_STREAM_END) {
            s->member_done = true;
        } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
            snprintf(s->damage, sizeof s->damage, "gzip: %s", s->z.msg ? s->z.msg : "corrupt data");
            break;
        }
    }
    return (ssize_t)(want - s->z.avail_out);
}

static ssize_t stream_read(void *cookie, char *buf, size_t size)
{
    pcap_stream_t *s = cookie;
    ssize_t n;
    if (s->head_pos < s->head_len) {
        n = (ssize_t)(s->head_len - s->head_pos < size ? s->head_len - s->head_pos : size);
        memcpy(buf, s->head + s->head_pos, (size_t)n);
        s->head_pos += (size_t)n;
    } else {
        n = s->gzip ? gzip_read(s, buf, size) : plain_read(s, buf, size);
    }
    if (n > 0) s->out_pos += (uint64_t)n;
    if (n > 0 && s->observe) s->observe(s->observe_ud, buf, (size_t)n);
    return n;
}

/* Only position queries (ftell) are supported. */
static int stream_seek(void *cookie, off64_t *offset, int whence)
{
    pcap_stream_t *s = cookie;
    if (whence == SEEK_CUR && *offset == 0) {
        *offset = (off64_t)s->out_pos;
        return 0;
    }
    errno = ESPIPE;
    return -1;
}

static int stream_close(void *cookie)
{
    pcap_stream_t *s = cookie;
    if (s->z_ready) inflateEnd(&s->z);
    if (s->own_fd) close(s->fd);
    free(s->in);
    free(s);
    return 0;
}

FILE *pcap_stream_open(const char *path, unsigned char magic[4], bool *compressed,
                       pcap_stream_t **state, char *why, size_t whylen)
{
    pcap_stream_t *s = calloc(1, sizeof *s);
    if (s) s->in = malloc(IN_CHUNK);
    if (!s || !s->in) {
        snprintf(why, whylen, "out of memory");
        if (s) free(s->in);
        free(s);
        return NULL;
    }
    bool is_stdin = strcmp(path, "-") == 0;
    s->fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    s->own_fd = !is_stdin;
    if (s->fd < 0) {
        snprintf(why, whylen, "%s", strerror(errno));
        free(s->in);
        free(s);
        return NULL;
    }
    /* Peek: the bytes stay in s->in and are read again. */
    while (s->in_len < 4 && !s->in_eof)
        if (fill_in(s) < 0) break;
    *compressed = s->in_len >= 2 && s->in[0] == 0x1f && s->in[1] == 0x8b;
    memset(magic, 0, 4);
    if (*compressed) {
        s->gzip = true;
        /* 16 + MAX_WBITS: a gzip header and trailer, checked by zlib. */
        s->z_ready = inflateInit2(&s->z, 16 + MAX_WBITS) == Z_OK;
        ssize_t got = s->z_ready ? gzip_read(s, (char *)s->head, sizeof s->head) : -1;
        if (got < 0 || (got < 4 && s->damage[0] && !strstr(s->damage, "cut short"))) {
            snprintf(why, whylen, "gzip: %s", s->damage[0] ? s->damage : "cannot inflate");
            stream_close(s);
            return NULL;
        }
        s->head_len = (size_t)got; /* delivered first by stream_read */
        memcpy(magic, s->head, s->head_len);
    } else {
        memcpy(magic, s->in, s->in_len < 4 ? s->in_len : 4);
    }
    cookie_io_functions_t io = {
        .read = stream_read, .write = NULL, .seek = stream_seek, .close = stream_close};
    FILE *fp = fopencookie(s, "rb", io);
    if (!fp) {
        snprintf(why, whylen, "%s", strerror(errno));
        stream_close(s);
        return NULL;
    }
    /* Large reads: libpcap freads each record; fewer calls matter here. */
    setvbuf(fp, NULL, _IOFBF, 1 << 20);
    *state = s;
    return fp;
}

void pcap_stream_observe(pcap_stream_t *s, void (*fn)(void *ud, const void *data, size_t n),
                         void *ud)
{
    s->observe = fn;
    s->observe_ud = ud;
}

const char *pcap_stream_damage(const pcap_stream_t *s)
{
    return s && s->damage[0] ? s->damage : NULL;
}
