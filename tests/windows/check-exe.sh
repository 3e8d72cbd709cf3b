#!/usr/bin/env bash
# check-exe.sh -- the Windows build is what users can run: version, subsystems (console udpchat.exe, GUI udpchatw.exe), no stray DLLs
set -euo pipefail
exe=${1:-build/windows/udpchat.exe}
here=$(cd "$(dirname "$0")/../.." && pwd)
version=$(sed -n 's/^project(udpchat VERSION \([0-9.]*\).*/\1/p' "$here/CMakeLists.txt")
out=$("$here/cmake/wine-run.sh" "$exe" --version | tr -d '\r')
[ "$out" = "udpchat $version" ] || { echo "check-exe: --version printed '$out', not 'udpchat $version'"; exit 1; }
allowed='^(KERNEL32|MSVCRT|WS2_32|IPHLPAPI|ADVAPI32|USER32|OLE32|WINMM|SHELL32|GDI32|IMM32|OLEAUT32|SETUPAPI|VERSION)\.DLL$'

# check_pe FILE SUBSYSTEM-NUMBER NAME: prints the DLLs it imports; fails on a stray DLL or
# another subsystem (2: Windows GUI, no console; 3: Windows CUI, a console program)
check_pe() {
    local headers dlls stray
    headers=$(x86_64-w64-mingw32-objdump -p "$1")
    dlls=$(printf '%s\n' "$headers" | sed -n 's/.*DLL Name: //p' | tr 'a-z' 'A-Z' | sort -u)
    stray=$(printf '%s\n' "$dlls" | grep -Ev "$allowed" || true)
    [ -z "$stray" ] || { echo "check-exe: $1 imports DLLs a user would have to hunt for: $stray" >&2; exit 1; }
    grep -Eq "Subsystem[[:space:]]+0*$2[[:space:]]+\\($3\\)" <<<"$headers" ||
        { echo "check-exe: $1 is not a $3 program (subsystem $2)" >&2; exit 1; }
    echo $dlls
}
dlls=$(check_pe "$exe" 3 "Windows CUI")
echo "check-exe: $exe: $out, console subsystem, imports only system DLLs: $dlls"

# udpchatw.exe (the window, no console) is built next to it when the build has the window
exew=$(dirname "$exe")/udpchatw.exe
if grep -qs '^UDPCHAT_GUI:BOOL=ON' "$(dirname "$exe")/CMakeCache.txt" || [ -f "$exew" ]; then
    [ -f "$exew" ] || { echo "check-exe: no $exew (the build has UDPCHAT_GUI on)"; exit 1; }
    dlls=$(check_pe "$exew" 2 "Windows GUI")
    echo "check-exe: $exew: GUI subsystem (no console), imports only system DLLs: $dlls"
fi
