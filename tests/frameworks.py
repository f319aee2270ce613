#!/usr/bin/env python3
"""Migration frameworks end to end.

1. The trees in fixtures/frameworks/ (one per framework, with the awkward cases): the framework
   detected, each file's part, transaction mode and whether it has a down, and the findings of
   the framework rules (rule, file, line).
2. Alembic for real: `alembic init` and `alembic revision` in a temporary directory, revision
   bodies written the way teams write them (autocommit_block, postgresql_concurrently,
   server_default, nullable changes, new_column_name, batch_alter_table, op.execute outside
   autocommit_block, a downgrade that is `pass`, a branch and its merge), rendered by Alembic
   and read statically; SARIF points at the .py file and line.
3. --since and --staged in a real git repository: only changed migrations are reported, the
   earlier ones still give context.
4. Every corpus in ../shared/corpora: linted as a directory, no crash (exit 0 or 1), the
   expected framework detected. The per-corpus counts are printed; UPDATE_FRAMEWORKS_DOC=1
   writes them into docs/frameworks.md (the test does not fail when they drift: they change
   with every rule).

The Alembic parts need a Python with Alembic and SQLAlchemy: $PGSIEVE_PYTHON, this Python, or
python3/`/usr/bin/python3`; without one they are skipped (the static reading is still tested).

usage: frameworks.py PGSIEVE FIXTURES_DIR [CORPORA_DIR [FRAMEWORKS_DOC]]
Prints one line per failed check and "N passed, N failed"; exits 1 when anything failed.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import shared_data  # ../shared absent: its parts are skipped (exit 77 when nothing else ran), or fail under CI=true

PGSIEVE = None
passed = failed = 0
FRAMEWORK_RULES = {'missing-downgrade', 'migration-graph', 'not-in-transaction', 'transaction-nesting',
                   'alembic-static-analysis', 'runner-statement-split', 'syntax-error'}


def check(ok, what, detail=''):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print('FAIL %s%s' % (what, ('\n    ' + str(detail).replace('\n', '\n    ')) if detail else ''))
    return ok


def lint(args, cwd, env=None, fmt='json'):
    e = dict(os.environ)
    e.pop('NO_COLOR', None)
    if env:
        e.update(env)
    cmd = [PGSIEVE, 'lint', '--no-config', '--format', fmt, '--fail-on', 'never'] + args
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=e, timeout=600)
    out = None
    if p.returncode in (0, 1):
        try:
            out = json.loads(p.stdout)
        except ValueError:
            out = None
    return p, out


def alembic_python():
    """A Python that can import Alembic and SQLAlchemy, or None."""
    seen = []
    for c in (os.environ.get('PGSIEVE_PYTHON'), sys.executable, shutil.which('python3'), '/usr/bin/python3'):
        if not c or c in seen or not os.path.exists(c):
            continue
        seen.append(c)
        r = subprocess.run([c, '-c', 'import alembic, sqlalchemy'], capture_output=True)
        if r.returncode == 0:
            return c
    return None


# ---- 1. the fixture trees ----

# tree -> (files: {(path, part): (framework, transaction, has_down)}, findings: {(rule, path, line)})
T, I, N, W = 'transaction', 'implicit transaction', 'no transaction', 'as written'
TREES = {
    'golang-migrate': ({
        ('000001_create_users.up.sql', 'up'): ('golang-migrate', I, True),
        ('000001_create_users_table.down.sql', 'down'): ('golang-migrate', I, None),
        ('000002_users_email_idx.up.sql', 'up'): ('golang-migrate', I, True),
        ('000002_users_email_idx.down.sql', 'down'): ('golang-migrate', I, None),
        ('000003_users_name.up.sql', 'up'): ('golang-migrate', I, False),
        ('000004_users_flags.up.sql', 'up'): ('golang-migrate', I, True),
        ('000004_users_flags.down.sql', 'down'): ('golang-migrate', I, None),
    }, {
        ('not-in-transaction', '000003_users_name.up.sql', 3),
        ('missing-downgrade', '000003_users_name.up.sql', 1),
        ('missing-downgrade', '000004_users_flags.down.sql', 1),
    }),
    'pop': ({
        ('20240101000000_identities.postgres.up.sql', 'up'): ('pop', T, True),
        ('20240101000000_identities.down.sql', 'down'): ('pop', T, None),
        ('20240102000000_identities_nid_idx.autocommit.up.sql', 'up'): ('pop', I, True),
        ('20240102000000_identities_nid_idx.autocommit.down.sql', 'down'): ('pop', I, None),
        ('20240103000000_identities_traits_idx.up.sql', 'up'): ('pop', T, True),
        ('20240103000000_identities_traits_idx.down.sql', 'down'): ('pop', T, None),
    }, {
        ('not-in-transaction', '20240103000000_identities_traits_idx.up.sql', 2),
        ('missing-downgrade', '20240103000000_identities_traits_idx.down.sql', 1),
    }),
    'diesel': ({
        ('2024-01-01-000000_create_crates/up.sql', 'up'): ('diesel', T, True),
        ('2024-01-01-000000_create_crates/down.sql', 'down'): ('diesel', T, None),
        ('2024-01-02-000000_crates_name_idx/up.sql', 'up'): ('diesel', I, True),
        ('2024-01-02-000000_crates_name_idx/down.sql', 'down'): ('diesel', I, None),
        ('2024-01-03-000000_crates_updated_idx/up.sql', 'up'): ('diesel', T, False),
    }, {
        ('not-in-transaction', '2024-01-03-000000_crates_updated_idx/up.sql', 2),
        ('missing-downgrade', '2024-01-03-000000_crates_updated_idx/up.sql', 1),
    }),
    'flyway': ({
        ('V1__create_users.sql', 'up'): ('flyway', T, True),
        ('U1__create_users.sql', 'down'): ('flyway', T, None),
        ('V2__users_email_idx.sql', 'up'): ('flyway', N, True),
        ('U2__users_email_idx.sql', 'down'): ('flyway', N, None),
        ('V3__users_name.sql', 'up'): ('flyway', N, True),
        ('U3__users_name.sql', 'down'): ('flyway', N, None),
        ('V4__users_flags.sql', 'up'): ('flyway', N, True),
        ('U4__users_flags.sql', 'down'): ('flyway', N, None),
        ('V5__users_note.sql', 'up'): ('flyway', T, False),
        ('V6__reindex_users.sql', 'up'): ('flyway', T, True),
        ('U6__reindex_users.sql', 'down'): ('flyway', T, None),
        ('R__users_view.sql', 'up'): ('flyway', T, None),
    }, {
        ('not-in-transaction', 'V3__users_name.sql', 3),
        ('not-in-transaction', 'U3__users_name.sql', 2),
        ('not-in-transaction', 'U4__users_flags.sql', 2),
        ('not-in-transaction', 'V6__reindex_users.sql', 2),
        ('missing-downgrade', 'V5__users_note.sql', 1),
    }),
    'dbmate': ({
        ('20240101000000_create_users.sql', 'up'): ('dbmate', T, True),
        ('20240101000000_create_users.sql', 'down'): ('dbmate', T, None),
        ('20240102000000_users_email_idx.sql', 'up'): ('dbmate', I, True),
        ('20240102000000_users_email_idx.sql', 'down'): ('dbmate', I, None),
        ('20240103000000_users_name.sql', 'up'): ('dbmate', T, True),
        ('20240103000000_users_name.sql', 'down'): ('dbmate', T, None),
        ('20240104000000_users_name_idx.sql', 'up'): ('dbmate', T, True),
        ('20240105000000_users_flags.sql', 'up'): ('dbmate', I, True),
        ('20240105000000_users_flags.sql', 'down'): ('dbmate', T, None),
    }, {
        ('missing-downgrade', '20240103000000_users_name.sql', 4),
        ('not-in-transaction', '20240104000000_users_name_idx.sql', 2),
        ('not-in-transaction', '20240105000000_users_flags.sql', 3),
    }),
    'sqitch': ({
        ('deploy/users.sql', 'up'): ('sqitch', N, True),
        ('revert/users.sql', 'down'): ('sqitch', N, None),
        ('deploy/users_email_idx.sql', 'up'): ('sqitch', N, True),
        ('revert/users_email_idx.sql', 'down'): ('sqitch', N, None),
        ('deploy/users_status.sql', 'up'): ('sqitch', N, False),
    }, {
        ('not-in-transaction', 'deploy/users_status.sql', 6),
        ('missing-downgrade', 'deploy/users_status.sql', 1),
        ('migration-graph', 'sqitch.plan', 9),
        ('migration-graph', 'deploy/audit_log.sql', 1),
    }),
    'prisma': ({
        ('migrations/20240101000000_init/migration.sql', 'up'): ('prisma', I, None),
        ('migrations/20240102000000_user_email_idx/migration.sql', 'up'): ('prisma', I, None),
        ('migrations/20240103000000_user_name/migration.sql', 'up'): ('prisma', I, None),
    }, {
        ('not-in-transaction', 'migrations/20240103000000_user_name/migration.sql', 5),
    }),
    'supabase': ({
        ('supabase/migrations/20240101000000_init.sql', 'up'): ('supabase', T, None),
        ('supabase/migrations/20240102000000_profiles_username_idx.sql', 'up'): ('supabase', T, None),
        ('supabase/migrations/20240103000000_detach_events_2023.sql', 'up'): ('supabase', T, None),
        ('supabase/migrations/20240104000000_begin_commit.sql', 'up'): ('supabase', T, None),
    }, {
        ('not-in-transaction', 'supabase/migrations/20240103000000_detach_events_2023.sql', 2),
        ('transaction-nesting', 'supabase/migrations/20240104000000_begin_commit.sql', 1),
    }),
}

# The runners described since issue 11: each tree has a table created in its first migration
# (whose down drops it: linted as part of the up, drop-table would fire), an index built
# CONCURRENTLY under the runner's no-transaction directive (fine), a migration without a down,
# CONCURRENTLY in a migration the runner wraps (not-in-transaction) and a plain CREATE INDEX on
# the table created earlier (create-index-blocking: the table exists by then).
RUNNER_RULES = FRAMEWORK_RULES | {'drop-table', 'create-index-blocking'}
RUNNER_TREES = {
    'goose': ({
        ('00001_create_users.sql', 'up'): ('goose', T, True),
        ('00001_create_users.sql', 'down'): ('goose', T, None),
        ('00002_users_email_idx.sql', 'up'): ('goose', N, True),
        ('00002_users_email_idx.sql', 'down'): ('goose', N, None),
        ('00003_users_name.sql', 'up'): ('goose', T, False),
        ('00004_users_name_idx.sql', 'up'): ('goose', T, True),
        ('00005_users_created_idx.sql', 'up'): ('goose', T, True),
    }, {
        ('missing-downgrade', '00003_users_name.sql', 1),
        ('not-in-transaction', '00004_users_name_idx.sql', 2),
        ('create-index-blocking', '00005_users_created_idx.sql', 3),
    }),
    'sql-migrate': ({
        ('1_create_users.sql', 'up'): ('sql-migrate', T, True),
        ('1_create_users.sql', 'down'): ('sql-migrate', T, None),
        ('2_users_email_idx.sql', 'up'): ('sql-migrate', N, True),
        ('2_users_email_idx.sql', 'down'): ('sql-migrate', N, None),
        ('3_users_name.sql', 'up'): ('sql-migrate', T, False),
        ('4_users_name_idx.sql', 'up'): ('sql-migrate', T, True),
        ('10_users_created_idx.sql', 'up'): ('sql-migrate', T, True),
    }, {
        ('missing-downgrade', '3_users_name.sql', 1),
        ('not-in-transaction', '4_users_name_idx.sql', 2),
        ('create-index-blocking', '10_users_created_idx.sql', 2),
    }),
    'tern': ({
        ('001_create_users.sql', 'up'): ('tern', T, True),
        ('001_create_users.sql', 'down'): ('tern', T, None),
        ('002_users_email_idx.sql', 'up'): ('tern', N, True),
        ('002_users_email_idx.sql', 'down'): ('tern', N, None),
        ('003_users_name.sql', 'up'): ('tern', T, False),
        ('004_users_name_idx.sql', 'up'): ('tern', T, True),
        ('005_users_created_idx.sql', 'up'): ('tern', T, True),
        # a Go template: {{.prefix}} values, an {{if}}, and an include of shared/active_users.sql
        ('006_active_users.sql', 'up'): ('tern', T, True),
        ('006_active_users.sql', 'down'): ('tern', T, None),
    }, {
        ('missing-downgrade', '003_users_name.sql', 1),
        ('not-in-transaction', '004_users_name_idx.sql', 1),
        ('create-index-blocking', '005_users_created_idx.sql', 1),
        # the CREATE INDEX of the included file, reported at the include
        ('create-index-blocking', '006_active_users.sql', 2),
    }),
    'node-pg-migrate': ({
        ('1700000000001_create-users.sql', 'up'): ('node-pg-migrate', T, True),
        ('1700000000001_create-users.sql', 'down'): ('node-pg-migrate', T, None),
        ('1700000000002_users-email-idx.sql', 'up'): ('node-pg-migrate', T, True),
        ('1700000000003_users-name.sql', 'up'): ('node-pg-migrate', T, False),
        ('1700000000004_users-created-idx.sql', 'up'): ('node-pg-migrate', T, True),
    }, {
        # a SQL migration has no way out of node-pg-migrate's transaction
        ('not-in-transaction', '1700000000002_users-email-idx.sql', 2),
        ('not-in-transaction', '1700000000002_users-email-idx.sql', 5),
        ('missing-downgrade', '1700000000003_users-name.sql', 1),
        ('create-index-blocking', '1700000000004_users-created-idx.sql', 2),
    }),
    'sqlx': ({
        ('migrations/20240101000000_create_users.up.sql', 'up'): ('sqlx', T, None),
        ('migrations/20240101000000_create_users.down.sql', 'down'): ('sqlx', T, None),
        ('migrations/20240102000000_users_email_idx.sql', 'up'): ('sqlx', I, None),
        ('migrations/20240104000000_users_name_idx.sql', 'up'): ('sqlx', T, None),
        ('migrations/20240105000000_users_flags.sql', 'up'): ('sqlx', I, None),
        ('migrations/20240106000000_users_created_idx.sql', 'up'): ('sqlx', T, None),
    }, {
        ('not-in-transaction', 'migrations/20240104000000_users_name_idx.sql', 1),
        # -- no-transaction still sends the file as one query: two statements, one transaction
        ('not-in-transaction', 'migrations/20240105000000_users_flags.sql', 3),
        ('create-index-blocking', 'migrations/20240106000000_users_created_idx.sql', 1),
    }),
    'atlas': ({
        ('20240101000000_create_users.sql', 'up'): ('atlas', T, None),
        ('20240102000000_users_email_idx.sql', 'up'): ('atlas', N, None),
        ('20240103000000_users_name.sql', 'up'): ('atlas', T, None),
        ('20240104000000_users_created_idx.sql', 'up'): ('atlas', T, None),
        # `-- atlas:delimiter //`: each // read as ';' (no syntax error), atlas.sum intact
        ('20240105000000_users_touch.sql', 'up'): ('atlas', T, None),
    }, {
        ('not-in-transaction', '20240103000000_users_name.sql', 2),
        ('create-index-blocking', '20240104000000_users_created_idx.sql', 1),
    }),
    'graphile-migrate': ({
        ('migrations/committed/000001.sql', 'up'): ('graphile-migrate', T, None),
        ('migrations/committed/000002.sql', 'up'): ('graphile-migrate', I, None),
        ('migrations/committed/000003.sql', 'up'): ('graphile-migrate', T, None),
        ('migrations/current.sql', 'up'): ('graphile-migrate', T, None),
    }, {
        ('not-in-transaction', 'migrations/committed/000003.sql', 4),
        # current.sql is the pending migration, after the committed ones
        ('create-index-blocking', 'migrations/current.sql', 2),
    }),
    'drizzle': ({
        ('drizzle/0000_create_users.sql', 'up'): ('drizzle', T, None),
        ('drizzle/0001_users_name.sql', 'up'): ('drizzle', T, None),
        ('drizzle/0002_users_created_idx.sql', 'up'): ('drizzle', T, None),
    }, {
        ('not-in-transaction', 'drizzle/0001_users_name.sql', 2),
        ('create-index-blocking', 'drizzle/0002_users_created_idx.sql', 1),
        # not in meta/_journal.json: never run (its DROP TABLE is not linted as a migration)
        ('migration-graph', 'drizzle/0003_orphan.sql', 1),
    }),
    'sql-pairs': ({
        ('V0001.CreateUsers.up.sql', 'up'): ('sql-pairs', W, True),
        ('V0001.CreateUsers.down.sql', 'down'): ('sql-pairs', W, None),
        ('V0002.UsersEmailIdx.up.sql', 'up'): ('sql-pairs', N, False),
        ('V0010.UsersCreatedIdx.up.sql', 'up'): ('sql-pairs', W, True),
        ('V0010.UsersCreatedIdx.down.sql', 'down'): ('sql-pairs', W, None),
    }, {
        ('missing-downgrade', 'V0002.UsersEmailIdx.up.sql', 1),
        ('create-index-blocking', 'V0010.UsersCreatedIdx.up.sql', 1),
    }),
    # `-- atlas:delimiter \n\n`: Atlas cuts at a blank line outside parentheses, quotes, dollar
    # quotes and after a comment line; the UPDATE it cuts before its WHERE is reported there
    'atlas-blank': ({
        ('20240101000000_accounts.sql', 'up'): ('atlas', T, None),
        ('20240102000000_accounts_lower.sql', 'up'): ('atlas', T, None),
    }, {
        ('runner-statement-split', '20240102000000_accounts_lower.sql', 5),
    }),
    # a master changelog includes two formatted SQL files; each changeset is a migration, its
    # --rollback lines its down part (findings in them land on those lines)
    'liquibase': ({
        # (a file's last changeset decides what is listed for it here)
        ('changes/001-users.sql', 'up'): ('liquibase', N, True),
        ('changes/001-users.sql', 'down'): ('liquibase', N, None),
        ('changes/002-users-name.sql', 'up'): ('liquibase', T, True),
        # from <includeAll path="changes/views/">: endDelimiter:/ and `/` lines read as ';'
        # (no syntax error), /* liquibase rollback ... */ blocks as the down part
        ('changes/views/010-active-users.sql', 'up'): ('liquibase', T, False),
        ('changes/views/010-active-users.sql', 'down'): ('liquibase', T, None),
        ('changes/views/020-users-email-check.sql', 'up'): ('liquibase', T, True),
        ('changes/views/020-users-email-check.sql', 'down'): ('liquibase', T, None),
    }, {
        ('missing-downgrade', 'changes/002-users-name.sql', 3),
        ('not-in-transaction', 'changes/002-users-name.sql', 7),
        ('create-index-blocking', 'changes/002-users-name.sql', 11),
        ('not-in-transaction', 'changes/002-users-name.sql', 12),
        # a block comment that does not start with `/* liquibase rollback` is no rollback
        ('missing-downgrade', 'changes/views/010-active-users.sql', 12),
        ('create-index-blocking', 'changes/views/010-active-users.sql', 13),
    }),
    # one folder per database: only postgres/ is linted (MySQL and SQLite syntax never reaches
    # the PostgreSQL parser), and the others are named on stderr
    'per-database': ({
        ('migrations/postgres/000001_create_users.up.sql', 'up'): ('golang-migrate', I, True),
        ('migrations/postgres/000001_create_users.down.sql', 'down'): ('golang-migrate', I, None),
    }, set()),
}

# Plain SQL directives: `-- pgsieve: no-transaction` and `-- pgsieve: transaction` decide over
# --assume-in-transaction; a file without one follows it.
SQL_DIRECTIVE_FILES = ['001_orders_customer_idx.sql', '002_orders_created_idx.sql', '003_orders_status_idx.sql']


def test_one_transaction(root):
    """Drizzle's migrator runs every pending migration in one transaction (drizzle-orm
    pg-core/dialect.ts PgDialect.migrate): the lock 0001 takes on users is held while 0002
    backfills it. A drizzle-kit project; the whole directory is a fresh database's deploy."""
    app = 'drizzle-app/drizzle/'
    rules = {'not-in-transaction', 'slow-statement-under-lock', 'syntax-error', 'migration-graph'}
    files = {('drizzle/%s.sql' % n, 'up'): ('drizzle', T, None)
             for n in ('0000_curious_lockjaw', '0001_wakeful_stardust', '0002_backfill_display_name',
                       '0003_lean_squadron')}
    # a fresh database: users is created in the same transaction, nobody else can wait for it
    check_tree(root, 'drizzle-app', files, {('not-in-transaction', 'drizzle/0003_lean_squadron.sql', 1)},
               rules=rules)
    # 0001 to 0003 pending (0000 deployed before, read for context): 0001's lock outlives it
    named = [app + n for n in ('0001_wakeful_stardust.sql', '0002_backfill_display_name.sql',
                               '0003_lean_squadron.sql')]
    p, out = lint(named, root)
    got = sorted((f['rule'], f['file'], f['line']) for f in (out or {}).get('findings', []) if f['rule'] in rules)
    check(got == [('not-in-transaction', named[2], 1), ('slow-statement-under-lock', named[1], 2)],
          'drizzle-app: the backfill runs under the lock of the migration before it', got)
    msg = [f['message'] for f in (out or {}).get('findings', []) if f['rule'] == 'slow-statement-under-lock']
    check(msg and 'taken by the ALTER TABLE at line 1 of %s' % named[0] in msg[0],
          'drizzle-app: the finding names the file that took the lock', msg)
    # 0001 deployed before: its transaction committed, the backfill's own lock is all there is
    p, out = lint(named[1:], root)
    got = sorted((f['rule'], f['file'], f['line']) for f in (out or {}).get('findings', []) if f['rule'] in rules)
    check(got == [('not-in-transaction', named[2], 1)], 'drizzle-app: no carried lock when 0001 is applied', got)
    # the help says how: Drizzle has no way to run a migration outside its transaction
    helps = [f['help'] for f in (out or {}).get('findings', []) if f['rule'] == 'not-in-transaction']
    check(helps and "Drizzle's migrator" in helps[0], 'drizzle-app: not-in-transaction says Drizzle has no way out',
          helps)


