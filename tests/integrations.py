#!/usr/bin/env python3
"""pgsieve where users meet it, tested with the real tools that run here: the GitHub, GitLab,
JUnit and Markdown reports (escaping, schemas, parsers), baselines, the pre-commit hooks
(pre-commit try-repo and a real `git commit`), the GitHub composite action and the GitLab CI
template (their YAML, and their scripts run against a scratch repository), `meson install`,
the man page, and a `meson dist` tarball that builds.

usage: integrations.py PATH/TO/pgsieve SOURCE_ROOT BUILD_ROOT [SECTION...]
Prints one line per failed check and "N passed, N failed"; exits 1 when anything failed.
Sections: cli reports baseline precommit action gitlab install dist (default: all).
"""
import http.server
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import xml.etree.ElementTree as ET

import jsonschema
import yaml

PGSIEVE = SOURCE = BUILD = None
passed = failed = 0

# A table the linted file did not create, so indexing it blocks writes.
CREATE_INDEX = 'CREATE INDEX orders_created_idx ON orders (created_at);\n'
CREATE_TABLE = 'CREATE TABLE orders (id bigint PRIMARY KEY, created_at timestamptz NOT NULL);\n'
# A migration no rule has anything to say about.
GOOD = 'CREATE TABLE customers (id bigint PRIMARY KEY, name text NOT NULL);\n'
# Only these rules, so that rules added later do not change what the tests count.
SELECT = ['--no-config', '--select', 'create-index-blocking,drop-index-blocking']


def check(ok, what, detail=''):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print('FAIL %s%s' % (what, ('\n    ' + str(detail).replace('\n', '\n    ')) if detail else ''))
    return ok


def run(args, cwd, env=None, stdin=None, timeout=120):
    e = dict(os.environ)
    for k in ('GITHUB_STEP_SUMMARY', 'NO_COLOR', 'CI_MERGE_REQUEST_DIFF_BASE_SHA'):
        e.pop(k, None)
    if env:
        e.update(env)
    return subprocess.run(args, cwd=cwd, input=stdin, capture_output=True, text=True, env=e,
                          timeout=timeout)


def lint(args, cwd, env=None):
    return run([PGSIEVE, 'lint'] + args, cwd, env)


def detail(r):
    return 'exit %d\nstdout: %s\nstderr: %s' % (r.returncode, r.stdout[-3000:], r.stderr[-3000:])


def write(path, text):
    os.makedirs(os.path.dirname(path) or '.', exist_ok=True)
    with open(path, 'w', newline='') as f:
        f.write(text)


def read(path):
    with open(path, encoding='utf-8', newline='') as f:
        return f.read()


def findings_json(args, cwd):
    r = lint(args + ['--format', 'json'], cwd)
    return json.loads(r.stdout)


# Git runs with a configuration of its own: no user settings (signing, hooks paths) leak in.
GIT_ENV = {
    'GIT_CONFIG_NOSYSTEM': '1', 'GIT_CONFIG_GLOBAL': os.devnull, 'GIT_AUTHOR_NAME': 'pgsieve tests',
    'GIT_AUTHOR_EMAIL': 'tests@pgsieve.invalid', 'GIT_COMMITTER_NAME': 'pgsieve tests',
    'GIT_COMMITTER_EMAIL': 'tests@pgsieve.invalid',
}


def git(args, cwd, env=None):
    e = dict(GIT_ENV)
    if env:
        e.update(env)
    r = run(['git', '-c', 'init.defaultBranch=main', '-c', 'commit.gpgsign=false'] + args, cwd, e)
    if r.returncode != 0:
        raise RuntimeError('git %s failed in %s:\n%s' % (' '.join(args), cwd, r.stderr))
    return r.stdout


def git_repo(path, files):
    """A new repository at path holding files ({relative path: text}), committed on main."""
    os.makedirs(path, exist_ok=True)
    git(['init', '-q'], path)
    for name, text in files.items():
        write(os.path.join(path, name), text)
    git(['add', '-A'], path)
    git(['commit', '-q', '-m', 'start'], path)
    return path


def source_copy(dest):
    """The source tree as it is now (tracked and untracked files, not build output), committed
    in a repository of its own: pre-commit and meson dist take committed trees."""
    try:
        out = subprocess.run(['git', '-C', SOURCE, 'ls-files', '-z', '--cached', '--others',
                              '--exclude-standard'], capture_output=True, check=True).stdout
        names = [n for n in out.decode().split('\0') if n]
    except (subprocess.CalledProcessError, FileNotFoundError):
        names = []
        for root, dirs, files in os.walk(SOURCE):
            dirs[:] = [d for d in dirs if not d.startswith(('build', '.git', '__pycache__'))]
            names += [os.path.relpath(os.path.join(root, f), SOURCE) for f in files]
    for name in names:
        src = os.path.join(SOURCE, name)
        if os.path.isfile(src):  # a deleted but tracked file is listed too
            os.makedirs(os.path.dirname(os.path.join(dest, name)), exist_ok=True)
            shutil.copy2(src, os.path.join(dest, name))
    # libpg_query's release tarball in meson's package cache (ci/deps.sh put it there): this
    # machine cannot download it, so the copy commits it, where a user's clone would download it
    cache = os.path.join(SOURCE, 'subprojects', 'packagecache')
    if os.path.isdir(cache):
        shutil.copytree(cache, os.path.join(dest, 'subprojects', 'packagecache'))
    git(['init', '-q'], dest)
    git(['add', '-A'], dest)
    if os.path.isdir(cache):
        git(['add', '-f', 'subprojects/packagecache'], dest)
    git(['commit', '-q', '-m', 'pgsieve as tested'], dest)
    return dest


# ---- GitHub workflow commands ----

def gh_unescape(s):
    table = {'%25': '%', '%0D': '\r', '%0A': '\n', '%3A': ':', '%2C': ','}
    return re.sub(r'%(25|0D|0A|3A|2C)', lambda m: table[m.group(0)], s)


def gh_parse(line):
    """A workflow command line: (command, {property: value}, message), unescaped. The
    escaping makes this split unambiguous: properties hold no raw ':' or ','."""
    m = re.match(r'^::(\w+) ([^:]*)::(.*)$', line)
    if not m:
        return None
    props = {}
    for item in m.group(2).split(','):
        k, _, v = item.partition('=')
        props[k] = gh_unescape(v)
    return m.group(1), props, gh_unescape(m.group(3)), m.group(2), m.group(3)


def test_github(tmp):
    # a path with a comma, a colon and a percent sign; a table name with %, CR and LF
    d = os.path.join(tmp, 'gh')
    path = 'db,x:y/m%1,a:b.sql'
    write(os.path.join(d, path), 'CREATE INDEX idx ON "we%ird\r\nname" (a);\n')
    r = lint(SELECT + ['--format', 'github', 'db,x:y'], d)
    check(r.returncode == 1, 'github: exit 1 on an error', detail(r))
    lines = r.stdout.split('\n')
    check(lines[-1] == '' and len(lines) == 2, 'github: one line per finding, no raw newline',
          repr(r.stdout))
    check('\r' not in r.stdout, 'github: no raw CR in the output', repr(r.stdout))
    want = findings_json(SELECT + ['db,x:y'], d)['findings']
    parsed = gh_parse(lines[0])
    if check(parsed is not None and len(want) == 1, 'github: a workflow command', repr(r.stdout)):
        cmd, props, msg, raw_props, raw_msg = parsed
        f = want[0]
        check(cmd == 'error', 'github: ::error for an error', cmd)
        check(props.get('file') == path, 'github: file property round-trips', props)
        check(':' not in raw_props.replace('::', '') and raw_props.count(',') == 5,
              'github: ":" and "," escaped in properties', raw_props)
        check('%2C' in raw_props and '%3A' in raw_props and '%25' in raw_props,
              'github: %2C %3A %25 in the file property', raw_props)
        check(props.get('line') == str(f['line']) and props.get('col') == str(f['column'])
              and props.get('endLine') == str(f['end_line'])
              and props.get('endColumn') == str(f['end_column']),
              'github: line, col, endLine, endColumn', props)
        check(props.get('title') == 'create-index-blocking', 'github: title is the rule', props)
        check(msg == f['message'] + '\nhelp: ' + f['help'], 'github: message and help round-trip',
              repr(msg))
        check('%0D%0A' in raw_msg and '%25' in raw_msg and '\r' not in raw_msg,
              'github: %, CR, LF escaped in the message', raw_msg)
        check('we%ird\r\nname' in msg, 'github: the table name comes back as written', repr(msg))

    # the job summary: appended to $GITHUB_STEP_SUMMARY, every finding even past ten a level
    many = os.path.join(tmp, 'many')
    write(os.path.join(many, '001.sql'),
          ''.join('CREATE INDEX i%d ON orders (c%d);\nDROP INDEX j%d;\n' % (i, i, i) for i in range(12)))
    summary = os.path.join(tmp, 'summary.md')
    write(summary, 'earlier step\n')
    r = lint(SELECT + ['--format', 'github', '001.sql'], many, env={'GITHUB_STEP_SUMMARY': summary})
    check(r.returncode == 1, 'github summary: exit 1', detail(r))
    annotations = [l for l in r.stdout.splitlines() if l.startswith('::')]
    check(len(annotations) == 24, 'github summary: 24 annotations on stdout', len(annotations))
    text = read(summary)
    check(text.startswith('earlier step\n'), 'github summary: appended, not overwritten', text[:200])
    check(text.count('[create-index-blocking]') == 12 and text.count('[drop-index-blocking]') == 12,
          'github summary: all 24 findings, past 10 per level', text)
    check('## pgsieve: 24 errors' in text, 'github summary: the counts', text[:300])
    check('::' not in text, 'github summary: no workflow commands in it', text[:300])

    # unset or empty: nothing is written anywhere, stdout holds only the annotations
    before = set(os.listdir(many))
    for env in ({}, {'GITHUB_STEP_SUMMARY': ''}):
        r = lint(SELECT + ['--format', 'github', '001.sql'], many, env=env)
        check(all(l.startswith('::error ') for l in r.stdout.splitlines()) and r.stderr == '',
              'github without a summary file (%r): only annotations' % env, detail(r))
    check(set(os.listdir(many)) == before, 'github without a summary file: no file written',
          set(os.listdir(many)) - before)


