#!/usr/bin/env python3
"""Benchmark for `pgsieve lint`: generates the inputs of issue 2's performance targets and times
whole pgsieve processes on them, quoting the median of several runs.

Inputs (written once into --workdir, deterministic for a given --seed):
  big.sql       20,000 statements (about 1.7 MB): CREATE TABLE, ADD COLUMN, CREATE INDEX,
                ADD CONSTRAINT, UPDATE and ALTER COLUMN TYPE, on tables created earlier in the
                file and on tables the file did not create
  many/         2,000 files of 10 statements each
  huge.sql      about 50 MB of the same statements (only with --huge): memory must stay
                bounded because the parser works on chunks of at most 2 MB

For each case and format the script runs pgsieve --runs times after one warm-up (bench/timing.py:
wall time around the child process, peak resident set from its rusage) and prints the median,
minimum and maximum. Output goes to /dev/null: it is still produced and written, so the
reporters are part of what is timed.

usage: bench/bench.py [--pgsieve build/pgsieve] [--runs 7] [--workdir DIR] [--huge]
                      [--format json,text] [--corpus PATH ...] [--lint-args '--select RULE']
                      [--generate-only] [--vs-squawk [--squawk-cache DIR]]

With --vs-squawk the script installs squawk-cli@2.66.0 from npm into --squawk-cache (once; by
default bench/out/squawk, which git ignores) and times pgsieve and squawk alternately on the same
inputs (big.sql and many/; every rule of each tool on, the JSON reporter of each, then their
text reporters), printing each tool's median, their ratio and each one's peak memory. Only a
ratio measured in one run says something on a shared machine; the absolute times move with the
load.

The targets (issue 2, on a 2-core machine, all rules on): big.sql under 0.4 s, many/ under
0.5 s, peak memory under 200 MB. The script reports; it does not judge, and it is not part of
`meson test` (timings on shared CI machines are too noisy to fail a build on).
"""
import argparse
import os
import random
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from timing import alternate, bench, common_arguments, load_average, machine  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# ---- the generator ----

# column types, each with a default that suits it (volatile ones make add-column-rewrite fire)
TYPES_NEW = {"bigint": ["0", "nextval('seq')"], "text": ["''", "'pending'"], "integer": ["1"],
             "timestamptz": ["now()", "clock_timestamp()"], "boolean": ["false"],
             "numeric(12,2)": ["0.0"], "jsonb": ["'{}'"], "varchar(64)": ["'new'"],
             "uuid": ["gen_random_uuid()"], "date": ["current_date"]}
TYPES_ALTER = ["bigint", "text", "varchar(255)", "numeric(14,4)", "timestamptz", "integer"]