def test_atlas_tx_all(root):
    """Atlas's --tx-mode all (atlas-tx-mode: all in .pgsieve.yml): every pending file in one
    transaction, and a file with a txmode directive refused (cmd/atlas/internal/cmdapi
    migrate.go tx.modeFor)."""
    tree = 'atlas-all'
    names = ['20240101000000_create_users.sql', '20240102000000_users_name.sql',
             '20240103000000_users_name_backfill.sql', '20240104000000_users_email_idx.sql']
    rules = {'not-in-transaction', 'slow-statement-under-lock', 'syntax-error', 'migration-graph'}

    def run(args):
        p = subprocess.run([PGSIEVE, 'lint', '--config', os.path.join(tree, '.pgsieve.yml'), '--format', 'json',
                            '--fail-on', 'never'] + args, cwd=root, capture_output=True, text=True, timeout=120)
        out = json.loads(p.stdout) if p.returncode in (0, 1) else {}
        return p, sorted((f['rule'], os.path.basename(f['file']), f['line']) for f in out.get('findings', [])
                         if f['rule'] in rules), out
    refused = ('migration-graph', names[3], 1)
    p, got, out = run([tree])
    check({f['transaction'] for f in out.get('files', [])} == {T}, 'atlas-all: every file runs in a transaction',
          out.get('files'))
    # a new database: users is created in the same transaction; the directive is refused
    check(got == [refused, ('not-in-transaction', names[3], 3)], 'atlas-all: whole directory', got)
    msg = [f['message'] for f in out.get('findings', []) if f['rule'] == 'migration-graph']
    check(msg and 'cannot set txmode directive to "none" in "%s" when txmode "all" is set globally' % names[3] in msg[0],
          "atlas-all: Atlas's refusal quoted", msg)
    # 0002 and later pending: the backfill runs under 0002's lock
    p, got, out = run([os.path.join(tree, n) for n in names[1:]])
    check(('slow-statement-under-lock', names[2], 2) in got, 'atlas-all: the backfill runs under the lock of the file '
          'before it', got)
    # the default --tx-mode file: each file commits, the directive is Atlas's way out
    p = subprocess.run([PGSIEVE, 'lint', '--no-config', '--framework', 'atlas', '--format', 'json', '--fail-on', 'never']
                       + [os.path.join(tree, n) for n in names[1:]],
                       cwd=root, capture_output=True, text=True, timeout=120)
    out = json.loads(p.stdout) if p.returncode in (0, 1) else {}
    got = [f['rule'] for f in out.get('findings', []) if f['rule'] in rules]
    check(got == [], 'atlas-all: with --tx-mode file nothing of the kind', got)
    # a value Atlas does not know is a configuration error
    bad = os.path.join(root, tree, 'bad.yml')
    with open(bad, 'w') as fh:
        fh.write('atlas-tx-mode: everything\n')
    try:
        p = subprocess.run([PGSIEVE, 'lint', '--config', bad, tree], cwd=root, capture_output=True, text=True)
        check(p.returncode == 2 and "'atlas-tx-mode' takes file, all or none" in p.stderr,
              'atlas-all: a wrong atlas-tx-mode is refused', (p.returncode, p.stderr))
    finally:
        os.unlink(bad)


