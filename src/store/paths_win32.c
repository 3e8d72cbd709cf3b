/* paths_win32.c -- the user's folders on Windows: %APPDATA%\udpchat for data, config, state */
#include "udpchat/paths.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>
#include <shlobj.h>

#include "udpchat/buf.h"
#include "udpchat/utf16.h"

/* The roaming application data folder in UTF-8 (heap); NULL, and why, if there is none. */
static char *appdata_dir(char *why, size_t n)
{
    wchar_t appdata[MAX_PATH];
    if (SHGetFolderPathW(NULL, CSIDL_APPDATA | CSIDL_FLAG_CREATE, NULL, 0, appdata) != S_OK) {
        snprintf(why, n, "Windows gave no application data folder");
        return NULL;
    }
    buf b = {0};
    if (utf8_from_utf16(&b, appdata, wcslen(appdata)) == 0) return buf_detach(&b);
    buf_free(&b);
    snprintf(why, n, "the application data folder's name does not convert to UTF-8");
    return NULL;
}

char *paths_dir(paths_kind kind, char *why, size_t n)
{
    (void)kind; /* Windows keeps all three in the roaming application data folder */
    char *base = appdata_dir(why, n);
    if (!base) return NULL;
    char *dir = paths_join(base, "udpchat");
    free(base);
    wchar_t *w = utf16_from_utf8(dir);
    int ok = w && (CreateDirectoryW(w, NULL) || GetLastError() == ERROR_ALREADY_EXISTS);
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
