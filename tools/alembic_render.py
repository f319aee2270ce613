#!/usr/bin/env python3
"""pgsieve's Alembic bridge: the SQL each revision's upgrade() and downgrade() would run.

usage: alembic_render.py [--static] [--name NAME] [--timeout SECONDS] [--progress-fd FD]
                         [--stopped FILE]... PATH...

PATH is an alembic.ini, a directory holding one (or env.py and versions/), or a versions
directory. For every revision file the script renders upgrade() and downgrade() with Alembic's
own offline ("--sql") machinery: a MigrationContext for the postgresql dialect with as_sql and
transactional DDL and no database, whose output is captured statement by statement. Each
statement is tied to the place in the revision file of the operation that produced it (the
innermost Python statement of the revision file on the call stack when Alembic wrote it; for
batch_alter_table, the batch_op call that queued it). Statements written inside
op.get_context().autocommit_block() are marked "alone": Alembic runs them outside its
transaction.

When Alembic cannot be imported, or a revision cannot be imported or rendered (it imports the
application, needs a database connection, ...), the revision is read statically with the ast
module instead: op.* calls with literal arguments are turned into the SQL Alembic would write
for them, op.execute() strings are taken as they are, and the reason is given in "note".
--static (or PGSIEVE_ALEMBIC_STATIC=1) reads every revision statically and runs no code of the
project.

--timeout is the time a revision may take (importing it, upgrade() and downgrade() together)
before it is read statically instead (default 30). pgsieve runs this script in a process group
of its own with a deadline of its own: --progress-fd is where the script says which revision it
reads ("revision PATH" lines), and --stopped names a revision whose rendering pgsieve had to stop
(it kept running past the timeout): it is read statically without importing it.

The answer is one JSON object on standard output, described in docs/frameworks.md. Whatever the
project's code prints goes to standard error.
"""

import ast
import configparser
import importlib.util
import io
import json
import os
import re
import shutil
import signal
import sys
import tokenize
import warnings

FORMAT_VERSION = 1
RENDER_SECONDS = 30  # a revision whose import or rendering takes longer is read statically

# ---- where the revisions are ----

# Version folders an env.py picks by dialect at run time (versions/postgresql beside
# versions/sqlite): the PostgreSQL one is linted, the others are for other databases.
_PG_DIALECT_DIRS = ('postgresql', 'postgres', 'pg', 'psql')
_OTHER_DIALECT_DIRS = ('sqlite', 'mysql', 'mariadb', 'mssql', 'oracle', 'sqlserver', 'duckdb', 'cockroachdb')


def _outside_path(given, path):
    """A path as pgsieve reports it: relative when the user gave a relative path."""
    path = os.path.normpath(path)
    if os.path.isabs(given):
        return path
    rel = os.path.relpath(path)
    return path if rel.startswith('..' + os.sep + '..' + os.sep + '..') else rel


def _package_dir(pkg, roots):
    """The directory of a package named in a `package:path` location, found in the tree
    (roots: the ini's directory, prepend_sys_path entries and the directories above them)
    without importing anything; then through importlib, which imports the parent packages."""
    rel = pkg.replace('.', os.sep)
    for r in roots:
        for base in (r, os.path.join(r, 'src')):
            cand = os.path.join(base, rel)
            if os.path.isdir(cand):
                return cand
    try:
        spec = importlib.util.find_spec(pkg)
    except Exception:  # the project's package __init__: anything can happen
        spec = None
    if spec and spec.submodule_search_locations:
        return list(spec.submodule_search_locations)[0]
    return None


def _location(loc, here, roots):
    """A script or version location of an ini: %(here)s is already expanded; a relative path
    is read from the ini's directory (where `alembic` is run); `package:path` is a package
    resource. Returns (path, problem)."""
    if ':' in loc and not os.path.isabs(loc) and not re.match(r'^[A-Za-z]:[\\/]', loc):
        pkg, _, sub = loc.partition(':')
        d = _package_dir(pkg, roots)
        if d is None:
            return None, 'the location %r names the package %r, which is neither in the tree nor importable' % (loc, pkg)
        return os.path.join(d, *sub.split(':')), None
    if not os.path.isabs(loc):
        loc = os.path.join(here, loc)
    return loc, None


def _roots(here, syspath):
    roots = list(syspath) + [here]
    d = here
    for _ in range(4):
        up = os.path.dirname(d)
        if up == d:
            break
        roots.append(up)
        d = up
    return roots


def _project_roots(here):
    """The directories above an environment, up to the working directory (or two levels when
    the environment is outside it)."""
    cwd = os.path.abspath('.')
    out = []
    d = os.path.abspath(here)
    inside = d == cwd or d.startswith(cwd + os.sep)
    for _ in range(4 if inside else 2):
        up = os.path.dirname(d)
        if up == d or (inside and not (up == cwd or up.startswith(cwd + os.sep))):
            break
        out.append(up)
        d = up
    return out


def ini_environments(ini):
    """The environments an ini file defines: its [alembic] section, or each named section
    with a script_location (used as `alembic -n NAME`). Returns (names, problem)."""
    cp = configparser.ConfigParser(interpolation=None, inline_comment_prefixes=('#', ';'), strict=False)
    try:
        cp.read(ini)
    except (configparser.Error, UnicodeDecodeError) as e:
        return [], 'cannot read %s: %s' % (ini, str(e).splitlines()[0])
    if cp.has_section('alembic'):
        return ['alembic'], None
    names = [s for s in cp.sections() if cp.has_option(s, 'script_location')]
    if not names:
        return [], 'no [alembic] section and no section with a script_location in %s' % ini
    return names, None


def ini_environment(ini, sect):
    """version directories, sys.path entries and a problem for one section of an ini."""
    here = os.path.abspath(os.path.dirname(ini) or '.')
    # Alembic's own alembic.ini has comments after values (version_path_separator = os  # ...)
    cp = configparser.ConfigParser(defaults={'here': here}, inline_comment_prefixes=('#',), strict=False)
    try:
        cp.read(ini)
    except (configparser.Error, UnicodeDecodeError) as e:
        return [], [], 'cannot read %s: %s' % (ini, str(e).splitlines()[0]), False
    if not cp.has_section(sect):
        have = ', '.join(ini_environments(ini)[0]) or 'none'
        return [], [], 'no [%s] section in %s (environments: %s)' % (sect, ini, have), False

    def get(key):
        try:
            v = cp.get(sect, key, fallback=None)
        except configparser.Error:
            v = cp.get(sect, key, raw=True, fallback=None)
        return v.strip() if v is not None else None
    syspath = []
    pre = get('prepend_sys_path')
    if pre:
        for p in re.split(r'[\s,%s]+' % re.escape(os.pathsep), pre):
            if p:
                syspath.append(p if os.path.isabs(p) else os.path.join(here, p))
    syspath.append(here)
    roots = _roots(here, syspath)
    loc = get('script_location')
    if not loc:
        # Flask-Migrate's alembic.ini names no script_location: Flask-Migrate passes the
        # migrations directory, which is the ini's own
        if os.path.isfile(os.path.join(here, 'env.py')):
            loc = here
            # `flask db upgrade` runs from the project's root, which is on sys.path
            syspath.append(os.path.dirname(here))
        else:
            return [], syspath, 'no script_location in [%s] of %s' % (sect, ini), False
    script, problem = _location(loc, here, roots)
    if problem:
        return [], syspath, problem, False
    raw = get('version_locations')
    if raw:
        sep_word = get('version_path_separator')
        seps = {'space': ' ', 'newline': '\n', 'colon': ':', 'semicolon': ';', 'os': os.pathsep}
        if sep_word in seps:
            parts = raw.split(seps[sep_word])
        else:  # the legacy default: spaces or commas
            parts = re.split(r'[\s,]+', raw)
        versions = []
        for p in parts:
            p = p.strip()
            if p:
                v, problem = _location(p, here, roots)
                if problem:
                    return [], syspath, problem, False
                versions.append(v)
    else:
        versions = [os.path.join(script, 'versions')]
    recursive = (get('recursive_version_locations') or '').lower() in ('true', '1', 'yes', 'on')
    return [os.path.normpath(v) for v in versions], syspath, None, recursive


def find_environment(path, name):
    """(version directories, sys.path entries, problem, recursive) for a path pgsieve was
    given: an ini file (name: its section), a directory holding alembic.ini, a directory
    with env.py and versions/, or a versions directory."""
    ini = path if os.path.isfile(path) else os.path.join(path, 'alembic.ini')
    if os.path.isfile(ini):
        if name is None:
            names, problem = ini_environments(ini)
            if problem:
                return [], [], problem, False
            name = names[0]
        return ini_environment(ini, name)
    if os.path.isfile(os.path.join(path, 'env.py')) and os.path.isdir(os.path.join(path, 'versions')):
        parent = os.path.dirname(os.path.abspath(path))
        return [os.path.join(os.path.abspath(path), 'versions')], [parent], None, False
    return [os.path.abspath(path)], [], None, False


def revision_files(vdir, recursive=False):
    """The revision files of a version directory, in name order. A sub-folder named for
    PostgreSQL (versions/postgresql, picked by env.py when the dialect is postgresql) is read
    as part of it; folders named for other dialects are not; other sub-folders only with
    recursive_version_locations."""
    out = []
    try:
        names = sorted(os.listdir(vdir))
    except OSError as e:
        return out, 'cannot read %s: %s' % (vdir, e.strerror)
    for n in names:
        p = os.path.join(vdir, n)
        if n.endswith('.py') and not n.startswith(('.', '__')):
            if os.path.isfile(p):
                out.append(p)
        elif not n.startswith(('.', '__')) and os.path.isdir(p) and n.lower() not in _OTHER_DIALECT_DIRS \
                and (recursive or n.lower() in _PG_DIALECT_DIRS):
            sub, _ = revision_files(p, recursive)
            out.extend(sub)
    return out, None