def test_liquibase_more(root):
    """Liquibase formatted SQL: endDelimiter inside a line (GO after the statement, a one-character
    @) and as a regular expression (\\nGO: GO at a line's start), a changeset for another
    database (dbms:mysql) left out, preconditions and contexts said in notes."""
    tree = 'liquibase-more'
    rules = {'not-in-transaction', 'create-index-blocking', 'syntax-error', 'migration-graph', 'missing-downgrade'}
    p, out = lint([tree], root)
    if not check(out is not None, 'liquibase-more: lints', p.stderr):
        return
    got = sorted((f['rule'], f['file'][len(tree) + 1:], f['line']) for f in out['findings'] if f['rule'] in rules)
    col = [f['column'] for f in out['findings'] if f['rule'] == 'not-in-transaction']
    check(got == [('create-index-blocking', '001-orders.sql', 12), ('not-in-transaction', '001-orders.sql', 16)],
          'liquibase-more: statements cut at each endDelimiter, the MySQL changeset left out', got)
    check(col == [44], 'liquibase-more: the statement after an inline @ starts where it stands', col)
    names = sorted(f['path'][len(tree) + 1:] + ':' + f['part'] for f in out['files'])
    check(names.count('001-orders.sql:up') == 3, 'liquibase-more: three of the four changesets of 001 are linted', names)
    notes = {n['kind']: n['message'] for n in out.get('notes', [])}
    check('left out changeset \'dave:orders-mysql\'' in notes.get('other-database', ''),
          'liquibase-more: the dbms:mysql changeset is named as left out', notes)
    check('onFail:MARK_RAN' in notes.get('liquibase-precondition', '') and
          'pgsieve lints it as if they hold' in notes.get('liquibase-precondition', ''),
          'liquibase-more: the precondition is said in a note', notes)
    check('context:prod' in notes.get('liquibase-filter', ''), 'liquibase-more: the context is said in a note', notes)


