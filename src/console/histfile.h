/* histfile.h -- input history that lasts: one file of typed lines per mode (private to the console) */
#ifndef UDPCHAT_HISTFILE_H
#define UDPCHAT_HISTFILE_H
#include "udpchat/buf.h"
#include "udpchat/lineedit.h"

#define HISTFILE_KEEP 1000      /* lines the file keeps (the newest) */
#define HISTFILE_MAX_LINE 4096  /* bytes: a longer line is never stored */

/* The file is history-NAME in udpchat's state folder ($XDG_STATE_HOME/udpchat, by default
 * ~/.local/state/udpchat; %APPDATA%\udpchat on Windows), mode 0600, UTF-8, one line each.
 * Lines are appended as they are entered; loading and closing compact it to the newest
 * HISTFILE_KEEP. A line with a control character, invalid UTF-8 or over HISTFILE_MAX_LINE
 * bytes is never stored, and one read from the file is dropped. */
typedef struct histfile {
    char *path;   /* NULL: no file (history off, or it could not be used) */
    char *last;   /* the line appended last, not appended twice in a row */
    int added;    /* lines appended this run: the file is compacted at close */
} histfile;

/* Opens history-NAME and loads its lines into le (oldest first). Returns 0, or -1 with
 * one sentence in *warning (the file unreadable, lines dropped, the folder impossible to
 * make); the chat goes on either way (without a file if it cannot be read). */
int histfile_open(histfile *h, const char *name, lineedit *le, buf *warning);
/* Appends an entered line (if it may be stored and differs from the last one). */
void histfile_add(histfile *h, const char *line);
/* Compacts the file if lines were added, and frees h. Accepts a closed or zeroed h. */
void histfile_close(histfile *h);
/* 1 if line may be stored: valid UTF-8, no control characters, at most HISTFILE_MAX_LINE bytes. */
int histfile_storable(const char *line, size_t len);

#endif
