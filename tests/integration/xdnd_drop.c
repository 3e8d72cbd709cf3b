/* xdnd_drop.c -- test helper: drops one file on an X window the way a file manager does (XDND version 5) */
#define _POSIX_C_SOURCE 200809L /* nanosleep */
#include <X11/Xatom.h>
#include <X11/Xlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* usage: xdnd_drop WINDOW X Y PATH -- drags PATH (a text/uri-list) from a window of our own to
 * (X, Y) in WINDOW and drops it there; exit 0 once the target said XdndFinished, 1 otherwise. */

typedef struct dnd {
    Display *d;
    Window src, dst;
    Atom enter, position, status, drop, finished, selection, copy, uri_list, aware;
    char uri[4096];
} dnd;

static void atoms(dnd *x)
{
    x->enter = XInternAtom(x->d, "XdndEnter", False);
    x->position = XInternAtom(x->d, "XdndPosition", False);
    x->status = XInternAtom(x->d, "XdndStatus", False);
    x->drop = XInternAtom(x->d, "XdndDrop", False);
    x->finished = XInternAtom(x->d, "XdndFinished", False);
    x->selection = XInternAtom(x->d, "XdndSelection", False);
    x->copy = XInternAtom(x->d, "XdndActionCopy", False);
    x->uri_list = XInternAtom(x->d, "text/uri-list", False);
    x->aware = XInternAtom(x->d, "XdndAware", False);
}

/* file:// and the path, percent-encoded but for unreserved characters and '/'; CRLF after. */
static void make_uri(dnd *x, const char *path)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = (size_t)snprintf(x->uri, sizeof x->uri, "file://");
    for (const unsigned char *p = (const unsigned char *)path; *p && n + 5 < sizeof x->uri; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr("/-._~", *p))
            x->uri[n++] = (char)*p;
        else
            x->uri[n++] = '%', x->uri[n++] = hex[*p >> 4], x->uri[n++] = hex[*p & 15];
    }
    x->uri[n++] = '\r', x->uri[n++] = '\n', x->uri[n] = '\0';
}

static void send_msg(dnd *x, Atom type, long l1, long l2, long l3, long l4)
{
    XEvent e;
    memset(&e, 0, sizeof e);
    e.xclient.type = ClientMessage;
    e.xclient.display = x->d;
    e.xclient.window = x->dst;
    e.xclient.message_type = type;
    e.xclient.format = 32;
    e.xclient.data.l[0] = (long)x->src;
    e.xclient.data.l[1] = l1, e.xclient.data.l[2] = l2, e.xclient.data.l[3] = l3, e.xclient.data.l[4] = l4;
    XSendEvent(x->d, x->dst, False, NoEventMask, &e);
    XFlush(x->d);
}

/* The target asks for the data: the uri list goes into its property. */
static void answer(dnd *x, const XSelectionRequestEvent *r)
{
    XEvent e;
    memset(&e, 0, sizeof e);
    e.xselection.type = SelectionNotify;
    e.xselection.requestor = r->requestor;
    e.xselection.selection = r->selection;
    e.xselection.target = r->target;
    e.xselection.time = r->time;
    e.xselection.property = None;
    if (r->target == x->uri_list) {
        XChangeProperty(x->d, r->requestor, r->property, r->target, 8, PropModeReplace,
                        (const unsigned char *)x->uri, (int)strlen(x->uri));
        e.xselection.property = r->property;
    }
    XSendEvent(x->d, r->requestor, False, NoEventMask, &e);
    XFlush(x->d);
}

/* Waits up to 10 s for a client message of type want (answering selection requests). */
static int wait_for(dnd *x, Atom want)
{
    time_t end = time(NULL) + 10;
    while (time(NULL) < end) {
        while (XPending(x->d)) {
            XEvent e;
            XNextEvent(x->d, &e);
            if (e.type == SelectionRequest) answer(x, &e.xselectionrequest);
            if (e.type == ClientMessage && e.xclient.message_type == want) return 1;
        }
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return 0;
}

int main(int argc, char **argv)
{
    dnd x;
    if (argc != 5) {
        fprintf(stderr, "usage: xdnd_drop WINDOW X Y PATH\n");
        return 2;
    }
    memset(&x, 0, sizeof x);
    if (!(x.d = XOpenDisplay(NULL))) return fprintf(stderr, "xdnd_drop: no display\n"), 1;
    atoms(&x);
    x.dst = (Window)strtoul(argv[1], NULL, 0);
    x.src = XCreateSimpleWindow(x.d, DefaultRootWindow(x.d), 0, 0, 1, 1, 0, 0, 0);
    make_uri(&x, argv[4]);
    XSetSelectionOwner(x.d, x.selection, x.src, CurrentTime);
    int rx, ry;
    Window child;
    XTranslateCoordinates(x.d, x.dst, DefaultRootWindow(x.d), atoi(argv[2]), atoi(argv[3]), &rx, &ry, &child);
    send_msg(&x, x.enter, 5L << 24, (long)x.uri_list, 0, 0);
    send_msg(&x, x.position, 0, ((long)rx << 16) | (ry & 0xFFFF), CurrentTime, (long)x.copy);
    if (!wait_for(&x, x.status)) return fprintf(stderr, "xdnd_drop: no XdndStatus\n"), 1;
    send_msg(&x, x.drop, 0, CurrentTime, 0, 0);
    int ok = wait_for(&x, x.finished);
    if (!ok) fprintf(stderr, "xdnd_drop: no XdndFinished\n");
    XCloseDisplay(x.d);
    return ok ? 0 : 1;
}
