/* paths_posix.c -- the XDG base directories (Linux and other POSIX systems) */
#include "udpchat/paths.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "udpchat/buf.h"
#include "udpchat/mem.h"

static char *base_dir(paths_kind kind, char *why, size_t n)
{
    static const char *const env[] = {"XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME"};
    static const char *const fallback[] = {".local/share", ".config", ".local/state"};
    const char *v = getenv(env[kind]), *home = getenv("HOME");
    if (v && v[0] == '/') return xstrdup(v);
    if (!home || home[0] != '/') {
        snprintf(why, n, "neither %s nor HOME names an absolute folder", env[kind]);
        return NULL;
    }
    return paths_join(home, fallback[kind]);
}

/* mkdir -p, each new folder 0700. */
static int make_dirs(char *path, char *why, size_t n)
{
    for (char *p = path + 1;; p++) {
        if (*p != '/' && *p) continue;
        char c = *p;
        *p = '\0';
        int bad = mkdir(path, 0700) != 0 && errno != EEXIST;
        if (bad) snprintf(why, n, "cannot create %s: %s", path, strerror(errno));
        *p = c;
        if (bad) return -1;
        if (!c) return 0;
    }
}

char *paths_dir(paths_kind kind, char *why, size_t n)
{
    char *base = base_dir(kind, why, n);
    if (!base) return NULL;
    char *dir = paths_join(base, "udpchat");
    free(base);
    if (make_dirs(dir, why, n) < 0) {
        free(dir);
        return NULL;
    }
    return dir;
}

char *paths_join(const char *dir, const char *name)
{
    buf b = {0};
    buf_printf(&b, "%s%s%s", dir, dir[0] && dir[strlen(dir) - 1] == '/' ? "" : "/", name);
    return buf_detach(&b);
}
