#!/usr/bin/env bash
# build-windows-deps.sh -- builds static SDL2, SDL2_net, SQLite, FreeType and SDL2_ttf for x86_64-w64-mingw32 once, into a cache prefix
#
# usage: cmake/build-windows-deps.sh [--force] [--print-prefix]
#   UDPCHAT_WINDEPS  install prefix (default ${XDG_CACHE_HOME:-$HOME/.cache}/udpchat/win64-deps-r$RECIPE:
#                    one prefix per recipe, so two checkouts of different recipes never undo each other)
#
# Sources are Debian's (apt-get source libsdl2 libsdl2-net sqlite3 freetype libsdl2-ttf, upstream .orig
# tarballs only); a
# deb-src entry mirroring the machine's own deb entries is added when apt has none. The prefix
# is reused while its stamp file matches RECIPE below: bump RECIPE when the build options change.
# Needs: mingw-w64 cmake make (or ninja) xz-utils tcl (SQLite's amalgamation is made by tclsh),
# and root (or sudo) only if deb-src is missing.
set -euo pipefail

RECIPE=7 # read by cmake/mingw-w64-x86_64.cmake; the stamp's first line is "recipe=$RECIPE"
HOST=x86_64-w64-mingw32
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PREFIX=${UDPCHAT_WINDEPS:-${XDG_CACHE_HOME:-$HOME/.cache}/udpchat/win64-deps-r$RECIPE}
STAMP=$PREFIX/udpchat-windeps.stamp
JOBS=$(nproc 2>/dev/null || echo 2)

say() { printf 'windeps: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

force=0
for arg in "$@"; do
    case $arg in
        --force) force=1 ;;
        --print-prefix) echo "$PREFIX"; exit 0 ;;
        -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
        *) die "unknown argument '$arg'" ;;
    esac
done

cached() { [[ -f $STAMP ]] && [[ $(head -n1 "$STAMP") == "recipe=$RECIPE" ]]; }
if [[ $force == 0 ]] && cached; then
    say "using cached deps in $PREFIX ($(tr '\n' ' ' < "$STAMP"))"
    exit 0
fi
# One build at a time per prefix (two configures may start together); the winner's result is
# then good for the others.
mkdir -p "$(dirname "$PREFIX")"
exec 9> "$PREFIX.lock"
if ! flock -n 9; then
    say "waiting for another build of $PREFIX to finish"
    flock 9
    if [[ $force == 0 ]] && cached; then
        say "using cached deps in $PREFIX ($(tr '\n' ' ' < "$STAMP"))"
        exit 0
    fi
fi

for tool in "$HOST-gcc" "$HOST-windres" "$HOST-ar" cmake tar xz tclsh make; do
    command -v "$tool" >/dev/null || die "'$tool' not found (apt-get install mingw-w64 cmake xz-utils tcl make)"
done
as_root() { if [[ $(id -u) == 0 ]]; then "$@"; else sudo "$@"; fi; }

# Prints deb-src stanzas mirroring the deb stanzas of deb822 file $1 that serve this release.
mirror_deb822() {
    awk -v codename="$2" '
    function flush() {
        if (types ~ /(^|[ \t])deb([ \t]|$)/ && enabled != "no" && uris != "" &&
            (" " suites " ") ~ (" " codename "[- ]")) {
            printf "%sTypes: deb-src\nURIs: %s\nSuites: %s\nComponents: %s\n", (n++ ? "\n" : ""),
                   uris, suites, comps
            if (signed != "") printf "Signed-By: %s\n", signed
        }
        types = uris = suites = comps = signed = enabled = last = ""
    }
    /^[ \t]*#/ { next }
    /^[ \t]*$/ { flush(); next }
    /^[ \t]/ { if (last == "signed-by") signed = signed "\n" $0; next }
    {
        key = tolower($1); sub(/:$/, "", key); val = $0; sub(/^[^:]*:[ \t]*/, "", val); last = key
        if (key == "types") types = val; else if (key == "uris") uris = val
        else if (key == "suites") suites = val; else if (key == "components") comps = val
        else if (key == "signed-by") signed = val; else if (key == "enabled") enabled = tolower(val)
    }
    END { flush() }' "$1"
}

