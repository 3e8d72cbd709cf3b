/* lan_file.c -- LAN file offers: the app's offer spec to SENDMSG sections, a peer's file list to
 * the offer list of an event, and back */
#include "udpchat/lan_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "udpchat/ipmsg_file.h"
#include "udpchat/mem.h"

/*
** Two text formats cross the core's edge here, one line per file, fields split by tabs:
** the spec (app -> core, trusted but still checked) and the offer list (core -> app, built
** from a peer's bytes). Invariant of an offer list: every NAME is valid UTF-8 with no tab,
** newline or other control character (those are shown as '?'), and STATUS is "ok" only if
** ipmsg_file_name_check accepted the name as decoded, before any '?' was put in. So a name
** marked "ok" is exactly the name the peer sent, and may become one path component.
*/

static void append_clean(buf *b, const char *s)
{
    for (; *s; s++) buf_append_byte(b, (unsigned char)*s < 0x20 || *s == 0x7F ? '?' : (uint8_t)*s);
}

void lan_file_spec_begin(buf *spec, uint32_t share_id, const char *message)
{
    buf_printf(spec, "%lu\n", (unsigned long)share_id);
    for (const char *p = message; *p; p++) buf_append_byte(spec, *p == '\n' || *p == '\r' ? ' ' : (uint8_t)*p);
    buf_append_byte(spec, '\n');
}

void lan_file_spec_add(buf *spec, uint32_t id, uint64_t size, uint64_t mtime, uint32_t attr, const char *name)
{
    buf_printf(spec, "%lu\t%llu\t%llu\t%lu\t", (unsigned long)id, (unsigned long long)size,
               (unsigned long long)mtime, (unsigned long)attr);
    append_clean(spec, name);
    buf_append_byte(spec, '\n');
}

/* One spec line "ID\tSIZE\tMTIME\tATTR\tNAME" appended to list in charset cs; -1 if malformed. */
static int encode_line(const char *line, size_t n, charset_id cs, buf *list)
{
    unsigned long id, attr;
    unsigned long long size, mtime;
    int off = 0;
    char tmp[96];
    size_t head = strcspn(line, "\n");
    if (head > n) head = n;
    snprintf(tmp, sizeof tmp, "%.*s", (int)(head < sizeof tmp - 1 ? head : sizeof tmp - 1), line);
    if (sscanf(tmp, "%lu\t%llu\t%llu\t%lu\t%n", &id, &size, &mtime, &attr, &off) != 4 || off == 0) return -1;
    const char *name = line + off;
    size_t nlen = n - (size_t)off;
    if (nlen == 0) return -1;
    buf enc = {0};
    charset_encode(cs, name, nlen, 1, &enc);
    buf_append_byte(&enc, '\0');
    ipmsg_filelist_append(list, (uint32_t)id, enc.data, size, mtime, (uint32_t)attr);
    buf_free(&enc);
    return 0;
}

uint32_t lan_file_spec_encode(const char *spec, charset_id cs, buf *message, buf *list)
{
    char *end;
    unsigned long share = strtoul(spec, &end, 10);
    if (end == spec || *end != '\n' || share == 0 || share > UINT32_MAX) return 0;
    const char *msg = end + 1, *nl = strchr(msg, '\n');
    if (!nl) return 0;
    charset_encode(cs, msg, (size_t)(nl - msg), 1, message);
    size_t files = 0;
    for (const char *p = nl + 1; *p;) {
        size_t n = strcspn(p, "\n");
        if (encode_line(p, n, cs, list) < 0) return 0;
        files++;
        p += n + (p[n] == '\n');
    }
    return files ? (uint32_t)share : 0;
}

