#!/usr/bin/env python3
"""Alembic on project layouts (issue 10): the trees in fixtures/frameworks/alembic-projects.

For each layout (a Flask-Migrate app, an ini beside env.py with script_location = %(here)s,
one ini with named environments, a package:path location, several version_locations with a
branch labelled through a constant, version folders per dialect, a configuration only
--alembic-config finds):

1. the real Alembic (Debian's python3-alembic, /usr/bin/python3, or $PGSIEVE_PYTHON) loads the
   revision files of each environment through its own ScriptDirectory; pgsieve must lint
   exactly those files when pointed at the project's root, relative paths and all;
2. rendered (a Python with Alembic) and static (PGSIEVE_ALEMBIC_STATIC=1), the framework
   findings are the expected ones: no invented migration-graph or syntax-error finding;
3. every project has the hard revisions (HARD; flask-shop in test_flask_shop): a missing module (stand-ins, no
   add-column-required on an unknown default), TypeDecorators (timestamptz and jsonb, so no
   prefer-timestamptz or prefer-jsonb), a custom upgrade(op, tables, tester), reserved-word
   tables, a dialect branch (only the PostgreSQL branch) and a data migration (its UPDATE in a
   loop is seen by unbatched-backfill);
4. "no migrations found under PATH" is exit 2 for a folder without migrations, for every
   framework's detection, and --alembic-name selects one environment;
5. the interpreter search: with PGSIEVE_PYTHON set to a Python without Alembic, the revisions
   are still rendered by the next interpreter that has it.

Without a Python that has Alembic the rendered parts are skipped (the static ones still run).

usage: alembic_projects.py PGSIEVE FIXTURES_DIR
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

PGSIEVE = None
ROOT = None
passed = failed = 0
FRAMEWORK_RULES = {'missing-downgrade', 'migration-graph', 'syntax-error', 'alembic-static-analysis'}

# how the real Alembic lists an environment's revision files (its ScriptDirectory, no env.py)
LIST_REVISIONS = r'''
import json, os, sys
from alembic.config import Config
from alembic.script import ScriptDirectory
ini, name, location, versions = sys.argv[1:5]
# as `alembic -c INI` run from the ini's directory, with its prepend_sys_path
os.chdir(os.path.dirname(os.path.abspath(ini)))
ini = os.path.basename(ini)
if location:
    location = os.path.abspath(os.path.join(os.environ["ROOT"], location))
if versions:
    versions = os.path.abspath(os.path.join(os.environ["ROOT"], versions))
cfg = Config(ini, ini_section=name or "alembic")
for p in (cfg.get_main_option("prepend_sys_path") or "").split():
    sys.path.insert(0, os.path.abspath(p))
if location:
    cfg.set_main_option("script_location", location)
if versions:
    cfg.set_main_option("version_locations", versions)
script = ScriptDirectory.from_config(cfg)
# the files Alembic takes as revisions, by its own listing and file-name rule (walk_revisions()
# would import them, and the projects' dependencies are not installed here)
from alembic.script.base import Script, _only_source_rev_file
paths = [v for v in script._version_locations if os.path.exists(v)]
files = [os.path.join(v, f) for v in paths for f in Script._list_py_dir(script, v)
         if _only_source_rev_file.match(f)]
print(json.dumps(sorted(os.path.realpath(f) for f in files)))
'''

# layout -> (path given to pgsieve, extra arguments,
#            [(ini, section, script_location override, version_locations override)],
#            framework findings {(rule, file relative to ROOT)})
LAYOUTS = {
    'flask-shop': ('flask-shop', [], [('flask-shop/migrations/alembic.ini', '', 'flask-shop/migrations', '')]),
    'here-relative': ('here-relative', [], [('here-relative/bazaar/migration/alembic.ini', '', '', '')]),
    'multi-env': ('multi-env', [], [('multi-env/alembic.ini', 'core', '', ''),
                                    ('multi-env/alembic.ini', 'tenant', '', '')]),
    'packaged': ('packaged', [], [('packaged/alembic.ini', '', '', '')]),
    'plugins-app': ('plugins-app', [], [('plugins-app/alembic.ini', '', '', '')]),
    # env.py sets version_locations from the database URL's dialect
    'dialect-folders': ('dialect-folders', [], [('dialect-folders/alembic.ini', '', '',
                                                 'dialect-folders/migrations/versions/postgresql')]),
    'config-only': (None, ['--alembic-config', 'config-only/deploy/schema.cfg'],
                    [('config-only/deploy/schema.cfg', '', '', '')]),
}

STATIC_NOTE = 'this revision was read statically'
RENDERED_NOTE = 'this revision was rendered by Alembic, with unknowns'


def check(ok, what, detail=''):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print('FAIL %s%s' % (what, ('\n    ' + str(detail).replace('\n', '\n    ')) if detail else ''))
    return ok


def lint(args, env=None, cwd=None):
    e = dict(os.environ)
    e.pop('PGSIEVE_ALEMBIC_STATIC', None)
    if env:
        e.update(env)
    cmd = [PGSIEVE, 'lint', '--no-config', '--format', 'json', '--fail-on', 'never'] + args
    p = subprocess.run(cmd, cwd=cwd or ROOT, capture_output=True, text=True, env=e, timeout=600)
    out = None
    if p.returncode in (0, 1):
        try:
            out = json.loads(p.stdout)
        except ValueError:
            out = None
    return p, out


def alembic_python():
    for c in (os.environ.get('PGSIEVE_PYTHON'), '/usr/bin/python3', shutil.which('python3')):
        if c and os.path.exists(c) and subprocess.run([c, '-c', 'import alembic, sqlalchemy'],
                                                      capture_output=True).returncode == 0:
            return c
    return None


def python_without_alembic():
    for c in (sys.executable, shutil.which('python3')):
        if c and subprocess.run([c, '-c', 'import alembic'], capture_output=True).returncode != 0:
            return c
    return None


def real_revisions(py, envs):
    files = set()
    for ini, name, location, versions in envs:
        r = subprocess.run([py, '-c', LIST_REVISIONS, ini, name, location, versions], cwd=ROOT,
                           capture_output=True, text=True, timeout=120, env=dict(os.environ, ROOT=ROOT))
        if not check(r.returncode == 0, 'real alembic lists %s [%s]' % (ini, name or 'alembic'), r.stderr[-800:]):
            continue
        files |= set(json.loads(r.stdout))
    return files


def linted_files(out, cwd=None):
    return {os.path.realpath(os.path.join(cwd or ROOT, f['path'])) for f in out['files'] if f['framework'] == 'alembic'}


def framework_findings(out):
    return {(f['rule'], f['file']) for f in out['findings'] if f['rule'] in FRAMEWORK_RULES}


def test_layouts(py):
    for layout, (path, extra, envs) in LAYOUTS.items():
        modes = [('static', {'PGSIEVE_ALEMBIC_STATIC': '1'})]
        if py:
            modes.insert(0, ('rendered', {'PGSIEVE_PYTHON': py}))
        for mode, env in modes:
            what = '%s (%s)' % (layout, mode)
            p, out = lint(extra + ([path] if path else []), env)
            if not check(out is not None, '%s: lints (exit %d)' % (what, p.returncode), p.stderr[-1500:]):
                continue
            if py:
                want = real_revisions(py, envs) if mode == 'rendered' else None
                if want is not None:
                    check(want and linted_files(out) == want, '%s: the revision files Alembic loads' % what,
                          'alembic %s\npgsieve %s' % (sorted(want), sorted(linted_files(out))))
            got = framework_findings(out)
            bad = {g for g in got if g[0] in ('migration-graph', 'syntax-error')}
            check(not bad, '%s: no migration-graph or syntax-error finding' % what, sorted(bad))
            notes = [f for f in out['findings'] if f['rule'] == 'alembic-static-analysis'
                     and f['message'].startswith(STATIC_NOTE)]
            if mode == 'rendered':
                check(not notes, '%s: every revision rendered' % what, [(f['file'], f['help']) for f in notes])
            else:
                check(len(notes) == len({f['path'] for f in out['files'] if f['part'] == 'up'}),
                      '%s: each revision says it was read statically' % what)


def findings_of(out, rule, file_part):
    return [f for f in out['findings'] if f['rule'] == rule and file_part in f['file']]


def test_flask_shop(py):
    if not py:
        print('SKIP flask-shop rendered: no Python with Alembic')
        return
    p, out = lint(['flask-shop'], {'PGSIEVE_PYTHON': py})
    if not check(out is not None, 'flask-shop: lints', p.stderr[-1500:]):
        return
    sa = lambda part: [f for f in findings_of(out, 'alembic-static-analysis', part)]  # noqa: E731
    prices = sa('5b7d0e4c2a02')
    check(len(prices) == 1 and prices[0]['message'].startswith(RENDERED_NOTE) and
          'sqlalchemy_utils' in prices[0]['message'] and 'app.money' in prices[0]['message'],
          'flask-shop: the stand-ins of a missing module are named', prices)
    check(not findings_of(out, 'add-column-required', '5b7d0e4c2a02'),
          'flask-shop: an unknown default is a default (no add-column-required)')
    check(not sa('8c2e5f1d9b03') and not findings_of(out, 'prefer-timestamptz', '8c2e5f1d9b03') and
          not findings_of(out, 'prefer-jsonb', '8c2e5f1d9b03'),
          'flask-shop: TypeDecorators render as their impl (timestamptz, jsonb)',
          [f['message'] for f in out['findings'] if '8c2e5f1d9b03' in f['file']])
    backfill = findings_of(out, 'unbatched-backfill', 'a41f6b8e3c04')
    check(len(backfill) == 1 and backfill[0]['line'] == 24,
          'flask-shop: the UPDATE of a data migration loop is linted at its line', backfill)
    data = sa('a41f6b8e3c04')
    check(len(data) == 1 and 'runs Python against the database' in data[0]['message'],
          'flask-shop: the data step is marked as running Python against the database', data)
    custom = sa('e07b4c9a1d06')
    check(len(custom) == 1 and 'tables, tester' in custom[0]['message'],
          'flask-shop: upgrade(op, tables, tester) is rendered with stand-ins', custom)
    check(findings_of(out, 'create-index-blocking', 'e07b4c9a1d06'),
          'flask-shop: the custom-signature revision is linted')
    branch = [f for f in out['findings'] if 'c93d2a7f5e05' in f['file'] and 'ix_user_email_lower' in f['message']]
    check(not branch, 'flask-shop: only the PostgreSQL branch is rendered', branch)
    check(any(f['rule'] == 'prefer-robust-statements' and 'ix_order_paid' in f['message'] for f in out['findings']),
          'flask-shop: the bind.engine.name == "postgresql" branch is rendered')


# The hard revisions of each project besides flask-shop (issue 10: a missing module, a
# TypeDecorator, a custom upgrade() signature, a reserved-word table, a dialect branch, a data
# migration), written in the project's own style. Per project: how pgsieve and the helper are
# pointed at it, the schema revision (missing modules, its TypeDecorator columns, its
# reserved-word table, the index only the PostgreSQL branch creates and the one the other
# branch would) and the data revision (the parameters Alembic does not pass, the line of the
# UPDATE a loop sends per row, whether it works through an ORM Session).
HARD = {
    'here-relative': dict(args=['here-relative'], helper=['here-relative/bazaar/migration/alembic.ini'],
                          schema='03c4d5e6f7a8', missing=['geoalchemy2'], table='user',
                          pg_index='idx_package_extent_the_geom', other_index='idx_package_extent_package',
                          data='04d5e6f7a8b9', update_line=23, orm=False),
    'multi-env': dict(args=['--alembic-name', 'core', 'multi-env'], helper=['--name', 'core', 'multi-env/alembic.ini'],
                      schema='c0a3_', missing=['sqlalchemy_utils'], table='order',
                      pg_index='ix_order_user_id_brin', other_index='ix_order_user_id_sqlite',
                      data='c0a4_', update_line=22, orm=False),
    'packaged': dict(args=['packaged'], helper=['packaged/alembic.ini'], schema='6071829304b5',
                     missing=['inventory.settings (fails when imported'], table='group',
                     pg_index='ix_item_group_id', other_index='ix_item_group_id_plain',
                     data='718293a4b5c6', update_line=43, orm=True),
    'plugins-app': dict(args=['plugins-app'], helper=['plugins-app/alembic.ini'], schema='c3d4e5f6a7b8',
                        missing=['stripe'], table='user', pg_index='ix_user_preferences',
                        other_index='ix_user_customer_only', data='d4e5f6a7b8c9', update_line=30, orm=True),
    'dialect-folders': dict(args=['dialect-folders'], helper=['dialect-folders/alembic.ini'], schema='9a8b7c6d5e03',
                            missing=['citext'], table='user', pg_index='ix_note_owner_id',
                            other_index='ix_note_owner_id_all', data='9a8b7c6d5e04', update_line=22, orm=False),
    'config-only': dict(args=['--alembic-config', 'config-only/deploy/schema.cfg'],
                        helper=['config-only/deploy/schema.cfg'], schema='1003_', missing=['ledger_common'],
                        table='user', pg_index='ix_entry_posted_at', other_index='ix_entry_posted_at_sqlite',
                        data='1004_', update_line=21, orm=False),
}


def helper_revisions(py, args, static=False):
    """The helper's answer for a project: revision file -> its upgrade() statements' SQL."""
    helper = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'tools', 'alembic_render.py')
    r = subprocess.run([py, helper] + (['--static'] if static else []) + args, cwd=ROOT, capture_output=True,
                       text=True, timeout=300)
    if r.returncode:
        return None
    return {rv['path']: [st['sql'] for st in rv.get('upgrade', {}).get('statements', [])]
            for d in json.loads(r.stdout)['directories'] for rv in d['revisions']}


def test_hard_revisions(py):
    """Every realistic project has the six hard kinds of revision, rendered by Alembic (and
    read statically without it) without an invented finding."""
    for name, h in HARD.items():
        for mode, env in ([('rendered', {'PGSIEVE_PYTHON': py})] if py else []) + \
                [('static', {'PGSIEVE_ALEMBIC_STATIC': '1'})]:
            what = '%s hard revisions (%s)' % (name, mode)
            p, out = lint(h['args'], env)
            if not check(out is not None, '%s: lints' % what, p.stderr[-800:]):
                continue
            files = {f['path'] for f in out['files'] if f['framework'] == 'alembic'}
            schema = [f for f in files if '/' + h['schema'] in f]
            data = [f for f in files if '/' + h['data'] in f]
            if not check(len(schema) == 1 and len(data) == 1, '%s: both revisions linted' % what, sorted(files)):
                continue
            schema, data = schema[0], data[0]
            bad = [(f['rule'], f['file'], f['message'][:120]) for f in out['findings']
                   if f['rule'] in ('syntax-error', 'migration-graph') or
                   (f['rule'] == 'alembic-static-analysis' and 'does not parse' in f['message'])]
            check(not bad, '%s: no invented syntax-error or migration-graph finding' % what, bad)
            notes = {f['file']: f['message'] for f in out['findings'] if f['rule'] == 'alembic-static-analysis'
                     and not f['message'].startswith('the revision graph')}
            backfill = [f['line'] for f in findings_of(out, 'unbatched-backfill', data)]
            if mode == 'static':
                check(all(notes.get(f, '').startswith(STATIC_NOTE) for f in (schema, data)),
                      '%s: both read statically, and said so' % what, notes)
                continue
            check(notes.get(schema, '').startswith(RENDERED_NOTE) and
                  all(m in notes[schema] for m in h['missing']),
                  '%s: rendered, the missing modules named as stand-ins' % what, notes.get(schema))
            check(not findings_of(out, 'prefer-timestamptz', schema) and not findings_of(out, 'prefer-jsonb', schema),
                  '%s: TypeDecorators rendered as their PostgreSQL impl' % what,
                  [f['message'][:100] for f in out['findings'] if f['file'] == schema])
            check(notes.get(data, '').startswith(RENDERED_NOTE) and 'tables, tester' in notes[data],
                  '%s: upgrade(op, tables, tester) rendered with stand-ins' % what, notes.get(data))
            check('runs Python against the database' in notes.get(data, '') and
                  (('uses an ORM Session' in notes[data]) == h['orm']),
                  '%s: the data step said to run Python against the database%s' % (
                      what, ' through an ORM Session' if h['orm'] else ''), notes.get(data))
            check(h['update_line'] in backfill, '%s: the UPDATE the data loop sends per row, at line %d' % (
                what, h['update_line']), backfill)
        if not py:
            continue
        sql = helper_revisions(py, h['helper'])
        static = helper_revisions(py, h['helper'], static=True)
        if not check(sql is not None and static is not None, '%s: the helper answers' % name):
            continue
        up = ' '.join(s for f, stmts in sql.items() if '/' + h['schema'] in f for s in stmts)
        check(h['pg_index'] in up and h['other_index'] not in up,
              '%s: only the PostgreSQL branch is rendered (%s, not %s)' % (name, h['pg_index'], h['other_index']), up)
        sup = ' '.join(s for f, stmts in static.items() if '/' + h['schema'] in f for s in stmts)
        check(('CREATE TABLE "%s"' % h['table']) in up and ('CREATE TABLE "%s"' % h['table']) in sup and
              h['other_index'] not in sup,
              '%s: the reserved-word table "%s" quoted, rendered and static; static takes the PostgreSQL branch'
              % (name, h['table']), sup)


def test_static_reader_details(py):
    """The static reader writes what Alembic would (quoted reserved and mixed-case names,
    op.f(), sa.func.current_timestamp(), true(), text()); SQL it assembled that does not
    parse is its own failure (alembic-static-analysis), never syntax-error. Rendered: a type
    SQLAlchemy 1.4 lacks (sa.Uuid) is an unknown type, and a TypeError is reported as what it
    is, not as needing a database."""
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copytree(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'alembic_details'),
                        os.path.join(tmp, 'migrations'))
        helper = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'tools', 'alembic_render.py')
        r = subprocess.run([py or sys.executable, helper, '--static', 'migrations'], cwd=tmp, capture_output=True,
                           text=True, timeout=120)
        if check(r.returncode == 0, 'static details: the helper answers', r.stderr[-500:]):
            revs = {os.path.basename(rv['path']): rv for rv in json.loads(r.stdout)['directories'][0]['revisions']}
            sql = ' '.join(st['sql'] for st in revs['d1_case.py']['upgrade']['statements'])
            for want in ('CREATE TABLE "case" (', '"Limit" INTEGER DEFAULT 0 NOT NULL',
                         'DEFAULT CURRENT_TIMESTAMP NOT NULL', 'open BOOLEAN DEFAULT true NOT NULL',
                         'CREATE INDEX ix_case_created ON "case" (created)'):
                check(want in sql, 'static details: %s' % want, sql)
        p, out = lint(['migrations'], {'PGSIEVE_ALEMBIC_STATIC': '1'}, cwd=tmp)
        if check(out is not None, 'static details: lints', p.stderr[-500:]):
            bad = [f for f in out['findings'] if f['rule'] == 'syntax-error']
            own = [f['line'] for f in out['findings'] if f['rule'] == 'alembic-static-analysis'
                   and 'does not parse' in f['message']]
            check(not bad and own == [22], 'static details: assembled SQL that does not parse is not a syntax-error',
                  (bad, own))
        if not py:
            return
        p, out = lint(['migrations'], {'PGSIEVE_PYTHON': py}, cwd=tmp)
        if not check(out is not None, 'rendered details: lints', p.stderr[-500:]):
            return
        notes = {os.path.basename(f['file']): f['message'] + ' | ' + (f['help'] or '') for f in out['findings']
                 if f['rule'] == 'alembic-static-analysis'}
        sa_major = subprocess.run([py, '-c', 'import sqlalchemy; print(sqlalchemy.__version__.split(".")[0])'],
                                  capture_output=True, text=True).stdout.strip()
        if sa_major == '1':
            check(notes.get('d1_case.py', '').startswith(RENDERED_NOTE) and 'sqlalchemy.Uuid' in notes['d1_case.py'],
                  'rendered details: sa.Uuid under SQLAlchemy 1.4 is an unknown type, the revision rendered', notes)
        why = notes.get('d2_typeerror.py', '')
        check(why.startswith(STATIC_NOTE) and 'TypeError: _column() missing 1 required positional argument' in why
              and 'database' not in why.split('|')[1].split('. Run pgsieve')[0],
              'rendered details: a TypeError is reported as a TypeError at its line', why)


def test_no_migrations():
    with tempfile.TemporaryDirectory() as tmp:
        os.makedirs(os.path.join(tmp, 'docs'))
        with open(os.path.join(tmp, 'docs', 'README.md'), 'w') as f:
            f.write('nothing to migrate\n')
        p, _ = lint([tmp])
        check(p.returncode == 2 and "no migrations found under '%s'" % tmp in p.stderr and 'alembic.ini' in p.stderr,
              'no migrations: exit 2 with what was looked for', (p.returncode, p.stderr))
        p, _ = lint([tmp, os.path.join(ROOT, 'multi-env')], {'PGSIEVE_ALEMBIC_STATIC': '1'})
        check(p.returncode == 2 and "no migrations found under '%s'" % tmp in p.stderr,
              'no migrations: one empty path among others is still an error', (p.returncode, p.stderr))
    p, _ = lint(['config-only'], {'PGSIEVE_ALEMBIC_STATIC': '1'})
    check(p.returncode == 2 and "no migrations found under 'config-only'" in p.stderr,
          'config-only: not seen without --alembic-config', (p.returncode, p.stderr))
    p, out = lint(['--alembic-config', 'config-only/deploy/schema.cfg'], {'PGSIEVE_ALEMBIC_STATIC': '1'})
    check(out is not None and len(out['files']) == 8, '--alembic-config without paths lints its environment',
          (p.returncode, p.stderr))


def test_names_and_paths():
    env = {'PGSIEVE_ALEMBIC_STATIC': '1'}
    p, out = lint(['--alembic-name', 'tenant', 'multi-env'], env)
    if check(out is not None, '--alembic-name: lints', p.stderr):
        got = {f['path'] for f in out['files']}
        check(got and all('/db/tenant/' in g for g in got), '--alembic-name tenant: only the tenant environment', got)
    # a relative path from inside the project, to the ini's own directory and to its parent
    for cwd, path in (('here-relative', 'bazaar/migration'), ('here-relative/bazaar', '.'),
                      ('here-relative/bazaar/migration', '.')):
        p, out = lint([path], env, cwd=os.path.join(ROOT, cwd))
        if check(out is not None, 'relative path %s from %s: lints' % (path, cwd), p.stderr):
            got = {os.path.normpath(os.path.join(cwd, f['path'])) for f in out['files'] if f['part'] == 'up'}
            check(len(got) == 4 and all(g.startswith('here-relative/bazaar/migration/versions/') for g in got),
                  'relative path %s from %s: the four revisions' % (path, cwd), sorted(got))


ELSEWHERE_REVISION = '''"""ledger