# Prints deb-src stanzas for the one-line "deb [opts] URI SUITE COMP..." entries of file $1.
mirror_oneline() {
    awk -v codename="$2" '
    $1 == "deb" {
        opts = ""; i = 2
        if ($2 ~ /^\[/) { while ($i !~ /\]$/) { opts = opts " " $i; i++ } opts = opts " " $i; i++ }
        if ($(i + 1) !~ ("^" codename "($|-)")) next
        comps = ""; for (j = i + 2; j <= NF; j++) comps = comps (comps == "" ? "" : " ") $j
        printf "%sTypes: deb-src\nURIs: %s\nSuites: %s\nComponents: %s\n", (n++ ? "\n" : ""), $i, $(i + 1), comps
        if (match(opts, /signed-by=[^] ]+/)) printf "Signed-By: %s\n", substr(opts, RSTART + 10, RLENGTH - 10)
    }' "$1"
}

ensure_deb_src() {
    if apt-cache showsrc libsdl2 2>/dev/null | grep -q '^Package:'; then return; fi
    local codename list=/etc/apt/sources.list.d/udpchat-src.sources tmp f
    codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
    [[ -n $codename ]] || die "cannot tell the Debian release from /etc/os-release"
    tmp=$(mktemp)
    for f in /etc/apt/sources.list.d/*.sources; do
        [[ -f $f && $f != "$list" ]] && mirror_deb822 "$f" "$codename" >> "$tmp"
    done
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [[ -f $f ]] && mirror_oneline "$f" "$codename" >> "$tmp"
    done
    [[ -s $tmp ]] || die "no deb entry for '$codename' in /etc/apt to mirror as deb-src"
    say "adding deb-src entries as $list:"
    sed 's/^/    /' "$tmp" >&2
    as_root install -m 0644 "$tmp" "$list"
    rm -f "$tmp"
    say "apt-get update"
    as_root apt-get update -qq
}

# Downloads the upstream .orig tarball of Debian source package $1 into the cwd (hash-checked by
# apt-helper against the signed Sources index); prints "<version> <tarball>".
fetch_orig() {
    local line uri file size hash version
    version=$(apt-cache showsrc "$1" | awk -v pkg="$1" '/^Package:/ { p = ($2 == pkg) } p && /^Version:/ { print $2 }' |
        sort -V | tail -n1)
    [[ -n $version ]] || die "apt knows no source package '$1'"
    line=$(apt-get source --print-uris --only-source "$1=$version" | grep "^'.*\.orig\.tar\.[a-z0-9]*' " | head -n1)
    [[ -n $line ]] || die "no .orig tarball listed for $1 $version"
    read -r uri file size hash <<< "$line"
    uri=${uri//\'/}
    if [[ ! -f $file ]]; then
        say "downloading $file ($size bytes)"
        local sandbox=() # as root, apt would try (and warn about) dropping to _apt in a 0700 dir
        [[ $(id -u) == 0 ]] && sandbox=(-o APT::Sandbox::User=root)
        /usr/lib/apt/apt-helper "${sandbox[@]}" download-file "$uri" "$file" "$hash" >/dev/null
    fi
    echo "$version $file"
}

cmake_build() { # cmake_build SRC BUILD [cmake args...]
    local src=$1 bld=$2; shift 2
    local gen=()
    command -v ninja >/dev/null && gen=(-G Ninja)
    cmake -S "$src" -B "$bld" "${gen[@]}" --log-level=WARNING \
        -DCMAKE_TOOLCHAIN_FILE="$HERE/mingw-w64-x86_64.cmake" -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_INSTALL_PREFIX="$PREFIX" -DCMAKE_PREFIX_PATH="$PREFIX" "$@" > "$bld.log" 2>&1 ||
        { tail -n 40 "$bld.log" >&2; die "configuring $src failed (log: $work/$bld.log)"; }
    { cmake --build "$bld" -j "$JOBS" && cmake --install "$bld"; } >> "$bld.log" 2>&1 ||
        { tail -n 40 "$bld.log" >&2; die "building $src failed (log: $work/$bld.log)"; }
}

start=$SECONDS
work=$(mktemp -d "${TMPDIR:-/tmp}/udpchat-windeps.XXXXXX")
trap 'say "failed; build logs kept in $work"' ERR
cd "$work"
ensure_deb_src
sdl=$(fetch_orig libsdl2)
net=$(fetch_orig libsdl2-net)
read -r sdl_version sdl_tar <<< "$sdl"
read -r net_version net_tar <<< "$net"
say "building SDL2 $sdl_version and SDL2_net $net_version for $HOST into $PREFIX"
mkdir sdl2 sdl2_net
tar -xf "$sdl_tar" -C sdl2 --strip-components=1
tar -xf "$net_tar" -C sdl2_net --strip-components=1
# Clear only what an earlier run installed: UDPCHAT_WINDEPS may name a directory with other files.
rm -rf "${PREFIX:?}"/{bin,include,lib,share} "$STAMP"
mkdir -p "$PREFIX"

# SDL's dynamic API jump table references every SDL function; it exists to let a user swap in
# another SDL2.dll, which a static exe has no use for, so turn it off.
dynapi=sdl2/src/dynapi/SDL_dynapi.h
sed -i 's|^/\* everyone else\. This is where we turn on the API if nothing forced it off\. \*/$|#define SDL_DYNAMIC_API 0 /* udpchat: static build */\n&|' "$dynapi"
grep -q '^#define SDL_DYNAMIC_API 0 /\* udpchat' "$dynapi" || die "could not turn off SDL_DYNAMIC_API in $dynapi"

# The UDPCHAT_WINDEPS_BUILDING guard stops the toolchain file from calling this script again.
export UDPCHAT_WINDEPS_BUILDING=1
# udpchat needs threads, mutexes/conds, atomics, ticks and SDL_net for the chat, and for the
# window (`udpchat gui`, udpchatw.exe) events, the windows video driver (with its IME support)
# and the software renderer. No audio, joystick, Direct3D, OpenGL or Vulkan: a window of text
# draws fine in software, and each of those would add DLLs or code nobody uses.
say "SDL2: configure + build (2-3 min on 2 idle cores)"
cmake_build sdl2 sdl2-build -DSDL_SHARED=OFF -DSDL_STATIC=ON -DSDL_STATIC_PIC=OFF -DSDL_TEST=OFF \
    -DSDL2_DISABLE_UNINSTALL=ON -DSDL_CCACHE=OFF -DSDL_LIBC=ON \
    -DSDL_ATOMIC=ON -DSDL_THREADS=ON -DSDL_TIMERS=ON -DSDL_EVENTS=ON -DSDL_CPUINFO=ON -DSDL_FILE=ON \
    -DSDL_LOADSO=ON -DSDL_AUDIO=OFF -DSDL_VIDEO=ON -DSDL_RENDER=ON -DSDL_JOYSTICK=OFF \
    -DSDL_HAPTIC=OFF -DSDL_HIDAPI=OFF -DSDL_SENSOR=OFF -DSDL_POWER=OFF -DSDL_FILESYSTEM=ON \
    -DSDL_LOCALE=OFF -DSDL_MISC=OFF -DSDL_DIRECTX=OFF -DSDL_XINPUT=OFF -DSDL_WASAPI=OFF \
    -DSDL_RENDER_D3D=OFF -DSDL_VULKAN=OFF -DSDL_OPENGL=OFF -DSDL_OPENGLES=OFF
say "SDL2_net: configure + build"
cmake_build sdl2_net sdl2_net-build -DBUILD_SHARED_LIBS=OFF -DCMAKE_POSITION_INDEPENDENT_CODE=OFF \
    -DSDL2NET_SAMPLES=OFF -DSDL2NET_INSTALL=ON

# SQLite (the history): Debian's source is SQLite's canonical tree, from which tclsh makes the
# one-file amalgamation (a native build step, no cross compiler needed); that file is then
# compiled for Windows with FTS5 (the history's search) and no extension loading.
sq=$(fetch_orig sqlite3)
read -r sq_version sq_tar <<< "$sq"
say "SQLite $sq_version: amalgamation + static library (2 min on 2 idle cores)"
mkdir sqlite3 sqlite3-amal
tar -xf "$sq_tar" -C sqlite3 --strip-components=1
(cd sqlite3-amal && ../sqlite3/configure --disable-tcl --disable-readline && make sqlite3.c) > sqlite3-amal.log 2>&1 ||
    { tail -n 40 sqlite3-amal.log >&2; die "making the SQLite amalgamation failed (log: $work/sqlite3-amal.log)"; }
"$HOST-gcc" -O2 -DSQLITE_ENABLE_FTS5 -DSQLITE_THREADSAFE=1 -DSQLITE_OMIT_LOAD_EXTENSION -DSQLITE_DQS=0 \
    -c sqlite3-amal/sqlite3.c -o sqlite3.o > sqlite3-build.log 2>&1 ||
    { tail -n 40 sqlite3-build.log >&2; die "compiling SQLite for $HOST failed"; }
"$HOST-ar" rcs "$PREFIX/lib/libsqlite3.a" sqlite3.o
install -m 0644 sqlite3-amal/sqlite3.h sqlite3-amal/sqlite3ext.h "$PREFIX/include/"

# FreeType (the font rasteriser SDL2_ttf draws with), minimal: TrueType/OpenType/TTC faces are
# all the window loads, so no zlib, bzip2, PNG (colour emoji), Brotli (WOFF2) or HarfBuzz.
ft=$(fetch_orig freetype)
read -r ft_version ft_tar <<< "$ft"
say "FreeType $ft_version: configure + build"
mkdir freetype
tar -xf "$ft_tar" -C freetype --strip-components=1
cmake_build freetype freetype-build -DBUILD_SHARED_LIBS=OFF -DCMAKE_POSITION_INDEPENDENT_CODE=OFF \
    -DFT_DISABLE_ZLIB=ON -DFT_DISABLE_BZIP2=ON -DFT_DISABLE_PNG=ON -DFT_DISABLE_HARFBUZZ=ON \
    -DFT_DISABLE_BROTLI=ON

# SDL2_ttf on that FreeType and the SDL2 above, without HarfBuzz (the window does its own line
# breaking and chooses a face per character).
ttf=$(fetch_orig libsdl2-ttf)
read -r ttf_version ttf_tar <<< "$ttf"
say "SDL2_ttf $ttf_version: configure + build"
mkdir sdl2_ttf
tar -xf "$ttf_tar" -C sdl2_ttf --strip-components=1
cmake_build sdl2_ttf sdl2_ttf-build -DBUILD_SHARED_LIBS=OFF -DCMAKE_POSITION_INDEPENDENT_CODE=OFF \
    -DSDL2TTF_SAMPLES=OFF -DSDL2TTF_VENDORED=OFF -DSDL2TTF_HARFBUZZ=OFF -DSDL2TTF_INSTALL=ON

for lib in SDL2 SDL2_net sqlite3 freetype SDL2_ttf; do
    [[ -f $PREFIX/lib/lib$lib.a ]] || die "install left no lib$lib.a in $PREFIX/lib"
done
printf 'recipe=%s\nhost=%s\nlibsdl2=%s\nlibsdl2-net=%s\nsqlite3=%s\nfreetype=%s\nlibsdl2-ttf=%s\n' "$RECIPE" "$HOST" \
    "$sdl_version" "$net_version" "$sq_version" "$ft_version" "$ttf_version" > "$STAMP"
cd / && rm -rf "$work"
say "done in $((SECONDS - start))s: $PREFIX"
