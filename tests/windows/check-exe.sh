#!/usr/bin/env bash
# check-exe.sh -- the Windows build is what users can run: version, console subsystem, no stray DLLs
set -euo pipefail
exe=${1:-build/windows/udpchat.exe}
here=$(cd "$(dirname "$0")/../.." && pwd)
version=$(sed -n 's/^project(udpchat VERSION \([0-9.]*\).*/\1/p' "$here/CMakeLists.txt")
out=$("$here/cmake/wine-run.sh" "$exe" --version | tr -d '\r')
[ "$out" = "udpchat $version" ] || { echo "check-exe: --version printed '$out', not 'udpchat $version'"; exit 1; }
headers=$(x86_64-w64-mingw32-objdump -p "$exe")
dlls=$(printf '%s\n' "$headers" | sed -n 's/.*DLL Name: //p' | tr 'a-z' 'A-Z' | sort -u)
allowed='^(KERNEL32|MSVCRT|WS2_32|IPHLPAPI|ADVAPI32|USER32|OLE32|WINMM|SHELL32|GDI32|IMM32|OLEAUT32|SETUPAPI|VERSION)\.DLL$'
stray=$(printf '%s\n' "$dlls" | grep -Ev "$allowed" || true)
[ -z "$stray" ] || { echo "check-exe: imports DLLs a user would have to hunt for: $stray"; exit 1; }
grep -Eq 'Subsystem[[:space:]]+[0-9a-f]+[[:space:]]+\(Windows CUI\)' <<<"$headers" || { echo "check-exe: not a console program"; exit 1; }
echo "check-exe: $exe: $out, imports only system DLLs: $(echo $dlls)"
