/* frontend.c -- line-mode and JSON rendering of chat events; parsing of typed commands */
#include "udpchat/frontend.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "udpchat/console.h"
#include "udpchat/history.h"
#include "udpchat/mem.h"
#include "udpchat/record.h"
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
    fe->bell = 1;
    fe->history = 1;
}

/* A line waiting for the history's commit: printed through the sink (tag: print_tagged)
 * or written to out (encode: in the console charset). */
struct held {
    char *line;
    size_t len;
    uint64_t tag;
    int sink, encode;
};

void frontend_free(frontend *fe)
{
    frontend_release(fe);
    free(fe->held);
    record_close(fe->rec);
    model_destroy(fe->model);
    free(fe->nick);
    free(fe->target);
}

static void hold(frontend *fe, const buf *line, uint64_t tag, int sink, int encode)
{
    if (fe->nheld == fe->capheld) {
        fe->capheld = fe->capheld ? 2 * fe->capheld : 64;
        fe->held = xreallocarray(fe->held, fe->capheld, sizeof *fe->held);
    }
    struct held *h = &fe->held[fe->nheld++];
    h->line = xmalloc(line->len + 1);
    memcpy(h->line, line->data, line->len);
    h->line[line->len] = '\0';
    h->len = line->len;
    h->tag = tag;
    h->sink = sink;
    h->encode = encode;
}

static void write_now(frontend *fe, buf *line, int encode)
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

static void write_out(frontend *fe, buf *line, int encode)
{
    if (fe->holding) hold(fe, line, 0, 0, encode);
    else write_now(fe, line, encode);
}

/* A line whose mark may turn: through the sink, tagged. */
static void write_tagged(frontend *fe, buf *line, uint64_t tag)
{
    if (fe->holding) hold(fe, line, tag, 1, 1);
    else fe->sink->print_tagged(tag, line->data, line->len);
}

void frontend_hold(frontend *fe, int on) { fe->holding = on; }

/* A tagged line still held takes its new text there (1), else 0. */
static int replace_held(frontend *fe, uint64_t tag, const buf *line)
{
    for (size_t i = fe->nheld; i-- > 0;) {
        struct held *h = &fe->held[i];
        if (!h->sink || h->tag != tag) continue;
        free(h->line);
        h->line = xmalloc(line->len + 1);
        memcpy(h->line, line->data, line->len);
        h->line[line->len] = '\0';
        h->len = line->len;
        return 1;
    }
    return 0;
}

void frontend_release(frontend *fe)
{
    for (size_t i = 0; i < fe->nheld; i++) {
        struct held *h = &fe->held[i];
        if (h->sink) {
            fe->sink->print_tagged(h->tag, h->line, h->len);
        } else {
            buf b = {0};
            buf_append(&b, h->line, h->len);
            write_now(fe, &b, h->encode);
            buf_free(&b);
        }
        free(h->line);
    }
    fe->nheld = 0;
}

