#!/usr/bin/env python3
"""Bad input: pgsieve must answer every one of these with a finding or an error that says where,
with the right exit status (1 for findings, syntax errors included; 2 for tool errors such as
missing or unreadable paths, never 1), and never crash, hang or take unbounded memory.

Covers: a binary file, NUL bytes, invalid UTF-8, empty, blank and comment-only files, a 50 MB
file (time and peak memory measured), a 50 MB single statement, 10,000-deep nesting of several
kinds and long operator chains, unterminated dollar quotes, strings and comments (in small and
in chunked large files), syntax newer than the parser's grammar, a directory symlink loop,
unreadable files and directories (run as an unprivileged user when the test runs as root),
missing paths, directories where files are expected, and paths with spaces and non-ASCII
characters.

usage: bad_input.py PATH/TO/pgsieve [--sanitized] [CASE...]
--sanitized (a build with AddressSanitizer) allows more time and does not check peak memory,
which the sanitizer's shadow memory and quarantine inflate. Prints what happened for each case, one line per failed check, and "N passed, N failed";
exits 1 when anything failed.
"""
import json
import os
import pwd
import shutil
import stat
import subprocess
import sys
import tempfile
import time

PGSIEVE = None
SANITIZED = False
passed = failed = 0

# A 50 MB migration must lint in well under these on a 2-core machine.
BIG_SECONDS = 60
BIG_MAX_RSS_MB = 500


def check(ok, what, detail=''):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print('FAIL %s%s' % (what, ('\n    ' + detail.replace('\n', '\n    ')) if detail else ''))
    return ok


class Result:
    def __init__(self, status, out, err, seconds, max_rss_mb):
        self.status, self.out, self.err = status, out, err
        self.seconds, self.max_rss_mb = seconds, max_rss_mb
        self.json = None
        try:
            self.json = json.loads(out)
        except ValueError:
            pass

    @property
    def findings(self):
        return self.json['findings'] if self.json else []

    def rules(self):
        return [f['rule'] for f in self.findings]

    def describe(self):
        fs = '; '.join('%s %s:%s %s' % (f['rule'], f['line'], f['column'], f['message'][:90])
                       for f in self.findings[:4])
        return 'exit %s, %.2f s, %d MB, findings: %s%s' % (
            self.status, self.seconds, self.max_rss_mb, fs or 'none',
            ('; stderr: ' + self.err.strip().replace('\n', ' | ')[:300]) if self.err.strip() else '')


def run(args, cwd, timeout=60, fmt='json', user=None, stdin=None):
    """Runs pgsieve lint with ARGS; measures the child's own time and peak memory (wait4 gives
    the rusage of that one process, not of every child so far)."""
    cmd = [PGSIEVE, 'lint', '--no-config']
    if fmt:
        cmd += ['--format', fmt]
    cmd += args
    if user:
        cmd = ['setpriv', '--reuid=%d' % user.pw_uid, '--regid=%d' % user.pw_gid,
               '--clear-groups', '--'] + cmd
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.monotonic()
        p = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err,
                             stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL)
        if stdin is not None:
            try:
                p.stdin.write(stdin)
            except BrokenPipeError:
                pass
            p.stdin.close()
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                p.kill()
                pid, status, usage = os.wait4(p.pid, 0)
                p.returncode = -9
                out.seek(0)
                err.seek(0)
                return Result('timeout after %d s' % timeout, out.read().decode('utf-8', 'replace'),
                              err.read().decode('utf-8', 'replace'), timeout, usage.ru_maxrss / 1024)
            time.sleep(0.02)
        seconds = time.monotonic() - start
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Result(p.returncode, out.read().decode('utf-8', 'replace'),
                      err.read().decode('utf-8', 'replace'), seconds, usage.ru_maxrss / 1024)


def fresh_dir(tmp, name):
    """A directory of its own per case: pgsieve reads a file's siblings when they form a
    migration layout, and a case must not see another case's files."""
    d = os.path.join(tmp, name)
    os.makedirs(d)
    return d


