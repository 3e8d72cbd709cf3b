#!/bin/sh
# wine-run.sh -- runs a Windows console program under Wine, quietly, headless, in a private prefix
#
# usage: cmake/wine-run.sh [--default-prefix DIR] PROGRAM.exe [ARGS...]
# The exit status, stdin, stdout and stderr are the program's. Environment:
#   WINEPREFIX    used as is when set; else DIR (created on first use, kept for reuse), else
#                 a temporary prefix removed on exit (slower: ~5 s to create)
#   WINEDEBUG     defaults to -all (no Wine log noise in test output)
#   UDPCHAT_WINE  the wine loader; default wine64 from PATH, else Debian's /usr/lib/wine/wine64
# CMake uses this as CMAKE_CROSSCOMPILING_EMULATOR (see cmake/mingw-w64-x86_64.cmake).
set -eu

default_prefix=
if [ "${1:-}" = "--default-prefix" ]; then
    default_prefix=$2
    shift 2
fi
if [ $# -eq 0 ]; then
    echo "usage: wine-run.sh [--default-prefix DIR] PROGRAM.exe [ARGS...]" >&2
    exit 2
fi

wine=${UDPCHAT_WINE:-}
if [ -z "$wine" ]; then
    if command -v wine64 >/dev/null 2>&1; then
        wine=wine64
    elif [ -x /usr/lib/wine/wine64 ]; then # Debian 12 keeps wine64 off PATH
        wine=/usr/lib/wine/wine64
        export WINELOADER="${WINELOADER:-$wine}"
    else
        wine=wine
    fi
fi
export WINEDEBUG="${WINEDEBUG:--all}"
export WINEDLLOVERRIDES="${WINEDLLOVERRIDES:-mscoree,mshtml=}" # never offer Mono/Gecko downloads

tmp=
if [ -z "${WINEPREFIX:-}" ]; then
    if [ -n "$default_prefix" ]; then
        WINEPREFIX=$default_prefix
    else
        tmp=$(mktemp -d "${TMPDIR:-/tmp}/udpchat-wine.XXXXXX")
        WINEPREFIX=$tmp/prefix
    fi
fi
export WINEPREFIX

# Create the prefix once, under a lock: CTest may start several programs at the same moment.
if [ ! -f "$WINEPREFIX/system.reg" ]; then
    mkdir -p "$(dirname "$WINEPREFIX")"
    flock "$WINEPREFIX.lock" sh -c \
        'test -f "$WINEPREFIX/system.reg" || { "$1" wineboot.exe --init && "$2" -w; }' \
        sh "$wine" "${WINESERVER:-wineserver}" </dev/null >/dev/null 2>&1 || true
fi

# Start the prefix's wineserver and services with stdio on /dev/null if they are not running.
# Otherwise the program starts them, they inherit its stdout/stderr, and whoever reads those
# (CTest, a shell pipe) waits until the server exits, 3 s after the program. -p10 keeps the
# server for the next program; its socket lives in /tmp/.wine-UID/server-DEV-INODE/.
server=${WINESERVER:-wineserver}
socket=/tmp/.wine-$(id -u)/server-$(stat -c %D "$WINEPREFIX")-$(printf %x "$(stat -c %i "$WINEPREFIX")")/socket
if [ ! -S "$socket" ]; then
    "$server" -p10 </dev/null >/dev/null 2>&1 || true
    "$wine" wineboot.exe </dev/null >/dev/null 2>&1 || true
fi

if [ -z "$tmp" ]; then
    exec "$wine" "$@"
fi
rc=0
"$wine" "$@" || rc=$?
"$server" -k >/dev/null 2>&1 || true
rm -rf "$tmp"
exit "$rc"
