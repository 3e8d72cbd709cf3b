/* gui_convs.h -- the window's conversations: which the roster lists, which is open, what each shows (no display) */
#ifndef UDPCHAT_GUI_CONVS_H
#define UDPCHAT_GUI_CONVS_H
#include <stddef.h>
#include <stdint.h>

#include "udpchat/model.h"

/* The window shows one conversation of the model at a time: "" (everyone, the room) or a
 * private one with a nick. Chat messages belong to their model conversation; system and
 * info lines to the one open when they came (joins, leaves, nick changes and away: to ""
 * and to the nick's own); history read back to the one it was read for; a file offer or
 * transfer to its peer's. Everything here is bounded: CONVS_EXTRA_KEEP history lines per
 * conversation, the tags of the model's last MODEL_KEEP messages, CONVS_FILES anchors.
 * One thread (the window's) owns it; it reads and marks the model (not owned). */

#define CONVS_EXTRA_KEEP 1000            /* history lines kept per conversation */
#define CONVS_FILES (2 * MODEL_KEEP_FILES) /* offers and transfers placed in a conversation */

typedef struct convs_extra {
    uint64_t after; /* shown after the model's message with this seq (0: above all) */
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
    convs_extra *extra;        /* history lines, oldest first, owned */
    size_t nextra, capextra;
    unsigned char *loaded;     /* per model conversation: its history was read back */
    size_t nloaded;
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
/* A history line (text: heap, taken) for the open conversation; at_top: above its messages
 * (read back when it opened) rather than after the newest. The oldest of that conversation
 * goes past CONVS_EXTRA_KEEP. */
void convs_extra_add(gui_convs *c, char *text, int at_top);
/* 1 the first time it is asked for conversation conv (then 0): read its history back now. */
int convs_first_open(gui_convs *c, size_t conv);
/* Rebuilds the roster from the model: "all" first (not single), then the members in the
 * model's order (not ourselves, but in single mode), then private conversations of nicks gone. */
void convs_list(gui_convs *c);
/* The first roster entry that opens conv, or -1. */
int convs_entry_of(const gui_convs *c, size_t conv);
/* Unread in every conversation (the window title's count). */
size_t convs_unread_total(const gui_convs *c);

#endif