def write(path, data):
    with open(path, 'wb') as f:
        f.write(data if isinstance(data, bytes) else data.encode())
    return path


def show(name, r):
    print('%-28s %s' % (name, r.describe()))


def is_crash(r):
    return not isinstance(r.status, int) or r.status < 0 or r.status > 2


def expect_finding(name, r, rule, line, column, message_has=(), status=1):
    show(name, r)
    if not check(not is_crash(r), name + ': no crash or hang', r.describe()):
        return
    check(r.status == status, '%s: exit %d' % (name, status), r.describe())
    check(r.json is not None, name + ': JSON report', r.out[:300])
    hits = [f for f in r.findings if f['rule'] == rule]
    if not check(hits, '%s: a %s finding' % (name, rule), r.describe()):
        return
    f = hits[0]
    check((f['line'], f['column']) == (line, column),
          '%s: %s at %d:%d' % (name, rule, line, column), 'got %s:%s' % (f['line'], f['column']))
    for s in message_has:
        check(s in f['message'] + ' ' + (f['help'] or ''), '%s: message mentions %r' % (name, s),
              f['message'] + ' / ' + (f['help'] or ''))


def expect_clean(name, r, statements=None):
    show(name, r)
    if not check(not is_crash(r), name + ': no crash or hang', r.describe()):
        return
    check(r.status == 0, name + ': exit 0', r.describe())
    check(r.json is not None and not r.findings, name + ': no findings', r.describe())
    if statements is not None and r.json:
        check(r.json['summary']['statements'] == statements,
              '%s: %d statements' % (name, statements), str(r.json['summary']))


def expect_tool_error(name, r, stderr_has, status=2):
    show(name, r)
    if not check(not is_crash(r), name + ': no crash or hang', r.describe()):
        return
    check(r.status == status, '%s: exit %d (a tool error is never 1)' % (name, status), r.describe())
    for s in stderr_has:
        check(s in r.err, '%s: stderr names %r' % (name, s), r.err)


# ---- the cases ----

def case_binary(tmp):
    d = fresh_dir(tmp, 'binary')
    data = bytes(range(1, 256)) * 40 + b'\x00' + os.urandom(4096)
    write(os.path.join(d, 'blob.sql'), data)
    r = run(['blob.sql'], d)
    # the first NUL is byte 10200, after 40 runs of bytes 1..255 that each hold two line ends (LF
    # and a lone CR): line 81, column 179 (the 242 bytes after the CR hold 64 UTF-8 continuation
    # bytes)
    expect_finding('binary file', r, 'invalid-input', 81, 179, ('NUL',))
    r = run(['-'], d, stdin=data)
    expect_finding('binary on standard input', r, 'invalid-input', 81, 179, ('NUL',))


def case_nul(tmp):
    d = fresh_dir(tmp, 'nul')
    write(os.path.join(d, 'nul.sql'), b'SELECT 1;\nSELECT 2;\0 SELECT 3;\n')
    expect_finding('NUL byte in SQL', run(['nul.sql'], d), 'invalid-input', 2, 10, ('NUL',))
    # among other files: they are parsed ahead on a second thread, the binary one too (its
    # parse is dropped), and the files before and after it are linted in order all the same
    d = fresh_dir(tmp, 'nul-among')
    write(os.path.join(d, '001_a.sql'), 'CREATE INDEX a ON orders (a);\n')
    write(os.path.join(d, '002_nul.sql'), b'CREATE INDEX b ON orders (b);\0\n')
    write(os.path.join(d, '003_c.sql'), 'CREATE INDEX c ON orders (c);\n')
    r = run(['.'], d)
    got = [(os.path.basename(f['file']), f['rule']) for f in (r.json or {}).get('findings', ())
           if f['rule'] in ('create-index-blocking', 'invalid-input')]
    check(got == [('001_a.sql', 'create-index-blocking'), ('002_nul.sql', 'invalid-input'),
                  ('003_c.sql', 'create-index-blocking')],
          'NUL byte in one file of three: that file is invalid-input, the others are linted', got or r.describe())


