#!/usr/bin/env python3
"""SARIF output: every fixture (and a few corpora) linted with --format sarif must validate
against the official SARIF 2.1.0 schema (with the validator its "$schema" names), and follow the
parts of the spec the schema cannot check and code scanning relies on:

- result.ruleIndex is the position of result.ruleId in tool.driver.rules;
- every rule has id, shortDescription, fullDescription, help and defaultConfiguration.level;
- every region has startLine, startColumn, endLine and endColumn, and the run sets columnKind;
- artifact URIs are relative (to %SRCROOT%) for relative inputs, percent-encoded, and name the
  file that was linted; absolute inputs give file:// URIs;
- partialFingerprints stay the same when lines are inserted above the findings, and no
  primaryLocationLineHash is set (it would change with them);
- a result's fixes (issue 17), applied as SARIF says (each replacement's deletedRegion bytes of
  the artifact replaced by insertedContent), give the same files as the JSON format's fix.

usage: sarif_schema.py PATH/TO/pgsieve REPO_ROOT SHARED_DIR
SHARED_DIR holds schemas/sarif-schema-2.1.0.json and corpora/; a missing schema is a failure,
not a skip. Prints one line per failed check and "N passed, N failed"; exits 1 on failure.
"""
import json
import os
import subprocess
import sys
import tempfile
import urllib.parse

import shared_data  # ../shared absent: the test skips (exit 77), or fails under CI=true

try:
    import jsonschema
except ImportError:
    sys.exit('sarif_schema.py needs python3-jsonschema (apt-get install python3-jsonschema; '
             'ci/deps.sh installs it)')

PGSIEVE = None
passed = failed = 0
# A few corpora, linted whole: real-world paths, frameworks and findings of every kind.
CORPORA = ['gomigrate-ente', 'diesel-cratesio', 'dbmate-supabase-postgres']


def check(ok, what, detail=''):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        detail = str(detail)[:2000]
        print('FAIL %s%s' % (what, ('\n    ' + detail.replace('\n', '\n    ')) if detail else ''))
    return ok


def lint_sarif(paths, cwd, extra=()):
    cmd = [PGSIEVE, 'lint', '--no-config', '--format', 'sarif', '--fail-on', 'never'] + list(extra) + paths
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, timeout=300)
    what = ' '.join(paths)
    if not check(p.returncode == 0, '%s: exit 0 with --fail-on never' % what,
                 'exit %d: %s' % (p.returncode, p.stderr.decode(errors='replace')[:500])):
        return None
    try:
        return json.loads(p.stdout)
    except ValueError as e:
        check(False, '%s: SARIF is JSON' % what, e)
        return None


def uri_path(loc):
    return urllib.parse.unquote(loc['uri'])


def check_log(log, validator, what, inputs_relative=True):
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
    check(not errors, '%s: validates against the SARIF 2.1.0 schema' % what,
          '\n'.join('%s: %s' % ('/'.join(map(str, e.absolute_path)), e.message) for e in errors[:5]))
    runs = log.get('runs') or []
    if not check(len(runs) == 1, '%s: one run' % what, len(runs)):
        return
    run = runs[0]
    check(run.get('columnKind') in ('unicodeCodePoints', 'utf16CodeUnits'), '%s: columnKind set' % what,
          run.get('columnKind'))
    driver = run['tool']['driver']
    for key in ('name', 'version', 'informationUri'):
        check(driver.get(key), '%s: tool.driver.%s' % (what, key))
    rules = driver.get('rules') or []
    check(rules, '%s: tool.driver.rules lists the rules' % what)
    bad_rules = []
    for r in rules:
        for key in ('shortDescription', 'fullDescription', 'help'):
            if not (r.get(key) or {}).get('text', '').strip():
                bad_rules.append('%s lacks %s.text' % (r.get('id'), key))
        if not r.get('id'):
            bad_rules.append('a rule without an id')
        if (r.get('defaultConfiguration') or {}).get('level') not in ('error', 'warning', 'note', 'none'):
            bad_rules.append('%s has no defaultConfiguration.level' % r.get('id'))
        if r.get('fullDescription', {}).get('text', '').startswith('#'):
            bad_rules.append('%s: fullDescription is a heading, not the summary paragraph' % r.get('id'))
    check(not bad_rules, '%s: every rule is described' % what, '\n'.join(bad_rules[:10]))
    ids = [r.get('id') for r in rules]
    check(len(ids) == len(set(ids)), '%s: rule ids are unique' % what)

    problems = []
    for i, res in enumerate(run.get('results') or []):
        where = 'result %d (%s)' % (i, res.get('ruleId'))
        idx = res.get('ruleIndex')
        if not isinstance(idx, int) or not 0 <= idx < len(rules) or rules[idx].get('id') != res.get('ruleId'):
            problems.append('%s: ruleIndex %r is not the position of its rule' % (where, idx))
        if res.get('level') not in ('error', 'warning', 'note', 'none'):
            problems.append('%s: level %r' % (where, res.get('level')))
        if not (res.get('message') or {}).get('text'):
            problems.append('%s: no message text' % where)
        locs = res.get('locations') or []
        if len(locs) != 1:
            problems.append('%s: %d locations, not one' % (where, len(locs)))
            continue
        phys = locs[0].get('physicalLocation') or {}
        region = phys.get('region') or {}
        for key in ('startLine', 'startColumn', 'endLine', 'endColumn'):
            if not isinstance(region.get(key), int) or region[key] < 1:
                problems.append('%s: region.%s is %r' % (where, key, region.get(key)))
        if (region.get('endLine', 0), region.get('endColumn', 0)) < (region.get('startLine', 0),
                                                                      region.get('startColumn', 0)):
            problems.append('%s: region ends before it starts: %r' % (where, region))
        art = phys.get('artifactLocation') or {}
        uri = art.get('uri', '')
        if inputs_relative:
            if urllib.parse.urlparse(uri).scheme or uri.startswith('/') or uri.startswith('./'):
                problems.append('%s: URI %r is not relative' % (where, uri))
            if art.get('uriBaseId') != '%SRCROOT%':
                problems.append('%s: relative URI without uriBaseId %%SRCROOT%%' % where)
        elif not uri.startswith('file:///'):
            problems.append('%s: absolute input, URI %r is not a file:// URI' % (where, uri))
        if any(c in uri for c in ' #?[]'):
            problems.append('%s: URI %r is not percent-encoded' % (where, uri))
        pf = res.get('partialFingerprints') or {}
        if not pf:
            problems.append('%s: no partialFingerprints' % where)
        if 'primaryLocationLineHash' in pf:
            problems.append('%s: primaryLocationLineHash is set' % where)
    check(not problems, '%s: results are well formed (%d results)' % (what, len(run.get('results') or [])),
          '\n'.join(problems[:10]))
    return run


