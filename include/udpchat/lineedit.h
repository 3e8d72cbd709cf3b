/* lineedit.h -- a platform-independent line editor: UTF-8 text, cursor, keys, history, one-row rendering */
#ifndef UDPCHAT_LINEEDIT_H
#define UDPCHAT_LINEEDIT_H
#include <stddef.h>
#include "udpchat/buf.h"

typedef enum le_key {
    LE_KEY_NONE = 0,   /* ignored: an unknown escape sequence, a stray control, Alt-x */
    LE_KEY_TEXT,       /* insert le_event.text (one printable character) */
    LE_KEY_ENTER,      /* CR or LF */
    LE_KEY_LEFT,       /* Left, Ctrl-B */
    LE_KEY_RIGHT,      /* Right, Ctrl-F */
    LE_KEY_HOME,       /* Home, Ctrl-A */
    LE_KEY_END,        /* End, Ctrl-E */
    LE_KEY_UP,         /* Up, Ctrl-P: older history */
    LE_KEY_DOWN,       /* Down, Ctrl-N: newer history */
    LE_KEY_BACKSPACE,  /* DEL (0x7f), Ctrl-H */
    LE_KEY_DELETE,     /* ESC [ 3 ~ */
    LE_KEY_KILL_START, /* Ctrl-U: delete from the start of the line to the cursor */
    LE_KEY_KILL_END,   /* Ctrl-K: delete from the cursor to the end */
    LE_KEY_KILL_WORD,  /* Ctrl-W: delete the word before the cursor */
    LE_KEY_SEARCH,     /* Ctrl-R: search the history backwards (reverse-i-search) */
    LE_KEY_CANCEL,     /* Ctrl-G: leave the search, the line as it was */
    LE_KEY_ESCAPE,     /* a lone ESC (no sequence followed): as Ctrl-G in a search */
    LE_KEY_FOCUS_IN,   /* ESC [ I: the terminal got the focus (focus reporting, never text) */
    LE_KEY_FOCUS_OUT,  /* ESC [ O: the terminal lost it */
    LE_KEY_EOF,        /* Ctrl-D: quit on an empty line, else delete at the cursor */
    LE_KEY_INTERRUPT,  /* Ctrl-C (byte 0x03 in raw mode): quit */
    LE_KEY_REDRAW,     /* Ctrl-L: repaint the screen */
    LE_KEY_COMPLETE,   /* Tab: complete the word before the cursor */
    LE_KEY_PASTE_START, /* ESC [ 200 ~: a bracketed paste begins (the console asks for them) */
    LE_KEY_PASTE_END   /* ESC [ 201 ~: it ends */
} le_key;

typedef struct le_event {
    le_key key;
    char text[5];      /* LE_KEY_TEXT: the character's UTF-8, NUL-terminated; LE_KEY_ENTER:
                          "\r" or "\n" (which byte it was) */
} le_event;

/* Parses one key from in[0..len): UTF-8 text mixed with control bytes and VT escape
 * sequences (CSI "ESC [ ... final", SS3 "ESC O x"). Returns the bytes consumed (>= 1)
 * and fills *ev; returns 0 if len is 0 or in holds only the beginning of a sequence
 * (call again when more bytes came). With final = 1 nothing is left waiting: a lone ESC
 * is LE_KEY_ESCAPE, a cut sequence LE_KEY_NONE. Controls, DEL, C1 controls, bidi
 * controls and U+2028/9 never become LE_KEY_TEXT (Tab is LE_KEY_COMPLETE); the focus
 * reports ESC [ I and ESC [ O are LE_KEY_FOCUS_IN / _OUT. */
size_t lineedit_parse_key(const char *in, size_t len, int final, le_event *ev);

typedef enum le_result {
    LE_NOTHING = 0, /* nothing changed */
    LE_CHANGED,     /* text, cursor or prompt changed: redraw */
    LE_LINE,        /* a line was entered */
    LE_QUIT,        /* Ctrl-C, or Ctrl-D on an empty line */
    LE_REDRAW       /* Ctrl-L: repaint the whole screen (lineedit_render_screen) */
} le_result;

