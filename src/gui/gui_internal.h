/* gui_internal.h -- what the window's files share: fonts, the input box, the window state */
#ifndef UDPCHAT_GUI_INTERNAL_H
#define UDPCHAT_GUI_INTERNAL_H
#include <SDL.h>
#include <SDL_ttf.h>

#include "gui_logic.h"
#include "udpchat/buf.h"
#include "udpchat/gui.h"

/* ---- gui_font.c: faces; the first that has a character draws it ---- */
#define GUI_FACES 6    /* Latin, CJK, and up to 4 found for characters neither has */
#define GUI_MISSES 64  /* code points none of the open faces has: which face (0: its box) */
typedef struct gui_fonts {
    char *path[GUI_FACES];  /* [0] Latin (or --font), [1] CJK (NULL: none found), [2..] found */
    long index[GUI_FACES];  /* face index in a collection (.ttc) */
    TTF_Font *face[GUI_FACES];
    void *data[GUI_FACES];  /* the font file, read once (SDL_LoadFile): glyphs load from memory */
    size_t size[GUI_FACES];
    int owns[GUI_FACES];    /* 1: data[i] is this face's to free (0: shared with an earlier face) */
    int nfaces;
    struct { uint32_t cp; int face; } miss[GUI_MISSES];
    int next_miss;
    int px, line_h;    /* size in pixels, line height */
    int ascent;        /* the higher of the two faces' ascents: their common baseline */
} gui_fonts;

/* ---- gui_font_fc.c (fontconfig) or gui_font_win32.c (the Fonts folder, the exe's folder):
 * which files hold the faces. Paths are UTF-8 and on the heap; NULL: none found. ---- */
typedef enum gui_face_kind { GUI_FACE_LATIN, GUI_FACE_CJK } gui_face_kind;
void gui_face_find_start(void); /* before the first find (gui_fonts_open) */
void gui_face_find_end(void);   /* after the last (gui_fonts_close); start again to find more */
char *gui_face_find(gui_face_kind kind, long *index);
/* A face with the character cp, which neither the Latin nor the CJK face has (not a colour
 * bitmap one: those do not scale); NULL if none. */
char *gui_face_find_char(uint32_t cp, long *index);
/* Why no face of kind was found and what to do, to follow "no font found": " (fontconfig has
 * none): install ...", ": install ...". */
const char *gui_face_hint(gui_face_kind kind);

/* Finds the files (the system's, or `file` for the first face) and opens them at px; -1 with
 * a sentence in err. *no_cjk is set when no face draws Chinese. */
int gui_fonts_open(gui_fonts *f, const char *file, int px, int *no_cjk, char *err, size_t errlen);
int gui_fonts_resize(gui_fonts *f, int px); /* -1: kept the old size */
void gui_fonts_close(gui_fonts *f);
/* Pixel width of s[0..len) (one line: control characters take none). */
int gui_text_width(gui_fonts *f, const char *s, size_t len);
/* How many bytes of s[0..len) fit in width pixels (whole characters). */
size_t gui_text_fit(gui_fonts *f, const char *s, size_t len, int width);
/* Draws s[0..len) at x, y (top); returns its width. */
int gui_text_draw(SDL_Renderer *r, gui_fonts *f, const char *s, size_t len, int x, int y, SDL_Color c);

/* ---- gui_edit.c: the input box's text, caret and the input method's composition ---- */
typedef struct gui_edit {
    buf text;          /* UTF-8, never NUL-terminated inside */
    size_t caret;      /* byte offset, on a character boundary */
    char compose[256]; /* SDL_TEXTEDITING: the input method's uncommitted text */
} gui_edit;

void gui_edit_insert(gui_edit *e, const char *s, size_t len);
/* Handles an editing key (arrows, Home/End, Backspace, Delete); 1 if it was one. */
int gui_edit_key(gui_edit *e, SDL_Keycode k);
char *gui_edit_take(gui_edit *e); /* the text (heap), the box emptied */
void gui_edit_free(gui_edit *e);

/* ---- the window ---- */
#define GUI_BASE_PX 17 /* text size in pixels at 100% */
typedef struct gui_line {
    gui_style style;
    char *text, *mark;  /* owned */
    int offer;          /* >0: Accept / Decline buttons for this offer, in a row below the text */
    int progress;       /* 0..1000: a bar in a row below the text; -1: none */
    gui_rows_memo rows; /* its text's rows at g->rows' width and size (not its buttons or bar) */
    uint64_t key;       /* the app's name for it (gui_line_key; 0: none) */
} gui_line;

