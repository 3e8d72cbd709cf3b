/* gui_stderr.c -- stderr held in a temporary file until the window opens, then given back */
#define _POSIX_C_SOURCE 200809L
#include "gui_stderr.h"

#include <stdio.h>

#include "udpchat/buf.h"

#ifdef _WIN32
#include <io.h>
#include <windows.h>
#define fd_dup _dup
#define fd_dup2 _dup2
#define fd_close _close
#define fd_of _fileno
enum { NEED_STDERR = 0 }; /* udpchatw.exe has no stderr: what it prints is held all the same */

/* A file in the user's temporary folder, deleted when closed (msvcrt's tmpfile() writes to
 * the root of the drive, which users may not). */
static FILE *temp_file(void)
{
    wchar_t dir[MAX_PATH + 1], name[MAX_PATH + 1];
    DWORD n = GetTempPathW(MAX_PATH + 1, dir);
    if (n == 0 || n > MAX_PATH || !GetTempFileNameW(dir, L"udc", 0, name)) return NULL;
    FILE *f = _wfopen(name, L"w+bD");
    if (!f) DeleteFileW(name);
    return f;
}
#else
#include <unistd.h>
#define fd_dup dup
#define fd_dup2 dup2
#define fd_close close
#define fd_of fileno
enum { NEED_STDERR = 1 };

static FILE *temp_file(void) { return tmpfile(); }
#endif

static FILE *held;        /* what stderr printed meanwhile */
static int saved_fd = -1; /* the real stderr; -1 when there is none */

void gui_stderr_capture(void)
{
    fflush(stderr);
    held = temp_file();
    if (!held) return;
    saved_fd = fd_dup(2);
    if ((NEED_STDERR && saved_fd < 0) || fd_dup2(fd_of(held), 2) < 0) {
        fclose(held);
        if (saved_fd >= 0) fd_close(saved_fd);
        held = NULL, saved_fd = -1;
    }
}

char *gui_stderr_release(void)
{
    if (!held) return str_dup("");
    fflush(stderr);
    if (saved_fd >= 0) {
        fd_dup2(saved_fd, 2);
        fd_close(saved_fd);
        saved_fd = -1;
    }
    char text[2048];
    size_t n = 0;
    if (fseek(held, 0, SEEK_SET) == 0) n = fread(text, 1, sizeof text - 1, held);
    text[n] = '\0';
    fclose(held);
    held = NULL;
    fputs(text, stderr);
    return str_dup(text);
}