def test_runner_trees(root):
    test_one_transaction(root)
    test_atlas_tx_all(root)
    test_liquibase_more(root)
    for tree, (files, findings) in RUNNER_TREES.items():
        out = check_tree(root, tree, files, findings, rules=RUNNER_RULES)
        if out is not None:
            fws = {v[0] for v in files.values()}
            check(all(f['framework'] in fws for f in out['files']), '%s: every file is read as %s' % (tree, fws),
                  [(f['path'], f['framework']) for f in out['files']])
            check(not any(f['rule'] == 'syntax-error' for f in out['findings']), '%s: no syntax error' % tree)
    p, out = lint(['per-database'], root)
    for db, name in (('mysql', 'MySQL'), ('sqlite', 'SQLite')):
        check("left out 'per-database/migrations/%s': %s migrations" % (db, name) in p.stderr and
              "'postgres' is the PostgreSQL one" in p.stderr, 'per-database: %s/ is named as left out' % db, p.stderr)
        # and in the report, for a CI job that reads JSON and not stderr
        notes = [n for n in (out or {}).get('notes', []) if n['kind'] == 'other-database'
                 and n['path'] == 'per-database/migrations/%s' % db and '%s migrations' % name in n['message']]
        check(len(notes) == 1, 'per-database: the JSON report notes %s/ as left out' % db, (out or {}).get('notes'))
    # two runners' layouts in one directory: the one tried first is taken, and the note says so
    p, out = lint(['ambiguous'], root)
    check("'ambiguous' has both dbmate's layout" in p.stderr and "goose's" in p.stderr and
          'it is read as dbmate' in p.stderr, 'ambiguous: detection says what it chose and why', p.stderr)
    check(out is not None and {f['framework'] for f in out['files']} == {'dbmate'}, 'ambiguous: read as dbmate')
    check(out is not None and [n['kind'] for n in out.get('notes', [])] == ['layout-conflict'] and
          'it is read as dbmate' in out['notes'][0]['message'], 'ambiguous: the JSON report carries the note',
          (out or {}).get('notes'))
    p, out = lint(['--framework', 'goose', 'ambiguous'], root)
    check(out is not None and {f['framework'] for f in out['files']} == {'goose'} and 'note' not in p.stderr and
          'notes' not in out,
          'ambiguous: --framework goose overrides detection', p.stderr)
    a, b, c = SQL_DIRECTIVE_FILES
    for assume, modes, extra in ((False, (N, T, W), set()),
                                 (True, (N, T, T), {('not-in-transaction', c, 1)})):
        files = {(f, 'up'): ('sql', m, None) for f, m in zip(SQL_DIRECTIVE_FILES, modes)}
        findings = {('not-in-transaction', b, 2)} | extra
        check_tree(root, 'sql-directives', files, findings, what='sql-directives%s' % (' (assumed)' if assume else ''),
                   args=['--assume-in-transaction'] if assume else [])


