/* test_lan_file.c -- LAN file offers through two lan cores: the SENDMSG with its file list, the
 * offer event on the other side (GBK and UTF-8 names), refusals, RELEASEFILES */
#include <stdint.h>
#include <string.h>

#include "testhelp.h"
#include "udpchat/ipmsg.h"
#include "udpchat/ipmsg_file.h"
#include "udpchat/lan.h"
#include "udpchat/lan_file.h"

#define A_ADDR 0x0A000001u
#define B_ADDR 0x0A000002u

typedef struct wire_cap {
    buf last[8];
    net_addr to[8];
    size_t n;
} wire_cap;

static void cap_emit(void *ctx, const net_addr *to, const void *data, size_t len)
{
    wire_cap *w = ctx;
    buf *b = &w->last[w->n % 8];
    buf_clear(b);
    buf_append(b, data, len);
    w->to[w->n % 8] = *to;
    w->n++;
}

static lan *make(const char *nick, uint64_t first, wire_cap *w, charset_id forced)
{
    lan_config c;
    lan_config_default(&c);
    c.nick = nick;
    c.user = nick[0] == 'a' ? "alice" : "bob";
    c.host = "pc";
    c.first_packet_no = first;
    c.peer_charset = forced;
    return lan_create(&c, cap_emit, w);
}

static int next_event(lan *l, chat_event_type t, chat_event *out)
{
    chat_event ev;
    while (lan_poll_event(l, &ev)) {
        if (ev.type == t) {
            *out = ev;
            return 1;
        }
        chat_event_free(&ev);
    }
    return 0;
}

/* a and b know each other (each gets the other's entry). */
static void meet(lan *a, wire_cap *wa, lan *b, wire_cap *wb)
{
    net_addr aa = {A_ADDR, IPMSG_PORT}, ba = {B_ADDR, IPMSG_PORT};
    lan_enter(a, 1);
    lan_enter(b, 1);
    lan_set_targets(a, &ba, 1);
    lan_set_targets(b, &aa, 1);
    lan_enter(a, 2);
    lan_enter(b, 2);
    buf *ea = &wa->last[(wa->n - 1) % 8], *eb = &wb->last[(wb->n - 1) % 8];
    lan_on_datagram(b, &aa, ea->data, ea->len, 3);
    lan_on_datagram(a, &ba, eb->data, eb->len, 3);
}

static void offer_round(charset_id cs, const char *name)
{
    wire_cap wa = {0}, wb = {0};
    lan *a = make("alice", 1000, &wa, cs), *b = make("bob", 5000, &wb, cs);
    meet(a, &wa, b, &wb);
    buf spec = {0};
    lan_file_spec_begin(&spec, 7, "文件给你");
    lan_file_spec_add(&spec, 1, 12345, 1700000000, IPMSG_FILE_REGULAR, name);
    lan_file_spec_add(&spec, 2, 0, 1700000000, IPMSG_FILE_DIR, "目录");
    lan_file_spec_add(&spec, 3, 1, 1, IPMSG_FILE_REGULAR, "CON");
    core_command c = {CMD_SEND_FILES, 0, "bob", spec.data};
    size_t before = wa.n;
    CHECK(lan_ops.command(a, &c, 10) != 0);
    CHECK_EQ_INT(wa.n, before + 1);
    chat_event sh;
    CHECK(next_event(a, EV_FILE_SHARED, &sh) && sh.id == 7 && sh.files && strncmp(sh.files, "100", 3) == 0);
    CHECK(sh.files && strstr(sh.files, "\nbob\npc") != NULL);
    buf want = {0};
    buf_printf(&want, "%s, 目录/, CON", name);
    buf_append_byte(&want, '\0');
    CHECK(sh.text && strcmp(sh.text, want.data) == 0); /* the names offered, for people */
    buf_free(&want);
    chat_event_free(&sh);
    buf *pkt = &wa.last[(wa.n - 1) % 8];
    ipmsg_packet p;
    CHECK(ipmsg_parse(pkt->data, pkt->len, &p) == 0 && (p.command & IPMSG_FILEATTACHOPT) && IPMSG_MODE(p.command) == IPMSG_SENDMSG);
    ipmsg_free(&p);
    net_addr aa = {A_ADDR, IPMSG_PORT};
    lan_on_datagram(b, &aa, pkt->data, pkt->len, 20);
    chat_event of;
    CHECK(next_event(b, EV_FILE_OFFER, &of) && of.text && strcmp(of.text, "文件给你") == 0);
    lan_offer o;
    CHECK(of.files && lan_offer_parse(of.files, &o) == 0);
    CHECK(o.n == 3 && o.packet_no == 1003 && strcmp(o.files[0].name, name) == 0 && o.files[0].size == 12345 &&
          !o.files[0].refused);
    CHECK(o.n == 3 && o.files[1].attr == IPMSG_FILE_DIR && strcmp(o.files[1].name, "目录") == 0);
    CHECK(o.n == 3 && o.files[2].refused != NULL);
    lan_offer_free(&o);
    chat_event_free(&of);
    /* b declines: a hears RELEASEFILES with that packet number */
    core_command r = {CMD_RELEASE_FILES, 0, "10.0.0.1", "1003"};
    lan_ops.command(b, &r, 30);
    pkt = &wb.last[(wb.n - 1) % 8];
    net_addr ba = {B_ADDR, IPMSG_PORT};
    lan_on_datagram(a, &ba, pkt->data, pkt->len, 31);
    chat_event rel;
    CHECK(next_event(a, EV_FILE_RELEASED, &rel) && rel.text && strcmp(rel.text, "1003") == 0);
    chat_event_free(&rel);
    buf_free(&spec);
    lan_destroy(a);
    lan_destroy(b);
    for (int i = 0; i < 8; i++) buf_free(&wa.last[i]), buf_free(&wb.last[i]);
}