def case_utf8(tmp):
    d = fresh_dir(tmp, 'utf8')
    # Latin-1 "café" after a line with real multibyte characters: the column counts characters
    write(os.path.join(d, 'latin1.sql'), "SELECT 'ünï';\nSELECT 'caf".encode() + b"\xe9';\n")
    expect_finding('invalid UTF-8', run(['latin1.sql'], d), 'invalid-input', 2, 12, ('UTF-8',))
    write(os.path.join(d, 'overlong.sql'), b"SELECT '\xc0\xaf';\n")
    expect_finding('overlong UTF-8', run(['overlong.sql'], d), 'invalid-input', 1, 9, ('UTF-8',))
    write(os.path.join(d, 'cut.sql'), "SELECT 'x';\n-- ends inside a character \xe2\x82".encode('latin-1'))
    expect_finding('truncated UTF-8', run(['cut.sql'], d), 'invalid-input', 2, 28, ('UTF-8',))


def case_empty(tmp):
    d = fresh_dir(tmp, 'empty')
    write(os.path.join(d, 'empty.sql'), b'')
    expect_clean('empty file', run(['empty.sql'], d), statements=0)
    d = fresh_dir(tmp, 'blank')
    write(os.path.join(d, 'blank.sql'), b'\n\n   \t\r\n\n')
    expect_clean('blank file', run(['blank.sql'], d), statements=0)
    d = fresh_dir(tmp, 'comments')
    write(os.path.join(d, 'comments.sql'),
          b'-- nothing to do here\n/* a block\n   /* nested */ comment */\n-- last line, no newline')
    expect_clean('comment-only file', run(['comments.sql'], d), statements=0)
    d = fresh_dir(tmp, 'semicolons')
    write(os.path.join(d, 'semicolons.sql'), b';;\n;\n')
    r = run(['semicolons.sql'], d)
    show('semicolons only', r)
    check(r.status in (0, 1) and r.json is not None, 'semicolons only: a report', r.describe())
    d = fresh_dir(tmp, 'bom')
    write(os.path.join(d, 'bom.sql'), b'\xef\xbb\xbf-- only a byte order mark and a comment\n')
    expect_clean('BOM and comment', run(['bom.sql'], d), statements=0)


def big_migration(path, target):
    """About `target` bytes of what a large data migration looks like: tables created in the
    file, their indexes, seed rows, comments, and now and then a statement that locks a live
    table. Returns the number of those live-table CREATE INDEX statements."""
    hazards = 0
    size = 0
    i = 0
    with open(path, 'w', encoding='utf-8') as f:
        f.write("SET lock_timeout = '5s';\nSET statement_timeout = '15min';\n")
        while size < target:
            if i % 1000 == 0:
                s = ('CREATE TABLE seed_%d (\n    id bigint PRIMARY KEY,\n    name text NOT NULL,\n'
                     '    created_at timestamptz NOT NULL DEFAULT now()\n);\n'
                     'CREATE INDEX seed_%d_name_idx ON seed_%d (name);\n' % (i, i, i))
            elif i % 5000 == 1:
                s = 'CREATE INDEX orders_c%d_idx ON orders (c%d);\n' % (i, i)
                hazards += 1
            elif i % 7 == 0:
                s = '-- batch %d: customers from the old system, names as entered (ü, ß, 日本)\n' % i
            else:
                s = ("INSERT INTO seed_%d (id, name) VALUES (%d, 'client %d ñ'), (%d, 'x''y');\n"
                     % (i - i % 1000, 2 * i, i, 2 * i + 1))
            f.write(s)
            size += len(s.encode())
            i += 1
    return hazards


