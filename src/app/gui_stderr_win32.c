/* gui_stderr_win32.c -- stderr held in a temporary file until the window opens, then given back (Windows) */
#include "gui_stderr.h"

#include <fcntl.h>
#include <io.h>
#include <stdio.h>
#include <windows.h>

#include "udpchat/buf.h"

static FILE *held;        /* what stderr printed meanwhile */
static int saved_fd = -1; /* the real stderr; -1 in udpchatw.exe, which has none */

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

void gui_stderr_capture(void)
{
    fflush(stderr);
    held = temp_file();
    if (!held) return;
    saved_fd = _dup(2);
    if (_dup2(_fileno(held), 2) < 0) {
        fclose(held);
        if (saved_fd >= 0) _close(saved_fd);
        held = NULL, saved_fd = -1;
    }
}

char *gui_stderr_release(void)
{
    if (!held) return str_dup("");
    fflush(stderr);
    if (saved_fd >= 0) {
        _dup2(saved_fd, 2);
        _close(saved_fd);
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