# ---- positions in a revision file ----


class Source:
    """A revision file's text, its parse tree and byte/character positions in it."""

    def __init__(self, path):
        self.path = path
        with open(path, 'rb') as f:
            self.raw = f.read()
        self.text = self.raw.decode('utf-8', 'replace')
        self.lines = self.raw.split(b'\n')
        self.line_starts = [0]
        for ln in self.lines[:-1]:
            self.line_starts.append(self.line_starts[-1] + len(ln) + 1)
        self.tree = ast.parse(self.raw, filename=path)
        self.stmts = [n for n in ast.walk(self.tree)
                      if isinstance(n, ast.stmt) and not isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
        self.functions = {}
        for n in self.tree.body:
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.functions[n.name] = n

    def char_col(self, line, byte_col):
        ln = self.lines[line - 1] if 0 < line <= len(self.lines) else b''
        return len(ln[:byte_col].decode('utf-8', 'replace')) + 1

    def offset(self, line, byte_col):
        if line < 1 or line > len(self.line_starts):
            return 0
        return self.line_starts[line - 1] + byte_col

    def place(self, node):
        """line, column, end_line, end_column, offset, end_offset of an ast node."""
        end_line = getattr(node, 'end_lineno', None) or node.lineno
        end_col = getattr(node, 'end_col_offset', None)
        if end_col is None:
            end_col = len(self.lines[end_line - 1]) if end_line <= len(self.lines) else 0
        return {
            'line': node.lineno, 'column': self.char_col(node.lineno, node.col_offset),
            'end_line': end_line, 'end_column': self.char_col(end_line, end_col),
            'offset': self.offset(node.lineno, node.col_offset),
            'end_offset': self.offset(end_line, end_col),
        }

    def header_place(self, fn):
        """The `def name(...):` line of a function."""
        line = fn.lineno
        text = self.lines[line - 1] if line <= len(self.lines) else b''
        col = fn.col_offset
        return {
            'line': line, 'column': self.char_col(line, col), 'end_line': line,
            'end_column': self.char_col(line, len(text.rstrip(b'\r'))),
            'offset': self.offset(line, col), 'end_offset': self.offset(line, len(text.rstrip(b'\r'))),
        }

    def statement_at(self, line):
        """The innermost statement of the file that holds a line (a compound statement only
        for its header)."""
        best = None
        for n in self.stmts:
            end = getattr(n, 'end_lineno', None) or n.lineno
            if n.lineno <= line <= end:
                if best is None or n.lineno > best.lineno or (
                        n.lineno == best.lineno and end < (getattr(best, 'end_lineno', None) or best.lineno)):
                    best = n
        return best

    def directives_above(self, line, directives):
        """The directives in the block of comment lines just above a line."""
        first = line
        while first > 1:
            t = self.lines[first - 2].strip()
            if t and not t.startswith(b'#'):
                break
            first -= 1
        return [d for d in directives if first <= d['line'] < line and not d['text'].startswith('pgsieve-ignore-file')]

    def directives(self):
        """pgsieve comment directives written as Python comments: (line, text, place)."""
        out = []
        try:
            toks = tokenize.tokenize(io.BytesIO(self.raw).readline)
            for t in toks:
                if t.type == tokenize.COMMENT:
                    body = t.string[1:].strip()
                    if body.startswith('pgsieve-'):
                        line, col = t.start
                        # tokenize columns are characters; turn them into bytes
                        ln = self.lines[line - 1].decode('utf-8', 'replace')
                        bcol = len(ln[:col].encode('utf-8'))
                        ecol = bcol + len(t.string.encode('utf-8'))
                        out.append({'line': line, 'text': body, 'column': col + 1, 'end_line': line,
                                    'end_column': col + 1 + len(t.string),
                                    'offset': self.offset(line, bcol), 'end_offset': self.offset(line, ecol)})
        except (tokenize.TokenError, SyntaxError):
            pass
        return out


def body_kind(fn):
    """How a function body does nothing, if it does: "pass", "docstring", "raise"; else None."""
    body = list(fn.body)
    doc = False
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        body = body[1:]
        doc = True
    if not body:
        return 'docstring' if doc else 'pass'
    if all(isinstance(s, ast.Pass) or (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant)
                                       and s.value.value is Ellipsis) for s in body):
        return 'pass'
    if len(body) == 1 and isinstance(body[0], ast.Raise):
        return 'raise'
    return None


# ---- revision identifiers ----


def _literal(node):
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None


def _is_standin(v):
    if 'StandIn' not in _SA:
        return False
    if isinstance(v, (list, tuple, set, frozenset)):
        return any(_is_standin(x) for x in v)
    return isinstance(v, _SA['StandIn'])


def _ids(v):
    if v is None:
        return []
    if isinstance(v, str):
        return [v]
    if isinstance(v, (list, tuple, set, frozenset)):
        return [x for x in v if isinstance(x, str)]
    return []


_UNRESOLVED = object()


def _module_file(modname):
    """The source file of a module on sys.path, found without importing it."""
    rel = modname.replace('.', os.sep)
    for base in sys.path:
        if not base or not os.path.isdir(base):
            continue
        for cand in (os.path.join(base, rel + '.py'), os.path.join(base, rel, '__init__.py')):
            if os.path.isfile(cand):
                return cand
    return None


def _module_tree(modname, cache={}):
    if modname not in cache:
        f = _module_file(modname)
        cache[modname] = None
        if f:
            try:
                with open(f, 'rb') as fh:
                    cache[modname] = ast.parse(fh.read(), filename=f)
            except (OSError, SyntaxError, ValueError):
                pass
    return cache[modname]


def _resolve(tree, node, depth=0):
    """The value of an expression of a module, following names to their assignment in it or
    in a module it imports them from (read, not imported); _UNRESOLVED when it cannot."""
    v = _literal(node)
    if v is not None or (isinstance(node, ast.Constant) and node.value is None):
        return v
    if depth > 4:
        return _UNRESOLVED
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        vals = [_resolve(tree, e, depth + 1) for e in node.elts]
        return _UNRESOLVED if any(x is _UNRESOLVED for x in vals) else tuple(vals)
    if isinstance(node, ast.Name) and tree is not None:
        for st in reversed(tree.body):
            if isinstance(st, ast.Assign) and any(isinstance(t, ast.Name) and t.id == node.id for t in st.targets):
                return _resolve(tree, st.value, depth + 1)
            if isinstance(st, ast.ImportFrom) and st.module and not st.level:
                for a in st.names:
                    if (a.asname or a.name) == node.id:
                        return _resolve(_module_tree(st.module), ast.Name(id=a.name), depth + 1)
        return _UNRESOLVED
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and tree is not None:
        for st in tree.body:
            names = []
            if isinstance(st, ast.Import):
                names = [(a.asname or a.name, a.name) for a in st.names]
            elif isinstance(st, ast.ImportFrom) and st.module and not st.level:
                names = [(a.asname or a.name, st.module + '.' + a.name) for a in st.names]
            for local, full in names:
                if local == node.value.id:
                    return _resolve(_module_tree(full), ast.Name(id=node.attr), depth + 1)
    return _UNRESOLVED


def static_identifiers(src):
    """revision, down_revision, branch_labels, depends_on from the module's assignments, and
    the names of those that are not literals and could not be resolved."""
    ids = {}
    lines = {}
    unknown = []
    for n in src.tree.body:
        targets, value = [], None
        if isinstance(n, ast.Assign):
            targets, value = n.targets, n.value
        elif isinstance(n, ast.AnnAssign) and n.value is not None:
            targets, value = [n.target], n.value
        for t in targets:
            if isinstance(t, ast.Name) and t.id in ('revision', 'down_revision', 'branch_labels', 'depends_on'):
                v = _resolve(src.tree, value)
                if v is _UNRESOLVED:
                    unknown.append(t.id)
                    v = None
                ids[t.id] = v
                lines[t.id] = src.place(n)
    return ids, lines, unknown


# ---- rendering with Alembic ----


class Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise Timeout()


class Recorder:
    """Collects what Alembic writes for one function, statement by statement."""

    def __init__(self, src, fn):
        self.src = src
        self.fn = fn
        self.abspath = os.path.abspath(src.path)
        self.statements = []
        self.alone = 0       # depth of autocommit_block()
        self.override = None  # the line of the batch_op call being flushed
        self.data_line = None  # where the function first ran SQL on its connection
        self.index_table = None  # the table of the index a DROP INDEX being written drops
        self.extra_params = []
        self.orm_line = None   # where the function opened an ORM Session on the connection
        self.bind = None

    def data_step(self):
        if self.data_line is None:
            self.data_line = self.user_line()

    def user_line(self):
        if self.override is not None:
            return self.override
        f = sys._getframe(1)
        while f is not None:
            if os.path.abspath(f.f_code.co_filename) == self.abspath:
                return f.f_lineno
            f = f.f_back
        return None

    def place_of(self, line):
        node = self.src.statement_at(line) if line else None
        if node is None:
            return self.src.header_place(self.fn)
        return self.src.place(node)

    def emit(self, sql, line=None):
        sql = sql.strip()
        if not sql:
            return
        p = dict(self.place_of(line or self.user_line()))
        p['sql'] = sql
        p['alone'] = self.alone > 0
        if self.index_table:
            p['index_table'] = self.index_table
        self.statements.append(p)

    def emit_at(self, sql, line):
        self.emit(sql, line)