def test_fixtures(root, validator):
    fixtures = os.path.join(root, 'fixtures')
    dirs = sorted(d for d in os.listdir(fixtures) if os.path.isdir(os.path.join(fixtures, d)))
    check(dirs, 'fixtures/ has fixture directories', fixtures)
    for d in dirs:
        rel = os.path.join('fixtures', d)
        log = lint_sarif([rel], root)
        if log is None:
            continue
        run = check_log(log, validator, rel)
        if not run:
            continue
        # every URI names a file that exists under the repository root and is in artifacts
        arts = {uri_path(a['location']) for a in run.get('artifacts', [])}
        missing = []
        for res in run.get('results', []):
            p = uri_path(res['locations'][0]['physicalLocation']['artifactLocation'])
            if not os.path.isfile(os.path.join(root, p)) or (arts and p not in arts):
                missing.append(p)
        check(not missing, '%s: result URIs name the linted files' % rel, missing[:5])


def test_corpora(shared, validator):
    corpora = os.path.join(shared, 'corpora')
    for c in CORPORA:
        if not check(os.path.isdir(os.path.join(corpora, c)), 'corpus %s exists' % c):
            continue
        log = lint_sarif([c], corpora)
        if log is not None:
            run = check_log(log, validator, 'corpus ' + c)
            check(run and run.get('results'), 'corpus %s: has results to check' % c)


def results_by_key(run):
    out = {}
    for res in run['results']:
        region = res['locations'][0]['physicalLocation']['region']
        key = (res['ruleId'], res['message']['text'])
        out.setdefault(key, []).append((res['partialFingerprints'], region['startLine']))
    return out


def test_absolute_and_odd_paths(validator):
    with tempfile.TemporaryDirectory() as tmp:
        d = os.path.join(tmp, 'my migrations', 'été #1')
        os.makedirs(d)
        path = os.path.join(d, '001 index [x].sql')
        with open(path, 'w') as f:
            f.write('CREATE INDEX orders_a_idx ON orders (a);\n')
        log = lint_sarif([path], tmp)
        if log:
            run = check_log(log, validator, 'absolute path', inputs_relative=False)
            if run and run['results']:
                got = uri_path(run['results'][0]['locations'][0]['physicalLocation']['artifactLocation'])
                check(got == 'file://' + path, 'absolute path: URI decodes to the path', got)
        rel = os.path.relpath(path, tmp)
        log = lint_sarif([rel], tmp)
        if log:
            run = check_log(log, validator, 'relative odd path')
            if run and run['results']:
                got = uri_path(run['results'][0]['locations'][0]['physicalLocation']['artifactLocation'])
                check(got == rel, 'relative odd path: URI decodes to the path as given', got)
        log = lint_sarif(['./' + rel], tmp)
        if log:
            check_log(log, validator, './relative path')


