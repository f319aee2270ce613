#!/usr/bin/env python3
"""Real migrations: `pgsieve lint --format json` on each folder of the shared corpora (public
migration histories, a schema dump and PostgreSQL's regression SQL) must finish with status 0 or
1, never a crash, a hang or 2, and report the files known not to parse as syntax errors at their
real position (corpora/README.md, "Known facts"). Prints the findings per rule for each corpus.

Also checks the JSON format on everything linted (the corpora and fixtures/): every finding has
the documented fields with the documented types, its file is among the files linted, and its
line and column agree with its byte offset (and end_line/end_column with offset + length),
recomputed from the file's bytes: lines 1-based, columns counting characters, a CR before LF not
counted.

Every corpus is linted twice: with libpg_query's tree taken as it is built (src/sql/capture.c)
and with PGSIEVE_PARSE_UNPACK=1, the protobuf round trip taken where that cannot work; the two
reports must be byte for byte the same.

usage: corpora.py PATH/TO/pgsieve REPO_ROOT SHARED_DIR
A missing corpora directory is a failure, not a skip. Prints one line per failed check and
"N passed, N failed"; exits 1 when anything failed.
"""
import bisect
import collections
import json
import os
import re
import subprocess
import sys
import time

import shared_data  # ../shared absent: its parts are skipped (exit 77 when nothing else ran), or fail under CI=true

PGSIEVE = None
passed = failed = 0

# corpora/README.md: "A few published migrations do not parse at all (for example two ente down
# files and one crates.io down file with a missing separator, one dhis2 file with a non-breaking
# space after a semicolon)". Path -> (line, column) of the syntax error.
KNOWN_UNPARSABLE = {
    'gomigrate-ente/server/migrations/3_add_encypted_collection_name.down.sql': (3, 5),
    'gomigrate-ente/server/migrations/44_trash_add_index.down.sql': (1, 15),
    'diesel-cratesio/migrations/20170318181441_downloads_need_no_id/down.sql': (2, 1),
    'flyway-dhis2/dhis-2/dhis-support/dhis-support-db-migration/src/main/resources/org/hisp/dhis/'
    'db/migration/2.36/V2_36_20__Drop_legacy_sharing_tables.sql': (100, 46),
}
# "Some regression-test files contain syntax that PostgreSQL itself rejects, on purpose": the
# regression suite's own file about syntax errors must produce some.
KNOWN_WITH_ERRORS = ['pg-regress-libpgquery/test/sql/postgres_regress/errors.sql']

FIELDS = {
    'rule': str, 'severity': str, 'message': str, 'help': (str, type(None)), 'file': str,
    'line': int, 'column': int, 'end_line': int, 'end_column': int, 'offset': int, 'length': int,
    'statement': (int, type(None)), 'fingerprint': str,
}
SEVERITIES = {'error', 'warning', 'info'}
SECONDS = 300


def check(ok, what, detail=''):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        detail = str(detail)[:2000]
        print('FAIL %s%s' % (what, ('\n    ' + detail.replace('\n', '\n    ')) if detail else ''))
    return ok


def lint(paths, cwd, env=None):
    cmd = [PGSIEVE, 'lint', '--no-config', '--format', 'json'] + paths
    start = time.monotonic()
    try:
        p = subprocess.run(cmd, cwd=cwd, capture_output=True, timeout=SECONDS,
                           env=dict(os.environ, **(env or {})))
    except subprocess.TimeoutExpired:
        return None, 'timeout after %d s' % SECONDS, 0
    return p, None, time.monotonic() - start


class FileIndex:
    """A file's bytes and where its lines start, to turn byte offsets into lines and columns."""

    def __init__(self, path):
        with open(path, 'rb') as f:
            self.data = f.read()
        self.starts = [0] + [m.end() for m in re.finditer(b'\n', self.data)]

    def position(self, offset):
        i = bisect.bisect_right(self.starts, offset) - 1
        seg = self.data[self.starts[i]:offset]
        column = 1
        for k, b in enumerate(seg):
            if b == 0x0D and self.starts[i] + k + 1 < len(self.data) and \
                    self.data[self.starts[i] + k + 1] == 0x0A:
                continue
            if b & 0xC0 != 0x80:
                column += 1
        return i + 1, column


