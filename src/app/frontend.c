/* frontend.c -- line-mode and JSON rendering of chat events; parsing of typed commands */
#include "udpchat/frontend.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "udpchat/console.h"
#include "udpchat/transfer.h"
#include "udpchat/utf8.h"
#include "udpchat/wire.h"

void frontend_init(frontend *fe, frontend_mode mode, int json, charset_id cs, const char *nick)
{
    memset(fe, 0, sizeof *fe);
    fe->mode = mode;
    fe->json = json;
    fe->cs = cs;
    fe->out = stdout;
    fe->nick = str_dup(nick);
    fe->model = model_create(nick);
}

void frontend_free(frontend *fe)
{
    model_destroy(fe->model);
    free(fe->nick);
    free(fe->target);
}

static void write_out(frontend *fe, buf *line, int encode)
{
    if (encode && fe->sink && fe->sink->shows(fe->out)) {
        fe->sink->print(line->data, line->len); /* above the input row; the console encodes */
        return;
    }
    buf_append_byte(line, '\n');
    if (encode && fe->cs != CHARSET_UTF8 && fe->cs != CHARSET_UNKNOWN) {
        buf enc = {0};
        charset_encode(fe->cs, line->data, line->len, 1, &enc);
        fwrite(enc.data, 1, enc.len, fe->out);
        buf_free(&enc);
    } else {
        fwrite(line->data, 1, line->len, fe->out);
    }
    fflush(fe->out);
}

static void add_time(buf *b)
{
    time_t t = time(NULL);
    struct tm *tm = localtime(&t);
    if (tm) buf_printf(b, "%02d:%02d:%02d ", tm->tm_hour, tm->tm_min, tm->tm_sec);
}

static void add_safe(buf *b, const char *s)
{
    if (s) utf8_sanitize(s, strlen(s), 0, b);
}

static void json_field(buf *b, const char *key, const char *val)
{
    if (!val) return;
    buf_printf(b, ",\"%s\":", key);
    json_append_string(b, val);
}

static const char *kind_name(msg_kind k)
{
    static const char *names[] = {"public", "private", "action", "notice", "system"};
    return names[k];
}

static void render_json(frontend *fe, const chat_event *ev, const model_msg *g, const char *name,
                        const char *text)
{
    buf b = {0};
    buf_printf(&b, "{\"event\":\"%s\"", name);
    if (ev->type == EV_READY) buf_printf(&b, ",\"port\":%d", ev->port);
    if (ev->id) buf_printf(&b, ",\"id\":%u", ev->id);
    int is_join = ev->type == EV_JOIN || ev->type == EV_LEAVE;
    json_field(&b, is_join ? "nick" : ev->type == EV_NICK ? "old" : "from", ev->from);
    json_field(&b, ev->type == EV_NICK ? "new" : "to", ev->to);
    json_field(&b, "text", text);
    json_field(&b, "address", ev->address);
    if (ev->type == EV_LEAVE || ev->type == EV_STATUS) {
        if (ev->type == EV_LEAVE || ev->reason) json_field(&b, "reason", wire_leave_reason_name(ev->reason));
    }
    if (ev->type == EV_MESSAGE) {
        buf_printf(&b, ",\"private\":%s,\"action\":%s", ev->flags & CHAT_PRIVATE ? "true" : "false",
                   ev->flags & CHAT_ACTION ? "true" : "false");
    }
    if (g && (ev->type == EV_MESSAGE || ev->type == EV_SENT)) json_field(&b, "kind", kind_name(g->kind));
    if (g && g->mention) buf_append_str(&b, ",\"mention\":true");
    if (ev->total || ev->type == EV_RECEIPT) buf_printf(&b, ",\"acked\":%u,\"total\":%u", ev->acked, ev->total);
    if (ev->legacy) buf_append_str(&b, ",\"legacy\":true");
    frontend_files_json(fe, ev, &b);
    buf_printf(&b, ",\"time\":%lld}", (long long)time(NULL));
    write_out(fe, &b, 0);
    buf_free(&b);
}

/* SGR colour of a whole plain line (the console only): errors red, notices yellow, the
 * text of private messages magenta, room and connection news grey; NULL for none. */
