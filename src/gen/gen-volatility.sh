#!/usr/bin/env bash
# Regenerates src/effects/volatility.inc, the volatility of every PostgreSQL built-in function,
# from pg_catalog.pg_proc of a real server. It starts a throwaway cluster, installs the
# extensions whose functions often appear in column defaults (uuid-ossp, pgcrypto) when their
# files are there, queries the catalog, writes the file and removes the cluster again. It never
# talks to a server it did not start.
#
# usage: bash src/gen/gen-volatility.sh [OUTPUT]     (default: src/effects/volatility.inc)
# env:   PG_MAJOR=15   the server version to ask (default: the newest under /usr/lib/postgresql)
#
# Needs a PostgreSQL server package (postgresql-15 on Debian 12). As root it uses pg_virtualenv
# (postgresql-common), which runs the cluster as the postgres user; as any other user it can
# also use initdb + pg_ctl in a temporary directory with a unix socket.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$(cd "$here/../.." && pwd)/src/effects/volatility.inc}
case $out in /*) ;; *) out=$PWD/$out ;; esac

if [ -z "${PG_MAJOR:-}" ]; then
	PG_MAJOR=$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -n 1)
fi
bindir=/usr/lib/postgresql/$PG_MAJOR/bin
if [ ! -x "$bindir/postgres" ]; then
	echo "gen-volatility: no PostgreSQL server in $bindir (apt-get install postgresql-$PG_MAJOR)" >&2
	exit 2
fi

# The part that runs against the throwaway server (PGHOST and friends point at it).
query() {
	local psql="$bindir/psql -X -q -A -t -v ON_ERROR_STOP=1 -d postgres"
	# Extensions are optional: their functions are known only when their files are installed.
	for ext in uuid-ossp pgcrypto; do
		if [ "$($psql -c "SELECT count(*) FROM pg_available_extensions WHERE name = '$ext'")" = 1 ]; then
			$psql -c "CREATE EXTENSION IF NOT EXISTS \"$ext\"" >/dev/null
		fi
	done
	local version exts
	version=$($psql -c "SHOW server_version")
	exts=$($psql -c "SELECT coalesce(string_agg(extname || ' ' || extversion, ', ' ORDER BY extname), 'none')
			  FROM pg_extension WHERE extname <> 'plpgsql'")
	{
		cat <<EOF
/* GENERATED FILE, do not edit: the volatility of PostgreSQL's built-in functions.
 *
 * Regenerate with:  bash src/gen/gen-volatility.sh   (starts a throwaway PostgreSQL cluster)
 *
 * Source: pg_catalog.pg_proc of PostgreSQL $version,
 * plus the functions of the extensions installed in that cluster: $exts.
 * One line per function name, sorted by strcmp() order for a binary search. A name with several
 * overloads gets its most volatile one: i = IMMUTABLE, s = STABLE, v = VOLATILE. The last field
 * is the extension that provides the function, "" for the core server. Procedures are left out:
 * they cannot be called inside an expression. */
EOF
		$psql <<'SQL'
WITH f AS (
	SELECT p.proname,
	       CASE p.provolatile WHEN 'v' THEN 3 WHEN 's' THEN 2 ELSE 1 END AS rank,
	       e.extname
	FROM pg_proc p
	JOIN pg_namespace n ON n.oid = p.pronamespace
	LEFT JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
	                     AND d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
	LEFT JOIN pg_extension e ON e.oid = d.refobjid
	WHERE p.prokind <> 'p' AND (n.nspname = 'pg_catalog' OR e.extname IS NOT NULL)
)
SELECT format('VOLATILITY("%s", ''%s'', "%s")',
	      replace(replace(proname, '\', '\\'), '"', '\"'),
	      (ARRAY['i', 's', 'v'])[max(rank)],
	      CASE WHEN bool_or(extname IS NULL) THEN ''
		   ELSE string_agg(DISTINCT extname, ',') END)
FROM f
GROUP BY proname
ORDER BY proname COLLATE "C";
SQL
	} >"$out.tmp"
	mv "$out.tmp" "$out"
	# src/effects/volatility.c treats casts and operators as never volatile: say so if a
	# server ever ships one that is
	local odd
	odd=$($psql -c "SELECT count(*) FROM pg_proc p WHERE p.provolatile = 'v' AND (
			  p.oid IN (SELECT castfunc FROM pg_cast) OR p.oid IN (SELECT oprcode::oid FROM pg_operator))")
	if [ "$odd" != 0 ]; then
		echo "gen-volatility: warning: $odd built-in casts or operators are volatile; volatility.c assumes none" >&2
	fi
	echo "gen-volatility: wrote $(grep -c '^VOLATILITY(' "$out") functions of PostgreSQL $version to $out" >&2
}

if [ -n "${PGSIEVE_GEN_VOLATILITY_INNER:-}" ]; then
	query
	exit 0
fi

if command -v pg_virtualenv >/dev/null 2>&1; then
	# pg_virtualenv creates the cluster, exports PGHOST/PGPORT/PGUSER/PGPASSWORD, runs the
	# command and drops the cluster, also when the command fails.
	PGSIEVE_GEN_VOLATILITY_INNER=1 exec pg_virtualenv -v "$PG_MAJOR" bash "$here/gen-volatility.sh" "$out"
fi

if [ "$(id -u)" = 0 ]; then
	echo "gen-volatility: initdb refuses to run as root; install postgresql-common (pg_virtualenv) or run as another user" >&2
	exit 2
fi
tmp=$(mktemp -d)
cleanup() {
	"$bindir/pg_ctl" -D "$tmp/data" -m immediate stop >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT
"$bindir/initdb" -D "$tmp/data" -A trust -U postgres --no-sync >/dev/null
"$bindir/pg_ctl" -D "$tmp/data" -w -l "$tmp/log" \
	-o "-c listen_addresses= -k $tmp -c fsync=off" start >/dev/null
PGHOST=$tmp PGUSER=postgres PGPORT=5432 query
