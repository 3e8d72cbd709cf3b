/* test_ini.c -- the INI reader (sections, comments, BOM, CRLF, hostile lines) and writer */
#include <string.h>

#include "testhelp.h"
#include "udpchat/ini.h"
#include "udpchat/mem.h"

typedef struct warnings {
    unsigned lines[64];
    size_t n;
} warnings;

static void note(void *ctx, unsigned line, const char *why)
{
    warnings *w = ctx;
    CHECK(why && *why);
    if (w->n < 64) w->lines[w->n++] = line;
}

static const char *get(const ini *i, const char *section, const char *key)
{
    const ini_entry *e = ini_find(i, section, key);
    return e ? e->value : NULL;
}

static void test_basic(void)
{
    const char *t = "\xEF\xBB\xBF# comment\r\n; another\r\nnick = alice\r\n\r\n[join]\r\n"
                    "  port=4000  \r\nnick = \" bob \"\r\n[lan]\ngroup = a = b # c\n";
    warnings w = {{0}, 0};
    ini i;
    CHECK_EQ_INT(ini_parse(t, strlen(t), &i, note, &w), 0);
    CHECK_EQ_INT(i.count, 4);
    CHECK(strcmp(get(&i, "", "nick"), "alice") == 0);
    CHECK(strcmp(get(&i, NULL, "nick"), "alice") == 0);
    CHECK(strcmp(get(&i, "join", "port"), "4000") == 0);
    CHECK(strcmp(get(&i, "join", "nick"), " bob ") == 0);
    CHECK(strcmp(get(&i, "lan", "group"), "a = b # c") == 0);
    CHECK(get(&i, "lan", "nick") == NULL);
    CHECK_EQ_INT(ini_find(&i, "join", "port")->line, 6);
    ini_free(&i);
}

static void test_hostile_lines(void)
{
    char big[INI_MAX_LINE + 10];
    memset(big, 'x', sizeof big);
    buf t = {0};
    buf_append_str(&t, "a = 1\n");                 /* 1 */
    buf_append_str(&t, "b = \xC3\x28\n");           /* 2: invalid UTF-8 */
    buf_append(&t, "c = \0x\n", 7);               /* 3: NUL */
    buf_append(&t, big, sizeof big);               /* 4: too long */
    buf_append_str(&t, "\nd = \x1B[2J\n");          /* 5: ESC */
    buf_append_str(&t, "just words\n");            /* 6 */
    buf_append_str(&t, "[bad section\n");          /* 7: keys below are skipped */
    buf_append_str(&t, "e = 5\n");                 /* 8 (skipped, no warning) */
    buf_append_str(&t, "[ok]\nf = 6\n");            /* 9, 10 */
    buf_append_str(&t, "k\xC3\xA9y = 1\n");          /* 11: key not ASCII */
    warnings w = {{0}, 0};
    ini i;
    CHECK_EQ_INT(ini_parse(t.data, t.len, &i, note, &w), 7);
    unsigned want[] = {2, 3, 4, 5, 6, 7, 11};
    CHECK_EQ_INT(w.n, 7);
    for (size_t k = 0; k < 7 && k < w.n; k++) CHECK_EQ_INT(w.lines[k], want[k]);
    CHECK_EQ_INT(i.count, 2);
    CHECK(strcmp(get(&i, "", "a"), "1") == 0);
    CHECK(strcmp(get(&i, "ok", "f"), "6") == 0);
    CHECK(get(&i, "bad section", "e") == NULL);
    ini_free(&i);
    buf_free(&t);
}

static void test_entry_limit(void)
{
    buf t = {0};
    for (int k = 0; k < INI_MAX_ENTRIES + 3; k++) buf_printf(&t, "k%d = %d\n", k, k);
    warnings w = {{0}, 0};
    ini i;
    CHECK_EQ_INT(ini_parse(t.data, t.len, &i, note, &w), 3);
    CHECK_EQ_INT(i.count, INI_MAX_ENTRIES);
    CHECK_EQ_INT(w.lines[0], INI_MAX_ENTRIES + 1);
    ini_free(&i);
    buf_free(&t);
}

