#!/usr/bin/env python3
"""End-to-end tests of the pgsieve command line: configuration discovery and errors, --fail-on
and the exit codes, --select/--ignore, colour and NO_COLOR, --output, standard input.

usage: cli.py PATH/TO/pgsieve
Prints one line per failed check and "N passed, N failed"; exits 1 when anything failed.
"""
import os
import pty
import select
import subprocess
import sys
import tempfile

PGSIEVE = None
passed = failed = 0

# The timeouts are set so that only create-index-blocking reports this migration.
CREATE_INDEX = ("SET lock_timeout = '2s';\nSET statement_timeout = '10min';\n"
                'CREATE INDEX orders_created_idx ON orders (created_at);\n')
SYNTAX_ERROR = 'SELEC 1;\n'


def check(ok, what, detail=''):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print('FAIL %s%s' % (what, ('\n    ' + detail.replace('\n', '\n    ')) if detail else ''))
    return ok


def run(args, cwd, stdin=None, env=None):
    e = dict(os.environ)
    e.pop('NO_COLOR', None)
    if env:
        e.update(env)
    return subprocess.run([PGSIEVE] + args, cwd=cwd, input=stdin, capture_output=True, text=True,
                          env=e, timeout=60)


def run_tty(args, cwd, env=None):
    """Runs with standard output on a pseudo-terminal; returns (status, output)."""
    e = dict(os.environ)
    e.pop('NO_COLOR', None)
    e['TERM'] = 'xterm'
    if env:
        e.update(env)
    master, slave = pty.openpty()
    p = subprocess.Popen([PGSIEVE] + args, cwd=cwd, stdout=slave, stderr=subprocess.PIPE,
                         stdin=subprocess.DEVNULL, env=e)
    os.close(slave)
    out = b''
    while True:
        r, _, _ = select.select([master], [], [], 30)
        if not r:
            break
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    p.wait(timeout=60)
    p.stderr.close()
    return p.returncode, out.decode('utf-8', 'replace')


def expect(r, status, what, stdout_has=(), stdout_lacks=(), stderr_has=()):
    detail = 'exit %d\nstdout: %s\nstderr: %s' % (r.returncode, r.stdout, r.stderr)
    check(r.returncode == status, '%s: exit %d' % (what, status), detail)
    for s in stdout_has:
        check(s in r.stdout, '%s: stdout has %r' % (what, s), detail)
    for s in stdout_lacks:
        check(s not in r.stdout, '%s: stdout lacks %r' % (what, s), detail)
    for s in stderr_has:
        check(s in r.stderr, '%s: stderr has %r' % (what, s), detail)


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w', newline='') as f:
        f.write(text)


def test_config_discovery(tmp):
    repo = os.path.join(tmp, 'repo')
    os.makedirs(os.path.join(repo, '.git'))
    write(os.path.join(repo, '.pgsieve.yml'), 'rules:\n  create-index-blocking: info\n')
    write(os.path.join(repo, 'db', 'migrations', '001.sql'), CREATE_INDEX)
    # a config above the repository must not be used
    write(os.path.join(tmp, '.pgsieve.yml'), 'fail-on: info\n')

    # walking up from the file, from a directory, and with relative paths from inside
    for cwd, path in ((tmp, 'repo/db/migrations/001.sql'), (tmp, 'repo/db'),
                      (os.path.join(repo, 'db'), 'migrations'),
                      (os.path.join(repo, 'db', 'migrations'), '001.sql'),
                      (os.path.join(repo, 'db', 'migrations'), '.')):
        r = run(['lint', path], cwd)
        expect(r, 0, 'config found walking up from %s in %s' % (path, os.path.relpath(cwd, tmp)),
               stdout_has=['info: CREATE INDEX', '[create-index-blocking]'])

    # --no-config: the default severity (error) and exit 1
    r = run(['lint', '--no-config', 'repo/db'], tmp)
    expect(r, 1, '--no-config', stdout_has=['error: CREATE INDEX'])

    # --config FILE instead of the nearest one
    write(os.path.join(tmp, 'alt.yml'), 'ignore: [create-index-blocking]\n')
    r = run(['lint', '--config', 'alt.yml', 'repo/db'], tmp)
    expect(r, 0, '--config FILE', stdout_lacks=['create-index-blocking'])

    # .pgsieve.yaml is found too
    other = os.path.join(tmp, 'other')
    os.makedirs(os.path.join(other, '.git'))
    write(os.path.join(other, '.pgsieve.yaml'), 'ignore: [create-index-blocking]\n')
    write(os.path.join(other, 'm.sql'), CREATE_INDEX)
    r = run(['lint', 'other/m.sql'], tmp)
    expect(r, 0, '.pgsieve.yaml found', stdout_lacks=['create-index-blocking'])

    # two paths with different configuration files
    r = run(['lint', 'repo/db', 'other'], tmp)
    expect(r, 2, 'paths with different configs', stderr_has=['different configuration files'])

    # standard input: the config is looked up from --stdin-filename
    r = run(['lint', '--stdin-filename', 'repo/db/migrations/new.sql', '-'], tmp, stdin=CREATE_INDEX)
    expect(r, 0, 'stdin config from --stdin-filename',
           stdout_has=['repo/db/migrations/new.sql:3:1: info: CREATE INDEX'])


