/* lan_away.c -- away status as IP Messenger and FeiQ carry it: "nick[status]" in entries */
#include "lan_extras.h"

#include <stdlib.h>
#include <string.h>

#include "udpchat/mem.h"

char *lan_away_split(char *nick, char **status)
{
    *status = NULL;
    size_t n = strlen(nick);
    if (n < 3 || nick[n - 1] != ']') return nick;
    char *open = NULL;
    for (char *p = nick + n - 1; p > nick; p--) /* the last '[' with text before it */
        if (*p == '[') {
            open = p;
            break;
        }
    if (!open || open == nick + n - 2) return nick; /* "nick[]" is a nick */
    *status = xstrndup(open + 1, (size_t)(nick + n - 1 - (open + 1)));
    *open = '\0';
    return nick;
}

void lan_away_entry_nick(const char *nick, const char *away, buf *out)
{
    buf_append_str(out, nick);
    if (away) buf_printf(out, "[%s]", away);
}

char *lan_away_text(const char *text)
{
    char *t = lan_one_line(text ? text : "", text ? strlen(text) : 0, LAN_AWAY_MAX);
    for (char *p = t; *p; p++) /* brackets would end the status early for the receiver */
        if (*p == '[' || *p == ']') *p = ' ';
    if (!*t) {
        free(t);
        t = xstrdup("away");
    }
    return t;
}
