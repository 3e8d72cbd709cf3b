/* console_win32.c -- Windows console for the interactive console: ReadConsoleW/WriteConsoleW, VT modes */
#ifdef _WIN32
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>

#include "console_backend.h"
#include "udpchat/charset.h"
#include "udpchat/utf16.h"

#ifndef ENABLE_VIRTUAL_TERMINAL_INPUT
#define ENABLE_VIRTUAL_TERMINAL_INPUT 0x0200
#endif
#ifndef ENABLE_VIRTUAL_TERMINAL_PROCESSING
#define ENABLE_VIRTUAL_TERMINAL_PROCESSING 0x0004
#endif

enum { WCHUNK = 512 };

static HANDLE in_h = INVALID_HANDLE_VALUE, out_h = INVALID_HANDLE_VALUE;
static DWORD saved_in, saved_out;  /* the modes found by console_sys_open */
static volatile LONG raw_on;       /* 1 while they must be put back */
static WCHAR held_high;            /* a high surrogate whose low half has not been read yet */

int console_sys_open(charset_id cs)
{
    (void)cs; /* the console speaks UTF-16: no code page involved */
    in_h = GetStdHandle(STD_INPUT_HANDLE);
    out_h = GetStdHandle(STD_OUTPUT_HANDLE);
    if (in_h == INVALID_HANDLE_VALUE || out_h == INVALID_HANDLE_VALUE || !GetConsoleMode(in_h, &saved_in) ||
        !GetConsoleMode(out_h, &saved_out))
        return -1; /* redirected: not a console */
    /* Keys one at a time, no echo, Ctrl-C as 0x03, cursor keys as VT sequences (Windows 10+). */
    DWORD in_mode = (saved_in & ~(DWORD)(ENABLE_LINE_INPUT | ENABLE_ECHO_INPUT | ENABLE_PROCESSED_INPUT)) |
                    ENABLE_VIRTUAL_TERMINAL_INPUT;
    DWORD out_mode = saved_out | ENABLE_PROCESSED_OUTPUT | ENABLE_VIRTUAL_TERMINAL_PROCESSING;
    if (!SetConsoleMode(in_h, in_mode)) return -1;
    if (!SetConsoleMode(out_h, out_mode)) { /* an old console without VT support */
        SetConsoleMode(in_h, saved_in);
        return -1;
    }
    InterlockedExchange(&raw_on, 1);
    return 0;
}

void console_sys_restore(void)
{
    if (InterlockedExchange(&raw_on, 0) == 0) return;
    SetConsoleMode(in_h, saved_in);
    SetConsoleMode(out_h, saved_out);
}

static int has_char(const INPUT_RECORD *r)
{
    return r->EventType == KEY_EVENT && r->Event.KeyEvent.bKeyDown && r->Event.KeyEvent.uChar.UnicodeChar;
}

/* 1 if the next record in the input buffer carries a character. Takes the records before
 * it (focus, mouse, key-up), which would otherwise make ReadConsoleW block; a focus
 * change becomes the VT focus report ESC [ I / ESC [ O in out, as a terminal with
 * CSI ?1004h sends it (the editor reads both the same way). */
static int char_waiting(buf *out)
{
    INPUT_RECORD rec[64];
    DWORD n = 0, lead = 0;
    if (!PeekConsoleInputW(in_h, rec, 64, &n)) return -1;
    while (lead < n && !has_char(&rec[lead])) lead++;
    if (lead && !ReadConsoleInputW(in_h, rec, lead, &lead)) return -1;
    for (DWORD i = 0; i < lead; i++)
        if (rec[i].EventType == FOCUS_EVENT) buf_append_str(out, rec[i].Event.FocusEvent.bSetFocus ? "\x1b[I" : "\x1b[O");
    return lead < n;
}

int console_sys_read(buf *out, int timeout_ms)
{
    DWORD w = WaitForSingleObject(in_h, (DWORD)timeout_ms);
    if (w == WAIT_TIMEOUT) return 0;
    if (w != WAIT_OBJECT_0) return -1;
    size_t had = out->len;
    int waiting = char_waiting(out);
    if (waiting <= 0) return waiting < 0 ? -1 : out->len > had;
    WCHAR wbuf[WCHUNK + 1];
    int start = 0;
    if (held_high) wbuf[start++] = held_high;
    held_high = 0;
    DWORD n = 0;
    if (!ReadConsoleW(in_h, wbuf + start, WCHUNK, &n, NULL)) return -1;
    int total = start + (int)n;
    if (total && wbuf[total - 1] >= 0xD800 && wbuf[total - 1] <= 0xDBFF) held_high = wbuf[--total];
    for (int i = 0; i < total; i++) /* Ctrl-Z is Windows' end of input: the editor's Ctrl-D */
        if (wbuf[i] == 0x1A) wbuf[i] = 0x04;
    utf8_from_utf16(out, wbuf, (size_t)total);
    return 1;
}