class RecordingBatch(list):
    """BatchOperationsImpl.batch: remembers the line of each batch_op call, and while
    flush() runs each queued operation, says which line produced it."""

    recorder = None

    def __init__(self):
        super().__init__()
        self.lines = []

    def append(self, item):
        r = RecordingBatch.recorder
        self.lines.append(r.user_line() if r else None)
        super().append(item)

    def __iter__(self):
        r = RecordingBatch.recorder
        try:
            for i in range(len(self)):
                if r is not None:
                    r.override = self.lines[i] if i < len(self.lines) else None
                yield list.__getitem__(self, i)
        finally:
            if r is not None:
                r.override = None


def _patch_batch(alembic_batch):
    cls = alembic_batch.BatchOperationsImpl
    if getattr(cls, '_pgsieve_patched', False):
        return
    orig = cls.__init__

    def init(self, *a, **kw):
        orig(self, *a, **kw)
        self.batch = RecordingBatch()
    cls.__init__ = init
    cls._pgsieve_patched = True


# ---- rendering without the application ----
#
# Revisions import the application (models, custom types, helpers) and third-party packages
# that CI and pre-commit often do not have. A module that cannot be imported is replaced by a
# stand-in: any attribute of it, any call of it, any subclass of it is another stand-in, used as
# a column type it is an unknown type, as a default an unknown default. What the stand-ins
# replaced is said in the revision's remarks.

UNKNOWN_TYPE = 'pgsieve_unknown_type'
UNKNOWN_DEFAULT = "'pgsieve: unknown default'"
_STANDIN_MODULES = {}   # module name -> why it is a stand-in
_PROTECTED = {'sqlalchemy', 'alembic', 'mako', 'pgsieve_alembic_revision'}
_SA = {}                # the classes built once SQLAlchemy is imported


class _StandInFinder:
    """Last on sys.meta_path: finds the modules nothing else finds, as stand-ins."""

    def find_spec(self, name, path=None, target=None):
        top = name.split('.')[0]
        if top in _PROTECTED or top.startswith('pgsieve_alembic_revision') or \
                top in getattr(sys, 'stdlib_module_names', ()) or 'StandIn' not in _SA or \
                not _imported_by_project():
            return None
        return importlib.util.spec_from_loader(name, self, is_package=True)

    def create_module(self, spec):
        _STANDIN_MODULES.setdefault(spec.name, 'not installed')
        return _SA['module'](spec.name)

    def exec_module(self, module):
        pass


def _imported_by_project():
    """Whether the import being resolved comes from the project's code: not from SQLAlchemy,
    Alembic or the standard library, whose optional imports (try: import x except
    ImportError) must keep failing as they would."""
    f = sys._getframe(2)
    while f is not None:
        mod = f.f_globals.get('__name__') or ''
        if not mod.startswith(('importlib', '_frozen_importlib')) and f.f_code.co_filename != __file__:
            top = mod.split('.')[0]
            return not (top in _PROTECTED or top in getattr(sys, 'stdlib_module_names', ()))
        f = f.f_back
    return True


def _setup_standins():
    """Builds the stand-in classes on SQLAlchemy's types (once Alembic is imported)."""
    import types as pytypes
    import sqlalchemy as sa
    from sqlalchemy.sql import schema as sa_schema

    class StandIn(sa.types.UserDefinedType):
        """An unknown value from a module that could not be imported."""
        cache_ok = True
        _pgsieve_name = 'stand-in'

        def __init__(self, *args, **kwargs):
            pass

        def get_col_spec(self, **kw):
            return UNKNOWN_TYPE

        def __getattr__(self, name):
            if name.startswith('_') or name in ('impl', 'impl_instance', 'comparator_factory'):
                raise AttributeError(name)
            return StandIn()

        def __call__(self, *args, **kwargs):
            return StandIn()

        def __mro_entries__(self, bases):
            return (StandIn,)

        def __iter__(self):
            return iter(())

        def __bool__(self):
            return True

        def __str__(self):
            return 'pgsieve_unknown'

    class StandInModule(pytypes.ModuleType):
        def __init__(self, name):
            super().__init__(name)
            self.__path__ = []

        def __getattr__(self, name):
            if name.startswith('__'):
                raise AttributeError(name)
            return StandIn()

    # an unknown default is a default: the column is filled, add-column-required stays quiet
    orig_init = sa_schema.Column.__init__

    def column_init(self, *args, **kwargs):
        for k in ('server_default', 'default'):
            if isinstance(kwargs.get(k), StandIn):
                kwargs[k] = sa.text(UNKNOWN_DEFAULT) if k == 'server_default' else None
        orig_init(self, *args, **kwargs)
    sa_schema.Column.__init__ = column_init

    # a type of a newer SQLAlchemy (sa.Uuid, sa.Double in 1.4): an unknown type for that column,
    # not a revision that cannot be rendered
    import sqlalchemy.types as satypes
    from sqlalchemy.dialects import postgresql as sapg

    def missing_type(modname):
        def getattr_(name):
            if name[:1].isupper() and not name.startswith('__'):
                _SA['missing'].add('%s.%s' % (modname, name))
                return StandIn
            raise AttributeError("module %r has no attribute %r" % (modname, name))
        return getattr_
    for mod in (sa, satypes, sapg):
        if not hasattr(mod, '__getattr__'):
            mod.__getattr__ = missing_type(mod.__name__)
    _SA.update(StandIn=StandIn, module=StandInModule, missing=set(), sa=sa)
    sys.meta_path.append(_StandInFinder())


def _failing_module(e, path):
    """The module an import failed in (not the revision itself), from the traceback."""
    tb = e.__traceback__
    name = None
    me = os.path.abspath(path)
    while tb is not None:
        f = tb.tb_frame
        fn = os.path.abspath(f.f_code.co_filename)
        modname = f.f_globals.get('__name__')
        if fn != me and modname and not modname.startswith(('importlib', 'pgsieve_alembic_revision')) \
                and modname.split('.')[0] not in _PROTECTED and modname != '__main__' \
                and modname.split('.')[0] not in getattr(sys, 'stdlib_module_names', ()):
            name = modname
        tb = tb.tb_next
    return name


class _Empty:
    """What a query returns when there is no database: no rows."""
    rowcount = 0

    def __iter__(self):
        return iter(())

    def __getattr__(self, name):
        if name.startswith('__'):
            raise AttributeError(name)
        return self

    def __call__(self, *a, **kw):
        return self

    def fetchall(self):
        return []

    def fetchone(self):
        return None

    def first(self):
        return None

    def scalar(self):
        return None

    def all(self):
        return []


class DataBind:
    """op.get_bind() while rendering: Alembic's mock connection (dialect postgresql), whose
    execute() records the SQL the revision sends and returns no rows."""

    def __init__(self, mock, rec):
        self._mock = mock
        self._rec = rec

    def __getattr__(self, name):
        return getattr(self._mock, name)

    def execute(self, construct, *args, **kwargs):
        self._rec.data_step()
        self._rec.emit(_statement_sql(construct, self._mock.dialect))
        return _Empty()

    exec_driver_sql = execute

    def scalar(self, construct, *args, **kwargs):
        self.execute(construct)
        return None

    def begin(self):
        return _Empty()

    def connect(self):
        return self


# ---- ORM work through a Session on the offline connection ----
#
# `session = orm.Session(bind=op.get_bind())` and then queries, bulk updates and objects
# through the models: there is no database, so the session is one that sends nothing and says
# what the ORM would send. Its queries are SQLAlchemy's own Query objects (without a session),
# compiled for PostgreSQL: a query is linted as its SELECT and returns no rows, query.update()
# and query.delete() as their UPDATE and DELETE, session.add() as an INSERT of what the object
# holds, session.delete() and session.get() by primary key. Attributes a loop over a query's
# rows sets on each row (`for u in session.query(User): u.x = ...`) would be flushed as one
# UPDATE per row: that UPDATE is linted at the first such assignment.


def _orm_bound(bind):
    """Whether a Session is being opened on the rendering's connection."""
    return isinstance(bind, DataBind) or (bind is not None and bind is _CTX.get('mock'))


def _mapper_of(entity):
    import sqlalchemy as sa
    try:
        m = sa.inspect(entity)
    except Exception:
        return None
    m = getattr(m, 'mapper', m)
    return m if hasattr(m, 'local_table') and hasattr(m, 'column_attrs') else None


class DataQuery:
    """session.query(...) without a database: SQLAlchemy's Query, never run."""

    def __init__(self, session, query, entities):
        self._session = session
        self._query = query
        self._entities = entities

    def __getattr__(self, name):
        attr = getattr(self._query, name)
        if not callable(attr):
            return attr

        def call(*a, **kw):
            r = attr(*a, **kw)
            return DataQuery(self._session, r, self._entities) if r.__class__ is self._query.__class__ else r
        return call

    def _select(self):
        self._session._send(self._query.statement)

    def __iter__(self):
        self._select()
        self._session._loop_updates(self._entities)
        return iter(())

    def all(self):
        self._select()
        return []

    def first(self):
        self._select()
        return None

    one_or_none = scalar = first

    def one(self):
        self._select()
        from sqlalchemy.orm.exc import NoResultFound
        raise NoResultFound('pgsieve: no database, no rows')

    def count(self):
        self._select()
        return 0

    def get(self, ident):
        self._select()
        return None

    def _table(self):
        m = _mapper_of(self._entities[0]) if self._entities else None
        return m

    def update(self, values, *a, **kw):
        import sqlalchemy as sa
        m = self._table()
        if m is not None:
            stmt = sa.update(m.local_table).values(values)
            if self._query.whereclause is not None:
                stmt = stmt.where(self._query.whereclause)
            self._session._send(stmt)
        return 0

    def delete(self, *a, **kw):
        import sqlalchemy as sa
        m = self._table()
        if m is not None:
            stmt = sa.delete(m.local_table)
            if self._query.whereclause is not None:
                stmt = stmt.where(self._query.whereclause)
            self._session._send(stmt)
        return 0


