/* settings_backend.h -- what each platform gives settings.c (settings_posix.c, settings_win32.c) */
#ifndef UDPCHAT_SETTINGS_BACKEND_H
#define UDPCHAT_SETTINGS_BACKEND_H
#include <stddef.h>
#include "udpchat/buf.h"

#define SETTINGS_MAX_FILE (1024 * 1024) /* a settings file larger than this is not read */

/* Appends the settings file's path (UTF-8) to out: POSIX $XDG_CONFIG_HOME/udpchat/udpchat.conf
 * (when XDG_CONFIG_HOME is an absolute path), else $HOME/.config/udpchat/udpchat.conf;
 * Windows %APPDATA%\udpchat\udpchat.conf. Returns -1 (why in err) when there is no home. */
int settings_sys_default_path(buf *out, char *err, size_t errlen);
/* Reads the regular file at path (at most SETTINGS_MAX_FILE bytes) into out. Returns 0,
 * 1 when it does not exist, or -1 with why in err (not a regular file, too large,
 * unreadable). Never blocks on a FIFO. */
int settings_sys_read(const char *path, buf *out, char *err, size_t errlen);
/* Replaces the file at path with data[0..len) atomically: a temporary file in the same
 * folder (mode 0600), flushed, then renamed over it (POSIX: over the file a symbolic link
 * points to, the link kept). Creates the missing folders (0700). Refuses (-1, why in err)
 * when path exists and is not a regular file. Returns 0. */
int settings_sys_write(const char *path, const char *data, size_t len, char *err, size_t errlen);
/* An environment variable in UTF-8 (Windows: read wide, so a Chinese path arrives whole, not
 * in the ANSI code page; POSIX: its bytes), heap-owned by the caller; NULL if unset. */
char *settings_sys_env(const char *name);
/* The login's user name in UTF-8 (Windows: GetUserNameW; POSIX: USER, LOGNAME), or "". */
void settings_sys_user_name(buf *out);
/* 1 where a first start without a nick asks for one: Windows, when stdin is a console
 * (someone double-clicked udpchat.exe). POSIX: 0 (the login name is a fine nick there). */
int settings_sys_asks_nick(void);
/* Reads one answer line from stdin into out as UTF-8 (without its end); -1 at end of input. */
int settings_sys_read_line(buf *out);

#endif
