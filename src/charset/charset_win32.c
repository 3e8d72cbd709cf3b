/* charset_win32.c -- Windows charset backend: code page 936 via the Win32 API, and the ANSI code page */
#ifdef _WIN32
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <fcntl.h>
#include <io.h>

#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>

#include "charset_backend.h"
#include "udpchat/charset.h"
#include "udpchat/utf16.h"
#include "udpchat/utf8.h"

/* Work in slices of at most SLICE input bytes so the UTF-16 buffer lives on the stack:
 * 2-byte codes and BMP UTF-8 give at most one UTF-16 unit per byte. */
enum { SLICE = 4096 };

/* Appends UTF-16 w[0..n) to out in code page cp; -1 (nothing appended) if a character
 * has no exact mapping: 936 must not "best fit" (U+00E0 -> 'a'), nor use '?'. */
static int append_wide(UINT cp, const WCHAR *w, int n, buf *out)
{
    BOOL used = FALSE;
    DWORD flags = cp == CP_UTF8 ? WC_ERR_INVALID_CHARS : WC_NO_BEST_FIT_CHARS;
    BOOL *pused = cp == CP_UTF8 ? NULL : &used;
    int need = WideCharToMultiByte(cp, flags, w, n, NULL, 0, NULL, pused);
    if (need <= 0 || used) return -1;
    buf_reserve(out, (size_t)need);
    WideCharToMultiByte(cp, flags, w, n, out->data + out->len, need, NULL, NULL);
    out->len += (size_t)need;
    out->data[out->len] = '\0';
    return 0;
}

/* Converts in[0..len) (len <= SLICE) from code page `from` to `to`; -1 if anything in it
 * is invalid or unmappable, and then nothing is appended. */
static int convert_slice(UINT from, UINT to, const char *in, size_t len, buf *out)
{
    WCHAR w[SLICE];
    int n = MultiByteToWideChar(from, MB_ERR_INVALID_CHARS, in, (int)len, w, SLICE);
    if (n <= 0) return -1;
    return append_wide(to, w, n, out);
}

/* Length of the unit at in[0..len): a 2-byte code, or one UTF-8 character. */
static size_t unit_len(int encode, const char *in, size_t len)
{
    size_t bad;
    uint32_t cp;
    if (!encode) return 2;
    int r = utf8_decode_one(in, len, &cp, &bad);
    return r > 0 ? (size_t)r : 1;
}

/* The longest prefix of whole units of in[0..len) that fits in a slice. */
static size_t slice_len(int encode, const char *in, size_t len)
{
    size_t n = 0;
    while (n < len) {
        size_t u = unit_len(encode, in + n, len - n);
        if (n + u > SLICE) break;
        n += u;
    }
    return n;
}

/* Slice by slice; a failing slice is redone one unit at a time to find the culprit. */
static size_t convert_units(int encode, const char *in, size_t len, buf *out)
{
    UINT from = encode ? CP_UTF8 : 936, to = encode ? 936 : CP_UTF8;
    size_t done = 0;
    while (done < len) {
        size_t s = slice_len(encode, in + done, len - done), k = 0;
        if (convert_slice(from, to, in + done, s, out) == 0) {
            done += s;
            continue;
        }
        while (k < s) {
            size_t u = unit_len(encode, in + done + k, s - k);
            if (convert_slice(from, to, in + done + k, u, out) != 0) return done + k;
            k += u;
        }
        done += s;
    }
    return done;
}

size_t charset_backend_decode(const char *in, size_t len, buf *out)
{
    return convert_units(0, in, len, out);
}

size_t charset_backend_encode(const char *in, size_t len, buf *out)
{
    return convert_units(1, in, len, out);
}

charset_id charset_locale(void)
{
    switch (GetACP()) {
    case 936: return CHARSET_GBK;
    case 54936: return CHARSET_GB18030;
    default: return CHARSET_UTF8;
    }
}

/* msvcrt's own splitter for the UTF-16 command line (the one main()'s ANSI argv comes from);
 * exported by msvcrt.dll, not declared by the mingw-w64 headers. */
typedef struct crt_startupinfo {
    int newmode;
} crt_startupinfo;
int __cdecl __wgetmainargs(int *argc, wchar_t ***argv, wchar_t ***envp, int glob, crt_startupinfo *si);

/* A heap UTF-8 copy of the UTF-16 string w (NUL-terminated); NULL if it does not convert. */
static char *utf8_from_wide(const wchar_t *w)
{
    buf b = {0};
    if (utf8_from_utf16(&b, w, wcslen(w)) == 0) return buf_detach(&b);
    buf_free(&b);
    return NULL;
}

void charset_utf8_args(int argc, char ***argv)
{
    int wargc = 0;
    wchar_t **wargv = NULL, **wenv = NULL;
    crt_startupinfo si = {0};
    if (__wgetmainargs(&wargc, &wargv, &wenv, 0, &si) < 0 || !wargv || wargc != argc) return;
    char **out = calloc((size_t)argc + 1, sizeof *out);
    if (!out) return;
    for (int i = 0; i < argc; i++) {
        if (!(out[i] = utf8_from_wide(wargv[i]))) {
            while (i > 0) free(out[--i]);
            free(out);
            return; /* keep the ANSI ones */
        }
    }
    *argv = out;
}

FILE *charset_fopen(const char *utf8_path, const char *mode)
{
    wchar_t *wpath = utf16_from_utf8(utf8_path), *wmode = utf16_from_utf8(mode);
    FILE *f = wpath && wmode ? _wfopen(wpath, wmode) : fopen(utf8_path, mode); /* not UTF-8 after all: as given */
    free(wpath), free(wmode);
    return f;
}

void charset_binary_stdio(void)
{
    _setmode(_fileno(stdin), _O_BINARY);
    _setmode(_fileno(stdout), _O_BINARY);
}

#endif /* _WIN32 */