class Generator:
    """Statements of the mix the design measured. About one table in four is created in the
    generated migration itself, the rest exist already, so rules see both the new-table case
    (nothing to report) and the live-table case (a finding)."""

    def __init__(self, seed):
        self.rnd = random.Random(seed)
        self.new_tables = []  # created by this file, with their columns
        self.serial = 0

    def _next(self):
        self.serial += 1
        return self.serial

    def _table(self):
        r = self.rnd
        if self.new_tables and r.random() < 0.25:
            return r.choice(self.new_tables)
        schema = "public." if r.random() < 0.3 else ""
        return "%scustomer_orders_%d" % (schema, r.randrange(400))

    def create_table(self):
        r = self.rnd
        n = self._next()
        name = "items_%d" % n
        cols = ["id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY"]
        for k in range(r.randrange(2, 6)):
            ty = r.choice(sorted(TYPES_NEW))
            col = "c%d %s" % (k, ty)
            if r.random() < 0.3:
                col += " NOT NULL"
            if r.random() < 0.2:
                col += " DEFAULT " + TYPES_NEW[ty][0]
            cols.append(col)
        if r.random() < 0.3:
            cols.append("account_id bigint REFERENCES accounts (id)")
        self.new_tables.append(name)
        if len(self.new_tables) > 50:
            self.new_tables.pop(0)
        return "CREATE TABLE %s (\n\t%s\n);" % (name, ",\n\t".join(cols))

    def add_column(self):
        r = self.rnd
        ty = r.choice(sorted(TYPES_NEW))
        col = "col_%d %s" % (self._next(), ty)
        p = r.random()
        if p < 0.3:
            col += " DEFAULT " + r.choice(TYPES_NEW[ty])
        elif p < 0.4:
            col += " NOT NULL"
        return "ALTER TABLE %s ADD COLUMN %s;" % (self._table(), col)

    def create_index(self):
        r = self.rnd
        t = self._table()
        unique = "UNIQUE " if r.random() < 0.2 else ""
        conc = "CONCURRENTLY " if r.random() < 0.4 else ""
        cols = ", ".join("c%d" % k for k in r.sample(range(5), r.randrange(1, 3)))
        where = " WHERE deleted_at IS NULL" if r.random() < 0.2 else ""
        return "CREATE %sINDEX %sidx_%d ON %s (%s)%s;" % (unique, conc, self._next(), t, cols, where)

    def add_constraint(self):
        r = self.rnd
        t = self._table()
        n = self._next()
        p = r.random()
        not_valid = " NOT VALID" if r.random() < 0.4 else ""
        if p < 0.4:
            body = "FOREIGN KEY (account_id) REFERENCES accounts (id)" + not_valid
        elif p < 0.8:
            body = "CHECK (c%d > 0)%s" % (r.randrange(5), not_valid)
        else:
            body = "UNIQUE (c%d)" % r.randrange(5)
        return "ALTER TABLE %s ADD CONSTRAINT con_%d %s;" % (t, n, body)

    def update(self):
        r = self.rnd
        lo = r.randrange(1000000)
        where = " WHERE id BETWEEN %d AND %d" % (lo, lo + 1000) if r.random() < 0.7 else ""
        return "UPDATE %s SET c%d = c%d + 1%s;" % (self._table(), r.randrange(5), r.randrange(5), where)

    def alter_type(self):
        r = self.rnd
        t = self._table()
        k = r.randrange(5)
        ty = r.choice(TYPES_ALTER)
        using = " USING c%d::%s" % (k, ty) if r.random() < 0.2 else ""
        return "ALTER TABLE %s ALTER COLUMN c%d TYPE %s%s;" % (t, k, ty, using)

    def statement(self):
        r = self.rnd
        kinds = [(self.create_table, 3), (self.add_column, 4), (self.create_index, 4),
                 (self.add_constraint, 3), (self.update, 3), (self.alter_type, 3)]
        total = sum(w for _, w in kinds)
        x = r.randrange(total)
        for fn, w in kinds:
            if x < w:
                s = fn()
                break
            x -= w
        if r.random() < 0.05:
            s = "-- step %d\n%s" % (self.serial, s)
        return s


def write_file(path, gen, nstmts, header=""):
    with open(path, "w", encoding="utf-8") as f:
        f.write(header)
        for _ in range(nstmts):
            f.write(gen.statement())
            f.write("\n")