# ---- GitLab Code Quality ----

def test_gitlab(tmp):
    d = os.path.join(tmp, 'gl')
    write(os.path.join(d, 'migrations', '001_orders.sql'), CREATE_TABLE)
    write(os.path.join(d, 'migrations', '002_index.sql'), CREATE_INDEX + CREATE_INDEX + 'DROP INDEX x;\n')
    write(os.path.join(d, 'migrations', '003_more.sql'),
          'CREATE INDEX a ON orders (id);\nDROP INDEX b;\n-- pgsieve-ignore no-such-rule\nSELECT 1;\n')
    with open(os.path.join(SOURCE, 'tests', 'schemas', 'gitlab-codequality.json')) as f:
        schema = json.load(f)
    jsonschema.Draft7Validator.check_schema(schema)
    validator = jsonschema.Draft7Validator(schema)
    for path in ('migrations', './migrations'):
        r = lint(['--no-config', '--format', 'gitlab', path], d)
        check(r.returncode == 1, 'gitlab %s: exit 1' % path, detail(r))
        try:
            report = json.loads(r.stdout)
        except ValueError as e:
            check(False, 'gitlab %s: JSON' % path, '%s\n%s' % (e, r.stdout[:500]))
            continue
        errors = sorted(validator.iter_errors(report), key=lambda e: list(e.path))
        check(not errors, 'gitlab %s: valid against the Code Quality schema' % path,
              '\n'.join('%s: %s' % (list(e.path), e.message) for e in errors[:5]))
        fps = [i['fingerprint'] for i in report]
        check(len(fps) == len(set(fps)), 'gitlab %s: fingerprints unique' % path, fps)
        want = findings_json(['--no-config', path], d)['findings']
        check(len(report) == len(want) >= 6, 'gitlab %s: every finding' % path,
              '%d vs %d' % (len(report), len(want)))
        sev = {'error': 'critical', 'warning': 'major', 'info': 'info'}
        check(all(i['severity'] == sev[f['severity']] and i['check_name'] == f['rule']
                  and i['location']['lines']['begin'] == f['line']
                  and i['location']['path'] == f['file'].lstrip('./')
                  and i['description'] == f['message'] for i, f in zip(report, want)),
              'gitlab %s: severity, rule, line, path, description' % path)
        check(any(i['check_name'] == 'unused-suppression' for i in report),
              'gitlab %s: a warning-level finding too' % path)
    # the same findings in a later pipeline keep their fingerprints; a moved one too
    r1 = json.loads(lint(['--no-config', '--format', 'gitlab', 'migrations'], d).stdout)
    write(os.path.join(d, 'migrations', '002_index.sql'),
          '\n\n-- moved down\n' + CREATE_INDEX + CREATE_INDEX + 'DROP INDEX x;\n')
    r2 = json.loads(lint(['--no-config', '--format', 'gitlab', 'migrations'], d).stdout)
    check(sorted(i['fingerprint'] for i in r1) == sorted(i['fingerprint'] for i in r2),
          'gitlab: fingerprints survive moved lines')
    # nothing found: an empty array, still valid
    write(os.path.join(d, 'clean', '001.sql'), GOOD)
    r = lint(['--no-config', '--format', 'gitlab', 'clean'], d)
    check(r.returncode == 0 and json.loads(r.stdout) == [], 'gitlab: no findings, []', detail(r))


# ---- JUnit ----

def test_junit(tmp):
    d = os.path.join(tmp, 'junit')
    write(os.path.join(d, 'm', '001_a&b<c>.sql'),
          'CREATE INDEX i ON "x<y>&\'z\x01\r\nw" (a);\nDROP INDEX j;\n')
    write(os.path.join(d, 'm', '002_clean.sql'), GOOD)
    write(os.path.join(d, 'm', '003_info.sql'), 'CREATE INDEX k ON orders (id);\n')
    # drop-index-blocking as info: 001 gets a failure and a system-out line
    cfg = os.path.join(d, 'info.yml')
    write(cfg, 'select: [create-index-blocking, drop-index-blocking]\nrules:\n  drop-index-blocking: info\n')
    r = lint(['--config', cfg, '--format', 'junit', 'm'], d)
    check(r.returncode == 1, 'junit: exit 1', detail(r))
    try:
        root = ET.fromstring(r.stdout)
    except ET.ParseError as e:
        check(False, 'junit: well-formed XML', '%s\n%s' % (e, r.stdout))
        return
    check(True, 'junit: well-formed XML')
    want = findings_json(['--config', cfg, 'm'], d)
    cases = root.findall('./testsuite/testcase')
    check([c.get('name') for c in cases] == [f['path'] for f in want['files']],
          'junit: one testcase per file, named by path', [c.get('name') for c in cases])
    for c in cases:
        mine = [f for f in want['findings'] if f['file'] == c.get('name')]
        failing = [f for f in mine if f['severity'] in ('error', 'warning')]
        fails = c.findall('failure')
        check(len(fails) == len(failing), 'junit %s: one failure per finding at warning or above'
              % c.get('name'), '%d vs %d' % (len(fails), len(failing)))
        for fe, f in zip(fails, failing):
            check(fe.get('type') == f['rule'], 'junit: failure type is the rule', fe.get('type'))
            # XML 1.0 cannot carry \x01: it becomes a space; everything else round-trips
            check(fe.get('message') == f['message'].replace('\x01', ' '),
                  'junit: message attribute round-trips (CR, LF, quotes, <, &)',
                  '%r\n%r' % (fe.get('message'), f['message']))
            check(fe.text.startswith('%s:%d:%d: %s: ' % (f['file'], f['line'], f['column'], f['severity'])),
                  'junit: failure text starts with the location', fe.text[:100])
        infos = [f for f in mine if f['severity'] == 'info']
        out = c.find('system-out')
        check((out is not None) == bool(infos), 'junit %s: info findings in system-out' % c.get('name'))
    suite = root.find('testsuite')
    total = sum(1 for f in want['findings'] if f['severity'] != 'info')
    check(suite.get('tests') == str(len(cases)) and suite.get('failures') == str(total),
          'junit: tests and failures counts', suite.attrib)


# ---- Markdown ----

