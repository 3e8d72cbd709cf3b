/* test_gui_convs.c -- the window's conversations without a display: roster entries, unread badges, where lines go, bounds */
#include "testhelp.h"
#include "gui_convs.h"
#include "gui_pages.h"
#include "udpchat/utf8.h"
#include "udpchat/mem.h"
#include "udpchat/wire.h"

static const model_msg *apply(model *m, chat_event_type t, const char *from, const char *to, const char *text, int flags)
{
    chat_event ev = {0};
    ev.type = t;
    ev.flags = flags;
    ev.from = (char *)from;
    ev.to = (char *)to;
    ev.text = (char *)text;
    return model_apply(m, &ev);
}

static size_t shown(const gui_convs *c)
{
    size_t n = 0;
    for (size_t i = 0; i < model_msg_count(c->m); i++) n += convs_shows(c, model_msg_at(c->m, i));
    return n;
}

static void test_roster_and_unread(void)
{
    model *m = model_create("alice");
    gui_convs c;
    convs_init(&c, m, 0, "(everyone)");
    apply(m, EV_JOIN, "bob", NULL, NULL, 0);
    apply(m, EV_JOIN, "alice", NULL, NULL, 0); /* ourselves: not listed */
    apply(m, EV_JOIN, "carol", NULL, NULL, 0);
    convs_open(&c, "");
    convs_note(&c);
    convs_list(&c);
    CHECK_EQ_INT(c.nlist, 3);
    CHECK(strcmp(c.list[0].label, "(everyone)") == 0 && c.list[0].conv == 0);
    CHECK(strcmp(c.list[1].label, "bob") == 0 && c.list[1].conv != 0 && c.list[2].conv != c.list[1].conv);
    apply(m, EV_MESSAGE, "bob", "alice", "psst", CHAT_PRIVATE);
    apply(m, EV_MESSAGE, "bob", "alice", "psst again", CHAT_PRIVATE);
    apply(m, EV_MESSAGE, "carol", NULL, "hi all", 0);
    convs_note(&c);
    convs_read(&c); /* "" is open and seen */
    convs_list(&c);
    CHECK_EQ_INT(c.list[0].unread, 0);
    CHECK_EQ_INT(c.list[1].unread, 2); /* bob's badge */
    CHECK_EQ_INT(c.list[2].unread, 0);
    CHECK_EQ_INT(convs_unread_total(&c), 2);
    CHECK_EQ_INT(shown(&c), 1 + 3); /* carol's line and the three joins */
    convs_open(&c, "bob");
    CHECK_EQ_INT(convs_entry_of(&c, c.open), 1);
    convs_read(&c); /* opened: cleared */
    convs_list(&c);
    CHECK_EQ_INT(c.list[1].unread, 0);
    CHECK_EQ_INT(convs_unread_total(&c), 0);
    CHECK_EQ_INT(shown(&c), 2 + 1); /* bob's two lines and his join */
    convs_free(&c);
    model_destroy(m);
}

static void test_system_lines_follow_the_open_one(void)
{
    model *m = model_create("alice");
    gui_convs c;
    convs_init(&c, m, 0, "(everyone)");
    apply(m, EV_JOIN, "bob", NULL, NULL, 0);
    convs_open(&c, "bob");
    apply(m, EV_ERROR, NULL, NULL, "no such offer", 0); /* said while bob's was open */
    convs_note(&c);
    const model_msg *err = model_msg_at(m, model_msg_count(m) - 1);
    CHECK(convs_shows(&c, err));
    convs_open(&c, "");
    CHECK(!convs_shows(&c, err));
    apply(m, EV_LEAVE, "bob", NULL, NULL, 0);
    convs_note(&c);
    convs_list(&c); /* bob is gone; his conversation had nothing: not listed */
    CHECK_EQ_INT(c.nlist, 1);
    apply(m, EV_MESSAGE, "dave", "alice", "from someone not listed", CHAT_PRIVATE);
    convs_note(&c);
    convs_list(&c);
    CHECK_EQ_INT(c.nlist, 2);
    CHECK(strcmp(c.list[1].label, "dave (left)") == 0 && c.list[1].unread == 1);
    convs_free(&c);
    model_destroy(m);
}

