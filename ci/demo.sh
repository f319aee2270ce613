#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine, builds pgsieve and lints the bundled example migrations.
# usage: bash ci/demo.sh [PATH...]   (default: examples/migrations)
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/deps.sh
if [ ! -f build/build.ninja ]; then
	meson setup build >/dev/null
fi
ninja -C build >/dev/null
status=0
./build/pgsieve lint "${@:-examples/migrations}" || status=$?
# exit 1 means "findings": the examples are meant to have some
[ "$status" -le 1 ] || exit "$status"
