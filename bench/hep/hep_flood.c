/* hep-flood: send HEP v3 SIP datagrams to a listener on loopback, as fast as
 * possible or at a given rate, for a bounded time, and say how many were
 * sent. The load generator of bench/hep.sh (a second process, as the issue
 * asks); loopback only.
 *   hep-flood PORT SECONDS [RATE_PPS]   (RATE 0 or absent = as fast as possible) */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint8_t *chunk(uint8_t *p, uint16_t type, const void *v, uint16_t len)
{
    uint16_t h[3] = {0, htons(type), htons((uint16_t)(len + 6))};
    memcpy(p, h, 6);
    memcpy(p + 6, v, len);
    return p + 6 + len;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: hep-flood PORT SECONDS [RATE_PPS]\n");
        return 2;
    }
    int port = atoi(argv[1]);
    double seconds = atof(argv[2]);
    double rate = argc > 3 ? atof(argv[3]) : 0;
    static const char sip[] = "OPTIONS sip:bench@10.0.0.2 SIP/2.0\r\n"
                              "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-bench\r\n"
                              "From: <sip:flood@10.0.0.1>;tag=1\r\nTo: <sip:bench@10.0.0.2>\r\n"
                              "Call-ID: hep-flood@10.0.0.1\r\nCSeq: 1 OPTIONS\r\n"
                              "Content-Length: 0\r\n\r\n";
    uint8_t pkt[1024], *p = pkt + 6;
    uint8_t fam = 2, proto = 17, ptype = 1;
    uint32_t src = htonl(0x0a000001), dst = htonl(0x0a000002), capid = htonl(2001);
    uint16_t sport = htons(5060), dport = htons(5060);
    uint32_t sec = htonl(1700000000), usec = 0;
    p = chunk(p, 1, &fam, 1);
    p = chunk(p, 2, &proto, 1);
    p = chunk(p, 3, &src, 4);
    p = chunk(p, 4, &dst, 4);
    p = chunk(p, 7, &sport, 2);
    p = chunk(p, 8, &dport, 2);
    p = chunk(p, 9, &sec, 4);
    p = chunk(p, 10, &usec, 4);
    p = chunk(p, 11, &ptype, 1);
    p = chunk(p, 12, &capid, 4);
    p = chunk(p, 15, sip, sizeof sip - 1);
    uint16_t total = htons((uint16_t)(p - pkt));
    memcpy(pkt, "HEP3", 4);
    memcpy(pkt + 4, &total, 2);
    size_t len = (size_t)(p - pkt);

    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    if (connect(fd, (struct sockaddr *)&to, sizeof to) != 0) {
        perror("connect");
        return 1;
    }
    struct iovec iov = {.iov_base = pkt, .iov_len = len};
    struct mmsghdr msgs[64];
    memset(msgs, 0, sizeof msgs);
    for (int i = 0; i < 64; i++) {
        msgs[i].msg_hdr.msg_iov = &iov;
        msgs[i].msg_hdr.msg_iovlen = 1;
    }
    unsigned long sent = 0, failed = 0;
    double start = now(), end = start + seconds;
    for (;;) {
        double t = now();
        if (t >= end) break;
        if (rate > 0 && sent >= (t - start) * rate) continue; /* pace */
        for (int i = 0; i < 64; i++) {                        /* check the clock every 64 sends */
            if (send(fd, pkt, len, 0) == (ssize_t)len)
                sent++;
            else
                failed++;
            if (rate > 0) break;
        }
    }
    double took = now() - start;
    printf("sent=%lu failed=%lu seconds=%.3f pps=%.0f\n", sent, failed, took, sent / took);
    close(fd);
    return 0;
}
