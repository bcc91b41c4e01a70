/* Classic pcap through a pread window (see pcap_classic.h). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pcap_classic.h"

/* libpcap's own ceiling for one record (MAXIMUM_SNAPLEN). */
#define MAX_RECORD 262144u
/* Bytes of one read: a window always holds the largest record. Read by
 * the loop, one window of SMALL_WINDOW; read ahead, two of LARGE_WINDOW
 * (each hand-over wakes the thread: a quarter as many wakes). */
#define SMALL_WINDOW (512u * 1024)
#define LARGE_WINDOW (2048u * 1024)
/* Room before a window's bytes for the unread tail of the window before:
 * less than a record with its header. */
#define ROOM (16u + MAX_RECORD)
/* Smaller files are read without a thread: the copy is short, the thread's
 * start is not. */
#define READ_AHEAD_MIN (8u * SMALL_WINDOW)

static uint32_t rd32(const uint8_t *p, bool swapped)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return swapped ? __builtin_bswap32(v) : v;
}

/* Read the window at off: as many bytes as the file has, up to size (the
 * thread's job with read_ahead, else the consumer's). */
static void fill_window(int fd, pcap_window_t *w, size_t size, uint64_t off)
{
    w->off = off;
    w->len = 0;
    w->err = 0;
    while (w->len < size) {
        ssize_t n = pread(fd, w->buf + ROOM + w->len, size - w->len, (off_t)(off + w->len));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) w->err = errno;
        if (n <= 0) return; /* the end, an error, or the file shrank under us */
        w->len += (size_t)n;
    }
}

/* A short read: the end of the file (or an error) comes in this window. */
static bool window_is_last(const pcap_classic_t *c, const pcap_window_t *w)
{
    return w->len < c->win_size;
}

/* The reader thread: fills each window the consumer gave back, in file
 * order, until the file's last window (a short read) or close. */
static void *read_ahead(void *arg)
{
    pcap_classic_t *c = arg;
    int i = 1; /* the consumer starts on an empty window 0 */
    uint64_t off = 24;
    for (;;) {
        pthread_mutex_lock(&c->mu);
        while (c->win[i].full && !c->stop)
            pthread_cond_wait(&c->cond, &c->mu);
        bool stop = c->stop;
        pthread_mutex_unlock(&c->mu);
        if (stop) return NULL;
        fill_window(c->fd, &c->win[i], c->win_size, off); /* ours until marked full */
        pthread_mutex_lock(&c->mu);
        c->win[i].full = true;
        pthread_cond_broadcast(&c->cond);
        pthread_mutex_unlock(&c->mu);
        if (window_is_last(c, &c->win[i])) return NULL;
        off += c->win[i].len;
        i ^= 1;
    }
}

/* The thread starts with every signal blocked: SIGINT and the others are
 * the loop's to handle. */
static int start_reader(pcap_classic_t *c)
{
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&c->thread, NULL, read_ahead, c);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}

int pcap_classic_open(pcap_classic_t *c, const char *path, bool read_ahead_wanted, char *why,
                      size_t whylen)
{
    memset(c, 0, sizeof *c);
    if (strcmp(path, "-") == 0) return 1; /* standard input: a stream for libpcap */
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(why, whylen, "%s", strerror(errno));
        return -1;
    }
    struct stat st;
    uint8_t hdr[24];
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 24 ||
        pread(fd, hdr, sizeof hdr, 0) != (ssize_t)sizeof hdr) {
        close(fd);
        return 1; /* a pipe, or too short: libpcap reads it or says why */
    }
    uint32_t magic;
    memcpy(&magic, hdr, 4);
    switch (magic) {
    case 0xa1b2c3d4:
        break;
    case 0xd4c3b2a1:
        c->swapped = true;
        break;
    case 0xa1b23c4d:
        c->nsec = true;
        break;
    case 0x4d3cb2a1:
        c->swapped = c->nsec = true;
        break;
    default:
        close(fd);
        return 1;
    }
    bool ahead = read_ahead_wanted && st.st_size >= READ_AHEAD_MIN;
    c->win_size = ahead ? LARGE_WINDOW : SMALL_WINDOW;
    for (int i = 0; i < (ahead ? 2 : 1); i++) {
        c->win[i].buf = malloc(ROOM + c->win_size);
        if (!c->win[i].buf) {
            free(c->win[0].buf);
            close(fd);
            snprintf(why, whylen, "out of memory");
            return -1;
        }
    }
    (void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    c->open = true;
    c->fd = fd;
    /* Window 0 starts empty and the consumer's: the first bytes go to window 1. */
    c->win[0].off = c->off = 24;
    c->win[0].full = true;
    c->pos = c->end = ROOM;
    c->snaplen = rd32(hdr + 16, c->swapped);
    c->linktype = (int)(rd32(hdr + 20, c->swapped) & 0x03ffffff); /* low bits: the type */
    if (ahead && pthread_mutex_init(&c->mu, NULL) == 0) {
        if (pthread_cond_init(&c->cond, NULL) != 0)
            pthread_mutex_destroy(&c->mu);
        else if (start_reader(c) != 0) {
            pthread_cond_destroy(&c->cond);
            pthread_mutex_destroy(&c->mu);
        } else
            c->read_ahead = true; /* else the caller reads, as without it */
    }
    return 0;
}