class _Rows(_Empty):
    """What session.execute(select(User)) returns: no rows; a loop over them is read for the
    attributes it sets, as for a query."""

    def __init__(self, session, stmt):
        self._session = session
        self._stmt = stmt

    def __getattr__(self, name):
        if name.startswith('__'):
            raise AttributeError(name)
        return self

    def __call__(self, *a, **kw):
        return self

    def __iter__(self):
        try:
            entity = self._stmt.column_descriptions[0].get('entity')
        except Exception:
            entity = None
        if entity is not None:
            self._session._loop_updates([entity])
        return iter(())


class DataSession:
    """An ORM Session on the rendering's connection: what it would send is recorded."""

    def __init__(self, bind, rec):
        self.bind = bind
        self._rec = rec
        rec.orm_line = rec.orm_line or rec.user_line()

    def _send(self, stmt):
        self.bind.execute(stmt)

    def query(self, *entities, **kw):
        from sqlalchemy import orm
        return DataQuery(self, orm.Query(list(entities)), entities)

    def execute(self, stmt, *a, **kw):
        self.bind.execute(stmt)
        return _Rows(self, stmt)

    def scalars(self, stmt, *a, **kw):
        return self.execute(stmt)

    def scalar(self, stmt, *a, **kw):
        self.execute(stmt)
        return None

    def add(self, obj, *a, **kw):
        import sqlalchemy as sa
        try:
            state = sa.inspect(obj)
        except Exception:
            return
        m = state.mapper
        values = {}
        for attr in m.column_attrs:
            if attr.key in state.dict and attr.columns and attr.columns[0].table is m.local_table:
                values[attr.columns[0].name] = sa.bindparam(attr.columns[0].name)
        self._send(sa.insert(m.local_table).values(values) if values else sa.insert(m.local_table))

    def add_all(self, objs):
        for o in objs:
            self.add(o)

    def merge(self, obj, *a, **kw):
        self.add(obj)
        return obj

    def _by_key(self, mapper, make):
        import sqlalchemy as sa
        t = mapper.local_table
        stmt = make(t).where(sa.and_(*[c == sa.bindparam('pk_%s' % c.name) for c in mapper.primary_key]))
        self._send(stmt)

    def delete(self, obj):
        import sqlalchemy as sa
        m = _mapper_of(obj)
        if m is not None:
            self._by_key(m, sa.delete)

    def get(self, entity, *a, **kw):
        import sqlalchemy as sa
        m = _mapper_of(entity)
        if m is not None:
            self._by_key(m, lambda t: sa.select(t))
        return None

    def _loop_updates(self, entities):
        """The UPDATE a flush would send for each row of a loop over this query that sets
        attributes of the row (for u in session.query(User): u.email_lower = ...)."""
        import sqlalchemy as sa
        m = _mapper_of(entities[0]) if len(entities) == 1 else None
        line = self._rec.user_line()
        src = self._rec.src
        loop = None
        for n in ast.walk(self._rec.fn):
            if isinstance(n, ast.For) and isinstance(n.target, ast.Name) and \
                    n.iter.lineno <= (line or 0) <= (getattr(n.iter, 'end_lineno', None) or n.iter.lineno):
                loop = n
        if m is None or loop is None:
            return
        sets, first = [], None
        for n in ast.walk(loop):
            targets = n.targets if isinstance(n, ast.Assign) else [n.target] if isinstance(n, ast.AugAssign) else []
            for t in targets:
                if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == loop.target.id \
                        and t.attr in m.attrs and t.attr not in sets:
                    sets.append(t.attr)
                    first = n if first is None or n.lineno < first.lineno else first
        cols = [m.attrs[a].columns[0] for a in sets if hasattr(m.attrs[a], 'columns')]
        if not cols:
            return
        stmt = sa.update(m.local_table).values({c.name: sa.bindparam(c.name) for c in cols}).where(
            sa.and_(*[c == sa.bindparam('pk_%s' % c.name) for c in m.primary_key]))
        self._rec.data_step()
        self._rec.emit_at(_statement_sql(stmt, self.bind.dialect), first.lineno)

    def flush(self, *a, **kw):
        pass

    commit = rollback = close = expunge = expunge_all = refresh = expire = expire_all = flush

    def begin(self, *a, **kw):
        return self

    begin_nested = begin

    def connection(self, *a, **kw):
        return self.bind

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def __getattr__(self, name):
        if name.startswith('__'):
            raise AttributeError(name)
        return _Empty()


def _patch_session():
    """Session(bind=<the rendering's connection>) and sessionmaker(bind=...)() open a
    DataSession; any other Session is SQLAlchemy's."""
    from sqlalchemy.orm import session as sa_session
    cls = sa_session.Session
    if getattr(cls, '_pgsieve_patched', False):
        return
    orig_new = cls.__new__

    def new(klass, *a, **kw):
        bind = kw.get('bind', a[0] if a else None)
        rec = _CTX.get('rec')
        if rec is not None and _orm_bound(bind):
            return DataSession(bind if isinstance(bind, DataBind) else rec.bind, rec)
        return orig_new(klass) if orig_new is object.__new__ else orig_new(klass, *a, **kw)
    cls.__new__ = new
    cls._pgsieve_patched = True


_PYFORMAT = re.compile(r'%\((\w+)\)s')


def _statement_sql(construct, dialect):
    """The SQL of what a revision executes on its connection, bind parameters as $n."""
    if isinstance(construct, str):
        return construct
    text = getattr(construct, 'text', None)
    if isinstance(text, str):  # sa.text(): as written, :name parameters numbered
        return _text_binds(text)
    try:
        sql = str(construct.compile(dialect=dialect))
    except Exception:
        return ''
    names = []

    def number(m):
        if m.group(1) not in names:
            names.append(m.group(1))
        return '$%d' % (names.index(m.group(1)) + 1)
    return _PYFORMAT.sub(number, sql)


def _with_unrun_data_sql(src, fn, rendered):
    """The rendered statements plus the SQL strings of the function's execute() calls on its
    connection that never ran (in a loop over rows a query without a database does not
    return), read statically and put in line order."""
    seen = {st['line'] for st in rendered}
    extra = [st for st in static_function(src, fn, []) if st.get('data') and st['line'] not in seen]
    if not extra:
        return rendered
    out = []
    for st in rendered:
        while extra and extra[0]['line'] < st['line']:
            out.append(extra.pop(0))
        out.append(st)
    return out + extra


def _call_args(fn_node, alembic):
    """Arguments for an upgrade()/downgrade() with parameters (upgrade(op, tables, tester)):
    Alembic's op for a parameter named op, stand-ins for the others."""
    args = []
    extra = []
    a = fn_node.args
    required = a.args[:len(a.args) - len(a.defaults)] if a.defaults else a.args
    for p in required:
        if p.arg == 'op':
            from alembic import op as alembic_op
            args.append(alembic_op)
        else:
            args.append(_SA['StandIn']())
            extra.append(p.arg)
    return args, extra


_CTX = {}
_TRIED = []  # the interpreters tried, this one last


def render_function(alembic, src, module, name):
    """Runs module.name() against an offline context; returns the recorder."""
    from alembic.runtime.migration import MigrationContext
    from alembic.operations import Operations
    fn = src.functions[name]
    rec = Recorder(src, fn)
    # one offline context for the whole run: configuring one costs more than most revisions
    if 'ctx' not in _CTX:
        ctx = MigrationContext.configure(dialect_name='postgresql', opts={
            'as_sql': True, 'output_buffer': io.StringIO(), 'transactional_ddl': True,
            'literal_binds': True})
        _CTX.update(ctx=ctx, exec=ctx.impl._exec, mock=ctx.connection)
    ctx = _CTX['ctx']
    impl = ctx.impl
    orig_exec = _CTX['exec']

    def _exec(construct, *a, **kw):
        if isinstance(construct, str):  # op.execute("..."): the text as written
            rec.emit(construct)
            return None
        # DROP INDEX names no table: say which, for a DROP TABLE of it later in the part
        table = getattr(getattr(getattr(construct, 'element', None), 'table', None), 'name', None) \
            if type(construct).__name__ == 'DropIndex' else None
        rec.index_table = table if isinstance(table, str) else None
        try:
            return orig_exec(construct, *a, **kw)
        finally:
            rec.index_table = None

    def static_output(text):
        rec.emit(text)

    def emit_commit():  # only autocommit_block() calls these here
        rec.alone += 1

    def emit_begin():
        rec.alone -= 1

    impl._exec = _exec
    impl.static_output = static_output
    impl.emit_commit = emit_commit
    impl.emit_begin = emit_begin
    bind = DataBind(_CTX['mock'], rec)
    rec.bind = bind
    _CTX['rec'] = rec
    ctx.connection = bind
    impl.connection = bind
    if 'sqlalchemy.orm.session' in sys.modules:  # the revision uses the ORM; importing it costs
        _patch_session()                          # half a second, so only then
    args, rec.extra_params = _call_args(fn, alembic) if 'StandIn' in _SA else ([], [])
    RecordingBatch.recorder = rec
    try:
        with Operations.context(ctx):
            getattr(module, name)(*args)
    finally:
        RecordingBatch.recorder = None
        _CTX['rec'] = None
    return rec


def _import_revision(path, index):
    """Imports a revision module; a project module that fails while being imported (not the
    revision itself) is replaced by a stand-in and the import tried again. Returns
    (module, why not)."""
    for _ in range(8):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter('ignore')
                return load_module(path, index), None
        except Timeout:
            return None, 'importing the revision took more than %d seconds' % RENDER_SECONDS
        except BaseException as e:  # the project's own code: anything can happen
            msg, line = _error_text(e)
            bad = _failing_module(e, path) if 'StandIn' in _SA else None
            if bad is None or bad in _STANDIN_MODULES:
                return None, 'the revision cannot be imported (%s%s)' % (
                    msg, ', line %d' % line if line and bad is None else '')
            _STANDIN_MODULES[bad] = 'fails when imported: %s' % msg
            for m in [m for m in sys.modules if m == bad or m.startswith(bad + '.')]:
                del sys.modules[m]
            sys.modules[bad] = _SA['module'](bad)
    return None, 'the revision cannot be imported'