def check_limits(name, r):
    seconds = BIG_SECONDS * (6 if SANITIZED else 1)
    check(r.seconds < seconds, '%s: under %d s' % (name, seconds), '%.1f s' % r.seconds)
    if not SANITIZED:
        check(r.max_rss_mb < BIG_MAX_RSS_MB, '%s: under %d MB' % (name, BIG_MAX_RSS_MB),
              '%d MB' % r.max_rss_mb)


def case_big(tmp):
    d = fresh_dir(tmp, 'big')
    path = os.path.join(d, 'big.sql')
    hazards = big_migration(path, 50 * 1024 * 1024)
    r = run(['big.sql'], d, timeout=BIG_SECONDS * 3)
    show('50 MB migration', r)
    if not check(not is_crash(r), '50 MB: no crash', r.describe()):
        return
    check(r.status == 1, '50 MB: exit 1', r.describe())
    blocking = [f for f in r.findings if f['rule'] == 'create-index-blocking']
    check(len(blocking) == hazards, '50 MB: %d create-index-blocking findings' % hazards,
          'got %d' % len(blocking))
    check(not [f for f in r.findings if f['rule'] in ('syntax-error', 'invalid-input')],
          '50 MB: no syntax errors', r.describe())
    if blocking:
        # the last one: line numbers stay right across chunk boundaries
        with open(path, 'rb') as f:
            lines = f.read().split(b'\n')
        last = blocking[-1]
        check(lines[last['line'] - 1].startswith(b'CREATE INDEX orders_c'),
              '50 MB: the last finding points at its CREATE INDEX', repr(lines[last['line'] - 1][:80]))
    check_limits('50 MB', r)

    # The same file as a golang-migrate migration, which runs as one multi-statement query: the
    # statements are counted for the implicit transaction, and that must not cost more.
    gm = fresh_dir(tmp, 'big-golang-migrate')
    os.rename(path, os.path.join(gm, '000001_seed.up.sql'))
    write(os.path.join(gm, '000001_seed.down.sql'), 'DROP TABLE seed_0;\n')
    r = run(['.'], gm, timeout=BIG_SECONDS * 3)
    show('50 MB golang-migrate', r)
    if check(not is_crash(r), '50 MB golang-migrate: no crash', r.describe()):
        blocking = [f for f in r.findings if f['rule'] == 'create-index-blocking']
        check(len(blocking) == hazards, '50 MB golang-migrate: %d create-index-blocking findings'
              % hazards, 'got %d' % len(blocking))
        check_limits('50 MB golang-migrate', r)
    os.unlink(os.path.join(gm, '000001_seed.up.sql'))

    # One 50 MB statement: too large to parse with bounded memory, so it is reported (not-analysed:
    # pgsieve's limit, not PostgreSQL's), and the
    # statements around it are still linted.
    d = fresh_dir(tmp, 'huge-statement')
    path = os.path.join(d, 'huge.sql')
    with open(path, 'w') as f:
        f.write('CREATE INDEX before_idx ON orders (a);\nINSERT INTO seed (id, name) VALUES\n')
        size, i = 0, 0
        while size < 50 * 1024 * 1024:
            s = "(%d, 'name %d'),\n" % (i, i)
            f.write(s)
            size += len(s)
            i += 1
        f.write("(0, 'end');\nCREATE INDEX after_idx ON orders (b);\n")
    r = run(['huge.sql'], d, timeout=BIG_SECONDS * 3)
    expect_finding('50 MB statement', r, 'not-analysed', 2, 1, ('could not analyse', 'more than the 4 MiB'))
    check([f['line'] for f in r.findings if f['rule'] == 'create-index-blocking'] == [1, i + 4],
          '50 MB statement: the statements around it are linted', r.describe())
    check_limits('50 MB statement', r)
    os.unlink(path)


