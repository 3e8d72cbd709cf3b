/* gui.h -- the chat window (SDL2 + SDL2_ttf): lines, a roster, an input box; knows no chat */
#ifndef UDPCHAT_GUI_H
#define UDPCHAT_GUI_H
#include <stddef.h>
#include <stdint.h>

/* The window knows nothing of the chat, as the console does not: the app hands it the
 * lines to show, the roster and the status line (its view of the chat model) and gets back
 * what the user did. Every string is UTF-8 and is drawn, never interpreted: control
 * characters are not drawn, broken UTF-8 shows U+FFFD. One thread (the one that called
 * gui_open) calls everything but gui_wake. */

typedef struct gui gui;

typedef struct gui_options {
    const char *title; /* the window's title */
    const char *font;  /* a TTF/OTF/TTC file for every character (NULL: a Latin and a
                        * CJK-capable sans: fontconfig's on Linux; on Windows from the Fonts
                        * folder, else wqy-microhei.ttc next to the exe) */
    int zoom;          /* percent of the default text size (0: 100) */
} gui_options;

/* Opens the window. NULL on failure with a sentence in err that says what to do ("no
 * display: ...", "no font ...: pass --font FILE"). */
gui *gui_open(const gui_options *o, char *err, size_t errlen);
void gui_close(gui *g); /* accepts NULL */
/* Shows text in a window of its own (SDL's message box
 * when that cannot open, e.g. without a font) until Enter or its close; returns then. */
void gui_message_box(const char *title, const char *text);
/* Wakes gui_wait from any thread (the service thread's events). Cheap: many calls between
 * two waits wake it once. */
void gui_wake(void *unused);

typedef enum gui_style {
    GUI_TEXT,    /* someone's message */
    GUI_OWN,     /* ours */
    GUI_PRIVATE, /* private, either way */
    GUI_ACTION,  /* "* nick waves" */
    GUI_NOTICE,  /* the server's operator, or an info line */
    GUI_SYSTEM,  /* joins, leaves, status */
    GUI_ERROR    /* errors, undelivered */
} gui_style;

/* The conversation: lines replace the old ones (oldest first); each is copied. A line may
 * hold '\n' (it is wrapped to the width as paragraphs); mark is drawn after it, dimmed
 * ("[ok]"), or NULL. Scrolled back, the view stays where it was. */
void gui_lines_begin(gui *g);
void gui_line_add(gui *g, gui_style style, const char *text, const char *mark);
/* A file offer: text, then Accept and Decline buttons (a click, or Tab to them and Enter)
 * that return GUI_EV_ACCEPT / GUI_EV_DECLINE with index = offer. */
void gui_line_offer(gui *g, gui_style style, const char *text, int offer);
/* A transfer: text, then a bar filled permille / 1000. */
void gui_line_progress(gui *g, gui_style style, const char *text, int permille);
/* Which conversation the lines being built belong to (the app's number; 0 until said).
 * Another than the last: the view's own scroll comes back (each keeps its own) and the
 * selection goes. */
void gui_lines_view(gui *g, long view);
/* Names the line added last (any number but 0, unique in the view). Scrolled back, the view
 * stays on the named line it showed at its bottom when lines come or go above or below it
 * (older lines read in above, newer ones let go below); without names, new lines are taken
 * to come below. */
void gui_line_key(gui *g, uint64_t key);
/* The lines being built add older ones below the view (a page read back), not news: at the
 * bottom too, the view stays on its named line. */
void gui_lines_hold(gui *g);
void gui_lines_end(gui *g);
/* The roster: names[0..n) (copied); selected is the highlighted one, or -1; unread[i] (or
 * NULL: none) is drawn as a badge after names[i] when it is not 0. */
void gui_set_roster(gui *g, const char *heading, const char *const *names, const size_t *unread, size_t n,
                    int selected);
/* The status line (mode, nick, port, last error) and the window title. */
void gui_set_status(gui *g, const char *text, int is_error);
void gui_set_title(gui *g, const char *title);

/* 1 while the window has the keyboard focus (taken as focused until the desktop says it
 * lost it). */
int gui_focused(const gui *g);
/* Asks the desktop for the user's attention (the taskbar entry flashes until focused). */
void gui_alert(gui *g);

typedef enum gui_event_type {
    GUI_EV_NONE,  /* timeout, gui_wake, or the focus came or went */
    GUI_EV_LINE,  /* Enter in the input box: line (heap, the caller frees it) */
    GUI_EV_PICK,  /* a roster entry was clicked or chosen with Enter, or Ctrl+Tab /
                   * Ctrl+Shift+Tab asked for the next / previous one: index */
    GUI_EV_ACCEPT,  /* an offer's Accept button: index = its offer number */
    GUI_EV_DECLINE, /* its Decline button */
    GUI_EV_DROP,  /* a file was dropped on the window: line = its path (heap, the caller frees it) */
    GUI_EV_TOP,   /* the user scrolled up to a few dozen lines from the first line: older
                   * lines may be added above (the view stays where it is); once per scroll */
    GUI_EV_BOTTOM, /* scrolled down as near the last line (or at the bottom): newer ones below */
    GUI_EV_CLOSE  /* the window was closed */
} gui_event_type;

typedef struct gui_event {
    gui_event_type type;
    char *line;
    int index;
} gui_event;

/* Redraws when something changed, then waits up to timeout_ms for the user (typing,
 * scrolling, zoom, focus, selecting with the mouse and Ctrl+C are handled inside) or for gui_wake. Returns the event. */
gui_event gui_wait(gui *g, uint32_t timeout_ms);

/* For bench/: a monotonic clock in microseconds, and a line "# what N" (N: microseconds since
 * since_us) in the UDPCHAT_GUI_FRAMES file when that is set (else nothing). */
uint64_t gui_clock_us(void);
void gui_stats_note(const char *what, uint64_t since_us);

#endif
