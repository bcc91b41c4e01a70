/* Log tailing, the pure part (modules/agent/agent_tail.c): line splitting
 * across reads, the 8 KiB cut, rotation and truncation decisions, and the
 * words a Call-ID is looked up by. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "agent_tail.h"
#include "check_run.h"

typedef struct got {
    char lines[16][AGENT_TAIL_LINE_MAX + 1];
    size_t len[16];
    int n;
} got_t;

static void on_line(void *ud, const char *line, size_t len)
{
    got_t *g = ud;
    ck_assert_int_lt(g->n, 16);
    memcpy(g->lines[g->n], line, len);
    g->lines[g->n][len] = '\0';
    g->len[g->n++] = len;
}

START_TEST(split_across_reads)
{
    static got_t g;
    memset(&g, 0, sizeof g);
    agent_lines_t l;
    agent_lines_init(&l);
    const char *in = "first line\r\nsec";
    agent_lines_feed(&l, in, strlen(in), on_line, &g);
    ck_assert_int_eq(g.n, 1);
    ck_assert_str_eq(g.lines[0], "first line"); /* CRLF stripped */
    agent_lines_feed(&l, "ond\n\n\nthird", 11, on_line, &g);
    ck_assert_int_eq(g.n, 2); /* empty lines skipped, "third" waits */
    ck_assert_str_eq(g.lines[1], "second");
    agent_lines_feed(&l, "\n", 1, on_line, &g);
    ck_assert_int_eq(g.n, 3);
    ck_assert_str_eq(g.lines[2], "third");
    agent_lines_feed(&l, "partial", 7, on_line, &g);
    agent_lines_reset(&l); /* the file was truncated: the partial line is gone */
    agent_lines_feed(&l, "new\n", 4, on_line, &g);
    ck_assert_int_eq(g.n, 4);
    ck_assert_str_eq(g.lines[3], "new");
}
END_TEST

START_TEST(long_line_cut)
{
    static got_t g;
    memset(&g, 0, sizeof g);
    agent_lines_t l;
    agent_lines_init(&l);
    size_t big = AGENT_TAIL_LINE_MAX * 3 + 5;
    char *data = malloc(big);
    memset(data, 'x', big);
    /* Fed in pieces, without a newline: memory stays at 8 KiB. */
    for (size_t o = 0; o < big; o += 1000)
        agent_lines_feed(&l, data + o, big - o < 1000 ? big - o : 1000, on_line, &g);
    ck_assert_int_eq(g.n, 1);
    ck_assert_uint_eq(g.len[0], AGENT_TAIL_LINE_MAX);
    ck_assert_uint_eq(l.cut, 1);
    agent_lines_feed(&l, "tail-of-long\nnext\n", 18, on_line, &g);
    ck_assert_int_eq(g.n, 2); /* the rest of the long line is skipped */
    ck_assert_str_eq(g.lines[1], "next");
    free(data);
}
END_TEST

START_TEST(rotation_decisions)
{
    /* Same inode, grown: read on. */
    ck_assert_int_eq(agent_tail_decide(10, 100, 150, true, 10), AGENT_TAIL_READ);
    ck_assert_int_eq(agent_tail_decide(10, 100, 100, true, 10), AGENT_TAIL_READ);
    /* Same inode, shorter than what we read: truncated (copytruncate). */
    ck_assert_int_eq(agent_tail_decide(10, 100, 20, true, 10), AGENT_TAIL_TRUNCATE);
    /* Another inode at the path: rotated (rename + create). */
    ck_assert_int_eq(agent_tail_decide(10, 100, 100, true, 11), AGENT_TAIL_REOPEN);
    /* Nothing open yet and the file appeared. */
    ck_assert_int_eq(agent_tail_decide(0, 0, 0, true, 11), AGENT_TAIL_REOPEN);
    /* Renamed away, nothing new yet. */
    ck_assert_int_eq(agent_tail_decide(10, 100, 100, false, 0), AGENT_TAIL_GONE);
}
END_TEST

typedef struct toks {
    char t[8][64];
    int n;
} toks_t;

static bool on_tok(void *ud, const char *tok, size_t len)
{
    toks_t *t = ud;
    if (t->n == 8) return false;
    memcpy(t->t[t->n], tok, len);
    t->t[t->n++][len] = '\0';
    return true;
}

START_TEST(call_id_words)
{
    toks_t t = {0};
    const char *line = "NOTICE[123] chan_sip.c: ci=abc@10.0.0.1;x <def-1> 'g h'";
    agent_line_tokens(line, strlen(line), on_tok, &t);
    ck_assert_int_eq(t.n, 8);
    ck_assert_str_eq(t.t[0], "NOTICE");
    ck_assert_str_eq(t.t[1], "123");
    ck_assert_str_eq(t.t[2], "chan_sip.c:");
    ck_assert_str_eq(t.t[3], "ci");
    ck_assert_str_eq(t.t[4], "abc@10.0.0.1");
    ck_assert_str_eq(t.t[5], "x");
    ck_assert_str_eq(t.t[6], "def-1");
    ck_assert_str_eq(t.t[7], "g");
    memset(&t, 0, sizeof t);
    agent_line_tokens("  ==  ", 6, on_tok, &t);
    ck_assert_int_eq(t.n, 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("agent_tail");
    TCase *tc = tcase_create("agent_tail");
    tcase_add_test(tc, split_across_reads);
    tcase_add_test(tc, long_line_cut);
    tcase_add_test(tc, rotation_decisions);
    tcase_add_test(tc, call_id_words);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
