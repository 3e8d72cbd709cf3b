/* paths.h -- where udpchat keeps the user's files: data (history), config, state */
#include <stddef.h>
#ifndef UDPCHAT_PATHS_H
#define UDPCHAT_PATHS_H

typedef enum paths_kind {
    PATHS_DATA,   /* $XDG_DATA_HOME/udpchat   (~/.local/share/udpchat), %APPDATA%\udpchat */
    PATHS_CONFIG, /* $XDG_CONFIG_HOME/udpchat (~/.config/udpchat),      %APPDATA%\udpchat */
    PATHS_STATE   /* $XDG_STATE_HOME/udpchat  (~/.local/state/udpchat), %APPDATA%\udpchat */
} paths_kind;

/* The folder for `kind` (UTF-8, heap: the caller frees it), created with its parents if
 * missing, readable by the user only (0700 where it is created). NULL if there is no home
 * to put it in or it cannot be created; then why[0..n) says so. A relative XDG_* value is
 * ignored, as the XDG spec says. */
char *paths_dir(paths_kind kind, char *why, size_t n);
/* dir + separator + name (heap). */
char *paths_join(const char *dir, const char *name);

#endif
