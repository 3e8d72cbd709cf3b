/* test_model.c -- the chat model: own messages and their delivery, conversations, roster */
#include <stdlib.h>
#include <string.h>

#include "testhelp.h"
#include "udpchat/buf.h"
#include "udpchat/model.h"
#include "udpchat/wire.h"

static const model_msg *apply(model *m, chat_event_type t, uint32_t id, const char *from, const char *to,
                              const char *text, int flags)
{
    chat_event ev = {0};
    ev.type = t;
    ev.id = id;
    ev.flags = flags;
    ev.from = (char *)from;
    ev.to = (char *)to;
    ev.text = (char *)text;
    return model_apply(m, &ev);
}

static void test_own_messages_and_delivery(void)
{
    model *m = model_create("alice");
    const model_msg *g = apply(m, EV_SENT, 7, NULL, NULL, "hello", 0);
    CHECK(g && g->own && g->kind == MSG_KIND_PUBLIC && g->state == MSG_STATE_SENDING);
    CHECK(strcmp(g->from, "alice") == 0 && g->conv == 0);
    g = apply(m, EV_RELAYED, 7, NULL, NULL, NULL, 0);
    CHECK(g && g->state == MSG_STATE_RELAYED);
    chat_event r = {0};
    r.type = EV_RECEIPT;
    r.id = 7;
    r.acked = 1;
    r.total = 2;
    g = model_apply(m, &r);
    CHECK(g && g->state == MSG_STATE_PARTIAL && g->acked == 1 && g->total == 2 && strcmp(g->text, "hello") == 0);
    g = apply(m, EV_SENT, 8, NULL, "bob", "psst", CHAT_PRIVATE);
    CHECK(g && g->kind == MSG_KIND_PRIVATE && strcmp(g->to, "bob") == 0 && g->conv != 0);
    CHECK(strcmp(model_conv_at(m, g->conv)->name, "bob") == 0);
    CHECK(apply(m, EV_UNDELIVERED, 8, NULL, NULL, NULL, 0)->state == MSG_STATE_UNDELIVERED);
    CHECK(apply(m, EV_DELIVERED_LATE, 8, NULL, NULL, NULL, 0)->state == MSG_STATE_LATE);
    CHECK(apply(m, EV_DELIVERED, 99, NULL, NULL, NULL, 0) == NULL); /* not ours */
    CHECK_EQ_INT(model_unread_total(m), 0); /* our own are never unread */
    model_destroy(m);
}

static void test_conversations_mentions_unread(void)
{
    model *m = model_create("小明");
    const model_msg *g = apply(m, EV_MESSAGE, 0, "bob", NULL, "小明，开会了", 0);
    CHECK(g && g->mention && !g->own && g->conv == 0);
    g = apply(m, EV_MESSAGE, 0, "bob", NULL, "小明明天见", 0); /* a CJK nick inside CJK text: named */
    CHECK(g && g->mention);
    CHECK(model_mentions("hi alice!", "alice") && !model_mentions("malice", "alice") &&
          !model_mentions("alice2 is here", "alice") && model_mentions("ALICE? no: alice", "alice"));
    g = apply(m, EV_MESSAGE, 0, "carol", "小明", "只给你", CHAT_PRIVATE);
    CHECK(g && g->kind == MSG_KIND_PRIVATE && g->conv != 0);
    CHECK_EQ_INT(model_conv_at(m, g->conv)->unread, 1);
    CHECK(model_conv_at(m, g->conv)->mentioned);
    CHECK_EQ_INT(model_unread_total(m), 3);
    model_mark_read(m, 0);
    CHECK_EQ_INT(model_unread_total(m), 1);
    CHECK(apply(m, EV_MESSAGE, 0, "dave", NULL, "* dances", CHAT_ACTION)->kind == MSG_KIND_ACTION);
    model_destroy(m);
}

static void test_roster_and_nick(void)
{
    model *m = model_create("guest");
    apply(m, EV_STATUS, 0, "alice", NULL, "joined", 0); /* the relay registered us as alice */
    CHECK(strcmp(model_nick(m), "alice") == 0);
    apply(m, EV_ROSTER, 0, NULL, NULL, "alice\nbob\nBobby", 0);
    CHECK_EQ_INT(model_member_count(m), 3);
    apply(m, EV_JOIN, 0, "carol", NULL, NULL, 0);
    apply(m, EV_LEAVE, 0, "bob", NULL, NULL, 0);
    apply(m, EV_NICK, 0, "alice", "alicia", NULL, 0);
    CHECK(strcmp(model_nick(m), "alicia") == 0);
    const char *names[4];
    CHECK_EQ_INT(model_members_matching(m, "BO", names, 4), 1);
    CHECK(strcmp(names[0], "Bobby") == 0);
    CHECK_EQ_INT(model_members_matching(m, "", names, 4), 3);
    apply(m, EV_ROSTER, 0, NULL, NULL, "(nobody yet)", 0); /* LAN's /who alone: nobody, not "(nobody" */
    CHECK_EQ_INT(model_member_count(m), 0);
    model_destroy(m);
}

