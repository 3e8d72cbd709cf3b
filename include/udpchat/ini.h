/* ini.h -- a settings file in INI form: read from bytes, and one key changed in place */
#ifndef UDPCHAT_INI_H
#define UDPCHAT_INI_H
#include <stddef.h>
#include "udpchat/buf.h"

/* The form: "[section]" headers, "key = value" lines, whole-line comments starting with
 * '#' or ';', blank lines; LF or CRLF; a UTF-8 BOM at the start is skipped. Keys and
 * section names are 1-64 of [A-Za-z0-9_.-]. A value is trimmed of spaces and tabs; one
 * pair of double quotes around it is removed (to keep spaces at its ends). There are no
 * inline comments and no escapes: "a = b # c" sets a to "b # c". A key before any header
 * is in section "" (the top). The text must be UTF-8 with no control characters but tab;
 * a line that is not, or is longer than INI_MAX_LINE, is reported and skipped. */
#define INI_MAX_LINE 4096   /* bytes in one line, without its end */
#define INI_MAX_ENTRIES 512 /* entries kept; more are reported once and skipped */
#define INI_MAX_NAME 64     /* bytes in a key or a section name */

typedef struct ini_entry {
    char *section; /* "" at the top of the file */
    char *key;
    char *value;
    unsigned line; /* 1-based line number in the text */
} ini_entry;

/* The entries in file order (owned: ini_free). */
typedef struct ini {
    ini_entry *entries;
    size_t count;
} ini;

/* Receives one problem: the line (1-based) and why it was skipped, in a few words. */
typedef void (*ini_warn_fn)(void *ctx, unsigned line, const char *why);

/* Parses data[0..len) into out (which the caller frees with ini_free, whatever the
 * result). Problem lines are handed to warn (may be NULL) and skipped; the rest is kept.
 * A bad section header skips the keys under it, up to the next good header. Never fails;
 * returns the number of problems. */
size_t ini_parse(const char *data, size_t len, ini *out, ini_warn_fn warn, void *ctx);
/* Frees the entries; accepts a zeroed ini. */
void ini_free(ini *in);
/* The last entry setting key in section ("" or NULL: the top), or NULL. */
const ini_entry *ini_find(const ini *in, const char *section, const char *key);
/* 1 if name may be a key or a section name. */
int ini_name_valid(const char *name);
/* 1 if value can be written (valid UTF-8, no control character but tab, fits a line). */
int ini_value_valid(const char *value);
/* Writes to out (appending) the text data[0..len) with key set to value in section ("" or
 * NULL: the top): the last line that sets it is rewritten; else a line is added after the
 * section's last entry (the top: before the first header), or the section is added at the
 * end. Everything else, comments, order, problem lines, BOM and line ends, is kept byte
 * for byte. Returns 0, or -1 (out unchanged) if a name or the value is not valid. */
int ini_update(const char *data, size_t len, const char *section, const char *key,
               const char *value, buf *out);

#endif
