/* fs_win32.c -- the file-transfer file system on Windows: UTF-8 paths as wide strings */
#ifdef _WIN32
#include "udpchat/fs.h"

#include <windows.h>
#include <shlobj.h>
#include <stdlib.h>
#include <string.h>

#define WPATH 4096

static int widen(const char *s, wchar_t *w)
{
    return MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, w, WPATH) > 0 ? 0 : -1;
}

static uint64_t unix_time(FILETIME ft)
{
    uint64_t t = ((uint64_t)ft.dwHighDateTime << 32 | ft.dwLowDateTime) / 10000000u;
    return t > 11644473600ull ? t - 11644473600ull : 0;
}

int fs_stat(const char *path, fs_info *st)
{
    wchar_t w[WPATH];
    WIN32_FILE_ATTRIBUTE_DATA a;
    if (widen(path, w) < 0 || !GetFileAttributesExW(w, GetFileExInfoStandard, &a)) return -1;
    st->is_dir = (a.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) != 0;
    st->is_file = !st->is_dir;
    st->size = st->is_file ? ((uint64_t)a.nFileSizeHigh << 32 | a.nFileSizeLow) : 0;
    st->mtime = unix_time(a.ftLastWriteTime);
    st->is_link = (a.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) != 0;
    return 0;
}

int fs_exists(const char *path)
{
    wchar_t w[WPATH];
    return widen(path, w) == 0 && GetFileAttributesW(w) != INVALID_FILE_ATTRIBUTES;
}

int fs_mkdir(const char *path)
{
    wchar_t w[WPATH];
    return widen(path, w) == 0 && CreateDirectoryW(w, NULL) ? 0 : -1;
}

int fs_rename_new(const char *from, const char *to)
{
    wchar_t a[WPATH], b[WPATH];
    return widen(from, a) == 0 && widen(to, b) == 0 && MoveFileExW(a, b, 0) ? 0 : -1; /* never replaces */
}

int fs_remove(const char *path)
{
    wchar_t w[WPATH];
    if (widen(path, w) < 0) return -1;
    return DeleteFileW(w) || RemoveDirectoryW(w) ? 0 : -1;
}

FILE *fs_open(const char *path, const char *mode)
{
    wchar_t w[WPATH], m[8];
    if (widen(path, w) < 0 || !MultiByteToWideChar(CP_UTF8, 0, mode, -1, m, 8)) return NULL;
    return _wfopen(w, m);
}

int fs_seek(FILE *f, uint64_t offset) { return _fseeki64(f, (__int64)offset, SEEK_SET) == 0 ? 0 : -1; }

int fs_list(const char *dir, fs_entry_fn fn, void *ctx)
{
    wchar_t w[WPATH];
    buf pat = {0};
    buf_printf(&pat, "%s\\*", dir);
    WIN32_FIND_DATAW fd;
    HANDLE h = widen(pat.data, w) == 0 ? FindFirstFileW(w, &fd) : INVALID_HANDLE_VALUE;
    buf_free(&pat);
    if (h == INVALID_HANDLE_VALUE) return -1;
    do {
        char name[MAX_PATH * 4];
        if (!WideCharToMultiByte(CP_UTF8, 0, fd.cFileName, -1, name, sizeof name, NULL, NULL)) continue;
        if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) continue;
        if (fn(ctx, name)) break;
    } while (FindNextFileW(h, &fd));
    FindClose(h);
    return 0;
}

void fs_download_dir(buf *out)
{
    static const GUID downloads = {0x374DE290, 0x123F, 0x4565, {0x91, 0x64, 0x39, 0xC4, 0x92, 0x5E, 0x46, 0x7B}};
    PWSTR w = NULL;
    char path[MAX_PATH * 4];
    if (SHGetKnownFolderPath(&downloads, 0, NULL, &w) == S_OK &&
        WideCharToMultiByte(CP_UTF8, 0, w, -1, path, sizeof path, NULL, NULL)) {
        buf_append_str(out, path);
    } else {
        const char *home = getenv("USERPROFILE");
        buf_printf(out, "%s\\Downloads", home && *home ? home : ".");
    }
    CoTaskMemFree(w);
}

#endif
