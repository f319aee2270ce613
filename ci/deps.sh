#!/usr/bin/env bash
# Installs the Debian 12 packages pgsieve's build, tests, fuzzing and later integrations need.
# Runs apt-get (update once, then install) only for packages that are missing, so it returns at
# once on a machine that has them. Needs root, or sudo.
# Also puts libpg_query's release tarball into meson's package cache when it lies beside the
# clone (../shared/vendor, for machines that cannot reach GitHub; elsewhere meson downloads it
# from the URL in subprojects/libpg_query.wrap).
# usage: bash ci/deps.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

tarball=$(sed -n 's/^source_filename = //p' "$root/subprojects/libpg_query.wrap")
if [ -f "$root/../shared/vendor/$tarball" ] && [ ! -f "$root/subprojects/packagecache/$tarball" ]; then
	mkdir -p "$root/subprojects/packagecache"
	cp "$root/../shared/vendor/$tarball" "$root/subprojects/packagecache/$tarball"
fi

packages=(
	# the build (libpg_query 17 is built from its release tarball: Debian 12's is 15)
	meson ninja-build pkg-config gcc
	libprotobuf-c-dev libjansson-dev libyaml-dev libpq-dev
	# the tests: SARIF and Code Quality schemas, YAML configs, git for --since/--staged
	python3 python3-jsonschema python3-yaml git
	# the man page test renders with groff
	groff-base man-db
	# fuzzing (libFuzzer ships in clang's runtime library package)
	clang libclang-rt-14-dev
	# a throwaway PostgreSQL for database tests, Alembic projects, pre-commit hooks
	postgresql-15 postgresql-common python3-alembic python3-sqlalchemy pre-commit
	# `alembic upgrade` against the test server (tests/schema/status.py)
	python3-psycopg2
	# the release test runs the portable binary in a minimal Debian root (tests/release.py)
	debootstrap
	# pgsieve through a pooler in transaction mode (tests/schema/pooler.py)
	pgbouncer
	# a migration runner run for real against the test server (tests/runners_live.py)
	sql-migrate
)

# the npm packages' test (tests/release.py): Debian's npm unless a node with npm is there already
# (NodeSource's nodejs holds npm and conflicts with Debian's)
command -v npm >/dev/null || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -gt 0 ] || exit 0

echo "ci/deps.sh: installing ${missing[*]}" >&2
sudo=()
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || { echo "ci/deps.sh: need root or sudo to install ${missing[*]}" >&2; exit 1; }
	sudo=(sudo)
fi
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	"${missing[@]}"
