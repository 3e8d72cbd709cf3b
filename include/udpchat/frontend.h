/* frontend.h -- turns events into lines (plain or JSON) and typed lines into commands */
#ifndef UDPCHAT_FRONTEND_H
#define UDPCHAT_FRONTEND_H
#include <stdio.h>
#include "udpchat/buf.h"
#include "udpchat/charset.h"
#include "udpchat/console.h"
#include "udpchat/event.h"
#include "udpchat/model.h"
#include "udpchat/runner.h"

typedef enum frontend_mode { FE_PEER, FE_JOIN, FE_SERVER, FE_LAN } frontend_mode;

struct history_rec;

typedef struct frontend {
    frontend_mode mode;
    int json;
    int color;          /* 1: ANSI colours in plain lines (from the console sink; 0 by default) */
    const console_sink *sink; /* where plain lines to a terminal go (NULL: straight to out) */
    charset_id cs;      /* console charset for plain output (JSON is always UTF-8) */
    FILE *out;
    int exit_code;      /* set to 1 when refused or kicked */
    char *nick;         /* our nick as last confirmed */
    char *target;       /* LAN mode: the peer plain lines go to (/to), NULL = everyone */
    model *model;       /* the chat the lines render (owned) */
    struct recorder *rec; /* the history (owned; NULL: --no-history) */
    struct held *held;  /* lines waiting for the history's commit (frontend_release) */
    size_t nheld, capheld;
    int holding;        /* 1: new lines wait in `held` */
    int bell;           /* 1 (default): a private message or a mention rings the terminal's bell;
                         * 0: --no-bell (the settings' "bell" key sets it too, before app_run) */
    int history;        /* 1 (default): typed lines are kept across runs, in the file
                         * history-MODE (console.h); 0: --no-history */
    struct transfer_engine *files; /* LAN mode: file transfers (not owned; NULL: off) */
    const char *download_dir;      /* LAN mode: where /accept puts files (not owned) */
    /* The window: messages read back from the history (/history, /search, where the chat
     * left off) go to history_view instead of out, when it is set. */
    void (*history_view)(void *ctx, const struct history_rec *r, int where);
    void *history_ctx;
} frontend;

void frontend_init(frontend *fe, frontend_mode mode, int json, charset_id cs, const char *nick);
void frontend_free(frontend *fe);
/* Applies one event to the model and renders what changed (call from one thread). */
void frontend_event(frontend *fe, const chat_event *ev);
/* Parses a typed line (UTF-8). Returns a command for the core (caller hands it to the
 * runner), or NULL if there is nothing to send (empty line, /help, an error already
 * printed). */
core_command *frontend_parse(frontend *fe, const char *line);
/* The command words of a mode ("/msg", "/help", ...), for completion; returns how many
 * (at most max written). */
size_t frontend_command_names(frontend_mode mode, const char **out, size_t max);
/* Notifications (notify.c), after an event was rendered: someone else's message asks the
 * console for attention -- the bell when fe->bell and the message is private to us or
 * names our nick, and one more unseen line in the title while the terminal is unfocused.
 * Nothing in --json or line mode. */
void frontend_notify(frontend *fe, const chat_event *ev, const model_msg *g);
/* The name of a mode ("lan", "join", "peer", "server"): its input history file's suffix. */
const char *frontend_mode_name(frontend_mode mode);
/* Shows "[nick] > ", or "[nick -> target] > " after /to, as the console's prompt. */
void frontend_prompt(frontend *fe);
/* Prints an error or info line in the current output style. */
void frontend_error(frontend *fe, const char *text);
void frontend_info(frontend *fe, const char *text);

/* A message read back from the history, marked as such (dimmed, with its date; where: with
 * its place and conversation), or handed to fe->history_view. */
void frontend_history(frontend *fe, const struct history_rec *r, int where);
/* Holding: new lines wait until frontend_release, so that the history has what is shown
 * before it is shown (a changed line, as a turning mark, is not held). */
void frontend_hold(frontend *fe, int on);
void frontend_release(frontend *fe);
/* File transfer commands and lines (cmd_files.c, frontend_files.c; LAN mode). A typed
 * /send, /accept, /decline, /transfers or /cancel: 1 and *out (a command for the core, or
 * NULL); 0 if the line is none of these. */
int cmd_files_parse(frontend *fe, const char *name, size_t n, const char *rest, core_command **out);
void cmd_files_help(frontend *fe);
size_t cmd_files_names(frontend_mode mode, const char **out, size_t max);
/* 1536 -> "1.5 KB" (powers of 1024, one decimal), appended to b. */
void frontend_human_size(buf *b, uint64_t n);
/* A file event as a plain line (1 if ev is one) or as JSON fields. */
int frontend_files_line(frontend *fe, const chat_event *ev, buf *b);
void frontend_files_json(frontend *fe, const chat_event *ev, buf *b);

/* Appends s as a JSON string literal (with quotes) to b; s must be valid UTF-8. */
void json_append_string(buf *b, const char *s);

#endif