# Each is one statement followed by `SELECT 2;` on line 2, which must still be linted.
DEEP = {
    'parentheses': 'SELECT ' + '(' * 10000 + '1' + ')' * 10000,
    'function calls': 'SELECT ' + 'abs(' * 10000 + '1' + ')' * 10000,
    'a+a+... chain': 'SELECT ' + '+'.join(['a'] * 10000) + ' FROM t',
    '100,000-term chain': 'SELECT ' + '+'.join(['a'] * 100000) + ' FROM t',
    'typecast chain': 'SELECT a' + '::int' * 10000,
    'ISNULL chain': 'SELECT a' + ' ISNULL' * 10000,
    'array constructors': 'SELECT ' + 'ARRAY[' * 10000 + '1' + ']' * 10000,
    'NOT chain': 'SELECT ' + 'NOT ' * 10000 + 'true',
    'unary minus': 'SELECT ' + '- ' * 10000 + '1',
    'CASE nesting': 'SELECT ' + 'CASE WHEN true THEN ' * 10000 + '1' + ' END' * 10000,
    'subqueries': 'SELECT ' + '(SELECT ' * 10000 + '1' + ')' * 10000,
    'UNION chain': ' UNION '.join(['SELECT 1'] * 10000),
    'JOIN chain': 'SELECT 1 FROM t ' + ' '.join(['JOIN t USING (a)'] * 10000),
    'index expression': 'CREATE INDEX i ON orders ((' + '(' * 10000 + 'a' + ')' * 10000 + '))',
    'column default': 'ALTER TABLE orders ADD COLUMN c int DEFAULT ' + '+'.join(['1'] * 10000),
    'DO block statement': "DO $$BEGIN UPDATE t SET a = " + '+'.join(['a'] * 10000) + "; END$$",
}
# Deep but flat for the grammar (AND/OR operands become one list): these must parse.
FLAT = {
    '10,000 ANDs': 'SELECT 1 FROM t WHERE ' + ' AND '.join(['a = %d' % i for i in range(10000)]),
    '10,000 ORs of ANDs': 'SELECT 1 FROM t WHERE ' + ' OR '.join(['(a = 1 AND b = 2)'] * 10000),
    '10,000-value IN list': 'SELECT 1 FROM t WHERE a IN (' + ', '.join(map(str, range(10000))) + ')',
    '10,000-row VALUES': 'INSERT INTO t VALUES ' + ', '.join('(%d, -%d)' % (i, i) for i in range(10000)),
}


def case_deep(tmp):
    for name, sql in DEEP.items():
        d = fresh_dir(tmp, 'deep-' + name.replace(' ', '-').replace(',', ''))
        write(os.path.join(d, 'deep.sql'), sql + ';\nSELECT 2;\n')
        r = run(['deep.sql'], d, timeout=30)
        show('deep: ' + name, r)
        if not check(not is_crash(r), 'deep %s: no crash or hang' % name, r.describe()):
            continue
        check(r.status in (0, 1) and r.json is not None, 'deep %s: exit 0 or 1 with a report' % name,
              r.describe())
        if not r.json:
            continue
        check(r.json['summary']['statements'] == 2, 'deep %s: both statements seen' % name,
              str(r.json['summary']))
        errors = [f for f in r.findings if f['rule'] == 'syntax-error']
        check(all(f['line'] == 1 for f in errors), 'deep %s: nothing wrong on line 2' % name,
              r.describe())
        check(r.seconds < 10, 'deep %s: under 10 s' % name, '%.1f s' % r.seconds)
    for name, sql in FLAT.items():
        d = fresh_dir(tmp, 'flat-' + name.replace(' ', '-').replace(',', ''))
        write(os.path.join(d, 'flat.sql'), sql + ';\nSELECT 2;\n')
        r = run(['flat.sql'], d, timeout=30)
        show('flat: ' + name, r)
        check(not is_crash(r) and not [f for f in r.findings if f['rule'] == 'syntax-error'],
              'flat %s: parses' % name, r.describe())