Revision ID: %(rev)s
Revises: %(down)s
"""
from alembic import op
import sqlalchemy as sa

revision = %(rev)r
down_revision = %(down_repr)s


def upgrade():
    op.create_table(%(table)r, sa.Column('id', sa.BigInteger(), sa.Identity(), primary_key=True))


def downgrade():
    op.drop_table(%(table)r)
'''


def test_ini_elsewhere(py):
    """An alembic.ini outside the folder of its revisions (config/alembic.ini pointing at
    db/migrations, which the walk also finds as env.py beside versions/), reached twice: each
    revision is linted once, its graph problems reported once."""
    with tempfile.TemporaryDirectory() as tmp:
        os.makedirs(os.path.join(tmp, 'config'))
        versions = os.path.join(tmp, 'db', 'migrations', 'versions')
        os.makedirs(versions)
        with open(os.path.join(tmp, 'config', 'alembic.ini'), 'w') as f:
            f.write('[alembic]\nscript_location = %(here)s/../db/migrations\n')
        with open(os.path.join(tmp, 'db', 'migrations', 'env.py'), 'w') as f:
            f.write('from alembic import context\n')
        # two heads: one migration-graph finding each, which must not come twice
        for rev, down, table in (('a1', None, 'ledger'), ('b2', 'a1', 'entry'), ('c3', 'a1', 'memo')):
            with open(os.path.join(versions, '%s_%s.py' % (rev, table)), 'w') as f:
                f.write(ELSEWHERE_REVISION % {'rev': rev, 'down': down or '', 'down_repr': repr(down),
                                              'table': table})
        modes = [('static', {'PGSIEVE_ALEMBIC_STATIC': '1'})]
        if py:
            modes.append(('rendered', {'PGSIEVE_PYTHON': py}))
        runs = [('.', ['.']), ('.', ['--alembic-config', 'config/alembic.ini', 'db']),
                ('.', ['--alembic-config', 'config/alembic.ini', 'db/migrations/versions/b2_entry.py']),
                ('.', ['db', 'db/migrations', '.']),
                ('db/migrations', ['--alembic-config', '../../config/alembic.ini', '.'])]
        for mode, env in modes:
            for cwd, args in runs:
                what = 'ini elsewhere (%s, %s from %s)' % (mode, ' '.join(args), cwd)
                p, out = lint(args, env, cwd=os.path.join(tmp, cwd))
                if not check(out is not None, '%s: lints' % what, (p.returncode, p.stderr[-800:])):
                    continue
                ups = sorted(os.path.basename(f['path']) for f in out['files'] if f['part'] == 'up')
                check(ups == ['a1_ledger.py', 'b2_entry.py', 'c3_memo.py'], '%s: each revision linted once' % what, ups)
                heads = sorted(os.path.basename(f['file']) for f in out['findings'] if f['rule'] == 'migration-graph')
                check(heads == ['b2_entry.py', 'c3_memo.py'], '%s: each graph problem reported once' % what, heads)


UNKNOWN_LABEL_REVISION = '''"""%(table)s

