/* test_evq.c -- a core's event queue is bounded in bytes: floods are dropped, counted, reported once */
#include <stdlib.h>
#include <string.h>

#include "testhelp.h"
#include "udpchat/event.h"

#define BIG 65000

static char *big_text(char c)
{
    char *t = malloc(BIG + 1);
    memset(t, c, BIG);
    t[BIG] = '\0';
    return t;
}

/* Pops everything: message bytes kept, messages, control events, drop reports. */
static void drain(evq *q, size_t *bytes, int *msgs, int *ctl, int *reports, const char *who)
{
    chat_event ev;
    *bytes = 0;
    *msgs = *ctl = *reports = 0;
    while (evq_pop(q, &ev)) {
        if (ev.type == EV_MESSAGE) {
            (*msgs)++;
            *bytes += strlen(ev.text);
        } else if (ev.type == EV_ERROR && ev.text && strstr(ev.text, "messages dropped")) {
            (*reports)++;
            CHECK(strstr(ev.text, who) != NULL);
        } else {
            (*ctl)++;
        }
        chat_event_free(&ev);
    }
}

static void test_message_flood_is_bounded(void)
{
    evq q;
    evq_init(&q);
    char *t = big_text('m');
    for (int i = 0; i < 400; i++) /* 26 MB offered */
        evq_emit(&q, EV_MESSAGE, 0, "mallory", NULL, t, 0, 0);
    evq_emit(&q, EV_LEAVE, 0, "bob", NULL, NULL, 0, 0); /* control events still get through */
    evq_emit(&q, EV_JOIN, 0, "carol", NULL, "carol@host", 0, 0);
    size_t bytes;
    int msgs, ctl, reports;
    drain(&q, &bytes, &msgs, &ctl, &reports, "from mallory");
    fprintf(stderr, "  %d of 400 messages kept (%zu bytes), %d control, %d reports\n", msgs, bytes, ctl, reports);
    CHECK(bytes <= 4u * 1024 * 1024);
    CHECK(msgs >= 32);
    CHECK_EQ_INT(ctl, 2);
    CHECK_EQ_INT(reports, 1);
    /* after the report, a new message is accepted and no second report follows */
    evq_emit(&q, EV_MESSAGE, 0, "mallory", NULL, "hello", 0, 0);
    drain(&q, &bytes, &msgs, &ctl, &reports, "from mallory");
    CHECK_EQ_INT(msgs, 1);
    CHECK_EQ_INT(reports, 0);
    free(t);
    evq_free(&q);
}

static void test_control_flood_has_a_cap(void)
{
    evq q;
    evq_init(&q);
    for (int i = 0; i < 200000; i++) evq_emit(&q, EV_JOIN, 0, "x", NULL, "x@host (10.0.0.1:2425)", 0, 0);
    size_t bytes;
    int msgs, ctl, reports;
    drain(&q, &bytes, &msgs, &ctl, &reports, "from x");
    fprintf(stderr, "  %d of 200000 join events kept\n", ctl);
    CHECK(ctl <= 65536);
    CHECK(ctl >= 1024);
    evq_free(&q);
}

/* With the core's clock: at most one report a second, and the late one is not lost. */
static void test_report_once_a_second(void)
{
    evq q;
    evq_init(&q);
    char *t = big_text('r');
    size_t bytes;
    int msgs, ctl, reports;
    evq_set_now(&q, 5000);
    for (int i = 0; i < 100; i++) evq_emit(&q, EV_MESSAGE, 0, "mallory", NULL, t, 0, 0);
    drain(&q, &bytes, &msgs, &ctl, &reports, "from mallory");
    CHECK_EQ_INT(reports, 1);
    evq_set_now(&q, 5500);
    for (int i = 0; i < 100; i++) evq_emit(&q, EV_MESSAGE, 0, i % 2 ? "mallory" : "eve", NULL, t, 0, 0);
    drain(&q, &bytes, &msgs, &ctl, &reports, "from mallory");
    CHECK_EQ_INT(reports, 0);
    CHECK_EQ_INT(evq_report_due(&q), 6000);
    evq_set_now(&q, 6000);
    drain(&q, &bytes, &msgs, &ctl, &reports, " and others");
    CHECK_EQ_INT(reports, 1);
    CHECK_EQ_INT(q.dropped, 72);
    CHECK_EQ_INT(evq_report_due(&q), UINT64_MAX);
    free(t);
    evq_free(&q);
}

int main(void)
{
    RUN(test_message_flood_is_bounded);
    RUN(test_control_flood_has_a_cap);
    RUN(test_report_once_a_second);
    return th_finish();
}