def test_markdown(tmp):
    d = os.path.join(tmp, 'md')
    write(os.path.join(d, 'm', '001_orders.sql'), CREATE_TABLE)
    write(os.path.join(d, 'm', '002_a|b.sql'), 'CREATE INDEX i ON "pipe|table" (a);\n')
    write(os.path.join(d, 'm', '003_drop.sql'), 'DROP INDEX j;\nCREATE INDEX k ON orders (id);\n')
    r = lint(SELECT + ['--format', 'markdown', 'm'], d)
    check(r.returncode == 1, 'markdown: exit 1', detail(r))
    text = r.stdout
    want = findings_json(SELECT + ['m'], d)
    check(text.startswith('## pgsieve: 3 errors, 0 warnings, 0 info\n'), 'markdown: heading with counts',
          text[:200])
    rows = [l for l in text.splitlines() if l.startswith('| ')]
    check(rows[0].startswith('| migration | framework | runs in | down |'), 'markdown: table header',
          rows[:1])
    body = rows[1:]
    check(len(body) == len(want['files']), 'markdown: a row per migration', body)
    for row in body:
        cells = re.split(r'(?<!\\)\|', row)
        check(len(cells) == 8, 'markdown: six cells, "|" in a path escaped', row)
    check(any('`m/002_a\\|b.sql`' in row for row in body), 'markdown: the path with "|" escaped', body)
    # grouped by migration, in order, each finding under its own file
    heads = re.findall(r'^### `(.*)`$', text, re.M)
    check(heads == ['m/002_a\\|b.sql', 'm/003_drop.sql'], 'markdown: a section per migration with findings',
          heads)
    sections = re.split(r'^### ', text, flags=re.M)[1:]
    if len(sections) == 2:
        check(sections[0].count('[create-index-blocking]') == 1 and 'drop-index' not in sections[0],
              'markdown: 002 holds its finding only', sections[0])
        check('[drop-index-blocking]' in sections[1] and '[create-index-blocking]' in sections[1],
              'markdown: 003 holds both of its findings', sections[1])
        check('"pipe\\|table"' in sections[0] and '"pipe|table"' not in sections[0],
              'markdown: "|" in a message escaped', sections[0])
        check('SHARE lock' in sections[0] and 'safe way: ' in sections[0]
              and 'CONCURRENTLY' in sections[0], 'markdown: the lock and the safe recipe', sections[0])
        check('/docs/rules/create-index-blocking.md)' in sections[0], 'markdown: a link to the rule doc')


# ---- baselines ----

def test_baseline(tmp):
    d = os.path.join(tmp, 'bl')
    m = os.path.join(d, 'migrations')
    write(os.path.join(m, '001.sql'), CREATE_TABLE)
    old = 'CREATE INDEX old_idx ON orders (created_at);\n'
    write(os.path.join(m, '002.sql'), old + 'DROP INDEX gone_idx;\n')
    base = os.path.join(d, 'baseline.json')
    r = lint(SELECT + ['--write-baseline', base, 'migrations'], d)
    check(r.returncode == 1 and 'wrote 2 findings' in r.stderr, 'baseline: written', detail(r))
    data = json.loads(read(base))
    check(data.get('pgsieve_baseline') == 1 and len(data.get('findings', [])) == 2,
          'baseline: two findings recorded', data)

    def new_findings():
        r = lint(SELECT + ['--baseline', base, '--format', 'json', 'migrations'], d)
        return r, json.loads(r.stdout)['findings'] if r.stdout.startswith('{') else None

    r, found = new_findings()
    check(r.returncode == 0 and found == [], 'baseline: nothing new, exit 0', detail(r))
    # a new finding in a new migration: only it is reported
    write(os.path.join(m, '003.sql'), 'CREATE INDEX new_idx ON orders (id);\n')
    r, found = new_findings()
    check(r.returncode == 1 and [(f['file'], f['rule']) for f in found or []]
          == [('migrations/003.sql', 'create-index-blocking')], 'baseline: only the new finding', detail(r))
    os.remove(os.path.join(m, '003.sql'))
    # the old findings moved down by inserted lines (and reformatted): still recognised
    write(os.path.join(m, '002.sql'), '-- a comment\n\n\nSELECT 1;\n\n' + old.replace(' ON ', '\n    ON  ')
          + '\n\nDROP   INDEX gone_idx;\n')
    r, found = new_findings()
    check(r.returncode == 0 and found == [], 'baseline: moved findings still recognised', detail(r))
    # a copy of an old mistake is new
    write(os.path.join(m, '002.sql'), old + 'DROP INDEX gone_idx;\n' + old)
    r, found = new_findings()
    check(r.returncode == 1 and len(found or []) == 1 and found[0]['rule'] == 'create-index-blocking',
          'baseline: a second identical statement is new', detail(r))
    # the same statement in another file is new too
    write(os.path.join(m, '002.sql'), old + 'DROP INDEX gone_idx;\n')
    write(os.path.join(m, '004.sql'), old)
    r, found = new_findings()
    check(r.returncode == 1 and [f['file'] for f in found or []] == ['migrations/004.sql'],
          'baseline: the same statement in another file is new', detail(r))
    os.remove(os.path.join(m, '004.sql'))
    # broken baselines: exit 2 with a message that says what to do
    for name, text, msg in (('corrupt.json', '{"pgsieve_baseline": 1, "findings": [', 'not valid JSON'),
                            ('other.json', '[1, 2]', 'not a pgsieve baseline'),
                            ('future.json', '{"pgsieve_baseline": 99, "findings": []}',
                             'is a baseline of version 99; this pgsieve reads version 1')):
        write(os.path.join(d, name), text)
        r = lint(SELECT + ['--baseline', name, 'migrations'], d)
        check(r.returncode == 2 and "'%s'" % name in r.stderr and msg in r.stderr,
              'baseline: %s exits 2 with a message' % name, detail(r))
        if name != 'future.json':
            check('--write-baseline' in r.stderr, 'baseline: %s: the message says how to fix it' % name,
                  r.stderr)
    r = lint(SELECT + ['--baseline', 'missing.json', 'migrations'], d)
    check(r.returncode == 2 and "cannot read the baseline 'missing.json'" in r.stderr
          and '--write-baseline' in r.stderr, 'baseline: a missing file exits 2 and says how to make one',
          detail(r))


# ---- pre-commit ----

def precommit_env(tmp, path_dirs=()):
    env = dict(GIT_ENV)
    env['PRE_COMMIT_HOME'] = os.path.join(tmp, 'pre-commit-home')
    env['HOME'] = os.path.join(tmp, 'home')
    env['PATH'] = os.pathsep.join(list(path_dirs) + [os.environ.get('PATH', '/usr/bin:/bin')])
    os.makedirs(env['HOME'], exist_ok=True)
    return env


