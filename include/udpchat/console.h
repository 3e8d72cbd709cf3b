/* console.h -- the interactive console: typing stays on the bottom row, chat lines scroll above */
#ifndef UDPCHAT_CONSOLE_H
#define UDPCHAT_CONSOLE_H
#include <stddef.h>
#include <stdio.h>
#include "udpchat/frontend.h"
#include "udpchat/queue.h"

/* Starts the front end's input. When stdin and stdout are terminals (and TERM is not
 * "dumb") and fe->json is 0: puts the terminal in raw mode, draws the prompt ("> " for a
 * server, else "[nick] > ") and starts an input thread that edits the line and posts each
 * entered line with runner_post_input to `events` (UTF-8), then NULL after Ctrl-C, or
 * Ctrl-D on an empty line; sets fe->color unless no_color is 1 or NO_COLOR is set and not
 * empty; returns 1. Otherwise starts line mode with input_start and returns 0. */
int console_start(queue *events, frontend *fe, int no_color);
/* Stops the input thread, erases the input row and restores the terminal mode. Call it
 * from the thread that called console_start. Does nothing if the console is not running.
 * The terminal is also restored at exit (atexit), whatever path the program takes. */
void console_stop(void);
/* 1 while the console runs (between console_start returning 1 and console_stop). */
int console_active(void);
/* 1 if the console runs and `f` writes to its terminal: stdout, or stderr when that is the
 * same terminal (not redirected). Lines for such an f go through console_print. */
int console_shows(FILE *f);
/* Prints one line above the input row and redraws the prompt and the typed text with the
 * cursor where it was. `line` is UTF-8 already made safe (utf8_sanitize) plus, at most,
 * our own SGR colour codes; a trailing '\n' is dropped. Any thread. */
void console_print(const char *line, size_t len);
/* Called by main() with the exit code. Where the console window belongs to udpchat alone
 * (Windows, started by a double-click or from the Start menu) and the exit code is not 0,
 * waits for Enter so the user can read the error before the window closes. Elsewhere it
 * does nothing. */
void console_hold_on_error(int exit_code);
/* Shows "[nick] > " as the prompt (nick is sanitised first); NULL shows "> ". */
void console_set_nick(const char *nick);

#endif