static void test_offers_count_and_follow_their_peer(void)
{
    model *m = model_create("bob");
    gui_convs c;
    convs_init(&c, m, 0, "(everyone)");
    apply(m, EV_JOIN, "alice", NULL, NULL, 0);
    convs_open(&c, "");
    chat_event o = {0};
    o.type = EV_FILE_OFFER;
    o.from = "alice";
    o.files = "1234\t1\n7\t100\t5\t1\tok\t报告.pdf\n";
    model_apply(m, &o);
    convs_note(&c);
    convs_note(&c); /* placed once */
    CHECK_EQ_INT(c.nfiles, 1);
    CHECK(c.files[0].is_offer && c.files[0].key == 1 && c.files[0].conv == model_conv_find(m, "alice"));
    convs_read(&c);
    convs_list(&c);
    CHECK_EQ_INT(c.list[1].unread, 1); /* alice's offer, not yet seen */
    convs_open(&c, "alice");
    convs_read(&c);
    convs_list(&c);
    CHECK_EQ_INT(c.list[1].unread, 0);
    chat_event t = {0};
    t.type = EV_TRANSFER;
    t.id = 4, t.reason = TRANSFER_PROGRESS, t.from = "alice", t.text = "报告.pdf", t.bytes = 50, t.size = 100;
    model_apply(m, &t);
    convs_note(&c);
    CHECK_EQ_INT(c.nfiles, 2);
    CHECK(!c.files[1].is_offer && c.files[1].key == 4 && c.files[1].conv == c.open);
    convs_free(&c);
    model_destroy(m);
}

/* Our offer (EV_FILE_SHARED) and its refusal are lines of the peer's conversation, whichever
 * was open when they came. */
static void test_own_offer_in_peer_conversation(void)
{
    model *m = model_create("bob");
    gui_convs c;
    convs_init(&c, m, 0, "(everyone)");
    apply(m, EV_JOIN, "carol", NULL, NULL, 0);
    convs_open(&c, ""); /* typed /send carol ... from (everyone) */
    const model_msg *sh = apply(m, EV_FILE_SHARED, "carol", NULL, "a.txt, photos/", 0);
    convs_note(&c);
    CHECK(sh && sh->kind == MSG_KIND_SYSTEM && sh->conv == model_conv_find(m, "carol"));
    CHECK(!convs_shows(&c, sh));
    convs_open(&c, "carol");
    CHECK(convs_shows(&c, sh));
    const model_msg *rel = apply(m, EV_FILE_RELEASED, "carol", NULL, "1003", 0);
    convs_open(&c, "");
    convs_note(&c);
    CHECK(rel && !convs_shows(&c, rel));
    convs_open(&c, "carol");
    CHECK(convs_shows(&c, rel));
    CHECK_EQ_INT(model_conv_at(m, sh->conv)->unread, 0); /* our own doing: nothing unread */
    convs_free(&c);
    model_destroy(m);
}

static int64_t fake_msg_row(const void *ctx, uint64_t seq) { (void)ctx; return seq == 3 ? 30 : seq == 4 ? 40 : 0; }
static int64_t fake_offer_row(const void *ctx, unsigned number) { return number == 1 ? *(const int64_t *)ctx : 0; }

/* The log's edge in a conversation: the smallest row of its live lines, file offers included
 * (an offer that came first must not be read back from the log as well). */
