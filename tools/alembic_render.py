#!/usr/bin/env python3
"""pgsieve's Alembic bridge: the SQL each revision's upgrade() and downgrade() would run.

usage: alembic_render.py [--static] PATH...

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
import signal
import sys
import tokenize
import warnings

FORMAT_VERSION = 1
RENDER_SECONDS = 30  # a revision whose import or rendering takes longer is read statically

# ---- where the revisions are ----


def _ini_paths(ini):
    """The version directories and the sys.path entries an alembic.ini names."""
    here = os.path.dirname(ini) or '.'
    # Alembic's own alembic.ini has comments after values (version_path_separator = os  # ...)
    cp = configparser.ConfigParser(defaults={'here': here}, inline_comment_prefixes=('#',))
    cp.read(ini)
    sect = 'alembic'
    if not cp.has_section(sect):
        return [], [], 'no [alembic] section in %s' % ini
    loc = cp.get(sect, 'script_location', fallback='alembic')
    if ':' in loc and not os.path.isabs(loc) and not re.match(r'^[A-Za-z]:[\\/]', loc):
        pkg, _, sub = loc.partition(':')
        spec = importlib.util.find_spec(pkg)
        if not spec or not spec.submodule_search_locations:
            return [], [], 'script_location %r names a package that cannot be found' % loc
        loc = os.path.join(list(spec.submodule_search_locations)[0], sub)
    elif not os.path.isabs(loc):
        loc = os.path.join(here, loc)
    sep_word = cp.get(sect, 'version_path_separator', fallback=None)
    seps = {'space': ' ', 'newline': '\n', 'colon': ':', 'semicolon': ';', 'os': os.pathsep}
    raw = cp.get(sect, 'version_locations', fallback=None)
    if raw:
        if sep_word in seps:
            parts = raw.split(seps[sep_word])
        else:  # the legacy default: spaces or commas
            parts = re.split(r'[\s,]+', raw)
        versions = []
        for p in parts:
            p = p.strip()
            if p:
                versions.append(p if os.path.isabs(p) else os.path.join(here, p))
    else:
        versions = [os.path.join(loc, 'versions')]
    syspath = []
    pre = cp.get(sect, 'prepend_sys_path', fallback=None)
    if pre:
        for p in re.split(r'[\s,%s]+' % re.escape(os.pathsep), pre):
            if p:
                syspath.append(p if os.path.isabs(p) else os.path.join(here, p))
    syspath.append(here)
    return [os.path.normpath(v) for v in versions], syspath, None


def find_versions(path):
    """Returns (version directories, sys.path entries, problem)."""
    if os.path.isfile(path):
        return _ini_paths(path)
    ini = os.path.join(path, 'alembic.ini')
    if os.path.isfile(ini):
        return _ini_paths(ini)
    if os.path.isfile(os.path.join(path, 'env.py')) and os.path.isdir(os.path.join(path, 'versions')):
        return [os.path.normpath(os.path.join(path, 'versions'))], [os.path.dirname(path) or '.'], None
    return [os.path.normpath(path)], [], None


def revision_files(vdir):
    out = []
    try:
        names = sorted(os.listdir(vdir))
    except OSError as e:
        return out, 'cannot read %s: %s' % (vdir, e.strerror)
    for n in names:
        if n.endswith('.py') and not n.startswith(('.', '__')):
            p = os.path.join(vdir, n)
            if os.path.isfile(p):
                out.append(p)
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


def _ids(v):
    if v is None:
        return []
    if isinstance(v, str):
        return [v]
    if isinstance(v, (list, tuple, set, frozenset)):
        return [x for x in v if isinstance(x, str)]
    return []


def static_identifiers(src):
    """revision, down_revision, branch_labels, depends_on from the module's assignments."""
    ids = {}
    lines = {}
    for n in src.tree.body:
        targets, value = [], None
        if isinstance(n, ast.Assign):
            targets, value = n.targets, n.value
        elif isinstance(n, ast.AnnAssign) and n.value is not None:
            targets, value = [n.target], n.value
        for t in targets:
            if isinstance(t, ast.Name) and t.id in ('revision', 'down_revision', 'branch_labels', 'depends_on'):
                ids[t.id] = _literal(value)
                lines[t.id] = src.place(n)
    return ids, lines


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

    def emit(self, sql):
        sql = sql.strip()
        if not sql:
            return
        p = dict(self.place_of(self.user_line()))
        p['sql'] = sql
        p['alone'] = self.alone > 0
        self.statements.append(p)


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


