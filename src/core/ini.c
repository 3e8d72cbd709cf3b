/* ini.c -- INI text: one line classifier shared by the reader and the in-place writer */
#include "udpchat/ini.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "udpchat/mem.h"
#include "udpchat/utf8.h"

/*
 * Invariants. The text is cut into lines at '\n' (a '\r' before it belongs to the line
 * end); line 1 starts after a UTF-8 BOM. Every line gets exactly one kind: blank,
 * comment, section header, entry, or bad (with a reason). A scan keeps the current
 * section, and `skipping` after a bad header until the next good one: entries seen
 * while skipping belong to no section. The reader and the writer both walk lines with
 * scan_next, so they never disagree about where a key is. The writer copies every byte
 * it does not replace, and inserts only whole lines with the file's own line end.
 */

typedef enum line_kind { L_BLANK, L_COMMENT, L_SECTION, L_ENTRY, L_BAD } line_kind;

typedef struct ini_line {
    size_t start, end, next; /* the text is data[start..end); the next line starts at next */
    unsigned number;
    line_kind kind;
    const char *why;         /* L_BAD */
    int bad_header;          /* L_BAD: a section header that is not valid */
    const char *name;        /* L_SECTION: the section; L_ENTRY: the key */
    size_t name_len;
    const char *value;       /* L_ENTRY, quotes removed */
    size_t value_len;
} ini_line;

typedef struct scan {
    const char *data;
    size_t len, pos;
    unsigned number;
    const char *section; /* current section name ("" at the top) */
    size_t section_len;
    int skipping;        /* after a bad header */
} scan;

static int blank(char c) { return c == ' ' || c == '\t'; }

static void trim(const char **s, size_t *n)
{
    while (*n && blank(**s)) (*s)++, (*n)--;
    while (*n && blank((*s)[*n - 1])) (*n)--;
}

static int name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-' || c == '.';
}

static int name_ok(const char *s, size_t n)
{
    if (n == 0 || n > INI_MAX_NAME) return 0;
    for (size_t i = 0; i < n; i++)
        if (!name_char(s[i])) return 0;
    return 1;
}

/* Why s[0..n) cannot be settings text, or NULL when it can. */
static const char *text_problem(const char *s, size_t n)
{
    if (memchr(s, '\0', n)) return "a NUL byte (binary data?): line skipped";
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t bad = 1;
        int k = utf8_decode_one(s + i, n - i, &cp, &bad);
        if (k <= 0) return "not valid UTF-8: line skipped";
        if ((cp < 0x20 && cp != '\t') || (cp >= 0x7F && cp <= 0x9F))
            return "a control character: line skipped";
        i += (size_t)k;
    }
    return NULL;
}

static void classify_header(scan *st, const char *s, size_t n, ini_line *l)
{
    const char *name = s + 1;
    size_t nl = n >= 2 && s[n - 1] == ']' ? n - 2 : 0;
    trim(&name, &nl);
    if (!name_ok(name, nl)) {
        l->kind = L_BAD;
        l->why = "a bad section header (want [NAME]): its keys are skipped";
        l->bad_header = 1;
        st->skipping = 1;
        return;
    }
    l->kind = L_SECTION;
    l->name = st->section = name;
    l->name_len = st->section_len = nl;
    st->skipping = 0;
}

static void classify_entry(const char *s, size_t n, ini_line *l)
{
    const char *eq = memchr(s, '=', n);
    const char *key = s, *val = eq ? eq + 1 : NULL;
    size_t kl = eq ? (size_t)(eq - s) : n, vl = eq ? n - kl - 1 : 0;
    trim(&key, &kl);
    if (!eq || !name_ok(key, kl)) {
        l->kind = L_BAD;
        l->why = "not a setting (want KEY = VALUE): line skipped";
        return;
    }
    trim(&val, &vl);
    if (vl >= 2 && val[0] == '"' && val[vl - 1] == '"') val++, vl -= 2;
    l->kind = L_ENTRY;
    l->name = key;
    l->name_len = kl;
    l->value = val;
    l->value_len = vl;
}

static void classify(scan *st, ini_line *l)
{
    const char *s = st->data + l->start;
    size_t n = l->end - l->start;
    if (n > INI_MAX_LINE) {
        l->kind = L_BAD;
        l->why = "longer than 4096 bytes: line skipped";
        return;
    }
    if ((l->why = text_problem(s, n)) != NULL) {
        l->kind = L_BAD;
        return;
    }
    trim(&s, &n);
    if (n == 0) l->kind = L_BLANK;
    else if (s[0] == '#' || s[0] == ';') l->kind = L_COMMENT;
    else if (s[0] == '[') classify_header(st, s, n, l);
    else classify_entry(s, n, l);
}

static void scan_init(scan *st, const char *data, size_t len)
{
    memset(st, 0, sizeof *st);
    st->data = data;
    st->len = len;
    st->section = "";
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) st->pos = 3;
}

/* The next line into l; 0 at the end of the text. */
static int scan_next(scan *st, ini_line *l)
{
    if (st->pos >= st->len) return 0;
    memset(l, 0, sizeof *l);
    l->start = st->pos;
    const char *nl = memchr(st->data + st->pos, '\n', st->len - st->pos);
    l->next = nl ? (size_t)(nl - st->data) + 1 : st->len;
    l->end = nl ? (size_t)(nl - st->data) : st->len;
    if (l->end > l->start && st->data[l->end - 1] == '\r') l->end--;
    l->number = ++st->number;
    st->pos = l->next;
    classify(st, l);
    return 1;
}

static int section_is(const scan *st, const char *want)
{
    return strlen(want) == st->section_len && memcmp(st->section, want, st->section_len) == 0;
}