def test_config_errors(tmp):
    write(os.path.join(tmp, 'm.sql'), CREATE_INDEX)
    r = run(['lint', '--config', 'missing.yml', 'm.sql'], tmp)
    expect(r, 2, '--config with a missing file',
           stderr_has=["cannot read configuration file 'missing.yml'", 'No such file or directory'])
    check(r.stdout == '', '--config missing: no report on stdout', r.stdout)

    bad = os.path.join(tmp, 'badrepo')
    os.makedirs(os.path.join(bad, '.git'))
    write(os.path.join(bad, 'm.sql'), CREATE_INDEX)
    cases = [
        ('pg-version: 12\nfail_on: error\n', '.pgsieve.yml:2:', "unknown key 'fail_on'"),
        ('# settings\npg-version: 8\n', '.pgsieve.yml:2:', "'pg-version' takes a major version"),
        ('select:\n  - create-index-blocking\n  - no-such-rule\n', '.pgsieve.yml:3:',
         "unknown rule 'no-such-rule'"),
        ('rules:\n  create-index-blocking: loud\n', '.pgsieve.yml:2:', "'create-index-blocking'"),
        ('fail-on: error\nfail-on: info\n', '.pgsieve.yml:2:', "'fail-on' is set twice"),
        ('pg-version: 12\nselect: [a\n', '.pgsieve.yml:3:', 'invalid YAML'),
    ]
    for text, where, what in cases:
        write(os.path.join(bad, '.pgsieve.yml'), text)
        r = run(['lint', 'm.sql'], bad)
        expect(r, 2, 'bad config %r' % text, stderr_has=[where, what])
        check(r.stdout == '', 'bad config: no report on stdout', r.stdout)
    # the path in the message is the one found, relative to where pgsieve runs
    write(os.path.join(bad, '.pgsieve.yml'), 'pg-version: x\n')
    r = run(['lint', 'badrepo/m.sql'], tmp)
    expect(r, 2, 'bad config path as found', stderr_has=['badrepo/.pgsieve.yml:1:'])
    # --no-config skips even a broken file
    r = run(['lint', '--no-config', 'm.sql'], bad)
    expect(r, 1, '--no-config skips a bad file')


def test_fail_on(tmp):
    d = os.path.join(tmp, 'failon')
    os.makedirs(os.path.join(d, '.git'))
    write(os.path.join(d, 'error.sql'), CREATE_INDEX)
    write(os.path.join(d, 'clean.sql'), 'SELECT 1;\n')
    write(os.path.join(d, 'syntax.sql'), SYNTAX_ERROR)
    write(os.path.join(d, 'empty.sql'), '')

    # an error finding against each level
    for level, status in (('error', 1), ('warning', 1), ('info', 1), ('never', 0)):
        r = run(['lint', '--no-config', '--fail-on', level, 'error.sql'], d)
        expect(r, status, '--fail-on %s with an error' % level)
    # the same finding as info through the config file
    write(os.path.join(d, 'info.yml'), 'rules: {create-index-blocking: info}\n')
    for level, status in (('error', 0), ('warning', 0), ('info', 1), ('never', 0)):
        r = run(['lint', '--config', 'info.yml', '--fail-on', level, 'error.sql'], d)
        expect(r, status, '--fail-on %s with an info finding' % level, stdout_has=['info:'])
    # as warning
    write(os.path.join(d, 'warn.yml'), 'rules: {create-index-blocking: warning}\nfail-on: error\n')
    r = run(['lint', '--config', 'warn.yml', 'error.sql'], d)
    expect(r, 0, 'fail-on error from the file, warning finding')
    r = run(['lint', '--config', 'warn.yml', '--fail-on', 'warning', 'error.sql'], d)
    expect(r, 1, '--fail-on on the command line over the file')
    # the default is warning
    write(os.path.join(d, 'warn-only.yml'), 'rules: {create-index-blocking: warning}\n')
    r = run(['lint', '--config', 'warn-only.yml', 'error.sql'], d)
    expect(r, 1, 'default fail-on is warning', stdout_has=['warning:'])
    # syntax errors count as findings
    r = run(['lint', '--no-config', 'syntax.sql'], d)
    expect(r, 1, 'syntax error exits 1', stdout_has=['[syntax-error]'])
    # clean and empty files
    r = run(['lint', '--no-config', 'clean.sql', 'empty.sql'], d)
    expect(r, 0, 'clean files exit 0')
    # tool errors are 2, never 1
    r = run(['lint', '--no-config', '--fail-on', 'sometimes', 'error.sql'], d)
    expect(r, 2, 'bad --fail-on', stderr_has=['--fail-on'])
    r = run(['lint', '--no-config', 'no-such-file.sql'], d)
    expect(r, 2, 'missing path', stderr_has=['no-such-file.sql'])
    r = run(['lint', '--no-config', '--fail-on', 'never', 'error.sql', 'no-such-file.sql'], d)
    expect(r, 2, 'missing path with findings and fail-on never')
    r = run(['lint', '--no-config', '--bogus-option', 'error.sql'], d)
    expect(r, 2, 'unknown option')
    r = run(['lint'], d)
    expect(r, 2, 'no paths')


