#!/usr/bin/env bash
# test_linux_packages.sh -- the Linux packages as users get them: build them with
# `cpack --preset linux`, install the .deb with apt-get (which pulls in its dependencies), run
# the installed udpchat, find its man page and docs, remove it; unpack the .tar.gz and run it.
# Needs root (apt-get, dpkg); prints a message and exits 0 without root.
set -euo pipefail
cd "$(dirname "$0")/../.."
export DEBIAN_FRONTEND=noninteractive

if [ "$(id -u)" -ne 0 ]; then
    echo "test_linux_packages: skipped: installing the .deb needs root (apt-get)"
    exit 0
fi
for tool in cpack dpkg-deb apt-get man; do
    command -v "$tool" >/dev/null || { echo "test_linux_packages: FAIL: '$tool' is missing (packaging/install-deps.sh installs it)"; exit 1; }
done

fail() { echo "test_linux_packages: FAIL: $*"; exit 1; }
ok() { echo "test_linux_packages: ok: $*"; }

bdir=build/default
tmp=$(mktemp -d "${TMPDIR:-/tmp}/udpchat-pkg.XXXXXX")
we_installed=0
cleanup() {
    if [ "$we_installed" = 1 ] && dpkg -s udpchat >/dev/null 2>&1; then
        apt-get remove -y udpchat >/dev/null 2>&1 || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT

if dpkg -s udpchat >/dev/null 2>&1; then
    fail "a udpchat package is already installed on this machine; remove it first (apt-get remove udpchat)"
fi

# ---- build the packages (an up-to-date default build first) ----
cmake --preset default >/dev/null
cmake --build --preset default
rm -f "$bdir"/udpchat_*.deb "$bdir"/udpchat_*.deb.sha256 "$bdir"/udpchat-*.tar.gz "$bdir"/udpchat-*.tar.gz.sha256
cpack --preset linux

version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$bdir/CMakeCache.txt")
[ -n "$version" ] || fail "no CMAKE_PROJECT_VERSION in $bdir/CMakeCache.txt"
arch=$(dpkg --print-architecture)
deb=$bdir/udpchat_${version}_${arch}.deb
tgz=$bdir/udpchat-${version}-Linux.tar.gz
[ -f "$deb" ] || fail "cpack made no $deb"
[ -f "$tgz" ] || fail "cpack made no $tgz"
(cd "$bdir" && sha256sum -c "$(basename "$deb").sha256" "$(basename "$tgz").sha256") || fail "checksum files"
ls -l "$deb" "$tgz"

# ---- the .deb's metadata and contents ----
dpkg-deb --info "$deb"
[ "$(dpkg-deb --field "$deb" Package)" = udpchat ] || fail "package name"
[ "$(dpkg-deb --field "$deb" Version)" = "$version" ] || fail "package version"
[ "$(dpkg-deb --field "$deb" Section)" = net ] || fail "section"
depends=$(dpkg-deb --field "$deb" Depends)
echo "Depends: $depends"
for d in libc6 libsdl2-2.0-0 libsdl2-net-2.0-0; do
    grep -Eq "(^|, )$d( |,|$)" <<<"$depends" || fail "Depends lacks $d"
done
# the window's Chinese font (issue 17), when the window is built
if dpkg-deb --contents "$deb" | grep -q 'usr/share/applications/udpchat.desktop'; then
    grep -Fq "fonts-wqy-microhei | fonts-noto-cjk" <<<"$depends" || fail "Depends lacks the CJK font"
fi
contents=$(dpkg-deb --contents "$deb" | awk '{print $NF}')
for f in ./usr/bin/udpchat ./usr/share/man/man1/udpchat.1.gz \
         ./usr/share/doc/udpchat/README.md ./usr/share/doc/udpchat/README.zh-CN.md \
         ./usr/share/doc/udpchat/LICENSE ./usr/share/doc/udpchat/copyright \
         ./usr/share/applications/udpchat.desktop ./usr/share/icons/hicolor/256x256/apps/udpchat.png; do
    grep -qx -- "$f" <<<"$contents" || fail "the .deb has no $f"
done
ok "the .deb: name, version, section, Depends, files"

# ---- install it, as a user would ----
we_installed=1
apt-get install -y -o Dpkg::Use-Pty=0 "./$deb"
dpkg -s udpchat | grep -q '^Status: install ok installed' || fail "dpkg does not list udpchat as installed"
[ "$(command -v udpchat)" = /usr/bin/udpchat ] || fail "udpchat on PATH is '$(command -v udpchat || true)', not /usr/bin/udpchat"
out=$(udpchat --version)
echo "udpchat --version: $out"
[ "$out" = "udpchat $version" ] || fail "udpchat --version printed '$out', want 'udpchat $version'"
udpchat --help >/dev/null || fail "udpchat --help"

page=$(man -w udpchat) || fail "man -w udpchat finds no page"
echo "man -w udpchat: $page"
[ "$page" = /usr/share/man/man1/udpchat.1.gz ] || fail "man -w udpchat: $page"
rendered=$(LC_ALL=C MANWIDTH=100 man -P cat udpchat 2>/dev/null) || fail "man udpchat does not render"
grep -q "udpchat $version" <<<"$rendered" || fail "the man page does not carry version $version"
for section in NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" ENVIRONMENT EXAMPLES "SEE ALSO"; do
    grep -q "^$section" <<<"$rendered" || fail "the man page has no $section section"
done
# Every option of every command's --help is in the man page (keeps the page up to date).
for cmd in lan peer server join convert; do
    for opt in $(udpchat "$cmd" --help | grep -oE '^  --[a-z0-9-]+' | sort -u); do
        [ "$opt" = --help ] && continue
        grep -Eq -- "$opt([^a-z0-9-]|\$)" <<<"$rendered" || fail "the man page does not document 'udpchat $cmd $opt'"
    done
done
ok "man page found and up to date with every command's --help"

listing=$(dpkg -L udpchat)
for f in /usr/bin/udpchat /usr/share/doc/udpchat/README.md /usr/share/doc/udpchat/README.zh-CN.md /usr/share/doc/udpchat/LICENSE \
         /usr/share/man/man1/udpchat.1.gz; do
    grep -qx "$f" <<<"$listing" || fail "dpkg -L udpchat does not list $f"
    [ -e "$f" ] || fail "$f is not on disk"
done
ok "installed: /usr/bin/udpchat, man page, /usr/share/doc/udpchat/{README.md,LICENSE}"

# ---- remove it ----
apt-get remove -y -o Dpkg::Use-Pty=0 udpchat
we_installed=0
! dpkg -s udpchat 2>/dev/null | grep -q '^Status: install ok installed' || fail "udpchat still installed after apt-get remove"
for f in /usr/bin/udpchat /usr/share/man/man1/udpchat.1.gz /usr/share/doc/udpchat/README.md; do
    [ ! -e "$f" ] || fail "$f is still there after apt-get remove"
done
hash -r
! command -v udpchat >/dev/null || fail "udpchat still on PATH after apt-get remove"
ok "apt-get remove udpchat removed the program, the man page and the docs"

# ---- the tarball ----
tar -xzf "$tgz" -C "$tmp"
root=$tmp/udpchat-${version}-Linux
for f in bin/udpchat share/man/man1/udpchat.1.gz share/doc/udpchat/README.md share/doc/udpchat/LICENSE; do
    [ -e "$root/$f" ] || fail "the tarball has no udpchat-${version}-Linux/$f"
done
out=$("$root/bin/udpchat" --version)
echo "tarball bin/udpchat --version: $out"
[ "$out" = "udpchat $version" ] || fail "the tarball's udpchat --version printed '$out'"
ok "the tarball unpacks and its bin/udpchat runs"

echo "test_linux_packages: all passed ($(basename "$deb"), $(basename "$tgz"))"