ALEMBIC_FILES = ['1a0000000001_create_accounts.py', '2b0000000002_accounts_plan.py',
                 '3c0000000003_accounts_email_index.py', '4d0000000004_merge_plan_and_email_index.py',
                 '5e0000000005_accounts_status.py', '6f0000000006_rename_and_batch.py']


def line_of(path, needle, nth=1):
    """The 1-based line of the nth line of a file that contains needle."""
    with open(path, encoding='utf-8') as f:
        for i, line in enumerate(f, 1):
            if needle in line:
                nth -= 1
                if nth == 0:
                    return i
    raise AssertionError('%s: no line contains %r' % (path, needle))


def check_tree(root, tree, files, findings, env=None, what=None, rules=FRAMEWORK_RULES, args=()):
    what = what or tree
    p, out = lint(list(args) + [tree], root, env)
    if not check(out is not None, '%s: lints (exit %d)' % (what, p.returncode), p.stderr):
        return None
    got_files = {}
    for f in out['files']:
        rel = f['path'][len(tree) + 1:] if f['path'].startswith(tree + '/') else f['path']
        got_files[(rel, f['part'])] = (f['framework'], f['transaction'], f['has_down'])
    for key, want in files.items():
        check(got_files.get(key) == want, '%s: %s (%s) is %s' % (what, key[0], key[1], want),
              'got %s' % (got_files.get(key),))
    got = set()
    for f in out['findings']:
        if f['rule'] in rules:
            rel = f['file'][len(tree) + 1:] if f['file'].startswith(tree + '/') else f['file']
            got.add((f['rule'], rel, f['line']))
    check(got == findings, '%s: framework findings' % what,
          'missing %s\nunexpected %s' % (sorted(findings - got), sorted(got - findings)))
    return out