def test_precommit(tmp):
    if not check(shutil.which('pre-commit') is not None, 'pre-commit is installed (apt-get install pre-commit)'):
        return
    hooks = os.path.join(SOURCE, '.pre-commit-hooks.yaml')
    r = run(['pre-commit', 'validate-manifest', hooks], SOURCE)
    check(r.returncode == 0, 'pre-commit validate-manifest .pre-commit-hooks.yaml', detail(r))
    manifest = yaml.safe_load(read(hooks))
    ids = {h['id']: h for h in manifest}
    check(set(ids) >= {'pgsieve', 'pgsieve-build', 'pgsieve-binary'}, 'hooks: pgsieve, pgsieve-build and '
          'pgsieve-binary', ids.keys())
    check(all(h.get('require_serial') is True for h in manifest), 'hooks: require_serial')
    check(all(re.search(h.get('files', ''), 'db/migrations/001_init.sql') for h in manifest),
          'hooks: .sql files match')

    repo = source_copy(os.path.join(tmp, 'pgsieve-repo'))
    project = git_repo(os.path.join(tmp, 'project'), {
        'migrations/001_orders.sql': CREATE_TABLE,
        'migrations/002_customers.sql': GOOD,
    })
    write(os.path.join(project, 'migrations', '003_index.sql'), CREATE_INDEX)
    write(os.path.join(project, 'migrations', '004_more.sql'), GOOD.replace('customers', 'suppliers'))
    git(['add', 'migrations'], project)
    env = precommit_env(tmp)

    # the hook that downloads the release binary once into pre-commit's checkout (a local
    # server stands for the GitHub release)
    version = json.loads(run(meson_cmd() + ['introspect', '--projectinfo', BUILD], BUILD).stdout)['version']
    tarball, data = release_tarball(version)
    server, url = recorder({tarball: data})
    try:
        env_dl = dict(env, PGSIEVE_RELEASE_URL=url)
        r = run(['pre-commit', 'try-repo', repo, 'pgsieve-binary', '--files',
                 'migrations/003_index.sql', 'migrations/004_more.sql'], project, env_dl, timeout=300)
        check(r.returncode == 1 and 'migrations/003_index.sql:1:1: error' in r.stdout
              and 'create-index-blocking' in r.stdout, 'pre-commit try-repo pgsieve-binary: fails on the bad '
              'migration', detail(r))
        # from a config, pre-commit keeps its checkout (and the binary in it) between runs
        config = os.path.join(tmp, 'binary-hook.yaml')
        write(config, 'repos:\n  - repo: %s\n    rev: %s\n    hooks:\n      - id: pgsieve-binary\n'
              % (repo, git(['rev-parse', 'HEAD'], repo).strip()))
        counts = []
        for _ in range(2):
            r = run(['pre-commit', 'run', '-c', config, 'pgsieve-binary', '--files', 'migrations/004_more.sql'],
                    project, env_dl, timeout=300)
            check(r.returncode == 0 and 'Passed' in r.stdout, 'pre-commit run pgsieve-binary: passes a good one',
                  detail(r))
            counts.append(len(server.log))
        check(counts == [2, 2] and all(l[1] == '/' + tarball for l in server.log),
              'pgsieve-binary: downloaded once into pre-commit\'s checkout, then reused', server.log)
    finally:
        server.shutdown()
    r = run(['pre-commit', 'try-repo', repo, 'pgsieve-binary', '--files', 'migrations/004_more.sql'],
            project, dict(env, PGSIEVE_RELEASE_URL='http://127.0.0.1:9/none'), timeout=300)
    check(r.returncode == 0 or ('cannot download' in r.stdout and '127.0.0.1:9' in r.stdout),
          'pgsieve-binary: a failed download says what it tried', detail(r))

    # pre-commit try-repo with the hook that builds pgsieve from the repository
    r = run(['pre-commit', 'try-repo', repo, 'pgsieve-build', '--files',
             'migrations/003_index.sql', 'migrations/004_more.sql'], project, env, timeout=600)
    check(r.returncode == 1 and 'migrations/003_index.sql:1:1: error' in r.stdout
          and 'create-index-blocking' in r.stdout and '004_more' not in r.stdout.split('Failed')[-1],
          'pre-commit try-repo pgsieve-build: fails on the bad migration only', detail(r))
    r = run(['pre-commit', 'try-repo', repo, 'pgsieve-build', '--files', 'migrations/004_more.sql'],
            project, env, timeout=600)
    check(r.returncode == 0 and 'Passed' in r.stdout, 'pre-commit try-repo pgsieve-build: passes a good one',
          detail(r))

    # installed as a git hook from .pre-commit-config.yaml: `git commit` runs it
    rev = git(['rev-parse', 'HEAD'], repo).strip()
    write(os.path.join(project, '.pre-commit-config.yaml'),
          'repos:\n  - repo: %s\n    rev: %s\n    hooks:\n      - id: pgsieve-build\n' % (repo, rev))
    git(['add', '.pre-commit-config.yaml'], project)
    r = run(['pre-commit', 'install'], project, env)
    check(r.returncode == 0, 'pre-commit install', detail(r))
    r = run(['git', 'commit', '-m', 'bad and good'], project, env, timeout=600)
    check(r.returncode != 0 and 'create-index-blocking' in r.stdout + r.stderr,
          'git commit with the hook: a bad migration is refused', detail(r))
    git(['reset', '-q', 'migrations/003_index.sql'], project)
    r = run(['git', 'commit', '-m', 'good only'], project, env, timeout=600)
    check(r.returncode == 0, 'git commit with the hook: a good migration goes in', detail(r))
    # the staged file is linted with the earlier migrations as context: an index on a table
    # created in an earlier, committed migration is still an index on an existing table
    write(os.path.join(project, 'migrations', '005_new_table.sql'),
          'CREATE TABLE t5 (id bigint PRIMARY KEY);\nCREATE INDEX t5_idx ON t5 (id);\n')
    git(['add', 'migrations/005_new_table.sql'], project)
    r = run(['git', 'commit', '-m', 'table and index together'], project, env, timeout=600)
    check(r.returncode == 0, 'git commit with the hook: an index on a table new in the migration passes',
          detail(r))

    # the `pgsieve` hook (language: system) with pgsieve on PATH
    bindir = os.path.join(tmp, 'bin')
    os.makedirs(bindir, exist_ok=True)
    shutil.copy2(PGSIEVE, os.path.join(bindir, 'pgsieve'))
    env_path = precommit_env(tmp, [bindir])
    r = run(['pre-commit', 'try-repo', repo, 'pgsieve', '--files', 'migrations/003_index.sql'],
            project, env_path, timeout=300)
    check(r.returncode == 1 and 'create-index-blocking' in r.stdout,
          'pre-commit try-repo pgsieve (system): fails on the bad migration', detail(r))
    r = run(['pre-commit', 'try-repo', repo, 'pgsieve', '--files', 'migrations/004_more.sql'],
            project, env_path, timeout=300)
    check(r.returncode == 0, 'pre-commit try-repo pgsieve (system): passes a good one', detail(r))
    git(['add', 'migrations/003_index.sql'], project)  # --all-files means the files git tracks
    r = run(['pre-commit', 'try-repo', repo, 'pgsieve', '--all-files'], project, env_path, timeout=300)
    check(r.returncode == 1 and '003_index.sql' in r.stdout and '001_orders' not in r.stdout,
          'pre-commit try-repo pgsieve --all-files: only the bad migration reported', detail(r))


# ---- the GitHub composite action ----

def gh_expr(value, ctx):
    """Replaces ${{ ... }} in a step's env or with: values; only the contexts the action's
    scripts may use are known, so an unexpected expression fails the test."""
    def one(m):
        expr = m.group(1).strip()
        if expr not in ctx:
            raise KeyError('unknown expression %r' % expr)
        return ctx[expr]
    return re.sub(r'\$\{\{(.*?)\}\}', one, str(value))


def gh_if(cond, ctx):
    """The action's step conditions: `a == 'x'`, `a != ''`, joined with &&."""
    if cond is None:
        return True
    result = True
    for part in str(cond).split('&&'):
        m = re.match(r"^\s*([\w.-]+)\s*(==|!=)\s*'([^']*)'\s*$", part)
        if not m:
            raise ValueError('unsupported condition %r' % cond)
        value = ctx[m.group(1)]
        result = result and ((value == m.group(3)) == (m.group(2) == '=='))
    return result


def run_action(action, ws, runner_temp, inputs, base_ref, skip=('deps', 'build'), path_dirs=(), event=None,
               job_env=None):
    """Runs the composite action's bash steps in workspace ws, as the runner would: env from
    the step and the job (job_env), GITHUB_PATH, GITHUB_OUTPUT and GITHUB_ENV honoured, the event
    payload in GITHUB_EVENT_PATH, `uses:` steps recorded, not run.
    Returns (status of the failing step or 0, {step id: CompletedProcess}, uses steps run)."""
    ctx = {'github.action_path': SOURCE, 'github.base_ref': base_ref, 'runner.temp': runner_temp,
           'github.workspace': ws, 'github.token': 'a-token-for-the-test',
           'github.event_name': 'pull_request' if base_ref else 'push'}
    for name, spec in action['inputs'].items():
        ctx['inputs.' + name] = inputs.get(name, gh_expr(spec.get('default', ''), ctx))
    job = tempfile.mkdtemp(prefix='job-', dir=runner_temp)
    files = {k: os.path.join(job, k.lower()) for k in
             ('GITHUB_PATH', 'GITHUB_OUTPUT', 'GITHUB_STEP_SUMMARY', 'GITHUB_ENV', 'GITHUB_EVENT_PATH')}
    for p in files.values():
        write(p, '')
    write(files['GITHUB_PATH'], ''.join(d + '\n' for d in path_dirs))
    write(files['GITHUB_EVENT_PATH'], json.dumps(event or {}))
    results, used = {}, []
    for step in action['runs']['steps']:
        sid = step.get('id', step.get('name'))
        if sid in skip or not gh_if(step.get('if'), ctx):
            continue
        if 'uses' in step:
            used.append((step['uses'], {k: gh_expr(v, ctx) for k, v in step.get('with', {}).items()}))
            continue
        env = dict(files)
        env.update(job_env or {})
        env.update({k: v for k, _, v in (l.partition('=') for l in read(files['GITHUB_ENV']).splitlines())})
        env.update({k: gh_expr(v, ctx) for k, v in step.get('env', {}).items()})
        extra_path = [l for l in read(files['GITHUB_PATH']).splitlines() if l]
        env['PATH'] = os.pathsep.join(extra_path[::-1] + [os.environ['PATH']])
        env['RUNNER_TEMP'] = runner_temp
        env['CI'] = 'true'
        env.update(GIT_ENV)
        check('${{' not in step['run'], 'action step %s: no expressions inside the script' % sid)
        r = run(['bash', '--noprofile', '--norc', '-e', '-o', 'pipefail', '-c', step['run']], ws, env,
                timeout=600)
        results[sid] = r
        for line in read(files['GITHUB_OUTPUT']).splitlines():
            k, _, v = line.partition('=')
            ctx['steps.%s.outputs.%s' % (sid, k)] = v
        if r.returncode != 0:
            return r.returncode, results, used, files
    return 0, results, used, files