/* ---- Tab completion (irssi / WeeChat style) ----
 * Tab completes the word before the cursor (the bytes back to the previous space). The
 * editor asks a completer for names, keeps those that begin with the word (ASCII letters
 * in any case, other characters exactly) and then:
 *   - one name: the word becomes the name plus its suffix (": " after a nick at the start
 *     of the line, " " after a command or a nick later in the line: the completer says);
 *   - several: the first Tab extends the word to their longest common prefix (spelled as
 *     the first name offered); when that adds nothing, it shows the first name instead.
 *     Each further Tab replaces the word with the next name plus its suffix, in the
 *     order offered, round and round. Any other key (but Ctrl-L) ends the cycle;
 *   - a suffix's final space is not doubled when the text after the cursor starts with a
 *     space: the cursor moves past that one;
 *   - none, or no word before the cursor: nothing happens.
 * Without a completer Tab inserts a space (as before completion existed). */

typedef struct le_cand {
    char *text;        /* the name followed by its suffix, NUL-terminated */
    size_t name_len;   /* bytes of the name alone */
} le_cand;

/* The candidates being gathered or cycled through (inside the editor). */
typedef struct le_completion {
    const char *word;  /* while the completer runs: the word (not NUL-terminated) */
    size_t word_len;
    le_cand *cand;     /* names kept, in the order offered */
    size_t n, cap;
    size_t start;      /* byte offset of the word in the text */
    size_t shown;      /* while cycling: the candidate shown (n: the common prefix) */
    int cycling;       /* 1 while further Tabs cycle */
} le_completion;

/* Called on Tab with the word before the cursor (UTF-8, word_len bytes, not NUL-terminated)
 * and at_line_start = 1 if the word begins the line. Offers names with lineedit_offer; it
 * may offer every name it knows and leave the filtering to the editor. */
typedef void (*lineedit_complete_fn)(void *ctx, const char *word, size_t word_len, int at_line_start,
                                     le_completion *c);
/* Offers one name (UTF-8, copied) and its suffix (copied; NULL means none). Ignored if
 * name does not begin with the word or was offered already. */
void lineedit_offer(le_completion *c, const char *name, const char *suffix);

/* The editor owns all its strings. Zero-init is not enough: use lineedit_init. */
typedef struct lineedit {
    buf text;          /* UTF-8 being edited (never holds a control character) */
    size_t cursor;     /* byte offset into text, always on a character boundary */
    char *prompt;      /* UTF-8, printable */
    size_t scroll;     /* column of text shown at the left edge (horizontal scrolling) */
    char **hist;       /* entered lines, oldest first */
    size_t nhist;
    size_t hist_pos;   /* while browsing: index into hist */
    int browsing;      /* 1 after Up until the line is entered or Down goes past the end */
    buf saved;         /* the line being typed when browsing started */
    struct le_search {  /* Ctrl-R (lineedit_search.c); active == 0 outside a search */
        int active, failed;
        buf text;      /* what is searched for */
        buf last;      /* the previous search's text: Ctrl-R Ctrl-R searches it again */
        buf label;     /* "(reverse-i-search)'text': ", shown instead of the prompt */
        size_t pos;    /* index into hist of the line shown (nhist: none yet) */
        buf line;      /* the line and cursor before the search, for Ctrl-G / Esc */
        size_t cursor;
    } search;
    lineedit_complete_fn complete; /* Tab's completer (NULL: Tab inserts a space) */
    void *complete_ctx;
    le_completion comp;
    int pasting;       /* between LE_KEY_PASTE_START and LE_KEY_PASTE_END */
    int paste_cr;      /* the last pasted byte was CR (a LF after it adds no line) */
    buf paste;         /* the text pasted so far: printable characters and '\n' */
} lineedit;

