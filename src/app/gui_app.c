/* gui_app.c -- `udpchat gui`: the chat model drawn in the window; typed lines go to the chat loop */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "udpchat/app.h"
#include "udpchat/cli.h"
#include "udpchat/gui.h"
#include "udpchat/history.h"
#include "udpchat/mem.h"
#include "udpchat/record.h"
#include "udpchat/wire.h"

#define DRAIN_STEPS 16 /* chat loop steps (of up to 64 events) between two looks at the window */
#define EXTRA_KEEP 1000 /* lines read back from the history kept in the window */

/* A message read back from the history, shown after the model's message `after` (its seq). */
typedef struct gui_extra {
    uint64_t after;
    char *text;
} gui_extra;

typedef struct gui_app {
    gui *g;
    frontend *fe;
    chat_loop L;
    char *target;  /* join: where plain lines go (as /msg), NULL: the room */
    char *title;   /* the window's title as last set */
    uint16_t port;
    int stale;     /* 1: the model changed since the window was told */
    uint64_t seen; /* the newest message (seq) counted below */
    gui_extra *extra;    /* history lines, oldest first */
    size_t nextra, capextra;
    size_t unseen; /* others' messages that came while the window was not focused */
} gui_app;

static int is_error_event(int ev)
{
    return ev == EV_ERROR || ev == EV_REFUSED || ev == EV_UNDELIVERED || ev == EV_MISSED;
}

static gui_style style_of(const model_msg *m)
{
    if (m->kind == MSG_KIND_SYSTEM) return is_error_event(m->event) ? GUI_ERROR : GUI_SYSTEM;
    if (m->kind == MSG_KIND_NOTICE) return GUI_NOTICE;
    if (m->kind == MSG_KIND_PRIVATE) return GUI_PRIVATE;
    if (m->kind == MSG_KIND_ACTION) return GUI_ACTION;
    return m->own ? GUI_OWN : GUI_TEXT;
}

static void away_text(buf *b, const model_msg *m, const char *text)
{
    if (m->from) buf_printf(b, "-- %s %s%s", m->from, m->text ? "is away: " : "is back", text);
    else buf_printf(b, "-- %s%s", m->text ? "you are away: " : "you are back", text);
}

/* A system line in the console's words (the text is drawn, never interpreted). */
static void system_text(buf *b, const model_msg *m)
{
    const char *from = m->from ? m->from : "", *text = m->text ? m->text : "";
    switch (m->event) {
    case EV_JOIN: buf_printf(b, "-- %s joined", from); break;
    case EV_LEAVE:
        buf_printf(b, "-- %s left (%s%s%s)", from, wire_leave_reason_name(m->reason), *text ? ": " : "", text);
        break;
    case EV_NICK: buf_printf(b, "-- %s is now %s", from, m->to ? m->to : ""); break;
    case EV_ERROR: case EV_MISSED: buf_printf(b, "!! %s", text); break;
    case EV_REFUSED: buf_printf(b, "!! refused: %s", text); break;
    case EV_SHUTDOWN: buf_printf(b, "-- the server is shutting down%s%s", *text ? ": " : "", text); break;
    case EV_AWAY: away_text(b, m, text); break;
    default: buf_printf(b, "%s%s", m->kind == MSG_KIND_NOTICE ? "** server: " : "-- ", text); break;
    }
}

static void message_text(buf *b, const model_msg *m)
{
    const char *from = m->from ? m->from : "?";
    const char *text = m->text ? m->text : "[a sealed message: /open shows it]";
    if (m->kind == MSG_KIND_ACTION) buf_printf(b, "* %s %s", from, text);
    else if (m->kind == MSG_KIND_PRIVATE && m->own) buf_printf(b, "-> %s: %s", m->to ? m->to : "?", text);
    else if (m->kind == MSG_KIND_PRIVATE) buf_printf(b, "*%s* %s", from, text);
    else buf_printf(b, "<%s> %s", from, text);
}

