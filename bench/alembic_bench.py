#!/usr/bin/env python3
"""Alembic on project histories (issue 10): how many revisions Alembic renders and how many are
read statically, and the time per 100 revisions.

1. Every project in fixtures/frameworks/alembic-projects, linted as a directory: revisions
   rendered by Alembic (with or without stand-ins) and read statically.
2. A generated history of N revisions (default 200) in a Flask-Migrate layout, written the way
   autogenerate and teams write them: tables with reserved names, indexes, a column type from a
   package that is not installed, a TypeDecorator of the application, a data step on the
   connection, a dialect branch. `pgsieve lint` on it is timed (median of RUNS runs after a
   warm-up), rendered and static; the figure is seconds per 100 revisions. One Python process
   reads the whole environment.

usage: bench/alembic_bench.py PGSIEVE FIXTURES_DIR [N [RUNS]]
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from timing import run_once  # noqa: E402

APP_TYPES = '''import sqlalchemy as sa
from flask import current_app  # noqa: F401


class Timestamp(sa.types.TypeDecorator):
    impl = sa.TIMESTAMP(timezone=True)
    cache_ok = True
'''

HEAD = '''"""step %(i)d

Revision ID: %(rev)s
Revises: %(down)s
Create Date: 2024-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
%(imports)s

# revision identifiers, used by Alembic.
revision = %(rev)r
down_revision = %(down_repr)s
branch_labels = None
depends_on = None

'''

BODIES = [
    # a table with a reserved name, autogenerate style
    ('', '''def upgrade():
    op.create_table('order_%(i)d',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user', sa.String(length=80), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_order_%(i)d_user'), 'order_%(i)d', ['user'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_order_%(i)d_user'), table_name='order_%(i)d')
    op.drop_table('order_%(i)d')
'''),
    # a type from a package that is not installed
    ('import sqlalchemy_utils', '''def upgrade():
    op.add_column('order_%(p)d', sa.Column('ref', sqlalchemy_utils.UUIDType(binary=False), nullable=True))


def downgrade():
    op.drop_column('order_%(p)d', 'ref')
'''),
    # the application's TypeDecorator
    ('from app.types import Timestamp', '''def upgrade():
    op.add_column('order_%(p)d', sa.Column('shipped_at', Timestamp(), nullable=True))


def downgrade():
    op.drop_column('order_%(p)d', 'shipped_at')
'''),
    # a data step and a dialect branch
    ('', '''def upgrade():
    conn = op.get_bind()
    if conn.engine.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for (oid,) in conn.execute(sa.text("SELECT id FROM order_%(p)d")):
        conn.execute(sa.text("UPDATE order_%(p)d SET \\"user\\" = lower(\\"user\\") WHERE id = :id"), {"id": oid})


def downgrade():
    pass
'''),
]


def write_history(root, n):
    os.makedirs(os.path.join(root, 'app'))
    with open(os.path.join(root, 'app', '__init__.py'), 'w') as f:
        f.write('')
    with open(os.path.join(root, 'app', 'types.py'), 'w') as f:
        f.write(APP_TYPES)
    mig = os.path.join(root, 'migrations')
    os.makedirs(os.path.join(mig, 'versions'))
    with open(os.path.join(mig, 'alembic.ini'), 'w') as f:
        f.write('[alembic]\n# template used to generate migration files\n')
    with open(os.path.join(mig, 'env.py'), 'w') as f:
        f.write('from alembic import context\n')
    down = None
    last_table = 0
    for i in range(n):
        imports, body = BODIES[i % len(BODIES)]
        if i % len(BODIES) == 0:
            last_table = i
        rev = 'r%06d' % i
        text = HEAD % {'i': i, 'rev': rev, 'down': down or '', 'down_repr': repr(down), 'imports': imports}
        text += '\n' + body % {'i': i, 'p': last_table}
        with open(os.path.join(mig, 'versions', '%s_step_%d.py' % (rev, i)), 'w') as f:
            f.write(text)
        down = rev


def modes(out):
    ups = [f for f in out['files'] if f['part'] == 'up' and f['framework'] == 'alembic']
    static = {f['file'] for f in out['findings'] if f['rule'] == 'alembic-static-analysis'
              and f['message'].startswith('this revision was read statically')}
    unknowns = {f['file'] for f in out['findings'] if f['rule'] == 'alembic-static-analysis'
                and f['message'].startswith('this revision was rendered')}
    return len(ups), len(ups) - len(static), len(static), len(unknowns)


def lint_json(pgsieve, path, env):
    r = subprocess.run([pgsieve, 'lint', '--no-config', '--format', 'json', '--fail-on', 'never', path],
                       capture_output=True, text=True, env=env, timeout=600)
    if r.returncode not in (0, 1):
        raise RuntimeError('%s: exit %d: %s' % (path, r.returncode, r.stderr[:500]))
    return json.loads(r.stdout)


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    pgsieve = os.path.abspath(sys.argv[1])
    projects = os.path.join(os.path.abspath(sys.argv[2]), 'frameworks', 'alembic-projects')
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 200
    runs = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    env = dict(os.environ)
    env.pop('PGSIEVE_ALEMBIC_STATIC', None)
    print('| history | revisions | rendered | of which with unknowns | read statically |')
    print('|---|---:|---:|---:|---:|')
    total = [0, 0, 0, 0]
    for name in sorted(os.listdir(projects)):
        args = os.path.join(projects, name)
        if name == 'config-only':
            continue  # found only with --alembic-config
        revs, rendered, static, unknown = modes(lint_json(pgsieve, args, env))
        total = [a + b for a, b in zip(total, (revs, rendered, static, unknown))]
        print('| %s | %d | %d | %d | %d |' % (name, revs, rendered, unknown, static))
    with tempfile.TemporaryDirectory() as tmp:
        write_history(tmp, n)
        revs, rendered, static, unknown = modes(lint_json(pgsieve, tmp, env))
        print('| generated | %d | %d | %d | %d |' % (revs, rendered, unknown, static))
        print('| all | %d | %d | %d | %d |' % (total[0] + revs, total[1] + rendered, total[3] + unknown,
                                              total[2] + static))
        print()
        cmd = [pgsieve, 'lint', '--no-config', '--fail-on', 'never', tmp]
        for label, extra in (('rendered by Alembic', {}), ('read statically', {'PGSIEVE_ALEMBIC_STATIC': '1'})):
            e = dict(env, **extra)
            run_once(cmd, e)  # warm-up
            results = [run_once(cmd, e) for _ in range(runs)]
            med = statistics.median(r[0] for r in results)
            cpu = statistics.median(r[3] for r in results)
            print('%s: %d revisions in %.2f s wall (median of %d), %.2f s per 100 revisions; CPU (pgsieve and '
                  'its Python) %.2f s, %.2f s per 100' % (label, n, med, runs, med * 100 / n, cpu, cpu * 100 / n))
    return 0


if __name__ == '__main__':
    sys.exit(main())