static void test_log_edge_offers(void)
{
    model *m = model_create("bob");
    gui_convs c;
    convs_init(&c, m, 0, "(everyone)");
    int64_t offer_row = 25;
    convs_rows rows = {fake_msg_row, fake_offer_row, &offer_row};
    apply(m, EV_JOIN, "alice", NULL, NULL, 0);                           /* seq 1: no row */
    apply(m, EV_MESSAGE, NULL, NULL, "public", 0);                       /* seq 2: not recorded */
    convs_open(&c, "alice");
    CHECK(convs_log_edge(&c, &rows) == 0);
    chat_event o = {0};
    o.type = EV_FILE_OFFER, o.from = "alice", o.files = "1234\t1\n7\t100\t5\t1\tok\tx.pdf\n";
    model_apply(m, &o);                                                  /* offer 1: row 25 */
    convs_note(&c);
    CHECK(convs_log_edge(&c, &rows) == 25);
    apply(m, EV_MESSAGE, "alice", "bob", "private", CHAT_PRIVATE);       /* seq 3: row 30 */
    apply(m, EV_MESSAGE, "alice", "bob", "private 2", CHAT_PRIVATE);     /* seq 4: row 40 */
    CHECK(convs_log_edge(&c, &rows) == 25);
    offer_row = 0;                                                       /* not recorded */
    CHECK(convs_log_edge(&c, &rows) == 30);
    offer_row = 35;
    CHECK(convs_log_edge(&c, &rows) == 30);
    convs_open(&c, "");                                                  /* the offer is alice's */
    CHECK(convs_log_edge(&c, &rows) == 0);
    convs_free(&c);
    model_destroy(m);
}

static void test_results_bounded(void)
{
    model *m = model_create("alice");
    gui_convs c;
    convs_init(&c, m, 0, "(room)");
    convs_open(&c, "bob");
    for (int i = 0; i < CONVS_EXTRA_KEEP + 10; i++) {
        char t[32];
        snprintf(t, sizeof t, "old %d", i);
        convs_extra_add(&c, xstrdup(t));
    }
    convs_open(&c, "");
    convs_extra_add(&c, xstrdup("room line"));
    CHECK_EQ_INT(c.nextra, CONVS_EXTRA_KEEP + 1); /* bob's capped, the room's kept */
    CHECK(strcmp(c.extra[0].text, "old 10") == 0 && c.extra[0].after == 0); /* the oldest went */
    CHECK(strcmp(c.extra[c.nextra - 1].text, "room line") == 0 && c.extra[c.nextra - 1].conv == 0);
    convs_free(&c);
    model_destroy(m);
}

/* Rows lo..hi-1 (ids), as the log would hand them over. */
static convs_hist *rows(int64_t lo, int64_t hi)
{
    convs_hist *r = xcalloc((size_t)(hi - lo) + 1, sizeof *r);
    for (int64_t id = lo; id < hi; id++) {
        char t[32];
        snprintf(t, sizeof t, "row %lld", (long long)id);
        r[id - lo].id = id, r[id - lo].text = xstrdup(t);
    }
    return r;
}

static void page(convs_log *l, int older, int64_t lo, int64_t hi, size_t asked)
{
    convs_hist *r = rows(lo, hi);
    if (older) convs_log_older(l, r, (size_t)(hi - lo), asked);
    else convs_log_newer(l, r, (size_t)(hi - lo), asked);
    free(r);
}

/* A conversation of 100,000 rows (ids 1..100000) scrolled to its start and back: the run
 * never holds more than CONVS_LOG_KEEP, stays in order, detaches and attaches again. */
static void test_log_paging(void)
{
    model *m = model_create("alice");
    gui_convs c;
    convs_init(&c, m, 0, "(room)");
    convs_open(&c, "");
    convs_log *l = convs_log_of(&c, 0);
    CHECK(!l->opened && l->n == 0);
    convs_log_older(l, NULL, 0, CONVS_PAGE); /* a conversation with nothing in the log */
    convs_log_follow(l, NULL, 0, 0);
    CHECK(l->opened && l->first && l->n == 0 && !l->detached && l->last == 0);
    convs_log_clear(l);
    int64_t top = 100001 - CONVS_PAGE;
    page(l, 1, top, 100001, CONVS_PAGE); /* the newest page: attached */
    CHECK(l->opened && !l->first && !l->detached && l->n == CONVS_PAGE);
    size_t most = 0;
    while (!l->first) {
        int64_t lo = top > CONVS_PAGE ? top - CONVS_PAGE : 1;
        page(l, 1, lo, top, CONVS_PAGE);
        top = lo;
        most = l->n > most ? l->n : most;
        for (size_t i = 1; i < l->n; i++) CHECK(l->line[i].id == l->line[i - 1].id + 1);
    }
    CHECK_EQ_INT(most, CONVS_LOG_KEEP);
    CHECK(l->detached && l->line[0].id == 1 && strcmp(l->line[0].text, "row 1") == 0);
    int pages = 0;
    while (l->detached && pages++ < 1000) {
        int64_t lo = l->line[l->n - 1].id + 1, hi = lo + CONVS_PAGE > 100001 ? 100001 : lo + CONVS_PAGE;
        page(l, 0, lo, hi, CONVS_PAGE);
        CHECK(l->n <= CONVS_LOG_KEEP && !l->first);
    }
    CHECK(!l->detached && l->line[l->n - 1].id == 100000); /* a short page: the model's lines again */
    convs_hist *r = rows(100001, 100004); /* the model let three go */
    convs_log_follow(l, r, 3, 100004);
    free(r);
    CHECK(l->line[l->n - 1].id == 100003 && l->last == 100003 && l->edge == 100004 && l->n == CONVS_LOG_KEEP);
    convs_log_clear(l);
    CHECK(!l->opened && l->n == 0);
    convs_free(&c);
    model_destroy(m);
}