/* Our message's delivery mark, as the console shows it. */
static const char *mark_of(const model_msg *m, char *out, size_t cap)
{
    static const char *const marks[] = {"", "[..]", "[relayed]", "[ok]", "", "[failed]", "[ok, late]"};
    if (!m->own) return NULL;
    if (m->state == MSG_STATE_PARTIAL) snprintf(out, cap, "[%u/%u]", m->acked, m->total);
    else snprintf(out, cap, "%s", marks[m->state]);
    return out;
}

static void view_lines(gui_app *A)
{
    const model *md = A->fe->model;
    size_t e = 0;
    gui_lines_begin(A->g);
    for (size_t i = 0; i < model_msg_count(md); i++) {
        const model_msg *m = model_msg_at(md, i);
        for (; e < A->nextra && A->extra[e].after < m->seq; e++) gui_line_add(A->g, GUI_SYSTEM, A->extra[e].text, NULL);
        buf b = {0};
        time_t t = (time_t)m->time;
        struct tm *tm = localtime(&t);
        if (tm) buf_printf(&b, "%02d:%02d ", tm->tm_hour, tm->tm_min);
        if (m->event == EV_SENT || m->event == EV_MESSAGE) message_text(&b, m);
        else system_text(&b, m);
        char mark[32];
        gui_line_add(A->g, style_of(m), b.data, mark_of(m, mark, sizeof mark));
        buf_free(&b);
    }
    for (; e < A->nextra; e++) gui_line_add(A->g, GUI_SYSTEM, A->extra[e].text, NULL);
    gui_lines_end(A->g);
}

static void extra_add(gui_app *A, char *text)
{
    if (A->nextra == EXTRA_KEEP) { /* the oldest goes */
        free(A->extra[0].text);
        memmove(A->extra, A->extra + 1, --A->nextra * sizeof *A->extra);
    }
    if (A->nextra == A->capextra) {
        A->capextra = A->capextra ? 2 * A->capextra : 64;
        A->extra = xreallocarray(A->extra, A->capextra, sizeof *A->extra);
    }
    size_t n = model_msg_count(A->fe->model);
    A->extra[A->nextra].after = n ? model_msg_at(A->fe->model, n - 1)->seq : 0;
    A->extra[A->nextra++].text = text;
    A->stale = 1;
}

/* frontend's history_view: a message read back, in the console's words, with its date. */
static void on_history(void *ctx, const history_rec *r, int where)
{
    buf b = {0};
    time_t t = (time_t)r->time;
    struct tm *tm = localtime(&t);
    if (tm) buf_printf(&b, "%04d-%02d-%02d %02d:%02d ", tm->tm_year + 1900, tm->tm_mon + 1, tm->tm_mday, tm->tm_hour, tm->tm_min);
    if (where) buf_printf(&b, "[%s%s%s] ", r->place, *r->conv ? ", " : "", r->conv);
    int private_ = strcmp(r->kind, "private") == 0;
    const char *who = r->sender ? r->sender : "?", *text = r->text ? r->text : "";
    if (strcmp(r->kind, "action") == 0) buf_printf(&b, "* %s %s", who, text);
    else if (private_ && r->own) buf_printf(&b, "-> %s: %s", r->recipient ? r->recipient : "?", text);
    else if (private_) buf_printf(&b, "*%s* %s", who, text);
    else buf_printf(&b, "<%s> %s", who, text);
    if (r->own && strcmp(r->state, "undelivered") == 0) buf_append_str(&b, " [failed]");
    extra_add(ctx, buf_detach(&b));
}

/* Where plain lines go now: a nick, or NULL for everyone / the room. */
static const char *target_of(const gui_app *A) { return A->fe->mode == FE_LAN ? A->fe->target : A->target; }

