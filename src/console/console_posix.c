/* console_posix.c -- POSIX terminal for the interactive console: termios raw mode, poll/read, VT output */
#ifndef _WIN32
#define _POSIX_C_SOURCE 200809L /* poll, termios; TIOCGWINSZ comes with sys/ioctl.h on glibc and BSD */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "console_backend.h"

static struct termios saved;        /* the mode found by console_sys_open */
static volatile int raw_on;         /* 1 while `saved` must be put back */
static charset_id term_cs = CHARSET_UTF8;
static buf undecoded;               /* typed bytes of a character not complete yet */

int console_sys_open(charset_id cs)
{
    const char *term = getenv("TERM");
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO) || (term && strcmp(term, "dumb") == 0))
        return -1;
    struct termios t;
    if (tcgetattr(STDIN_FILENO, &saved) < 0) return -1;
    t = saved;
    /* Keep OPOST (so "\n" from anyone still returns the carriage) but take every key as it
     * comes: no echo, no line editing by the tty, no signals from Ctrl-C/Ctrl-Z/Ctrl-\,
     * no XON/XOFF, CR not turned into LF. */
    t.c_iflag &= ~(tcflag_t)(BRKINT | ICRNL | INLCR | IGNCR | ISTRIP | IXON);
    t.c_lflag &= ~(tcflag_t)(ECHO | ICANON | ISIG | IEXTEN);
    t.c_cflag |= CS8;
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    if (tcsetattr(STDIN_FILENO, TCSADRAIN, &t) < 0) return -1;
    raw_on = 1;
    term_cs = cs == CHARSET_UNKNOWN ? CHARSET_UTF8 : cs;
    return 0;
}

void console_sys_restore(void)
{
    if (!raw_on) return;
    raw_on = 0;
    tcsetattr(STDIN_FILENO, TCSADRAIN, &saved);
}

int console_sys_read(buf *out, int timeout_ms)
{
    struct pollfd p = {STDIN_FILENO, POLLIN, 0};
    int r = poll(&p, 1, timeout_ms);
    if (r < 0) return errno == EINTR ? 0 : -1;
    if (r == 0) return 0;
    if (!(p.revents & POLLIN)) return -1; /* POLLHUP / POLLERR / POLLNVAL: the terminal went away */
    char raw[1024];
    ssize_t n = read(STDIN_FILENO, raw, sizeof raw);
    if (n < 0) return errno == EINTR || errno == EAGAIN ? 0 : -1;
    if (n == 0) return -1;
    buf_append(&undecoded, raw, (size_t)n);
    size_t used = charset_decode(term_cs, undecoded.data, undecoded.len, 0, out);
    buf_consume(&undecoded, used);
    return 1;
}

void console_sys_write(const char *utf8, size_t len)
{
    buf enc = {0};
    if (term_cs != CHARSET_UTF8) {
        charset_encode(term_cs, utf8, len, 1, &enc);
        utf8 = enc.data;
        len = enc.len;
    }
    while (len) {
        ssize_t n = write(STDOUT_FILENO, utf8, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break; /* the terminal is gone: nothing useful left to do with the text */
        utf8 += n;
        len -= (size_t)n;
    }
    buf_free(&enc);
}

int console_sys_width(void)
{
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
    return 80;
}

int console_sys_height(void)
{
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0) return ws.ws_row;
    return 24;
}

int console_sys_stderr_is_terminal(void) { return isatty(STDERR_FILENO); }

int console_sys_window_is_ours(void) { return 0; } /* a terminal outlives its programs */

static int title_kept; /* the terminal's own title is on its title stack */

void console_sys_title(const char *utf8, buf *out)
{
    if (!utf8) {
        if (title_kept) buf_append_str(out, "\x1b[23;0t"); /* pop: the title it had */
        title_kept = 0;
        return;
    }
    if (!title_kept) buf_append_str(out, "\x1b[22;0t"); /* push */
    title_kept = 1;
    buf_printf(out, "\x1b]2;%s\x1b\\", utf8); /* ended by ST, not BEL: a BEL is only ever a bell */
}

/* mkdir -p with mode 0700 for what it makes. */
static int make_dirs(char *path)
{
    for (char *p = path + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        int rc = mkdir(path, 0700);
        *p = '/';
        if (rc < 0 && errno != EEXIST) return -1;
    }
    if (mkdir(path, 0700) < 0 && errno != EEXIST) return -1;
    struct stat st;
    if (stat(path, &st) < 0) return -1;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

int console_sys_state_dir(buf *out, buf *warning)
{
    const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
    size_t start = out->len;
    if (xdg && xdg[0] == '/') buf_printf(out, "%s/udpchat", xdg); /* a relative one is to be ignored (XDG) */
    else if (home && *home) buf_printf(out, "%s/.local/state/udpchat", home);
    else return -1;
    if (make_dirs(out->data + start) == 0) return 0;
    buf_printf(warning, "input history: cannot make the folder %s (%s): typed lines are not kept", out->data + start,
               strerror(errno));
    return -1;
}

char console_sys_path_sep(void) { return '/'; }

int console_sys_save_private(const char *path, const char *data, size_t len, int append)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOCTTY | (append ? O_APPEND : O_TRUNC), 0600);
    if (fd < 0) return -1;
    int rc = append ? 0 : fchmod(fd, 0600);
    while (rc == 0 && len) { /* one write() for a line: appends of two udpchats do not mix */
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) rc = -1;
        else data += n, len -= (size_t)n;
    }
    if (close(fd) < 0) rc = -1;
    return rc;
}

int console_sys_replace(const char *from, const char *to) { return rename(from, to); }

int console_sys_stdin_is_null(void)
{
    struct stat st;
    return fstat(STDIN_FILENO, &st) == 0 && S_ISCHR(st.st_mode) && !isatty(STDIN_FILENO);
}

#endif
