/* gui_app.c -- `udpchat gui`: the chat model drawn in the window; typed lines go to the chat loop */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gui_convs.h"
#include "gui_files.h"
#include "gui_pages.h"
#include "udpchat/app.h"
#include "udpchat/cli.h"
#include "udpchat/gui.h"
#include "udpchat/history.h"
#include "udpchat/mem.h"
#include "udpchat/record.h"
#include "udpchat/wire.h"

#define DRAIN_STEPS 16 /* chat loop steps (of up to 64 events) between two looks at the window */

typedef struct gui_app {
    gui *g;
    frontend *fe;
    chat_loop L;
    char *target;  /* join: where plain lines go (as /msg), NULL: the room */
    char *title;   /* the window's title as last set */
    uint16_t port;
    int stale;     /* 1: the model changed since the window was told */
    uint64_t seen; /* the newest message (seq) looked at for an alert */
    gui_convs C;   /* the conversations: the open one, the roster, history lines */
    int opening;   /* 1 while a conversation opens: the frontend's own read-back is not shown
                    * (the window pages the log itself: gui_pages.c); 0: /history, /search */
    int hold;      /* the next update adds a page below the view: it stays (gui_lines_hold) */
    int focused;   /* the window's focus at the last view_update */
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
    case EV_FILE_SHARED: buf_printf(b, "-- you offered %s: %s", from, text); break;
    case EV_FILE_RELEASED: buf_printf(b, "-- %s declined your files", from); break;
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

static void message_line(gui_app *A, const model_msg *m)
{
    buf b = {0};
    time_t t = (time_t)m->time;
    struct tm *tm = localtime(&t);
    if (tm) buf_printf(&b, "%02d:%02d ", tm->tm_hour, tm->tm_min);
    if (m->event == EV_SENT || m->event == EV_MESSAGE) message_text(&b, m);
    else system_text(&b, m);
    char mark[32];
    gui_line_add(A->g, style_of(m), b.data, mark_of(m, mark, sizeof mark));
    gui_line_key(A->g, m->seq);
    buf_free(&b);
}

/* The open conversation's history lines and file lines placed before the message `seq`
 * (UINT64_MAX: all that are left); *e and *f walk the two lists. */
static void placed_before(gui_app *A, uint64_t seq, size_t *e, size_t *f)
{
    const gui_convs *C = &A->C;
    for (; *e < C->nextra && C->extra[*e].after < seq; ++*e)
        if (C->extra[*e].conv == C->open) gui_line_add(A->g, GUI_SYSTEM, C->extra[*e].text, NULL);
    for (; *f < C->nfiles && C->files[*f].after < seq; ++*f)
        if (C->files[*f].conv == C->open) gui_files_line(A->g, A->fe->model, &C->files[*f]);
}

#define KEY_LOG (UINT64_C(1) << 62) /* a log row's line key: its id | KEY_LOG (messages: their seq) */

/* The open conversation: its past read back from the log; then (unless scrolled far back:
 * detached) its messages, with /history and /search answers and file lines, in order. */
static void view_lines(gui_app *A)
{
    const model *md = A->fe->model;
    size_t e = 0, f = 0;
    pages_follow(&A->C, A->fe->rec);
    const convs_log *l = convs_log_of(&A->C, A->C.open);
    gui_lines_begin(A->g);
    gui_lines_view(A->g, (long)A->C.open);
    if (A->hold) gui_lines_hold(A->g);
    A->hold = 0;
    for (size_t i = 0; i < l->n; i++) {
        gui_line_add(A->g, GUI_SYSTEM, l->line[i].text, NULL);
        gui_line_key(A->g, (uint64_t)l->line[i].id | KEY_LOG);
    }
    for (size_t i = 0; i < model_msg_count(md) && !l->detached; i++) {
        const model_msg *m = model_msg_at(md, i);
        placed_before(A, m->seq, &e, &f);
        if (convs_shows(&A->C, m)) message_line(A, m);
    }
    if (!l->detached) placed_before(A, UINT64_MAX, &e, &f);
    gui_lines_end(A->g);
}

/* frontend's history_view: /history's and /search's answers, below the open conversation's
 * newest line. While a conversation opens, the frontend's own read-back is not shown: the
 * window reads its past itself (pages_first). */
static void on_history(void *ctx, const history_rec *r, int where)
{
    gui_app *A = ctx;
    if (A->opening) return;
    buf b = {0};
    pages_text(&b, r, where);
    convs_extra_add(&A->C, buf_detach(&b));
    A->stale = 1;
}

/* Where plain lines go now: a nick, or NULL for everyone / the room. */
static const char *target_of(const gui_app *A) { return A->fe->mode == FE_LAN ? A->fe->target : A->target; }

/* The roster: the conversations ("everyone" / "the room" first, not in peer mode; then the
 * members; then private conversations of those gone), with unread badges. */
static void view_roster(gui_app *A)
{
    gui_convs *C = &A->C;
    convs_list(C);
    const char **names = xcalloc(C->nlist + 1, sizeof *names);
    size_t *unread = xcalloc(C->nlist + 1, sizeof *unread);
    for (size_t i = 0; i < C->nlist; i++) names[i] = C->list[i].label, unread[i] = C->list[i].unread;
    char heading[64];
    size_t n = model_member_count(A->fe->model);
    if (A->fe->mode == FE_PEER) snprintf(heading, sizeof heading, "Peer");
    else snprintf(heading, sizeof heading, "%s (%lu)", A->fe->mode == FE_LAN ? "On the LAN" : "In the room",
                  (unsigned long)n);
    gui_set_roster(A->g, heading, names, C->single ? NULL : unread, C->nlist,
                   C->single ? -1 : convs_entry_of(C, C->open));
    free(names);
    free(unread);
}

/* Others' messages since the last look: while the window is not focused, a private one or
 * one naming us asks for attention; while it is, the open conversation is read. */
static void alert_new(gui_app *A)
{
    const model *md = A->fe->model;
    int focused = gui_focused(A->g), alert = 0;
    for (size_t i = model_msg_count(md); i-- > 0;) {
        const model_msg *m = model_msg_at(md, i);
        if (m->seq <= A->seen) break;
        if (m->event != EV_MESSAGE || m->own || focused) continue;
        alert |= m->kind == MSG_KIND_PRIVATE || m->mention;
    }
    if (model_msg_count(md)) A->seen = model_msg_at(md, model_msg_count(md) - 1)->seq;
    if (focused) convs_read(&A->C);
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
    if (convs_log_of(&A->C, A->C.open)->detached) buf_append_str(&b, "  |  reading back: PageDown for newer, Enter for the newest");
    if (error) buf_printf(&b, "  |  !! %s", error);
    gui_set_status(A->g, b.data, error != NULL);
    buf_free(&b);
    buf t = {0};
    size_t unread = convs_unread_total(&A->C);
    if (unread) buf_printf(&t, "(%lu) ", (unsigned long)unread);
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
    const char *target = target_of(A);
    convs_open(&A->C, target ? target : "");
    pages_first(&A->C, A->fe->rec); /* opened by a click, Ctrl+Tab or /to: its past, once */
    convs_note(&A->C);
    A->focused = gui_focused(A->g);
    alert_new(A);
    view_lines(A);
    view_roster(A);
    view_status(A);
    A->stale = 0;
}

/* A conversation opens (line: the command that opens it, or NULL): its newest page of the
 * log is read the first time. */
static void opening(gui_app *A, size_t conv, const char *line)
{
    A->C.open = conv;
    A->opening = 1;
    if (line) chat_loop_line(&A->L, line);
    A->opening = 0;
    pages_first(&A->C, A->fe->rec);
}

/* A roster entry chosen: its conversation opens and plain lines go there (LAN: /to NICK;
 * join: /msg NICK). */
static void pick(gui_app *A, int index)
{
    frontend *fe = A->fe;
    if (fe->mode == FE_PEER || index < 0 || (size_t)index >= A->C.nlist) return;
    size_t conv = A->C.list[index].conv;
    const model_conv *mc = model_conv_at(fe->model, conv);
    const char *nick = mc && *mc->name ? mc->name : NULL;
    buf b = {0};
    if (fe->mode == FE_LAN) {
        buf_printf(&b, "/to %s", nick ? nick : "");
        opening(A, conv, b.data);
    } else {
        free(A->target);
        A->target = nick ? str_dup(nick) : NULL;
        buf_printf(&b, "lines now go to %s", nick ? nick : "the room");
        frontend_info(fe, b.data);
        opening(A, conv, NULL);
    }
    buf_free(&b);
}

/* An offer's button: what /accept N and /decline N do. */
static void answer_offer(gui_app *A, const char *verb, int number)
{
    char line[48];
    snprintf(line, sizeof line, "/%s %d", verb, number);
    chat_loop_line(&A->L, line);
}

/* A file dropped on the window: offered to the open conversation's peer, as /send does. */
static void dropped(gui_app *A, const char *path)
{
    const char *nick = target_of(A);
    buf b = {0};
    if (A->fe->mode != FE_LAN) buf_printf(&b, "files are offered in LAN mode only (udpchat gui lan): not %s", path);
    else if (!nick) buf_printf(&b, "open someone's conversation (click their name) to offer them %s", path);
    else if (strchr(path, '"') || strchr(nick, '"')) buf_printf(&b, "cannot offer %s: a '\"' in its name", path);
    if (b.len) frontend_error(A->fe, b.data);
    else buf_printf(&b, "/send \"%s\" \"%s\"", nick, path), chat_loop_line(&A->L, b.data);
    buf_free(&b);
}

/* A typed /to NICK opens NICK's conversation as a click does: the window reads its past
 * itself, so the frontend's read-back is not shown twice. */
static int opens(const char *line)
{
    return line[0] == '/' && (line[1] | 0x20) == 't' && (line[2] | 0x20) == 'o' && (line[3] == ' ' || !line[3]);
}

static void typed(gui_app *A, const char *line)
{
    pages_live(&A->C, A->fe->rec); /* Enter shows the newest lines (the window goes to the bottom) */
    int plain = *line && (line[0] != '/' || line[1] == '/');
    if (A->fe->mode != FE_JOIN || !A->target || !plain) {
        A->opening = opens(line);
        chat_loop_line(&A->L, line);
        A->opening = 0;
        return;
    }
    buf b = {0}; /* join: a private target is /msg */
    buf_printf(&b, "/msg %s %s", A->target, line[0] == '/' ? line + 1 : line);
    chat_loop_line(&A->L, b.data);
    buf_free(&b);
}

/* Scrolled near an end: the page above, or below (the view stays; bench/ times the work
 * from the query to the lines handed over). */
static void paged(gui_app *A, int older)
{
    uint64_t t0 = gui_clock_us();
    if (!(older ? pages_older(&A->C, A->fe->rec) : pages_newer(&A->C, A->fe->rec))) return;
    A->hold = !older;
    view_update(A);
    gui_stats_note(older ? "page older" : "page newer", t0);
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

/* How long the window may sleep: what the chat loop says while lines are held or a quit is
 * under way; else GUI_IDLE_MS. The service thread wakes it for every event (gui_wake), so an
 * idle wait is only how soon a signal (SIGTERM) is noticed; each wake of an idle window
 * costs an X11 poll and a dozen empty reads, four times the console's. */
#define GUI_IDLE_MS 1000
static uint32_t idle_wait(const gui_app *A)
{
    uint32_t w = chat_loop_wait(&A->L);
    return A->L.held_since || A->L.quit_at ? w : GUI_IDLE_MS;
}

static int run(gui_app *A)
{
    int stop = 0;
    view_update(A);
    while (!stop) {
        gui_event e = gui_wait(A->g, idle_wait(A));
        if (e.type == GUI_EV_LINE) typed(A, e.line), A->stale = 1;
        else if (e.type == GUI_EV_PICK) pick(A, e.index), A->stale = 1;
        else if (e.type == GUI_EV_ACCEPT || e.type == GUI_EV_DECLINE)
            answer_offer(A, e.type == GUI_EV_ACCEPT ? "accept" : "decline", e.index), A->stale = 1;
        else if (e.type == GUI_EV_DROP) dropped(A, e.line), A->stale = 1;
        else if (e.type == GUI_EV_TOP || e.type == GUI_EV_BOTTOM) paged(A, e.type == GUI_EV_TOP);
        else if (e.type == GUI_EV_CLOSE) chat_loop_line(&A->L, NULL); /* as the end of input */
        else if (gui_focused(A->g) != A->focused) A->stale = 1; /* back: the open one is read */
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
    convs_init(&A.C, fe->model, fe->mode == FE_PEER, fe->mode == FE_LAN ? "(everyone)" : "(the room)");
    fe->history_view = on_history, fe->history_ctx = &A;
    opening(&A, 0, NULL); /* where the conversation left off */
    char *w = record_warning(fe->rec);
    if (w) frontend_error(fe, w);
    free(w);
    int rc = run(&A);
    fe->history_view = NULL;
    convs_free(&A.C);
    queue_set_notify(ui, NULL, NULL);
    runner_stop(r);
    gui_close(g);
    free(A.target);
    free(A.title);
    return rc;
}