/* The roster: "everyone" / "the room" first (not in peer mode), then the members. */
static void view_roster(gui_app *A)
{
    const model *md = A->fe->model;
    size_t n = model_member_count(md), first = A->fe->mode == FE_PEER ? 0 : 1;
    char **names = xcalloc(n + 1, sizeof *names);
    const char *target = target_of(A);
    int selected = first ? 0 : -1;
    if (first) names[0] = str_dup(A->fe->mode == FE_LAN ? "(everyone)" : "(the room)");
    for (size_t i = 0; i < n; i++) {
        const model_member *mm = model_member_at(md, i);
        buf b = {0};
        buf_printf(&b, "%s%s%s%s", mm->nick, mm->status ? " (away: " : "", mm->status ? mm->status : "",
                   mm->status ? ")" : "");
        names[first + i] = buf_detach(&b);
        if (target && strcmp(target, mm->nick) == 0) selected = (int)(first + i);
    }
    char heading[64];
    if (A->fe->mode == FE_PEER) snprintf(heading, sizeof heading, "Peer");
    else snprintf(heading, sizeof heading, "%s (%lu)", A->fe->mode == FE_LAN ? "On the LAN" : "In the room",
                  (unsigned long)n);
    gui_set_roster(A->g, heading, (const char *const *)names, NULL, n + first, selected);
    for (size_t i = 0; i < n + first; i++) free(names[i]);
    free(names);
}

/* Others' messages since the last look: counted while the window is not focused (the title
 * shows how many), a private one or one naming us asks for attention. */
static void count_unseen(gui_app *A)
{
    const model *md = A->fe->model;
    int focused = gui_focused(A->g), alert = 0;
    for (size_t i = model_msg_count(md); i-- > 0;) {
        const model_msg *m = model_msg_at(md, i);
        if (m->seq <= A->seen) break;
        if (m->event != EV_MESSAGE || m->own || focused) continue;
        A->unseen++;
        alert |= m->kind == MSG_KIND_PRIVATE || m->mention;
    }
    if (model_msg_count(md)) A->seen = model_msg_at(md, model_msg_count(md) - 1)->seq;
    if (focused) A->unseen = 0;
    if (alert) gui_alert(A->g);
}

/* Mode, nick, port, where lines go; and the newest error when it is among the last lines. */
static void view_status(gui_app *A)
{
    const model *md = A->fe->model;
    const char *target = target_of(A), *error = NULL;
    size_t n = model_msg_count(md);
    for (size_t i = n; i-- > 0 && i + 5 >= n && !error;) {
        const model_msg *m = model_msg_at(md, i);
        if (m->kind == MSG_KIND_SYSTEM && is_error_event(m->event)) error = m->text;
    }
    buf b = {0};
    buf_printf(&b, "%s  |  %s  |  UDP port %u  |  to %s", frontend_mode_name(A->fe->mode), A->fe->nick,
               (unsigned)A->port, target ? target : A->fe->mode == FE_PEER ? "the peer" : A->fe->mode == FE_JOIN ? "the room" : "everyone");
    if (error) buf_printf(&b, "  |  !! %s", error);
    gui_set_status(A->g, b.data, error != NULL);
    buf_free(&b);
    buf t = {0};
    if (A->unseen) buf_printf(&t, "(%lu) ", (unsigned long)A->unseen);
    buf_printf(&t, "udpchat - %s (%s)", A->fe->nick, frontend_mode_name(A->fe->mode));
    if (!A->title || strcmp(A->title, t.data) != 0) {
        gui_set_title(A->g, t.data);
        free(A->title);
        A->title = buf_detach(&t);
    }
    buf_free(&t);
}

static void view_update(gui_app *A)
{
    view_lines(A);
    view_roster(A);
    count_unseen(A);
    view_status(A);
    A->stale = 0;
}

/* A roster entry chosen: plain lines go to that nick (LAN: /to NICK; join: /msg NICK). */
static void pick(gui_app *A, int index)
{
    frontend *fe = A->fe;
    if (fe->mode == FE_PEER || index < 0) return;
    const model_member *mm = index > 0 && (size_t)index <= model_member_count(fe->model)
                             ? model_member_at(fe->model, (size_t)index - 1) : NULL;
    const char *nick = mm && strcmp(mm->nick, fe->nick) != 0 ? mm->nick : NULL;
    buf b = {0};
    if (fe->mode == FE_LAN) {
        buf_printf(&b, "/to %s", nick ? nick : "");
        chat_loop_line(&A->L, b.data);
    } else {
        free(A->target);
        A->target = nick ? str_dup(nick) : NULL;
        buf_printf(&b, "lines now go to %s", nick ? nick : "the room");
        frontend_info(fe, b.data);
    }
    buf_free(&b);
}