class Recorder(http.server.BaseHTTPRequestHandler):
    """A local HTTP server for the action's test: the release download (GET /pgsieve-*.tar.gz
    from self.server.files) and GitHub's issue-comment API (list, create, update), recording every
    request in self.server.log."""

    def log_message(self, *args):
        pass

    def reply(self, code, body, kind='application/json'):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(code)
        self.send_header('Content-Type', kind)
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        n = int(self.headers.get('Content-Length') or 0)
        return json.loads(self.rfile.read(n)) if n else None

    def do_GET(self):
        srv = self.server
        srv.log.append(('GET', self.path, self.headers.get('Authorization'), None))
        name = self.path.lstrip('/')
        if name in srv.files:
            return self.reply(200, srv.files[name], 'application/gzip')
        m = re.match(r'^/repos/([^/]+/[^/]+)/issues/(\d+)/comments\?per_page=100&page=(\d+)$', self.path)
        if m:
            page = int(m.group(3))
            return self.reply(200, srv.comments[(page - 1) * 100:page * 100])
        self.reply(404, {'message': 'Not Found'})

    def do_POST(self):
        srv = self.server
        body = self.body()
        srv.log.append(('POST', self.path, self.headers.get('Authorization'), body))
        if len(body.get('body', '')) > 65536:
            return self.reply(422, {'message': 'Body is too long (maximum is 65536 characters)'})
        comment = {'id': 1000 + len(srv.comments), 'body': body['body'], 'html_url': 'http://x/c'}
        srv.comments.append(comment)
        self.reply(201, comment)

    def do_PATCH(self):
        srv = self.server
        body = self.body()
        srv.log.append(('PATCH', self.path, self.headers.get('Authorization'), body))
        m = re.match(r'^/repos/[^/]+/[^/]+/issues/comments/(\d+)$', self.path)
        hit = [c for c in srv.comments if m and c['id'] == int(m.group(1))]
        if not hit or len(body.get('body', '')) > 65536:
            return self.reply(422 if hit else 404, {'message': 'no'})
        hit[0]['body'] = body['body']
        self.reply(200, hit[0])


def recorder(files):
    srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Recorder)
    srv.files, srv.log, srv.comments = files, [], []
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, 'http://127.0.0.1:%d' % srv.server_address[1]


def release_tarball(version):
    """A release tarball as ci/release.sh lays it out, holding the build's pgsieve (the release
    test, tests/release.py, checks the real one): what the action downloads."""
    name = 'pgsieve-%s-linux-x86_64' % version
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode='w:gz') as t:
        t.add(PGSIEVE, name + '/bin/pgsieve')
        t.add(os.path.join(SOURCE, 'tools', 'alembic_render.py'), name + '/share/pgsieve/alembic_render.py')
        t.add(os.path.join(SOURCE, 'LICENSE'), name + '/LICENSE')
    return name + '.tar.gz', buf.getvalue()


def pr_event(number, fork):
    return {'pull_request': {'number': number,
                             'head': {'repo': {'full_name': 'someone/fork' if fork else 'acme/shop'}},
                             'base': {'repo': {'full_name': 'acme/shop'}}}}


