/* A TLS connection's state machine (see tls_session.h). */
#include <stdlib.h>
#include <string.h>

#include "tls_aead.h"
#include "tls_handshake.h"
#include "tls_session.h"

/* A direction whose records keep failing has the wrong keys (or is not
 * what we think): stop spending work on it. */
#define MAX_FAILS 16

enum { DIR_CLIENT = 0, DIR_SERVER = 1 };

typedef enum phase {
    PH_CLEAR,       /* hellos, 1.2's certificate and key exchange */
    PH_ENCRYPTED12, /* 1.2 after ChangeCipherSpec */
    PH_HANDSHAKE13, /* 1.3 handshake traffic keys */
    PH_APP13,       /* 1.3 application traffic keys */
    PH_LOST,        /* not followed any more */
} phase_t;

typedef struct dir {
    tls_reasm_t rec;
    tls_hs_collector_t hs;
    phase_t phase;
    tls_cipher_t cipher;
    bool keyed;       /* cipher holds this phase's keys */
    uint64_t records; /* protected records seen in this phase (late keys: the sequence) */
    uint32_t fails;   /* consecutive records that did not authenticate */
    bool switch_app;  /* 1.3: Finished seen, application keys from the next record */
    bool key_update;  /* 1.3: KeyUpdate seen, next secret from the next record */
    uint8_t secret[TLS_MAX_SECRET]; /* 1.3: the current application traffic secret */
} dir_t;

struct tls_session {
    int client_side;
    bool have_client_random, have_server_hello, unsupported;
    bool keys_found, any_failed, any_decrypted;
    uint8_t client_random[TLS_RANDOM_LEN], server_random[TLS_RANDOM_LEN];
    uint16_t version;
    const tls_suite_t *suite;
    dir_t dir[2];
    /* during a call */
    const tls_env_t *env;
    int cur;
};

tls_session_t *tls_session_new(int client_side)
{
    tls_session_t *s = calloc(1, sizeof *s);
    if (s) s->client_side = client_side;
    return s;
}

static bool tls13(const tls_session_t *s)
{
    return s->version == 0x0304;
}

static int side_of(const tls_session_t *s, int d)
{
    return d == DIR_CLIENT ? s->client_side : 1 - s->client_side;
}

static void enter(dir_t *d, phase_t ph)
{
    d->phase = ph;
    d->keyed = false;
    d->records = 0;
    d->fails = 0;
    d->hs.len = 0;
}

/* ---- handshake messages ---- */

static void on_server_hello(tls_session_t *s, const tls_hello_t *h)
{
    if (h->retry) return; /* HelloRetryRequest: the real ServerHello follows */
    s->have_server_hello = true;
    memcpy(s->server_random, h->random, TLS_RANDOM_LEN);
    s->version = h->version;
    s->suite = tls_suite_find(h->suite);
    if (h->version == 0x0304)
        s->env->stats->handshakes_13++;
    else
        s->env->stats->handshakes_12++;
    if ((h->version != 0x0303 && h->version != 0x0304) || !s->suite ||
        s->suite->tls13 != tls13(s)) {
        s->unsupported = true;
        s->env->stats->unsupported++;
        enter(&s->dir[DIR_CLIENT], PH_LOST);
        enter(&s->dir[DIR_SERVER], PH_LOST);
        return;
    }
    if (tls13(s)) enter(&s->dir[DIR_SERVER], PH_HANDSHAKE13);
}