def generate(workdir, seed, huge):
    """Writes the inputs that are missing. Each lives in a directory of its own: pgsieve reads
    the other migrations of a directory for context when it is given one file of it."""
    big = os.path.join(workdir, "big", "big.sql")
    if not os.path.exists(big):
        os.makedirs(os.path.dirname(big), exist_ok=True)
        write_file(big, Generator(seed), 20000)
    many = os.path.join(workdir, "many")
    if not os.path.isdir(many):
        os.makedirs(many + ".tmp", exist_ok=True)
        gen = Generator(seed + 1)
        for i in range(2000):
            gen.new_tables.clear()
            write_file(os.path.join(many + ".tmp", "%04d_migration.sql" % (i + 1)), gen, 10)
        os.rename(many + ".tmp", many)
    path = os.path.join(workdir, "huge", "huge.sql")
    if huge and not os.path.exists(path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        gen = Generator(seed + 2)
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            size = 0
            while size < 50 * 1000 * 1000:
                s = gen.statement() + "\n"
                f.write(s)
                size += len(s)
        os.rename(path + ".tmp", path)


def tree_size(path):
    if os.path.isfile(path):
        return os.path.getsize(path), 1
    total = files = 0
    for d, _, names in os.walk(path):
        for n in names:
            if n.endswith(".sql"):
                total += os.path.getsize(os.path.join(d, n))
                files += 1
    return total, files


# ---- side by side with squawk ----

SQUAWK_VERSION = "2.66.0"
# squawk 2.66 runs every rule it has but the opt-in ones, which `--include` turns on. The opt-in
# list is Rule::is_opt_in in squawk's crates/squawk_linter/src/lib.rs; in 2.66 it is this one
# rule (its require-timeout-settings is an alias of require-lock-timeout and
# require-statement-timeout, both on by default).
SQUAWK_OPT_IN = ["require-table-schema"]
# pgsieve's reporter and squawk's for each --format. For text, squawk's "gcc" reporter (a line
# per finding): its default "tty" reporter, which quotes the source around every finding, had
# used 31 s of CPU on big.sql after 10 minutes and was stopped (docs/performance.md).
SQUAWK_REPORTER = {"json": "json", "text": "gcc"}


def install_squawk(cache):
    """The path of squawk's native binary in cache, installed there with npm when missing. The
    binary is run directly: the npm package's `squawk` is a node script that starts it, and
    timing node's start-up would not be timing squawk."""
    def find():
        base = os.path.join(cache, "node_modules", "@squawk-cli")
        for d in sorted(os.listdir(base)) if os.path.isdir(base) else []:
            exe = os.path.join(base, d, "bin", "squawk")
            if os.access(exe, os.X_OK):
                return exe
        return None
    exe = find()
    if not exe:
        os.makedirs(cache, exist_ok=True)
        print("installing squawk-cli@%s into %s" % (SQUAWK_VERSION, cache), flush=True)
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--no-save", "--prefix", cache,
                        "squawk-cli@" + SQUAWK_VERSION], check=True, stdout=subprocess.DEVNULL)
        exe = find()
        if not exe:
            sys.exit("squawk-cli@%s installed no binary for this platform under %s" % (SQUAWK_VERSION, cache))
    out = subprocess.run([exe, "--version"], capture_output=True, text=True)
    if out.stdout.split()[-1:] != [SQUAWK_VERSION]:
        sys.exit("%s is %r, not squawk %s: remove %s to reinstall" % (exe, out.stdout.strip(), SQUAWK_VERSION, cache))
    return exe


def source_commit():
    """", bench.py's checkout at commit X" (with "+changes" when its tracked files differ from
    the commit; say which build was timed when --pgsieve is another checkout's), or "" outside
    a git checkout."""
    try:
        head = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""
    return ", bench.py's checkout at commit %s%s" % (head, "+changes" if dirty else "")


