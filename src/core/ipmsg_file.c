/* ipmsg_file.c -- IP Messenger file lists, TCP requests, directory-stream headers, safe names */
#include "udpchat/ipmsg_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "udpchat/mem.h"
#include "udpchat/utf8.h"

/*
** Every input here is a peer's bytes: each reader takes [p, end) and never reads past end;
** a field that is missing, too long or out of range makes the whole entry (or request, or
** header) malformed. A cursor only moves forward, so every loop ends. Numbers: decimal file
** IDs in lists, hex everywhere else; at most 20 digits (leading zeros allowed, as iptux pads
** sizes) and never above the field's maximum. A name runs to the first ':' that is not
** doubled ("::" is one ':'), is not empty, holds no NUL, and is at most MAX_RAW_NAME raw bytes (a GBK name
** of IPMSG_FILE_MAX_NAME UTF-8 bytes is shorter than that).
*/

#define MAX_DIGITS 20
#define MAX_RAW_NAME 1024

typedef struct cursor {
    const char *p, *end;
} cursor;

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* A number in `base` (10 or 16), at least one digit, at most max. 0 or -1. */
static int read_num(cursor *c, unsigned base, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    int digits = 0, d;
    while (c->p < c->end && (d = hexval(*c->p)) >= 0 && (unsigned)d < base) {
        if (++digits > MAX_DIGITS || v > (max - (uint64_t)d) / base) return -1;
        v = v * base + (uint64_t)d;
        c->p++;
    }
    *out = v;
    return digits ? 0 : -1;
}

static int expect(cursor *c, char ch)
{
    if (c->p >= c->end || *c->p != ch) return -1;
    c->p++;
    return 0;
}

/* A name up to its terminating single ':' (consumed); "::" is a ':'. Heap copy or NULL. */
static char *read_name(cursor *c)
{
    buf b = {0};
    while (c->p < c->end && *c->p != '\0' && b.len <= MAX_RAW_NAME) {
        if (*c->p == ':') {
            if (c->p + 1 < c->end && c->p[1] == ':') {
                buf_append_byte(&b, ':');
                c->p += 2;
                continue;
            }
            c->p++;
            if (b.len == 0) break; /* an empty name could not be written back */
            buf_append_byte(&b, '\0');
            return buf_detach(&b);
        }
        buf_append_byte(&b, (uint8_t)*c->p++);
    }
    buf_free(&b);
    return NULL;
}

/* ---- file lists ---- */

/* "id:name:size:mtime:attr" and anything up to the next '\a' (extended attributes). */
static int parse_entry(cursor *c, ipmsg_file *f)
{
    uint64_t id, attr;
    memset(f, 0, sizeof *f);
    if (read_num(c, 10, UINT32_MAX, &id) < 0 || expect(c, ':') < 0) return -1;
    if (!(f->name = read_name(c))) return -1;
    if (read_num(c, 16, INT64_MAX, &f->size) < 0 || expect(c, ':') < 0 ||
        read_num(c, 16, UINT64_MAX, &f->mtime) < 0 || expect(c, ':') < 0 ||
        read_num(c, 16, UINT32_MAX, &attr) < 0) {
        free(f->name);
        f->name = NULL;
        return -1;
    }
    f->id = (uint32_t)id;
    f->attr = (uint32_t)attr;
    while (c->p < c->end && *c->p != '\a' && *c->p != '\0') c->p++;
    return 0;
}

size_t ipmsg_filelist_parse(const char *s, size_t len, ipmsg_filelist *out)
{
    if (!s) s = "", len = 0; /* an empty buf has no data */
    cursor c = {s, s + len};
    memset(out, 0, sizeof *out);
    for (;;) {
        while (c.p < c.end && (*c.p == '\a' || *c.p == ':')) c.p++; /* \a  :\a  \a:  :\a: */
        if (c.p >= c.end || *c.p == '\0' || out->n >= IPMSG_FILE_MAX_ENTRIES) break;
        ipmsg_file f;
        if (parse_entry(&c, &f) < 0) break;
        out->v = xreallocarray(out->v, out->n + 1, sizeof *out->v);
        out->v[out->n++] = f;
    }
    return out->n;
}