static void test_offer_utf8(void) { offer_round(CHARSET_UTF8, "报告（终稿）.txt"); }
static void test_offer_gbk(void) { offer_round(CHARSET_GBK, "报告 终稿.txt"); }

static void test_hostile_offer(void)
{
    wire_cap wb = {0};
    lan *b = make("bob", 5000, &wb, CHARSET_UNKNOWN);
    const char body[] = "1_lbt:77:eve:evil:2097440:x\0" "1:../x:1:1:1:\a:2:C::\\x:1:1:1:\a:3:a\x01" "b:1:1:1:\a:";
    net_addr ea = {0x0A000009u, IPMSG_PORT};
    lan_on_datagram(b, &ea, body, sizeof body - 1, 5);
    chat_event of;
    lan_offer o;
    CHECK(next_event(b, EV_FILE_OFFER, &of) && lan_offer_parse(of.files, &o) == 0);
    CHECK(o.n == 3 && o.files[0].refused && o.files[1].refused && o.files[2].refused);
    CHECK(o.n == 3 && strchr(o.files[2].name, '\x01') == NULL);
    lan_offer_free(&o);
    chat_event_free(&of);
    lan_destroy(b);
    for (int i = 0; i < 8; i++) buf_free(&wb.last[i]);
}

/* The names of a spec: folders end in '/', malformed lines give nothing, no line no name. */
static void test_spec_names(void)
{
    struct { const char *spec, *want; } cases[] = {
        {"7\nhi\n1\t10\t5\t1\ta.txt\n2\t0\t5\t2\tphotos\n", "a.txt, photos/"},
        {"7\nhi\n1\t10\t5\t1\tname\twith tab\n", "name\twith tab"},
        {"7\nhi\n1\t10\t5\n3\t1\t1\t1\tok\n", "ok"},     /* a short line is skipped */
        {"7\nhi\n1\t10\t5\t1\t\n", ""},                    /* no name */
        {"7\nhi\n", ""}, {"7\n", ""}, {"", ""}, {"7\nhi\n1\t2\t3\t1\tlast", "last"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        buf b = {0};
        lan_file_spec_names(cases[i].spec, &b);
        buf_append_byte(&b, '\0');
        CHECK(strcmp(b.data, cases[i].want) == 0);
        buf_free(&b);
    }
}

int main(void)
{
    RUN(test_spec_names);
    RUN(test_offer_utf8);
    RUN(test_offer_gbk);
    RUN(test_hostile_offer);
    return th_finish();
}
