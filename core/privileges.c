/* The capture process gives up root once its capture handles and sockets are
 * open (the tcpdump -Z habit): it becomes [core] user, keeps only
 * CAP_NET_RAW and CAP_NET_ADMIN (so a SIGHUP reload can still open an
 * interface), empties its capability bounding set of everything else and
 * sets no_new_privs, so nothing it starts later (the API process, exec hooks)
 * can become root again.
 *
 * Capabilities and keep-caps are per thread in Linux; setuid, setgid and
 * setgroups are applied to every thread by glibc. So this runs on the loop
 * thread, which starts every later child and capture thread: the capture
 * threads already running lose all their capabilities with the uid change,
 * which they no longer need (their handles are open). */
#include <errno.h>
#include <stdint.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core_internal.h"
#include "privileges.h"

#define KEPT_CAPS ((UINT64_C(1) << CAP_NET_RAW) | (UINT64_C(1) << CAP_NET_ADMIN))

int snb_privileges_lookup(const char *user, snb_identity_t *out, char *why, size_t whylen)
{
    memset(out, 0, sizeof *out);
    if (!user || !*user) return 0;
    errno = 0;
    const struct passwd *pw = getpwnam(user);
    if (!pw) {
        snprintf(why, whylen, "no such user '%s'", user);
        return -1;
    }
    if (pw->pw_uid == 0) {
        snprintf(why, whylen, "'%s' is root: name an unprivileged user", user);
        return -1;
    }
    out->set = true;
    out->uid = pw->pw_uid;
    out->gid = pw->pw_gid;
    snprintf(out->name, sizeof out->name, "%s", user);
    return 0;
}

void snb_privileges_clear_ambient(void)
{
    /* Capabilities handed to us by systemd (AmbientCapabilities=) are for
     * us, not for the programs we start. Not an error on old kernels. */
    (void)prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
}

static int set_caps(uint64_t caps)
{
    struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct data[2] = {
        {.effective = (uint32_t)caps, .permitted = (uint32_t)caps},
        {.effective = (uint32_t)(caps >> 32), .permitted = (uint32_t)(caps >> 32)}};
    return (int)syscall(SYS_capset, &hdr, data);
}

static int drop_bounding_set(void)
{
    for (int cap = 0; cap <= CAP_LAST_CAP; cap++) {
        if ((KEPT_CAPS >> cap) & 1) continue; /* caps go past bit 31 */
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL) return -1;
    }
    return 0;
}

int snb_privileges_drop(const snb_identity_t *id, char *what, size_t whatlen)
{
    if (!id->set) return 0;
    if (geteuid() != 0) {
        if (geteuid() == id->uid) {
            snprintf(what, whatlen, "running as %s already", id->name);
            return 0;
        }
        snprintf(what, whatlen, "not root, so staying uid %u (cannot become %s)",
                 (unsigned)geteuid(), id->name);
        return 0;
    }
    const char *step = "keep capabilities";
    gid_t groups[1] = {id->gid};
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) goto fail;
    step = "drop the capability bounding set";
    if (drop_bounding_set() != 0) goto fail;
    step = "setgroups";
    if (setgroups(1, groups) != 0) goto fail;
    step = "setresgid";
    if (setresgid(id->gid, id->gid, id->gid) != 0) goto fail;
    step = "setresuid";
    if (setresuid(id->uid, id->uid, id->uid) != 0) goto fail;
    step = "capset";
    if (set_caps(KEPT_CAPS) != 0) goto fail;
    (void)prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
    step = "no_new_privs";
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) goto fail;
    /* Belt and braces: the way back must be closed. */
    if (setresuid(0, 0, 0) == 0 || geteuid() == 0) {
        snprintf(what, whatlen, "could become root again after switching to %s", id->name);
        return -1;
    }
    snprintf(what, whatlen,
             "running as %s (uid %u, gid %u) with CAP_NET_RAW and CAP_NET_ADMIN only", id->name,
             (unsigned)id->uid, (unsigned)id->gid);
    return 0;
fail:
    snprintf(what, whatlen, "cannot switch to user %s: %s: %s", id->name, step, strerror(errno));
    return -1;
}