Revision ID: %(rev)s
Revises: base1
"""
from alembic import op
import sqlalchemy as sa
from billing_app.branches import BILLING  # not installed where pgsieve runs

revision = %(rev)r
down_revision = 'base1'
branch_labels = %(labels)s


def upgrade():
    op.create_table(%(table)r, sa.Column('id', sa.BigInteger(), primary_key=True))


def downgrade():
    op.drop_table(%(table)r)
'''

DATA_STEP_REVISION = '''"""backup before the change

Revision ID: %(rev)s
Revises: base1
"""
from alembic import op
import sqlalchemy as sa

revision = %(rev)r
down_revision = 'base1'


def upgrade():
    op.add_column('base', sa.Column('notified', sa.Boolean(), nullable=True))
    bind = op.get_bind()
    bind.execute(sa.text("COPY base TO PROGRAM 'gzip > /var/backups/base.csv.gz'"))


def downgrade():
    op.drop_column('base', 'notified')
'''


def test_partly_unknown_graph_and_data_steps(py):
    """branch_labels from a module that cannot be imported: two revisions on one parent are not
    reported as several heads (the graph is partly unknown, which an alembic-static-analysis
    finding says); and a data step on the connection reaches the rules that read statements
    (external-side-effect sees its COPY ... TO PROGRAM), rendered and statically."""
    with tempfile.TemporaryDirectory() as tmp:
        versions = os.path.join(tmp, 'migrations', 'versions')
        os.makedirs(versions)
        with open(os.path.join(tmp, 'migrations', 'alembic.ini'), 'w') as f:
            f.write('[alembic]\nscript_location = %(here)s\n')
        with open(os.path.join(tmp, 'migrations', 'env.py'), 'w') as f:
            f.write('from alembic import context\n')
        with open(os.path.join(versions, 'base1_base.py'), 'w') as f:
            f.write(ELSEWHERE_REVISION % {'rev': 'base1', 'down': '', 'down_repr': 'None', 'table': 'base'})
        with open(os.path.join(versions, 'lab1_invoice.py'), 'w') as f:
            f.write(UNKNOWN_LABEL_REVISION % {'rev': 'lab1', 'table': 'invoice', 'labels': '(BILLING,)'})
        modes = [('static', {'PGSIEVE_ALEMBIC_STATIC': '1'})]
        if py:
            modes.append(('rendered', {'PGSIEVE_PYTHON': py}))
        for mode, env in modes:
            p, out = lint(['migrations'], env, cwd=tmp)
            if not check(out is not None, 'partly unknown graph (%s): lints' % mode, p.stderr[-800:]):
                continue
            heads = [f for f in out['findings'] if f['rule'] == 'migration-graph']
            check(not heads, 'partly unknown graph (%s): no several-heads error' % mode,
                  [(f['file'], f['message'][:120]) for f in heads])
            notes = [f for f in out['findings'] if f['rule'] == 'alembic-static-analysis'
                     and 'partly unknown' in f['message'] and f['file'].endswith('lab1_invoice.py')]
            check(len(notes) == 1 and 'branch_labels' in notes[0]['message'],
                  'partly unknown graph (%s): said once, naming branch_labels' % mode,
                  [(f['rule'], f['message'][:160]) for f in out['findings']])
        # the same two revisions with literal labels of no branch: two heads, reported
        os.remove(os.path.join(versions, 'lab1_invoice.py'))
        with open(os.path.join(versions, 'lab2_receipt.py'), 'w') as f:
            f.write(ELSEWHERE_REVISION % {'rev': 'lab2', 'down': 'base1', 'down_repr': "'base1'", 'table': 'receipt'})
        with open(os.path.join(versions, 'lab3_refund.py'), 'w') as f:
            f.write(ELSEWHERE_REVISION % {'rev': 'lab3', 'down': 'base1', 'down_repr': "'base1'", 'table': 'refund'})
        p, out = lint(['migrations'], {'PGSIEVE_ALEMBIC_STATIC': '1'}, cwd=tmp)
        heads = sorted(os.path.basename(f['file']) for f in (out or {}).get('findings', []) if f['rule'] == 'migration-graph')
        check(heads == ['lab2_receipt.py', 'lab3_refund.py'], 'known graph: the two heads are reported', heads)
        # a data step on the connection: its SQL reaches the rules
        os.remove(os.path.join(versions, 'lab3_refund.py'))
        os.remove(os.path.join(versions, 'lab2_receipt.py'))
        with open(os.path.join(versions, 'dat1_notify.py'), 'w') as f:
            f.write(DATA_STEP_REVISION % {'rev': 'dat1'})
        for mode, env in modes:
            p, out = lint(['migrations'], env, cwd=tmp)
            side = [f for f in (out or {}).get('findings', []) if f['rule'] == 'external-side-effect'
                    and f['file'].endswith('dat1_notify.py')]
            check(len(side) == 1 and 'PROGRAM' in side[0]['message'],
                  'data step (%s): external-side-effect sees its COPY ... TO PROGRAM' % mode,
                  [(f['rule'], f['line'], f['message'][:100]) for f in (out or {}).get('findings', [])])


def interpreter_facts(py):
    r = subprocess.run([py, '-c', 'import json, platform, sys, alembic, sqlalchemy; print(json.dumps(['
                        'sys.executable, platform.python_version(), alembic.__version__, sqlalchemy.__version__]))'],
                       capture_output=True, text=True, timeout=60)
    return json.loads(r.stdout) if r.returncode == 0 else None


def test_renderer_reported(py):
    """Which interpreter rendered each revision, or that it was read statically: JSON files[]
    (renderer), SARIF artifacts (properties, pgsieve/renderer) and the text summary."""
    facts = interpreter_facts(py) if py else None
    if not facts:
        print('SKIP renderer reported: no Python with Alembic')
        return
    exe, version, alembic_v, sqlalchemy_v = facts
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copytree(os.path.join(ROOT, 'packaged'), os.path.join(tmp, 'packaged'))
        versions = os.path.join(tmp, 'packaged', 'src', 'inventory', 'database', 'alembic', 'versions')
        heads = [f for f in sorted(os.listdir(versions)) if f.endswith('.py')]
        # a revision whose own module body fails: read statically, the others rendered
        with open(os.path.join(versions, heads[-1])) as f:
            text = f.read()
        with open(os.path.join(versions, heads[-1]), 'w') as f:
            f.write(text.replace('\nrevision = ', '\nraise RuntimeError("needs the settings")\nrevision = ', 1))
        failing = os.path.join('packaged', 'src', 'inventory', 'database', 'alembic', 'versions', heads[-1])
        env = {'PGSIEVE_PYTHON': py}
        p, out = lint(['packaged'], env, cwd=tmp)
        if not check(out is not None, 'renderer: lints', p.stderr[-800:]):
            return
        want = {'mode': 'alembic', 'python': exe, 'python_version': version, 'alembic': alembic_v,
                'sqlalchemy': sqlalchemy_v}
        for f in out['files']:
            w = dict(want, mode='static') if f['path'] == failing else want
            check(f.get('renderer') == w, 'renderer: JSON says who read %s (%s)' % (f['path'], f['part']),
                  (f.get('renderer'), w))
        p = subprocess.run([PGSIEVE, 'lint', '--no-config', '--format', 'sarif', '--fail-on', 'never', 'packaged'],
                           cwd=tmp, capture_output=True, text=True, env=dict(os.environ, **env), timeout=600)
        arts = {a['location']['uri']: a.get('properties', {}).get('pgsieve/renderer')
                for a in json.loads(p.stdout)['runs'][0]['artifacts']}
        check(arts.get(failing, {}).get('mode') == 'static' and
              sorted(a['mode'] for a in arts.values()) == ['alembic'] * (len(arts) - 1) + ['static'] and
              all(a['python'] == exe and a['alembic'] == alembic_v for a in arts.values()),
              'renderer: SARIF artifacts say who read each revision', arts)
        p = subprocess.run([PGSIEVE, 'lint', '--no-config', '--fail-on', 'never', 'packaged'],
                           cwd=tmp, capture_output=True, text=True, env=dict(os.environ, **env), timeout=600)
        lines = [ln for ln in p.stdout.splitlines() if ln.startswith('alembic: ')]
        n = len(heads)
        check(lines == ['alembic: %d revision%s rendered by Alembic %s (SQLAlchemy %s) in %s (Python %s)'
                        % (n - 1, '' if n == 2 else 's', alembic_v, sqlalchemy_v, exe, version),
                        'alembic: 1 revision read statically in %s (Python %s): Alembic could not render '
                        'them (their alembic-static-analysis findings say why)' % (exe, version)],
              'renderer: the text summary says which interpreter rendered how many', p.stdout[-1500:])
        p, out = lint(['packaged'], dict(env, PGSIEVE_ALEMBIC_STATIC='1'), cwd=tmp)
        if check(out is not None, 'renderer (static): lints', p.stderr[-800:]):
            got = {(f['renderer']['mode'], f['renderer']['alembic']) for f in out['files']}
            check(got == {('static', None)}, 'renderer: --no-python is said as static, without Alembic', got)


def test_config_keys(py):
    """.pgsieve.yml's Alembic keys (alembic-name, alembic-config, alembic-python, no-python):
    each does what its flag or variable does, the command line and the environment win, a
    file cannot choose the interpreter when the static reading was asked for, and bad values
    are exit 2 with the file, line and key."""
    with tempfile.TemporaryDirectory() as tmp:
        for name in ('multi-env', 'config-only', 'packaged'):
            shutil.copytree(os.path.join(ROOT, name), os.path.join(tmp, name))

        def run(where, yml, args, env=None):
            with open(os.path.join(tmp, where, '.pgsieve.yml'), 'w') as f:
                f.write(yml)
            e = dict(os.environ)
            e.pop('PGSIEVE_ALEMBIC_STATIC', None)
            e.pop('PGSIEVE_PYTHON', None)
            e.update(env or {})
            p = subprocess.run([PGSIEVE, 'lint', '--format', 'json', '--fail-on', 'never'] + args,
                               cwd=os.path.join(tmp, where), capture_output=True, text=True, env=e, timeout=600)
            out = json.loads(p.stdout) if p.returncode in (0, 1) and p.stdout.strip() else None
            return p, out

        static = {'PGSIEVE_ALEMBIC_STATIC': '1'}
        p, out = run('multi-env', 'alembic-name: tenant\n', ['.'], static)
        if check(out is not None, 'config alembic-name: lints', p.stderr):
            got = {f['path'] for f in out['files']}
            check(got and all(g.startswith('db/tenant/') for g in got), 'config alembic-name: only that environment', got)
        p, out = run('multi-env', 'alembic-name: tenant\n', ['--alembic-name', 'core', '.'], static)
        if check(out is not None, 'config alembic-name under --alembic-name: lints', p.stderr):
            got = {f['path'] for f in out['files']}
            check(got and all(g.startswith('db/core/') for g in got), 'config alembic-name: the command line wins', got)
        # the ini's path is read from the configuration file's directory, from wherever pgsieve runs
        p, out = run('config-only', 'alembic-config: deploy/schema.cfg\n', [], static)
        if check(out is not None, 'config alembic-config without paths: lints', p.stderr):
            check(len({f['path'] for f in out['files']}) == 4, 'config alembic-config: its environment',
                  [f['path'] for f in out['files']])
        p = subprocess.run([PGSIEVE, 'lint', '--format', 'json', '--fail-on', 'never'],
                           cwd=os.path.join(tmp, 'config-only', 'schema', 'revisions'), capture_output=True,
                           text=True, env=dict(os.environ, **static), timeout=600)
        got = sorted({os.path.realpath(os.path.join(tmp, 'config-only', 'schema', 'revisions', f['path']))
                      for f in json.loads(p.stdout)['files']}) if p.returncode in (0, 1) else None
        want = sorted(os.path.realpath(os.path.join(tmp, 'config-only', 'schema', 'revisions', f))
                      for f in ('1001_ledger.py', '1002_entry_memo.py', '1003_ledger_user.py',
                                '1004_entry_posted_at.py'))
        check(got == want, 'config alembic-config: read from the configuration file\'s directory',
              (p.returncode, got, p.stderr[-800:]))
        p, out = run('packaged', 'no-python: true\n', ['.'])
        if check(out is not None, 'config no-python: lints', p.stderr):
            check({f['renderer']['mode'] for f in out['files']} == {'static'}, 'config no-python: read statically',
                  [f['renderer'] for f in out['files']])
        if py:
            # a wrapper that records being run, then runs the Python that has Alembic
            marker = os.path.join(tmp, 'ran')
            wrapper = os.path.join(tmp, 'packaged', 'venv-python')
            with open(wrapper, 'w') as f:
                f.write('#!/bin/sh\necho "$@" >> %s\nexec %s "$@"\n' % (marker, py))
            os.chmod(wrapper, 0o755)
            p, out = run('packaged', 'alembic-python: ./venv-python\n', ['.'])
            if check(out is not None, 'config alembic-python: lints', p.stderr):
                check(os.path.exists(marker) and {f['renderer']['mode'] for f in out['files']} == {'alembic'},
                      'config alembic-python: that interpreter renders', [f['renderer'] for f in out['files']])
            if os.path.exists(marker):
                os.unlink(marker)
            for env in (static, {}):
                args = ['.'] if env else ['--no-python', '.']
                p, out = run('packaged', 'alembic-python: ./venv-python\n', args, env)
                check(out is not None and not os.path.exists(marker) and
                      {f['renderer']['mode'] for f in out['files']} == {'static'},
                      'config alembic-python: not run when %s asks for the static reading'
                      % ('PGSIEVE_ALEMBIC_STATIC=1' if env else '--no-python'), (p.stderr, os.path.exists(marker)))
            p, out = run('packaged', 'alembic-python: ./venv-python\n', ['.'], {'PGSIEVE_PYTHON': py})
            check(out is not None and not os.path.exists(marker), 'config alembic-python: PGSIEVE_PYTHON wins',
                  p.stderr)
        bad = [
            ('alembic-name: [core]\n', "'alembic-name' takes the name of a section of alembic.ini"),
            ('alembic-name: ""\n', "'alembic-name' takes the name of a section of alembic.ini"),
            ('alembic-config: deploy/missing.ini\n', "'alembic-config' names 'deploy/missing.ini', which is not a file"),
            ('alembic-config:\n', "'alembic-config' has no value"),
            ('\nalembic-python: bin/python\n', ":2: 'alembic-python' names 'bin/python', which is not an executable file"),
            ('alembic-python: {a: b}\n', "'alembic-python' takes the path or command name of a Python interpreter"),
            ('no-python: yes\n', "'no-python' takes true or false, not 'yes'"),
            ('alembic-nam: core\n', "unknown key 'alembic-nam'; did you mean 'alembic-name'?"),
            ('no-python: true\nno-python: false\n', "'no-python' is set twice"),
        ]
        for yml, want in bad:
            p, _ = run('config-only', yml, ['.'], static)
            check(p.returncode == 2 and ('bad configuration: .pgsieve.yml:' in p.stderr) and want in p.stderr,
                  'config error %r: exit 2 naming the key' % yml, (p.returncode, p.stderr))


def test_interpreter_search(py):
    bare = python_without_alembic()
    if not py or not bare or not os.path.exists('/usr/bin/python3') or \
            subprocess.run(['/usr/bin/python3', '-c', 'import alembic'], capture_output=True).returncode:
        print('SKIP interpreter search: needs a python3 without Alembic and /usr/bin/python3 with it')
        return
    p, out = lint(['packaged'], {'PGSIEVE_PYTHON': bare})
    if check(out is not None, 'interpreter search: lints', p.stderr):
        notes = [f for f in out['findings'] if f['rule'] == 'alembic-static-analysis'
                 and f['message'].startswith(STATIC_NOTE)]
        check(not notes and {f['renderer']['python'] for f in out['files']} == {'/usr/bin/python3'},
              'interpreter search: PGSIEVE_PYTHON without Alembic, rendered by /usr/bin/python3',
              (notes, [f['renderer'] for f in out['files']]))
    p, out = lint(['packaged'], {'PGSIEVE_PYTHON': bare, 'PATH': os.path.dirname(bare)})
    helper = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'tools', 'alembic_render.py')
    r = subprocess.run([bare, helper, '--python-next', '/usr/bin/python3', 'packaged'], cwd=ROOT,
                       capture_output=True, text=True, timeout=120)
    if check(r.returncode == 0, 'interpreter search: the helper answers', r.stderr[-500:]):
        d = json.loads(r.stdout)
        check(d['alembic'] and d['executable'] == '/usr/bin/python3' and d['tried'][0] == bare,
              'interpreter search: the answer says which interpreters were tried and which rendered',
              {k: d.get(k) for k in ('executable', 'tried', 'alembic')})


def main():
    global PGSIEVE, ROOT
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    PGSIEVE = os.path.abspath(sys.argv[1])
    ROOT = os.path.join(os.path.abspath(sys.argv[2]), 'frameworks', 'alembic-projects')
    py = alembic_python()
    if not py:
        print('SKIP rendered checks: no Python with alembic and sqlalchemy')
    test_layouts(py)
    test_flask_shop(py)
    test_hard_revisions(py)
    test_static_reader_details(py)
    test_no_migrations()
    test_names_and_paths()
    test_ini_elsewhere(py)
    test_partly_unknown_graph_and_data_steps(py)
    test_renderer_reported(py)
    test_config_keys(py)
    test_interpreter_search(py)
    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
