/* The check_decode_* tests' harness: one decoder feeding a collector, with
 * setup/teardown for Check fixtures and a feed that copies each frame to
 * the heap so ASan sees any read past caplen. Header-only: each test binary
 * gets its own state. */
#ifndef SNB_DECODE_HARNESS_H
#define SNB_DECODE_HARNESS_H

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "decoder.h"
#include "support.h"

static snb_decode_stats_t st;
static snb_collect_t col;
static snb_decoder_t *dec;
static snb_decode_limits_t lim;

static void setup_lim(const snb_decode_limits_t *l)
{
    memset(&st, 0, sizeof(st));
    snb_collect_reset(&col);
    snb_decoder_free(dec);
    lim = *l;
    dec = snb_decoder_new(&lim, &st, snb_collect_cb, &col);
    ck_assert_ptr_nonnull(dec);
}

static void setup(void)
{
    snb_decode_limits_t l = SNB_DECODE_LIMITS_DEFAULT;
    setup_lim(&l); /* also frees the previous decoder when a test restarts */
}

static void teardown(void)
{
    snb_decoder_free(dec);
    dec = NULL;
    snb_collect_reset(&col);
}

/* Feed a private heap copy so ASan sees any read past caplen. */
static void feed_at(int linktype, const uint8_t *p, size_t len, uint64_t ts)
{
    uint8_t *copy = malloc(len ? len : 1);
    ck_assert_ptr_nonnull(copy);
    memcpy(copy, p, len);
    snb_frame_t f = {.ts_us = ts,
                     .caplen = (uint32_t)len,
                     .wirelen = (uint32_t)len,
                     .linktype = linktype,
                     .data = copy};
    snb_decoder_feed(dec, &f);
    free(copy);
}

/* A built frame at a fixed capture time. */
static inline void feed(int linktype, const snb_tb_t *b)
{
    feed_at(linktype, b->p, b->len, 1000000);
}

#endif