def test_action(tmp):
    path = os.path.join(SOURCE, 'action.yml')
    action = yaml.safe_load(read(path))
    check(action.get('runs', {}).get('using') == 'composite', 'action: a composite action')
    for key in ('name', 'description'):
        check(bool(action.get(key)), 'action: has %s' % key)
    check(set(action.get('inputs', {})) >= {'paths', 'fail-on', 'sarif', 'pg-version', 'comment',
                                            'build-from-source', 'render-alembic-on-forks'},
          'action: inputs paths, fail-on, sarif, pg-version, comment, build-from-source, '
          'render-alembic-on-forks', action.get('inputs', {}).keys())
    steps = action['runs']['steps']
    check(all(('uses' in s) != ('run' in s) for s in steps), 'action: each step runs or uses')
    check(all(s.get('shell') == 'bash' for s in steps if 'run' in s), 'action: run steps name their shell')
    uses = [s['uses'] for s in steps if 'uses' in s]
    check(any(u.startswith('github/codeql-action/upload-sarif@') for u in uses), 'action: uploads SARIF', uses)
    check(any(u.startswith('actions/cache@') for u in uses), 'action: caches the binary', uses)
    scripts = '\n'.join(s.get('run', '') for s in steps)
    check("--since \"origin/$BASE_REF\"" in scripts and '--format github' in scripts,
          'action: --since the base branch, --format github')
    by_id = {s.get('id'): s for s in steps}
    check(all(by_id.get(i, {}).get('if') == "inputs.build-from-source == 'true'" for i in ('deps', 'build')),
          'action: apt and meson only with build-from-source')
    version = json.loads(run(meson_cmd() + ['introspect', '--projectinfo', BUILD], BUILD).stdout)['version']

    # a pull request against main, in a shallow clone as actions/checkout makes it; main has
    # 120 commits before the branch, so that fetching all of it would show
    origin = git_repo(os.path.join(tmp, 'origin'), {
        'db/migrations/001_orders.sql': CREATE_TABLE,
        'db/migrations/002_old_index.sql': CREATE_INDEX,  # already on main: not this PR's fault
    })
    for i in range(120):
        git(['commit', '-q', '--allow-empty', '-m', 'main %d' % i], origin)
    git(['config', 'uploadpack.allowReachableSHA1InWant', 'true'], origin)  # as GitHub allows
    git(['checkout', '-q', '-b', 'feature'], origin)
    write(os.path.join(origin, 'db/migrations/003_customers.sql'), GOOD)
    git(['add', '-A'], origin)
    git(['commit', '-q', '-m', 'good migration'], origin)
    git(['checkout', '-q', '-b', 'feature-bad'], origin)
    write(os.path.join(origin, 'db/migrations/004_index.sql'),
          ''.join('CREATE INDEX i%d ON orders (id);\n' % i for i in range(11)))
    git(['add', '-A'], origin)
    git(['commit', '-q', '-m', 'bad migration'], origin)
    git(['checkout', '-q', '-b', 'feature-huge'], origin)
    write(os.path.join(origin, 'db/migrations/005_many.sql'),
          ''.join('CREATE INDEX h%d ON orders (id);\n' % i for i in range(600)))
    git(['add', '-A'], origin)
    git(['commit', '-q', '-m', 'many indexes'], origin)
    git(['checkout', '-q', 'main'], origin)
    for i in range(5):  # main moves on after the branch
        git(['commit', '-q', '--allow-empty', '-m', 'later %d' % i], origin)

    tarball, data = release_tarball(version)
    server, url = recorder({tarball: data})
    job_env = {'PGSIEVE_RELEASE_URL': url, 'GITHUB_REPOSITORY': 'acme/shop', 'GITHUB_API_URL': url,
               'GITHUB_SERVER_URL': 'https://github.example', 'GITHUB_RUN_ID': '42'}
    runner_temp = os.path.join(tmp, 'runner-temp')
    os.makedirs(runner_temp)
    try:
        for branch, status in (('feature', 0), ('feature-bad', 1)):
            ws = os.path.join(tmp, 'ws-' + branch)
            git(['clone', '-q', '--depth', '1', '--branch', branch, 'file://' + origin, ws], tmp)
            inputs = {'paths': 'db/migrations', 'sarif': 'true', 'comment': 'true'}
            rc, results, used, files = run_action(action, ws, runner_temp, inputs, 'main',
                                                  event=pr_event(7, fork=False), job_env=job_env)
            inst = results.get('install')
            check(inst is not None and inst.returncode == 0 and inst.stdout.startswith('pgsieve %s ' % version),
                  'action on %s: installs the release binary' % branch, inst and detail(inst))
            downloads = [l for l in server.log if l[1] == '/' + tarball]
            check(len(downloads) == 1, 'action: the tarball downloaded once, then taken from the cache directory',
                  downloads)
            check('build' not in results and 'deps' not in results, 'action: no apt, no build')
            base = results.get('base')
            check(base is not None and base.returncode == 0
                  and git(['rev-parse', '--is-shallow-repository'], ws).strip() == 'true'
                  and int(git(['rev-list', '--count', 'HEAD'], ws)) < 100,
                  'action on %s: the merge base fetched, the clone still shallow (no --unshallow)' % branch,
                  base and detail(base))
            lint_step = results.get('lint')
            check(rc == status and lint_step is not None and lint_step.returncode == status,
                  'action on %s: exit %d' % (branch, status),
                  'rc %d; %s' % (rc, '\n'.join('%s: %s' % (k, detail(v)) for k, v in results.items())))
            if lint_step is None:
                continue
            # other rules may add warnings: count the errors of the one rule the migrations break
            annotations = [gh_parse(l) for l in lint_step.stdout.splitlines() if l.startswith('::')]
            errors = [a for a in annotations if a[0] == 'error']
            if status == 0:
                check(errors == [] and all(a[1]['file'].endswith('003_customers.sql') for a in annotations),
                      'action on %s: nothing on 002 (not the PR\'s)' % branch, lint_step.stdout)
            else:
                files_hit = {a[1]['file'] for a in annotations}
                check(files_hit == {'db/migrations/004_index.sql'} and len(errors) == 11
                      and all(a[1]['title'] == 'create-index-blocking' for a in errors),
                      'action on %s: 11 errors on the PR\'s migration only' % branch, lint_step.stdout)
                summary = read(files['GITHUB_STEP_SUMMARY'])
                check(summary.count('[create-index-blocking]') == 11, 'action: the job summary has all 11', summary)
            sarif_uploads = [w for u, w in used if u.startswith('github/codeql-action/upload-sarif@')]
            if check(len(sarif_uploads) == 1, 'action on %s: SARIF uploaded' % branch, used):
                sarif = json.loads(read(sarif_uploads[0]['sarif_file']))
                uris = {r['locations'][0]['physicalLocation']['artifactLocation']['uri']
                        for r in sarif['runs'][0]['results']}
                check(sarif.get('version') == '2.1.0' and 'db/migrations/002_old_index.sql' in uris,
                      'action on %s: SARIF covers every migration, relative URIs' % branch, uris)
        # the sticky comment: created on the first run, updated in place on the second
        writes = [l for l in server.log if l[0] in ('POST', 'PATCH')]
        check([w[0] for w in writes] == ['POST', 'PATCH'] and len(server.comments) == 1
              and writes[1][1] == '/repos/acme/shop/issues/comments/1000'
              and all(w[2] == 'Bearer a-token-for-the-test' for w in writes),
              'action comment: one comment, created then updated in place (found by its marker)', writes)
        body = server.comments[0]['body'] if server.comments else ''
        check(body.count('<!-- pgsieve') == 1 and '004_index.sql' in body and 'create-index-blocking' in body
              and '002_old_index' not in body, 'action comment: the markdown report of the PR\'s migrations', body[:500])
        check(any(u.startswith('actions/upload-artifact@') and w.get('name') == 'pgsieve-report' for u, w in used),
              'action comment: the full report kept as an artifact', used)

        # a report over GitHub's 65,536 characters: cut after a whole finding, with a count
        ws = os.path.join(tmp, 'ws-feature-huge')
        git(['clone', '-q', '--depth', '1', '--branch', 'feature-huge', 'file://' + origin, ws], tmp)
        server.comments.clear()
        server.log.clear()
        rc, results, used, files = run_action(action, ws, runner_temp, {'paths': 'db/migrations', 'comment': 'true'},
                                              'main', event=pr_event(8, fork=False), job_env=job_env)
        full = lint(['--since', 'origin/main', '--format', 'markdown', 'db/migrations'], ws).stdout
        total = sum(1 for l in full.splitlines() if l.startswith('- '))
        body = server.comments[0]['body'] if len(server.comments) == 1 else ''
        kept = sum(1 for l in body.splitlines() if l.startswith('- '))
        m = re.search(r'\*\*(\d+) findings left out\*\* to fit GitHub\'s 65536-character comment limit: the full '
                      r'report is in \[the job summary\]\(https://github.example/acme/shop/actions/runs/42\)', body)
        check(len(full) > 65536 and 0 < len(body) <= 65536 and m and kept + int(m.group(1)) == total
              and kept > 50, 'action comment: a %d-character report cut to %d, %s of %d findings left out, said so'
              % (len(full), len(body), m and m.group(1), total), (results.get('comment') and
                                                                 detail(results['comment'])))

        # a pull request from a fork: Alembic revisions read statically, unless the repository opts in
        for fork, opt_in, want in ((True, 'false', True), (True, 'true', False), (False, 'false', False)):
            rc, results, used, files = run_action(action, ws, runner_temp,
                                                  {'paths': 'db/migrations', 'render-alembic-on-forks': opt_in},
                                                  'main', event=pr_event(9, fork=fork), job_env=job_env)
            env_lines = read(files['GITHUB_ENV']).splitlines()
            check(('PGSIEVE_ALEMBIC_STATIC=1' in env_lines) == want,
                  'action: %s, render-alembic-on-forks %s: Alembic %s' % (
                      'a fork\'s pull request' if fork else 'a pull request from the repository', opt_in,
                      'read statically' if want else 'rendered'), env_lines)
    finally:
        server.shutdown()

    # a push (no base branch): every migration is linted, and 002 fails it
    ws = os.path.join(tmp, 'ws-push')
    git(['clone', '-q', '--depth', '1', 'file://' + origin, ws], tmp)
    rc, results, used, files = run_action(action, ws, runner_temp, {'paths': 'db/migrations'}, '',
                                          job_env=job_env)
    check(rc == 1 and 'base' not in results and used[1:] == [] and 'comment' not in results,
          'action on a push: lints everything, no SARIF and no comment',
          {k: detail(v) for k, v in results.items()})

    # build-from-source: true builds this checkout with meson instead (apt skipped here)
    ws = os.path.join(tmp, 'ws-feature')
    rc, results, used, files = run_action(action, ws, runner_temp,
                                          {'paths': 'db/migrations', 'build-from-source': 'true'}, 'main',
                                          skip=('deps',), event=pr_event(7, fork=False), job_env=job_env)
    b = results.get('build')
    check(b is not None and b.returncode == 0 and re.search(r'^pgsieve \S+ \(PostgreSQL', b.stdout, re.M)
          and 'install' not in results and rc == 0, 'action: build-from-source builds and installs pgsieve',
          b and detail(b))


# ---- the GitLab CI template ----

