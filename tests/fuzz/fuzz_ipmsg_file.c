/* fuzz_ipmsg_file.c -- libFuzzer: hostile IPMsg file lists, TCP requests and directory streams
 *
 * Byte 0 picks what the rest is: 0 a file list (kept entries must survive a build/parse
 * round trip, and the offer list the lan core makes of it for the app must parse back with
 * as many files; bit 2 picks the charset its names are decoded from), 1 a GETFILEDATA / GETDIRFILES body, 2 a directory stream cut into headers the
 * way the downloader reads it (size first, then the whole header, then `size` bytes of data
 * skipped), 3 a name for ipmsg_file_name_check and ipmsg_file_numbered. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "udpchat/ipmsg_file.h"
#include "udpchat/lan_file.h"

/* The core -> app offer list (lan_file.h) of a peer's list: every kept entry, parsed back. */
static void offer_list(const char *s, size_t n, size_t kept, charset_id cs)
{
    char *text = lan_file_offer_list(s, n, 7, cs);
    lan_offer o;
    if (lan_offer_parse(text, &o) < 0 || o.n != kept || o.packet_no != 7) __builtin_trap();
    for (size_t i = 0; i < o.n; i++)
        if (!o.files[i].name[0] || strpbrk(o.files[i].name, "\t\n\r")) __builtin_trap();
    lan_offer_free(&o);
    free(text);
}

static void list_round_trip(const char *s, size_t n, charset_id cs)
{
    ipmsg_filelist l, m;
    ipmsg_filelist_parse(s, n, &l);
    buf b = {0};
    for (size_t i = 0; i < l.n; i++)
        ipmsg_filelist_append(&b, l.v[i].id, l.v[i].name, l.v[i].size, l.v[i].mtime, l.v[i].attr);
    if (ipmsg_filelist_parse(b.data, b.len, &m) != l.n) __builtin_trap();
    for (size_t i = 0; i < l.n; i++)
        if (m.v[i].id != l.v[i].id || strcmp(m.v[i].name, l.v[i].name) != 0 || m.v[i].size != l.v[i].size)
            __builtin_trap();
    offer_list(s, n, l.n, cs);
    ipmsg_filelist_free(&m);
    ipmsg_filelist_free(&l);
    buf_free(&b);
}

static void dir_stream(const char *s, size_t n)
{
    while (n > 0) {
        size_t hs;
        int r = ipmsg_dirhdr_size(s, n, &hs);
        if (r <= 0 || hs > n) return;
        ipmsg_dirhdr h;
        if (ipmsg_dirhdr_parse(s, hs, &h) < 0) return;
        if (h.attr == IPMSG_FILE_REGULAR) (void)ipmsg_file_name_check(h.name);
        uint64_t skip = h.attr == IPMSG_FILE_REGULAR ? h.size : 0;
        ipmsg_dirhdr_free(&h);
        s += hs, n -= hs;
        if (skip > n) return;
        s += skip, n -= (size_t)skip;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) return 0;
    const char *s = (const char *)data + 1;
    size_t n = size - 1;
    ipmsg_filereq r;
    switch (data[0] & 3) {
    case 0: list_round_trip(s, n, data[0] & 4 ? CHARSET_GBK : CHARSET_UTF8); break;
    case 1:
        if (ipmsg_filereq_parse(s, n, data[0] & 4, &r) == 0 && (r.packet_no > UINT32_MAX || r.offset > INT64_MAX))
            __builtin_trap();
        break;
    case 2: dir_stream(s, n); break;
    default: {
        char name[512];
        size_t k = n < sizeof name - 1 ? n : sizeof name - 1;
        memcpy(name, s, k);
        name[k] = '\0';
        (void)ipmsg_file_name_check(name);
        buf b = {0};
        ipmsg_file_numbered(name, 3, data[0] & 4, &b);
        buf_free(&b);
    }
    }
    return 0;
}