static void add_entry(ini *out, const scan *st, const ini_line *l, size_t *cap)
{
    if (out->count == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        out->entries = xreallocarray(out->entries, *cap, sizeof *out->entries);
    }
    ini_entry *e = &out->entries[out->count++];
    e->section = xstrndup(st->section, st->section_len);
    e->key = xstrndup(l->name, l->name_len);
    e->value = xstrndup(l->value, l->value_len);
    e->line = l->number;
}

size_t ini_parse(const char *data, size_t len, ini *out, ini_warn_fn warn, void *ctx)
{
    scan st;
    ini_line l;
    size_t problems = 0, cap = 0;
    memset(out, 0, sizeof *out);
    scan_init(&st, data, len);
    while (scan_next(&st, &l)) {
        if (l.kind == L_BAD) {
            problems++;
            if (warn) warn(ctx, l.number, l.why);
        } else if (l.kind == L_ENTRY && !st.skipping) {
            if (out->count < INI_MAX_ENTRIES) {
                add_entry(out, &st, &l, &cap);
                continue;
            }
            problems++;
            if (warn) warn(ctx, l.number, "more than 512 settings: this one is skipped");
        }
    }
    return problems;
}

void ini_free(ini *in)
{
    if (!in) return;
    for (size_t i = 0; i < in->count; i++) {
        free(in->entries[i].section);
        free(in->entries[i].key);
        free(in->entries[i].value);
    }
    free(in->entries);
    memset(in, 0, sizeof *in);
}

const ini_entry *ini_find(const ini *in, const char *section, const char *key)
{
    if (!section) section = "";
    for (size_t i = in->count; i-- > 0;)
        if (strcmp(in->entries[i].key, key) == 0 && strcmp(in->entries[i].section, section) == 0)
            return &in->entries[i];
    return NULL;
}

int ini_name_valid(const char *name) { return name && name_ok(name, strlen(name)); }

int ini_value_valid(const char *value)
{
    size_t n = value ? strlen(value) : 0;
    return value && n + 2 * INI_MAX_NAME < INI_MAX_LINE && !text_problem(value, n);
}

/* Where the writer puts the key. */
typedef struct place {
    int hit;              /* the key's line is data[hit_start..hit_end) */
    size_t hit_start, hit_end;
    int after_set;        /* a new line goes at `after` (after the section's last line) */
    size_t after;
    int header_set;       /* the first header starts at `header` */
    size_t header;
} place;

static void find_place(const char *data, size_t len, const char *section, const char *key, place *p)
{
    scan st;
    ini_line l;
    int in = section[0] == '\0';
    memset(p, 0, sizeof *p);
    scan_init(&st, data, len);
    while (scan_next(&st, &l)) {
        if (l.kind == L_SECTION || l.bad_header) {
            if (!p->header_set) p->header_set = 1, p->header = l.start;
            in = l.kind == L_SECTION && section_is(&st, section);
            if (in) p->after_set = 1, p->after = l.next;
        } else if (l.kind == L_ENTRY && in && !st.skipping) {
            p->after_set = 1;
            p->after = l.next;
            if (l.name_len == strlen(key) && memcmp(l.name, key, l.name_len) == 0)
                p->hit = 1, p->hit_start = l.start, p->hit_end = l.end;
        }
    }
}

static void append_setting(buf *out, const char *key, const char *value)
{
    size_t n = strlen(value);
    int quote = n && (blank(value[0]) || blank(value[n - 1]) ||
                      (n >= 2 && value[0] == '"' && value[n - 1] == '"'));
    buf_printf(out, "%s = %s%s%s", key, quote ? "\"" : "", value, quote ? "\"" : "");
}

static const char *line_end_of(const char *data, size_t len)
{
    const char *nl = memchr(data, '\n', len);
    return nl && nl > data && nl[-1] == '\r' ? "\r\n" : "\n";
}

/* Ends the text's last line when it has no end ("\r" alone gets its "\n"). */
static void end_last_line(buf *out, const char *data, size_t len, const char *eol)
{
    int bom_only = len == 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0;
    if (len == 0 || data[len - 1] == '\n' || bom_only) return;
    buf_append_str(out, data[len - 1] == '\r' ? "\n" : eol);
}

/* Inserts the line at data[at] (a line start, or the end of the text). */
static void insert_at(buf *out, const char *data, size_t len, size_t at, const char *line, const char *eol)
{
    buf_append(out, data, at);
    if (at == len) end_last_line(out, data, len, eol);
    buf_append_str(out, line);
    buf_append_str(out, eol);
    buf_append(out, data + at, len - at);
}

int ini_update(const char *data, size_t len, const char *section, const char *key,
               const char *value, buf *out)
{
    if (!section) section = "";
    if ((section[0] && !ini_name_valid(section)) || !ini_name_valid(key) || !ini_value_valid(value))
        return -1;
    place p;
    const char *eol = line_end_of(data, len);
    buf line = {0};
    append_setting(&line, key, value);
    find_place(data, len, section, key, &p);
    if (p.hit) {
        buf_append(out, data, p.hit_start);
        buf_append(out, line.data, line.len);
        buf_append(out, data + p.hit_end, len - p.hit_end);
    } else if (p.after_set) {
        insert_at(out, data, len, p.after, line.data, eol);
    } else if (!section[0] && p.header_set) { /* the top's first key: before the first header */
        buf_append_str(&line, eol);
        insert_at(out, data, len, p.header, line.data, eol);
    } else if (!section[0]) {
        insert_at(out, data, len, len, line.data, eol);
    } else {
        buf_append(out, data, len);
        end_last_line(out, data, len, eol);
        if (len) buf_append_str(out, eol);
        buf_printf(out, "[%s]%s%s%s", section, eol, line.data, eol);
    }
    buf_free(&line);
    return 0;
}
