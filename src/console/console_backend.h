/* console_backend.h -- what each platform provides to console.c (console_posix.c, console_win32.c) */
#ifndef UDPCHAT_CONSOLE_BACKEND_H
#define UDPCHAT_CONSOLE_BACKEND_H
#include <stddef.h>
#include "udpchat/buf.h"
#include "udpchat/charset.h"

/* If stdin and stdout are both an interactive terminal that understands VT sequences,
 * switches input to raw mode (no echo, no line buffering, Ctrl-C as byte 0x03) and
 * output to VT processing, and returns 0. Else changes nothing and returns -1. `cs` is
 * the charset typed bytes arrive in and output must be sent in (ignored where the
 * console speaks Unicode). */
int console_sys_open(charset_id cs);
/* Puts back the modes console_sys_open found. Idempotent; safe from an atexit handler. */
void console_sys_restore(void);
/* Waits up to timeout_ms for typed input and appends it to out as UTF-8 (an incomplete
 * multi-byte character is kept back for the next call). Returns 1 if input was read, 0 if
 * none came, -1 at end of input or on an error. Called by one thread only. */
int console_sys_read(buf *out, int timeout_ms);
/* Writes UTF-8 text (with VT sequences) to the terminal, converted to its charset. */
void console_sys_write(const char *utf8, size_t len);
/* The terminal's width in columns (80 if it cannot be told). */
int console_sys_width(void);
/* The terminal's height in rows (24 if it cannot be told). */
int console_sys_height(void);
/* 1 if stderr writes to a terminal too (not redirected to a file or pipe). */
int console_sys_stderr_is_terminal(void);
/* 1 if stdin is the null device (/dev/null, NUL): a program started in the background or
 * by a service manager, whose end of input means nothing. */
int console_sys_stdin_is_null(void);
/* 1 if the console window was opened for this process alone (Windows: no shell owns it,
 * so it closes when the process exits). Always 0 on POSIX. */
int console_sys_window_is_ours(void);

/* The terminal's title: utf8 (our own text, no control characters) replaces it, the
 * first time keeping the title it had; NULL gives that one back (nothing if never set).
 * Bytes to write go to out (POSIX: OSC 2, and xterm's title stack CSI 22;0t / 23;0t);
 * Windows calls SetConsoleTitleW and keeps the old title itself. */
void console_sys_title(const char *utf8, buf *out);

/* ---- files of the input history (histfile.c) ---- */
/* Appends udpchat's state folder to out, making it (mode 0700) if missing:
 * $XDG_STATE_HOME/udpchat (~/.local/state/udpchat without it); %APPDATA%\udpchat on
 * Windows. Returns 0; -1 if there is none (no home: nothing said) or it cannot be made
 * (one sentence appended to warning). Paths are UTF-8. */
int console_sys_state_dir(buf *out, buf *warning);
/* The separator of path components: '/' or '\\'. */
char console_sys_path_sep(void);
/* Writes data to path (appended, or replacing what it had), the file created readable
 * and writable by its owner only (0600; a replaced file gets that mode too). 0 or -1. */
int console_sys_save_private(const char *path, const char *data, size_t len, int append);
/* Renames from to to, replacing to. 0 or -1. */
int console_sys_replace(const char *from, const char *to);

#endif
