/* test_history.c -- the chat log in SQLite: batches, delivery states, search (index and tail) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testhelp.h"
#include "udpchat/history.h"

static char path[256];

static history *fresh(void)
{
    snprintf(path, sizeof path, "/tmp/udpchat-test-history-%d.db", (int)getpid());
    unlink(path);
    char why[300];
    history *h = history_open(path, why, sizeof why);
    if (!h) fprintf(stderr, "open: %s\n", why);
    return h;
}

static void done(history *h)
{
    history_close(h);
    char p[300];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
}

static int64_t add(history *h, const char *conv, const char *from, const char *text, int own)
{
    history_rec r = {0, 1796000000, "lan", conv, from, "", "", "public", own ? "sending" : "", text, own};
    return history_add(h, &r);
}

typedef struct seen {
    int n;
    char text[8][64];
    char state[8][16];
} seen;

static int collect(void *ctx, const history_rec *r)
{
    seen *s = ctx;
    if (s->n < 8) {
        snprintf(s->text[s->n], sizeof s->text[0], "%s", r->text);
        snprintf(s->state[s->n], sizeof s->state[0], "%s", r->state);
    }
    s->n++;
    return 0;
}

static seen search(history *h, const char *text, const char *conv, size_t limit)
{
    seen s = {0};
    history_query q = {.conv = conv, .search = text, .limit = limit};
    CHECK(history_find(h, &q, collect, &s) == s.n);
    return s;
}

static void test_batches_and_states(void)
{
    history *h = fresh();
    CHECK(h != NULL);
    int64_t id = add(h, "", "me", "first 你好", 1);
    CHECK(id > 0);
    CHECK(add(h, "bob", "bob", "private one", 0) > id);
    CHECK_EQ_INT(history_commit(h), 0);
    CHECK_EQ_INT(history_set_state(h, id, "delivered"), 0);
    CHECK_EQ_INT(history_commit(h), 0);
    seen s = search(h, NULL, "", 0);
    CHECK_EQ_INT(s.n, 1);
    CHECK(strcmp(s.text[0], "first 你好") == 0 && strcmp(s.state[0], "delivered") == 0);
    s = search(h, NULL, "bob", 0);
    CHECK_EQ_INT(s.n, 1);
    CHECK(strcmp(s.text[0], "private one") == 0);
    done(h);
}

/* 600 messages: the first 512 go to the index in one commit, the rest are found by the
 * scan of the tail; short searches scan everything; the newest `limit`, oldest first. */
static void test_search_index_and_tail(void)
{
    history *h = fresh();
    char text[64];
    for (int i = 0; i < 600; i++) {
        snprintf(text, sizeof text, "line %03d %s", i, i % 100 == 57 ? "周五发布会 Release" : "普通 text");
        add(h, "", "bob", text, 0);
        if (i == 511 || i == 599) CHECK_EQ_INT(history_commit(h), 0);
    }
    seen s = search(h, "周五发布", NULL, 0);
    CHECK_EQ_INT(s.n, 6); /* 57 ... 457 from the index, 557 from the tail (not indexed yet) */
    s = search(h, "RELEASE", NULL, 0);  /* ASCII in any case */
    CHECK_EQ_INT(s.n, 6);
    s = search(h, "周五", NULL, 0);      /* two characters: the scan */
    CHECK_EQ_INT(s.n, 6);
    s = search(h, "line 5", NULL, 3);   /* the newest three, oldest first */
    CHECK_EQ_INT(s.n, 3);
    CHECK(strncmp(s.text[0], "line 597", 8) == 0 && strncmp(s.text[2], "line 599", 8) == 0);
    s = search(h, "\"quoted\" 'and' %_ [x]", NULL, 0); /* hostile: no SQL, no FTS syntax */
    CHECK_EQ_INT(s.n, 0);
    done(h);
}