def test_select_ignore(tmp):
    d = os.path.join(tmp, 'sel')
    os.makedirs(os.path.join(d, '.git'))
    write(os.path.join(d, 'm.sql'), CREATE_INDEX + SYNTAX_ERROR + '-- pgsieve-ignore no-such-rule\nSELECT 1;\n')

    r = run(['lint', '--select', 'drop-table', 'm.sql'], d)
    expect(r, 1, '--select keeps syntax-error',
           stdout_has=['[syntax-error]'], stdout_lacks=['[create-index-blocking]', '[unused-suppression]'])
    r = run(['lint', '--select', 'create-index-blocking', '--ignore', 'syntax-error', 'm.sql'], d)
    expect(r, 1, '--select with --ignore syntax-error',
           stdout_has=['[create-index-blocking]'], stdout_lacks=['[syntax-error]', '[unused-suppression]'])
    r = run(['lint', '--ignore', 'create-index-blocking,syntax-error,unused-suppression', 'm.sql'], d)
    expect(r, 0, '--ignore several', stdout_lacks=['[create-index-blocking]', '[syntax-error]'])
    r = run(['lint', '--ignore', 'create-index-blocking', 'm.sql'], d)
    expect(r, 1, '--ignore one', stdout_has=['[syntax-error]', '[unused-suppression]'],
           stdout_lacks=['[create-index-blocking]'])

    r = run(['lint', '--select', 'no-such-rule', 'm.sql'], d)
    expect(r, 2, 'unknown rule in --select',
           stderr_has=["unknown rule 'no-such-rule' in --select; 'pgsieve rules' lists them"])
    r = run(['lint', '--ignore', 'create-index-blocking,nope', 'm.sql'], d)
    expect(r, 2, 'unknown rule in --ignore', stderr_has=["unknown rule 'nope' in --ignore"])

    # the command line's select replaces the file's, and runs what the file ignores
    write(os.path.join(d, '.pgsieve.yml'), 'select: [drop-table]\nignore: [create-index-blocking]\n')
    r = run(['lint', 'm.sql'], d)
    expect(r, 1, 'file select', stdout_has=['[syntax-error]'], stdout_lacks=['[create-index-blocking]'])
    r = run(['lint', '--select', 'create-index-blocking', 'm.sql'], d)
    expect(r, 1, 'command-line select over the file', stdout_has=['[create-index-blocking]'])
    r = run(['lint', '--select', 'create-index-blocking', '--ignore', 'create-index-blocking', 'm.sql'], d)
    expect(r, 1, 'command-line ignore over select', stdout_lacks=['[create-index-blocking]'])


def test_color(tmp):
    d = os.path.join(tmp, 'color')
    write(os.path.join(d, 'm.sql'), CREATE_INDEX)
    status, out = run_tty(['lint', '--no-config', 'm.sql'], d)
    check(status == 1, 'terminal: exit 1', out)
    check('\x1b[' in out, 'terminal: colour', repr(out))
    status, out = run_tty(['lint', '--no-config', 'm.sql'], d, env={'NO_COLOR': '1'})
    check(status == 1 and 'create-index-blocking' in out, 'NO_COLOR: report written', repr(out))
    check('\x1b[' not in out, 'NO_COLOR: no colour on a terminal', repr(out))
    r = run(['lint', '--no-config', 'm.sql'], d)
    check('\x1b[' not in r.stdout, 'no colour into a pipe', repr(r.stdout))
    # --output to a file from a terminal: no colour in the file
    status, out = run_tty(['lint', '--no-config', '--output', 'report.txt', 'm.sql'], d)
    with open(os.path.join(d, 'report.txt')) as f:
        text = f.read()
    check('create-index-blocking' in text and '\x1b[' not in text, '--output from a terminal: plain', repr(text))