static const char *line_style(const chat_event *ev, const model_msg *g)
{
    if (g && g->mention) return "1;93"; /* our nick is named: bold, bright */
    if (ev->type == EV_NOTICE && ev->flags == NOTICE_ADMIN) return "1;36";
    if (ev->type == EV_FILE_OFFER) return "1;33";
    if (ev->type == EV_TRANSFER && (ev->reason == TRANSFER_FAILED || ev->reason == TRANSFER_REFUSED)) return "1;31";
    switch (ev->type) {
    case EV_ERROR: case EV_UNDELIVERED: case EV_REFUSED: case EV_RECEIPT: case EV_MISSED: return "1;31";
    case EV_NOTICE: case EV_SHUTDOWN: return "1;33";
    case EV_MESSAGE: return ev->flags & CHAT_PRIVATE ? "95" : NULL;
    default: return "90";
    }
}

/* The nick, in bold and one of six colours picked by a hash of it (stable across runs). */
static void add_nick(const frontend *fe, buf *b, const char *nick, const char *style)
{
    static const char *const colors[] = {"32", "34", "36", "92", "94", "96"};
    uint32_t h = 2166136261u; /* FNV-1a */
    for (const char *p = nick ? nick : ""; *p; p++) h = (h ^ (uint8_t)*p) * 16777619u;
    if (fe->color) buf_printf(b, "\x1b[1;%sm", colors[h % 6]);
    add_safe(b, nick);
    if (fe->color) buf_printf(b, "\x1b[0%s%sm", style ? ";" : "", style ? style : "");
}

/* A chat line from the model: "<nick> text", "* nick text", "*nick* text" (private to us),
 * "-> nick: text" (our private message). */
static void render_message(const frontend *fe, buf *b, const model_msg *g, const char *style)
{
    if (g->kind == MSG_KIND_ACTION) {
        buf_append_str(b, "* ");
        add_nick(fe, b, g->from, style);
        buf_append_byte(b, ' ');
    } else if (g->kind == MSG_KIND_PRIVATE && g->own) {
        buf_append_str(b, "-> ");
        add_nick(fe, b, g->to, style);
        buf_append_str(b, ": ");
    } else if (g->kind == MSG_KIND_PRIVATE) {
        buf_append_str(b, "*");
        add_nick(fe, b, g->from, style);
        buf_append_str(b, "* ");
    } else {
        buf_append_str(b, "<");
        add_nick(fe, b, g->from, style);
        buf_append_str(b, "> ");
    }
    add_safe(b, g->text);
}

static void render_other(const frontend *fe, buf *b, const chat_event *ev, const char *text)
{
    if (ev->type == EV_LEAVE && ev->reason == LEAVE_KICKED && ev->from && strcmp(ev->from, fe->nick) == 0) {
        buf_append_str(b, "!! you were kicked"); /* not "alice left (kicked)": it is us */
        if (text && *text) { buf_append_str(b, ": "); add_safe(b, text); }
        return;
    }
    if (ev->type == EV_NOTICE && ev->flags == NOTICE_ADMIN) { /* the server's operator speaks */
        buf_append_str(b, "** server: ");
        add_safe(b, text);
        return;
    }
    switch (ev->type) {
    case EV_READY: buf_printf(b, "-- ready on UDP port %d", ev->port); break;
    case EV_JOIN: buf_append_str(b, "-- "); add_safe(b, ev->from); buf_append_str(b, " joined"); break;
    case EV_LEAVE:
        buf_append_str(b, "-- ");
        add_safe(b, ev->from);
        buf_printf(b, " left (%s", wire_leave_reason_name(ev->reason));
        if (text && *text) { buf_append_str(b, ": "); add_safe(b, text); }
        buf_append_str(b, ")");
        break;
    case EV_NICK: buf_append_str(b, "-- "); add_safe(b, ev->from); buf_append_str(b, " is now "); add_safe(b, ev->to); break;
    case EV_ROSTER: buf_append_str(b, "-- in the room: "); add_safe(b, text); break;
    case EV_UNDELIVERED: buf_append_str(b, "!! not delivered: "); add_safe(b, text); break;
    case EV_ERROR: buf_append_str(b, "!! "); add_safe(b, text); break;
    case EV_REFUSED: buf_append_str(b, "!! refused: "); add_safe(b, text); break;
    case EV_RECEIPT:
        if (ev->total) buf_printf(b, "!! reached %u of the %u others in the room: ", ev->acked, ev->total);
        else buf_append_str(b, "!! nobody else is in the room: nobody got ");
        add_safe(b, text);
        break;
    case EV_DELIVERED_LATE: buf_append_str(b, "-- delivered after all: "); add_safe(b, text); break;
    case EV_MISSED: buf_append_str(b, "!! "); add_safe(b, text); break;
    case EV_SHUTDOWN: buf_append_str(b, "-- the server is shutting down"); if (text && *text) { buf_append_str(b, ": "); add_safe(b, text); } break;
    default: buf_append_str(b, "-- "); add_safe(b, text); break;
    }
}

