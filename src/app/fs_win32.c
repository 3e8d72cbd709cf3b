/* fs_win32.c -- the file-transfer file system on Windows: UTF-8 paths as wide strings */
#ifdef _WIN32
#include "udpchat/fs.h"

#include <windows.h>
#include <shlobj.h>
#include <stdlib.h>
#include <string.h>

#include "udpchat/utf16.h"

static uint64_t unix_time(FILETIME ft)
{
    uint64_t t = ((uint64_t)ft.dwHighDateTime << 32 | ft.dwLowDateTime) / 10000000u;
    return t > 11644473600ull ? t - 11644473600ull : 0;
}

int fs_stat(const char *path, fs_info *st)
{
    wchar_t *w = utf16_from_utf8(path);
    WIN32_FILE_ATTRIBUTE_DATA a;
    int ok = w && GetFileAttributesExW(w, GetFileExInfoStandard, &a);
    free(w);
    if (!ok) return -1;
    st->is_dir = (a.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) != 0;
    st->is_file = !st->is_dir;
    st->size = st->is_file ? ((uint64_t)a.nFileSizeHigh << 32 | a.nFileSizeLow) : 0;
    st->mtime = unix_time(a.ftLastWriteTime);
    st->is_link = (a.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) != 0;
    return 0;
}

int fs_exists(const char *path)
{
    wchar_t *w = utf16_from_utf8(path);
    int found = w && GetFileAttributesW(w) != INVALID_FILE_ATTRIBUTES;
    free(w);
    return found;
}

int fs_mkdir(const char *path)
{
    wchar_t *w = utf16_from_utf8(path);
    int ok = w && CreateDirectoryW(w, NULL);
    free(w);
    return ok ? 0 : -1;
}

int fs_rename_new(const char *from, const char *to)
{
    wchar_t *a = utf16_from_utf8(from), *b = utf16_from_utf8(to);
    int ok = a && b && MoveFileExW(a, b, 0); /* never replaces */
    free(a), free(b);
    return ok ? 0 : -1;
}

int fs_remove(const char *path)
{
    wchar_t *w = utf16_from_utf8(path);
    int ok = w && (DeleteFileW(w) || RemoveDirectoryW(w));
    free(w);
    return ok ? 0 : -1;
}

FILE *fs_open(const char *path, const char *mode)
{
    wchar_t *w = utf16_from_utf8(path), *m = utf16_from_utf8(mode);
    FILE *f = w && m ? _wfopen(w, m) : NULL;
    free(w), free(m);
    return f;
}

int fs_seek(FILE *f, uint64_t offset) { return _fseeki64(f, (__int64)offset, SEEK_SET) == 0 ? 0 : -1; }

/* 1 if fn asked to stop; a name that does not convert, ".", ".." are passed over. */
static int list_one(const wchar_t *wname, fs_entry_fn fn, void *ctx)
{
    buf name = {0};
    int stop = 0;
    if (utf8_from_utf16(&name, wname, wcslen(wname)) == 0 && name.len && strcmp(name.data, ".") != 0 &&
        strcmp(name.data, "..") != 0)
        stop = fn(ctx, name.data);
    buf_free(&name);
    return stop;
}

int fs_list(const char *dir, fs_entry_fn fn, void *ctx)
{
    buf pat = {0};
    buf_printf(&pat, "%s\\*", dir);
    wchar_t *w = utf16_from_utf8(pat.data);
    buf_free(&pat);
    WIN32_FIND_DATAW fd;
    HANDLE h = w ? FindFirstFileW(w, &fd) : INVALID_HANDLE_VALUE;
    free(w);
    if (h == INVALID_HANDLE_VALUE) return -1;
    do {
        if (list_one(fd.cFileName, fn, ctx)) break;
    } while (FindNextFileW(h, &fd));
    FindClose(h);
    return 0;
}

void fs_download_dir(buf *out)
{
    static const GUID downloads = {0x374DE290, 0x123F, 0x4565, {0x91, 0x64, 0x39, 0xC4, 0x92, 0x5E, 0x46, 0x7B}};
    PWSTR w = NULL;
    if (SHGetKnownFolderPath(&downloads, 0, NULL, &w) != S_OK || utf8_from_utf16(out, w, wcslen(w)) < 0) {
        const wchar_t *home = _wgetenv(L"USERPROFILE"); /* wide: a Chinese user name arrives whole */
        if (home && *home) utf8_from_utf16(out, home, wcslen(home));
        else buf_append_str(out, ".");
        buf_append_str(out, "\\Downloads");
    }
    CoTaskMemFree(w);
}

#endif
