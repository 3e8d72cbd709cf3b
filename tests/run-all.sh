#!/usr/bin/env bash
# run-all.sh -- the whole test suite: warnings-as-errors build, ASan+UBSan, TSan, fuzzers, Windows
set -uo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
export CMAKE_BUILD_PARALLEL_LEVEL=$jobs
failed=()
passed=0
step() {
  local name=$1; shift
  echo "=== $name: $*"
  local t0=$SECONDS
  if "$@"; then echo "=== $name: ok ($((SECONDS - t0)) s)"; passed=$((passed + 1)); else echo "=== $name: FAILED"; failed+=("$name"); fi
}
step ci cmake --workflow --preset ci
step asan cmake --workflow --preset asan
step tsan cmake --workflow --preset tsan
# Every step runs: a missing tool is a failure here, not a skip (packaging/install-deps.sh
# installs them all).
step fuzz bash -c 'cmake --preset fuzz && cmake --build --preset fuzz && ctest --test-dir build/fuzz --output-on-failure'
step windows bash -c 'cmake --workflow --preset windows && tests/windows/check-exe.sh build/windows/udpchat.exe'
step mixed-os ctest --test-dir build/ci -L mixed --output-on-failure
# The packages users download (cpack): each is built, installed, run and removed (tests/packaging/).
if [ "$(id -u)" -eq 0 ]; then
  step packages-linux bash tests/packaging/test_linux_packages.sh
else
  echo "=== packages-linux: skipped (installing the .deb needs root, for apt-get)"
fi
step packages-windows bash tests/packaging/test_windows_packages.sh
[ ${#failed[@]} -eq 0 ] || echo "run-all: failed steps: ${failed[*]}"
echo "run-all: $passed passed, ${#failed[@]} failed"
[ ${#failed[@]} -eq 0 ]
