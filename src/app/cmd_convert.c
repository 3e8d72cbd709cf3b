/* cmd_convert.c -- `udpchat convert`: iconv(1) for utf-8, gbk and gb18030 in constant memory */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "udpchat/buf.h"
#include "udpchat/charset.h"
#include "udpchat/cli.h"
#include "udpchat/utf8.h"

/* Input is read CHUNK bytes at a time; with --from auto at most DETECT_WINDOW bytes
 * after the first non-ASCII byte (plus one chunk) are held back until they decide. */
enum { CHUNK = 64 * 1024, DETECT_WINDOW = 4096 };

static const char usage_text[] =
    "[--from CS] [--to CS] [FILE...]\n\n"
    "Converts text between utf-8, gbk (Windows code page 936) and gb18030, like iconv(1).\n"
    "Reads each FILE in turn (none or \"-\": standard input) and writes standard output,\n"
    "streaming in constant memory. Bytes that are invalid in the source charset become\n"
    "U+FFFD (one per bad sequence); characters the target cannot represent become '?'.\n"
    "The exit status is still 0 then.\n\n"
    "--from auto guesses each file's charset: ASCII passes through unchanged; the first\n"
    "non-ASCII bytes decide: valid UTF-8 (over 4 KiB, or to the end of the file) means\n"
    "utf-8, anything else gb18030 (a superset of gbk).\n\n"
    "A FILE that cannot be opened or read is reported and skipped; the other files are\n"
    "still converted, and the exit status is 1. Unknown charset names exit with 2.\n\n"
    "Charsets: utf-8 (utf8), gbk (cp936, gb2312, 936), gb18030 (54936); any case.";

typedef struct converter {
    charset_id from, to;
    int detecting;     /* --from auto and nothing decisive seen yet in this file */
    buf in, mid, out;  /* undecoded input carried over, UTF-8, bytes for stdout */
} converter;

/* The charset the held-back bytes s[0..len) (starting non-ASCII) show, or
 * CHARSET_UNKNOWN if they cannot tell yet. */
static charset_id detect_verdict(const char *s, size_t len, int final)
{
    size_t i = 0, bad;
    uint32_t cp;
    while (i < len) {
        int r = utf8_decode_one(s + i, len - i, &cp, &bad);
        if (r == -1 || (r == -2 && final)) return CHARSET_GB18030;
        if (r == -2) break;
        i += (size_t)r;
    }
    return final || len >= DETECT_WINDOW ? CHARSET_UTF8 : CHARSET_UNKNOWN;
}

/* While detecting, ASCII (the same in every charset) goes straight to the output. */
static void detect_step(converter *c, int final)
{
    size_t i = 0;
    while (i < c->in.len && (uint8_t)c->in.data[i] < 0x80) i++;
    buf_append(&c->out, c->in.data, i);
    buf_consume(&c->in, i);
    if (c->in.len == 0) return;
    charset_id cs = detect_verdict(c->in.data, c->in.len, final);
    if (cs == CHARSET_UNKNOWN) return;
    c->from = cs;
    c->detecting = 0;
}

static int flush_out(converter *c)
{
    if (c->out.len && fwrite(c->out.data, 1, c->out.len, stdout) != c->out.len) {
        fprintf(stderr, "udpchat convert: cannot write the output: %s\n", strerror(errno));
        return -1;
    }
    buf_clear(&c->out);
    return 0;
}

/* Converts what it can of the carried-over input plus data[0..n); final at end of file. */
static int feed(converter *c, const char *data, size_t n, int final)
{
    buf_append(&c->in, data, n);
    if (c->detecting) detect_step(c, final);
    if (!c->detecting && c->from == CHARSET_UTF8) { /* the encoder validates UTF-8 itself */
        buf_consume(&c->in, charset_encode(c->to, c->in.data, c->in.len, final, &c->out));
    } else if (!c->detecting && c->to == CHARSET_UTF8) { /* the decoder writes valid UTF-8 */
        buf_consume(&c->in, charset_decode(c->from, c->in.data, c->in.len, final, &c->out));
    } else if (!c->detecting) {
        buf_consume(&c->in, charset_decode(c->from, c->in.data, c->in.len, final, &c->mid));
        buf_consume(&c->mid, charset_encode(c->to, c->mid.data, c->mid.len, final, &c->out));
    }
    return flush_out(c);
}