/* A row from the log as the window words it; a huge one (a log is input too) is cut between
 * characters. */
static void test_page_text(void)
{
    history_rec r = {7, 0, "lan", "", "bob", "", "", "public", "", "你好 hi", 0};
    buf b = {0};
    pages_text(&b, &r, 0);
    buf_append_byte(&b, 0);
    CHECK(strstr(b.data, "<bob> 你好 hi") != NULL);
    buf_free(&b);
    size_t n = 40000;
    char *big = xcalloc(n * 3 + 1, 1);
    for (size_t i = 0; i < n; i++) memcpy(big + 3 * i, "汉", 3);
    r.text = big, r.kind = "action";
    buf c = {0};
    pages_text(&c, &r, 1);
    CHECK(c.len < 16384 + 200 && utf8_valid(c.data, c.len));
    CHECK(c.len > 6 && memcmp(c.data + c.len - 6, " [...]", 6) == 0);
    buf_append_byte(&c, 0);
    CHECK(strstr(c.data, "[lan] * bob 汉汉") != NULL);
    buf_free(&c);
    free(big);
}

static void test_single(void)
{
    model *m = model_create("alice");
    gui_convs c;
    convs_init(&c, m, 1, "(everyone)");
    apply(m, EV_JOIN, "bob", NULL, NULL, 0);
    apply(m, EV_MESSAGE, "bob", NULL, "hi", 0);
    convs_open(&c, "bob"); /* peer mode: one conversation whatever is asked */
    convs_note(&c);
    convs_list(&c);
    CHECK(c.open == 0 && c.nlist == 1 && c.list[0].conv == 0 && shown(&c) == 2);
    convs_free(&c);
    model_destroy(m);
}

/* A LAN peer's entry shows its group and away status; a new nick keeps them. */
static void test_group_and_away(void)
{
    model *m = model_create("alice");
    gui_convs c;
    convs_init(&c, m, 0, "(everyone)");
    chat_event ev = {0};
    ev.type = EV_JOIN;
    ev.from = (char *)"bob";
    ev.group = (char *)"研发部";
    model_apply(m, &ev);
    apply(m, EV_AWAY, "bob", NULL, "lunch", 0);
    convs_list(&c);
    CHECK_EQ_INT(c.nlist, 2);
    CHECK(strcmp(c.list[1].label, "bob [研发部] (away: lunch)") == 0);
    apply(m, EV_NICK, "bob", "bobby", NULL, 0);
    convs_list(&c);
    CHECK(strcmp(c.list[1].label, "bobby [研发部] (away: lunch)") == 0);
    convs_free(&c);
    model_destroy(m);
}

int main(void)
{
    RUN(test_roster_and_unread);
    RUN(test_system_lines_follow_the_open_one);
    RUN(test_offers_count_and_follow_their_peer);
    RUN(test_own_offer_in_peer_conversation);
    RUN(test_log_edge_offers);
    RUN(test_results_bounded);
    RUN(test_log_paging);
    RUN(test_page_text);
    RUN(test_single);
    RUN(test_group_and_away);
    return th_finish();
}
