/* Giving up root after the capture handles are open ([core] user, -Z). */
#ifndef SNB_PRIVILEGES_H
#define SNB_PRIVILEGES_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

typedef struct snb_identity {
    bool set; /* false: no user configured, nothing to do */
    uid_t uid;
    gid_t gid;
    char name[64];
} snb_identity_t;

/* Resolve [core] user at configuration time, so -t and startup report a
 * missing user as a configuration error. NULL or "" leaves out->set false.
 * Returns 0, or -1 with why ("no such user 'x'"). */
int snb_privileges_lookup(const char *user, snb_identity_t *out, char *why, size_t whylen);

/* Become id (root only; otherwise say why not and go on), keeping only
 * CAP_NET_RAW and CAP_NET_ADMIN, with no_new_privs. `what` says what
 * happened, for the log. Returns 0, or -1 when a step failed half way (the
 * caller must stop: we are neither root nor the user). */
int snb_privileges_drop(const snb_identity_t *id, char *what, size_t whatlen);

/* Forget the ambient capabilities we were started with, so that the
 * programs we start do not inherit them. */
void snb_privileges_clear_ambient(void);

#endif
