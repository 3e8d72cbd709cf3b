/* test_ipmsg_file.c -- IPMsg file lists, requests, directory headers and the name rules */
#include <stdint.h>
#include <string.h>

#include "testhelp.h"
#include "udpchat/ipmsg_file.h"

static void test_list_separators(void)
{
    /* the four separators iptux's parser accepts, and iptux's own ":\a:" */
    const char *lists[] = {"1:a.txt:10:5f:1:\a2:b:0:0:2:\a", "1:a.txt:10:5f:1:\a:2:b:0:0:2:\a:",
                           "1:a.txt:10:5f:1\a2:b:0:0:2", "1:a.txt:10:5f:1:14=5f:\a:2:b:0:0:2:"};
    for (size_t i = 0; i < sizeof lists / sizeof *lists; i++) {
        ipmsg_filelist l;
        CHECK_EQ_INT(ipmsg_filelist_parse(lists[i], strlen(lists[i]), &l), 2);
        CHECK(l.n == 2 && l.v[0].id == 1 && strcmp(l.v[0].name, "a.txt") == 0 && l.v[0].size == 16);
        CHECK(l.n == 2 && l.v[0].mtime == 0x5f && l.v[0].attr == 1);
        CHECK(l.n == 2 && l.v[1].id == 2 && strcmp(l.v[1].name, "b") == 0 && l.v[1].attr == 2);
        ipmsg_filelist_free(&l);
    }
}

static void test_list_round_trip(void)
{
    buf b = {0};
    ipmsg_filelist_append(&b, 7, "a:b::c.txt", 0x123456789ULL, 0x65000000, 1);
    ipmsg_filelist_append(&b, 4294967295u, "文件夹", 0, 1, 2);
    CHECK(memcmp(b.data, "7:a::b::::c.txt:123456789:65000000:1:\a", 38) == 0);
    ipmsg_filelist l;
    CHECK_EQ_INT(ipmsg_filelist_parse(b.data, b.len, &l), 2);
    CHECK(l.n == 2 && strcmp(l.v[0].name, "a:b::c.txt") == 0 && l.v[0].size == 0x123456789ULL);
    CHECK(l.n == 2 && l.v[1].id == 4294967295u && strcmp(l.v[1].name, "文件夹") == 0);
    ipmsg_filelist_free(&l);
    buf_free(&b);
}

static void test_list_malformed(void)
{
    const char *bad[] = {"", "x:a:1:1:1:", "1:a", "1:a:zz:1:1:", "4294967296:a:1:1:1:",
                         "1:a:ffffffffffffffff:1:1:", "1:a:1:1:", "1:a\0b:1:1:1:"};
    size_t lens[] = {0, 10, 3, 11, 20, 25, 8, 12};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        ipmsg_filelist l;
        CHECK_EQ_INT(ipmsg_filelist_parse(bad[i], lens[i], &l), 0);
        ipmsg_filelist_free(&l);
    }
    /* the good entries before a bad one are kept */
    const char *mixed = "1:ok:1:1:1:\a2:bad:1:1:\a3:c:1:1:1:\a";
    ipmsg_filelist l;
    CHECK_EQ_INT(ipmsg_filelist_parse(mixed, strlen(mixed), &l), 1);
    ipmsg_filelist_free(&l);
    /* a name longer than any name we could keep */
    buf big = {0};
    buf_append_str(&big, "1:");
    for (int i = 0; i < 3000; i++) buf_append_byte(&big, 'x');
    buf_append_str(&big, ":1:1:1:\a");
    CHECK_EQ_INT(ipmsg_filelist_parse(big.data, big.len, &l), 0);
    buf_free(&big);
}

static void test_list_entry_cap(void)
{
    buf b = {0};
    for (uint32_t i = 0; i < IPMSG_FILE_MAX_ENTRIES + 10; i++) ipmsg_filelist_append(&b, i, "f", 1, 1, 1);
    ipmsg_filelist l;
    CHECK_EQ_INT(ipmsg_filelist_parse(b.data, b.len, &l), IPMSG_FILE_MAX_ENTRIES);
    ipmsg_filelist_free(&l);
    buf_free(&b);
}