void lan_file_spec_names(const char *spec, buf *out)
{
    const char *p = strchr(spec, '\n');
    p = p ? strchr(p + 1, '\n') : NULL; /* past the share id and the message */
    for (size_t k = 0; p && *++p;) {
        size_t n = strcspn(p, "\n"), tabs = 0, off = 0;
        unsigned long attr = 0;
        for (size_t i = 0; i < n && tabs < 4; i++) { /* ID SIZE MTIME ATTR NAME */
            if (p[i] != '\t') continue;
            if (++tabs == 3) attr = strtoul(p + i + 1, NULL, 10);
            if (tabs == 4) off = i + 1;
        }
        if (off && off < n) {
            if (k++) buf_append_str(out, ", ");
            buf_append(out, p + off, n - off);
            if ((attr & 0xFF) == IPMSG_FILE_DIR) buf_append_byte(out, '/');
        }
        p += n;
        if (!*p) break;
    }
}

char *lan_file_offer_list(const char *list, size_t len, uint64_t packet_no, charset_id cs)
{
    ipmsg_filelist l;
    buf out = {0};
    ipmsg_filelist_parse(list, len, &l);
    buf_printf(&out, "%llu\t%d\n", (unsigned long long)packet_no, (int)cs);
    for (size_t i = 0; i < l.n; i++) {
        buf name = {0};
        charset_decode(cs, l.v[i].name, strlen(l.v[i].name), 1, &name);
        buf_append_byte(&name, '\0');
        const char *why = ipmsg_file_name_check(name.data);
        buf_printf(&out, "%lu\t%llu\t%llu\t%lu\t%s\t", (unsigned long)l.v[i].id, (unsigned long long)l.v[i].size,
                   (unsigned long long)l.v[i].mtime, (unsigned long)l.v[i].attr, why ? why : "ok");
        append_clean(&out, name.data);
        buf_append_byte(&out, '\n');
        buf_free(&name);
    }
    ipmsg_filelist_free(&l);
    return buf_detach(&out);
}

/* "ID\tSIZE\tMTIME\tATTR\tSTATUS\tNAME" into f; -1 if malformed. */
static int parse_line(const char *p, size_t n, lan_file *f)
{
    char *line = xstrndup(p, n), *fld[6];
    size_t k = 0;
    for (char *s = line; k < 6; k++) {
        fld[k] = s;
        char *t = k < 5 ? strchr(s, '\t') : NULL;
        if (k < 5 && !t) break;
        if (t) *t = '\0', s = t + 1;
    }
    int ok = k == 6 && *fld[5];
    if (ok) {
        f->id = (uint32_t)strtoul(fld[0], NULL, 10);
        f->size = strtoull(fld[1], NULL, 10);
        f->mtime = strtoull(fld[2], NULL, 10);
        f->attr = (uint32_t)strtoul(fld[3], NULL, 10);
        f->name = xstrdup(fld[5]);
        f->refused = strcmp(fld[4], "ok") == 0 ? NULL : ipmsg_file_reason(fld[4]);
    }
    free(line);
    return ok ? 0 : -1;
}

int lan_offer_parse(const char *files, lan_offer *o)
{
    memset(o, 0, sizeof *o);
    char *end;
    o->packet_no = strtoull(files, &end, 10);
    if (end == files || *end != '\t') return -1;
    long cs = strtol(end + 1, &end, 10);
    if (*end != '\n' || cs < CHARSET_UTF8 || cs > CHARSET_GB18030) return -1;
    o->cs = (charset_id)cs;
    for (const char *p = end + 1; *p;) {
        size_t n = strcspn(p, "\n");
        o->files = xreallocarray(o->files, o->n + 1, sizeof *o->files);
        memset(&o->files[o->n], 0, sizeof *o->files);
        if (parse_line(p, n, &o->files[o->n]) < 0) {
            lan_offer_free(o);
            return -1;
        }
        o->n++;
        p += n + (p[n] == '\n');
    }
    return 0;
}

void lan_offer_free(lan_offer *o)
{
    for (size_t i = 0; i < o->n; i++) free(o->files[i].name);
    free(o->files);
    memset(o, 0, sizeof *o);
}
