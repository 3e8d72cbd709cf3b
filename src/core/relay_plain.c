/* relay_plain.c -- what plain-text (seed-style) members receive: encoded lines, rate, news */
#include "relay_plain.h"

#include <string.h>

/* Each plain-text member receives at most legacy_out_rate datagrams a second, in its own
 * charset, in datagrams of at most legacy_max bytes cut between characters; join/leave
 * lines reach all of them together, once a second (NEWS_MS). Nothing here changes the
 * table or calls the room. */

#define NEWS_MS 1000
#define NEWS_MAX 900 /* bytes of join/leave lines in one datagram */

static charset_id member_charset(const relay *r, const member *m)
{
    charset_id cs = m->cs != CHARSET_UNKNOWN ? m->cs : r->cfg.legacy_charset;
    return cs == CHARSET_UNKNOWN ? CHARSET_UTF8 : cs;
}

void plain_line_free(plain_line *l)
{
    for (int i = 0; i < 4; i++) buf_free(&l->enc[i]);
}

/* A line in the member's charset (encoded once per charset for a whole broadcast), in
 * datagrams of at most legacy_max bytes (what the seeds read with recvfrom(1024)), cut
 * between characters; each counts against the member's output rate. */
void plain_send_line(relay *r, member *m, plain_line *l, uint64_t now)
{
    charset_id cs = member_charset(r, m);
    buf *b = &l->enc[cs];
    size_t max = r->cfg.legacy_max ? r->cfg.legacy_max : 1024;
    if (!b->len) charset_encode(cs, l->utf8, strlen(l->utf8), 1, b);
    for (size_t off = 0; off < b->len;) {
        size_t n = charset_fit(cs, b->data + off, b->len - off, max);
        if (!relay_rate_ok(&m->out_tat_us, r->cfg.legacy_out_rate, 2 * r->cfg.legacy_out_rate, now)) {
            r->st.dropped_legacy_out++;
            break;
        }
        r->emit(r->ctx, &m->addr, b->data + off, n);
        off += n;
    }
}

void plain_send(relay *r, member *m, const char *utf8, uint64_t now)
{
    plain_line l = {utf8, {{0}}};
    plain_send_line(r, m, &l, now);
    plain_line_free(&l);
}

void plain_news(relay *r, const char *line)
{
    if (!r->nlegacy) return;
    if (r->legacy_news.len + strlen(line) + 1 > NEWS_MAX) return; /* the rest of a burst: counted below */
    if (r->legacy_news.len) buf_append_byte(&r->legacy_news, '\n');
    buf_append_str(&r->legacy_news, line);
}

void plain_flush_news(relay *r, uint64_t now)
{
    if (now < r->next_news || !r->legacy_news.len) return;
    r->next_news = now + NEWS_MS; /* the next lines wait a second; the first goes at once */
    plain_line line = {r->legacy_news.data, {{0}}};
    for (member *m = r->head; m; m = m->next)
        if (m->legacy && !m->leaving) plain_send_line(r, m, &line, now);
    plain_line_free(&line);
    buf_clear(&r->legacy_news);
}