#define LINEEDIT_HISTORY 1000 /* entries kept (as many as the input history file keeps) */
#define LINEEDIT_PASTE_MAX (256 * 1024) /* bytes of one paste kept (the rest is dropped) */

/* ---- Bracketed paste ----
 * Between LE_KEY_PASTE_START and LE_KEY_PASTE_END, text and Tab (as a space) are gathered
 * and line ends (CR LF, CR or LF) become '\n'; other keys do nothing. At the end, a
 * paste of one line is inserted at the cursor (LE_CHANGED); a paste of several lines
 * (trailing line ends dropped) is entered at once, with the text around the cursor, as ONE
 * line holding '\n's (LE_LINE; not put in the history): one message of several lines. */

void lineedit_init(lineedit *le, const char *prompt);
void lineedit_free(lineedit *le);
/* Sets Tab's completer (NULL: none) and ends any completion cycle. */
void lineedit_set_completer(lineedit *le, lineedit_complete_fn fn, void *ctx);
/* Adds a line to the end of the history (copied; not if it equals the newest entry),
 * as Enter does: the console loads the input history file with it. */
void lineedit_history_add(lineedit *le, const char *line);
/* Replaces the prompt (copied). */
void lineedit_set_prompt(lineedit *le, const char *prompt);
/* Applies one key. For LE_LINE *line receives the entered text (heap, caller frees; never
 * empty: Enter on an empty line does nothing); the editor is then empty and the line is
 * in the history. *line is NULL for every other result.
 * Ctrl-R searches the history backwards, as readline's reverse-i-search: the input row
 * shows "(reverse-i-search)'text': " and the newest line containing text (bytes, so
 * Chinese matches as typed), the cursor on the match. Typed characters refine the text,
 * Backspace shortens it, Ctrl-R goes to the next older match (on an empty text: searches
 * the previous search's text again); without one the label says "failed" and the line
 * stays. Enter accepts and enters the line; Esc and Ctrl-G give back the line as it was
 * before the search; any other editing key (arrows, Home/End, Ctrl-A/E/K/U/W, Tab, ...)
 * accepts the line for editing and then acts on it. */
le_result lineedit_key(lineedit *le, const le_event *ev, char **line);
/* Appends the bytes that redraw the input row in place: CR, the prompt, the part of the
 * text that fits (scrolled horizontally so the cursor is always visible), erase to the
 * end of the row, then CR and a move right to the cursor. The row never uses the last
 * of `width` columns (width < 1 means 80), so the terminal never wraps it. Returns the
 * cursor's column (0-based). */
int lineedit_render(lineedit *le, int width, buf *out);
/* Appends the prompt and the whole text with no scrolling or cursor moves (the echo of an
 * entered line, left in the scrollback; the terminal wraps it). */
void lineedit_render_plain(const lineedit *le, const char *text, buf *out);
/* Appends the bytes that repaint the whole screen (Ctrl-L; what irssi's redraw does, for a
 * console whose chat lines are the terminal's): cursor home, erase the screen, the last of
 * lines[0..n) (oldest first, as console_print got them) that fit in height - 1 rows at
 * `width` columns (a line wider than the row counts the rows it wraps to; SGR sequences
 * take no room), each followed by CR LF, then the input row (lineedit_render). Returns the
 * cursor's column. height < 2 means 24, width < 1 means 80. */
int lineedit_render_screen(lineedit *le, const char *const *lines, size_t n, int width, int height, buf *out);
/* Appends the bytes that erase the input row: CR, erase to end of line. */
void lineedit_clear_row(buf *out);
/* Terminal rows line[0..len) takes at `width` columns (width < 1 means 80): each '\n'
 * starts a row, a row wider than width wraps, CSI sequences (our SGR colours) take none. */
size_t lineedit_rows(const char *line, size_t len, int width);
/* Display columns of text[0..cursor). */
size_t lineedit_cursor_col(const lineedit *le);

#endif