def vs_squawk(args, cases):
    """pgsieve and squawk alternately on each case and format; prints each one's median, the
    ratio of the medians (pgsieve / squawk: below 1 is pgsieve faster) and the peak memory."""
    squawk = install_squawk(args.squawk_cache)
    print("machine: " + machine())
    print("load average at the start: " + load_average())
    out = subprocess.run([args.pgsieve, "--version"], capture_output=True, text=True)
    print("pgsieve: %s (%s)%s" % (out.stdout.strip(), args.pgsieve, source_commit()))
    print("squawk: %s (%s)" % (SQUAWK_VERSION, squawk))
    print("runs: %d rounds after one warm-up each, the two tools alternately (order turned around "
          "every round); median wall seconds of the whole process, median CPU seconds, median "
          "peak RSS; ratio = pgsieve's median / squawk's, cpu rt the same for CPU time\n" % args.runs)
    print("%-8s %-6s %9s %9s %7s %8s %8s %7s %9s %9s %s" %
          ("input", "format", "pgsieve", "squawk", "ratio", "pg cpu", "sq cpu", "cpu rt", "pg MiB",
           "sq MiB", "load"))
    for label, path in cases:
        for fmt in args.format.split(","):
            pg = [args.pgsieve, "lint", "--no-config", "--format", fmt] + args.lint_args.split() + [path]
            # squawk is given the files of a directory as a pattern it expands itself
            target = os.path.join(path, "*.sql") if os.path.isdir(path) else path
            sq = [squawk, "--reporter", SQUAWK_REPORTER.get(fmt, fmt),
                  "--include=" + ",".join(SQUAWK_OPT_IN), target]
            (pw, pr, pc), (sw, sr, sc) = alternate([pg, sq], args.runs)
            mp, ms = statistics.median(pw), statistics.median(sw)
            cp, cs = statistics.median(pc), statistics.median(sc)
            print("%-8s %-6s %9.3f %9.3f %7.2f %8.3f %8.3f %7.2f %9.1f %9.1f %s" %
                  (label, fmt, mp, ms, mp / ms, cp, cs, cp / cs if cs else float("nan"),
                   statistics.median(pr) / 2**20, statistics.median(sr) / 2**20, load_average()),
                  flush=True)
    print("\nload average at the end: " + load_average())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    common_arguments(ap, ROOT, runs=7)
    ap.add_argument("--seed", type=int, default=15)
    ap.add_argument("--huge", action="store_true", help="also time a 50 MB file")
    ap.add_argument("--format", default="json,text", help="comma-separated report formats")
    ap.add_argument("--corpus", action="append", default=[], help="also time this file or directory")
    ap.add_argument("--lint-args", default="",
                    help="more options for pgsieve lint, e.g. '--select syntax-error'")
    ap.add_argument("--generate-only", action="store_true")
    ap.add_argument("--vs-squawk", action="store_true",
                    help="time squawk %s beside pgsieve on big.sql and many/" % SQUAWK_VERSION)
    ap.add_argument("--squawk-cache", default=os.path.join(HERE, "out", "squawk"),
                    help="where npm installs squawk (default: bench/out/squawk)")
    args = ap.parse_args()

    big = os.path.join(args.workdir, "big", "big.sql")
    huge = os.path.join(args.workdir, "huge", "huge.sql")
    generate(args.workdir, args.seed, args.huge)
    if args.generate_only:
        return

    cases = [("big.sql", big), ("many/", os.path.join(args.workdir, "many"))]
    if args.vs_squawk:
        vs_squawk(args, cases)
        return
    if args.huge:
        cases.append(("huge.sql", huge))
    cases += [(os.path.basename(c.rstrip("/")) or c, c) for c in args.corpus]

    print("machine: " + machine())
    out = subprocess.run([args.pgsieve, "--version"], capture_output=True, text=True)
    print("pgsieve: %s (%s)" % (out.stdout.strip(), args.pgsieve))
    print("runs: %d after one warm-up; median, min and max wall seconds of the whole process, "
          "median CPU seconds (user + system) and median peak RSS\n" % args.runs)
    print("%-28s %-6s %6s %6s %8s %8s %8s %8s %9s" %
          ("input", "format", "MB", "files", "median", "min", "max", "cpu", "peak MiB"))
    for label, path in cases:
        size, nfiles = tree_size(path)
        for fmt in args.format.split(","):
            cmd = [args.pgsieve, "lint", "--no-config", "--format", fmt] + args.lint_args.split() + [path]
            walls, rsss, cpus, _ = bench(cmd, args.runs)
            print("%-28s %-6s %6.2f %6d %8.3f %8.3f %8.3f %8.3f %9.1f" %
                  (label[-28:], fmt, size / 1e6, nfiles, statistics.median(walls), min(walls),
                   max(walls), statistics.median(cpus), statistics.median(rsss) / 2**20),
                  flush=True)


if __name__ == "__main__":
    main()