static void on_hs_message(void *ud, uint8_t type, const uint8_t *body, size_t len)
{
    tls_session_t *s = ud;
    dir_t *d = &s->dir[s->cur];
    tls_hello_t h;
    if (d->phase == PH_CLEAR) {
        if (s->cur == DIR_CLIENT && type == TLS_HS_CLIENT_HELLO &&
            tls_parse_client_hello(body, len, &h)) {
            memcpy(s->client_random, h.random, TLS_RANDOM_LEN);
            s->have_client_random = true;
        } else if (s->cur == DIR_SERVER && type == TLS_HS_SERVER_HELLO && !s->have_server_hello &&
                   tls_parse_server_hello(body, len, &h)) {
            on_server_hello(s, &h);
        }
    } else if (d->phase == PH_HANDSHAKE13 && type == TLS_HS_FINISHED) {
        d->switch_app = true;
    } else if (d->phase == PH_APP13 && type == TLS_HS_KEY_UPDATE) {
        d->key_update = true;
    }
}

/* ---- keys ---- */

static const uint8_t *logged(const tls_secrets_t *sec, enum tls_secret_kind k, size_t len)
{
    return sec && sec->len[k] == len ? sec->secret[k] : NULL;
}

/* Key the direction's cipher for its phase, if the log has the secret. */
static bool key_dir(tls_session_t *s, dir_t *d, int which)
{
    if (d->keyed) return true;
    if (!s->have_client_random || !s->env->keylog) return false;
    const tls_secrets_t *sec = tls_keylog_find(s->env->keylog, s->client_random);
    tls_keys_t keys[2];
    size_t hl = tls_hash_len(s->suite->hash);
    const uint8_t *secret;
    int rc = -1;
    if (d->phase == PH_ENCRYPTED12) {
        if (!(secret = logged(sec, TLS_SECRET_MASTER, TLS_MASTER_LEN))) return false;
        rc = tls12_keys(s->suite, secret, s->client_random, s->server_random, &keys[0], &keys[1]);
        keys[0] = keys[which];
    } else if (d->phase == PH_HANDSHAKE13) {
        secret = logged(
            sec, which == DIR_CLIENT ? TLS_SECRET_CLIENT_HANDSHAKE : TLS_SECRET_SERVER_HANDSHAKE,
            hl);
        if (!secret) return false;
        rc = tls13_keys(s->suite, secret, &keys[0]);
    } else if (d->phase == PH_APP13) {
        secret = logged(
            sec, which == DIR_CLIENT ? TLS_SECRET_CLIENT_TRAFFIC : TLS_SECRET_SERVER_TRAFFIC, hl);
        if (!secret) return false;
        memcpy(d->secret, secret, hl);
        rc = tls13_keys(s->suite, d->secret, &keys[0]);
    }
    if (rc || tls_cipher_init(&d->cipher, s->suite, tls13(s), &keys[0])) return false;
    d->cipher.seq = d->records; /* records that went by before the keys were known */
    d->keyed = true;
    s->keys_found = true;
    return true;
}

/* The next application traffic secret (KeyUpdate). */
static void update_keys(tls_session_t *s, dir_t *d)
{
    tls_keys_t keys;
    if (tls13_update_secret(s->suite, d->secret) || tls13_keys(s->suite, d->secret, &keys) ||
        tls_cipher_init(&d->cipher, s->suite, true, &keys)) {
        enter(d, PH_LOST);
        return;
    }
    d->records = 0;
    s->env->stats->key_updates++;
}

/* ---- records ---- */

/* Open a protected record into env->scratch. 1: opened; 0: no keys; -1:
 * did not authenticate. */
static int open_record(tls_session_t *s, dir_t *d, const tls_record_t *rec, size_t *n)
{
    if (!key_dir(s, d, s->cur)) {
        d->records++;
        s->env->stats->records_no_keys++;
        return 0;
    }
    d->records++;
    if (tls_cipher_open(&d->cipher, rec->hdr, rec->body, rec->len, s->env->scratch, n) == 0) {
        d->fails = 0;
        s->any_decrypted = true;
        s->env->stats->records_decrypted++;
        return 1;
    }
    return -1;
}

static void failed(tls_session_t *s, dir_t *d)
{
    s->any_failed = true;
    s->env->stats->records_failed++;
    if (++d->fails >= MAX_FAILS) enter(d, PH_LOST);
}

