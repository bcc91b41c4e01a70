/* "host:port" text to a socket address, for every listener and sender
 * (HEP, the API). Part of the snb_util static library. */
#ifndef SIPNAB_SOCKADDR_H
#define SIPNAB_SOCKADDR_H

#include <stdbool.h>
#include <sys/socket.h>

/* "10.0.0.50:9060", "[::1]:8080", ":8080" or "8080" (the host defaults to
 * default_host). Numeric addresses only: no DNS at startup. 0, or -1. */
int snb_sockaddr_parse(const char *text, const char *default_host, struct sockaddr_storage *out,
                       socklen_t *len);
/* Loopback (127.0.0.0/8, ::1, or IPv4-mapped loopback). */
bool snb_sockaddr_is_loopback(const struct sockaddr_storage *sa);

#endif
