/* settings_state.h -- the settings module's process-wide state, shared by settings.c and set_command.c */
#ifndef UDPCHAT_SETTINGS_STATE_H
#define UDPCHAT_SETTINGS_STATE_H
#include "udpchat/buf.h"
#include "udpchat/cli.h"
#include "udpchat/ini.h"

typedef enum settings_origin { ORIGIN_DEFAULT, ORIGIN_FILE, ORIGIN_FLAG } settings_origin;

/* One option of the running command, as /set shows it. */
typedef struct setting {
    cli_opt opt;            /* a copy (name, kind, range, help: string literals); out unused */
    settings_origin origin;
    char *section;          /* ORIGIN_FILE: where its line is ("" = the top) */
    unsigned line;          /* ORIGIN_FILE: its line */
    char *value;            /* as text ("true"/"false" for a flag); NULL: not set */
} setting;

typedef struct settings_state {
    const char *cmd;        /* the chat command, NULL before settings_apply */
    buf path;               /* the file's path (empty: none could be found) */
    int readable;           /* 1: the file was read, or does not exist yet */
    ini file;               /* its entries (their values back CLI_STRING options) */
    setting *list;          /* the command's options, in their --help order */
    size_t count;
    unsigned warnings;      /* printed so far (at most SETTINGS_MAX_WARNINGS) */
    char *asked_nick;       /* the first-start answer (the nick option points to it) */
} settings_state;

extern settings_state settings_g;

/* The setting called name, or its alias (X for no-X and no-X for X: *negated = 1). */
setting *settings_find(const char *name, int *negated);
/* Checks a value for s (a flag: true/false/yes/no/on/off/1/0); NULL if good, else why
 * (in why[0..n)). A flag's truth goes to *truth. */
const char *settings_check(const setting *s, const char *value, int *truth, char *why, size_t n);
/* The file's text read again and section.key = value written into it; 0, or -1 with
 * why in err. */
int settings_save(const char *section, const char *key, const char *value, char *err, size_t n);
/* 1 for the keys that are about the person, not one command (nick, charset, colours...):
 * /set writes them at the top of the file, for every command. */
int settings_personal(const char *key);

/* Asks "Your nick [DEFAULT]: " on the console (DEFAULT: the login's user name) until a
 * valid nick or the default is given, saves it at the top of the file and returns it
 * (heap; the caller keeps it). NULL at end of input: the usual default then applies. */
char *settings_ask_nick(void);
/* Updates s after key (its name or alias) was saved in section: origin file, the line it
 * is on now, and value (as /set shows it: a flag's own truth). */
void settings_note_saved(setting *s, const char *section, const char *key, const char *value);

#endif