static void deliver(tls_session_t *s, const uint8_t *p, size_t n)
{
    if (!n) return;
    s->env->stats->plaintext_bytes += n;
    s->env->cb(s->env->ud, side_of(s, s->cur), p, n);
}

/* TLS 1.3 inner plaintext: content, then its type, then zero padding. */
static void inner13(tls_session_t *s, dir_t *d, size_t n)
{
    const uint8_t *p = s->env->scratch;
    while (n && !p[n - 1])
        n--;
    if (!n) return; /* all padding: not allowed, nothing to do */
    uint8_t type = p[--n];
    if (type == TLS_CT_APPLICATION_DATA)
        deliver(s, p, n);
    else if (type == TLS_CT_HANDSHAKE)
        tls_hs_feed(&d->hs, p, n, on_hs_message, s);
}

/* An application-phase record opened into scratch: its content, then the
 * next traffic secret if it held a KeyUpdate. */
static void app13_opened(tls_session_t *s, dir_t *d, size_t n)
{
    inner13(s, d, n);
    if (d->key_update) {
        d->key_update = false;
        update_keys(s, d);
    }
}

/* Open a record with the application keys as if it were the first, or,
 * when records went by without keys (`seen` of them, some of which may
 * already have been application data), as any of the next ones. */
static bool open_as_application(tls_session_t *s, dir_t *d, const tls_record_t *rec, uint64_t seen,
                                size_t *n)
{
    uint64_t last = seen < MAX_FAILS ? seen : MAX_FAILS;
    for (uint64_t seq = 0; seq <= last; seq++) {
        d->cipher.seq = seq;
        if (tls_cipher_open(&d->cipher, rec->hdr, rec->body, rec->len, s->env->scratch, n) == 0) {
            d->records = seq + 1;
            return true;
        }
    }
    return false;
}

/* A 1.3 handshake-phase record; without the handshake secrets (or with
 * wrong ones, or keys that came after the handshake) the record may
 * already be application data, which the application secret tells. */
static void handshake13_record(tls_session_t *s, dir_t *d, const tls_record_t *rec)
{
    size_t n;
    uint64_t seen = d->records;
    uint32_t fails = d->fails;
    int rc = open_record(s, d, rec, &n);
    if (rc == 1) {
        inner13(s, d, n);
        if (d->switch_app) {
            d->switch_app = false;
            enter(d, PH_APP13);
        }
        return;
    }
    enter(d, PH_APP13);
    bool tried = key_dir(s, d, s->cur);
    if (tried && open_as_application(s, d, rec, seen, &n)) {
        d->fails = 0;
        s->any_decrypted = true;
        s->env->stats->records_decrypted++;
        app13_opened(s, d, n);
        return;
    }
    /* Still the handshake: back to its keys, one record further. A trial
     * that fails is no failure without handshake keys, but it costs a key
     * derivation: it is not made for ever (MAX_FAILS records). */
    enter(d, PH_HANDSHAKE13);
    d->records = seen + 1;
    d->fails = fails;
    if (rc == -1) {
        failed(s, d);
    } else if (tried) {
        s->any_failed = true; /* keys, and nothing they open: the outcome says so */
        if (++d->fails >= MAX_FAILS) enter(d, PH_LOST);
    }
}

static void app13_record(tls_session_t *s, dir_t *d, const tls_record_t *rec)
{
    size_t n;
    int rc = open_record(s, d, rec, &n);
    if (rc == 1)
        app13_opened(s, d, n);
    else if (rc == -1) {
        failed(s, d);
    }
}

