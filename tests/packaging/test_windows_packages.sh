#!/usr/bin/env bash
# test_windows_packages.sh -- the Windows packages as users get them, checked under Wine: build them
# with `cpack --preset windows`, run the NSIS installer silently in a throwaway WINEPREFIX, run the
# installed udpchat.exe, check that udpchatw.exe (the window) and WenQuanYi Micro Hei with its licence
# are next to it, the Add/Remove Programs entry, the Start-menu shortcuts and the desktop shortcut
# (udpchatw.exe), uninstall silently and check that nothing is left; unpack the portable zip (the
# same files) and run its udpchat.exe.
# Needs mingw-w64, makensis (package nsis) and Wine: without them it fails, naming what is missing.
set -euo pipefail
cd "$(dirname "$0")/../.."

missing=()
command -v x86_64-w64-mingw32-gcc >/dev/null || missing+=(mingw-w64)
command -v makensis >/dev/null || missing+=(nsis)
command -v wine64 >/dev/null || [ -x /usr/lib/wine/wine64 ] || missing+=(wine64)
if [ ${#missing[@]} -gt 0 ]; then
    echo "test_windows_packages: FAIL: missing ${missing[*]} (packaging/install-deps.sh installs them)"
    exit 1
fi

fail() { echo "test_windows_packages: FAIL: $*"; exit 1; }
ok() { echo "test_windows_packages: ok: $*"; }

bdir=build/windows
tmp=$(mktemp -d "${TMPDIR:-/tmp}/udpchat-winpkg.XXXXXX")
# A throwaway prefix; no Mono/Gecko offers; winemenubuilder off, so the installer's shortcuts do
# not turn into .desktop files and icons in this machine's home directory.
export WINEPREFIX=$tmp/prefix
export WINEDEBUG=-all
export WINEDLLOVERRIDES="mscoree,mshtml=;winemenubuilder.exe=d"
wineserver=${WINESERVER:-wineserver}
cleanup() {
    "$wineserver" -k >/dev/null 2>&1 || true
    rm -rf "$tmp"
}
trap cleanup EXIT
wine() { cmake/wine-run.sh "$@"; }   # wine64 (on PATH or Debian's /usr/lib/wine), quiet, headless
wait_wine() { timeout 120 "$wineserver" -w || true; }   # every process in the prefix has ended

# ---- build the packages (an up-to-date windows build first) ----
cmake --preset windows >/dev/null
cmake --build --preset windows
rm -f "$bdir"/udpchat-*-win64.exe "$bdir"/udpchat-*-win64.exe.sha256 "$bdir"/udpchat-*-win64.zip "$bdir"/udpchat-*-win64.zip.sha256
cpack --preset windows

version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$bdir/CMakeCache.txt")
[ -n "$version" ] || fail "no CMAKE_PROJECT_VERSION in $bdir/CMakeCache.txt"
installer=$bdir/udpchat-${version}-win64.exe
zip=$bdir/udpchat-${version}-win64.zip
[ -f "$installer" ] || fail "cpack made no $installer"
[ -f "$zip" ] || fail "cpack made no $zip"
(cd "$bdir" && sha256sum -c "$(basename "$installer").sha256" "$(basename "$zip").sha256") || fail "checksum files"
ls -l "$installer" "$zip"

# ---- install silently, into a folder of our choice ----
c_dir='C:\udpchat-test'
u_dir=$WINEPREFIX/drive_c/udpchat-test
uninst_key='HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall\udpchat'
wine "$installer" /S "/D=$c_dir" || fail "the installer exited with status $?"
wait_wine
files=(bin/udpchat.exe bin/udpchatw.exe bin/wqy-microhei.ttc bin/wqy-microhei-LICENSE.txt README.md README.zh-CN.md
       LICENSE Uninstall.exe)
for f in "${files[@]}"; do
    [ -f "$u_dir/$f" ] || fail "the installer did not install $c_dir\\$f"
done
cmp -s "$u_dir/bin/wqy-microhei.ttc" /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ||
    fail "bin\\wqy-microhei.ttc is not Debian's WenQuanYi Micro Hei"
grep -q 'WenQuanYi' "$u_dir/bin/wqy-microhei-LICENSE.txt" || fail "bin\\wqy-microhei-LICENSE.txt names no WenQuanYi"
ok "installed $c_dir\\{bin\\{udpchat.exe,udpchatw.exe,wqy-microhei.ttc,wqy-microhei-LICENSE.txt},README.md,LICENSE,Uninstall.exe}"

out=$(wine "$c_dir\\bin\\udpchat.exe" --version | tr -d '\r') || fail "the installed udpchat.exe --version failed"
echo "installed udpchat.exe --version: $out"
[ "$out" = "udpchat $version" ] || fail "the installed udpchat.exe --version printed '$out', want 'udpchat $version'"

# ---- the Add/Remove Programs entry ----
reg=$(wine reg query "$uninst_key" | tr -d '\r') || fail "no registry key $uninst_key"
echo "$reg"
value() { awk -v n="$1" '$1 == n { $1 = ""; $2 = ""; sub(/^ +/, ""); print }' <<<"$reg"; }
[ "$(value DisplayName)" = udpchat ] || fail "DisplayName is '$(value DisplayName)'"
[ "$(value DisplayVersion)" = "$version" ] || fail "DisplayVersion is '$(value DisplayVersion)'"
[ "$(value Publisher)" = "udpchat developers" ] || fail "Publisher is '$(value Publisher)'"
[ "$(value UninstallString)" = "\"$c_dir\\Uninstall.exe\"" ] || fail "UninstallString is '$(value UninstallString)'"
[ "$(value DoNotAddToPath)" = 1 ] || fail "a silent install changed PATH (DoNotAddToPath is '$(value DoNotAddToPath)')"
ok "Add/Remove Programs entry: DisplayName, DisplayVersion, Publisher, UninstallString"

# ---- the shortcuts: udpchat (the window, udpchatw.exe) in the Start menu and on the desktop,
# "udpchat (console)": cmd.exe /k "...\udpchat.exe" lan ----
menu=$WINEPREFIX/drive_c/ProgramData/Microsoft/Windows/Start\ Menu/Programs/udpchat
desktop=$WINEPREFIX/drive_c/users/Public/Desktop
[ -f "$menu/udpchat.lnk" ] || fail "no Start-menu shortcut udpchat\\udpchat.lnk"
[ -f "$menu/udpchat (console).lnk" ] || fail "no Start-menu shortcut udpchat\\udpchat (console).lnk"
[ -f "$menu/Uninstall.lnk" ] || fail "no Start-menu shortcut udpchat\\Uninstall.lnk"
[ -f "$desktop/udpchat.lnk" ] || fail "no desktop shortcut udpchat.lnk ($(ls "$desktop" 2>&1))"
lnk_has() { # lnk_has FILE TEXT: the shortcut holds TEXT (UTF-16 or ANSI), case-insensitive
    python3 - "$1" "$2" <<'EOF'
import sys
data = open(sys.argv[1], "rb").read().lower()
t = sys.argv[2].lower()
sys.exit(0 if t.encode("utf-16-le") in data or t.encode("latin-1") in data else 1)
EOF
}
for l in "$menu/udpchat.lnk" "$desktop/udpchat.lnk"; do
    lnk_has "$l" "$c_dir\\bin\\udpchatw.exe" || fail "$(basename "$l") does not start $c_dir\\bin\\udpchatw.exe"
done
ok "Start-menu and desktop shortcuts udpchat.lnk: $c_dir\\bin\\udpchatw.exe"
args="/k \"\"$c_dir\\bin\\udpchat.exe\" lan\""
{ lnk_has "$menu/udpchat (console).lnk" "$args" && lnk_has "$menu/udpchat (console).lnk" cmd.exe; } ||
    fail "the console shortcut does not run cmd.exe $args"
# The same command line as the shortcut, from a batch file (taken verbatim, unlike wine's argv),
# with --help added so that no chat starts: cmd's quoting hands 'lan --help' to udpchat.exe.
printf '@cmd /k ""%s\\bin\\udpchat.exe" lan --help"\r\n' "$c_dir" >"$WINEPREFIX/drive_c/shortcut-test.bat"
out=$(timeout 60 cmake/wine-run.sh cmd /c 'C:\shortcut-test.bat' </dev/null | tr -d '\r') || true
grep -q '^usage: udpchat lan' <<<"$out" || fail "the shortcut's command line does not start 'udpchat lan': $out"
ok "Start-menu shortcut udpchat (console).lnk: cmd.exe $args"

# ---- uninstall silently: the uninstaller copies itself to %TEMP% and returns at once ----
wait_wine # the shortcut's cmd.exe above has ended
# Under Wine the launcher once exited 1 with nothing removed (1 run in ~10, a busy wineserver
# right after the cmd.exe above): wait for Wine and run it again; what counts is what follows,
# every file, key and shortcut gone.
# A launcher that failed after starting its copy has removed Uninstall.exe once Wine is done:
# then there is nothing to run again (a second run would fail on the missing file), and the
# checks below judge what was removed.
if ! wine "$c_dir\\Uninstall.exe" /S; then
    echo "test_windows_packages: the uninstaller exited with status $?: waiting for Wine, once more"
    wait_wine
    if [ -e "$u_dir/Uninstall.exe" ]; then
        wine "$c_dir\\Uninstall.exe" /S || fail "the uninstaller exited with status $? (twice)"
    fi
fi
for _ in $(seq 1 120); do
    [ -e "$u_dir/bin/udpchat.exe" ] || [ -e "$u_dir/Uninstall.exe" ] || break
    sleep 1
done
wait_wine
for f in "${files[@]}"; do
    [ ! -e "$u_dir/$f" ] || fail "$c_dir\\$f is still there after uninstalling"
done
[ ! -e "$desktop/udpchat.lnk" ] || fail "the desktop shortcut is still there after uninstalling"
[ ! -e "$u_dir" ] || fail "$c_dir is still there after uninstalling"
if wine reg query "$uninst_key" >/dev/null 2>&1; then fail "$uninst_key is still there after uninstalling"; fi
if wine reg query 'HKLM\Software\udpchat developers' >/dev/null 2>&1; then fail "HKLM\\Software\\udpchat developers is still there"; fi
[ ! -e "$menu" ] || fail "the Start-menu folder udpchat is still there after uninstalling"
ok "uninstalled: files, registry keys, Start-menu folder and desktop shortcut are gone"

# ---- the portable zip ----
python3 -m zipfile -e "$zip" "$tmp/zip"
root=$tmp/zip/udpchat-${version}-win64
for f in udpchat.exe udpchatw.exe wqy-microhei.ttc wqy-microhei-LICENSE.txt README.md LICENSE; do
    [ -f "$root/$f" ] || fail "the zip has no udpchat-${version}-win64/$f"
done
cmp -s "$root/wqy-microhei.ttc" /usr/share/fonts/truetype/wqy/wqy-microhei.ttc || fail "the zip's wqy-microhei.ttc"
headers=$(x86_64-w64-mingw32-objdump -p "$root/udpchatw.exe")
grep -Eq 'Subsystem[[:space:]]+0*2[[:space:]]+\(Windows GUI\)' <<<"$headers" ||
    fail "the zip's udpchatw.exe is not a GUI-subsystem program"
out=$(wine "$root/udpchat.exe" --version | tr -d '\r') || fail "the zip's udpchat.exe --version failed"
echo "zip udpchat.exe --version: $out"
[ "$out" = "udpchat $version" ] || fail "the zip's udpchat.exe --version printed '$out'"
ok "the zip unpacks, its udpchat.exe runs, udpchatw.exe (GUI subsystem) and the font with its licence are there"

echo "test_windows_packages: all passed ($(basename "$installer"), $(basename "$zip"))"