def case_unterminated(tmp):
    cases = [
        ('dollar quote', "SELECT 1;\nCREATE FUNCTION f() RETURNS int AS $body$ SELECT 1;\n",
         2, 36, 'unterminated dollar-quoted string'),
        ('block comment', 'SELECT 1;\n/* never closed\nSELECT 2;\n', 2, 1, 'unterminated /* comment'),
        ('nested comment', 'SELECT 1; /* outer /* inner */ still open\n', 1, 11,
         'unterminated /* comment'),
        ('string', "SELECT 1;\nSELECT 'oops;\n", 2, 8, 'unterminated quoted string'),
        ('quoted identifier', 'SELECT 1;\nSELECT "oops;\n', 2, 8, 'unterminated quoted identifier'),
    ]
    for name, sql, line, col, msg in cases:
        d = fresh_dir(tmp, 'unterminated-' + name.replace(' ', '-'))
        write(os.path.join(d, 'u.sql'), sql)
        r = run(['u.sql'], d)
        expect_finding('unterminated ' + name, r, 'syntax-error', line, col, (msg,))
        check(r.json and r.json['summary']['statements'] >= 2,
              'unterminated %s: the statement before is linted' % name, r.describe())
    # the same in a file large enough to be parsed in chunks
    d = fresh_dir(tmp, 'unterminated-large')
    head = ''.join("INSERT INTO t VALUES (%d, 'row %d');\n" % (i, i) for i in range(120000))
    lines = head.count('\n')
    write(os.path.join(d, 'u.sql'), head + "CREATE INDEX i ON orders (a);\nSELECT $q$ never closed;\n"
          + "SELECT 3;\n" * 1000)
    r = run(['u.sql'], d)
    expect_finding('unterminated in 4 MB file', r, 'syntax-error', lines + 2, 8,
                   ('unterminated dollar-quoted string',))
    check([f['line'] for f in r.findings if f['rule'] == 'create-index-blocking'] == [lines + 1],
          'unterminated in 4 MB file: statements before it linted', r.describe())


def case_newer_syntax(tmp):
    """Syntax from releases after the parser's grammar: a syntax error whose text says which
    grammar pgsieve parses with."""
    cases = [
        ('NOT NULL ... NOT VALID (18)', 'ALTER TABLE t ADD CONSTRAINT t_a_nn NOT NULL a NOT VALID;\n', 1, 37),
        ('WITHOUT OVERLAPS (18)', 'ALTER TABLE r ADD PRIMARY KEY (id, valid_at WITHOUT OVERLAPS);\n', 1, 45),
        ('CHECK ... NOT ENFORCED (18)', 'ALTER TABLE t ADD CHECK (a > 0) NOT ENFORCED;\n', 1, 37),
        ('VIRTUAL generated column (18)',
         'CREATE TABLE t (a int, b int GENERATED ALWAYS AS (a * 2) VIRTUAL);\n', 1, 58),
    ]
    version = subprocess.run([PGSIEVE, '--version'], capture_output=True, text=True).stdout
    # "pgsieve 0.1.0 (PostgreSQL 17.4 grammar, ...)": messages name the major version or all of it
    grammar = version.split('PostgreSQL ')[1].split('.')[0] if 'PostgreSQL ' in version else '15'
    for name, sql, line, col in cases:
        d = fresh_dir(tmp, 'newer-' + name.split()[0])
        write(os.path.join(d, 'new.sql'), 'SELECT 1;\n' + sql)
        r = run(['--pg-version', '18', 'new.sql'], d)
        expect_finding('newer syntax: ' + name, r, 'syntax-error', line + 1, col,
                       ('PostgreSQL %s' % grammar, 'grammar'))
        r = run(['new.sql'], d)
        expect_finding('newer syntax, default target: ' + name, r, 'syntax-error', line + 1, col,
                       ('PostgreSQL %s' % grammar, 'grammar'))
        t = run(['--pg-version', '18', 'new.sql'], d, fmt='text')
        check('PostgreSQL %s' % grammar in t.out and 'grammar' in t.out, 'newer syntax %s: text output names the '
              'grammar' % name, t.out[:400])


