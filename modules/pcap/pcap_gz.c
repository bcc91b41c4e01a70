/* Capture files, plain or gzip-compressed, as a stdio FILE for
 * pcap_fopen_offline(). zlib does the decompression (fopencookie wraps a
 * gzFile); ftell() works on both so truncation can be reported by offset. */
#include <errno.h>
#include <string.h>
#include <zlib.h>

#include "pcap_gz.h"

static ssize_t gz_read(void *cookie, char *buf, size_t size)
{
    int n = gzread((gzFile)cookie, buf, (unsigned)(size > (1u << 30) ? (1u << 30) : size));
    return n < 0 ? -1 : n;
}

/* Only position queries (ftell) are supported. */
static int gz_seek(void *cookie, off64_t *offset, int whence)
{
    if (whence == SEEK_CUR && *offset == 0) {
        *offset = gztell((gzFile)cookie);
        return 0;
    }
    errno = ESPIPE;
    return -1;
}

static int gz_close(void *cookie)
{
    return gzclose((gzFile)cookie) == Z_OK ? 0 : -1;
}

FILE *pcap_gz_open(const char *path, unsigned char magic[4], bool *compressed, char *why,
                   size_t whylen)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        snprintf(why, whylen, "%s", strerror(errno));
        return NULL;
    }
    memset(magic, 0, 4);
    size_t got = fread(magic, 1, 4, fp);
    *compressed = got >= 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    if (!*compressed) {
        rewind(fp);
        /* Large reads: libpcap freads each record; fewer syscalls matter here. */
        setvbuf(fp, NULL, _IOFBF, 1 << 20);
        return fp;
    }
    fclose(fp);
    gzFile gz = gzopen(path, "rb");
    if (!gz) {
        snprintf(why, whylen, "%s", strerror(errno ? errno : ENOMEM));
        return NULL;
    }
    gzbuffer(gz, 1 << 20);
    memset(magic, 0, 4);
    if (gzread(gz, magic, 4) < 0 || gzrewind(gz) != 0) {
        int zerr;
        snprintf(why, whylen, "gzip: %s", gzerror(gz, &zerr));
        gzclose(gz);
        return NULL;
    }
    cookie_io_functions_t io = {.read = gz_read, .write = NULL, .seek = gz_seek, .close = gz_close};
    fp = fopencookie(gz, "rb", io);
    if (!fp) {
        gzclose(gz);
        snprintf(why, whylen, "%s", strerror(errno));
        return NULL;
    }
    return fp;
}