def test_gitlab_template(tmp):
    doc = yaml.safe_load(read(os.path.join(SOURCE, 'ci', 'gitlab-ci-template.yml')))
    job = doc.get('pgsieve', {})
    base = doc.get(job.get('extends', ''), {})
    full = dict(base)
    full.update({k: v for k, v in job.items() if k != 'extends'})
    check('script' in full and 'before_script' in full, 'gitlab template: a job with script and before_script')
    check(full.get('artifacts', {}).get('reports', {}).get('codequality') == 'gl-code-quality.json',
          'gitlab template: a codequality report artifact')
    check(full.get('artifacts', {}).get('when') == 'always', 'gitlab template: the report is kept when the job fails')
    check(any('merge_request_event' in str(r.get('if', '')) for r in full.get('rules', [])),
          'gitlab template: runs on merge requests')
    script = '\n'.join(full['script'])
    check('$CI_MERGE_REQUEST_DIFF_BASE_SHA' in script and '--format gitlab' in script,
          'gitlab template: --since the merge request base, --format gitlab')
    variables = {k: str(v) for k, v in full.get('variables', {}).items()}
    check(variables.get('GIT_DEPTH', '0') != '0', 'gitlab template: a shallow clone, deepened to the merge base')
    version = json.loads(run(meson_cmd() + ['introspect', '--projectinfo', BUILD], BUILD).stdout)['version']
    check(variables.get('PGSIEVE_VERSION') == version, 'gitlab template: installs this version, %s' % version,
          variables.get('PGSIEVE_VERSION'))

    # run the script as the runner would, in a merge request's checkout
    repo = git_repo(os.path.join(tmp, 'gl-mr'), {
        'db/migrations/001_orders.sql': CREATE_TABLE,
        'db/migrations/002_old_index.sql': CREATE_INDEX,
    })
    base_sha = git(['rev-parse', 'HEAD'], repo).strip()
    write(os.path.join(repo, 'db/migrations/003_customers.sql'), GOOD)
    git(['add', '-A'], repo)
    git(['commit', '-q', '-m', 'good'], repo)
    with open(os.path.join(SOURCE, 'tests', 'schemas', 'gitlab-codequality.json')) as f:
        validator = jsonschema.Draft7Validator(json.load(f))
    tarball, data = release_tarball(version)
    server, url = recorder({tarball: data})
    # GitLab runs before_script and script in one shell: what before_script exports, script sees
    job_script = '\n'.join(full['before_script']) + '\n' + script

    def job_run(extra):
        env = dict(variables)
        env.update({'PGSIEVE_PATHS': 'db/migrations', 'CI': 'true', 'GITLAB_CI': 'true',
                    'CI_PIPELINE_SOURCE': 'merge_request_event', 'PGSIEVE_RELEASE_URL': url,
                    'CI_MERGE_REQUEST_DIFF_BASE_SHA': base_sha,
                    'CI_MERGE_REQUEST_PROJECT_ID': '1', 'CI_MERGE_REQUEST_SOURCE_PROJECT_ID': '1'})
        env.update(extra)
        env.update(GIT_ENV)
        return run(['sh', '-c', job_script], repo, env)

    try:
        r = job_run({})
    finally:
        server.shutdown()
    check(r.returncode == 0, 'gitlab job: a merge request adding a good migration passes', detail(r))
    check(r.stdout.startswith('pgsieve %s ' % version) and [l[1] for l in server.log] == ['/' + tarball],
          'gitlab job: installs the release binary', detail(r))
    check('read statically' not in r.stdout, 'gitlab job: Alembic rendered for a merge request of the project')
    r = job_run({'CI_MERGE_REQUEST_SOURCE_PROJECT_ID': '2'})
    check(r.returncode == 0 and 'Alembic revisions are read statically' in r.stdout,
          'gitlab job: a fork\'s merge request reads Alembic statically (the release binary from the cache)',
          detail(r))
    r = job_run({'CI_MERGE_REQUEST_SOURCE_PROJECT_ID': '2', 'PGSIEVE_RENDER_ALEMBIC_ON_FORKS': 'true'})
    check(r.returncode == 0 and 'read statically' not in r.stdout,
          'gitlab job: PGSIEVE_RENDER_ALEMBIC_ON_FORKS=true renders a fork\'s', detail(r))
    report = json.loads(read(os.path.join(repo, 'gl-code-quality.json')))
    check(not list(validator.iter_errors(report)) and
          any(i['location']['path'] == 'db/migrations/002_old_index.sql' for i in report),
          'gitlab job: the Code Quality report is valid and covers every migration', report)
    write(os.path.join(repo, 'db/migrations/004_index.sql'), 'CREATE INDEX i4 ON orders (id);\n')
    git(['add', '-A'], repo)
    git(['commit', '-q', '-m', 'bad'], repo)
    r = job_run({})
    check(r.returncode == 1 and '004_index.sql' in r.stdout and '002_old_index' not in r.stdout,
          'gitlab job: a merge request adding a bad migration fails, naming it', detail(r))
    r = job_run({'PGSIEVE_FAIL_ON': 'never'})
    check(r.returncode == 0, 'gitlab job: PGSIEVE_FAIL_ON=never passes', detail(r))
    r = job_run({'CI_MERGE_REQUEST_DIFF_BASE_SHA': '', 'CI_PIPELINE_SOURCE': 'push'})
    check(r.returncode == 1 and '002_old_index.sql' in r.stdout, 'gitlab job: a branch pipeline lints everything',
          detail(r))


# ---- install, man page, --version ----

def meson_cmd():
    return [shutil.which('meson') or 'meson']


def test_install(tmp):
    info = json.loads(run(meson_cmd() + ['introspect', '--projectinfo', BUILD], BUILD).stdout)
    opts = {o['name']: o['value'] for o in
            json.loads(run(meson_cmd() + ['introspect', '--buildoptions', BUILD], BUILD).stdout)}
    version = info['version']
    dest = os.path.join(tmp, 'destdir')
    r = run(meson_cmd() + ['install', '-C', BUILD, '--destdir', dest, '--no-rebuild', '--quiet'], BUILD,
            timeout=300)
    if not check(r.returncode == 0, 'meson install --destdir', detail(r)):
        return

    def where(opt, *parts):  # meson's directory options are relative to the prefix or absolute
        d = opts[opt] if os.path.isabs(opts[opt]) else os.path.join(opts['prefix'], opts[opt])
        return os.path.join(dest + d, *parts)

    binary = where('bindir', 'pgsieve')
    man = where('mandir', 'man1', 'pgsieve.1')
    rules_dir = where('datadir', 'doc', 'pgsieve', 'rules')
    check(os.access(binary, os.X_OK), 'install: bin/pgsieve', binary)
    check(os.path.isfile(man), 'install: man1/pgsieve.1', man)
    ids = [x['id'] for x in json.loads(run([PGSIEVE, 'rules', '--format', 'json'], tmp).stdout)]
    missing = [i for i in ids if not os.path.isfile(os.path.join(rules_dir, i + '.md'))]
    check(ids and not missing, 'install: a doc per rule in share/doc/pgsieve/rules', missing)
    check(os.path.isfile(os.path.join(rules_dir, 'README.md')), 'install: the rule index')
    licence = where('datadir', 'doc', 'pgsieve', 'LICENSE')
    check(os.path.isfile(licence) and read(licence).startswith('MIT License'), 'install: the MIT licence',
          licence)
    helper = where('datadir', 'pgsieve', 'alembic_render.py')
    if os.path.exists(os.path.join(SOURCE, 'tools', 'alembic_render.py')):
        check(os.access(helper, os.X_OK), 'install: share/pgsieve/alembic_render.py', helper)
    else:
        check(not os.path.exists(helper), 'install: no Alembic helper without tools/alembic_render.py')

    r = run([binary, '--version'], tmp)
    m = re.match(r'^pgsieve (\S+) \(PostgreSQL (\d+)\.(\d+) grammar, libpg_query\)\n$', r.stdout)
    check(r.returncode == 0 and m and m.group(1) == version, 'installed pgsieve --version: %s and the grammar'
          % version, detail(r))
    r = run([binary, 'explain', 'create-index-blocking'], tmp)
    check(r.returncode == 0 and r.stdout == read(os.path.join(rules_dir, 'create-index-blocking.md')),
          'installed docs are what explain prints')

    # the man page renders without warnings and carries every option of --help
    help_text = run([binary, '--help'], tmp).stdout
    roff = read(man)
    check(version in roff.split('\n', 3)[2], 'man page: the version in .TH', roff[:300])
    if shutil.which('groff'):
        r = run(['groff', '-man', '-Tutf8', '-ww', '-z', man], tmp)
        check(r.returncode == 0 and r.stderr == '', 'man page: groff reports no warnings', detail(r))
    if shutil.which('man'):
        r = run(['man', '-l', man], tmp, env={'MANWIDTH': '200', 'MAN_KEEP_FORMATTING': '',
                                                'MANPAGER': 'cat', 'PAGER': 'cat'})
        page = re.sub(r'.\x08', '', r.stdout)
    else:
        r = run(['nroff', '-man', man], tmp)
        page = re.sub(r'.\x08', '', r.stdout)
    check(r.returncode == 0 and 'SYNOPSIS' in page and 'EXIT STATUS' in page, 'man page renders', detail(r))
    flat = ' '.join(page.replace('\u2010', '-').replace('\u2212', '-').split())
    for line in help_text.splitlines():
        mopt = re.match(r'^  (--\S+(?: [A-Z,.]+)?)\s{2,}(.*)$', line)
        if mopt:
            check(mopt.group(1) in flat and ' '.join(mopt.group(2).split()[:5]) in flat,
                  'man page has --help\'s %s' % mopt.group(1))
    for line in help_text.splitlines():
        if line.startswith('usage: '):
            check(' '.join(line[7:].split()) in flat, 'man page synopsis has %r' % line[7:])


# ---- meson dist ----