def _standins_used(src, before):
    """The stand-in modules a revision imports (directly), and those made while importing it."""
    names = set(_STANDIN_MODULES) - before
    for n in ast.walk(src.tree):
        mods = []
        if isinstance(n, ast.Import):
            mods = [a.name for a in n.names]
        elif isinstance(n, ast.ImportFrom) and n.module and not n.level:
            mods = [n.module] + ['%s.%s' % (n.module, a.name) for a in n.names]
        for m in mods:
            if m in _STANDIN_MODULES:
                names.add(m)
    out = []
    for m in sorted(names):
        why = _STANDIN_MODULES[m]
        out.append(m if why == 'not installed' else '%s (%s)' % (m, why))
    # a package and its sub-modules: name the top one only
    return [m for m in out if not any(m.startswith(o.split(' ')[0] + '.') for o in out if o != m)]


def load_module(path, index):
    name = 'pgsieve_alembic_revision_%d' % index
    spec = importlib.util.spec_from_file_location(name, os.path.abspath(path))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _error_text(e):
    tb = e.__traceback__
    line = None
    while tb is not None:
        line = tb.tb_lineno
        tb = tb.tb_next
    msg = '%s: %s' % (type(e).__name__, e) if str(e) else type(e).__name__
    return msg.splitlines()[0][:200] if msg else type(e).__name__, line


# ---- the static reading ----


# SQLAlchemy's own rule for the bind parameters of text(): `:name`, not `::` and not `\\:`
_BIND = re.compile(r'(?<![:\w\x5c]):(\w+)(?!:)')


def _text_binds(sql):
    """A text() string as PostgreSQL receives it: each :name bind parameter becomes $n."""
    names = []

    def number(m):
        if m.group(1) not in names:
            names.append(m.group(1))
        return '$%d' % (names.index(m.group(1)) + 1)
    return _BIND.sub(number, sql).replace('\\:', ':')


# PostgreSQL's reserved and type/function-name keywords (src/include/parser/kwlist.h,
# RESERVED_KEYWORD and TYPE_FUNC_NAME_KEYWORD, release 17): a table or column named so must be
# quoted; unreserved and column-name keywords need not be.
_RESERVED = frozenset("""
all analyse analyze and any array as asc asymmetric authorization binary both case cast check
collate collation column concurrently constraint create cross current_catalog current_date
current_role current_schema current_time current_timestamp current_user default deferrable
desc distinct do else end except false fetch for foreign freeze from full grant group having
ilike in initially inner intersect into is isnull join lateral leading left like limit
localtime localtimestamp natural not notnull null offset on only or order outer overlaps
placing primary references returning right select session_user similar some symmetric
system_user table tablesample then to trailing true union unique user using variadic verbose
when where window with
""".split())


def _qident(name):
    """A name as PostgreSQL needs it written: plain lowercase names that are not reserved
    words as they are, anything else quoted."""
    if re.fullmatch(r'[a-z_][a-z0-9_$]*', name) and name not in _RESERVED:
        return name
    return '"%s"' % name.replace('"', '""')


def _qualified(name, schema):
    return ('%s.%s' % (_qident(schema), _qident(name))) if schema else _qident(name)


# calls that only mark a name: op.f("ix_x") (already converted by the naming convention),
# conv(), quoted_name()
_NAME_WRAPPERS = ('f', 'conv', 'quoted_name')


def _str(node):
    if isinstance(node, ast.Call) and node.args and _dotted(node.func).split('.')[-1] in _NAME_WRAPPERS:
        node = node.args[0]
    v = _literal(node) if node is not None else None
    return v if isinstance(v, str) else None


def _dotted(node):
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return '.'.join(reversed(parts))


_TYPES = {
    'Integer': 'INTEGER', 'INTEGER': 'INTEGER', 'SmallInteger': 'SMALLINT', 'SMALLINT': 'SMALLINT',
    'BigInteger': 'BIGINT', 'BIGINT': 'BIGINT', 'Text': 'TEXT', 'TEXT': 'TEXT', 'Boolean': 'BOOLEAN',
    'BOOLEAN': 'BOOLEAN', 'Date': 'DATE', 'DATE': 'DATE', 'Float': 'FLOAT', 'FLOAT': 'FLOAT',
    'LargeBinary': 'BYTEA', 'BYTEA': 'BYTEA', 'JSON': 'JSON', 'JSONB': 'JSONB', 'UUID': 'UUID',
    'Uuid': 'UUID', 'Interval': 'INTERVAL', 'INTERVAL': 'INTERVAL', 'INET': 'INET', 'CIDR': 'CIDR',
    'Time': 'TIME WITHOUT TIME ZONE', 'REAL': 'REAL', 'Double': 'DOUBLE PRECISION',
    'UnicodeText': 'TEXT', 'DOUBLE_PRECISION': 'DOUBLE PRECISION', 'TSVECTOR': 'TSVECTOR',
    'MACADDR': 'MACADDR', 'CITEXT': 'CITEXT', 'HSTORE': 'HSTORE', 'BIT': 'BIT', 'MONEY': 'MONEY',
    'OID': 'OID', 'INT4RANGE': 'INT4RANGE', 'INT8RANGE': 'INT8RANGE', 'TSTZRANGE': 'TSTZRANGE',
    'DATERANGE': 'DATERANGE', 'NUMRANGE': 'NUMRANGE', 'TSRANGE': 'TSRANGE', 'Unicode': 'VARCHAR',
}

# the SQL functions SQLAlchemy writes without parentheses (sa.func.current_timestamp())
_NILADIC = ('current_date', 'current_time', 'current_timestamp', 'current_user', 'localtime',
            'localtimestamp', 'session_user', 'user')


# Simple `name = <expression>` assignments of the module and of the function being read, so
# that `mood = sa.Enum(..., name="mood")` then `sa.Column("mood", mood)` reads as the enum.
_NAMES = {}


def _type_sql(node, depth=0):
    """The SQL of a SQLAlchemy type expression (sa.String(50), postgresql.JSONB, ...)."""
    if isinstance(node, ast.Name) and node.id in _NAMES and depth < 5:
        return _type_sql(_NAMES[node.id], depth + 1)
    call = node if isinstance(node, ast.Call) else None
    name = _dotted(call.func if call else node).split('.')[-1]
    args = [_literal(a) for a in call.args] if call else []
    kw = {k.arg: _literal(k.value) for k in call.keywords} if call else {}
    if name in ('String', 'VARCHAR', 'Unicode'):
        n = args[0] if args else kw.get('length')
        return 'VARCHAR(%d)' % n if isinstance(n, int) else 'VARCHAR'
    if name in ('CHAR',):
        n = args[0] if args else kw.get('length')
        return 'CHAR(%d)' % n if isinstance(n, int) else 'CHAR'
    if name in ('Numeric', 'NUMERIC', 'DECIMAL'):
        p = args[0] if args else kw.get('precision')
        s = args[1] if len(args) > 1 else kw.get('scale')
        if isinstance(p, int) and isinstance(s, int):
            return 'NUMERIC(%d, %d)' % (p, s)
        return 'NUMERIC(%d)' % p if isinstance(p, int) else 'NUMERIC'
    if name in ('DateTime', 'TIMESTAMP'):
        tz = kw.get('timezone', args[0] if args else False)
        return 'TIMESTAMP WITH TIME ZONE' if tz is True else 'TIMESTAMP WITHOUT TIME ZONE'
    if name == 'ARRAY' and call and call.args:
        return _type_sql(call.args[0]) + '[]'
    if name == 'Enum':
        n = kw.get('name')
        return _qident(n) if isinstance(n, str) else 'VARCHAR'
    if name in _TYPES:
        return _TYPES[name]
    if not name:
        return None
    impl = _decorator_impl(call.func if call else node)
    if impl is not None and depth < 5:
        return _type_sql(impl, depth + 1)
    # a type pgsieve cannot see (a class of the application, a variable): unknown, not its
    # class name taken for SQL
    return UNKNOWN_TYPE


_SRC = {}  # the revision being read statically: its tree


def _decorator_impl(node):
    """The impl of a TypeDecorator subclass defined in the revision or in a module it imports
    from (read, not imported): its PostgreSQL variant when there is one, else impl."""
    name = _dotted(node).split('.')[-1]
    tree = _SRC.get('tree')
    if tree is None or not name:
        return None
    cls = None
    for st in ast.walk(tree):
        if isinstance(st, ast.ClassDef) and st.name == name:
            cls = st
    if cls is None:
        for st in tree.body:
            if isinstance(st, ast.ImportFrom) and st.module and not st.level and \
                    any((a.asname or a.name) == name for a in st.names):
                real = [a.name for a in st.names if (a.asname or a.name) == name][0]
                mod = _module_tree(st.module)
                for c in (ast.walk(mod) if mod is not None else ()):
                    if isinstance(c, ast.ClassDef) and c.name == real:
                        cls = c
    if cls is None or not any(_dotted(b).split('.')[-1] == 'TypeDecorator' for b in cls.bases):
        return None
    impl = None
    for st in cls.body:
        if isinstance(st, ast.Assign) and any(isinstance(t, ast.Name) and t.id == 'impl' for t in st.targets):
            impl = st.value
        if isinstance(st, ast.FunctionDef) and st.name == 'load_dialect_impl':
            # `if dialect.name == "postgresql": return dialect.type_descriptor(JSONB())`
            for n in ast.walk(st):
                if isinstance(n, ast.If) and 'postgresql' in ast.dump(n.test):
                    for r in ast.walk(ast.Module(body=n.body, type_ignores=[])):
                        if isinstance(r, ast.Call) and _dotted(r.func).endswith('type_descriptor') and r.args:
                            return r.args[0]
    # impl = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
    if isinstance(impl, ast.Call) and isinstance(impl.func, ast.Attribute) and impl.func.attr == 'with_variant' \
            and len(impl.args) > 1 and _literal(impl.args[1]) == 'postgresql':
        return impl.args[0]
    return impl