def check_json_report(report, cwd, what):
    """The documented shape, and positions that agree with the bytes of the files."""
    for key in ('format_version', 'tool', 'files', 'findings', 'summary'):
        if not check(key in report, '%s: top-level "%s"' % (what, key)):
            return
    s = report['summary']
    findings = report['findings']
    check(s.get('findings') == len(findings), '%s: summary.findings counts the findings' % what,
          (s.get('findings'), len(findings)))
    counts = collections.Counter(f.get('severity') for f in findings)
    check((s.get('errors'), s.get('warnings'), s.get('infos')) ==
          (counts['error'], counts['warning'], counts['info']),
          '%s: summary counts by severity' % what, (s, dict(counts)))
    paths = {f['path'] for f in report['files']}
    cache = {}
    problems = []
    for n, f in enumerate(findings):
        where = '%s finding %d (%s %s:%s)' % (what, n, f.get('rule'), f.get('file'), f.get('line'))
        bad = [k for k, t in FIELDS.items() if k not in f or not isinstance(f[k], t) or
               isinstance(f[k], bool)]
        if bad:
            problems.append('%s: fields missing or of the wrong type: %s' % (where, bad))
            continue
        if f['severity'] not in SEVERITIES:
            problems.append('%s: severity %r' % (where, f['severity']))
        if not f['message'].strip() or '\n' in f['message']:
            problems.append('%s: message %r is empty or not one line' % (where, f['message']))
        if not re.fullmatch(r'[0-9a-f]{16}', f['fingerprint']):
            problems.append('%s: fingerprint %r' % (where, f['fingerprint']))
        if f['file'] not in paths:
            problems.append('%s: file is not among the files linted' % where)
        path = os.path.join(cwd, f['file'])
        if not f['file'].endswith('.sql') or not os.path.isfile(path):
            continue  # positions in generated SQL (Alembic) or standard input: not checked here
        if path not in cache:
            cache[path] = FileIndex(path)
        idx = cache[path]
        start, end = f['offset'], f['offset'] + f['length']
        if not 0 <= start <= end <= len(idx.data):
            problems.append('%s: span %d+%d outside the file (%d bytes)' % (where, start, f['length'],
                                                                           len(idx.data)))
            continue
        got = idx.position(start), idx.position(end)
        want = (f['line'], f['column']), (f['end_line'], f['end_column'])
        if got != want:
            problems.append('%s: line:column %s-%s, but offset %d+%d is at %s-%s' % (
                where, want[0], want[1], start, f['length'], got[0], got[1]))
    check(not problems, '%s: %d findings have the documented fields and positions that match '
          'their offsets' % (what, len(findings)), '\n'.join(problems[:12]))


def test_corpora(corpora):
    names = sorted(d for d in os.listdir(corpora) if os.path.isdir(os.path.join(corpora, d)))
    check(names, 'the corpora directory holds corpora', corpora)
    for name in names:
        p, err, seconds = lint([name], corpora)
        if not check(err is None, '%s: finishes' % name, err):
            continue
        stderr = p.stderr.decode('utf-8', 'replace')
        if not check(p.returncode in (0, 1), '%s: exit 0 or 1 (not %d)' % (name, p.returncode),
                     stderr[-1500:]):
            continue
        try:
            report = json.loads(p.stdout)
        except ValueError as e:
            check(False, '%s: the report is JSON' % name, e)
            continue
        findings = report['findings']
        by_rule = collections.Counter(f['rule'] for f in findings)
        s = report['summary']
        print('%s: %d files, %d statements, %d findings in %.1f s' % (
            name, s['files'], s['statements'], len(findings), seconds))
        for rule, n in sorted(by_rule.items(), key=lambda x: (-x[1], x[0])):
            print('    %6d  %s' % (n, rule))
        if stderr.strip():
            print('    stderr: ' + stderr.strip().replace('\n', '\n    stderr: ')[:1500])
        check(s['files'] > 0 and s['statements'] > 0, '%s: files and statements were read' % name, s)
        unpacked, err, _ = lint([name], corpora, {'PGSIEVE_PARSE_UNPACK': '1'})
        check(err is None and unpacked.stdout == p.stdout,
              '%s: the same report with the tree unpacked from protobuf' % name, err or '')
        check_json_report(report, corpora, name)

        errors = collections.defaultdict(list)
        for f in findings:
            if f['rule'] == 'syntax-error':
                errors[f['file']].append((f['line'], f['column']))
        for path, pos in KNOWN_UNPARSABLE.items():
            if path.split('/')[0] == name:
                check(pos in errors.get(path, []), '%s: syntax error at %d:%d' % (path, *pos),
                      'got %s' % errors.get(path))
        for path in KNOWN_WITH_ERRORS:
            if path.split('/')[0] == name:
                check(errors.get(path), '%s: reports syntax errors' % path)
        # a syntax error stops nothing else: the unparsable files' other statements, and every
        # other file, are still linted
        others = [f for f in findings if f['rule'] != 'syntax-error']
        check(others or not findings, '%s: findings other than syntax errors' % name)


def test_fixtures_json(root):
    """The fixtures hold the tricky spellings (CRLF, multibyte, dollar quotes, comments between
    statements): lint them all in one run and check every position."""
    p, err, _ = lint(['fixtures'], root)
    if not check(err is None and p.returncode in (0, 1), 'fixtures: exit 0 or 1',
                 err or p.stderr.decode('utf-8', 'replace')[-1500:]):
        return
    report = json.loads(p.stdout)
    check(len(report['findings']) > 100, 'fixtures: many findings to check', len(report['findings']))
    check_json_report(report, root, 'fixtures')


def main():
    global PGSIEVE
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    PGSIEVE = os.path.abspath(sys.argv[1])
    root, shared = os.path.abspath(sys.argv[2]), os.path.abspath(sys.argv[3])
    # the fixtures part needs nothing from ../shared: it runs either way
    corpora = shared_data.part(os.path.join(shared, 'corpora'), 'the corpora')
    if corpora:
        test_corpora(corpora)
    test_fixtures_json(root)
    print('%d passed, %d failed' % (passed, failed))
    if failed:
        return 1
    return 0 if corpora else shared_data.SKIP


if __name__ == '__main__':
    sys.exit(main())