/* ini_update(before, section, key, value) must give `after` exactly. */
static void check_update(const char *before, const char *section, const char *key, const char *value,
                         const char *after)
{
    buf out = {0};
    CHECK_EQ_INT(ini_update(before, strlen(before), section, key, value, &out), 0);
    buf_append_byte(&out, 0);
    if (strcmp(out.data, after) != 0) {
        th_failed++;
        fprintf(stderr, "ini_update(%s.%s=%s):\n--- got\n%s--- want\n%s---\n", section, key, value, out.data, after);
    }
    ini i;
    ini_parse(out.data, out.len - 1, &i, NULL, NULL);
    const char *got = get(&i, section, key);
    CHECK(got && strcmp(got, value) == 0);
    ini_free(&i);
    buf_free(&out);
}

static void test_update(void)
{
    check_update("", "", "nick", "alice", "nick = alice\n");
    check_update("", "join", "port", "1", "[join]\nport = 1\n");
    check_update("# mine\nnick = a\n", "", "nick", "b", "# mine\nnick = b\n");
    check_update("# mine\r\nnick = a\r\n# end\r\n", "", "group", "g", "# mine\r\nnick = a\r\ngroup = g\r\n# end\r\n");
    check_update("# top\n[lan]\nport = 1\n", "", "nick", "n", "# top\nnick = n\n\n[lan]\nport = 1\n");
    check_update("[lan]\nport = 1\n\n[join]\nx = 2\n", "lan", "nick", "n", "[lan]\nport = 1\nnick = n\n\n[join]\nx = 2\n");
    check_update("[lan]\nport = 1", "lan", "nick", "n", "[lan]\nport = 1\nnick = n\n");
    check_update("[lan]\nport = 1", "join", "nick", "n", "[lan]\nport = 1\n\n[join]\nnick = n\n");
    check_update("\xEF\xBB\xBFnick = a\n", "", "nick", "b", "\xEF\xBB\xBFnick = b\n");
    check_update("\xEF\xBB\xBF[x]\n", "", "nick", "b", "\xEF\xBB\xBFnick = b\n\n[x]\n");
    check_update("nick = a\nnick = c\n", "", "nick", "b", "nick = a\nnick = b\n");
    check_update("junk \xFF\nnick = a\n", "", "nick", "b", "junk \xFF\nnick = b\n");
    check_update("[bad\nnick = a\n", "", "nick", "b", "nick = b\n\n[bad\nnick = a\n");
    check_update("nick = a\n", "", "nick", " padded ", "nick = \" padded \"\n");
    check_update("nick = a\n", "", "nick", "\"q\"", "nick = \"\"q\"\"\n");
    check_update("nick = a\n", "", "nick", "", "nick = \n");
    /* a last line ending in a lone "\r" (found by fuzz_ini): it gets its "\n", not another "\r" */
    check_update("a = 1\r\nk = v\r", "lan", "n", "x", "a = 1\r\nk = v\r\n\r\n[lan]\r\nn = x\r\n");
    check_update("k = v\r", "", "n", "x", "k = v\r\nn = x\n");
}

static void test_update_refuses(void)
{
    buf out = {0};
    CHECK_EQ_INT(ini_update("", 0, "", "bad key", "v", &out), -1);
    CHECK_EQ_INT(ini_update("", 0, "a]b", "k", "v", &out), -1);
    CHECK_EQ_INT(ini_update("", 0, "", "k", "two\nlines", &out), -1);
    CHECK_EQ_INT(ini_update("", 0, "", "k", "\xC3\x28", &out), -1);
    CHECK_EQ_INT(out.len, 0);
    CHECK(ini_name_valid("no-color") && !ini_name_valid("") && !ini_name_valid("a b"));
    buf_free(&out);
}

int main(void)
{
    RUN(test_basic);
    RUN(test_hostile_lines);
    RUN(test_entry_limit);
    RUN(test_update);
    RUN(test_update_refuses);
    return th_finish();
}
