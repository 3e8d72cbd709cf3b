/* settings_posix.c -- the settings file on POSIX: XDG path, 0600 files, rename, the login name */
#define _XOPEN_SOURCE 700 /* realpath, lstat, O_NOFOLLOW */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "udpchat/charset.h"
#include "udpchat/mem.h"
#include "settings_backend.h"

int settings_sys_default_path(buf *out, char *err, size_t errlen)
{
    const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    if (xdg && xdg[0] == '/') {
        buf_printf(out, "%s/udpchat/udpchat.conf", xdg);
        return 0;
    }
    if (!home || home[0] != '/') {
        snprintf(err, errlen, "neither XDG_CONFIG_HOME nor HOME is an absolute path");
        return -1;
    }
    buf_printf(out, "%s/.config/udpchat/udpchat.conf", home);
    return 0;
}

static int read_fd(int fd, buf *out, char *err, size_t errlen)
{
    char chunk[8192];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            snprintf(err, errlen, "cannot read it: %s", strerror(errno));
            return -1;
        }
        if (n == 0) return 0;
        if (out->len + (size_t)n > SETTINGS_MAX_FILE) {
            snprintf(err, errlen, "larger than %d bytes: not read", SETTINGS_MAX_FILE);
            return -1;
        }
        buf_append(out, chunk, (size_t)n);
    }
}

int settings_sys_read(const char *path, buf *out, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0 && errno == ENOENT) return 1;
    if (fd < 0) {
        snprintf(err, errlen, "cannot open it: %s", strerror(errno));
        return -1;
    }
    struct stat st;
    int rc = -1;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
        snprintf(err, errlen, "not a regular file: not read");
    else if (st.st_size > SETTINGS_MAX_FILE)
        snprintf(err, errlen, "larger than %d bytes: not read", SETTINGS_MAX_FILE);
    else
        rc = read_fd(fd, out, err, errlen);
    close(fd);
    return rc;
}

/* mkdir -p of path's folder, each new folder 0700. */
static int make_parents(const char *path, char *err, size_t errlen)
{
    char *dir = str_dup(path);
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
            snprintf(err, errlen, "cannot create the folder %s: %s", dir, strerror(errno));
            free(dir);
            return -1;
        }
        *p = '/';
    }
    free(dir);
    return 0;
}

static int write_all(int fd, const char *data, size_t len)
{
    while (len) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        data += n, len -= (size_t)n;
    }
    return fsync(fd);
}

/* The file to replace: path, or where its symbolic link points (a dotfiles checkout keeps
 * its link); NULL (why in err) when that is not a regular file. Heap. */
static char *target_of(const char *path, char *err, size_t errlen)
{
    struct stat st;
    char *real = NULL;
    if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode) && (real = realpath(path, NULL)) != NULL) path = real;
    char *target = str_dup(path);
    free(real);
    if (stat(target, &st) == 0 && !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s is not a regular file: not replaced", target);
        free(target);
        return NULL;
    }
    return target;
}

/* The temporary file next to path, written and flushed, renamed over path. */
static int replace_file(const char *path, const char *data, size_t len, char *err, size_t errlen)
{
    if (make_parents(path, err, errlen) < 0) return -1;
    buf tmp = {0};
    buf_printf(&tmp, "%s.%ld.tmp", path, (long)getpid());
    int fd = open(tmp.data, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    int rc = fd < 0 ? -1 : write_all(fd, data, len);
    if (fd >= 0 && close(fd) < 0) rc = -1;
    if (rc == 0 && rename(tmp.data, path) < 0) rc = -1;
    if (rc < 0) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        unlink(tmp.data);
    }
    buf_free(&tmp);
    return rc;
}

int settings_sys_write(const char *path, const char *data, size_t len, char *err, size_t errlen)
{
    char *target = target_of(path, err, errlen);
    int rc = target ? replace_file(target, data, len, err, errlen) : -1;
    free(target);
    return rc;
}

char *settings_sys_env(const char *name)
{
    const char *v = getenv(name);
    return v ? xstrdup(v) : NULL;
}

void settings_sys_user_name(buf *out)
{
    const char *u = getenv("USER");
    if (!u || !*u) u = getenv("LOGNAME");
    if (u) buf_append_str(out, u);
}

int settings_sys_asks_nick(void) { return 0; }

int settings_sys_read_line(buf *out)
{
    char line[1024];
    if (!fgets(line, sizeof line, stdin)) return -1;
    line[strcspn(line, "\r\n")] = '\0';
    charset_id cs = charset_locale();
    if (cs == CHARSET_UNKNOWN || cs == CHARSET_UTF8) buf_append_str(out, line);
    else charset_decode(cs, line, strlen(line), 1, out);
    return 0;
}