def case_symlink_loop(tmp):
    d = fresh_dir(tmp, 'loop')
    os.makedirs(os.path.join(d, 'migrations', 'sub'))
    write(os.path.join(d, 'migrations', '001_a.sql'), 'SELECT 1;\n')
    write(os.path.join(d, 'migrations', 'sub', '002_b.sql'), 'SELECT 2;\n')
    os.symlink('..', os.path.join(d, 'migrations', 'sub', 'up'))
    os.symlink('.', os.path.join(d, 'migrations', 'self'))
    os.symlink('dangling-target', os.path.join(d, 'migrations', 'gone.sql'))
    r = run(['migrations'], d, timeout=20)
    show('symlink loop', r)
    if not check(not is_crash(r), 'symlink loop: no crash or hang', r.describe()):
        return
    check(r.status == 0, 'symlink loop: exit 0', r.describe())
    check('loop' in r.err and 'warning' in r.err, 'symlink loop: a warning on stderr', r.err)
    files = [f['path'] for f in r.json['files']] if r.json else []
    check(len(files) == 2, 'symlink loop: each file linted once', str(files))


def nobody():
    for name in ('nobody', 'daemon'):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            pass
    return None


def case_unreadable(tmp):
    user = None
    if os.geteuid() == 0:
        user = nobody()
        if not user or not shutil.which('setpriv'):
            print('SKIP unreadable: running as root (which reads any file) and there is no '
                  'unprivileged user or setpriv to run as')
            return
        # the unprivileged user must reach the binary and the temporary directory
        probe = subprocess.run(['setpriv', '--reuid=%d' % user.pw_uid, '--regid=%d' % user.pw_gid,
                                '--clear-groups', '--', PGSIEVE, '--version'], capture_output=True)
        if probe.returncode != 0:
            print('SKIP unreadable: user %s cannot run %s (%s)' % (user.pw_name, PGSIEVE,
                                                                    probe.stderr.decode().strip()))
            return
    d = fresh_dir(tmp, 'unreadable')
    os.chmod(tmp, 0o755)
    os.chmod(d, 0o755)
    secret = write(os.path.join(d, 'secret.sql'), 'SELECT 1;\n')
    os.chmod(secret, 0)
    ok = write(os.path.join(d, 'ok.sql'), 'CREATE INDEX i ON orders (a);\n')
    os.chmod(ok, 0o644)
    locked = os.path.join(d, 'locked')
    os.makedirs(locked)
    write(os.path.join(locked, 'inside.sql'), 'SELECT 1;\n')
    os.chmod(locked, 0)
    try:
        r = run(['secret.sql'], d, user=user)
        expect_tool_error('unreadable file', r, ('secret.sql',))
        r = run(['secret.sql', 'ok.sql'], d, user=user)
        expect_tool_error('unreadable file and findings', r, ('secret.sql',))
        check(r.json is not None and 'create-index-blocking' in r.rules(),
              'unreadable file and findings: the readable file is still linted', r.describe())
        r = run(['locked'], d, user=user)
        expect_tool_error('unreadable directory', r, ('locked',))
        r = run(['.'], d, user=user)
        expect_tool_error('unreadable directory inside', r, ('locked',))
    finally:
        os.chmod(locked, 0o755)
        os.chmod(secret, 0o644)


def case_missing(tmp):
    d = fresh_dir(tmp, 'missing')
    write(os.path.join(d, 'bad.sql'), 'CREATE INDEX i ON orders (a);\n')
    r = run(['no-such-file.sql'], d)
    expect_tool_error('missing path', r, ('no-such-file.sql',))
    r = run(['bad.sql', 'no/such/dir'], d)
    expect_tool_error('missing path and findings', r, ('no/such/dir',))
    r = run(['--output', 'no/such/dir/report.json', 'bad.sql'], d)
    expect_tool_error('missing output directory', r, ('no/such/dir/report.json',))
    r = subprocess.run([PGSIEVE, 'lint', '--config', 'no-such.yml', 'bad.sql'], cwd=d,
                       capture_output=True, text=True, timeout=30)
    expect_tool_error('missing config', Result(r.returncode, r.stdout, r.stderr, 0, 0),
                      ('no-such.yml',))