def _default_sql(node):
    if node is None:
        return None
    s = _str(node)
    if s is not None:
        return "'%s'" % s.replace("'", "''")
    if isinstance(node, ast.Call):
        fname = _dotted(node.func)
        last = fname.split('.')[-1]
        if fname.endswith('text') and node.args:
            return _str(node.args[0])
        if '.func.' in '.' + fname + '.' or fname.startswith('func.'):
            if last.lower() in _NILADIC and not node.args:
                return last.upper()
            args = [_default_sql(a) for a in node.args]
            if any(a is None for a in args):
                return None
            return '%s(%s)' % (last, ', '.join(args))
        if last in ('true', 'false', 'null') and not node.args:  # sa.sql.expression.true()
            return last
        if last == 'literal' and node.args:
            return _default_sql(node.args[0])
    v = _literal(node)
    if isinstance(v, bool):
        return 'true' if v else 'false'
    if isinstance(v, (int, float)):
        return str(v)
    return None


def _column_sql(call, pk_cols=()):
    """CREATE TABLE / ADD COLUMN text of a sa.Column(...) call, and its name."""
    if not isinstance(call, ast.Call) or not _dotted(call.func).endswith('Column') or not call.args:
        return None, None
    name = _str(call.args[0])
    if name is None:
        return None, None
    kw = {k.arg: k.value for k in call.keywords if k.arg}
    typ = None
    tnode = call.args[1] if len(call.args) > 1 else kw.get('type_')
    if tnode is not None and not (isinstance(tnode, ast.Call) and _dotted(tnode.func).endswith('ForeignKey')):
        typ = _type_sql(tnode)
    # a column whose type comes from its ForeignKey: the type is not known here, and any type
    # keeps the statement parsable
    parts = [_qident(name), typ or 'text']
    identity = [a for a in call.args[1:] if isinstance(a, ast.Call) and _dotted(a.func).endswith('Identity')]
    if identity:
        always = _literal(_kw(identity[0]).get('always')) is True
        parts.append('GENERATED %s AS IDENTITY' % ('ALWAYS' if always else 'BY DEFAULT'))
    pk = _literal(kw['primary_key']) if 'primary_key' in kw else (name in pk_cols or False)
    auto = _literal(kw['autoincrement']) if 'autoincrement' in kw else 'auto'
    if pk and auto is not False and typ in ('INTEGER', 'BIGINT', 'SMALLINT') and not identity:
        # what SQLAlchemy writes for an integer primary key on PostgreSQL
        typ = {'INTEGER': 'SERIAL', 'BIGINT': 'BIGSERIAL', 'SMALLINT': 'SMALLSERIAL'}[typ]
        parts[1] = typ
    nullable = _literal(kw['nullable']) if 'nullable' in kw else (not pk)
    if name in pk_cols:  # the key is written as a table constraint, as SQLAlchemy does
        pk = 'constraint'
    d = _default_sql(kw.get('server_default'))
    if d is None and kw.get('server_default') is not None and not (
            isinstance(kw['server_default'], ast.Constant) and kw['server_default'].value is None):
        d = UNKNOWN_DEFAULT  # a default pgsieve cannot read is still a default
    if d is not None:
        parts.append('DEFAULT ' + d)
    if nullable is False:
        parts.append('NOT NULL')
    if pk is True:
        parts.append('PRIMARY KEY')
    if 'unique' in kw and _literal(kw['unique']) is True:
        parts.append('UNIQUE')
    for a in call.args[1:]:
        if isinstance(a, ast.Call) and _dotted(a.func).endswith('ForeignKey') and a.args and _str(a.args[0]) \
                and '.' in _str(a.args[0]):
            t, c = _str(a.args[0]).rsplit('.', 1)
            parts.append('REFERENCES %s (%s)' % (_qualified_dotted(t), _qident(c)))
    return ' '.join(parts), name


def _table_constraint_sql(call):
    """PrimaryKeyConstraint, UniqueConstraint, ForeignKeyConstraint of a create_table()."""
    kind = _dotted(call.func).split('.')[-1]
    name = _str(_kw(call).get('name'))
    head = 'CONSTRAINT %s ' % _qident(name) if name else ''
    if kind in ('PrimaryKeyConstraint', 'UniqueConstraint'):
        cols = [_str(a) for a in call.args]
        if not cols or any(c is None for c in cols):
            return None
        return head + '%s (%s)' % ('PRIMARY KEY' if kind == 'PrimaryKeyConstraint' else 'UNIQUE',
                                   ', '.join(_qident(c) for c in cols))
    if kind == 'ForeignKeyConstraint' and len(call.args) >= 2:
        local, remote = _literal(call.args[0]), _literal(call.args[1])
        if not (isinstance(local, (list, tuple)) and isinstance(remote, (list, tuple)) and remote and
                all(isinstance(x, str) for x in list(local) + list(remote))):
            return None
        tables = {r.rsplit('.', 1)[0] for r in remote if '.' in r}
        if len(tables) != 1:
            return None
        s = head + 'FOREIGN KEY(%s) REFERENCES %s (%s)' % (
            ', '.join(_qident(c) for c in local), _qualified_dotted(tables.pop()),
            ', '.join(_qident(r.rsplit('.', 1)[1]) for r in remote))
        od = _str(_kw(call).get('ondelete'))
        return s + (' ON DELETE ' + od if od else '')
    return None


def _qualified_dotted(name):
    return '.'.join(_qident(p) for p in name.split('.'))


def _kw(call):
    return {k.arg: k.value for k in call.keywords if k.arg}


def _cols(node):
    v = _literal(node)
    if isinstance(v, str):
        v = [v]
    if isinstance(v, (list, tuple)) and all(isinstance(x, str) for x in v):
        return ', '.join(_qident(x) for x in v)
    return None