void console_sys_write(const char *utf8, size_t len)
{
    while (len) { /* in slices, so the UTF-16 copy stays on the stack */
        size_t take = len > WCHUNK ? WCHUNK : len;
        while (take < len && take > 0 && ((unsigned char)utf8[take] & 0xC0) == 0x80) take--;
        if (take == 0) take = len > WCHUNK ? WCHUNK : len;
        WCHAR w[WCHUNK];
        int n = MultiByteToWideChar(CP_UTF8, 0, utf8, (int)take, w, WCHUNK);
        const WCHAR *p = w;
        while (n > 0) {
            DWORD done = 0;
            if (!WriteConsoleW(out_h, p, (DWORD)n, &done, NULL) || done == 0) return;
            p += done;
            n -= (int)done;
        }
        utf8 += take;
        len -= take;
    }
}

int console_sys_width(void)
{
    CONSOLE_SCREEN_BUFFER_INFO info;
    if (GetConsoleScreenBufferInfo(out_h, &info)) {
        int w = info.srWindow.Right - info.srWindow.Left + 1;
        if (w > 0) return w;
    }
    return 80;
}

int console_sys_height(void)
{
    CONSOLE_SCREEN_BUFFER_INFO info;
    if (GetConsoleScreenBufferInfo(out_h, &info)) {
        int h = info.srWindow.Bottom - info.srWindow.Top + 1;
        if (h > 0) return h;
    }
    return 24;
}

int console_sys_stdin_is_null(void)
{
    DWORD mode;
    HANDLE h = GetStdHandle(STD_INPUT_HANDLE);
    return h == NULL || h == INVALID_HANDLE_VALUE ||
           (GetFileType(h) == FILE_TYPE_CHAR && !GetConsoleMode(h, &mode)); /* NUL */
}

int console_sys_stderr_is_terminal(void)
{
    DWORD mode;
    HANDLE h = GetStdHandle(STD_ERROR_HANDLE);
    return h != INVALID_HANDLE_VALUE && h != NULL && GetConsoleMode(h, &mode);
}

static WCHAR kept_title[1024]; /* the console's title before ours */
static int title_kept;

void console_sys_title(const char *utf8, buf *out)
{
    (void)out; /* the console's title is set by a call, not by bytes */
    if (!utf8) {
        if (title_kept) SetConsoleTitleW(kept_title);
        title_kept = 0;
        return;
    }
    if (!title_kept && !GetConsoleTitleW(kept_title, sizeof kept_title / sizeof kept_title[0])) kept_title[0] = 0;
    title_kept = 1;
    wchar_t *w = utf16_from_utf8(utf8);
    if (w) SetConsoleTitleW(w);
    free(w);
}

/* Makes the folder dir; 0 if it is there now, else the Windows error. */
static DWORD make_dir(const char *dir)
{
    wchar_t *w = utf16_from_utf8(dir);
    if (!w) return ERROR_NO_UNICODE_TRANSLATION;
    DWORD err = CreateDirectoryW(w, NULL) ? 0 : GetLastError();
    free(w);
    return err == ERROR_ALREADY_EXISTS ? 0 : err;
}

int console_sys_state_dir(buf *out, buf *warning)
{
    const WCHAR *appdata = _wgetenv(L"APPDATA");
    if (!appdata || !*appdata) return -1;
    size_t start = out->len;
    utf8_from_utf16(out, appdata, wcslen(appdata));
    buf_append_str(out, "\\udpchat");
    DWORD err = make_dir(out->data + start);
    if (err == 0) return 0;
    buf_printf(warning, "input history: cannot make the folder %s (error %lu): typed lines are not kept",
               out->data + start, (unsigned long)err);
    return -1;
}

char console_sys_path_sep(void) { return '\\'; }

/* The folder is the user's own (%APPDATA%): its ACL already keeps others out. */
int console_sys_save_private(const char *path, const char *data, size_t len, int append)
{
    FILE *f = charset_fopen(path, append ? "ab" : "wb");
    if (!f) return -1;
    int rc = fwrite(data, 1, len, f) == len ? 0 : -1;
    if (fclose(f) != 0) rc = -1;
    return rc;
}

int console_sys_replace(const char *from, const char *to)
{
    wchar_t *wf = utf16_from_utf8(from), *wt = utf16_from_utf8(to);
    int ok = wf && wt && MoveFileExW(wf, wt, MOVEFILE_REPLACE_EXISTING);
    free(wf), free(wt);
    return ok ? 0 : -1;
}

/* Started by a double-click or a shortcut, the console has one process attached: us. */
int console_sys_window_is_ours(void)
{
    DWORD pids[2];
    return GetConsoleProcessList(pids, 2) == 1;
}

#endif
