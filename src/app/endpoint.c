/* endpoint.c -- what peer and join share: the socket and remote, charset options */
#include <stdio.h>
#include <string.h>

#include "udpchat/app.h"
#include "udpchat/cli.h"

int app_open_endpoint(const char *cmd, const char *remote, uint16_t default_port, long local_port,
                      net_socket **sock, net_addr *addr)
{
    char err[256];
    int rc = net_resolve(remote, default_port, addr);
    if (rc == -1) {
        fprintf(stderr, "udpchat %s: bad port in '%s' (want HOST:PORT, port 1-65535)\n", cmd, remote);
        return EXIT_USAGE;
    }
    if (rc == -2) {
        fprintf(stderr, "udpchat %s: cannot resolve host '%s': check the name or use an IP address\n",
                cmd, remote);
        return EXIT_RUNTIME;
    }
    *sock = net_open((uint16_t)local_port, err, sizeof err);
    if (!*sock) {
        fprintf(stderr, "udpchat %s: %s\n", cmd, err);
        return EXIT_RUNTIME;
    }
    return EXIT_OK;
}

int app_charset_option(const char *cmd, const char *opt, const char *value, charset_id dflt,
                       charset_id *out)
{
    if (!value) {
        *out = dflt;
        return 0;
    }
    if (str_ieq(value, "auto")) {
        *out = CHARSET_UNKNOWN;
        return 0;
    }
    if (charset_from_name(value, out) == 0) return 0;
    fprintf(stderr, "udpchat: unknown charset '%s' for %s %s (known: %s)\n", value, cmd, opt,
            charset_known_list());
    return -1;
}
