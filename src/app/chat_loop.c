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

/* How long to wait for the next event: the held lines are due HOLD_MS after the first. */
static uint32_t next_wait(uint64_t held_since)
{
    if (!held_since) return 250;
    uint64_t age = net_now_ms() - held_since;
    return age >= HOLD_MS ? 0 : (uint32_t)(HOLD_MS - age);
}

int chat_loop_run(runner *r, queue *ui, frontend *fe)
{
    uint64_t quit_at = 0, held_since = 0;
    for (;;) {
        chat_event *ev = queue_pop(ui, next_wait(held_since));
        if (signals_caught() && !quit_at) {
            ask_quit(r, fe, "");
            quit_at = net_now_ms();
        }
        if (quit_at && net_now_ms() - quit_at > QUIT_GRACE_MS) {
            if (ev) { chat_event_free(ev); free(ev); }
            break;
        }
        int finished = 0;
        if (ev) {
            frontend_hold(fe, fe->rec != NULL);
            if (!held_since) held_since = net_now_ms();
            finished = handle(r, fe, ev, &quit_at);
            for (int n = 1; !finished && n < BATCH_MAX && (ev = queue_try_pop(ui)) != NULL; n++)
                finished = handle(r, fe, ev, &quit_at);
        }
        if (held_since && (finished || !fe->rec || net_now_ms() - held_since >= HOLD_MS)) {
            save_and_show(fe);
            held_since = 0;
        }
        if (finished) break;
    }
    save_and_show(fe); /* whatever is still held */
    return fe->exit_code;
}

static void post_ready(queue *ui, uint16_t port)
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
    signals_install();
    queue *ui = runner_ui_queue();
    post_ready(ui, net_local_port(sock));
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