def test_trees(fixtures, py):
    root = os.path.join(fixtures, 'frameworks')
    for tree, (files, findings) in TREES.items():
        check_tree(root, tree, files, findings)
    test_runner_trees(root)

    # Alembic: a branch and its merge, autocommit_block, op.execute outside it, downgrade() pass
    # and raise (the files as `alembic revision` wrote them, bodies edited)
    versions = os.path.join(root, 'alembic', 'migrations', 'versions')
    v = lambda name: 'migrations/versions/' + name  # noqa: E731
    f5 = os.path.join(versions, ALEMBIC_FILES[4])
    f6 = os.path.join(versions, ALEMBIC_FILES[5])
    files = {(v(n), 'up'): ('alembic', T, True) for n in ALEMBIC_FILES}
    files.update({(v(n), 'down'): ('alembic', T, None) for n in ALEMBIC_FILES})
    findings = {
        ('not-in-transaction', v(ALEMBIC_FILES[4]), line_of(f5, 'CREATE INDEX CONCURRENTLY')),
        ('missing-downgrade', v(ALEMBIC_FILES[4]), line_of(f5, 'def downgrade')),
        ('missing-downgrade', v(ALEMBIC_FILES[5]), line_of(f6, 'def downgrade')),
    }
    if py:
        out = check_tree(root, 'alembic', files, findings, {'PGSIEVE_PYTHON': py}, 'alembic (rendered)')
        if out:
            ups = [f['path'] for f in out['files'] if f['part'] == 'up']
            order = [os.path.basename(x) for x in ups]
            check(order.index(ALEMBIC_FILES[3]) > order.index(ALEMBIC_FILES[1]) and
                  order.index(ALEMBIC_FILES[3]) > order.index(ALEMBIC_FILES[2]) and
                  order[0] == ALEMBIC_FILES[0], 'alembic: revisions in graph order', order)
    static = set(findings) | {('alembic-static-analysis', v(n), line_of(os.path.join(versions, n), 'def upgrade'))
                              for n in ALEMBIC_FILES}
    check_tree(root, 'alembic', files, static, {'PGSIEVE_ALEMBIC_STATIC': '1'}, 'alembic (static)')

    # a broken revision graph: three heads, a missing parent, a duplicate id, a cycle
    bv = os.path.join(root, 'alembic-broken', 'versions')
    rev = lambda n: ('versions/' + n)  # noqa: E731
    broken = {
        ('migration-graph', rev('ee05_things_color.py'), line_of(os.path.join(bv, 'ee05_things_color.py'), 'revision =')),
        ('migration-graph', rev('dd04_things_owner.py'), line_of(os.path.join(bv, 'dd04_things_owner.py'), 'down_revision =')),
        ('migration-graph', rev('yy07_loop_two.py'), line_of(os.path.join(bv, 'yy07_loop_two.py'), 'down_revision =')),
    }
    for n in ('bb02_things_name.py', 'cc03_things_size.py', 'dd04_things_owner.py'):
        broken.add(('migration-graph', rev(n), line_of(os.path.join(bv, n), 'revision =')))
    env = {'PGSIEVE_PYTHON': py} if py else {'PGSIEVE_ALEMBIC_STATIC': '1'}
    p, out = lint(['--select', 'migration-graph', 'alembic-broken'], root, env)
    if check(out is not None, 'alembic-broken: lints', p.stderr):
        got = {(f['rule'], f['file'][len('alembic-broken/'):], f['line']) for f in out['findings']}
        check(got == broken, 'alembic-broken: graph findings',
              'missing %s\nunexpected %s' % (sorted(broken - got), sorted(got - broken)))


# ---- 2. Alembic for real ----

