#!/usr/bin/env bash
# The pgsieve-build pre-commit hook: pre-commit runs this from its checkout of the pgsieve
# repository with the changed files as arguments. Builds pgsieve there once, then lints.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
if [ ! -x "$here/build-hook/pgsieve" ]; then
	meson setup "$here/build-hook" "$here" --buildtype=release >/dev/null
	ninja -C "$here/build-hook" pgsieve >/dev/null
fi
exec "$here/build-hook/pgsieve" lint "$@"