static void roster_commas(char *t)
{
    for (; t && *t; t++) if (*t == '\n') *t = ',';
}

/* Who we are, as the relay confirmed it (join): the prompt follows. */
static void follow_nick(frontend *fe, const chat_event *ev)
{
    int renamed = ev->type == EV_NICK && ev->from && ev->to && strcmp(ev->from, fe->nick) == 0;
    int welcomed = fe->mode == FE_JOIN && ev->type == EV_STATUS && ev->from;
    if (!((fe->mode == FE_JOIN || fe->mode == FE_LAN) && renamed) && !welcomed) return;
    free(fe->nick);
    fe->nick = str_dup(ev->type == EV_NICK ? ev->to : ev->from);
    frontend_prompt(fe);
}

void frontend_prompt(frontend *fe)
{
    if (!fe->sink) return; /* the prompt shows our nick, and where lines go (not in line mode) */
    buf p = {0};
    buf_append_str(&p, fe->nick);
    if (fe->target) buf_printf(&p, " -> %s", fe->target);
    fe->sink->set_prompt(p.data);
    buf_free(&p);
}

/* Events that change nothing a person needs to see on a line of its own. */
static int quiet(const chat_event *ev)
{
    return ev->type == EV_DELIVERED || ev->type == EV_RELAYED;
}

static void render_line(frontend *fe, const chat_event *ev, const model_msg *g, const char *t)
{
    buf b = {0};
    char *roster = ev->type == EV_ROSTER ? str_dup(t) : NULL;
    roster_commas(roster);
    add_time(&b);
    const char *style = fe->color ? line_style(ev, g) : NULL;
    if (style) buf_printf(&b, "\x1b[%sm", style);
    if (g && (ev->type == EV_MESSAGE || ev->type == EV_SENT)) render_message(fe, &b, g, style);
    else if (!frontend_files_line(fe, ev, &b)) render_other(fe, &b, ev, roster ? roster : t);
    if (fe->mode == FE_SERVER && ev->address) { /* the log says where from */
        buf_append_str(&b, " [");
        add_safe(&b, ev->address);
        buf_append_str(&b, "]");
    }
    if (fe->color) buf_append_str(&b, "\x1b[0m");
    write_out(fe, &b, 1);
    buf_free(&b);
    free(roster);
}

void frontend_event(frontend *fe, const chat_event *ev)
{
    /* a share learns its packet number, or is declined; a RELEASEFILES for no share of ours is not shown */
    if (!transfer_note(fe->files, ev) && ev->type == EV_FILE_RELEASED) return;
    const model_msg *g = model_apply(fe->model, ev);
    if (ev->type == EV_REFUSED && fe->mode != FE_SERVER) fe->exit_code = 1; /* a server logs others' refusals */
    if (ev->type == EV_LEAVE && ev->reason == LEAVE_KICKED && ev->from && strcmp(ev->from, fe->nick) == 0)
        fe->exit_code = 1;
    follow_nick(fe, ev);
    int about_ours = g && g->own && ev->type != EV_SENT; /* a delivery report: our text */
    const char *t = about_ours ? g->text : ev->text;
    if (fe->json) render_json(fe, ev, g, chat_event_name(ev->type), ev->type == EV_DELIVERED ? NULL : t);
    else if (!quiet(ev)) render_line(fe, ev, g, t);
}

static void say_line(frontend *fe, chat_event_type t, const char *text)
{
    chat_event ev = {0};
    ev.type = t;
    ev.text = (char *)text;
    frontend_event(fe, &ev);
}

void frontend_error(frontend *fe, const char *text) { say_line(fe, EV_ERROR, text); }
void frontend_info(frontend *fe, const char *text) { say_line(fe, EV_NOTICE, text); }
