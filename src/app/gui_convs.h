/* gui_convs.h -- the window's conversations: which the roster lists, which is open, what each shows (no display) */
#ifndef UDPCHAT_GUI_CONVS_H
#define UDPCHAT_GUI_CONVS_H
#include <stddef.h>
#include <stdint.h>

#include "udpchat/model.h"

/* The window shows one conversation of the model at a time: "" (everyone, the room) or a
 * private one with a nick. Chat messages belong to their model conversation; system and
 * info lines to the one open when they came (joins, leaves, nick changes and away: to ""
 * and to the nick's own); history read back to the one it was read for; a file offer (ours
 * or a peer's) or transfer to its peer's. Everything here is bounded: CONVS_EXTRA_KEEP history
 * lines per conversation, the tags of the model's last MODEL_KEEP messages, CONVS_FILES anchors.
 * One thread (the window's) owns it; it reads and marks the model (not owned). */

#define CONVS_EXTRA_KEEP 1000            /* /history and /search lines kept per conversation */
#define CONVS_PAGE 200                   /* chat log lines read at a time as a view scrolls */
#define CONVS_LOG_KEEP 1000              /* chat log lines kept per conversation (the rest is
                                          * read again when scrolled to) */
#define CONVS_FILES (2 * MODEL_KEEP_FILES) /* offers and transfers placed in a conversation */

/* One conversation's past read back from the chat log: a run of its rows (ids ascending),
 * drawn above the model's lines. Attached, the run reaches the model's first row of the
 * conversation (rows the model lets go join it: convs_log_follow); detached (scrolled far
 * back: the newest rows were let go to keep CONVS_LOG_KEEP), the model's lines are not shown
 * until paging down reaches them again. */
typedef struct convs_hist {
    int64_t id;     /* its row in the chat log */
    char *text;     /* owned */
} convs_hist;

typedef struct convs_log {
    convs_hist *line;  /* owned */
    size_t n, cap;
    int opened;        /* its first page was read (the conversation opened) */
    int first;         /* line[0] is the conversation's first row: nothing older */
    int detached;
    int64_t last;      /* attached: every row up to this id is in the run or older (0: none) */
    int64_t edge;      /* the model's first row in the conversation when last looked (0: none) */
} convs_log;

typedef struct convs_extra {
    uint64_t after; /* shown after the model's message with this seq */
    size_t conv;
    char *text;     /* owned */
} convs_extra;

typedef struct convs_file {
    int is_offer;   /* 1: offer `key` (its number), 0: transfer `key` (its id) */
    unsigned key;
    size_t conv;
    uint64_t after;
    int seen;       /* an offer the user has seen (its conversation was open and focused) */
} convs_file;

typedef struct convs_tag {
    uint64_t seq;   /* the message */
    size_t conv;    /* the conversation open when it came */
} convs_tag;

typedef struct convs_entry {
    size_t conv;    /* the model conversation it opens */
    char *label;    /* owned: "bob", "bob (away: lunch)", "carol (left)", "(everyone)" */
    size_t unread;  /* others' messages and offers not seen yet */
} convs_entry;

typedef struct gui_convs {
    model *m;                  /* not owned */
    int single;                /* peer mode: one conversation, whoever is listed */
    char *all_label;           /* owned: the first entry ("(everyone)", "(the room)"); NULL when single */
    size_t open;               /* the model conversation shown */
    convs_entry *list;         /* the roster (convs_list), owned */
    size_t nlist;
    convs_extra *extra;        /* /history and /search lines, oldest first, owned */
    size_t nextra, capextra;
    convs_log *logs;           /* per model conversation: its past, read back (owned) */
    size_t nlogs;
    convs_tag tag[MODEL_KEEP]; /* system lines' conversations, at seq % MODEL_KEEP */
    uint64_t tagged;           /* the newest message tagged */
    convs_file files[CONVS_FILES];
    size_t nfiles;
    unsigned last_offer;       /* the newest offer number placed */
} gui_convs;

void convs_init(gui_convs *c, model *m, int single, const char *all_label);
void convs_free(gui_convs *c);
/* Opens the conversation named name ("" for everyone / the room). */
void convs_open(gui_convs *c, const char *name);
/* Places what came since the last call: system lines, offers, transfers. */
void convs_note(gui_convs *c);
/* 1 if the model's message m is shown in the open conversation. */
int convs_shows(const gui_convs *c, const model_msg *m);
/* The open conversation was seen: its unread count goes. */
void convs_read(gui_convs *c);
/* A /history or /search line (text: heap, taken) for the open conversation, after its
 * newest message. The oldest of that conversation goes past CONVS_EXTRA_KEEP. */
void convs_extra_add(gui_convs *c, char *text);

/* The past of model conversation conv (made empty the first time). */
convs_log *convs_log_of(gui_convs *c, size_t conv);
/* Rows in the chat log of what the model shows live: a message's (by seq) and a file offer's
 * (by number); 0 when it has none (system lines, or not recorded). The recorder's
 * record_id_of and record_offer_id. */
typedef struct convs_rows {
    int64_t (*of_msg)(const void *ctx, uint64_t seq);
    int64_t (*of_offer)(const void *ctx, unsigned number);
    const void *ctx;
} convs_rows;
/* Where the open conversation's live lines begin in the log: the smallest row of its model
 * messages and placed file offers; 0 if none has a row. */
int64_t convs_log_edge(const gui_convs *c, const convs_rows *rows);
/* A page read back: rows[0..n) (ids ascending, texts taken) go above the run (older) or below
 * it (newer). `asked` is how many were asked for: fewer mean the end was reached (older: the
 * conversation's first row; newer: the model's lines, attached again). Past CONVS_LOG_KEEP
 * the other end is let go (older: the newest rows, detached; newer: the oldest). */
void convs_log_older(convs_log *l, convs_hist *rows, size_t n, size_t asked);
void convs_log_newer(convs_log *l, convs_hist *rows, size_t n, size_t asked);
/* Attached: rows the model let go since (edge moved to `edge`), rows[0..n) after `last`
 * (texts taken): added below the run, then last = edge - 1 (edge 0: the newest row added). */
void convs_log_follow(convs_log *l, convs_hist *rows, size_t n, int64_t edge);
/* Everything let go (a new start: the newest page is read next). */
void convs_log_clear(convs_log *l);
/* Rebuilds the roster from the model: "all" first (not single), then the members in the
 * model's order (not ourselves, but in single mode), then private conversations of nicks gone. */
void convs_list(gui_convs *c);
/* The first roster entry that opens conv, or -1. */
int convs_entry_of(const gui_convs *c, size_t conv);
/* Unread in every conversation (the window title's count). */
size_t convs_unread_total(const gui_convs *c);

#endif
