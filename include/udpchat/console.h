/* console.h -- the interactive console: typing stays on the bottom row, chat lines scroll above */
#ifndef UDPCHAT_CONSOLE_H
#define UDPCHAT_CONSOLE_H
#include <stddef.h>
#include <stdio.h>
#include "udpchat/charset.h"

/* The console knows nothing of the chat: it hands each typed line to whoever started it
 * and prints the lines it is given. */

/* Receives each entered line (UTF-8, heap: the callee owns and frees it), then NULL at
 * end of input (Ctrl-C, Ctrl-D on an empty line, end of stdin). Called on the input thread. */
typedef void (*console_line_fn)(void *ctx, char *line);

typedef struct console_options {
    charset_id cs;      /* the terminal's charset */
    int line_mode;      /* 1: plain lines even on a terminal (for --json) */
    int no_color;       /* 1: no colours (NO_COLOR set and not empty does the same) */
    const char *prompt_nick; /* the prompt is "[nick] > ", or "> " when NULL */
} console_options;

/* What the app prints through (valid until console_stop). In line mode interactive and
 * color are 0, shows() is 0 and print/set_prompt do nothing. */
typedef struct console_sink {
    int interactive;    /* 1: raw terminal, the typed line kept on the bottom row */
    int color;          /* 1: colours may be used on the console's terminal */
    int (*shows)(FILE *f);                          /* 1: lines for f go through print */
    void (*print)(const char *line, size_t len);    /* one line above the input row */
    void (*set_prompt)(const char *nick);           /* "[nick] > " (NULL: "> ") */
} console_sink;

/* Starts the input. When stdin and stdout are terminals (and TERM is not "dumb") and not
 * o->line_mode: raw mode, the prompt, and an input thread that edits the line and hands
 * each entered one to on_line(ctx, line); the sink is interactive. Otherwise line mode:
 * a thread reads stdin lines (input_start). */
const console_sink *console_start(const console_options *o, console_line_fn on_line, void *ctx);
/* Stops the input thread, erases the input row and restores the terminal mode. Call it
 * from the thread that called console_start. Does nothing if the console is not running.
 * The terminal is also restored at exit (atexit), whatever path the program takes. */
void console_stop(void);
/* 1 while the console runs (between console_start returning 1 and console_stop). */
int console_active(void);
/* 1 if the console runs and `f` writes to its terminal: stdout, or stderr when that is the
 * same terminal (not redirected). Lines for such an f go through console_print. */
int console_shows(FILE *f);
/* The sink's print: one line above the input row, then the prompt and the typed text are
 * redrawn with the cursor where it was. `line` is UTF-8 already made safe (utf8_sanitize)
 * plus, at most, our own SGR colour codes; a trailing '\n' is dropped. Any thread. */
void console_print(const char *line, size_t len);
/* Called by main() with the exit code. Where the console window belongs to udpchat alone
 * (Windows, started by a double-click or from the Start menu) and the exit code is not 0,
 * waits for Enter so the user can read the error before the window closes. Elsewhere it
 * does nothing. */
void console_hold_on_error(int exit_code);
/* The sink's set_prompt: "[nick] > " (nick is sanitised first); NULL shows "> ". */
void console_set_nick(const char *nick);

#endif