void ipmsg_filelist_free(ipmsg_filelist *l)
{
    for (size_t i = 0; i < l->n; i++) free(l->v[i].name);
    free(l->v);
    memset(l, 0, sizeof *l);
}

static void append_name(buf *b, const char *name)
{
    for (const char *p = name; *p; p++) {
        if (*p == ':') buf_append_byte(b, ':');
        buf_append_byte(b, (uint8_t)*p);
    }
}

void ipmsg_filelist_append(buf *b, uint32_t id, const char *name, uint64_t size, uint64_t mtime,
                           uint32_t attr)
{
    buf_printf(b, "%lu:", (unsigned long)id);
    append_name(b, name);
    buf_printf(b, ":%llx:%llx:%lx:\a", (unsigned long long)size, (unsigned long long)mtime,
               (unsigned long)attr);
}

/* ---- requests ---- */

int ipmsg_filereq_parse(const char *s, size_t len, int want_offset, ipmsg_filereq *r)
{
    cursor c = {s, s + len};
    uint64_t id;
    memset(r, 0, sizeof *r);
    if (read_num(&c, 16, UINT32_MAX, &r->packet_no) < 0 || expect(&c, ':') < 0 ||
        read_num(&c, 16, UINT32_MAX, &id) < 0)
        return -1;
    r->file_id = (uint32_t)id;
    if (c.p < c.end && *c.p == ':' && c.p + 1 < c.end && hexval(c.p[1]) >= 0) { /* iptux's GETDIRFILES: ":0" */
        c.p++;
        if (read_num(&c, 16, INT64_MAX, &r->offset) < 0) return -1;
        if (!want_offset) r->offset = 0;
    }
    if (c.p < c.end && *c.p == ':') c.p++;
    return c.p == c.end || *c.p == '\0' ? 0 : -1;
}

void ipmsg_filereq_build(buf *b, const ipmsg_filereq *r, int with_offset)
{
    buf_printf(b, "%llx:%lx:", (unsigned long long)r->packet_no, (unsigned long)r->file_id);
    if (with_offset) buf_printf(b, "%llx:", (unsigned long long)r->offset);
}

/* ---- directory streams ---- */

int ipmsg_dirhdr_size(const char *s, size_t len, size_t *hsize)
{
    size_t i = 0;
    uint64_t v = 0;
    for (; i < len && hexval(s[i]) >= 0; i++) {
        if (i >= 8) return -1;
        v = v * 16 + (uint64_t)hexval(s[i]);
    }
    if (i == len) return len > 8 ? -1 : 0;
    if (i == 0 || s[i] != ':' || v < i + 8 || v > IPMSG_DIR_MAX_HEADER) return -1;
    *hsize = (size_t)v;
    return 1;
}

/* Extended attributes "key=val:" (hex); the mtime is kept, others skipped. */
static void read_extras(cursor *c, ipmsg_dirhdr *h)
{
    while (c->p < c->end) {
        uint64_t key, val;
        if (read_num(c, 16, UINT32_MAX, &key) < 0 || expect(c, '=') < 0 ||
            read_num(c, 16, UINT64_MAX, &val) < 0)
            return;
        if (key == IPMSG_FILE_MTIME_KEY) h->mtime = val, h->has_mtime = 1;
        if (expect(c, ':') < 0) return;
    }
}

int ipmsg_dirhdr_parse(const char *s, size_t len, ipmsg_dirhdr *h)
{
    cursor c = {s, s + len};
    uint64_t hs, attr;
    memset(h, 0, sizeof *h);
    if (read_num(&c, 16, IPMSG_DIR_MAX_HEADER, &hs) < 0 || hs != len || expect(&c, ':') < 0) return -1;
    if (!(h->name = read_name(&c))) return -1;
    if (read_num(&c, 16, INT64_MAX, &h->size) < 0 || expect(&c, ':') < 0 ||
        read_num(&c, 16, UINT32_MAX, &attr) < 0 || (c.p < c.end && expect(&c, ':') < 0)) {
        ipmsg_dirhdr_free(h);
        return -1;
    }
    h->attr = (uint32_t)attr;
    read_extras(&c, h);
    return 0;
}