/* Move to the next window, keeping the unread tail of this one in front of
 * its bytes. 1 when at least `need` bytes from the next record on are
 * there, 0 at the end of the file (fewer there), -1 on a read error (why). */
static int next_window(pcap_classic_t *c, size_t need, char *why, size_t whylen)
{
    pcap_window_t *w = &c->win[c->cur];
    if (c->last) {
        if (w->err) {
            snprintf(why, whylen, "read error: %s", strerror(w->err));
            return -1;
        }
        return 0;
    }
    size_t left = c->end - c->pos; /* less than ROOM: a record is at most that */
    int n = c->cur;
    pcap_window_t *next = w;
    if (c->read_ahead) {
        n ^= 1;
        next = &c->win[n];
        pthread_mutex_lock(&c->mu);
        while (!next->full)
            pthread_cond_wait(&c->cond, &c->mu);
        pthread_mutex_unlock(&c->mu);
        memcpy(next->buf + ROOM - left, w->buf + c->pos, left);
        /* given back: the thread reads the window after next into it */
        pthread_mutex_lock(&c->mu);
        w->full = false;
        pthread_cond_broadcast(&c->cond);
        pthread_mutex_unlock(&c->mu);
    } else {
        /* One window: the tail moves to the room, the read goes after it. */
        memmove(w->buf + ROOM - left, w->buf + c->pos, left);
        fill_window(c->fd, w, c->win_size, w->off + w->len);
    }
    c->cur = n;
    c->pos = ROOM - left;
    c->end = ROOM + next->len;
    c->last = window_is_last(c, next);
    if (c->end - c->pos >= need) return 1;
    return next_window(c, need, why, whylen); /* the last window: says why */
}

int pcap_classic_next(pcap_classic_t *c, pcap_classic_record_t *rec, char *why, size_t whylen)
{
    /* The common case, a whole record already in the window, calls nothing. */
    if (c->end - c->pos < 16) {
        int rc = next_window(c, 16, why, whylen);
        if (rc < 0) return PCAP_CLASSIC_CORRUPT;
        if (rc == 0) return c->end == c->pos ? PCAP_CLASSIC_END : PCAP_CLASSIC_TRUNCATED;
    }
    const uint8_t *h = c->win[c->cur].buf + c->pos;
    uint32_t caplen = rd32(h + 8, c->swapped);
    if (caplen > MAX_RECORD) {
        snprintf(why, whylen, "record of %u bytes, larger than the %u-byte limit", caplen,
                 MAX_RECORD);
        return PCAP_CLASSIC_CORRUPT;
    }
    if (c->end - c->pos < 16 + (size_t)caplen) {
        int rc = next_window(c, 16 + (size_t)caplen, why, whylen);
        if (rc < 0) return PCAP_CLASSIC_CORRUPT;
        if (rc == 0) return PCAP_CLASSIC_TRUNCATED;
        h = c->win[c->cur].buf + c->pos; /* the next window */
    }
    uint32_t sec = rd32(h, c->swapped), frac = rd32(h + 4, c->swapped);
    rec->ts_us = (uint64_t)sec * 1000000u + (c->nsec ? frac / 1000u : frac);
    rec->caplen = caplen;
    rec->wirelen = rd32(h + 12, c->swapped);
    rec->data = h + 16;
    c->pos += 16 + (size_t)caplen;
    c->off = c->win[c->cur].off + c->pos - ROOM;
    return PCAP_CLASSIC_RECORD;
}

bool pcap_classic_is_open(const pcap_classic_t *c)
{
    return c->open;
}

void pcap_classic_close(pcap_classic_t *c)
{
    if (c->read_ahead) {
        pthread_mutex_lock(&c->mu);
        c->stop = true;
        pthread_cond_broadcast(&c->cond);
        pthread_mutex_unlock(&c->mu);
        pthread_join(c->thread, NULL);
        pthread_cond_destroy(&c->cond);
        pthread_mutex_destroy(&c->mu);
    }
    if (c->open) close(c->fd);
    free(c->win[0].buf);
    free(c->win[1].buf);
    memset(c, 0, sizeof *c);
}
