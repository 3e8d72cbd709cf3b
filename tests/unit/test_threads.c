/* test_threads.c -- where threads meet: the SDL queue, and two runners chatting over loopback */
#include <SDL.h>
#include <stdlib.h>
#include <string.h>

#include "testhelp.h"
#include "udpchat/app.h"
#include "udpchat/queue.h"

#define PRODUCERS 4
#define PER_PRODUCER 20000

typedef struct prod {
    queue *q;
    int id;
} prod;

static int producer(void *arg)
{
    prod *p = arg;
    for (int i = 0; i < PER_PRODUCER; i++) {
        int *v = malloc(2 * sizeof *v);
        v[0] = p->id;
        v[1] = i;
        queue_push(p->q, v);
    }
    return 0;
}

static void test_queue_many_producers(void)
{
    queue *q = queue_create();
    prod ps[PRODUCERS];
    SDL_Thread *t[PRODUCERS];
    for (int i = 0; i < PRODUCERS; i++) {
        ps[i].q = q;
        ps[i].id = i;
        t[i] = SDL_CreateThread(producer, "producer", &ps[i]);
    }
    int next[PRODUCERS] = {0}, got = 0, order_errors = 0;
    while (got < PRODUCERS * PER_PRODUCER) {
        int *v = queue_pop(q, 5000);
        if (!v) break;
        if (v[1] != next[v[0]]) order_errors++;
        next[v[0]] = v[1] + 1;
        got++;
        free(v);
    }
    for (int i = 0; i < PRODUCERS; i++) SDL_WaitThread(t[i], NULL);
    CHECK_EQ_INT(got, PRODUCERS * PER_PRODUCER);
    CHECK_EQ_INT(order_errors, 0);
    CHECK(queue_pop(q, 10) == NULL);
    queue_destroy(q, free);
}

typedef struct end {
    net_socket *sock;
    session *s;
    runner *r;
    queue *ui;
    int messages, delivered, joined;
} end;

static void end_open(end *e, const char *nick)
{
    char err[256];
    memset(e, 0, sizeof *e);
    e->sock = net_open(0, err, sizeof err);
    CHECK(e->sock != NULL);
    e->ui = queue_create();
    (void)nick;
}

static void end_start(end *e, const char *nick, const end *other)
{
    session_config cfg;
    session_config_default(&cfg);
    cfg.nick = nick;
    cfg.remote.host = 0x7F000001;
    cfg.remote.port = net_local_port(other->sock);
    CHECK(net_random_bytes(&cfg.key, sizeof cfg.key) == 0);
    e->s = session_create(&cfg, net_random_session(), net_emit, e->sock, net_now_ms());
    e->r = runner_start(e->sock, e->s, &session_ops, e->ui);
}

static void say(end *e, const char *text)
{
    core_command *c = calloc(1, sizeof *c);
    c->type = CMD_SAY;
    c->text = str_dup(text);
    runner_command(e->r, c);
}

static void pump(end *e)
{
    chat_event *ev;
    while ((ev = queue_pop(e->ui, 0))) {
        e->messages += ev->type == EV_MESSAGE;
        e->delivered += ev->type == EV_DELIVERED;
        e->joined += ev->type == EV_JOIN;
        chat_event_free(ev);
        free(ev);
    }
}

static void end_close(end *e)
{
    runner_stop(e->r);
    session_destroy(e->s);
    net_close(e->sock);
    chat_event *ev;
    while ((ev = queue_pop(e->ui, 0))) {
        chat_event_free(ev);
        free(ev);
    }
    queue_destroy(e->ui, NULL);
}

static void test_two_runners_over_loopback(void)
{
    end a, b;
    end_open(&a, "alice");
    end_open(&b, "bob");
    end_start(&a, "alice", &b);
    end_start(&b, "bob", &a);
    for (int i = 0; i < 300; i++) {
        char msg[32];
        SDL_snprintf(msg, sizeof msg, "a%d", i);
        say(&a, msg);
        SDL_snprintf(msg, sizeof msg, "b%d", i);
        say(&b, msg);
    }
    uint64_t until = net_now_ms() + 20000;
    while (net_now_ms() < until && (a.delivered < 300 || b.delivered < 300)) {
        pump(&a);
        pump(&b);
        SDL_Delay(5);
    }
    CHECK_EQ_INT(a.delivered, 300);
    CHECK_EQ_INT(b.delivered, 300);
    CHECK_EQ_INT(a.messages, 300);
    CHECK_EQ_INT(b.messages, 300);
    CHECK(a.joined >= 1 && b.joined >= 1);
    end_close(&a);
    end_close(&b);
}

int main(void)
{
    char err[256];
    if (net_init(err, sizeof err) < 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    RUN(test_queue_many_producers);
    RUN(test_two_runners_over_loopback);
    net_quit();
    return th_finish();
}