static void test_requests(void)
{
    ipmsg_filereq r;
    CHECK(ipmsg_filereq_parse("6a0b:1f:400:", 12, 1, &r) == 0 && r.packet_no == 0x6a0b && r.file_id == 0x1f &&
          r.offset == 0x400);
    CHECK(ipmsg_filereq_parse("6a0b:1f:400", 11, 1, &r) == 0 && r.offset == 0x400); /* iptux: no ':' */
    CHECK(ipmsg_filereq_parse("6a0b:1f", 7, 1, &r) == 0 && r.offset == 0);
    CHECK(ipmsg_filereq_parse("6a0b:1f:\0", 9, 0, &r) == 0 && r.file_id == 0x1f);
    CHECK(ipmsg_filereq_parse("6a0b:1f:0", 9, 0, &r) == 0 && r.offset == 0);  /* iptux's GETDIRFILES */
    CHECK(ipmsg_filereq_parse("6a0b:1f:5", 9, 0, &r) == 0 && r.offset == 0);
    CHECK(ipmsg_filereq_parse("6a0b:", 5, 1, &r) < 0);
    CHECK(ipmsg_filereq_parse("6a0b:1f:xyz", 11, 1, &r) < 0);
    CHECK(ipmsg_filereq_parse("1ffffffff:1:0:", 14, 1, &r) < 0); /* packet numbers are 32-bit */
    CHECK(ipmsg_filereq_parse("1:1:8000000000000000:", 21, 1, &r) < 0);
    buf b = {0};
    ipmsg_filereq q = {0x65a1b2c3, 12, 0x10000};
    ipmsg_filereq_build(&b, &q, 1);
    CHECK(b.len == 17 && memcmp(b.data, "65a1b2c3:c:10000:", 17) == 0);
    CHECK(ipmsg_filereq_parse(b.data, b.len, 1, &r) == 0 && r.packet_no == q.packet_no && r.offset == q.offset);
    buf_free(&b);
}

static void test_dir_headers(void)
{
    size_t hs = 0;
    ipmsg_dirhdr h;
    const char *iptux = "0034:文件.txt:000000010:1:14=65000000:16=65000000:"; /* as iptux writes it */
    CHECK_EQ_INT(ipmsg_dirhdr_size(iptux, 3, &hs), 0);
    CHECK(ipmsg_dirhdr_size(iptux, strlen(iptux), &hs) == 1 && hs == strlen(iptux));
    CHECK(ipmsg_dirhdr_parse(iptux, hs, &h) == 0 && strcmp(h.name, "文件.txt") == 0 && h.size == 16 &&
          h.attr == 1 && h.has_mtime && h.mtime == 0x65000000);
    ipmsg_dirhdr_free(&h);
    buf b = {0};
    ipmsg_dirhdr_build(&b, "a:b", 0, IPMSG_FILE_RETPARENT, 7);
    CHECK(ipmsg_dirhdr_size(b.data, b.len, &hs) == 1 && hs == b.len);
    CHECK(ipmsg_dirhdr_parse(b.data, b.len, &h) == 0 && strcmp(h.name, "a:b") == 0 && h.attr == 3 && h.mtime == 7);
    ipmsg_dirhdr_free(&h);
    buf_free(&b);
    CHECK_EQ_INT(ipmsg_dirhdr_size("zz:", 3, &hs), -1);
    CHECK_EQ_INT(ipmsg_dirhdr_size("3:a:", 4, &hs), -1);          /* smaller than its own fields */
    CHECK_EQ_INT(ipmsg_dirhdr_size("ffff:a:1:1:", 11, &hs), -1);  /* over IPMSG_DIR_MAX_HEADER */
    CHECK_EQ_INT(ipmsg_dirhdr_size("123456789", 9, &hs), -1);
    CHECK(ipmsg_dirhdr_parse("000c:a:1:1:", 11, &h) < 0);         /* the size lies */
    CHECK(ipmsg_dirhdr_parse("000b:a:1:x:", 11, &h) < 0);
}

static void test_names(void)
{
    const char *good[] = {"a.txt", "文件.txt", "..a", "a..b", ".bashrc", "CONSOLE", "COM", "LPT10", "x y"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) CHECK(ipmsg_file_name_check(good[i]) == NULL);
    const char *bad[] = {"", ".", "..", "../x", "a/b", "C:\\x", "C:x", "a\\b", "CON", "con.txt", "Nul",
                         "COM1", "lpt9.log", "aux .c", "a\tb", "a\x7f", "a\xc2\x85", "x.", "x ", "a*b",
                         "a<b", "\xff\xfe"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        const char *why = ipmsg_file_name_check(bad[i]);
        CHECK(why != NULL);
        if (!why) fprintf(stderr, "  accepted: %s\n", bad[i]);
    }
    char longname[300];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    CHECK(ipmsg_file_name_check(longname) != NULL);
}

static void test_numbered(void)
{
    buf b = {0};
    ipmsg_file_numbered("report.tar.gz", 1, 0, &b);
    buf_append_byte(&b, 0);
    CHECK(strcmp(b.data, "report.tar (1).gz") == 0);
    buf_clear(&b);
    ipmsg_file_numbered(".bashrc", 2, 0, &b);
    buf_append_byte(&b, 0);
    CHECK(strcmp(b.data, ".bashrc (2)") == 0);
    buf_clear(&b);
    ipmsg_file_numbered("a.b", 3, 1, &b);
    buf_append_byte(&b, 0);
    CHECK(strcmp(b.data, "a.b (3)") == 0);
    buf_free(&b);
}

int main(void)
{
    RUN(test_list_separators);
    RUN(test_list_round_trip);
    RUN(test_list_malformed);
    RUN(test_list_entry_cap);
    RUN(test_requests);
    RUN(test_dir_headers);
    RUN(test_names);
    RUN(test_numbered);
    return th_finish();
}