/* What the last drawing put where (for the mouse and the keyboard); bounded arrays. */
#define GUI_VIS 256     /* conversation rows on screen */
#define GUI_BUTTONS 32  /* buttons on screen */
typedef struct gui_vis_row { size_t line, off, len; int x, y; } gui_vis_row;
typedef struct gui_button { SDL_Rect r; int offer, accept; } gui_button;

enum { GUI_FOCUS_INPUT, GUI_FOCUS_ROSTER, GUI_FOCUS_BUTTONS };

struct gui {
    SDL_Window *win;
    SDL_Renderer *ren;
    gui_fonts fonts;
    int zoom;                    /* percent */
    int dpi;                     /* output pixels per window point, percent (200: a HiDPI screen) */
    gui_line *lines;
    size_t nlines, caplines, building; /* building: lines added since gui_lines_begin */
    gui_line *next;              /* the lines being built */
    size_t nnext, capnext;
    long view, next_view;        /* the conversation shown, the one being built */
    gui_views views;             /* the other conversations' scrolls */
    char **roster, *heading;
    size_t *unread;              /* the roster's badges (NULL: none) */
    size_t nroster;
    int selected, cursor;        /* roster: the app's pick, the keyboard's row */
    char *status;
    int status_error;
    gui_edit edit;
    buf shown;                   /* the input box's text as drawn (with the composition) */
    int focus;                   /* GUI_FOCUS_* */
    int scroll;                  /* rows scrolled back from the bottom */
    int dirty;                   /* 1: redraw before waiting */
    int unfocused;               /* 1: the desktop said the window lost the keyboard focus */
    int swallow;                 /* 1: a Ctrl key came: the text input that follows is not typed */
    int w, h;                    /* output size in pixels */
    SDL_Rect roster_box, conv_box, input_box;
    gui_sel sel;                 /* the conversation's selected text (empty: none) */
    int selecting;               /* 1: the left button is down, dragging the selection */
    gui_vis_row vis[GUI_VIS];    /* rows drawn, bottom first */
    size_t nvis;
    gui_button btn[GUI_BUTTONS]; /* buttons drawn, the newest offer's Accept first */
    size_t nbtn;
    int btn_cursor;              /* the keyboard's button (GUI_FOCUS_BUTTONS) */
    gui_rows_cache rows;         /* the lines' row counts at the conversation's width and text size */
    int hold;                    /* gui_lines_hold: the lines added below are no news */
    int want_edge;               /* the user scrolled up (1) or down (-1) since the last look:
                                  * near that end, gui_wait says so (GUI_EV_TOP, GUI_EV_BOTTOM) */
};

/* Lines from an end of the conversation that count as near it (GUI_EV_TOP, GUI_EV_BOTTOM). */
#define GUI_NEAR_LINES 150

/* gui.c: the text size in pixels for zoom (percent) on this screen (g->dpi) */
int gui_text_px(const gui *g, int zoom);
/* gui.c: after the window moved or was resized: the text follows the screen's scale */
void gui_rescale(gui *g);
/* gui.c: 1 if e is gui_wake's event (and the next gui_wake may send another) */
int gui_is_wake(const SDL_Event *e);

/* gui_draw.c */
void gui_draw(gui *g);
/* The roster row at window point (x, y), or -1. */
int gui_roster_hit(const gui *g, int x, int y);
/* Rows a line takes in the conversation at its current width (its buttons or bar too);
 * wrapped once per text, width and text size (g->rows, ln->rows). */
int gui_rows_of(gui *g, gui_line *ln);
/* The place in the conversation's text at window point (x, y) (output pixels): the
 * nearest row drawn. 0 when nothing is drawn. */
int gui_conv_hit(gui *g, int x, int y, gui_pos *at);
/* The button at (x, y), or -1. */
int gui_button_hit(const gui *g, int x, int y);
/* Rows a page scrolls. */
int gui_page_rows(const gui *g);

/* gui_stats.c: gui_draw, timed when UDPCHAT_GUI_FRAMES names a file (one line per frame,
 * microseconds of draw + present; bench/gui_bench.py reads it) */
void gui_stats_draw(gui *g);

#endif