def case_directory_as_file(tmp):
    d = fresh_dir(tmp, 'dir-as-file')
    os.makedirs(os.path.join(d, 'looks-like.sql'))
    write(os.path.join(d, 'looks-like.sql', 'inner.sql'), 'SELECT 1;\n')
    write(os.path.join(d, 'x.sql'), 'SELECT 1;\n')
    r = run(['looks-like.sql'], d)
    show('directory named *.sql', r)
    check(r.status == 0 and r.json and len(r.json['files']) == 1,
          'directory named *.sql: walked as a directory', r.describe())
    r = run(['--output', 'looks-like.sql', 'x.sql'], d)
    expect_tool_error('directory as --output', r, ('looks-like.sql',))
    r = subprocess.run([PGSIEVE, 'lint', '--config', 'looks-like.sql', 'x.sql'], cwd=d,
                       capture_output=True, text=True, timeout=30)
    expect_tool_error('directory as --config', Result(r.returncode, r.stdout, r.stderr, 0, 0),
                      ('looks-like.sql',))


def case_odd_names(tmp):
    d = fresh_dir(tmp, 'odd names')
    sub = os.path.join(d, 'migrations déjà vu', 'schéma ✓')
    os.makedirs(sub)
    name = '0001 créer l’index #1 (100%).sql'
    write(os.path.join(sub, name), 'CREATE INDEX i ON orders (a);\n')
    rel = os.path.join('migrations déjà vu', 'schéma ✓', name)
    r = run([rel], d)
    expect_finding('spaces and non-ASCII', r, 'create-index-blocking', 1, 1)
    check(r.json and r.findings and r.findings[0]['file'] == rel,
          'spaces and non-ASCII: the path as given', r.describe())
    r = run(['migrations déjà vu'], d)
    check(r.status == 1 and r.json and
          [f['file'] for f in r.findings if f['rule'] == 'create-index-blocking'] == [rel],
          'spaces and non-ASCII: found by the directory walk', r.describe())
    t = run([rel], d, fmt='text')
    check(t.out.startswith(rel + ':1:1: '), 'spaces and non-ASCII: text output', t.out[:200])
    s = run([rel], d, fmt='sarif')
    try:
        uri = json.loads(s.out)['runs'][0]['results'][0]['locations'][0]['physicalLocation'][
            'artifactLocation']['uri']
    except (ValueError, KeyError, IndexError) as e:
        uri = 'no uri: %s' % e
    check(uri.startswith('migrations%20d%C3%A9j%C3%A0%20vu/') and ' ' not in uri and '#' not in uri,
          'spaces and non-ASCII: SARIF URI percent-encoded', uri)


CASES = {
    'binary': case_binary, 'nul': case_nul, 'utf8': case_utf8, 'empty': case_empty,
    'deep': case_deep, 'unterminated': case_unterminated, 'newer': case_newer_syntax,
    'loop': case_symlink_loop, 'unreadable': case_unreadable, 'missing': case_missing,
    'dir': case_directory_as_file, 'names': case_odd_names, 'big': case_big,
}


def main():
    global PGSIEVE, SANITIZED
    PGSIEVE = os.path.abspath(sys.argv[1])
    only = sys.argv[2:]
    if '--sanitized' in only:
        SANITIZED = True
        only.remove('--sanitized')
    tmp = tempfile.mkdtemp(prefix='pgsieve-bad-input-')
    try:
        for name, fn in CASES.items():
            if not only or name in only:
                fn(tmp)
    finally:
        for root, dirs, _ in os.walk(tmp):
            for x in dirs:
                p = os.path.join(root, x)
                if not os.path.islink(p):
                    os.chmod(p, 0o755)
        shutil.rmtree(tmp, ignore_errors=True)
    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
