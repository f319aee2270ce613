#!/usr/bin/env python3
"""Hostile input and output (issue 20): what a pull request from a stranger, or an unlucky
disk, can put in front of pgsieve. Every run has a deadline of its own here (a hang fails the
case, it does not stall the suite), and every case failed before the change it tests.

usage: hostile.py PATH/TO/pgsieve [--sanitized] [CASE...]
"""
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time

PGSIEVE = None
SANITIZED = False  # a sanitizer build: several times slower
passed = failed = 0
DEADLINE = 30


def check(ok, what, detail=''):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print('FAIL %s%s' % (what, ('\n    ' + str(detail).replace('\n', '\n    ')) if detail else ''))
    return ok


class Run:
    def __init__(self, status, out, err, seconds):
        self.status, self.out, self.err, self.seconds = status, out, err, seconds

    def __str__(self):
        return 'exit %s in %.1f s; stderr: %s; stdout: %r' % (self.status, self.seconds, self.err[:400],
                                                                self.out[:400])

    @property
    def json(self):
        try:
            return json.loads(self.out)
        except ValueError:
            return None


def run(args, cwd=None, timeout=DEADLINE, env=None, stdout=None, raw=False):
    """pgsieve ARGS with a deadline: a run that does not end in time is killed and reported."""
    start = time.monotonic()
    try:
        p = subprocess.run([PGSIEVE] + args, cwd=cwd, capture_output=stdout is None, stdout=stdout,
                           stderr=subprocess.PIPE if stdout is not None else None,
                           stdin=subprocess.DEVNULL, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return Run('hung (killed after %d s)' % timeout, '', '', timeout)
    dec = (lambda b: b) if raw else (lambda b: (b or b'').decode('utf-8', 'replace'))
    return Run(p.returncode, dec(p.stdout), (p.stderr or b'').decode('utf-8', 'replace'), time.monotonic() - start)


def fresh(tmp, name):
    d = os.path.join(tmp, name)
    os.makedirs(d)
    return d


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(data if isinstance(data, bytes) else data.encode())
    return path


# ---- files that are not files, links that leave the tree ----

def case_fifo(tmp):
    d = fresh(tmp, 'fifo')
    write(os.path.join(d, '001_ok.sql'), 'CREATE TABLE t (id int);\n')
    os.mkfifo(os.path.join(d, '002_pipe.sql'))
    r = run(['lint', '--no-config', '--format', 'json', d])
    check(r.status == 0, 'a FIFO in a linted directory: skipped, the rest linted (exit 0)', r)
    check("skipping" in r.err and '002_pipe.sql' in r.err and 'FIFO' in r.err,
          'a FIFO in a linted directory: a warning names it', r)
    r = run(['lint', '--no-config', '--format', 'json', os.path.join(d, '002_pipe.sql')])
    check(isinstance(r.status, int) and r.status != 1 and 'FIFO' in r.err, 'a FIFO given as a path: no hang, a warning', r)
    gm = fresh(tmp, 'fifo-golang-migrate')
    write(os.path.join(gm, '1_a.up.sql'), 'CREATE TABLE a (id int);\n')
    write(os.path.join(gm, '1_a.down.sql'), 'DROP TABLE a;\n')
    os.mkfifo(os.path.join(gm, '2_b.up.sql'))
    write(os.path.join(gm, '2_b.down.sql'), 'SELECT 1;\n')
    r = run(['lint', '--no-config', '--format', 'json', '--framework', 'golang-migrate', gm])
    check(isinstance(r.status, int) and r.status in (0, 1) and 'FIFO' in r.err,
          'a FIFO in a golang-migrate directory: no hang, a warning', r)
    r = run(['schema', 'dump', '--schema', os.path.join(d, '002_pipe.sql')])
    check(r.status == 2 and 'FIFO' in r.err, 'a FIFO as --schema: no hang, exit 2', r)


def case_symlink_out(tmp):
    secret = write(os.path.join(tmp, 'outside', 'secret.txt'), 'TOP-SECRET-TOKEN-42 lorem ipsum\n')
    d = fresh(tmp, 'links')
    write(os.path.join(d, '001_ok.sql'), 'CREATE TABLE t (id int);\n')
    os.symlink(secret, os.path.join(d, '002_leak.sql'))
    os.makedirs(os.path.join(d, 'sub'))
    os.symlink(os.path.join(d, '001_ok.sql'), os.path.join(d, 'sub', '003_inside.sql'))
    for fmt in ('text', 'json', 'sarif', 'github', 'gitlab', 'junit'):
        r = run(['lint', '--no-config', '--format', fmt, d])
        check('TOP-SECRET' not in r.out + r.err, 'a symlink out of the tree (%s): its content is not shown' % fmt, r)
        check(r.status == 0, 'a symlink out of the tree (%s): skipped (exit 0)' % fmt, r)
    r = run(['lint', '--no-config', d])
    check('002_leak.sql' in r.err and '--follow-symlinks' in r.err, 'a symlink out of the tree: a warning', r)
    check('003_inside.sql' not in r.err, 'a symlink inside the tree is followed silently', r)
    r = run(['lint', '--no-config', os.path.join(d, '002_leak.sql')])
    check('TOP-SECRET' not in r.out + r.err, 'a symlink out of the tree given as a path: not followed', r)
    r = run(['lint', '--no-config', '--format', 'json', '--follow-symlinks', d])
    check(r.status == 1 and '002_leak.sql' in r.out and 'TOP' in r.out, '--follow-symlinks follows it (and lints the file)', r)


# ---- what psql reads but the server never sees ----

def case_psql(tmp):
    d = fresh(tmp, 'psql')
    path = write(os.path.join(d, '001_dump.sql'),
                 'CREATE TABLE t (a int, b text);\n'
                 'COPY public.t (a, b) FROM stdin;\n'
                 '1\tfoo\n'
                 '2\tbar; DROP TABLE x\n'
                 '\\.\n'
                 '\\set ON_ERROR_STOP on\n'
                 '\\i other.sql\n'
                 "SELECT format('SELECT %L', E'a\\\\b') \\gexec\n"
                 'ALTER TABLE big ADD COLUMN c int NOT NULL;\n')
    r = run(['lint', '--no-config', '--format', 'json', path])
    j = r.json or {}
    rules = [f['rule'] for f in j.get('findings', [])]
    check('syntax-error' not in rules, 'COPY data and meta-commands are not syntax errors', r)
    check('add-column-required' in rules, 'the statement after them is linted', r)
    hits = [f for f in j.get('findings', []) if f['rule'] == 'add-column-required']
    check(hits and hits[0]['line'] == 9, 'its line is right', hits)
    check(j.get('files', [{}])[0].get('statements') == 4, 'four statements (COPY and the \\gexec query included)', r)


def case_lone_cr(tmp):
    d = fresh(tmp, 'cr')
    path = write(os.path.join(d, '001_mac.sql'),
                 'CREATE TABLE t (id int);\rSELECT 1;\rALTER TABLE big ADD COLUMN c int NOT NULL;\r')
    r = run(['lint', '--no-config', '--format', 'json', path])
    hits = [f for f in (r.json or {}).get('findings', []) if f['rule'] == 'add-column-required']
    check(hits and (hits[0]['line'], hits[0]['column']) == (3, 34), 'lone CR line ends: line 3, column 34', r)


# ---- names that are not text ----

def case_odd_names(tmp):
    d = fresh(tmp, 'names')
    bad = os.path.join(d.encode(), b'001_\xff\xfe_caf\xe9.sql')
    with open(bad, 'wb') as f:
        f.write(b'ALTER TABLE big ADD COLUMN c int NOT NULL;\n')
    esc = os.path.join(d.encode(), b'002_\x1b[31mred\x07.sql')
    with open(esc, 'wb') as f:
        f.write(b'ALTER TABLE big2 ADD COLUMN c int NOT NULL;\n')
    r = run(['lint', '--no-config', '--format', 'json', d])
    j = r.json or {}
    check(j and all(isinstance(f.get('file'), str) for f in j['findings']) and
          len([f for f in j['findings'] if f['rule'] == 'add-column-required']) == 2,
          'JSON: a file name that is not UTF-8 is a string, never null', r)
    check(j and all(isinstance(f.get('path'), str) for f in j['files']), 'JSON: files[].path is a string', r)
    check(j and any('\ufffd' in (f.get('file') or '') for f in j['findings']), 'JSON: invalid bytes become U+FFFD', r)
    r = run(['lint', '--no-config', '--format', 'gitlab', d])
    try:
        g = json.loads(r.out)
    except ValueError:
        g = None
    check(g and all(isinstance(i.get('location', {}).get('path'), str) for i in g), 'GitLab: location.path is a string', r)
    r = run(['lint', '--no-config', '--format', 'junit', d], raw=True)
    import xml.dom.minidom
    try:
        xml.dom.minidom.parseString(r.out)
        ok = True
    except Exception as e:  # noqa: BLE001
        ok = False
        r.err += ' / ' + str(e)
    check(ok, 'JUnit: well-formed XML with such names', r)
    for fmt in ('text', 'github'):
        r = run(['lint', '--no-config', '--format', fmt, d], raw=True)
        check(b'\x1b' not in r.out and b'\x07' not in r.out, '%s: no raw control character from a name' % fmt, r)
        check(b'\\x1B[31mred' in r.out, '%s: the escape is shown as \\x1B' % fmt, r)


# ---- plans that quote paths ----

def case_diff_comment(tmp):
    d = fresh(tmp, 'diff')
    a = write(os.path.join(d, 'a.sql'), 'CREATE TABLE victim (id int);\n')
    weird = os.path.join(d, 'b\nDROP TABLE public.victim;\r--.sql')
    write(weird, 'CREATE TABLE victim (id int);\nCREATE TABLE other (id int);\n')
    for from_, to in ((weird, a), (a, weird)):
        r = run(['diff', '--format', 'sql', '--from', from_, '--to', to])
        live = [ln for ln in r.out.replace('\r', '\n').split('\n') if ln.strip() and not ln.startswith('--')]
        check(r.status == 0 and not any('victim' in ln for ln in live),
              'diff --format sql: a path with line breaks stays in comments', '%s\n%s' % (r, live))


# ---- output that cannot be written ----

def case_full_disk(tmp):
    d = fresh(tmp, 'full')
    mig = write(os.path.join(d, '001.sql'), 'CREATE TABLE t (id int);\n')
    for args in (['rules'], ['rules', '--format', 'json'], ['explain', 'add-column-required'], ['--help'],
                 ['--version'], ['schema', 'dump', '--schema', mig], ['schema', 'dump', d],
                 ['lint', '--no-config', mig], ['diff', '--from', mig, '--to', mig]):
        with open('/dev/full', 'wb') as full:
            r = run(args, stdout=full)
        check(r.status == 2 and 'cannot write' in r.err, '%s to a full disk: exit 2 with a message' % ' '.join(args), r)
    out = os.path.join(d, 'report.json')
    write(out, 'previous report\n')
    r = run(['lint', '--no-config', '--format', 'json', '--output', out, mig])
    check(r.status == 0 and json.load(open(out))['summary'], '--output writes the report', r)
    check(not [f for f in os.listdir(d) if f.startswith('report.json.')], '--output leaves no temporary file', r)
    ro = fresh(tmp, 'readonly-out')
    target = os.path.join(ro, 'r.json')
    write(target, 'previous report\n')
    os.chmod(ro, 0o555)
    if os.geteuid() != 0:
        r = run(['lint', '--no-config', '--format', 'json', '--output', target, mig])
        check(r.status == 2 and open(target).read() == 'previous report\n',
              '--output that cannot be written: exit 2, the old file untouched', r)
    os.chmod(ro, 0o755)


# ---- limits of pgsieve's own ----

def case_limits(tmp):
    d = fresh(tmp, 'limits')
    # PostgreSQL 15 runs this (checked on the tests' server): past pgsieve's tree limit, it is
    # info, never "PostgreSQL rejects this statement"
    path = write(os.path.join(d, '001_chain.sql'), 'SELECT ' + '+'.join(['1'] * 4000) + ';\n'
                 'ALTER TABLE big ADD COLUMN c int NOT NULL;\n')
    r = run(['lint', '--no-config', '--format', 'json', path])
    fs = (r.json or {}).get('findings', [])
    check(not [f for f in fs if f['rule'] == 'syntax-error'], 'a 4,000-term chain is no syntax error', r)
    na = [f for f in fs if f['rule'] == 'not-analysed']
    check(na and na[0]['severity'] == 'info' and 'could not analyse' in na[0]['message'],
          'a 4,000-term chain: not-analysed, info', r)
    check([f for f in fs if f['rule'] == 'add-column-required'], 'the statement after it is linted', r)
    cfg = write(os.path.join(d, 'deep.yml'), 'select: ' + '[' * 100000 + ']' * 100000 + '\n')
    r = run(['lint', '--config', cfg, path], timeout=10)
    check(r.status == 2 and 'nested more than' in r.err and 'deep.yml:1' in r.err,
          'a 100,000-deep YAML nesting: refused at once with its line', r)


def case_python_hint(tmp):
    here = os.path.dirname(os.path.abspath(__file__))
    tree = os.path.join(here, '..', 'fixtures', 'frameworks', 'alembic')
    env = dict(os.environ, PGSIEVE_PYTHON='/nonexistent/python9')
    env.pop('PGSIEVE_ALEMBIC_STATIC', None)
    r = run(['lint', '--no-config', tree], env=env)
    check(r.status == 2 and 'PGSIEVE_PYTHON' in r.err and '/nonexistent/python9' in r.err,
          'PGSIEVE_PYTHON naming a missing program: the hint is printed', r)



def golang_history(d, n):
    """n golang-migrate migrations with downs: each creates a table and its index and adds a
    column to the table before it; each down undoes its up."""
    os.makedirs(d)
    for i in range(1, n + 1):
        up = ('CREATE TABLE t%d (id bigint PRIMARY KEY, name text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());\n'
              'CREATE INDEX t%d_name_idx ON t%d (name);\n' % (i, i, i))
        down = 'DROP INDEX t%d_name_idx;\nDROP TABLE t%d;\n' % (i, i)
        if i > 1:
            up += 'ALTER TABLE t%d ADD COLUMN t%d_id bigint;\n' % (i - 1, i)
            down = 'ALTER TABLE t%d DROP COLUMN t%d_id;\n' % (i - 1, i) + down
        if i == n:  # the last down forgets its column: the check still runs
            down = down.split('\n', 1)[1]
        write(os.path.join(d, '%06d_m%d.up.sql' % (i, i)), up)
        write(os.path.join(d, '%06d_m%d.down.sql' % (i, i)), down)


def cpu_run(args):
    """pgsieve ARGS, and the processor time it took (user and system), which other load on the
    machine changes far less than the time on the clock."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    r = run(args, timeout=600)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def case_long_history(tmp):
    """3,000 golang-migrate migrations with downs: time linear in the history. Before,
    downgrade-not-inverse copied the whole model twice per migration (13 s at 1,500, 68 s at
    3,000); a quadratic cost shows as a ratio near 9 between 3,000 and 1,000 migrations."""
    runs = {}
    for n in (1000, 3000):
        d = os.path.join(tmp, 'history-%d' % n)
        golang_history(d, n)
        r, cpu = cpu_run(['lint', '--no-config', '--format', 'json', d])
        out = r.json
        found = [f for f in (out or {}).get('findings', ()) if f['rule'] == 'downgrade-not-inverse']
        if not check(r.status == 1 and len(found) == 1 and 't%d_id' % n in found[0]['message'] and
                     found[0]['file'].endswith('%06d_m%d.down.sql' % (n, n)),
                     '%d migrations: linted, the one down that does not undo its up found' % n,
                     found or r):
            return
        runs[n] = cpu
    ratio = runs[3000] / max(runs[1000], 0.01)
    print('long-history: %.1f s of processor time for 1,000 migrations, %.1f s for 3,000 (x%.1f)'
          % (runs[1000], runs[3000], ratio))
    check(ratio < 5.5 and runs[3000] < (300 if SANITIZED else 60),
          '3,000 migrations cost about three times 1,000 (linear), not nine (quadratic)', runs)


def wide_table(path, n):
    """n columns added one statement at a time to one table, every second one json and then
    changed to jsonb by the statement after it (which voids prefer-jsonb's fix for it)."""
    lines = ['CREATE TABLE wide (id bigint PRIMARY KEY);']
    for i in range(n):
        if i % 2:
            lines.append('ALTER TABLE wide ADD COLUMN c%d json;' % i)
            lines.append('ALTER TABLE wide ALTER COLUMN c%d TYPE jsonb;' % (i - 1))
        else:
            lines.append('ALTER TABLE wide ADD COLUMN c%d json;' % i)
    write(path, '\n'.join(lines) + '\n')


def case_wide_table(tmp):
    """40,000 columns added to one table: time linear in the statements. Before, the model
    searched the table's columns one by one for each column added, and the column-type rules
    walked every fix of the migration for each ALTER COLUMN ... TYPE (120,000 columns took
    183 s); a quadratic cost shows as a ratio near 16 between 40,000 and 10,000 columns."""
    runs = {}
    for n in (10000, 40000):
        path = os.path.join(tmp, 'wide-%d.sql' % n)
        wide_table(path, n)
        r, cpu = cpu_run(['lint', '--no-config', '--format', 'json', path])
        found = [f for f in (r.json or {}).get('findings', ()) if f['rule'] == 'prefer-jsonb']
        fixed = [f for f in found if 'fix' in f]
        if not check(r.status == 1 and len(found) == n and len(fixed) == n // 2 and
                     all(int(f['line']) % 3 == 0 for f in fixed),
                     '%d columns: each json column found, the fixes of those changed later voided' % n,
                     (len(found), len(fixed)) if found else r):
            return
        runs[n] = cpu
    ratio = runs[40000] / max(runs[10000], 0.01)
    print('wide-table: %.2f s of processor time for 10,000 columns, %.2f s for 40,000 (x%.1f)'
          % (runs[10000], runs[40000], ratio))
    check(ratio < 8 and runs[40000] < (60 if SANITIZED else 10),
          '40,000 columns cost about four times 10,000 (linear), not sixteen (quadratic)', runs)


def alembic_python():
    for c in (os.environ.get('PGSIEVE_PYTHON'), sys.executable, shutil.which('python3'), '/usr/bin/python3'):
        if c and os.path.exists(c) and subprocess.run([c, '-c', 'import alembic, sqlalchemy'],
                                                      capture_output=True).returncode == 0:
            return c
    return None


def alembic_env():
    py = alembic_python()
    if not py:
        return None
    env = dict(os.environ, PGSIEVE_PYTHON=py)
    env.pop('PGSIEVE_ALEMBIC_STATIC', None)
    return env


def alembic_tree(tmp, name, body):
    """The fixture Alembic project with one more revision, 9z0000000009, whose file is body
    after the identifiers; returns (tree, the revision's path)."""
    here = os.path.dirname(os.path.abspath(__file__))
    tree = os.path.join(tmp, name)
    shutil.copytree(os.path.join(here, '..', 'fixtures', 'frameworks', 'alembic'), tree)
    path = os.path.join(tree, 'migrations', 'versions', '9z0000000009_hostile.py')
    write(path, '"""hostile"""\nimport os, signal, sys, time\nfrom alembic import op\n'
                'revision = "9z0000000009"\ndown_revision = "3c0000000003"\nbranch_labels = None\n'
                'depends_on = None\n' + body)
    return tree, path


def gone(pid, within):
    """Whether process pid ends (or is left a zombie) within `within` seconds."""
    end = time.monotonic() + within
    while True:
        try:
            with open('/proc/%d/stat' % pid) as f:
                if f.read().rsplit(')', 1)[1].split()[0] == 'Z':
                    return True
        except (OSError, IndexError):
            return True
        if time.monotonic() > end:
            return False
        time.sleep(0.1)


def pid_in(path, within):
    end = time.monotonic() + within
    while True:
        try:
            with open(path) as f:
                text = f.read()
            if text.endswith('\n'):
                return int(text)
        except (OSError, ValueError):
            pass
        if time.monotonic() > end:
            return None
        time.sleep(0.1)


# What a hostile revision runs: a grandchild that keeps pgsieve's pipe open and ignores every
# signal it can, and a loop that catches the helper's own alarm (and everything else).
STUBBORN = '''
MARK = %r


def stubborn():
    while True:
        try:
            time.sleep(3600)
        except BaseException:
            pass


def fork_and_hang():
    pid = os.fork()
    if pid == 0:
        for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGALRM):
            signal.signal(s, signal.SIG_IGN)
        open(MARK + '.grandchild', 'w').write('%%d\\n' %% os.getpid())
        stubborn()
    open(MARK + '.helper', 'w').write('%%d\\n' %% os.getpid())
    stubborn()
'''


def case_alembic_deadline(tmp):
    """A revision that catches the helper's alarm and forks a grandchild holding standard
    output: pgsieve's own deadline stops the whole process group, reads that revision
    statically and goes on."""
    env = alembic_env()
    if not env:
        print('skip alembic-deadline: no Python with Alembic and SQLAlchemy')
        return
    mark = os.path.join(tmp, 'deadline')
    tree, path = alembic_tree(tmp, 'deadline', STUBBORN % mark + (
        '\n\ndef upgrade():\n    fork_and_hang()\n\n\ndef downgrade():\n    op.execute("SELECT 1")\n'))
    env['PGSIEVE_ALEMBIC_TIMEOUT'] = '2'
    r = run(['lint', '--no-config', '--format', 'json', tree], env=env, timeout=60)
    out = r.json
    if not check(r.status in (0, 1) and out is not None and r.seconds < 30,
                 'a revision that never finishes: stopped, and the run goes on (exit 0 or 1)', r):
        return
    notes = [f for f in out['findings'] if f['rule'] == 'alembic-static-analysis' and f['file'].endswith('_hostile.py')]
    check(len(notes) == 1 and 'did not finish within 2 seconds' in notes[0]['help'] and
          'stopped the Alembic helper and every process it started' in notes[0]['help'],
          'the revision that never finishes is named, read statically, with the reason', notes)
    others = [f['file'] for f in out['findings'] if f['rule'] == 'alembic-static-analysis'
              and not f['file'].endswith('_hostile.py')]
    check(not others, 'the other revisions are still rendered', others)
    for who in ('helper', 'grandchild'):
        pid = pid_in(mark + '.' + who, 1)
        check(pid is not None and gone(pid, 5), 'after the deadline no %s of the hanging revision is left' % who, pid)
    env['PGSIEVE_ALEMBIC_TIMEOUT'] = 'soon'
    r = run(['lint', '--no-config', tree], env=env)
    check(r.status == 2 and 'PGSIEVE_ALEMBIC_TIMEOUT' in r.err, 'a PGSIEVE_ALEMBIC_TIMEOUT that is no number: exit 2', r)
    # the helper's own limit covers import, upgrade() and downgrade() together
    tree, path = alembic_tree(tmp, 'slow', '\ntime.sleep(4)\n\n\ndef upgrade():\n    time.sleep(4)\n'
                                           '    op.execute("SELECT 1")\n\n\ndef downgrade():\n'
                                           '    time.sleep(4)\n    op.execute("SELECT 1")\n')
    env['PGSIEVE_ALEMBIC_TIMEOUT'] = '3'
    r = run(['lint', '--no-config', '--format', 'json', tree], env=env, timeout=60)
    notes = [f for f in (r.json or {}).get('findings', ()) if f['rule'] == 'alembic-static-analysis']
    check(r.status in (0, 1) and r.seconds < (11.5 if SANITIZED else 10) and len(notes) == 1 and 'more than 3 seconds' in notes[0]['help'],
          'a revision slow in import, upgrade() and downgrade() costs the limit once, not three times', r)


def case_alembic_killed(tmp):
    """pgsieve killed or interrupted while a revision runs: the helper and what it started die
    with it (SIGKILL included, which pgsieve cannot catch)."""
    env = alembic_env()
    if not env:
        print('skip alembic-killed: no Python with Alembic and SQLAlchemy')
        return
    env['PGSIEVE_ALEMBIC_TIMEOUT'] = '120'
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGKILL):
        name = signal.Signals(sig).name
        mark = os.path.join(tmp, 'killed-%d' % sig)
        tree, path = alembic_tree(tmp, 'killed-%d' % sig, STUBBORN % mark + '\nfork_and_hang()\n')
        p = subprocess.Popen([PGSIEVE, 'lint', '--no-config', tree], env=env, stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            helper, grandchild = pid_in(mark + '.helper', 30), pid_in(mark + '.grandchild', 30)
            if not check(helper and grandchild, 'the hanging revision started (%s)' % name):
                continue
            p.send_signal(sig)
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                check(False, 'pgsieve ends on %s' % name)
                continue
            check(gone(helper, 5) and gone(grandchild, 5),
                  'pgsieve ended by %s: its Alembic helper and the process the revision started end too' % name,
                  (helper, grandchild))
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
            for f in ('.helper', '.grandchild'):
                pid = pid_in(mark + f, 0)
                if pid and not gone(pid, 0):
                    os.kill(pid, signal.SIGKILL)


SECRETS = {
    'PGPASSWORD': 'hunter2', 'PGUSER': 'admin', 'PGHOST': 'db.internal', 'PGSERVICE': 'prod',
    'PGPASSFILE': '/root/.pgpass', 'DATABASE_URL': 'postgresql://admin:hunter2@db/prod',
    'GITHUB_TOKEN': 'ghs_secret', 'CI_JOB_TOKEN': 'glcbt-secret', 'AWS_SECRET_ACCESS_KEY': 'aws-secret',
    'AWS_ACCESS_KEY_ID': 'AKIA', 'NPM_TOKEN': 'npm-secret', 'SOME_SETTING': 'not-named',
}


def case_alembic_environment(tmp):
    """A revision sees only the environment Python and Alembic need, plus what
    PGSIEVE_ALEMBIC_ENV names: no PG* variable, no DATABASE_URL, no CI token."""
    env = alembic_env()
    if not env:
        print('skip alembic-environment: no Python with Alembic and SQLAlchemy')
        return
    seen = os.path.join(tmp, 'environ.json')
    tree, path = alembic_tree(tmp, 'environ', '\nimport json\njson.dump(dict(os.environ), open(%r, "w"))\n\n\n'
                                              'def upgrade():\n    op.execute("SELECT 1")\n\n\n'
                                              'def downgrade():\n    op.execute("SELECT 1")\n' % seen)
    env.update(SECRETS)
    env.update(APP_SETTINGS='production', PGSIEVE_ALEMBIC_ENV='APP_SETTINGS, OTHER')
    r = run(['lint', '--no-config', '--format', 'json', tree], env=env, timeout=60)
    try:
        with open(seen) as f:
            got = json.load(f)
    except (OSError, ValueError):
        got = None
    if not check(got is not None, 'the revision ran and recorded its environment', r):
        return
    leaked = sorted(k for k in got if k in SECRETS or (k.startswith(('PG', 'AWS_')) and not k.startswith('PGSIEVE_')))
    check(not leaked, 'no PG* variable, DATABASE_URL, token or unnamed variable reaches the revision', leaked)
    check(got.get('APP_SETTINGS') == 'production' and 'PATH' in got,
          'PATH and what PGSIEVE_ALEMBIC_ENV names do', sorted(got))
    notes = [f for f in (r.json or {}).get('findings', ()) if f['rule'] == 'alembic-static-analysis']
    check(r.status in (0, 1) and not notes, 'with that environment every revision is rendered', notes or r)


def case_no_python(tmp):
    """--no-python: a revision's module code (here: writing a marker file) never runs."""
    here = os.path.dirname(os.path.abspath(__file__))
    tree = os.path.join(tmp, 'alembic')
    shutil.copytree(os.path.join(here, '..', 'fixtures', 'frameworks', 'alembic'), tree)
    marker = os.path.join(tmp, 'revision-ran')
    with open(os.path.join(tree, 'migrations', 'versions', '9z0000000009_side_effect.py'), 'w') as f:
        f.write('"""side effect"""\nfrom alembic import op\nopen(%r, "w").write("ran")\n'
                'revision = "9z0000000009"\ndown_revision = "3c0000000003"\nbranch_labels = None\n'
                'depends_on = None\n\n\ndef upgrade():\n    op.execute("SELECT 1")\n\n\n'
                'def downgrade():\n    op.execute("SELECT 1")\n' % marker)
    env = alembic_env()
    if not env:
        print('skip no-python: no Python with Alembic and SQLAlchemy')
        return
    r = run(['lint', '--no-config', '--no-python', tree], env=env, timeout=120)
    check(isinstance(r.status, int) and r.status in (0, 1) and not os.path.exists(marker),
          '--no-python: no code of the revisions runs', r)
    r = run(['lint', '--no-config', tree], env=env, timeout=120)
    check(os.path.exists(marker), 'without --no-python the revision is imported (the test can tell)', r)


CASES = {
    'fifo': case_fifo, 'symlink-out': case_symlink_out, 'psql': case_psql, 'lone-cr': case_lone_cr,
    'odd-names': case_odd_names, 'diff-comment': case_diff_comment, 'full-disk': case_full_disk,
    'limits': case_limits, 'python-hint': case_python_hint, 'no-python': case_no_python,
    'alembic-deadline': case_alembic_deadline, 'alembic-killed': case_alembic_killed,
    'alembic-environment': case_alembic_environment, 'long-history': case_long_history,
    'wide-table': case_wide_table,
}


def main():
    global PGSIEVE
    global SANITIZED
    PGSIEVE = os.path.abspath(sys.argv[1])
    SANITIZED = '--sanitized' in sys.argv
    only = [a for a in sys.argv[2:] if a != '--sanitized']
    tmp = tempfile.mkdtemp(prefix='pgsieve-hostile-')
    try:
        for name, fn in CASES.items():
            if not only or name in only:
                fn(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