def static_sql(call, batch_table=None):
    """The SQL Alembic would write for an op.* call with literal arguments, or None."""
    fname = _dotted(call.func)
    op = fname.split('.')[-1]
    args = list(call.args)
    kw = _kw(call)
    schema = _str(kw.get('schema'))
    if batch_table is not None and op not in ('execute',):
        args.insert(0, None)  # batch_op calls name no table
        table = batch_table
    else:
        table = _str(args[0]) if args else _str(kw.get('table_name'))
    if op == 'execute':
        a = args[0] if args else kw.get('sqltext')
        s = _str(a)
        if s is None and isinstance(a, ast.Call) and _dotted(a.func).endswith('text') and a.args:
            s = _str(a.args[0])
            if s is not None:
                s = _text_binds(s)
        return [s] if s is not None else None
    if op == 'create_table' and table:
        cols = []
        pk_cols = ()
        for a in args[1:]:
            if isinstance(a, ast.Call) and _dotted(a.func).endswith('PrimaryKeyConstraint') and len(a.args) == 1:
                pk_cols = (_str(a.args[0]),)
        for a in args[1:]:
            c, _ = _column_sql(a, pk_cols)
            if c:
                cols.append(c)
            elif isinstance(a, ast.Call):
                c = _table_constraint_sql(a)
                if c:
                    cols.append(c)
        return ['CREATE TABLE %s (%s)' % (_qualified(table, schema), ', '.join(cols))]
    if op == 'drop_table' and table:
        return ['DROP TABLE %s' % _qualified(table, schema)]
    if op == 'rename_table' and table and len(args) > 1 and _str(args[1]):
        return ['ALTER TABLE %s RENAME TO %s' % (_qualified(table, schema), _qident(_str(args[1])))]
    if op == 'add_column' and table and len(args) > 1:
        c, _ = _column_sql(args[1])
        return ['ALTER TABLE %s ADD COLUMN %s' % (_qualified(table, schema), c)] if c else None
    if op == 'drop_column' and table and len(args) > 1 and _str(args[1]):
        return ['ALTER TABLE %s DROP COLUMN %s' % (_qualified(table, schema), _qident(_str(args[1])))]
    if op == 'alter_column' and table and len(args) > 1 and _str(args[1]):
        t, c = _qualified(table, schema), _qident(_str(args[1]))
        out = []
        if 'type_' in kw:
            ty = _type_sql(kw['type_'])
            if ty:
                using = _str(kw.get('postgresql_using'))
                out.append('ALTER TABLE %s ALTER COLUMN %s TYPE %s%s' % (t, c, ty, ' USING ' + using if using else ''))
        if 'server_default' in kw:
            d = _default_sql(kw['server_default'])
            if _literal(kw['server_default']) is None and isinstance(kw['server_default'], ast.Constant):
                out.append('ALTER TABLE %s ALTER COLUMN %s DROP DEFAULT' % (t, c))
            elif d is not None:
                out.append('ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s' % (t, c, d))
        if 'nullable' in kw and isinstance(_literal(kw['nullable']), bool):
            out.append('ALTER TABLE %s ALTER COLUMN %s %s NOT NULL' % (t, c, 'DROP' if _literal(kw['nullable']) else 'SET'))
        if 'new_column_name' in kw and _str(kw['new_column_name']):
            out.append('ALTER TABLE %s RENAME %s TO %s' % (t, c, _qident(_str(kw['new_column_name']))))
        return out or None
    if op == 'create_index':
        # op.create_index(name, table, columns); batch_op.create_index(name, columns)
        name = _str(call.args[0]) if call.args else _str(kw.get('index_name'))
        if batch_table is not None:
            cols_node = call.args[1] if len(call.args) > 1 else kw.get('columns')
        else:
            table = _str(call.args[1]) if len(call.args) > 1 else _str(kw.get('table_name'))
            cols_node = call.args[2] if len(call.args) > 2 else kw.get('columns')
        cols = _cols(cols_node) if cols_node is not None else None
        if not (name and table and cols):
            return None
        unique = _literal(kw['unique']) is True if 'unique' in kw else False
        conc = _literal(kw['postgresql_concurrently']) is True if 'postgresql_concurrently' in kw else False
        ine = _literal(kw['if_not_exists']) is True if 'if_not_exists' in kw else False
        where = kw.get('postgresql_where')
        w = None
        if where is not None:
            w = _str(where)
            if w is None and isinstance(where, ast.Call) and where.args:
                w = _str(where.args[0])
        return ['CREATE %sINDEX %s%s%s ON %s (%s)%s' % (
            'UNIQUE ' if unique else '', 'CONCURRENTLY ' if conc else '', 'IF NOT EXISTS ' if ine else '',
            _qident(name), _qualified(table, schema), cols, ' WHERE ' + w if w else '')]
    if op == 'drop_index':
        name = _str(call.args[0]) if call.args else _str(kw.get('index_name'))
        if not name:
            return None
        conc = _literal(kw['postgresql_concurrently']) is True if 'postgresql_concurrently' in kw else False
        ie = _literal(kw['if_exists']) is True if 'if_exists' in kw else False
        return ['DROP INDEX %s%s%s' % ('CONCURRENTLY ' if conc else '', 'IF EXISTS ' if ie else '',
                                        _qualified(name, schema))]
    if op in ('create_foreign_key', 'create_unique_constraint', 'create_check_constraint',
              'create_primary_key', 'drop_constraint'):
        name = _str(call.args[0]) if call.args else _str(kw.get('constraint_name'))
        rest = list(call.args[1:])
        if batch_table is None:
            table = _str(rest.pop(0)) if rest else _str(kw.get('source_table') or kw.get('table_name'))
        if not table:
            return None
        t = _qualified(table, schema)
        cn = _qident(name) if name else None
        if op == 'drop_constraint':
            return ['ALTER TABLE %s DROP CONSTRAINT %s' % (t, cn)] if cn else None
        head = 'ALTER TABLE %s ADD %s' % (t, 'CONSTRAINT %s ' % cn if cn else '')
        if op == 'create_foreign_key' and len(rest) >= 3:
            ref, lc, rc = _str(rest[0]), _cols(rest[1]), _cols(rest[2])
            if ref and lc and rc:
                s = head + 'FOREIGN KEY(%s) REFERENCES %s (%s)' % (lc, _qualified(ref, _str(kw.get('referent_schema'))), rc)
                od = _str(kw.get('ondelete'))
                if od:
                    s += ' ON DELETE ' + od
                return [s]
        if op == 'create_unique_constraint' and rest:
            c = _cols(rest[0])
            return [head + 'UNIQUE (%s)' % c] if c else None
        if op == 'create_primary_key' and rest:
            c = _cols(rest[0])
            return [head + 'PRIMARY KEY (%s)' % c] if c else None
        if op == 'create_check_constraint' and rest:
            c = _str(rest[0])
            if c is None and isinstance(rest[0], ast.Call) and rest[0].args:
                c = _str(rest[0].args[0])
            return [head + 'CHECK (%s)' % c] if c else None
    return None


def _assignments(body):
    names = {}
    for st in body:
        if isinstance(st, ast.Assign) and len(st.targets) == 1 and isinstance(st.targets[0], ast.Name):
            names[st.targets[0].id] = st.value
    return names


_PG_NAMES = ('postgresql', 'postgres', 'psycopg2', 'psycopg', 'asyncpg', 'pg8000')


