/* Running the real binary from tests: argv in, exit status and both output
 * streams out, with a timeout so a hang fails the test instead of CI. */
#ifndef SNB_RUN_UTIL_H
#define SNB_RUN_UTIL_H

#include <jansson.h>
#include <stddef.h>
#include <sys/types.h>

typedef struct run_result {
    int status; /* exit code, or 128+signal, or -1 on timeout */
    char *out;  /* stdout, NUL-terminated */
    char *err;  /* stderr, NUL-terminated */
} run_result_t;

/* argv is NULL-terminated; argv[0] is a path. */
run_result_t run_cmd(char *const argv[], int timeout_s);
void run_free(run_result_t *r);

/* Start in the background with stdout/stderr to files; returns the pid. */
pid_t run_bg(char *const argv[], const char *out_path, const char *err_path);
/* Wait up to timeout_s for pid; returns the exit status as run_cmd does. */
int run_wait(pid_t pid, int timeout_s);

/* Poll the file at path (e.g. a background sipnab's stderr) until it
 * contains needle: 1, or 0 after `seconds`. */
int wait_for_text(const char *path, const char *needle, int seconds);

/* A TCP port on 127.0.0.1 that nothing listens on now (the kernel's pick),
 * so tests running at the same time from several build trees do not meet. */
int free_tcp_port(void);
/* A socket (SOCK_STREAM or SOCK_DGRAM) bound to 127.0.0.1 on a port the
 * kernel picked, kept open so the port stays taken; its port in *port.
 * -1 when that fails. */
int bind_loopback(int type, int *port);
int free_udp_port(void); /* likewise, for a UDP port */

/* Path of the sipnab binary and data files. */
const char *sipnab_bin(void);
char *data_path(const char *name); /* malloc'd */
char *read_file(const char *path); /* malloc'd, NULL if unreadable */
int write_file(const char *path, const void *data, size_t len);

/* Call fn(name, stem) for every .pcap/.pcapng in tests/data (not its
 * subfolders), adding up what fn returns (its mismatches); *count gets the
 * number of captures. stem is the name without its extension. */
int foreach_capture(int (*fn)(const char *name, const char *stem), int *count);

/* Run `sipnab -c /dev/null -I file --stats --json [extra...]` and parse the
 * last stdout line as JSON; NULL if it did not run or parse. */
json_t *sipnab_stats(const char *capture, char *const extra[], run_result_t *res_out);
long long json_int(json_t *obj, const char *key);

/* Oracle helpers that run tshark or read sipnab's JSON (oracle_tshark.c;
 * the reader is in oracle.h). */
typedef struct oracle oracle_t;
/* Run Debian's tshark on a capture made by a test and read its io,phs. */
oracle_t *oracle_from_tshark(const char *capture);
/* Compare `sipnab --stats --json` output with the oracle: frames and every
 * protocol Wireshark names; prints each mismatch, returns their number. */
int oracle_compare_stats(const oracle_t *o, json_t *stats, const char *label);

#endif
