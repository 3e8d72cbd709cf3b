/* console.h -- the interactive console: typing stays on the bottom row, chat lines scroll above */
#ifndef UDPCHAT_CONSOLE_H
#define UDPCHAT_CONSOLE_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "udpchat/charset.h"
#include "udpchat/lineedit.h"

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
    /* Input history that lasts (interactive only): "lan" keeps typed lines in the file
     * history-lan of udpchat's state folder (see "Input history" below); NULL: none. */
    const char *history;
    /* The terminal title while lines come unseen: "udpchat" shows "(3) udpchat" (our own
     * text only, sanitised; the title is given back on focus and at exit); NULL: none. */
    const char *title;
} console_options;

/* What the app prints through (valid until console_stop). In line mode interactive and
 * color are 0, shows() is 0 and print/set_prompt do nothing. */
typedef struct console_sink {
    int interactive;    /* 1: raw terminal, the typed line kept on the bottom row */
    int color;          /* 1: colours may be used on the console's terminal */
    int (*shows)(FILE *f);                          /* 1: lines for f go through print */
    void (*print)(const char *line, size_t len);    /* one line above the input row */
    /* a line that may change later: replace(tag, ...) rewrites it (tag != 0) */
    void (*print_tagged)(uint64_t tag, const char *line, size_t len);
    /* 1 if the line printed with tag is on screen and was rewritten in place (same rows);
     * 0 if not (scrolled away, or now of another height): the caller says it otherwise.
     * Either way Ctrl-L shows the new text. */
    int (*replace)(uint64_t tag, const char *line, size_t len);
    void (*set_prompt)(const char *nick);           /* "[nick] > " (NULL: "> ") */
    /* someone else's line was just printed: ring = 1 rings the bell (BEL); while the
     * terminal has not the focus, the line is counted in the title (console_alert) */
    void (*alert)(int ring);
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
/* The sink's print_tagged and replace (see console_sink). Any thread. */
void console_print_tagged(uint64_t tag, const char *line, size_t len);
int console_replace(uint64_t tag, const char *line, size_t len);
/* The sink's alert. Focus: the console turns on the terminal's focus reports (CSI ?1004h;
 * off at exit) and reads ESC [ I / ESC [ O as focus in / out, never as text. Until the
 * terminal reports focus out, it is taken as focused: a terminal that never reports focus
 * (the Linux console, most serial lines) never gets its title changed, which is what
 * the user of such a terminal expects. While unfocused, each alert counts one unseen line
 * and the title says "(N) TITLE"; focus in (or a key typed) resets the count and gives
 * the terminal its own title back (xterm's title stack; SetConsoleTitleW on Windows). */
void console_alert(int ring);
/* Input history: with o->history set, console_start loads the file (the newest 1000
 * lines, oldest first, for Up and Ctrl-R) and appends each entered line to it; loading
 * and console_stop compact it to the newest 1000. The file is
 * $XDG_STATE_HOME/udpchat/history-NAME (~/.local/state/udpchat/ without XDG_STATE_HOME;
 * %APPDATA%\udpchat\ on Windows), mode 0600, UTF-8. Lines with control characters or
 * over 4096 bytes are never stored. A file that cannot be read or holds lines that are
 * not text gives one "!!" line above the input row, and the chat goes on. */

/* Keys (beyond lineedit's editing keys):
 *   Tab     completes the word before the cursor with the names a completer offers (see
 *           console_set_completer and "Tab completion" in lineedit.h): one name is put in
 *           whole with its suffix, several extend the word to their common prefix, then
 *           each Tab shows the next one. No completer: Tab types a space.
 *   Ctrl-L  repaints the screen, as irssi's Ctrl-L does: the terminal is cleared, the last
 *           lines printed through the sink that fit (up to 256 kept) are printed again and
 *           the input row, text and cursor as they were, follows them. Garbage that another
 *           program wrote is gone, the chat is not. (The terminal's scrollback above keeps
 *           what it had; some terminals also move the cleared screen into it.) */

/* Tab's completer: called on the input thread, with the console's lock held, each time
 * Tab starts a completion (not for the Tabs that cycle). word[0..word_len) is the UTF-8
 * word before the cursor; at_line_start is 1 when it begins the line. It offers names
 * with lineedit_offer(c, name, suffix) -- all it knows, or only those that fit: the
 * console keeps those that begin with the word (ASCII letters in any case) in the order
 * offered. It must not call the console (print, set_prompt) and must not wait for a lock
 * that a thread holds while calling the console. */
typedef lineedit_complete_fn console_complete_fn;
/* Sets (fn) or removes (NULL) Tab's completer; ctx must stay valid while it is set. Call
 * it from the thread that calls console_start, before or after it (it is kept across
 * console_stop). Line mode ignores it. */
void console_set_completer(console_complete_fn fn, void *ctx);

/* Called by main() with the exit code. Where the console window belongs to udpchat alone
 * (Windows, started by a double-click or from the Start menu) and the exit code is not 0,
 * waits for Enter so the user can read the error before the window closes. Elsewhere it
 * does nothing. */
void console_hold_on_error(int exit_code);
/* The sink's set_prompt: "[nick] > " (nick is sanitised first); NULL shows "> ". */
void console_set_nick(const char *nick);

#endif
