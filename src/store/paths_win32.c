/* paths_win32.c -- the user's folders on Windows: %APPDATA%\udpchat for data, config, state */
#include "udpchat/paths.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>
#include <shlobj.h>

#include "udpchat/buf.h"
#include "udpchat/mem.h"

/* UTF-16 -> UTF-8 (heap), NULL if it does not convert. */
static char *utf8_of(const wchar_t *w)
{
    int n = WideCharToMultiByte(CP_UTF8, 0, w, -1, NULL, 0, NULL, NULL);
    if (n <= 0) return NULL;
    char *s = xmalloc((size_t)n);
    WideCharToMultiByte(CP_UTF8, 0, w, -1, s, n, NULL, NULL);
    return s;
}

static wchar_t *wide_of(const char *s)
{
    int n = MultiByteToWideChar(CP_UTF8, 0, s, -1, NULL, 0);
    wchar_t *w = xmalloc((size_t)(n > 0 ? n : 1) * sizeof *w);
    if (n <= 0 || !MultiByteToWideChar(CP_UTF8, 0, s, -1, w, n)) w[0] = 0;
    return w;
}

char *paths_dir(paths_kind kind, char *why, size_t n)
{
    (void)kind; /* Windows keeps all three in the roaming application data folder */
    wchar_t appdata[MAX_PATH];
    if (SHGetFolderPathW(NULL, CSIDL_APPDATA | CSIDL_FLAG_CREATE, NULL, 0, appdata) != S_OK) {
        snprintf(why, n, "Windows gave no application data folder");
        return NULL;
    }
    char *base = utf8_of(appdata);
    if (!base) {
        snprintf(why, n, "the application data folder's name does not convert to UTF-8");
        return NULL;
    }
    char *dir = paths_join(base, "udpchat");
    free(base);
    wchar_t *w = wide_of(dir);
    int ok = CreateDirectoryW(w, NULL) || GetLastError() == ERROR_ALREADY_EXISTS;
    free(w);
    if (!ok) {
        snprintf(why, n, "cannot create %s (Windows error %lu)", dir, (unsigned long)GetLastError());
        free(dir);
        return NULL;
    }
    return dir;
}

char *paths_join(const char *dir, const char *name)
{
    buf b = {0};
    size_t n = strlen(dir);
    buf_printf(&b, "%s%s%s", dir, n && (dir[n - 1] == '\\' || dir[n - 1] == '/') ? "" : "\\", name);
    return buf_detach(&b);
}