void ipmsg_dirhdr_free(ipmsg_dirhdr *h)
{
    free(h->name);
    memset(h, 0, sizeof *h);
}

void ipmsg_dirhdr_build(buf *b, const char *name, uint64_t size, uint32_t attr, uint64_t mtime)
{
    buf body = {0};
    buf_append_byte(&body, ':');
    append_name(&body, name);
    buf_printf(&body, ":%llx:%lx:%x=%llx:", (unsigned long long)size, (unsigned long)attr,
               IPMSG_FILE_MTIME_KEY, (unsigned long long)mtime);
    buf_printf(b, "%04lx", (unsigned long)(4 + body.len)); /* 4 digits, as iptux writes it */
    buf_append(b, body.data, body.len);
    buf_free(&body);
}

/* ---- names ---- */

/* Why a name is refused: every reason ipmsg_file_name_check gives (ipmsg_file_reason finds
 * them again by their text). */
enum { R_CONTROL, R_SEPARATOR, R_COLON, R_FORBIDDEN, R_EMPTY, R_DOTS, R_LONG, R_INVALID, R_TRAILING, R_DEVICE, R_COUNT };
static const char *const reasons[R_COUNT] = {
    "it has control characters",
    "it has a path separator (/ or \\)",
    "it has ':' (a drive letter or a stream)",
    "it has a character Windows forbids (*?\"<>|)",
    "the name is empty",
    "the name is . or ..",
    "the name is too long",
    "the name is not valid text",
    "it ends with a dot or a space",
    "it is a reserved device name on Windows (CON, NUL, COM1, ...)",
};

/* 1 if base (the name up to its first '.') is a Windows device name, in any case. */
static int reserved(const char *name)
{
    static const char *const dev[] = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", NULL};
    size_t n = strcspn(name, ".");
    while (n > 0 && name[n - 1] == ' ') n--;
    char base[8] = {0};
    if (n == 0 || n >= sizeof base) return 0;
    for (size_t i = 0; i < n; i++) base[i] = (char)(name[i] >= 'a' && name[i] <= 'z' ? name[i] - 32 : name[i]);
    for (size_t i = 0; dev[i]; i++)
        if (strcmp(base, dev[i]) == 0) return 1;
    return n == 4 && (strncmp(base, "COM", 3) == 0 || strncmp(base, "LPT", 3) == 0) && base[3] >= '0' &&
           base[3] <= '9';
}

static const char *bad_chars(const char *name, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)name[i];
        if (ch < 0x20 || ch == 0x7F) return reasons[R_CONTROL];
        if (ch == '/' || ch == '\\') return reasons[R_SEPARATOR];
        if (ch == ':') return reasons[R_COLON];
        if (strchr("*?\"<>|", ch)) return reasons[R_FORBIDDEN];
        if (ch == 0xC2 && i + 1 < len && (unsigned char)name[i + 1] < 0xA0) return reasons[R_CONTROL];
    }
    return NULL;
}

const char *ipmsg_file_name_check(const char *name)
{
    size_t len = strlen(name);
    if (len == 0) return reasons[R_EMPTY];
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) return reasons[R_DOTS];
    if (len > IPMSG_FILE_MAX_NAME) return reasons[R_LONG];
    if (!utf8_valid(name, len)) return reasons[R_INVALID];
    const char *why = bad_chars(name, len);
    if (why) return why;
    if (name[len - 1] == '.' || name[len - 1] == ' ') return reasons[R_TRAILING];
    if (reserved(name)) return reasons[R_DEVICE];
    return NULL;
}

const char *ipmsg_file_reason(const char *text)
{
    for (size_t i = 0; i < R_COUNT; i++)
        if (strcmp(text, reasons[i]) == 0) return reasons[i];
    return "the name was refused";
}

void ipmsg_file_numbered(const char *name, unsigned n, int is_dir, buf *out)
{
    const char *dot = is_dir ? NULL : strrchr(name, '.');
    if (dot == name) dot = NULL; /* ".bashrc" has no extension */
    size_t stem = dot ? (size_t)(dot - name) : strlen(name);
    buf_append(out, name, stem);
    buf_printf(out, " (%u)", n);
    if (dot) buf_append_str(out, dot);
}