/* Pages of one conversation by id: the 3 before id X (the newest of them), the 3 after
 * (the oldest of them), both oldest first; other conversations never come. */
static void test_pages(void)
{
    history *h = fresh();
    char text[32];
    int64_t ids[20];
    for (int i = 0; i < 20; i++) {
        snprintf(text, sizeof text, "p%02d", i);
        ids[i] = add(h, "", "bob", text, 0);
        add(h, "carol", "carol", "elsewhere", 0);
    }
    CHECK_EQ_INT(history_commit(h), 0);
    seen s = {0};
    history_query q = {.conv = "", .limit = 3, .before = ids[10]};
    CHECK_EQ_INT(history_find(h, &q, collect, &s), 3);
    CHECK(strcmp(s.text[0], "p07") == 0 && strcmp(s.text[2], "p09") == 0);
    seen t = {0};
    history_query down = {.conv = "", .limit = 3, .after = ids[10]};
    CHECK_EQ_INT(history_find(h, &down, collect, &t), 3);
    CHECK(strcmp(t.text[0], "p11") == 0 && strcmp(t.text[2], "p13") == 0);
    seen u = {0};
    history_query first = {.conv = "", .limit = 3, .before = ids[2]}; /* the start: a short page */
    CHECK_EQ_INT(history_find(h, &first, collect, &u), 2);
    CHECK(strcmp(u.text[0], "p00") == 0);
    seen v = {0};
    history_query both = {.conv = "", .limit = 50, .before = ids[12], .after = ids[9]};
    CHECK_EQ_INT(history_find(h, &both, collect, &v), 2);
    CHECK(strcmp(v.text[0], "p10") == 0 && strcmp(v.text[1], "p11") == 0);
    done(h);
}

static void test_junk_file(void)
{
    snprintf(path, sizeof path, "/tmp/udpchat-test-history-junk-%d.db", (int)getpid());
    FILE *f = fopen(path, "wb");
    for (int i = 0; i < 1000; i++) fputs("not a database\xff\x00", f);
    fclose(f);
    char why[300] = "";
    history *h = history_open(path, why, sizeof why);
    CHECK(h == NULL);
    CHECK(strstr(why, "not a database") != NULL);
    unlink(path);
}

typedef struct lens {
    size_t text, sender;
} lens;

static int measure(void *ctx, const history_rec *r)
{
    lens *l = ctx;
    l->text = strlen(r->text), l->sender = strlen(r->sender);
    return 0;
}

/* A view's read (text_max) gets rows cut by SQLite: the text at text_max characters (Chinese
 * counted as characters), the names at HISTORY_NAME_MAX; without it, the row whole. */
static void test_text_max(void)
{
    history *h = fresh();
    size_t big = 1 << 20;
    char *text = malloc(3 * big + 1), *nick = malloc(1001);
    for (size_t i = 0; i < big; i++) memcpy(text + 3 * i, "中", 3);
    text[3 * big] = '\0';
    memset(nick, 'n', 1000), nick[1000] = '\0';
    add(h, "", nick, text, 0);
    CHECK_EQ_INT(history_commit(h), 0);
    lens l = {0};
    history_query cut = {.conv = "", .limit = 1, .text_max = 10};
    CHECK_EQ_INT(history_find(h, &cut, measure, &l), 1);
    CHECK_EQ_INT(l.text, 30);
    CHECK_EQ_INT(l.sender, HISTORY_NAME_MAX);
    history_query whole = {.conv = "", .limit = 1};
    CHECK_EQ_INT(history_find(h, &whole, measure, &l), 1);
    CHECK_EQ_INT(l.text, 3 * big);
    CHECK_EQ_INT(l.sender, 1000);
    free(text), free(nick);
    done(h);
}

int main(void)
{
    RUN(test_batches_and_states);
    RUN(test_search_index_and_tail);
    RUN(test_pages);
    RUN(test_text_max);
    RUN(test_junk_file);
    return th_finish();
}