static void typed(gui_app *A, const char *line)
{
    int plain = *line && (line[0] != '/' || line[1] == '/');
    if (A->fe->mode != FE_JOIN || !A->target || !plain) {
        chat_loop_line(&A->L, line);
        return;
    }
    buf b = {0}; /* join: a private target is /msg */
    buf_printf(&b, "/msg %s %s", A->target, line[0] == '/' ? line + 1 : line);
    chat_loop_line(&A->L, b.data);
    buf_free(&b);
}

/* Events waiting in the UI queue, a few batches at a time; 1 when the chat is over. */
static int drain(gui_app *A)
{
    chat_event *ev;
    int stop = 0, n = 0;
    do {
        ev = queue_try_pop(A->L.ui);
        if (ev) A->stale = 1;
        stop = chat_loop_step(&A->L, ev);
    } while (!stop && ev && ++n < DRAIN_STEPS);
    if (!stop && ev && queue_length(A->L.ui)) gui_wake(NULL); /* more: after the window had a look */
    return stop;
}

static int run(gui_app *A)
{
    int stop = 0;
    view_update(A);
    while (!stop) {
        gui_event e = gui_wait(A->g, chat_loop_wait(&A->L));
        if (e.type == GUI_EV_LINE) typed(A, e.line), A->stale = 1;
        else if (e.type == GUI_EV_PICK) pick(A, e.index), A->stale = 1;
        else if (e.type == GUI_EV_CLOSE) chat_loop_line(&A->L, NULL); /* as the end of input */
        else if (A->unseen && gui_focused(A->g)) A->stale = 1; /* back: the title's count goes */
        free(e.line);
        stop = drain(A);
        if (A->stale && !A->L.held_since) view_update(A); /* shown once the history has it */
    }
    int rc = chat_loop_end(&A->L);
    view_update(A);
    return rc;
}

/* What was printed on stderr before the window opened (settings warnings): in it too. */
static void show_early(frontend *fe, char *text)
{
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) frontend_error(fe, line);
}

int app_run_gui(net_socket *sock, void *core, const core_ops *ops, frontend *fe)
{
    char err[512], title[160];
    snprintf(title, sizeof title, "udpchat - %s (%s)", fe->nick, frontend_mode_name(fe->mode));
    gui_options o = {title, app_gui_font(), 0};
    gui *g = gui_open(&o, err, sizeof err);
    char *early = app_gui_capture_end();
    if (!g) {
        fprintf(stderr, "udpchat gui: %s\n", err);
        gui_message_box("udpchat gui", err);
        free(early);
        return EXIT_RUNTIME;
    }
    show_early(fe, early);
    free(early);
    signals_install();
    queue *ui = runner_ui_queue();
    queue_set_notify(ui, gui_wake, NULL);
    app_post_ready(ui, net_local_port(sock));
    runner *r = runner_start(sock, core, ops, ui);
    gui_app A = {.g = g, .fe = fe, .port = net_local_port(sock), .stale = 1};
    chat_loop_init(&A.L, r, ui, fe);
    fe->history_view = on_history, fe->history_ctx = &A;
    if (!fe->json) record_show_recent(fe, "", 10); /* where the conversation left off */
    char *w = record_warning(fe->rec);
    if (w) frontend_error(fe, w);
    free(w);
    int rc = run(&A);
    fe->history_view = NULL;
    for (size_t i = 0; i < A.nextra; i++) free(A.extra[i].text);
    free(A.extra);
    queue_set_notify(ui, NULL, NULL);
    runner_stop(r);
    gui_close(g);
    free(A.target);
    free(A.title);
    return rc;
}