def test_output(tmp):
    d = os.path.join(tmp, 'out')
    write(os.path.join(d, 'm.sql'), CREATE_INDEX)
    r = run(['lint', '--no-config', '--output', 'report.txt', 'm.sql'], d)
    expect(r, 1, '--output FILE')
    check(r.stdout == '', '--output FILE: nothing on stdout', r.stdout)
    with open(os.path.join(d, 'report.txt')) as f:
        text = f.read()
    check('m.sql:3:1: error: CREATE INDEX' in text, '--output FILE: the report is in the file', text)

    r = run(['lint', '--no-config', '--format', 'json', '--output', 'report.json', 'm.sql'], d)
    expect(r, 1, '--output with json')
    import json
    with open(os.path.join(d, 'report.json')) as f:
        try:
            doc = json.load(f)
            check(any(x.get('rule') == 'create-index-blocking' for x in doc.get('findings', [])),
                  '--output json: the finding is there', json.dumps(doc)[:500])
        except ValueError as e:
            check(False, '--output json: valid JSON', str(e))

    r = run(['lint', '--no-config', '--output', os.path.join(d, 'no', 'such', 'dir', 'r.txt'), 'm.sql'], d)
    expect(r, 2, '--output into a missing directory', stderr_has=['cannot write'])


def test_stdin(tmp):
    d = os.path.join(tmp, 'stdin')
    os.makedirs(os.path.join(d, '.git'))
    r = run(['lint', '--no-config', '--stdin-filename', 'db/001_orders.sql', '-'], d, stdin=CREATE_INDEX)
    expect(r, 1, 'stdin with --stdin-filename', stdout_has=['db/001_orders.sql:3:1: error: CREATE INDEX'])
    r = run(['lint', '--no-config', '-'], d, stdin=CREATE_INDEX)
    expect(r, 1, 'stdin without a name', stdout_has=['<stdin>:3:1:'])
    r = run(['lint', '--no-config', '-'], d, stdin='SELECT 1;\n')
    expect(r, 0, 'clean stdin')
    r = run(['lint', '--no-config', '-'], d, stdin='')
    expect(r, 0, 'empty stdin')
    # the working directory's config applies to stdin without a name
    write(os.path.join(d, '.pgsieve.yml'), 'ignore: [create-index-blocking]\n')
    r = run(['lint', '-'], d, stdin=CREATE_INDEX)
    expect(r, 0, 'stdin uses the config of the working directory', stdout_lacks=['create-index-blocking'])


def test_order(tmp):
    """Findings come in the order of their place in the file, also those a rule reports at the
    end of the migration (prefer-robust-statements only knows at the end that the file runs
    outside a transaction)."""
    write(os.path.join(tmp, 'm.sql'),
          "SET lock_timeout = '2s';\nSET statement_timeout = '10min';\n"
          'ALTER TABLE orders ADD COLUMN note text;\n'
          'UPDATE orders SET note = 1;\n'
          'CREATE INDEX CONCURRENTLY orders_note_idx ON orders (note);\n')
    r = run(['lint', '--no-config', '--format', 'json', 'm.sql'], tmp)
    import json
    places = [(f['line'], f['column'], f['rule']) for f in json.loads(r.stdout)['findings']]
    rules = {p[2] for p in places}
    check({'prefer-robust-statements', 'unbatched-backfill'} <= rules,
          'order: the migration draws findings of a finish() rule and of a statement rule', str(places))
    check(places == sorted(places, key=lambda p: (p[0], p[1])), 'order: findings sorted by place', str(places))


def main():
    global PGSIEVE
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    PGSIEVE = os.path.abspath(sys.argv[1])
    with tempfile.TemporaryDirectory(prefix='pgsieve-cli-') as tmp:
        for t in (test_config_discovery, test_config_errors, test_fail_on, test_select_ignore,
                  test_color, test_output, test_stdin, test_order):
            sub = os.path.join(tmp, t.__name__)
            os.makedirs(sub)
            t(sub)
    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
