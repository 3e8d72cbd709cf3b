/* charset_iconv.c -- POSIX charset backend: code page 936 via iconv(3), and the locale */
#define _POSIX_C_SOURCE 200809L /* nl_langinfo */
#include <SDL_atomic.h>
#include <errno.h>
#include <iconv.h>
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "charset_backend.h"
#include "udpchat/charset.h"
#include "udpchat/utf8.h"

/* One descriptor per direction, opened on first use and kept until exit. An iconv_t
 * carries conversion state, so every use happens under cd_lock: the main thread and
 * the network thread both convert text. */
typedef struct cached_cd {
    iconv_t cd;
    int state; /* 0 not tried yet, 1 open, -1 iconv_open failed: nothing maps */
} cached_cd;

static SDL_SpinLock cd_lock; /* held briefly: charset.c asks once, then caches the table */
static cached_cd cds[2]; /* [decode, encode] */

static iconv_t get_cd(int encode)
{
    cached_cd *c = &cds[encode];
    if (c->state == 0) {
        c->cd = encode ? iconv_open("CP936", "UTF-8") : iconv_open("UTF-8", "CP936");
        c->state = c->cd == (iconv_t)-1 ? -1 : 1;
    }
    return c->state == 1 ? c->cd : (iconv_t)-1;
}

/* Converts until the input ends or iconv meets a sequence it cannot convert. */
static size_t iconv_into(iconv_t cd, const char *in, size_t len, buf *out)
{
    char *ip = (char *)in;
    size_t il = len;
    iconv(cd, NULL, NULL, NULL, NULL);
    while (il > 0) {
        buf_reserve(out, il * 2 + 16);
        char *op = out->data + out->len;
        size_t ol = out->cap - out->len - 1;
        size_t r = iconv(cd, &ip, &il, &op, &ol);
        out->len = (size_t)(op - out->data);
        out->data[out->len] = '\0';
        if (r == (size_t)-1 && errno != E2BIG) break;
    }
    return len - il;
}

static size_t convert(int encode, const char *in, size_t len, buf *out)
{
    size_t done = 0;
    SDL_AtomicLock(&cd_lock);
    iconv_t cd = get_cd(encode);
    if (cd != (iconv_t)-1) done = iconv_into(cd, in, len, out);
    SDL_AtomicUnlock(&cd_lock);
    return done;
}

size_t charset_backend_decode(const char *in, size_t len, buf *out)
{
    return len ? convert(0, in, len, out) : 0;
}

size_t charset_backend_encode(const char *in, size_t len, buf *out)
{
    return len ? convert(1, in, len, out) : 0;
}

/* The codeset part of a locale name in the environment ("zh_CN.GBK@x" -> "GBK"). */
static const char *env_codeset(char *tmp, size_t size)
{
    const char *vars[] = {"LC_ALL", "LC_CTYPE", "LANG"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        const char *v = getenv(vars[i]);
        if (!v || !*v) continue;
        const char *dot = strchr(v, '.');
        if (!dot) return NULL;
        size_t n = strcspn(dot + 1, "@");
        if (n >= size) return NULL;
        memcpy(tmp, dot + 1, n);
        tmp[n] = '\0';
        return tmp;
    }
    return NULL;
}

/* nl_langinfo answers for the program's locale; a program that never called setlocale
 * is in the "C" locale, so then the environment says what the user's locale is. */
charset_id charset_locale(void)
{
    char tmp[32];
    const char *current = setlocale(LC_CTYPE, NULL);
    const char *name = nl_langinfo(CODESET);
    if (!current || strcmp(current, "C") == 0 || strcmp(current, "POSIX") == 0)
        name = env_codeset(tmp, sizeof tmp);
    charset_id cs;
    if (name && charset_from_name(name, &cs) == 0) return cs;
    return CHARSET_UTF8;
}

/* POSIX hands the arguments over as the bytes typed, in the locale's charset. In a GBK or
 * GB18030 locale, an argument that is not already UTF-8 is decoded (--nick 小明 typed in
 * GBK); ASCII and UTF-8 arguments stay as they are. The new strings live until exit. */
void charset_utf8_args(int argc, char ***argv)
{
    charset_id cs = charset_locale();
    if (cs != CHARSET_GBK && cs != CHARSET_GB18030) return;
    for (int i = 1; i < argc; i++) {
        const char *a = (*argv)[i];
        size_t n = strlen(a);
        if (utf8_valid(a, n)) continue;
        buf u = {0};
        charset_decode(cs, a, n, 1, &u);
        (*argv)[i] = buf_detach(&u);
    }
}

/* A path from the command line may have been decoded from the locale's charset (above):
 * if it is not found as UTF-8, it is tried again in the locale's charset. */
FILE *charset_fopen(const char *utf8_path, const char *mode)
{
    FILE *f = fopen(utf8_path, mode);
    charset_id cs = charset_locale();
    if (f || errno != ENOENT || (cs != CHARSET_GBK && cs != CHARSET_GB18030)) return f;
    buf local = {0};
    charset_encode(cs, utf8_path, strlen(utf8_path), 1, &local);
    f = fopen(local.data, mode);
    if (!f) errno = ENOENT; /* report the first failure, not the retry's */
    buf_free(&local);
    return f;
}

void charset_binary_stdio(void) {} /* POSIX streams are binary already */