def alembic(py, cwd, *args):
    r = subprocess.run([py, '-m', 'alembic'] + list(args), cwd=cwd, capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        raise RuntimeError('alembic %s: %s' % (' '.join(args), r.stderr))
    m = re.search(r'Generating (\S+\.py)', r.stdout)
    return m.group(1) if m else None


def set_bodies(path, upgrade, downgrade):
    with open(path, encoding='utf-8') as f:
        s = f.read()
    s = re.sub(r'def upgrade\(\)( -> None)?:\n    pass\n', lambda m: 'def upgrade()%s:\n%s' % (m.group(1) or '', upgrade), s, 1)
    s = re.sub(r'def downgrade\(\)( -> None)?:\n    pass\n', lambda m: 'def downgrade()%s:\n%s' % (m.group(1) or '', downgrade), s, 1)
    with open(path, 'w', encoding='utf-8') as f:
        f.write(s)


def test_real_alembic(py):
    if not py:
        print('SKIP real Alembic: no Python with alembic and sqlalchemy')
        return
    with tempfile.TemporaryDirectory() as tmp:
        alembic(py, tmp, 'init', 'migrations')
        base = alembic(py, tmp, 'revision', '-m', 'create accounts', '--rev-id', 'base0001')
        set_bodies(base, '''    op.create_table(
        "accounts",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), primary_key=True),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("legacy", sa.Text(), nullable=True),
    )
''', '''    op.drop_table("accounts")
''')
        # a branch: two revisions on the same parent
        left = alembic(py, tmp, 'revision', '-m', 'accounts plan', '--rev-id', 'left0002')
        set_bodies(left, '''    op.add_column("accounts", sa.Column("plan", sa.Text(), server_default="free", nullable=False))
''', '''    op.drop_column("accounts", "plan")
''')
        right = alembic(py, tmp, 'revision', '-m', 'accounts email index', '--rev-id', 'rght0003',
                        '--head', 'base0001', '--splice')
        set_bodies(right, '''    with op.get_context().autocommit_block():
        op.create_index("accounts_email_idx", "accounts", ["email"], postgresql_concurrently=True)
''', '''    with op.get_context().autocommit_block():
        op.drop_index("accounts_email_idx", table_name="accounts", postgresql_concurrently=True)
''')
        # before the merge: two heads
        p, out = lint(['--select', 'migration-graph', 'migrations'], tmp, {'PGSIEVE_PYTHON': py})
        if check(out is not None, 'real alembic: lints before the merge', p.stderr):
            heads = sorted(os.path.basename(f['file']) for f in out['findings'])
            check(heads == sorted([os.path.basename(left), os.path.basename(right)]),
                  'real alembic: two unmerged heads reported', heads)
        merge = alembic(py, tmp, 'merge', '-m', 'merge plan and index', '--rev-id', 'mrge0004', 'heads')
        status = alembic(py, tmp, 'revision', '-m', 'accounts status', '--rev-id', 'stat0005')
        set_bodies(status, '''    op.add_column("accounts", sa.Column("status", sa.Text(), nullable=True))
    op.alter_column("accounts", "status", nullable=False)
    op.execute("CREATE INDEX CONCURRENTLY accounts_status_idx ON accounts (status)")
    with op.batch_alter_table("accounts") as batch_op:
        batch_op.alter_column("legacy", new_column_name="notes")
        batch_op.add_column(sa.Column("tier", sa.Text(), server_default=sa.text("'basic'")))
''', '''    pass
''')
        rel = lambda path: os.path.relpath(path, tmp)  # noqa: E731
        expect = {
            ('not-in-transaction', rel(status), line_of(status, 'CREATE INDEX CONCURRENTLY')),
            ('set-not-null-blocking', rel(status), line_of(status, 'nullable=False)')),
            ('rename-column', rel(status), line_of(status, 'new_column_name')),
            ('missing-downgrade', rel(status), line_of(status, 'def downgrade')),
        }
        absent = {
            ('not-in-transaction', rel(right)),     # inside autocommit_block
            ('missing-downgrade', rel(merge)),      # a merge revision does nothing, rightly
            ('migration-graph', rel(merge)),
        }
        for mode, env in (('rendered', {'PGSIEVE_PYTHON': py}), ('static', {'PGSIEVE_ALEMBIC_STATIC': '1'})):
            p, out = lint(['migrations'], tmp, env)
            if not check(out is not None, 'real alembic (%s): lints' % mode, p.stderr):
                continue
            got = {(f['rule'], f['file'], f['line']) for f in out['findings']}
            check(expect <= got, 'real alembic (%s): findings at the op.* lines' % mode,
                  'missing %s' % sorted(expect - got))
            pairs = {(f['rule'], f['file']) for f in out['findings']}
            check(not (absent & pairs), 'real alembic (%s): nothing on the autocommit block or the merge' % mode,
                  sorted(absent & pairs))
            notes = {f['file'] for f in out['findings'] if f['rule'] == 'alembic-static-analysis'}
            check((mode == 'static') == bool(notes), 'real alembic (%s): static-analysis notes only when static' % mode,
                  notes)
            check(all(f['framework'] == 'alembic' for f in out['files']), 'real alembic (%s): every file is alembic' % mode)
        # SARIF points at the .py file and the op.* line
        p = subprocess.run([PGSIEVE, 'lint', '--no-config', '--format', 'sarif', '--fail-on', 'never',
                            '--select', 'not-in-transaction', 'migrations'], cwd=tmp, capture_output=True,
                           text=True, env=dict(os.environ, PGSIEVE_PYTHON=py), timeout=120)
        try:
            res = json.loads(p.stdout)['runs'][0]['results']
            loc = res[0]['locations'][0]['physicalLocation']
            check(len(res) == 1 and loc['artifactLocation']['uri'].endswith(os.path.basename(status)) and
                  loc['region']['startLine'] == line_of(status, 'CREATE INDEX CONCURRENTLY'),
                  'real alembic: SARIF location is the .py file and the op.execute line', loc)
        except (ValueError, KeyError, IndexError) as e:
            check(False, 'real alembic: SARIF output', '%s\n%s' % (e, p.stderr))
        # a revision named alone (what pre-commit passes) is linted with its set for context
        p, out = lint(['--select', 'rename-column,not-in-transaction', rel(status)], tmp, {'PGSIEVE_PYTHON': py})
        if check(out is not None, 'real alembic: a named revision lints', p.stderr):
            check({f['path'] for f in out['files']} == {rel(status)} and len(out['findings']) == 2,
                  'real alembic: only the named revision is reported, the column is known',
                  [(f['file'], f['rule']) for f in out['findings']])


# ---- 3. --since and --staged ----

def git(cwd, *args):
    env = dict(os.environ, GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM='1',
               GIT_AUTHOR_NAME='t', GIT_AUTHOR_EMAIL='t@example.com', GIT_COMMITTER_NAME='t',
               GIT_COMMITTER_EMAIL='t@example.com')
    subprocess.run(['git'] + list(args), cwd=cwd, env=env, check=True, capture_output=True, timeout=60)


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w', encoding='utf-8') as f:
        f.write(text)


def test_sqitch_requires():
    """Sqitch refuses a plan whose change requires one planned after it, itself, or an unknown
    change (App::Sqitch::Plan's check_changes); a cycle of requires is the case no order fixes."""
    with tempfile.TemporaryDirectory() as tmp:
        ts = '2024-01-01T00:00:00Z Dev <dev@example.com>'
        plan = ['%syntax-version=1.0.0', '%project=shop', '',
                'users %s # users' % ts,
                'orders [users payments] %s # orders and payments need each other' % ts,
                '@v1 %s # a tag between the two' % ts,
                'payments [orders users] %s # the other half of the cycle' % ts,
                'audit [audit] %s # requires itself' % ts,
                'report [ledger] %s # ledger is planned below' % ts,
                'ledger [nowhere other:thing !users users@v1] %s # nowhere is unknown' % ts,
                'a [b] %s # a three-change cycle' % ts, 'b [c] %s' % ts, 'c [a] %s' % ts]
        write(os.path.join(tmp, 'sqitch.plan'), '\n'.join(plan) + '\n')
        for name in ('users', 'orders', 'payments', 'audit', 'report', 'ledger', 'a', 'b', 'c'):
            write(os.path.join(tmp, 'deploy', name + '.sql'), 'SELECT 1;\n')
            write(os.path.join(tmp, 'revert', name + '.sql'), 'SELECT 1;\n')
        p, out = lint(['.'], tmp)
        if not check(out is not None, 'sqitch requires: lints', p.stderr):
            return
        got = sorted((f['line'], f['column'], f['message']) for f in out['findings']
                     if f['rule'] == 'migration-graph')
        want = [(5, 15, 'changes require each other in a cycle (orders -> payments -> orders)'),
                (8, 8, "change 'audit' requires itself"),
                (9, 9, "change 'report' requires 'ledger', which the plan lists after it"),
                (10, 9, "change 'ledger' requires 'nowhere', which is not a change of this plan"),
                (11, 4, 'changes require each other in a cycle (a -> b -> c -> a)')]
        ok = len(got) == len(want) and all(g[0] == w[0] and g[1] == w[1] and g[2].startswith(w[2])
                                            for g, w in zip(got, want))
        check(ok, 'sqitch requires: cycles, self, forward and unknown requires at their line and column',
              '\n'.join(map(str, got)))
        # Sqitch checks each tag's section against those above it: across a tag, "unknown"
        check(any('(Unknown change "payments" required by change "orders")' in g[2] for g in got) and
              any('(Change "a" planned 1 change before required change "b")' in g[2] for g in got),
              "sqitch requires: Sqitch's own words are quoted", got)


def test_since():
    if not shutil.which('git'):
        print('SKIP --since: no git')
        return
    with tempfile.TemporaryDirectory() as tmp:
        git(tmp, 'init', '-q', '-b', 'main')
        d = os.path.join(tmp, 'db', 'migrations')
        write(os.path.join(d, '20240101000000_users.sql'),
              '-- migrate:up\nCREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n'
              '-- migrate:down\nDROP TABLE users;\n')
        write(os.path.join(d, '20240102000000_orders.sql'),
              '-- migrate:up\nCREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);\n'
              '-- migrate:down\nDROP TABLE orders;\n')
        write(os.path.join(d, '20240103000000_users_email.sql'),
              '-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT 1;\n')
        git(tmp, 'add', '.')
        git(tmp, 'commit', '-q', '-m', 'three migrations')
        git(tmp, 'checkout', '-q', '-b', 'feature')
        write(os.path.join(d, '20240103000000_users_email.sql'),
              '-- migrate:up\nALTER TABLE users ALTER COLUMN email TYPE varchar(320);\n'
              '-- migrate:down\nALTER TABLE users ALTER COLUMN email TYPE text;\n')
        git(tmp, 'commit', '-q', '-am', 'widen... narrow email')
        p, out = lint(['--since', 'main', 'db/migrations'], tmp)
        if check(out is not None, '--since: lints', p.stderr):
            files = {f['file'] for f in out['findings']}
            check(files == {'db/migrations/20240103000000_users_email.sql'},
                  '--since: only the changed migration is reported', sorted(files))
            listed = {(f['path'], f['part']) for f in out['files']}
            check(listed == {('db/migrations/20240103000000_users_email.sql', 'up'),
                             ('db/migrations/20240103000000_users_email.sql', 'down')},
                  '--since: only the changed migration is listed', sorted(listed))
            msgs = [f['message'] for f in out['findings'] if f['rule'] == 'alter-type-rewrite']
            check(any('from text' in m for m in msgs),
                  '--since: the table created by the first migration is known (its column type)', msgs)
        # a new, untracked migration counts as changed too
        write(os.path.join(d, '20240104000000_orders_idx.sql'),
              '-- migrate:up\nCREATE INDEX orders_user_idx ON orders (user_id);\n-- migrate:down\nDROP INDEX orders_user_idx;\n')
        p, out = lint(['--since', 'main', 'db/migrations'], tmp)
        if check(out is not None, '--since with an untracked file: lints', p.stderr):
            files = {f['file'] for f in out['findings']}
            check('db/migrations/20240104000000_orders_idx.sql' in files and
                  'db/migrations/20240101000000_users.sql' not in files,
                  '--since: the untracked migration is reported, the old ones are not', sorted(files))
            msgs = [f['message'] for f in out['findings'] if f['rule'] == 'create-index-blocking']
            check(len(msgs) == 1, '--since: orders (created by an unchanged migration) is an existing table', msgs)
        # --staged: only what is in the index
        git(tmp, 'add', os.path.join(d, '20240104000000_orders_idx.sql'))
        write(os.path.join(d, '20240102000000_orders.sql'),
              '-- migrate:up\nCREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);\n-- migrate:down\n')
        p, out = lint(['--staged', 'db/migrations'], tmp)
        if check(out is not None, '--staged: lints', p.stderr):
            files = {f['file'] for f in out['findings']}
            check(files == {'db/migrations/20240104000000_orders_idx.sql'},
                  '--staged: only the staged migration is reported (not the unstaged edit)', sorted(files))


# ---- 4. the corpora ----

CORPORA = {
    'dbmate-supabase-postgres': 'dbmate',
    'diesel-cratesio': 'diesel',
    'dump-lago-structure': 'sql',
    'flyway-dhis2': 'flyway',
    'gomigrate-ente': 'golang-migrate',
    'gomigrate-kratos': 'pop',
    'pg-regress-libpgquery': 'sql',
    'prisma-documenso': 'prisma',
    'sqitch-chef-server': 'sqitch',
}
TABLE_BEGIN = '<!-- corpus-table: generated by tests/frameworks.py (UPDATE_FRAMEWORKS_DOC=1); do not edit -->'
TABLE_END = '<!-- corpus-table end -->'


def test_corpora(corpora, doc):
    if not shared_data.part(corpora, 'the corpora'):
        return
    rows = []
    for name in sorted(os.listdir(corpora)):
        if not os.path.isdir(os.path.join(corpora, name)):
            continue
        p = subprocess.run([PGSIEVE, 'lint', '--no-config', '--format', 'json', name], cwd=corpora,
                           capture_output=True, text=True, timeout=900)
        check(p.returncode in (0, 1), 'corpus %s: exit 0 or 1, not %d' % (name, p.returncode), p.stderr[-2000:])
        try:
            out = json.loads(p.stdout)
        except ValueError:
            check(False, 'corpus %s: JSON output' % name)
            continue
        fws = {f['framework'] for f in out['files'] if f['statements'] or f['framework'] != 'sql'}
        want = CORPORA.get(name)
        if want:
            check(want in fws and fws <= {want, 'sql'} if want != 'sql' else fws == {'sql'},
                  'corpus %s: detected as %s' % (name, want), sorted(fws))
        # files listed only because a set-level finding names them (sqitch.plan, a stray
        # script) were not linted: their transaction mode is "as written"
        linted = [f for f in out['files'] if f['framework'] == (want or f['framework']) and
                  (want in (None, 'sql') or f['transaction'] != 'as written')]
        ups = sum(1 for f in linted if f['part'] == 'up')
        downs = sum(1 for f in linted if f['part'] == 'down')
        modes = sorted({f['transaction'] for f in linted})
        count = lambda rule: sum(1 for f in out['findings'] if f['rule'] == rule)  # noqa: E731
        s = out['summary']
        rows.append('| %s | %s | %s | %d / %d | %d | %d | %d | %d | %d | %d | %d | %d |' % (
            name, ', '.join(sorted(fws)), ', '.join(modes), ups, downs, s['statements'], s['errors'],
            s['warnings'], s['infos'], count('not-in-transaction'), count('transaction-nesting'),
            count('missing-downgrade'), count('migration-graph')))
    table = '\n'.join([
        '| corpus | layout detected | runs in | up / down parts | statements | errors | warnings | infos '
        '| not-in-transaction | transaction-nesting | missing-downgrade | migration-graph |',
        '|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|'] + rows)
    print(table)
    if not doc or not os.path.exists(doc):
        return
    with open(doc, encoding='utf-8') as f:
        text = f.read()
    i, j = text.find(TABLE_BEGIN), text.find(TABLE_END)
    if not check(i >= 0 and j > i, 'docs/frameworks.md has the corpus table markers'):
        return
    new = text[:i + len(TABLE_BEGIN)] + '\n' + table + '\n' + text[j:]
    if os.environ.get('UPDATE_FRAMEWORKS_DOC') == '1':
        with open(doc, 'w', encoding='utf-8') as f:
            f.write(new)
        print('wrote the corpus table to %s' % doc)
    elif new != text:
        print('note: the corpus table in %s is not current (UPDATE_FRAMEWORKS_DOC=1 rewrites it)' % doc)


def main():
    global PGSIEVE
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    PGSIEVE = os.path.abspath(sys.argv[1])
    fixtures = os.path.abspath(sys.argv[2])
    corpora = os.path.abspath(sys.argv[3]) if len(sys.argv) > 3 else None
    doc = os.path.abspath(sys.argv[4]) if len(sys.argv) > 4 else None
    py = alembic_python()
    test_trees(fixtures, py)
    test_real_alembic(py)
    test_since()
    test_sqitch_requires()
    test_corpora(corpora, doc)
    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