def _dialect_branch(test):
    """Whether an if-test about the database's dialect holds on PostgreSQL (True, False), or
    None when it is not such a test: `op.get_context().dialect.name == "postgresql"`,
    `bind.engine.name != "sqlite"`, `dialect.name in ("mysql", "sqlite")`."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        r = _dialect_branch(test.operand)
        return None if r is None else not r
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
        return None
    left = _dotted(test.left) if not isinstance(test.left, ast.Call) else ''
    if not (left.endswith('.name') or left in ('dialect', 'dialect_name')) or \
            not any(w in left for w in ('dialect', 'engine', 'bind', 'conn')):
        return None
    v = _literal(test.comparators[0])
    values = [v] if isinstance(v, str) else list(v) if isinstance(v, (list, tuple, set)) else None
    if not values or not all(isinstance(x, str) for x in values):
        return None
    pg = any(x in _PG_NAMES for x in values)
    op = test.ops[0]
    if isinstance(op, (ast.Eq, ast.In, ast.Is)):
        return pg
    if isinstance(op, (ast.NotEq, ast.NotIn, ast.IsNot)):
        return not pg
    return None


def static_function(src, fn, skipped):
    """The statements of a function read from its tree."""
    out = []
    _SRC['tree'] = src.tree
    _NAMES.clear()
    _NAMES.update(_assignments(src.tree.body))
    _NAMES.update(_assignments(fn.body))

    def visit(body, batch, alone):
        batch_table, batch_var = batch
        for st in body:
            if isinstance(st, (ast.With, ast.AsyncWith)):
                bt, al = batch, alone
                for item in st.items:
                    e = item.context_expr
                    if isinstance(e, ast.Call):
                        name = _dotted(e.func)
                        if name.endswith('autocommit_block'):
                            al = True
                        elif name.endswith('batch_alter_table'):
                            var = item.optional_vars.id if isinstance(item.optional_vars, ast.Name) else None
                            bt = (_str(e.args[0]) if e.args else _str(_kw(e).get('table_name')), var)
                visit(st.body, bt, al)
                continue
            branch = _dialect_branch(st.test) if isinstance(st, ast.If) else None
            if branch is not None:  # the database is PostgreSQL: only its branch runs
                visit(st.body if branch else st.orelse, batch, alone)
                continue
            for attr in ('body', 'orelse', 'finalbody'):
                if isinstance(st, (ast.If, ast.For, ast.While, ast.Try)) and getattr(st, attr, None):
                    visit(getattr(st, attr), batch, alone)
            if isinstance(st, ast.Try):
                for h in st.handlers:
                    visit(h.body, batch, alone)
            if isinstance(st, (ast.If, ast.For, ast.While, ast.Try)):
                continue
            for node in ast.walk(st):
                if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                    continue
                owner = _dotted(node.func.value)
                is_op = owner == 'op' or owner.endswith('.op')
                is_batch = batch_var is not None and owner == batch_var
                is_exec = node.func.attr in ('execute', 'exec_driver_sql')
                if not (is_op or is_batch or is_exec):
                    continue
                if node.func.attr in ('get_context', 'get_bind', 'batch_alter_table', 'f', 'inline_literal'):
                    continue
                sqls = static_sql(node, batch_table if is_batch else None)
                if sqls is None:
                    if is_op or is_batch:
                        skipped.append('%s() at line %d' % (_dotted(node.func), node.lineno))
                    continue
                p = src.place(st)
                for s in sqls:
                    d = dict(p)
                    d['sql'] = s
                    d['alone'] = alone
                    if is_exec and not (is_op or is_batch):
                        d['data'] = True
                    # SQL pgsieve put together from the call's arguments, not the user's text
                    d['assembled'] = not is_exec
                    if node.func.attr == 'drop_index':
                        t = batch_table if is_batch else _str(_kw(node).get('table_name'))
                        if t is None and len(node.args) > 1:
                            t = _str(node.args[1])
                        if t:
                            d['index_table'] = t
                    out.append(d)
    visit(fn.body, (None, None), False)
    return out


# ---- one revision file ----


def part(src, name, statements, directives):
    """upgrade() or downgrade(): where it is, what it writes, the directives that apply."""
    fn = src.functions.get(name)
    if fn is None:
        return {'missing': True, 'statements': [], 'file_directives': []}
    end = getattr(fn, 'end_lineno', None) or fn.lineno
    for st in statements:
        st['directives'] = src.directives_above(st['line'], directives)
    d = {'missing': False, 'statements': statements, 'empty': body_kind(fn), 'end_line': end}
    d['def'] = src.header_place(fn)
    # pgsieve-ignore-file in the function, or (for upgrade) outside both functions
    others = [f for f in src.functions.values() if f is not fn and f.name in ('upgrade', 'downgrade')]

    def inside(line, f):
        return f.lineno <= line <= (getattr(f, 'end_lineno', None) or f.lineno)
    d['file_directives'] = [x for x in directives if x['text'].startswith('pgsieve-ignore-file') and (
        inside(x['line'], fn) or (name == 'upgrade' and not any(inside(x['line'], f) for f in others)))]
    return d


# Set by pgsieve: the fd it reads progress from, and revisions whose rendering it stopped.
_PROGRESS_FD = None
_STOPPED = set()


def _progress(line):
    """Tells pgsieve which revision is being read: it re-arms its own deadline on each line and
    names the revision when it has to stop this process."""
    if _PROGRESS_FD is None:
        return
    try:
        os.write(_PROGRESS_FD, (line.replace('\n', ' ') + '\n').encode('utf-8', 'surrogateescape'))
    except OSError:
        pass


def read_revision(path, index, alembic, force_static):
    try:
        src = Source(path)
    except SyntaxError as e:
        with open(path, 'rb') as f:
            lines = f.read().split(b'\n')
        line = min(max(e.lineno or 1, 1), len(lines))
        offset = sum(len(x) + 1 for x in lines[:line - 1])
        return {'path': path, 'error': 'does not parse as Python: %s (line %d)' % (e.msg, line),
                'error_offset': offset}
    except OSError as e:
        return {'path': path, 'error': 'cannot be read: %s' % e.strerror, 'error_offset': 0}
    ids, id_lines, unknown_ids = static_identifiers(src)
    dirs = src.directives()
    out = {'path': path, 'places': id_lines}
    note = None
    parts = {}
    if force_static:
        note = 'static reading requested'
    elif path in _STOPPED or os.path.abspath(path) in _STOPPED:
        note = ('rendering it did not finish within %d seconds (importing it, upgrade() and '
                'downgrade() together), and it kept running past the limit: pgsieve stopped the '
                'Alembic helper and every process it started, and read this revision statically'
                % RENDER_SECONDS)
    elif alembic is None:
        note = 'no Python interpreter pgsieve tried has Alembic (%s)' % ', '.join(_TRIED)
    else:
        module = None
        remarks = []
        missing_before = set(_SA.get('missing', ()))
        standins_before = set(_STANDIN_MODULES)
        old = signal.signal(signal.SIGALRM, _alarm) if hasattr(signal, 'SIGALRM') else None
        try:
            if old is not None:
                signal.alarm(RENDER_SECONDS)
            module, note = _import_revision(path, index)
            if module is not None:
                for k in ('revision', 'down_revision', 'branch_labels', 'depends_on'):
                    if hasattr(module, k):
                        ids[k] = getattr(module, k)
                        if k in unknown_ids and not _is_standin(ids[k]):
                            unknown_ids.remove(k)
                for name in ('upgrade', 'downgrade'):
                    if name not in src.functions or not callable(getattr(module, name, None)):
                        continue
                    try:
                        with warnings.catch_warnings():
                            warnings.simplefilter('ignore')
                            rec = render_function(alembic, src, module, name)
                        stmts = rec.statements
                        if rec.data_line:
                            stmts = _with_unrun_data_sql(src, src.functions[name], stmts)
                        parts[name] = part(src, name, stmts, dirs)
                        if rec.extra_params:
                            remarks.append('%s() takes parameters Alembic does not pass (%s): called with '
                                           'stand-ins for them' % (name, ', '.join(rec.extra_params)))
                        if rec.orm_line:
                            remarks.append('%s() uses an ORM Session on the connection (line %d): its queries, '
                                           'bulk updates and deletes, added and deleted objects are linted as the '
                                           'SQL the session sends, and attributes set in a loop over a query\'s rows '
                                           'as one UPDATE per row' % (name, rec.orm_line))
                        if rec.data_line:
                            parts[name]['runs_python'] = rec.data_line
                            remarks.append('%s() runs Python against the database (line %d): the SQL it sends '
                                           'is linted, but without a database its queries return no rows, '
                                           'so what it does with them was not seen' % (name, rec.data_line))
                    except Timeout:
                        note = '%s() took more than %d seconds to render' % (name, RENDER_SECONDS)
                    except BaseException as e:
                        msg, line = _error_text(e)
                        if name == 'downgrade' and body_kind(src.functions[name]) == 'raise':
                            parts[name] = part(src, name, [], dirs)
                            continue
                        note = '%s() failed when Alembic rendered it (%s%s)' % (
                            name, msg, ', line %d' % line if line else '')
        finally:
            if old is not None:
                signal.alarm(0)
                signal.signal(signal.SIGALRM, old)
        used = _standins_used(src, standins_before)
        if used:
            remarks.insert(0, 'modules that cannot be imported were replaced by stand-ins, whose values '
                              'are unknown types and defaults: %s' % ', '.join(used))
        missing = sorted(set(_SA.get('missing', ())) - missing_before)
        if missing:
            remarks.append('not in SQLAlchemy %s: %s (an unknown type where used)' % (
                _SA['sa'].__version__, ', '.join(missing)))
        if remarks and not note:
            out['remarks'] = remarks
    skipped = []
    for name in ('upgrade', 'downgrade'):
        if name in parts:
            continue
        fn = src.functions.get(name)
        try:
            stmts = static_function(src, fn, skipped) if fn is not None else []
        except RecursionError:
            stmts = []
            skipped.append('%s(), nested too deeply' % name)
        parts[name] = part(src, name, stmts, dirs)
    out['mode'] = 'static' if note else 'rendered'
    if note:
        if skipped:
            shown = ', '.join(skipped[:3]) + (' and %d more' % (len(skipped) - 3) if len(skipped) > 3 else '')
            note += '; not read: ' + shown
        out['note'] = note
    out['revision'] = ids.get('revision') if isinstance(ids.get('revision'), str) else None
    out['down_revision'] = _ids(ids.get('down_revision'))
    out['branch_labels'] = _ids(ids.get('branch_labels'))
    out['depends_on'] = _ids(ids.get('depends_on'))
    # a value from a module that could not be read (or a stand-in): the graph is partly unknown
    unknown_ids += [k for k in ('down_revision', 'branch_labels', 'depends_on')
                    if k not in unknown_ids and _is_standin(ids.get(k))]
    if unknown_ids:
        out['unknown'] = unknown_ids
    doc = ast.get_docstring(src.tree)
    out['message'] = doc.strip().splitlines()[0] if doc and doc.strip() else None
    out['upgrade'] = parts['upgrade']
    out['downgrade'] = parts['downgrade']
    return out


def main(argv):
    global RENDER_SECONDS, _PROGRESS_FD
    force_static = os.environ.get('PGSIEVE_ALEMBIC_STATIC') == '1'
    paths = []
    name = None
    nexts = []   # interpreters to try when this one has no Alembic
    tried = []   # interpreters tried before this one
    keep = []    # pgsieve's options, for the next interpreter too
    args = list(argv[1:])
    while args:
        a = args.pop(0)
        if a == '--static':
            force_static = True
        elif a in ('--name', '--python-next', '--tried', '--timeout', '--progress-fd', '--stopped') and args:
            v = args.pop(0)
            if a == '--name':
                name = v
            elif a == '--python-next':
                nexts.append(v)
            elif a == '--tried':
                tried.append(v)
            else:
                keep += [a, v]
                if a == '--timeout':
                    RENDER_SECONDS = max(1, int(v))
                elif a == '--progress-fd':
                    _PROGRESS_FD = int(v)
                else:
                    _STOPPED.update((v, os.path.abspath(v)))
        else:
            paths.append(a)
    alembic = None
    alembic_problem = None
    if not force_static:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter('ignore')
                import alembic as alembic_mod
                from alembic.operations import batch as alembic_batch
            alembic = alembic_mod
            _patch_batch(alembic_batch)
            _setup_standins()
        except Exception as e:
            alembic = None
            alembic_problem = _error_text(e)[0]
            _try_next_python((['--name', name] if name else []) + keep + paths, nexts, tried)
    _TRIED[:] = tried + [sys.executable]
    real_stdout = sys.stdout
    # the project's prints must not corrupt the JSON (nor fill pgsieve's output)
    sys.stdout = sys.stderr if os.environ.get('PGSIEVE_ALEMBIC_DEBUG') else open(os.devnull, 'w')
    result = {'format_version': FORMAT_VERSION, 'python': sys.version.split()[0],
              'executable': sys.executable, 'tried': tried + [sys.executable],
              'alembic': getattr(alembic, '__version__', '?') if alembic else None,
              'sqlalchemy': None, 'directories': []}
    if alembic is not None:
        import sqlalchemy
        result['sqlalchemy'] = sqlalchemy.__version__
    elif alembic_problem and not force_static:
        result['alembic_problem'] = alembic_problem
    index = 0
    for path in paths:
        versions, syspath, problem, recursive = find_environment(path, name)
        for p in reversed(syspath):
            if p not in sys.path:
                sys.path.insert(0, p)
        # the project's own packages, when it is not installed (CKAN's ckan/ above
        # ckan/migration/alembic.ini): last, so that what is installed wins
        for p in _project_roots(syspath[-1] if syspath else os.path.abspath(path)):
            if p not in sys.path:
                sys.path.append(p)
        versions = [_outside_path(path, v) for v in versions]
        d = {'path': path, 'name': name, 'versions': versions, 'revisions': []}
        if problem:
            d['error'] = problem
        for v in versions:
            # Alembic skips version_locations that do not exist; the one versions folder of a
            # script_location must
            if len(versions) > 1 and not os.path.isdir(v):
                continue
            files, err = revision_files(v, recursive)
            if err:
                d['error'] = err
            for f in files:
                index += 1
                _progress('revision ' + f)
                d['revisions'].append(read_revision(f, index, alembic, force_static))
        result['directories'].append(d)
    json.dump(result, real_stdout, separators=(',', ':'))
    real_stdout.write('\n')
    real_stdout.flush()
    return 0


def _try_next_python(args, nexts, tried):
    """Runs this script with the next interpreter of the search (python3 on PATH, then
    /usr/bin/python3) when this one cannot import Alembic; returns when none is left."""
    me = os.path.realpath(sys.executable)
    seen = {os.path.realpath(t) for t in tried} | {me}
    while nexts:
        cand = nexts.pop(0)
        exe = shutil.which(cand) if os.sep not in cand else (cand if os.access(cand, os.X_OK) else None)
        if not exe or os.path.realpath(exe) in seen:
            continue
        new = [exe, os.path.abspath(__file__)] + args
        for t in tried + [sys.executable]:
            new += ['--tried', t]
        for n in nexts:
            new += ['--python-next', n]
        sys.stdout.flush()
        try:
            os.execv(exe, new)
        except OSError:
            seen.add(os.path.realpath(exe))


if __name__ == '__main__':
    sys.exit(main(sys.argv))
