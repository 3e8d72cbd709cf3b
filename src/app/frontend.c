/* frontend.c -- line-mode and JSON rendering of chat events; parsing of typed commands */
#include "udpchat/frontend.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "udpchat/console.h"
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
}

void frontend_free(frontend *fe)
{
    for (size_t i = 0; i < fe->nsent; i++) free(fe->sent[i].text);
    free(fe->sent);
    free(fe->nick);
    free(fe->target);
}

static void remember_sent(frontend *fe, uint32_t id, const char *text)
{
    if (fe->nsent == fe->cap) {
        fe->cap = fe->cap ? fe->cap * 2 : 16;
        fe->sent = realloc(fe->sent, fe->cap * sizeof *fe->sent);
        if (!fe->sent) abort();
    }
    fe->sent[fe->nsent].id = id;
    fe->sent[fe->nsent++].text = str_dup(text);
}

/* Removes the remembered text of message id; returns it (caller frees) or NULL. */
static char *forget_sent(frontend *fe, uint32_t id)
{
    for (size_t i = 0; i < fe->nsent; i++)
        if (fe->sent[i].id == id) {
            char *t = fe->sent[i].text;
            fe->sent[i] = fe->sent[--fe->nsent];
            return t;
        }
    return NULL;
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

static void render_json(frontend *fe, const chat_event *ev, const char *name, const char *text)
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
    if (ev->total || ev->type == EV_RECEIPT) buf_printf(&b, ",\"acked\":%u,\"total\":%u", ev->acked, ev->total);
    if (ev->legacy) buf_append_str(&b, ",\"legacy\":true");
    buf_printf(&b, ",\"time\":%lld}", (long long)time(NULL));
    write_out(fe, &b, 0);
    buf_free(&b);
}

/* SGR colour of a whole plain line (the console only): errors red, notices yellow, the
 * text of private messages magenta, room and connection news grey; NULL for none. */
static const char *line_style(const chat_event *ev)
{
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

static void render_message(const frontend *fe, buf *b, const chat_event *ev, const char *style)
{
    if (ev->flags & CHAT_ACTION) {
        buf_append_str(b, "* ");
        add_nick(fe, b, ev->from, style);
        buf_append_byte(b, ' ');
    } else if (ev->flags & CHAT_PRIVATE) {
        buf_append_str(b, "*");
        add_nick(fe, b, ev->from, style);
        buf_append_str(b, "* ");
    } else {
        buf_append_str(b, "<");
        add_nick(fe, b, ev->from, style);
        buf_append_str(b, "> ");
    }
    add_safe(b, ev->text);
}

static void render_other(buf *b, const chat_event *ev, const char *text)
{
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
    case EV_DELIVERED_LATE: buf_printf(b, "-- delivered after all (message %u)", ev->id); break;
    case EV_MISSED: buf_append_str(b, "!! "); add_safe(b, text); break;
    case EV_SHUTDOWN: buf_append_str(b, "-- the server is shutting down"); if (text && *text) { buf_append_str(b, ": "); add_safe(b, text); } break;
    default: buf_append_str(b, "-- "); add_safe(b, text); break;
    }
}

static void roster_commas(char *t)
{
    for (; t && *t; t++) if (*t == '\n') *t = ',';
}

void frontend_event(frontend *fe, const chat_event *ev)
{
    char *text = NULL;
    if (ev->type == EV_SENT) remember_sent(fe, ev->id, ev->text);
    if (ev->type == EV_DELIVERED || ev->type == EV_UNDELIVERED || ev->type == EV_RECEIPT)
        text = forget_sent(fe, ev->id);
    if (ev->type == EV_REFUSED && fe->mode != FE_SERVER) fe->exit_code = 1; /* a server logs others' refusals */
    if (ev->type == EV_LEAVE && ev->reason == LEAVE_KICKED && ev->from && strcmp(ev->from, fe->nick) == 0)
        fe->exit_code = 1;
    if (fe->mode == FE_JOIN && ((ev->type == EV_STATUS && ev->from) ||
                                (ev->type == EV_NICK && ev->from && ev->to && strcmp(ev->from, fe->nick) == 0))) {
        free(fe->nick);
        fe->nick = str_dup(ev->type == EV_NICK ? ev->to : ev->from);
        if (fe->sink) fe->sink->set_prompt(fe->nick); /* the prompt shows it (not in line mode) */
    }
    const char *t = text ? text : ev->text;
    if (fe->json) {
        const char *name = chat_event_name(ev->type);
        render_json(fe, ev, name, ev->type == EV_DELIVERED ? NULL : t);
    } else if (ev->type != EV_SENT && ev->type != EV_DELIVERED && ev->type != EV_RELAYED) {
        buf b = {0};
        char *roster = ev->type == EV_ROSTER ? str_dup(t) : NULL;
        roster_commas(roster);
        add_time(&b);
        const char *style = fe->color ? line_style(ev) : NULL;
        if (style) buf_printf(&b, "\x1b[%sm", style);
        if (ev->type == EV_MESSAGE) render_message(fe, &b, ev, style);
        else render_other(&b, ev, roster ? roster : t);
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
    free(text);
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