def test_dist(tmp):
    repo = source_copy(os.path.join(tmp, 'dist-src'))
    setup = os.path.join(tmp, 'dist-build')
    r = run(meson_cmd() + ['setup', setup, repo], tmp, timeout=300)
    if not check(r.returncode == 0, 'dist: meson setup of a committed copy', detail(r)):
        return
    # --no-tests: the tarball is built and smoke-tested below, quicker than its whole suite
    r = run(meson_cmd() + ['dist', '-C', setup, '--no-tests', '--formats', 'xztar'], tmp, timeout=600)
    tarballs = [f for f in os.listdir(os.path.join(setup, 'meson-dist'))
                if f.endswith('.tar.xz')] if r.returncode == 0 else []
    if not check(len(tarballs) == 1, 'dist: meson dist makes a tarball', detail(r)):
        return
    out = os.path.join(tmp, 'unpacked')
    with tarfile.open(os.path.join(setup, 'meson-dist', tarballs[0])) as t:
        t.extractall(out, filter='data') if hasattr(tarfile, 'data_filter') else t.extractall(out)
    top = os.path.join(out, os.listdir(out)[0])
    for name in ('meson.build', 'LICENSE', 'src/usage.txt', 'docs/pgsieve.1.in', 'action.yml',
                 'ci/gitlab-ci-template.yml', '.pre-commit-hooks.yaml', 'rules/rules.def'):
        check(os.path.exists(os.path.join(top, name)), 'dist: the tarball holds %s' % name)
    build = os.path.join(tmp, 'unpacked-build')
    r = run(meson_cmd() + ['setup', build, top, '--buildtype=release'], tmp, timeout=300)
    if check(r.returncode == 0, 'dist: the tarball configures', detail(r)):
        r = run(['ninja', '-C', build], tmp, timeout=600)
        if check(r.returncode == 0, 'dist: the tarball builds', detail(r)):
            binary = os.path.join(build, 'pgsieve')
            r = run([binary, 'lint', '--no-config', os.path.join(top, 'examples', 'migrations')], tmp)
            check(r.returncode == 1 and 'create-index-blocking' in r.stdout,
                  'dist: the built pgsieve lints the examples', detail(r))
            check(os.path.isfile(os.path.join(build, 'pgsieve.1')), 'dist: the man page is built')


# ---- friendliness: errors that say what to do, rules and explain on a terminal ----

def run_tty(args, cwd, columns, env=None):
    """Runs with standard output on a pseudo-terminal `columns` wide; returns (status, output)."""
    import fcntl
    import pty
    import select
    import struct
    import termios
    e = dict(os.environ)
    e.pop('COLUMNS', None)
    e.update(env or {})
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack('HHHH', 40, columns, 0, 0))
    p = subprocess.Popen(args, cwd=cwd, stdout=slave, stderr=subprocess.DEVNULL,
                         stdin=subprocess.DEVNULL, env=e)
    os.close(slave)
    out = b''
    while True:
        ready, _, _ = select.select([master], [], [], 30)
        if not ready:
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
    return p.returncode, out.decode('utf-8', 'replace').replace('\r\n', '\n')


def test_friendly(tmp):
    write(os.path.join(tmp, 'm.sql'), CREATE_INDEX)
    for args, msg in (
            (['lint', '--fial-on', 'error', 'm.sql'], "did you mean '--fail-on'?"),
            (['lint', 'm.sql', '--format'], '--format needs a value: text, json, sarif'),
            (['lint', '--output'], "'--output' needs a value"),
            (['lint', '--format', 'xml', 'm.sql'], "unknown format 'xml'; --format takes text, json"),
            (['lint', '--s', 'm.sql'], "'--s' is ambiguous"),
            (['m.sql'], "to lint it: pgsieve lint m.sql"),
            (['lint', 'no/such/dir'], "relative paths are read from '%s'" % tmp),
            (['lint', '--pg-version', '9', 'm.sql'], 'from 10 to 18'),
            (['explain', 'no-such-rule'], "'pgsieve rules' lists them")):
        r = run([PGSIEVE] + args, tmp)
        check(r.returncode == 2 and msg in r.stderr, 'error for %s says %r' % (' '.join(args), msg), detail(r))
    r = run([PGSIEVE, 'lint', 'm.sql', '--no-config', '--format', 'json'], tmp)
    check(r.returncode == 1 and json.loads(r.stdout)['findings'], 'options after the paths', detail(r))
    os.makedirs(os.path.join(tmp, 'empty'))
    r = run([PGSIEVE, 'lint', 'empty'], tmp)
    # a CI job pointed at the wrong folder must fail, not pass having linted nothing
    check(r.returncode == 2 and "no migrations found under 'empty'" in r.stderr, 'an empty directory is an error',
          detail(r))
    write(os.path.join(tmp, 'bad', '.pgsieve.yml'), 'fail-onn: error\n')
    write(os.path.join(tmp, 'bad', 'm.sql'), CREATE_INDEX)
    r = run([PGSIEVE, 'lint', 'bad'], tmp)
    check(r.returncode == 2 and ".pgsieve.yml:1" in r.stderr and "did you mean 'fail-on'" in r.stderr,
          'a bad config key names the file, line and the key meant', detail(r))

    # pgsieve rules: a table with a header; on a terminal, wrapped within the window
    plain = run([PGSIEVE, 'rules'], tmp).stdout.splitlines()
    n = len(json.loads(run([PGSIEVE, 'rules', '--format', 'json'], tmp).stdout))
    check(plain[0].split() == ['RULE', 'SEVERITY', 'CATEGORY', 'SUMMARY'] and len(plain) == n + 1,
          'rules: a header and a line per rule when piped', plain[:2])
    for cols in (100, 60):
        status, out = run_tty([PGSIEVE, 'rules'], tmp, cols, {'NO_COLOR': '1'})
        lines = out.splitlines()
        check(status == 0 and lines and max(len(l) for l in lines) <= cols
              and all(l == l.rstrip() for l in lines),
              'rules on a %d-column terminal: no line wider, no trailing blanks' % cols,
              '\n'.join(l for l in lines if len(l) > cols)[:500])
        check('create-index-blocking' in out, 'rules on a terminal lists the rules')
    # pgsieve explain: the Markdown as written when piped, rendered on a terminal
    doc = run([PGSIEVE, 'explain', 'create-index-blocking'], tmp).stdout
    check(doc.startswith('# create-index-blocking\n') and '```sql' in doc, 'explain piped: the Markdown')
    status, out = run_tty([PGSIEVE, 'explain', 'create-index-blocking'], tmp, 72, {'NO_COLOR': '1'})
    lines = out.splitlines()
    check(status == 0 and lines[0] == 'create-index-blocking' and '```' not in out and '\n## ' not in out,
          'explain on a terminal: headings without markup, no fences', out[:400])
    check('Why' in lines and 'Safe' in lines, 'explain on a terminal: the sections', out[:400])
    code = [l for l in lines if 'CREATE INDEX orders_customer_id_idx ON orders (customer_id);' in l]
    check(code and code[0].startswith('    CREATE INDEX'), 'explain on a terminal: code indented as written',
          code)
    prose = [l for l in lines if l.startswith('  ') and not l.startswith('    ')]
    check(prose and max(len(l) for l in prose) <= 72, 'explain on a terminal: prose wrapped to the window',
          max(prose, key=len) if prose else out[:300])
    status, out = run_tty([PGSIEVE, 'explain', 'create-index-blocking'], tmp, 72)
    check('\033[1mWhy\033[0m' in out, 'explain on a colour terminal: bold headings', out[:300])


SECTIONS = {
    'cli': (test_friendly,),
    'reports': (test_github, test_gitlab, test_junit, test_markdown),
    'baseline': (test_baseline,),
    'precommit': (test_precommit,),
    'action': (test_action,),
    'gitlab': (test_gitlab_template,),
    'install': (test_install,),
    'dist': (test_dist,),
}


def main():
    global PGSIEVE, SOURCE, BUILD
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    PGSIEVE, SOURCE, BUILD = (os.path.abspath(a) for a in sys.argv[1:4])
    wanted = sys.argv[4:] or list(SECTIONS)
    for name in wanted:
        for fn in SECTIONS[name]:
            with tempfile.TemporaryDirectory(prefix='pgsieve-%s-' % fn.__name__) as tmp:
                try:
                    fn(tmp)
                except Exception as e:  # a crash in one section must not hide the others
                    check(False, '%s raised %s: %s' % (fn.__name__, type(e).__name__, e))
    print('%d passed, %d failed' % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main()