MIGRATION = """SET lock_timeout = '2s';
SET statement_timeout = '5min';
-- the index for the report
CREATE INDEX orders_created_idx ON orders (created_at);
ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id);
ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0);
ALTER TABLE orders ALTER COLUMN note TYPE text USING note::text;
CREATE INDEX orders_created_idx2 ON orders (created_at);
"""


def test_fingerprints(validator):
    """Blank lines and comments inserted above the findings move them down; their fingerprints
    must not change (code scanning would close and reopen every alert)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, 'migration.sql')
        variants = [
            MIGRATION,
            '\n\n\n' + MIGRATION,
            '-- a new header comment\n\n/* and a block\n   comment */\n' + MIGRATION,
            MIGRATION.replace('-- the index for the report\n', '-- the index for the report\n\n\n\n'),
            MIGRATION.replace('\n', '\r\n'),
        ]
        runs = []
        for i, text in enumerate(variants):
            with open(path, 'w', newline='') as f:
                f.write(text)
            log = lint_sarif(['migration.sql'], tmp)
            if log is None:
                return
            run = check_log(log, validator, 'fingerprint variant %d' % i)
            if not run:
                return
            runs.append(results_by_key(run))
        base = runs[0]
        check(len(base) >= 4, 'fingerprints: the migration has findings of several rules',
              sorted(base))
        fps = [fp['pgsieve/v1'] for v in base.values() for fp, _ in v if 'pgsieve/v1' in fp]
        check(len(fps) == len(set(fps)), 'fingerprints: distinct for distinct findings', fps)
        for i, other in enumerate(runs[1:], 1):
            check(sorted(base) == sorted(other), 'fingerprints variant %d: the same findings' % i,
                  set(base) ^ set(other))
            moved = same = 0
            for key in base:
                if key not in other:
                    continue
                for (fp_a, line_a), (fp_b, line_b) in zip(base[key], other[key]):
                    same += fp_a == fp_b
                    moved += line_a != line_b
                    check(fp_a == fp_b, 'fingerprints variant %d: %s unchanged' % (i, key[0]),
                          '%s at line %d, then %s at line %d' % (fp_a, line_a, fp_b, line_b))
            if i in (1, 2):
                check(moved > 0, 'fingerprints variant %d: the findings did move' % i)


def test_fixes(validator):
    """A fix in SARIF and in JSON: the same edits and files, and the SARIF log validates."""
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, '002_index.sql'), 'w') as f:
            f.write('-- one index\nCREATE INDEX orders_at_idx ON orders (created_at);\n')
        log = lint_sarif(['002_index.sql'], d)
        if log is None:
            return
        check_log(log, validator, 'a fixed finding')
        results = [r for r in log['runs'][0]['results']
                   if r.get('fixes') and r['ruleId'] == 'create-index-blocking']
        if not check(len(results) == 1, 'the CREATE INDEX finding has a fix', log['runs'][0]['results']):
            return
        p = subprocess.run([PGSIEVE, 'lint', '--no-config', '--format', 'json', '--fail-on', 'never',
                            '002_index.sql'], cwd=d, capture_output=True)
        fix = [f['fix'] for f in json.loads(p.stdout)['findings']
               if f.get('fix') and f['rule'] == 'create-index-blocking'][0]
        sarif_fix = results[0]['fixes'][0]
        check(sarif_fix['description']['text'] == fix['title'], 'the fix description is its title')
        changes = sarif_fix['artifactChanges']
        reps = [(uri_path(c['artifactLocation']), r['deletedRegion']['byteOffset'],
                 r['deletedRegion']['byteLength'], r['insertedContent']['text'])
                for c in changes for r in c['replacements']]
        want = [(e['file'], e['offset'], e['length'], e['text']) for e in fix['edits']]
        check(reps == want, 'SARIF replacements are the JSON edits', (reps, want))
        data = open(os.path.join(d, '002_index.sql'), 'rb').read()
        for path, off, n, text in reversed(reps):
            data = data[:off] + text.encode() + data[off + n:]
        check(b'CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_at_idx' in data,
              'the replacements applied give the concurrent build', data)


def main():
    global PGSIEVE
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    PGSIEVE = os.path.abspath(sys.argv[1])
    root, shared = os.path.abspath(sys.argv[2]), os.path.abspath(sys.argv[3])
    schema_path = shared_data.need(os.path.join(shared, 'schemas', 'sarif-schema-2.1.0.json'),
                                   'the SARIF schema')
    with open(schema_path) as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema, format_checker=cls.FORMAT_CHECKER if hasattr(cls, 'FORMAT_CHECKER')
                    else jsonschema.FormatChecker())
    print('validating with %s (the schema says %s)' % (cls.__name__, schema.get('$schema')))
    test_fixtures(root, validator)
    test_corpora(shared, validator)
    test_absolute_and_odd_paths(validator)
    test_fingerprints(validator)
    test_fixes(validator)
    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
