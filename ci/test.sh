#!/usr/bin/env bash
# Installs the dependencies, builds pgsieve and runs every test with meson test. The README's
# test command and .ci/run both call this.
# usage: bash ci/test.sh [BUILD_DIR [MESON_OPTION...]]
#   BUILD_DIR     default: build
#   MESON_OPTION  given to meson setup (or meson configure for an existing directory), e.g.
#                 bash ci/test.sh build-asan -Db_sanitize=address,undefined -Db_lundef=false
# Environment: TEST_JOBS (default: the number of CPUs), TIMEOUT_MULTIPLIER (default 1; 3 for a
# sanitizer build), MESON_TEST_ARGS (more arguments for meson test, e.g. --suite unit).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

bash ci/deps.sh

build=${1:-build}
shift || true
if [ ! -f "$build/build.ninja" ]; then
	meson setup "$build" "$@"
elif [ $# -gt 0 ]; then
	meson configure "$build" "$@"
fi
ninja -C "$build"

multiplier=${TIMEOUT_MULTIPLIER:-1}
if [ "$(meson introspect --buildoptions "$build" |
	python3 -c 'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"] == "b_sanitize"))')" != none ]; then
	multiplier=${TIMEOUT_MULTIPLIER:-3}
fi

# Sanitizer reports fail the test that triggered them (meson's defaults, spelled out), and
# LeakSanitizer ignores only libpg_query's own leaks (ci/lsan.supp).
export ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_summary=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_summary=1:print_stacktrace=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$root/ci/lsan.supp:print_suppressions=0}

# meson test ends with its summary (Ok:, Fail:, ...) and exits nonzero when a test failed.
# shellcheck disable=SC2086
meson test -C "$build" --print-errorlogs --num-processes "${TEST_JOBS:-$(nproc)}" \
	--timeout-multiplier "$multiplier" ${MESON_TEST_ARGS:-}