def render_function(alembic, src, module, name):
    """Runs module.name() against an offline context; returns (statements, error)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.operations import Operations
    fn = src.functions[name]
    rec = Recorder(src, fn)
    ctx = MigrationContext.configure(dialect_name='postgresql', opts={
        'as_sql': True, 'output_buffer': io.StringIO(), 'transactional_ddl': True,
        'literal_binds': True})
    impl = ctx.impl
    orig_exec = impl._exec

    def _exec(construct, *a, **kw):
        if isinstance(construct, str):  # op.execute("..."): the text as written
            rec.emit(construct)
            return None
        return orig_exec(construct, *a, **kw)

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
    RecordingBatch.recorder = rec
    try:
        with Operations.context(ctx):
            getattr(module, name)()
    finally:
        RecordingBatch.recorder = None
    return rec.statements


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


def _qident(name):
    if re.fullmatch(r'[a-z_][a-z0-9_$]*', name):
        return name
    return '"%s"' % name.replace('"', '""')


def _qualified(name, schema):
    return ('%s.%s' % (_qident(schema), _qident(name))) if schema else _qident(name)


def _str(node):
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
}


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
    # a type class pgsieve does not know (upper case), or a variable naming a database type
    return name.upper() if name[0].isupper() else _qident(name)


def _default_sql(node):
    if node is None:
        return None
    s = _str(node)
    if s is not None:
        return "'%s'" % s.replace("'", "''")
    if isinstance(node, ast.Call):
        fname = _dotted(node.func)
        if fname.endswith('text') and node.args:
            return _str(node.args[0])
        if '.func.' in '.' + fname + '.' or fname.startswith('func.'):
            return fname.split('.')[-1] + '()'
    v = _literal(node)
    if isinstance(v, bool):
        return 'true' if v else 'false'
    if isinstance(v, (int, float)):
        return str(v)
    return None


def _column_sql(call):
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
    pk = _literal(kw['primary_key']) if 'primary_key' in kw else False
    auto = _literal(kw['autoincrement']) if 'autoincrement' in kw else 'auto'
    if pk is True and auto is not False and typ in ('INTEGER', 'BIGINT', 'SMALLINT'):
        # what SQLAlchemy writes for an integer primary key on PostgreSQL
        typ = {'INTEGER': 'SERIAL', 'BIGINT': 'BIGSERIAL', 'SMALLINT': 'SMALLSERIAL'}[typ]
        parts[1] = typ
    nullable = _literal(kw['nullable']) if 'nullable' in kw else (not pk)
    d = _default_sql(kw.get('server_default'))
    if d is not None:
        parts.append('DEFAULT ' + d)
    if nullable is False:
        parts.append('NOT NULL')
    if pk is True:
        parts.append('PRIMARY KEY')
    return ' '.join(parts), name


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
        for a in args[1:]:
            c, _ = _column_sql(a)
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


def static_function(src, fn, skipped):
    """The statements of a function read from its tree."""
    out = []
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
                is_exec = node.func.attr == 'execute'
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
    ids, id_lines = static_identifiers(src)
    dirs = src.directives()
    out = {'path': path, 'places': id_lines}
    note = None
    parts = {}
    if force_static:
        note = 'static reading requested'
    elif alembic is None:
        note = 'Alembic cannot be imported by %s' % sys.executable
    else:
        module = None
        old = signal.signal(signal.SIGALRM, _alarm) if hasattr(signal, 'SIGALRM') else None
        try:
            if old is not None:
                signal.alarm(RENDER_SECONDS)
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter('ignore')
                    module = load_module(path, index)
            except Timeout:
                note = 'importing the revision took more than %d seconds' % RENDER_SECONDS
            except BaseException as e:  # the project's own code: anything can happen
                msg, _ = _error_text(e)
                note = 'the revision cannot be imported (%s)' % msg
            if module is not None:
                for k in ('revision', 'down_revision', 'branch_labels', 'depends_on'):
                    if hasattr(module, k):
                        ids[k] = getattr(module, k)
                for name in ('upgrade', 'downgrade'):
                    if name not in src.functions or not callable(getattr(module, name, None)):
                        continue
                    try:
                        with warnings.catch_warnings():
                            warnings.simplefilter('ignore')
                            parts[name] = part(src, name, render_function(alembic, src, module, name), dirs)
                    except Timeout:
                        note = '%s() took more than %d seconds to render' % (name, RENDER_SECONDS)
                    except BaseException as e:
                        msg, line = _error_text(e)
                        if name == 'downgrade' and body_kind(src.functions[name]) == 'raise':
                            parts[name] = part(src, name, [], dirs)
                            continue
                        note = '%s() cannot run without a database (%s%s)' % (
                            name, msg, ', line %d' % line if line else '')
        finally:
            if old is not None:
                signal.alarm(0)
                signal.signal(signal.SIGALRM, old)
    skipped = []
    for name in ('upgrade', 'downgrade'):
        if name in parts:
            continue
        fn = src.functions.get(name)
        stmts = static_function(src, fn, skipped) if fn is not None else []
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
    doc = ast.get_docstring(src.tree)
    out['message'] = doc.strip().splitlines()[0] if doc and doc.strip() else None
    out['upgrade'] = parts['upgrade']
    out['downgrade'] = parts['downgrade']
    return out


def main(argv):
    force_static = os.environ.get('PGSIEVE_ALEMBIC_STATIC') == '1'
    paths = []
    for a in argv[1:]:
        if a == '--static':
            force_static = True
        else:
            paths.append(a)
    real_stdout = sys.stdout
    # the project's prints must not corrupt the JSON (nor fill pgsieve's output)
    sys.stdout = sys.stderr if os.environ.get('PGSIEVE_ALEMBIC_DEBUG') else open(os.devnull, 'w')
    result = {'format_version': FORMAT_VERSION, 'python': sys.version.split()[0], 'alembic': None,
              'directories': []}
    alembic = None
    if not force_static:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter('ignore')
                import alembic as alembic_mod
                from alembic.operations import batch as alembic_batch
            alembic = alembic_mod
            result['alembic'] = getattr(alembic_mod, '__version__', '?')
            _patch_batch(alembic_batch)
        except Exception:
            alembic = None
    index = 0
    for path in paths:
        versions, syspath, problem = find_versions(path)
        for p in reversed(syspath):
            if p not in sys.path:
                sys.path.insert(0, p)
        d = {'path': path, 'versions': versions, 'revisions': []}
        if problem:
            d['error'] = problem
        for v in versions:
            files, err = revision_files(v)
            if err:
                d['error'] = err
            for f in files:
                index += 1
                d['revisions'].append(read_revision(f, index, alembic, force_static))
        result['directories'].append(d)
    json.dump(result, real_stdout)
    real_stdout.write('\n')
    real_stdout.flush()
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
