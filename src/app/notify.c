/* notify.c -- notifications: the bell for private messages and mentions, unseen lines in the title */
#include "udpchat/frontend.h"
#include "udpchat/wire.h"

void frontend_notify(frontend *fe, const chat_event *ev, const model_msg *g)
{
    if (fe->json || fe->mode == FE_SERVER || !fe->sink || !fe->sink->interactive || !fe->sink->alert) return;
    if (ev->type != EV_MESSAGE || !g || g->own) return; /* others' chat lines only */
    int personal = (ev->flags & CHAT_PRIVATE) || g->kind == MSG_KIND_PRIVATE || g->mention;
    fe->sink->alert(fe->bell && personal);
}

const char *frontend_mode_name(frontend_mode mode)
{
    static const char *const names[] = {"peer", "join", "server", "lan"};
    return names[mode];
}
