/* utf16_win32.c -- UTF-8 <-> UTF-16 for the Windows API: the one place that widens and narrows */
#ifdef _WIN32
#define WIN32_LEAN_AND_MEAN
#include <windows.h>

#include <limits.h>
#include <stdlib.h>

#include "udpchat/mem.h"
#include "udpchat/utf16.h"

wchar_t *utf16_from_utf8(const char *s)
{
    int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, NULL, 0);
    if (n <= 0) return NULL;
    wchar_t *w = xmalloc((size_t)n * sizeof *w);
    if (MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, w, n) != n) {
        free(w);
        return NULL;
    }
    return w;
}

int utf8_from_utf16(buf *out, const wchar_t *w, size_t n)
{
    if (n == 0) return 0;
    if (n > INT_MAX) return -1;
    int need = WideCharToMultiByte(CP_UTF8, 0, w, (int)n, NULL, 0, NULL, NULL);
    if (need <= 0) return -1;
    buf_reserve(out, (size_t)need);
    int got = WideCharToMultiByte(CP_UTF8, 0, w, (int)n, out->data + out->len, need, NULL, NULL);
    if (got == need) out->len += (size_t)need;
    out->data[out->len] = '\0';
    return got == need ? 0 : -1;
}

#endif /* _WIN32 */