static bool on_record(void *ud, const tls_record_t *rec)
{
    tls_session_t *s = ud;
    dir_t *d = &s->dir[s->cur];
    size_t n;
    switch (d->phase) {
    case PH_CLEAR:
        if (rec->type == TLS_CT_HANDSHAKE) {
            tls_hs_feed(&d->hs, rec->body, rec->len, on_hs_message, s);
        } else if (rec->type == TLS_CT_CHANGE_CIPHER_SPEC && s->have_server_hello && !tls13(s)) {
            enter(d, PH_ENCRYPTED12);
        } else if (rec->type == TLS_CT_APPLICATION_DATA && s->have_server_hello && tls13(s)) {
            enter(d, PH_HANDSHAKE13); /* the client's protected handshake begins */
            handshake13_record(s, d, rec);
        } else if (rec->type == TLS_CT_APPLICATION_DATA) {
            s->env->stats->records_skipped++; /* early data, or no handshake seen */
        }
        break;
    case PH_ENCRYPTED12: {
        int rc = open_record(s, d, rec, &n);
        if (rc == 1 && rec->type == TLS_CT_APPLICATION_DATA)
            deliver(s, s->env->scratch, n);
        else if (rc == -1)
            failed(s, d);
        break;
    }
    case PH_HANDSHAKE13:
        if (rec->type == TLS_CT_APPLICATION_DATA) handshake13_record(s, d, rec);
        break; /* middlebox ChangeCipherSpec, cleartext alerts */
    case PH_APP13:
        if (rec->type == TLS_CT_APPLICATION_DATA) app13_record(s, d, rec);
        break;
    case PH_LOST:
        s->env->stats->records_skipped++;
        return false;
    }
    return d->phase != PH_LOST;
}

void tls_session_data(tls_session_t *s, const tls_env_t *env, int side, const uint8_t *data,
                      size_t n)
{
    s->env = env;
    s->cur = side == s->client_side ? DIR_CLIENT : DIR_SERVER;
    dir_t *d = &s->dir[s->cur];
    if (d->phase == PH_LOST) return;
    int rc = tls_reasm_feed(&d->rec, env->budget, data, n, on_record, s);
    if (rc == TLS_REASM_NOT_TLS) env->stats->not_tls++;
    if (rc == TLS_REASM_NO_ROOM) env->stats->no_room++;
    if (rc != TLS_REASM_OK || d->phase == PH_LOST) {
        enter(d, PH_LOST);
        tls_reasm_reset(&d->rec, env->budget);
        tls_hs_reset(&d->hs);
    }
}

void tls_session_gap(tls_session_t *s, const tls_env_t *env, int side)
{
    dir_t *d = &s->dir[side == s->client_side ? DIR_CLIENT : DIR_SERVER];
    if (d->phase == PH_LOST) return;
    env->stats->gaps++;
    enter(d, PH_LOST);
    tls_reasm_reset(&d->rec, env->budget);
    tls_hs_reset(&d->hs);
}

tls_outcome_t tls_session_outcome(const tls_session_t *s)
{
    if (s->unsupported) return TLS_OUTCOME_UNSUPPORTED;
    if (!s->have_server_hello) return TLS_OUTCOME_NO_HELLO;
    if (s->any_decrypted) return TLS_OUTCOME_DECRYPTED;
    if (s->any_failed) return TLS_OUTCOME_FAILED;
    return s->keys_found ? TLS_OUTCOME_HANDSHAKE : TLS_OUTCOME_NO_KEYS;
}

uint16_t tls_session_version(const tls_session_t *s)
{
    return s->have_server_hello ? s->version : 0;
}

size_t tls_session_buffered(const tls_session_t *s)
{
    size_t n = 0;
    for (int i = 0; i < 2; i++)
        n += s->dir[i].rec.cap + s->dir[i].hs.cap;
    return n;
}

void tls_session_free(tls_session_t *s, const tls_env_t *env)
{
    if (!s) return;
    for (int i = 0; i < 2; i++) {
        tls_reasm_reset(&s->dir[i].rec, env ? env->budget : NULL);
        tls_hs_reset(&s->dir[i].hs);
        tls_cipher_free(&s->dir[i].cipher);
    }
    free(s);
}
