/* chat_loop.c -- the front end's main-thread loop shared by peer, join and server */
#include <stdlib.h>

#include "udpchat/app.h"
#include "udpchat/mem.h"
#include "udpchat/console.h"
#include "udpchat/record.h"

#define QUIT_GRACE_MS 3000 /* after asking the core to quit, give up waiting after this */
#define BATCH_MAX 64       /* events taken from the queue at once */
#define HOLD_MS 50         /* lines wait this long at most for their messages to be saved */

static void ask_quit(runner *r, frontend *fe, const char *why)
{
    core_command *c = xcalloc(1, sizeof *c);
    c->type = fe->mode == FE_SERVER ? CMD_SHUTDOWN : CMD_QUIT;
    c->text = str_dup(why);
    runner_command(r, c);
}

static void on_input(runner *r, frontend *fe, chat_event *ev, uint64_t *quit_at)
{
    if (!ev->text) { /* end of input */
        if (!*quit_at) ask_quit(r, fe, "");
        if (!*quit_at) *quit_at = net_now_ms();
        return;
    }
    if (*quit_at) return;
    core_command *c = frontend_parse(fe, ev->text);
    if (!c) return;
    if (c->type == CMD_QUIT || c->type == CMD_SHUTDOWN) *quit_at = net_now_ms();
    runner_command(r, c);
}

/* Handles one event (and frees it); 1 if it was the last (EV_FINISHED). */
static int handle(runner *r, frontend *fe, chat_event *ev, uint64_t *quit_at)
{
    int finished = ev->type == EV_FINISHED;
    if (ev->type == EV_INPUT) on_input(r, fe, ev, quit_at);
    else if (!finished) {
        completion_note(ev, fe->nick);
        frontend_event(fe, ev);
    }
    chat_event_free(ev);
    free(ev);
    return finished;
}

/* The lines of a batch are shown once the history has their messages on disk. */
static void save_and_show(frontend *fe)
{
    record_commit(fe->rec, net_now_ms());
    frontend_hold(fe, 0);
    frontend_release(fe);
    char *w = record_warning(fe->rec);
    if (w) frontend_error(fe, w);
    free(w);
}

uint32_t chat_loop_wait(const chat_loop *L)
{
    if (!L->held_since) return 250;
    uint64_t age = net_now_ms() - L->held_since;
    return age >= HOLD_MS ? 0 : (uint32_t)(HOLD_MS - age);
}

void chat_loop_init(chat_loop *L, runner *r, queue *ui, frontend *fe)
{
    L->r = r, L->ui = ui, L->fe = fe;
    L->quit_at = L->held_since = 0;
}

int chat_loop_step(chat_loop *L, chat_event *ev)
{
    frontend *fe = L->fe;
    if (signals_caught() && !L->quit_at) {
        ask_quit(L->r, fe, "");
        L->quit_at = net_now_ms();
    }
    if (L->quit_at && net_now_ms() - L->quit_at > QUIT_GRACE_MS) {
        if (ev) { chat_event_free(ev); free(ev); }
        return 1;
    }
    int finished = 0;
    if (ev) {
        frontend_hold(fe, fe->rec != NULL);
        if (!L->held_since) L->held_since = net_now_ms();
        finished = handle(L->r, fe, ev, &L->quit_at);
        for (int n = 1; !finished && n < BATCH_MAX && (ev = queue_try_pop(L->ui)) != NULL; n++)
            finished = handle(L->r, fe, ev, &L->quit_at);
    }
    /* Held lines wait only for messages still to be saved (a /search's lines need nothing). */
    if (L->held_since && (finished || !record_pending(fe->rec) || net_now_ms() - L->held_since >= HOLD_MS)) {
        save_and_show(fe);
        L->held_since = 0;
    }
    return finished;
}

void chat_loop_line(chat_loop *L, const char *line)
{
    chat_event ev = {0};
    ev.type = EV_INPUT;
    ev.text = (char *)line;
    on_input(L->r, L->fe, &ev, &L->quit_at);
}

int chat_loop_end(chat_loop *L)
{
    save_and_show(L->fe); /* whatever is still held */
    return L->fe->exit_code;
}

int chat_loop_run(runner *r, queue *ui, frontend *fe)
{
    chat_loop L;
    chat_loop_init(&L, r, ui, fe);
    while (!chat_loop_step(&L, queue_pop(ui, chat_loop_wait(&L)))) {}
    return chat_loop_end(&L);
}

void app_post_ready(queue *ui, uint16_t port)
{
    chat_event *ev = xcalloc(1, sizeof *ev);
    ev->type = EV_READY;
    ev->port = port;
    queue_push(ui, ev);
}

/* The console's lines become front-end events (input thread -> main thread). */
static void post_line(void *ui, char *line) { runner_post_input(ui, line); }

int app_run(net_socket *sock, void *core, const core_ops *ops, frontend *fe, int no_color)
{
#ifdef UDPCHAT_GUI
    if (app_gui_wanted()) return app_run_gui(sock, core, ops, fe);
#endif
    signals_install();
    queue *ui = runner_ui_queue();
    app_post_ready(ui, net_local_port(sock));
    runner *r = runner_start(sock, core, ops, ui);
    console_options co = {fe->cs, fe->json, no_color, fe->mode == FE_SERVER ? NULL : fe->nick,
                          fe->history ? frontend_mode_name(fe->mode) : NULL,
                          fe->mode == FE_SERVER ? NULL : "udpchat"};
    completion_start(fe->mode);
    fe->sink = console_start(&co, post_line, ui); /* interactive on a terminal, else line mode */
    fe->color = fe->sink->color && fe->sink->shows(fe->out);
    if (!fe->json) record_show_recent(fe, "", 10); /* where the conversation left off */
    char *w = record_warning(fe->rec);
    if (w) frontend_error(fe, w);
    free(w);
    int rc = chat_loop_run(r, ui, fe);
    console_stop();
    completion_stop();
    runner_stop(r);
    return rc;
}
