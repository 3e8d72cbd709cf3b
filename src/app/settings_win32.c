/* settings_win32.c -- the settings file on Windows: %APPDATA%, MoveFileEx, GetUserNameW, the console */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "udpchat/charset.h"
#include "udpchat/mem.h"
#include "udpchat/utf16.h"
#include "settings_backend.h"

/* The path as UTF-16, never NULL: bytes in it that are not UTF-8 become U+FFFD. Free it
 * with free(). */
static wchar_t *to_wide(const char *path)
{
    buf clean = {0};
    charset_decode(CHARSET_UTF8, path, strlen(path), 1, &clean);
    buf_append(&clean, "", 0);
    wchar_t *w = utf16_from_utf8(clean.data);
    buf_free(&clean);
    return w ? w : xcalloc(1, sizeof *w);
}

char *settings_sys_env(const char *name)
{
    wchar_t *wname = utf16_from_utf8(name);
    const wchar_t *v = wname ? _wgetenv(wname) : NULL;
    buf out = {0};
    if (v) utf8_from_utf16(&out, v, wcslen(v)), buf_append(&out, "", 0);
    free(wname);
    return v ? buf_detach(&out) : NULL;
}

int settings_sys_default_path(buf *out, char *err, size_t errlen)
{
    const wchar_t *appdata = _wgetenv(L"APPDATA");
    if (!appdata || !*appdata) {
        snprintf(err, errlen, "APPDATA is not set");
        return -1;
    }
    utf8_from_utf16(out, appdata, wcslen(appdata));
    buf_append_str(out, "\\udpchat\\udpchat.conf");
    return 0;
}

static void say_error(const char *what, char *err, size_t errlen)
{
    snprintf(err, errlen, "%s (Windows error %lu)", what, (unsigned long)GetLastError());
}

static int read_handle(HANDLE h, buf *out, char *err, size_t errlen)
{
    LARGE_INTEGER size;
    if (GetFileType(h) != FILE_TYPE_DISK || !GetFileSizeEx(h, &size)) {
        snprintf(err, errlen, "not a regular file: not read");
        return -1;
    }
    if (size.QuadPart > SETTINGS_MAX_FILE) {
        snprintf(err, errlen, "larger than %d bytes: not read", SETTINGS_MAX_FILE);
        return -1;
    }
    char chunk[8192];
    DWORD n;
    while (ReadFile(h, chunk, sizeof chunk, &n, NULL) && n > 0) {
        if (out->len + n > SETTINGS_MAX_FILE) {
            snprintf(err, errlen, "larger than %d bytes: not read", SETTINGS_MAX_FILE);
            return -1;
        }
        buf_append(out, chunk, n);
    }
    return 0;
}

int settings_sys_read(const char *path, buf *out, char *err, size_t errlen)
{
    wchar_t *w = to_wide(path);
    HANDLE h = CreateFileW(w, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                           OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
    free(w);
    if (h == INVALID_HANDLE_VALUE) {
        DWORD e = GetLastError();
        if (e == ERROR_FILE_NOT_FOUND || e == ERROR_PATH_NOT_FOUND) return 1;
        say_error("cannot open it", err, errlen);
        return -1;
    }
    int rc = read_handle(h, out, err, errlen);
    CloseHandle(h);
    return rc;
}

/* Creates each missing folder on the way to path's file (the user's profile already
 * keeps others out of %APPDATA%). */
static void make_parents(const char *path)
{
    wchar_t *w = to_wide(path);
    for (wchar_t *p = w + 1; *p; p++) {
        if (*p != L'\\' && *p != L'/') continue;
        wchar_t c = *p;
        *p = L'\0';
        if (!(p == w + 2 && w[1] == L':')) CreateDirectoryW(w, NULL);
        *p = c;
    }
    free(w);
}

static int write_file(const wchar_t *w, const char *data, size_t len)
{
    HANDLE h = CreateFileW(w, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    if (h == INVALID_HANDLE_VALUE) return -1;
    DWORD n = 0;
    int ok = (len == 0 || (WriteFile(h, data, (DWORD)len, &n, NULL) && n == len)) && FlushFileBuffers(h);
    CloseHandle(h);
    return ok ? 0 : -1;
}

int settings_sys_write(const char *path, const char *data, size_t len, char *err, size_t errlen)
{
    wchar_t *w = to_wide(path);
    DWORD attr = GetFileAttributesW(w);
    if (attr != INVALID_FILE_ATTRIBUTES && (attr & (FILE_ATTRIBUTE_DIRECTORY | FILE_ATTRIBUTE_DEVICE))) {
        snprintf(err, errlen, "%s is not a regular file: not replaced", path);
        free(w);
        return -1;
    }
    make_parents(path);
    buf tmp = {0};
    buf_printf(&tmp, "%s.%lu.tmp", path, (unsigned long)GetCurrentProcessId());
    wchar_t *wt = to_wide(tmp.data);
    int rc = write_file(wt, data, len);
    if (rc == 0 && !MoveFileExW(wt, w, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)) rc = -1;
    if (rc < 0) {
        say_error("cannot write the settings file", err, errlen);
        DeleteFileW(wt);
    }
    free(wt);
    free(w);
    buf_free(&tmp);
    return rc;
}

void settings_sys_user_name(buf *out)
{
    wchar_t name[257];
    DWORD n = sizeof name / sizeof name[0];
    if (GetUserNameW(name, &n) && n > 1) utf8_from_utf16(out, name, n - 1);
}

static int stdin_console(void)
{
    DWORD mode;
    HANDLE h = GetStdHandle(STD_INPUT_HANDLE);
    return h != INVALID_HANDLE_VALUE && h != NULL && GetConsoleMode(h, &mode);
}

int settings_sys_asks_nick(void) { return stdin_console(); }

/* One line typed in the console, read as UTF-16 (any script, whatever the code page). */
static int read_console_line(buf *out)
{
    wchar_t w[512];
    DWORD n = 0;
    if (!ReadConsoleW(GetStdHandle(STD_INPUT_HANDLE), w, 511, &n, NULL) || n == 0) return -1;
    while (n && (w[n - 1] == L'\n' || w[n - 1] == L'\r')) n--;
    utf8_from_utf16(out, w, n);
    return 0;
}

int settings_sys_read_line(buf *out)
{
    if (stdin_console()) return read_console_line(out);
    char line[1024];
    if (!fgets(line, sizeof line, stdin)) return -1;
    line[strcspn(line, "\r\n")] = '\0';
    charset_id cs = charset_locale();
    if (cs == CHARSET_UNKNOWN || cs == CHARSET_UTF8) buf_append_str(out, line);
    else charset_decode(cs, line, strlen(line), 1, out);
    return 0;
}