static void add_time(buf *b, time_t t)
{
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

/* LAN mode's extras: "sealed" (and "opened" once it has its text), "auto" (an away peer's
 * automatic answer), "away" (EV_AWAY: true, or false when back). */
static void json_lan_fields(buf *b, const chat_event *ev)
{
    if ((ev->type == EV_MESSAGE || ev->type == EV_SENT) && (ev->flags & CHAT_SEALED)) {
        buf_append_str(b, ",\"sealed\":true");
        if (ev->type == EV_MESSAGE && ev->text) buf_append_str(b, ",\"opened\":true");
    }
    if (ev->type == EV_MESSAGE && (ev->flags & CHAT_AUTOREPLY)) buf_append_str(b, ",\"auto\":true");
    if (ev->type == EV_AWAY) buf_printf(b, ",\"away\":%s", ev->text ? "true" : "false");
    if (ev->type == EV_JOIN) json_field(b, "group", ev->group);
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
    json_lan_fields(&b, ev);
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
    if (ev->type == EV_MESSAGE && (ev->flags & CHAT_PRIVATE)) return "1;95"; /* to us alone: bold magenta */
    if (g && g->mention) return "1;93"; /* our nick is named: bold, bright yellow */
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

/* Columns s[0..n) takes on screen (our SGR colour sequences take none). */
static size_t visible_width(const char *s, size_t n)
{
    buf plain = {0};
    for (size_t i = 0; i < n; i++) {
        if (s[i] == 0x1b) {
            while (i < n && s[i] != 'm') i++;
            continue;
        }
        buf_append_byte(&plain, (uint8_t)s[i]);
    }
    size_t w = plain.len ? utf8_width(plain.data, plain.len) : 0;
    buf_free(&plain);
    return w;
}

/* Text of several lines (a paste, or CR LF from IP Messenger): each line made safe, the
 * lines after the first indented under it. */
static void add_lines(buf *b, const char *text, size_t line_start)
{
    if (!text) return;
    size_t indent = visible_width(b->data + line_start, b->len - line_start);
    if (indent > 40) indent = 40;
    for (const char *p = text;;) {
        size_t n = strcspn(p, "\n");
        utf8_sanitize(p, n, 0, b);
        if (!p[n]) break;
        buf_append_byte(b, '\n');
        for (size_t i = 0; i < indent; i++) buf_append_byte(b, ' ');
        p += n + 1;
    }
}

/* LAN mode's marks before a text: sealed (not opened yet: how to open it), opened, an
 * automatic answer. */
static void add_marks(buf *b, const chat_event *ev, const model_msg *g)
{
    if (ev->flags & CHAT_AUTOREPLY) buf_append_str(b, "[auto-reply] ");
    if (!(ev->flags & CHAT_SEALED)) return;
    if (g->own) buf_append_str(b, "[sealed] ");
    else if (g->text) buf_printf(b, "[sealed %u, opened] ", ev->id);
    else buf_printf(b, "[sealed message %u: /open %u shows it]", ev->id, ev->id);
}

/* A chat line from the model: "<nick> text", "* nick text", "*nick* text" (private to us),
 * "-> nick: text" (our private message). */
static void render_message(const frontend *fe, buf *b, const chat_event *ev, const model_msg *g,
                           const char *style)
{
    size_t line_start = 0;
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
    add_marks(b, ev, g);
    add_lines(b, g->text, line_start);
}

/* LAN mode's own lines; 0 if ev is not one of them. */
static int render_lan(const frontend *fe, buf *b, const chat_event *ev, const char *text)
{
    int peer_nick = ev->type == EV_NICK && ev->from && strcmp(ev->from, fe->nick) != 0;
    int peer_notice = ev->type == EV_NOTICE && ev->from && ev->flags != NOTICE_ADMIN;
    if (fe->mode != FE_LAN || !(peer_nick || peer_notice || ev->type == EV_LEAVE)) {
        if (ev->type == EV_READ) {
            buf_append_str(b, "-- read by ");
            add_safe(b, ev->from);
            buf_append_str(b, ": ");
            add_safe(b, text);
            return 1;
        }
        if (ev->type != EV_AWAY) return 0;
        buf_append_str(b, "-- ");
        if (ev->from) add_safe(b, ev->from), buf_append_str(b, ev->text ? " is away: " : " is back");
        else buf_append_str(b, ev->text ? "you are away (each peer's first message gets it as an answer): "
                                        : "you are back");
        add_safe(b, ev->text);
        return 1;
    }
    buf_append_str(b, "-- ");
    add_safe(b, ev->from);
    if (peer_nick) buf_append_str(b, " is now known as "), add_safe(b, ev->to);
    if (peer_notice) buf_append_byte(b, ' '), add_safe(b, text);
    if (ev->type == EV_LEAVE) {
        buf_append_str(b, " left");
        if (text && *text) buf_append_str(b, " ("), add_safe(b, text), buf_append_str(b, ")");
    }
    return 1;
}

static void render_other(const frontend *fe, buf *b, const chat_event *ev, const char *text)
{
    if (render_lan(fe, b, ev, text)) return;
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

/* The mark after our own line on a terminal, turned in place as the model's state
 * changes: [..] queued, [relayed], [ok], [3/5] (room receipt), [failed], [ok, late]. */
static void add_mark(const frontend *fe, buf *b, const model_msg *g)
{
    static const char *const color[] = {"90", "90", "90", "32", "1;31", "1;31", "33"};
    if (fe->color) buf_printf(b, " \x1b[%sm", color[g->state]);
    else buf_append_byte(b, ' ');
    switch (g->state) {
    case MSG_STATE_RELAYED: buf_append_str(b, "[relayed]"); break;
    case MSG_STATE_DELIVERED: buf_append_str(b, "[ok]"); break;
    case MSG_STATE_PARTIAL: buf_printf(b, "[%u/%u]", g->acked, g->total); break;
    case MSG_STATE_UNDELIVERED: buf_append_str(b, "[failed]"); break;
    case MSG_STATE_LATE: buf_append_str(b, "[ok, late]"); break;
    default: buf_append_str(b, "[..]"); break;
    }
    if (fe->color) buf_append_str(b, "\x1b[0m");
}

static void build_line(frontend *fe, buf *b, const chat_event *ev, const model_msg *g, const char *t, time_t when)
{
    char *roster = ev->type == EV_ROSTER ? str_dup(t) : NULL;
    roster_commas(roster);
    add_time(b, when);
    const char *style = fe->color ? line_style(ev, g) : NULL;
    if (style) buf_printf(b, "\x1b[%sm", style);
    if (g && (ev->type == EV_MESSAGE || ev->type == EV_SENT)) render_message(fe, b, ev, g, style);
    else if (!frontend_files_line(fe, ev, b)) render_other(fe, b, ev, roster ? roster : t);
    if (fe->mode == FE_SERVER && ev->address) { /* the log says where from */
        buf_append_str(b, " [");
        add_safe(b, ev->address);
        buf_append_str(b, "]");
    }
    if (fe->color) buf_append_str(b, "\x1b[0m");
    free(roster);
}

/* 1 when our lines go to an interactive terminal, where a line can change. */
static int marks_turn(const frontend *fe)
{
    return fe->sink && fe->sink->interactive && fe->sink->shows(fe->out);
}

static void render_line(frontend *fe, const chat_event *ev, const model_msg *g, const char *t)
{
    buf b = {0};
    build_line(fe, &b, ev, g, t, time(NULL));
    if (ev->type == EV_SENT && g && marks_turn(fe)) {
        add_mark(fe, &b, g);
        write_tagged(fe, &b, g->seq);
    } else {
        write_out(fe, &b, 1);
    }
    buf_free(&b);
}

/* Our own line again, with the mark of its new state, over the old one if it is still on
 * screen. Returns 0 when it is not (the report then gets a line of its own). */
static int turn_mark(frontend *fe, const model_msg *g)
{
    if (!marks_turn(fe)) return 0;
    chat_event sent = {0};
    sent.type = EV_SENT;
    buf b = {0};
    build_line(fe, &b, &sent, g, g->text, (time_t)g->time);
    add_mark(fe, &b, g);
    int shown = replace_held(fe, g->seq, &b) || fe->sink->replace(g->seq, b.data, b.len);
    buf_free(&b);
    return shown;
}

void frontend_event(frontend *fe, const chat_event *ev)
{
    /* a share learns its packet number, or is declined; a RELEASEFILES for no share of ours is not shown */
    if (!transfer_note(fe->files, ev) && ev->type == EV_FILE_RELEASED) return;
    const model_msg *g = model_apply(fe->model, ev);
    if (g) record_note(fe->rec, fe->model, g);
    else if (ev->type == EV_FILE_OFFER) record_offer(fe->rec, fe->model, ev);
    if (ev->type == EV_REFUSED && fe->mode != FE_SERVER) fe->exit_code = 1; /* a server logs others' refusals */
    if (ev->type == EV_LEAVE && ev->reason == LEAVE_KICKED && ev->from && strcmp(ev->from, fe->nick) == 0)
        fe->exit_code = 1;
    follow_nick(fe, ev);
    int about_ours = g && g->own && ev->type != EV_SENT; /* a delivery report: our text */
    const char *t = about_ours ? g->text : ev->text;
    if (fe->json) render_json(fe, ev, g, chat_event_name(ev->type), ev->type == EV_DELIVERED ? NULL : t);
    else if (about_ours && turn_mark(fe, g)) return; /* the mark on our line said it */
    else if (!quiet(ev)) render_line(fe, ev, g, t);
    frontend_notify(fe, ev, g);
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

/* ---- the history, read back ---- */

static void history_json(frontend *fe, const history_rec *r)
{
    buf b = {0};
    buf_printf(&b, "{\"event\":\"history\",\"id\":%lld,\"time\":%lld", (long long)r->id, (long long)r->time);
    const char *keys[] = {"place", "conversation", "from", "to", "address", "kind", "state", "text"};
    const char *vals[] = {r->place, r->conv, r->sender, r->recipient, r->address, r->kind, r->state, r->text};
    for (int i = 0; i < 8; i++)
        if (vals[i] && (*vals[i] || i == 1)) json_field(&b, keys[i], vals[i]);
    buf_printf(&b, ",\"own\":%s}", r->own ? "true" : "false");
    write_out(fe, &b, 0);
    buf_free(&b);
}

void frontend_history(frontend *fe, const history_rec *r, int where)
{
    if (fe->history_view) {
        fe->history_view(fe->history_ctx, r, where);
        return;
    }
    if (fe->json) {
        history_json(fe, r);
        return;
    }
    buf b = {0};
    time_t t = (time_t)r->time;
    struct tm *tm = localtime(&t);
    if (fe->color) buf_append_str(&b, "\x1b[2m");
    if (tm) buf_printf(&b, "%04d-%02d-%02d %02d:%02d ", tm->tm_year + 1900, tm->tm_mon + 1, tm->tm_mday, tm->tm_hour, tm->tm_min);
    if (where) { /* which conversation: "[lan] ", "[join 10.0.0.1:9000, bob] " */
        buf_append_byte(&b, '[');
        add_safe(&b, r->place);
        if (*r->conv) buf_append_str(&b, ", "), add_safe(&b, r->conv);
        buf_append_str(&b, "] ");
    }
    int private_ = strcmp(r->kind, "private") == 0 || strcmp(r->kind, "file") == 0; /* offers are between two */
    if (strcmp(r->kind, "action") == 0) buf_append_str(&b, "* "), add_safe(&b, r->sender), buf_append_byte(&b, ' ');
    else if (private_ && r->own) buf_append_str(&b, "-> "), add_safe(&b, r->recipient), buf_append_str(&b, ": ");
    else if (private_) buf_append_byte(&b, '*'), add_safe(&b, r->sender), buf_append_str(&b, "* ");
    else buf_append_byte(&b, '<'), add_safe(&b, r->sender), buf_append_str(&b, "> ");
    add_safe(&b, r->text);
    if (r->own && strcmp(r->state, "undelivered") == 0) buf_append_str(&b, " [failed]");
    if (fe->color) buf_append_str(&b, "\x1b[0m");
    write_out(fe, &b, 1);
    buf_free(&b);
}