static void test_bounded(void)
{
    model *m = model_create("alice");
    char t[32];
    for (int i = 0; i < MODEL_KEEP + 500; i++) {
        snprintf(t, sizeof t, "line %d", i);
        apply(m, EV_MESSAGE, 0, "bob", NULL, t, 0);
    }
    CHECK_EQ_INT(model_msg_count(m), MODEL_KEEP);
    CHECK(strcmp(model_msg_at(m, 0)->text, "line 500") == 0);
    CHECK(model_msg_at(m, MODEL_KEEP - 1)->seq == MODEL_KEEP + 500);
    model_destroy(m);
}

/* LAN mode: a peer's away status in the roster (ours changes no member); "read" finds our
 * sealed message; a sealed message arrives without its text. */
static void test_lan_away_and_sealed(void)
{
    model *m = model_create("alice");
    apply(m, EV_JOIN, 0, "张三", NULL, NULL, 0);
    CHECK(apply(m, EV_AWAY, 0, "张三", NULL, "离开", 0) != NULL);
    CHECK(model_member_at(m, 0) && strcmp(model_member_at(m, 0)->status, "离开") == 0);
    apply(m, EV_AWAY, 0, NULL, NULL, "lunch", 0);
    CHECK(strcmp(model_member_at(m, 0)->status, "离开") == 0);
    apply(m, EV_AWAY, 0, "张三", NULL, NULL, 0);
    CHECK(model_member_at(m, 0)->status == NULL);
    const model_msg *g = apply(m, EV_SENT, 4, NULL, "张三", "secret", CHAT_PRIVATE | CHAT_SEALED);
    CHECK(g && g->kind == MSG_KIND_PRIVATE);
    g = apply(m, EV_READ, 4, "张三", NULL, NULL, 0);
    CHECK(g && g->own && strcmp(g->text, "secret") == 0);
    CHECK(apply(m, EV_READ, 99, "张三", NULL, NULL, 0) == NULL);
    g = apply(m, EV_MESSAGE, 1, "张三", "alice", NULL, CHAT_PRIVATE | CHAT_SEALED);
    CHECK(g && g->text == NULL && g->kind == MSG_KIND_PRIVATE);
    model_destroy(m);
}

/* Offers are numbered 1, 2, ... for /accept; a malformed list is no offer; the oldest go
 * beyond MODEL_KEEP_FILES; transfers keep their last state and bytes. */
static void test_offers_and_transfers(void)
{
    model *m = model_create("bob");
    chat_event o = {0};
    o.type = EV_FILE_OFFER;
    o.from = "alice";
    o.address = "10.0.0.1";
    o.files = "1234\t1\n7\t100\t5\t1\tok\t报告.pdf\n8\t0\t5\t2\tit is . or ..\t..\n";
    model_apply(m, &o);
    o.files = "garbage";
    model_apply(m, &o);
    CHECK_EQ_INT(model_offer_count(m), 1);
    const model_offer *f = model_offer_find(m, 1);
    CHECK(f && f->offer.packet_no == 1234 && f->offer.n == 2 && strcmp(f->offer.files[0].name, "报告.pdf") == 0);
    CHECK(f && !f->offer.files[0].refused && f->offer.files[1].refused && f->state == OFFER_OPEN);
    model_offer_set_state(m, 1, OFFER_DECLINED);
    CHECK(model_offer_find(m, 1)->state == OFFER_DECLINED && !model_offer_find(m, 2));
    o.files = "99\t1\n1\t1\t1\t1\tok\tx\n";
    for (int i = 0; i < MODEL_KEEP_FILES + 5; i++) model_apply(m, &o);
    CHECK_EQ_INT(model_offer_count(m), MODEL_KEEP_FILES);
    CHECK(!model_offer_find(m, 1) && model_offer_find(m, MODEL_KEEP_FILES + 6));
    chat_event t = {0};
    t.type = EV_TRANSFER;
    t.id = 3;
    t.reason = TRANSFER_PROGRESS;
    t.from = "alice";
    t.text = "报告.pdf";
    t.bytes = 50, t.size = 100, t.rate = 10;
    model_apply(m, &t);
    t.reason = TRANSFER_FAILED;
    t.text = "报告.pdf: timed out";
    model_apply(m, &t);
    const model_transfer *x = model_transfer_find(m, 3);
    CHECK(x && x->reason == TRANSFER_FAILED && x->bytes == 50 && strcmp(x->name, "报告.pdf") == 0 && !x->sending);
    t.id = 0; /* a refused request is no transfer */
    model_apply(m, &t);
    CHECK_EQ_INT(model_transfer_count(m), 1);
    model_destroy(m);
}

int main(void)
{
    RUN(test_lan_away_and_sealed);
    RUN(test_offers_and_transfers);
    RUN(test_own_messages_and_delivery);
    RUN(test_conversations_mentions_unread);
    RUN(test_roster_and_nick);
    RUN(test_bounded);
    return th_finish();
}