/* Returns EXIT_OK, EXIT_RUNTIME (read error: reported, go on) or -1 (write error: stop). */
static int convert_stream(converter *c, FILE *f, const char *name, char *chunk)
{
    size_t n;
    int rc = EXIT_OK;
    while ((n = fread(chunk, 1, CHUNK, f)) > 0)
        if (feed(c, chunk, n, 0) < 0) return -1;
    if (ferror(f)) {
        fprintf(stderr, "udpchat convert: cannot read '%s': %s\n", name, strerror(errno));
        rc = EXIT_RUNTIME;
    }
    return feed(c, NULL, 0, 1) < 0 ? -1 : rc;
}

static int convert_path(converter *c, const char *path, int auto_from, char *chunk)
{
    int is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : charset_fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "udpchat convert: cannot open '%s': %s\n", path, strerror(errno));
        return EXIT_RUNTIME;
    }
    c->detecting = auto_from;
    int rc = convert_stream(c, f, is_stdin ? "standard input" : path, chunk);
    if (!is_stdin) fclose(f);
    buf_clear(&c->in);
    buf_clear(&c->mid);
    return rc;
}

static int lookup(const char *name, charset_id *cs)
{
    if (charset_from_name(name, cs) == 0) return 0;
    fprintf(stderr, "udpchat: unknown charset '%s' (known: %s)\n", name, charset_known_list());
    return -1;
}

static int run_files(converter *c, const char **files, int nfiles, int auto_from)
{
    char *chunk = malloc(CHUNK);
    int rc = EXIT_OK;
    if (!chunk) return EXIT_RUNTIME;
    charset_binary_stdio();
    for (int i = 0; i < (nfiles ? nfiles : 1); i++) {
        int r = convert_path(c, nfiles ? files[i] : "-", auto_from, chunk);
        if (r < 0) {
            rc = EXIT_RUNTIME;
            break;
        }
        if (r != EXIT_OK) rc = r;
    }
    if (fflush(stdout) != 0 && rc == EXIT_OK) {
        fprintf(stderr, "udpchat convert: cannot write the output: %s\n", strerror(errno));
        rc = EXIT_RUNTIME;
    }
    free(chunk);
    return rc;
}

int cmd_convert(int argc, char **argv)
{
    const char *from = "auto", *to = NULL;
    const cli_opt opts[] = {
        {"from", CLI_STRING, &from, 0, 0, "CS", "source charset, or auto (default: auto)"},
        {"to", CLI_STRING, &to, 0, 0, "CS", "target charset (default: the locale's)"},
        {NULL, CLI_FLAG, NULL, 0, 0, NULL, NULL},
    };
    const char **files = calloc((size_t)argc + 1, sizeof *files);
    int nfiles = 0, rc = files ? cli_parse(argc, argv, opts, files, argc, &nfiles, usage_text) : -1;
    converter c = {CHARSET_UTF8, charset_locale(), 0, {0}, {0}, {0}};
    int auto_from = str_ieq(from, "auto");
    if (rc != 0) rc = rc > 0 ? EXIT_OK : EXIT_USAGE;
    else if ((!auto_from && lookup(from, &c.from) < 0) || (to && lookup(to, &c.to) < 0))
        rc = EXIT_USAGE;
    else rc = run_files(&c, files, nfiles, auto_from);
    buf_free(&c.in);
    buf_free(&c.mid);
    buf_free(&c.out);
    free(files);
    return rc;
}
