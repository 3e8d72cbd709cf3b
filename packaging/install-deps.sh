#!/usr/bin/env bash
# install-deps.sh -- installs what building and testing udpchat needs on Debian 12 (run as root)
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
what="${1:-all}"   # "build": just enough to build and run; "all": the whole test suite too
build_pkgs=(build-essential cmake pkg-config libsdl2-dev libsdl2-net-dev libsqlite3-dev
            libsdl2-ttf-dev libfontconfig-dev)  # the last two: udpchat gui (the window)
test_pkgs=(python3 clang libclang-rt-14-dev tmux locales iproute2 procps man-db
           iptux xvfb libjsoncpp-dev libsigc++-2.0-dev   # test_lan_iptux.py: iptux headless, iptux_send.cpp
           xdotool imagemagick fonts-wqy-microhei fonts-dejavu-core fonts-symbola  # test_gui.py: typing,
           # screenshots, CJK, emoji drawn by a face found for them,
           ibus ibus-pinyin)                                         # and a real input method
win_pkgs=(mingw-w64 wine64 wine xz-utils nsis tcl   # tcl: SQLite's amalgamation (build-windows-deps.sh)
          fonts-wqy-microhei)  # shipped in the Windows packages (cmake/UdpchatWindows.cmake)
pkgs=("${build_pkgs[@]}")
[ "$what" = "build" ] || pkgs+=("${test_pkgs[@]}" "${win_pkgs[@]}")
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends "${pkgs[@]}"
