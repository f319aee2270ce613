#!/usr/bin/env python3
"""`pgsieve lsp` (issue 17) driven over pipes by a client written here, as an editor drives it:
initialize (positionEncoding UTF-16 by default, UTF-8 when offered), didOpen / didChange
(debounced) / didSave / didClose and the diagnostics published for them, hover, codeAction,
shutdown and exit, and input no client should send: malformed JSON-RPC, bad headers, unknown
methods, invalid UTF-8, a file deleted while open, a 5 MB file.

What the diagnostics must be is what `pgsieve lint --format json FILE` says of the same file in
the same directory (its framework, its earlier migrations, its .pgsieve.yml), ranges converted
here from the findings' byte offsets; code actions are applied to the text and the result is
linted again with `pgsieve lint`.

usage: lsp.py PATH/TO/pgsieve SOURCE_ROOT [--sanitized]
Prints one line per check and "N passed, N failed"; exits 1 when anything failed.
"""
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time

PGSIEVE = SOURCE = None
passed = failed = 0
# seconds to wait for an answer: generous on a loaded machine, three times that in a sanitizer
# build (--sanitized); a hang still ends the test
WAIT = 60


def check(ok, what, detail=''):
    global passed, failed
    if ok:
        passed += 1
        print('ok   %s' % what)
    else:
        failed += 1
        print('FAIL %s%s' % (what, ('\n    ' + str(detail).replace('\n', '\n    ')) if detail else ''))
    return ok


class Server:
    """pgsieve lsp on pipes; a thread reads its messages into a queue, so that no read blocks
    the test forever."""

    def __init__(self, *args, cwd=None):
        self.p = subprocess.Popen([PGSIEVE, 'lsp'] + list(args), stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd)
        self.q = queue.Queue()
        self.next_id = 100
        self.backlog = []  # messages read and not yet asked for
        self.stderr = b''
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    def _read(self):
        out = self.p.stdout
        while True:
            headers = b''
            while not headers.endswith(b'\r\n\r\n'):
                c = out.read(1)
                if not c:
                    self.q.put(None)
                    return
                headers += c
            length = None
            for line in headers.decode('ascii').split('\r\n'):
                if line.lower().startswith('content-length:'):
                    length = int(line.split(':', 1)[1])
            body = out.read(length)
            self.q.put(json.loads(body))

    def _read_stderr(self):
        self.stderr = self.p.stderr.read()

    def raw(self, data):
        self.p.stdin.write(data)
        self.p.stdin.flush()

    def send(self, msg):
        body = json.dumps(msg).encode()
        self.raw(b'Content-Length: %d\r\n\r\n' % len(body) + body)

    def notify(self, method, params=None):
        self.send({'jsonrpc': '2.0', 'method': method, 'params': params or {}})

    def request(self, method, params=None):
        self.next_id += 1
        self.send({'jsonrpc': '2.0', 'id': self.next_id, 'method': method, 'params': params or {}})
        return self.next_id

    def get(self, pred, timeout=None, skipped=None):
        """The first message for which pred() holds; others are kept for later gets (or moved
        to skipped, when given)."""
        for i, m in enumerate(self.backlog):
            if pred(m):
                return self.backlog.pop(i)
        if skipped is not None:
            skipped += self.backlog
            self.backlog = []
        end = time.time() + (timeout or WAIT)
        while True:
            left = end - time.time()
            if left <= 0:
                return None
            try:
                m = self.q.get(timeout=left)
            except queue.Empty:
                return None
            if m is None:
                self.q.put(None)
                return None
            if pred(m):
                return m
            (skipped if skipped is not None else self.backlog).append(m)

    def response(self, rid, timeout=None):
        return self.get(lambda m: m.get('id') == rid and 'method' not in m, timeout)

    def call(self, method, params=None):
        return self.response(self.request(method, params))

    def diagnostics(self, uri, version=None, timeout=None, skipped=None):
        def pred(m):
            return (m.get('method') == 'textDocument/publishDiagnostics' and m['params']['uri'] == uri
                    and (version is None or m['params'].get('version') == version))
        m = self.get(pred, timeout, skipped)
        return m['params']['diagnostics'] if m else None

    def initialize(self, utf8=False, markdown=True, document_changes=True, create=True):
        caps = {'textDocument': {'hover': {'contentFormat': ['markdown', 'plaintext'] if markdown else ['plaintext']}},
                'workspace': {'workspaceEdit': {'documentChanges': document_changes,
                                                'resourceOperations': ['create'] if create else []}}}
        if utf8:
            caps['general'] = {'positionEncodings': ['utf-8', 'utf-16']}
        r = self.call('initialize', {'processId': os.getpid(), 'rootUri': None, 'capabilities': caps})
        self.notify('initialized')
        return r

    def open(self, path, text, version=1, language='sql'):
        self.notify('textDocument/didOpen', {'textDocument': {
            'uri': uri_of(path), 'languageId': language, 'version': version, 'text': text}})

    def change(self, path, text, version):
        self.notify('textDocument/didChange', {'textDocument': {'uri': uri_of(path), 'version': version},
                                               'contentChanges': [{'text': text}]})

    def finish(self):
        """shutdown and exit; the exit status."""
        r = self.call('shutdown')
        self.notify('exit')
        try:
            status = self.p.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            self.p.kill()
            status = 'no exit'
        return r, status

    def kill(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()


def uri_of(path):
    from urllib.parse import quote
    return 'file://' + quote(path)


def cli_findings(path, cwd=None):
    r = subprocess.run([PGSIEVE, 'lint', '--format', 'json', '--fail-on', 'never', path], capture_output=True,
                       cwd=cwd or os.path.dirname(path), timeout=WAIT * 5)
    return json.loads(r.stdout)['findings'] if r.returncode == 0 else ('exit %d' % r.returncode, r.stderr)


def position(text_bytes, offset, utf8):
    """The LSP position of a byte offset, computed here independently of the server."""
    before = text_bytes[:offset]
    line = before.count(b'\n')  # the test files end lines with LF
    start = before.rfind(b'\n') + 1
    piece = before[start:]
    if utf8:
        return {'line': line, 'character': len(piece)}
    return {'line': line, 'character': len(piece.decode('utf-8', 'replace').encode('utf-16-le')) // 2}


def expected(path, utf8=False):
    """The diagnostics `pgsieve lint` implies for path: (code, severity, range) sorted."""
    data = open(path, 'rb').read()
    sev = {'error': 1, 'warning': 2, 'info': 3}
    out = []
    for f in cli_findings(path):
        out.append((f['rule'], sev[f['severity']], position(data, f['offset'], utf8),
                    position(data, f['offset'] + f['length'], utf8)))
    return sorted(out, key=json.dumps)


def got(diags):
    return sorted(((d['code'], d['severity'], d['range']['start'], d['range']['end']) for d in diags or []),
                  key=json.dumps)


def apply_edit(text, edit, uri, utf8):
    """Applies a WorkspaceEdit's text edits for uri to text (str)."""
    edits = []
    for dc in edit.get('documentChanges', []):
        if 'textDocument' in dc and dc['textDocument']['uri'] == uri:
            edits += dc['edits']
    edits += edit.get('changes', {}).get(uri, [])
    data = text.encode()
    lines = data.split(b'\n')

    def offset(pos):
        start = sum(len(l) + 1 for l in lines[:pos['line']])
        line = lines[pos['line']] if pos['line'] < len(lines) else b''
        if utf8:
            return start + pos['character']
        units = 0
        for i, ch in enumerate(line.decode()):
            if units >= pos['character']:
                return start + len(line.decode()[:i].encode())
            units += len(ch.encode('utf-16-le')) // 2
        return start + len(line)
    for e in sorted(edits, key=lambda e: offset(e['range']['start']), reverse=True):
        a, b = offset(e['range']['start']), offset(e['range']['end'])
        data = data[:a] + e['newText'].encode() + data[b:]
    return data.decode()


def test_encodings(tmp):
    """A finding after non-ASCII text on its line: UTF-16 units by default, bytes with UTF-8."""
    d = os.path.join(tmp, 'enc')
    os.makedirs(d)
    path = os.path.join(d, '001_index.sql')
    # é is 2 bytes and 1 UTF-16 unit, 𐐀 4 bytes and 2 units: the columns differ by 3 and 2
    text = "SELECT 'é𐐀'; CREATE INDEX orders_idx ON orders (created_at);\n"
    open(path, 'w').write(text)
    for utf8 in (False, True):
        s = Server()
        try:
            r = s.initialize(utf8=utf8)
            enc = r and r['result']['capabilities'].get('positionEncoding')
            check(enc == ('utf-8' if utf8 else 'utf-16'),
                  'initialize: positionEncoding %s when the client %s' % (enc, 'offers utf-8' if utf8 else 'offers none'),
                  r)
            s.open(path, text)
            diags = s.diagnostics(uri_of(path), 1)
            want = expected(path, utf8)
            check(got(diags) == want and len(want) >= 1,
                  'didOpen: the diagnostics are lint\'s findings, ranges in %s' % ('UTF-8 bytes' if utf8 else 'UTF-16 units'),
                  'got %s\nwant %s' % (got(diags), want))
            cib = [x for x in diags or [] if x['code'] == 'create-index-blocking']
            # "SELECT 'é𐐀'; ": 14 characters in UTF-16 units, 17 bytes
            check(cib and cib[0]['range']['start'] == {'line': 0, 'character': 17 if utf8 else 14},
                  'the column after é𐐀 is %d' % (17 if utf8 else 14), cib)
            check(cib and cib[0]['codeDescription']['href'].endswith('/docs/rules/create-index-blocking.md')
                  and cib[0]['source'] == 'pgsieve' and cib[0]['severity'] == 1,
                  'a diagnostic has the rule id as code, a link to its docs, severity error', cib)
        finally:
            check(s.finish()[1] == 0, 'shutdown then exit: status 0')
            s.kill()


def test_context(tmp):
    """Documents linted in their directory's context: the framework, earlier migrations,
    .pgsieve.yml; each compared with `pgsieve lint FILE` there."""
    frameworks = os.path.join(SOURCE, 'fixtures', 'frameworks')
    cases = [('golang-migrate', '000003_users_name.up.sql'), ('dbmate', None), ('flyway', None),
             ('alembic', 'migrations/versions/3c0000000003_accounts_email_index.py')]
    s = Server()
    try:
        s.initialize(utf8=False)
        for fw, name in cases:
            d = os.path.join(tmp, 'ctx-' + fw)
            shutil.copytree(os.path.join(frameworks, fw), d)
            if name is None:  # the last migration of the tree
                files = sorted(os.path.relpath(os.path.join(r, f), d) for r, _, fs in os.walk(d) for f in fs
                               if f.endswith('.sql') and 'down' not in f)
                name = files[-1]
            path = os.path.join(d, name)
            text = open(path).read()
            s.open(path, text, language='python' if path.endswith('.py') else 'sql')
            diags = s.diagnostics(uri_of(path), 1)
            want = expected(path)
            check(diags is not None and got(diags) == want,
                  '%s: %s linted in its directory as `pgsieve lint` lints it (%d findings)' % (fw, name, len(want)),
                  'got %s\nwant %s' % (got(diags), want))
            s.notify('textDocument/didClose', {'textDocument': {'uri': uri_of(path)}})
            check(s.diagnostics(uri_of(path)) == [], '%s: didClose clears its diagnostics' % fw)
        # the framework's context changes what is found: alone, the same text is plain SQL
        gm = os.path.join(tmp, 'ctx-golang-migrate', '000003_users_name.up.sql')
        alone = os.path.join(tmp, 'alone.sql')
        shutil.copy(gm, alone)
        check(expected(alone) != expected(gm) and 'not-in-transaction' in [x[0] for x in expected(gm)],
              'golang-migrate\'s implicit transaction gives not-in-transaction, which the file alone does not')
        # unsaved text is linted, not the file on disk
        text = open(gm).read() + 'ALTER TABLE users ALTER COLUMN name SET NOT NULL;\n'
        s.open(gm, text)
        diags = s.diagnostics(uri_of(gm), 1)
        check(diags is not None and any(x['range']['start']['line'] == 3 for x in diags),
              'an unsaved statement on line 4 has its diagnostics (the editor\'s text is linted)', diags)
        # .pgsieve.yml above the document
        cfg = os.path.join(tmp, 'ctx-golang-migrate', '.pgsieve.yml')
        open(cfg, 'w').write('ignore: [missing-lock-timeout]\n')
        s.change(gm, text, 2)
        diags = s.diagnostics(uri_of(gm), 2)
        check(diags is not None and diags and 'missing-lock-timeout' not in [x['code'] for x in diags],
              '.pgsieve.yml\'s ignore list applies', diags)
        open(cfg, 'w').write('ignore: [no-such-rule]\n')
        s.change(gm, text, 3)
        diags = s.diagnostics(uri_of(gm), 3)
        bad = [x for x in diags or [] if 'bad configuration' in x['message']]
        check(bad and '.pgsieve.yml' in bad[0]['message'] and bad[0]['severity'] == 1
              and 'missing-lock-timeout' in [x.get('code') for x in diags],
              'a bad .pgsieve.yml is an error diagnostic naming it, and the defaults are used', diags)
        os.unlink(cfg)
        # a file deleted while open: its text is still linted, alone
        os.unlink(gm)
        s.change(gm, text, 4)
        diags = s.diagnostics(uri_of(gm), 4)
        check(diags is not None and 'missing-lock-timeout' in [x['code'] for x in diags],
              'a file deleted while open is linted from the editor\'s text', diags)
        # an unsaved buffer (no file: URI)
        s.notify('textDocument/didOpen', {'textDocument': {'uri': 'untitled:Untitled-1', 'languageId': 'sql',
                                                           'version': 1, 'text': 'DROP TABLE t;\n'}})
        diags = s.diagnostics('untitled:Untitled-1', 1)
        check(diags is not None and 'drop-table' in [x['code'] for x in diags], 'an untitled buffer is linted', diags)
    finally:
        check(s.finish()[1] == 0, 'context: shutdown then exit, status 0')
        s.kill()


def test_debounce_hover_actions(tmp):
    d = os.path.join(tmp, 'edit')
    os.makedirs(d)
    path = os.path.join(d, '001_edit.sql')
    text = ("SET lock_timeout = '2s';\nSET statement_timeout = '10min';\n"
            "  CREATE INDEX orders_idx ON orders (created_at);\n")
    open(path, 'w').write(text)
    s = Server('--debounce', '400')
    try:
        s.initialize(utf8=False, markdown=True, document_changes=True)
        s.open(path, text)
        check(s.diagnostics(uri_of(path), 1) is not None, 'didOpen: diagnostics at once')
        # five quick changes: one lint, of the last
        skipped = []
        for v in range(2, 7):
            s.change(path, text + '-- edit %d\n' % v, v)
        diags = s.diagnostics(uri_of(path), 6, skipped=skipped)
        early = [m['params']['version'] for m in skipped if m.get('method') == 'textDocument/publishDiagnostics']
        check(diags is not None and early == [], 'didChange is debounced: five quick changes, one lint, of version 6',
              early)
        s.change(path, text, 7)
        diags = s.diagnostics(uri_of(path), 7)
        cib = [x for x in diags or [] if x['code'] == 'create-index-blocking']
        if not check(len(cib) == 1, 'create-index-blocking is reported', diags):
            return
        rng = cib[0]['range']
        # hover: the rule's page, as `pgsieve explain` prints it
        explain = subprocess.run([PGSIEVE, 'explain', 'create-index-blocking'], capture_output=True, text=True).stdout
        h = s.call('textDocument/hover', {'textDocument': {'uri': uri_of(path)},
                                          'position': {'line': rng['start']['line'], 'character': rng['start']['character'] + 3}})
        value = h and h.get('result') and h['result']['contents']['value']
        check(value and explain.strip() in value and h['result']['contents']['kind'] == 'markdown'
              and h['result']['range'] == rng,
              'hover on the finding: the rule\'s page as `pgsieve explain` prints it, in Markdown', h)
        h = s.call('textDocument/hover', {'textDocument': {'uri': uri_of(path)}, 'position': {'line': 0, 'character': 1}})
        check(h and h.get('result') is None, 'hover away from findings: null', h)
        # code actions: the ignore directive, applied and linted again
        r = s.call('textDocument/codeAction', {'textDocument': {'uri': uri_of(path)}, 'range': rng,
                                               'context': {'diagnostics': cib}})
        actions = r and r.get('result') or []
        stmt = [a for a in actions if a['title'].startswith('Ignore create-index-blocking for this statement')]
        if check(len(stmt) == 1 and stmt[0]['kind'] == 'quickfix' and stmt[0]['diagnostics'][0]['code'] == 'create-index-blocking'
                 and 'documentChanges' in stmt[0]['edit'], 'codeAction: ignore this rule here, as documentChanges', actions):
            fixed = apply_edit(text, stmt[0]['edit'], uri_of(path), False)
            check('\n  -- pgsieve-ignore create-index-blocking: <why this is safe here>\n  CREATE INDEX' in fixed,
                  'the directive goes on its own line above the statement, indented as it, with a reason placeholder',
                  fixed)
            open(path, 'w').write(fixed)
            rules = [f['rule'] for f in cli_findings(path)]
            check('create-index-blocking' not in rules and 'unused-suppression' not in rules,
                  'lint of the edited file: the finding is silenced, the directive is used', rules)
        # the finding's fix (lint/finding.h) as the preferred quick fix
        fpath = os.path.join(d, '002_fix.sql')
        ftext = 'CREATE INDEX orders_idx ON orders (created_at);\n'
        open(fpath, 'w').write(ftext)
        s.open(fpath, ftext)
        fd = [x for x in s.diagnostics(uri_of(fpath), 1) or [] if x['code'] == 'create-index-blocking']
        r = s.call('textDocument/codeAction', {'textDocument': {'uri': uri_of(fpath)}, 'range': fd[0]['range'] if fd else rng,
                                               'context': {'diagnostics': fd}})
        fixes = [a for a in (r and r.get('result') or []) if a.get('isPreferred')
                 and a['diagnostics'][0]['code'] == 'create-index-blocking']
        if check(len(fixes) == 1 and fixes[0]['kind'] == 'quickfix' and 'documentChanges' in fixes[0]['edit'],
                 'codeAction: the finding\'s fix as the preferred quick fix', r):
            fixed = apply_edit(ftext, fixes[0]['edit'], uri_of(fpath), False)
            open(fpath, 'w').write(fixed)
            rules = [f['rule'] for f in cli_findings(fpath)]
            check('CONCURRENTLY' in fixed and 'create-index-blocking' not in rules,
                  'lint of the fixed file: create-index-blocking is gone', (fixed, rules))
        whole = [a for a in actions if 'in this file' in a['title'] and 'create-index-blocking' in a['title']]
        if check(len(whole) == 1, 'codeAction: ignore this rule in the file', actions):
            fixed = apply_edit(text, whole[0]['edit'], uri_of(path), False)
            open(path, 'w').write(fixed)
            rules = [f['rule'] for f in cli_findings(path)]
            check(fixed.startswith('-- pgsieve-ignore-file create-index-blocking') and 'create-index-blocking' not in rules
                  and 'unused-suppression' not in rules, 'the file directive silences it for the file', (fixed, rules))
        r = s.call('textDocument/codeAction', {'textDocument': {'uri': uri_of(path)}, 'range': rng,
                                               'context': {'diagnostics': cib, 'only': ['source']}})
        check(r and r.get('result') == [], 'codeAction with only: [source]: no quick fixes', r)
        # two statements on one line: the directive between them
        text2 = "SELECT 1; CREATE INDEX a_idx ON a (x);\n"
        s.change(path, text2, 8)
        diags = s.diagnostics(uri_of(path), 8)
        cib = [x for x in diags or [] if x['code'] == 'create-index-blocking']
        r = s.call('textDocument/codeAction', {'textDocument': {'uri': uri_of(path)}, 'range': cib[0]['range'] if cib else rng,
                                               'context': {'diagnostics': cib}})
        stmt = [a for a in (r and r.get('result') or []) if a['title'].startswith('Ignore create-index-blocking for')]
        if check(len(stmt) == 1, 'codeAction on the second statement of a line', r):
            fixed = apply_edit(text2, stmt[0]['edit'], uri_of(path), False)
            open(path, 'w').write(fixed)
            rules = [f['rule'] for f in cli_findings(path)]
            check('create-index-blocking' not in rules and 'unused-suppression' not in rules,
                  'the directive between two statements of a line silences the second', (fixed, rules))
    finally:
        check(s.finish()[1] == 0, 'edits: shutdown then exit, status 0')
        s.kill()
    # the same action without documentChanges: a changes map
    s = Server()
    try:
        s.initialize(document_changes=False, markdown=False)
        open(path, 'w').write(text)
        s.open(path, text)
        diags = s.diagnostics(uri_of(path), 1)
        cib = [x for x in diags or [] if x['code'] == 'create-index-blocking']
        r = s.call('textDocument/codeAction', {'textDocument': {'uri': uri_of(path)}, 'range': cib[0]['range'],
                                               'context': {'diagnostics': cib}})
        edit = r['result'][0]['edit'] if r and r.get('result') else {}
        check(uri_of(path) in edit.get('changes', {}) and 'documentChanges' not in edit,
              'a client without documentChanges gets a changes map', edit)
        h = s.call('textDocument/hover', {'textDocument': {'uri': uri_of(path)}, 'position': cib[0]['range']['start']})
        check(h and h['result'] and h['result']['contents']['kind'] == 'plaintext',
              'a client without Markdown hovers gets plaintext', h)
    finally:
        s.finish()
        s.kill()


def test_alembic_action(tmp):
    d = os.path.join(tmp, 'alembic-action')
    shutil.copytree(os.path.join(SOURCE, 'fixtures', 'frameworks', 'alembic'), d)
    path = os.path.join(d, 'migrations', 'versions', '3c0000000003_accounts_email_index.py')
    text = open(path).read()
    s = Server()
    try:
        s.initialize()
        s.open(path, text, language='python')
        diags = s.diagnostics(uri_of(path), 1)
        if not check(diags, 'an Alembic revision has diagnostics', diags):
            return
        r = s.call('textDocument/codeAction', {'textDocument': {'uri': uri_of(path)}, 'range': diags[0]['range'],
                                               'context': {'diagnostics': diags[:1]}})
        stmt = [a for a in (r and r.get('result') or []) if 'for this statement' in a['title']]
        if check(len(stmt) == 1 and not [a for a in r['result'] if 'in this file' in a['title']],
                 'a revision\'s action: the Python comment above the op.* call (no file-wide one)', r):
            fixed = apply_edit(text, stmt[0]['edit'], uri_of(path), False)
            check('# pgsieve-ignore %s: <why this is safe here>' % diags[0]['code'] in fixed, 'written as a # comment', fixed)
            open(path, 'w').write(fixed)
            rules = [f['rule'] for f in cli_findings(path, cwd=d)]
            check(diags[0]['code'] not in rules and 'unused-suppression' not in rules,
                  'lint of the edited revision: silenced, the directive used', rules)
            # unsaved changes to a revision: the rendering reads the file, so nothing until saved
            fixed += '\n# unsaved\n'
            s.change(path, fixed, 2)
            m = s.diagnostics(uri_of(path), 2, timeout=3)
            check(m is None, 'an unsaved revision is not linted (its findings would be the file\'s)', m)
            open(path, 'w').write(fixed)
            s.notify('textDocument/didSave', {'textDocument': {'uri': uri_of(path)}})
            diags = s.diagnostics(uri_of(path), 2)
            check(diags is not None and got(diags) == expected(path), 'saved: linted again, as the CLI lints it',
                  diags)
    finally:
        s.finish()
        s.kill()


def test_alembic_config(tmp):
    """The Alembic keys of .pgsieve.yml reach the server as they reach `pgsieve lint`: a project
    whose ini file is not alembic.ini (deploy/schema.cfg, `alembic -c deploy/schema.cfg`) is
    found through alembic-config, and its revision is rendered by Alembic and linted as the CLI
    lints it there."""
    d = os.path.join(tmp, 'alembic-config')
    shutil.copytree(os.path.join(SOURCE, 'fixtures', 'frameworks', 'alembic-projects', 'config-only'), d)
    path = os.path.join(d, 'schema', 'revisions', '1004_entry_posted_at.py')
    text = open(path).read()
    data = text.encode()
    sev = {'error': 1, 'warning': 2, 'info': 3}

    def cli():
        r = subprocess.run([PGSIEVE, 'lint', '--format', 'json', '--fail-on', 'never', os.path.relpath(path, d)],
                           capture_output=True, cwd=d, timeout=WAIT * 5)
        found = json.loads(r.stdout)['findings'] if r.returncode == 0 else []
        return sorted(((f['rule'], sev[f['severity']], position(data, f['offset'], False),
                        position(data, f['offset'] + f['length'], False))
                       for f in found if os.path.join(d, f['file']) == path), key=json.dumps)

    s = Server()
    try:
        s.initialize()
        s.open(path, text, language='python')
        bare = got(s.diagnostics(uri_of(path), 1))
        check([x[0] for x in bare] == ['syntax-error'],
              'without alembic-config the revision is not found as one (read as a lone file)', bare)
        with open(os.path.join(d, '.pgsieve.yml'), 'w') as f:
            f.write('alembic-config: deploy/schema.cfg\n')
        want = cli()
        s.notify('textDocument/didSave', {'textDocument': {'uri': uri_of(path)}})
        diags = got(s.diagnostics(uri_of(path), 1))
        check('unbatched-backfill' in [x[0] for x in want] and diags == want,
              'with alembic-config in .pgsieve.yml the revision is linted as `pgsieve lint` lints it (%d findings)'
              % len(want), 'got %s\nwant %s' % (diags, want))
    finally:
        check(s.finish()[1] == 0, 'alembic-config: shutdown then exit, status 0')
        s.kill()


def fix_action(s, path, diags, code):
    """The preferred quick fix of the first `code` diagnostic of diags, with those diagnostics."""
    found = [x for x in diags or [] if x['code'] == code]
    if not found:
        return None, found
    r = s.call('textDocument/codeAction', {'textDocument': {'uri': uri_of(path)}, 'range': found[0]['range'],
                                           'context': {'diagnostics': found[:1]}})
    fixes = [a for a in (r and r.get('result') or []) if a.get('isPreferred') and a['diagnostics'][0]['code'] == code]
    return (fixes[0] if fixes else None), found


def test_fix_files(tmp):
    """Fixes that create a migration: a WorkspaceEdit of CreateFile and TextDocumentEdit
    (documentChanges) when the client takes resource operations "create", none otherwise; applied
    as the client would, the tree lints clean of the finding. And fixes that edit another file
    the editor holds unsaved: the edit is made against the editor's text, with its version, and
    every open file is read as the editor holds it when a document is linted."""
    d = os.path.join(tmp, 'fix-files')
    os.mkdir(d)
    files = {'000001_orders.up.sql': 'CREATE TABLE orders (id bigint PRIMARY KEY, a int, b int);\n',
             '000001_orders.down.sql': 'DROP TABLE orders;\n',
             '000002_change.up.sql': 'ALTER TABLE orders ADD COLUMN c int;\nCREATE INDEX orders_b_idx ON orders (b);\n',
             '000002_change.down.sql': 'ALTER TABLE orders DROP COLUMN c;\n'}
    for name, text in files.items():
        open(os.path.join(d, name), 'w').write(text)
    path = os.path.join(d, '000002_change.up.sql')
    text = files['000002_change.up.sql']
    new_up = os.path.join(d, '000003_orders_b_idx_concurrently.up.sql')
    new_down = os.path.join(d, '000003_orders_b_idx_concurrently.down.sql')
    s = Server()
    try:
        s.initialize()
        s.open(path, text)
        action, found = fix_action(s, path, s.diagnostics(uri_of(path), 1), 'create-index-blocking')
        changes = action['edit'].get('documentChanges', []) if action else []
        creates = [c['uri'] for c in changes if c.get('kind') == 'create']
        if check(creates == [uri_of(new_up), uri_of(new_down)],
                 'a new migration as CreateFile operations in documentChanges', action):
            for p in (new_up, new_down):
                edits = [c for c in changes if 'textDocument' in c and c['textDocument']['uri'] == uri_of(p)]
                check(changes.index(edits[0]) > changes.index({'kind': 'create', 'uri': uri_of(p),
                                                                'options': {'overwrite': False, 'ignoreIfExists': False}})
                      if edits else False, '%s: its text as a TextDocumentEdit after its creation' % os.path.basename(p))
                open(p, 'w').write(apply_edit('', action['edit'], uri_of(p), False))
            fixed = apply_edit(text, action['edit'], uri_of(path), False)
            open(path, 'w').write(fixed)
            check('CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_b_idx' in open(new_up).read()
                  and 'CREATE INDEX' not in fixed, 'applied: the build moved to the new migration', fixed)
            r = subprocess.run([PGSIEVE, 'lint', '--format', 'json', '--fail-on', 'never', d], capture_output=True,
                               timeout=WAIT * 5)
            rules = [f['rule'] for f in json.loads(r.stdout)['findings']]
            check(not {'create-index-blocking', 'migration-graph', 'missing-downgrade', 'not-in-transaction',
                       'syntax-error'} & set(rules), 'applied: `pgsieve lint` of the tree finds nothing about it', rules)
    finally:
        check(s.finish()[1] == 0, 'fix files: shutdown then exit, status 0')
        s.kill()
    # a client that cannot create files is not offered the fix
    for name, text_ in files.items():
        open(os.path.join(d, name), 'w').write(text_)
    for p in (new_up, new_down):
        if os.path.exists(p):
            os.unlink(p)
    s = Server()
    try:
        s.initialize(create=False)
        s.open(path, text)
        action, found = fix_action(s, path, s.diagnostics(uri_of(path), 1), 'create-index-blocking')
        check(found and action is None, 'without resourceOperations "create", no fix that creates files', action)
    finally:
        s.finish()
        s.kill()

    # Diesel: the no-transaction setting lives in metadata.toml beside up.sql
    d = os.path.join(tmp, 'fix-open')
    for sub, up, down in (('2024-01-01-000000_orders', 'CREATE TABLE orders (id bigint PRIMARY KEY, a int);\n',
                           'DROP TABLE orders;\n'),
                          ('2024-01-02-000000_index', 'CREATE INDEX orders_a_idx ON orders (a);\n',
                           'DROP INDEX CONCURRENTLY IF EXISTS orders_a_idx;\n')):
        os.makedirs(os.path.join(d, sub))
        open(os.path.join(d, sub, 'up.sql'), 'w').write(up)
        open(os.path.join(d, sub, 'down.sql'), 'w').write(down)
    path = os.path.join(d, '2024-01-02-000000_index', 'up.sql')
    meta = os.path.join(d, '2024-01-02-000000_index', 'metadata.toml')
    open(meta, 'w').write('run_in_transaction = true\n')
    s = Server()
    try:
        s.initialize()
        # the editor holds metadata.toml changed and not saved
        buffer = '# edited in the editor\nrun_in_transaction = true\n'
        s.open(meta, buffer, version=7, language='toml')
        s.open(path, open(path).read())
        action, found = fix_action(s, path, s.diagnostics(uri_of(path), 1), 'create-index-blocking')
        changes = action['edit'].get('documentChanges', []) if action else []
        meta_edits = [c for c in changes if 'textDocument' in c and c['textDocument']['uri'] == uri_of(meta)]
        if check(meta_edits and meta_edits[0]['textDocument']['version'] == 7,
                 'a fix editing a file open in the editor: a TextDocumentEdit of the editor\'s version', action):
            edited = apply_edit(buffer, action['edit'], uri_of(meta), False)
            check(edited == '# edited in the editor\nrun_in_transaction = false\n',
                  'its edit is made against the editor\'s text, not the file on disk', edited)
        check(open(meta).read() == 'run_in_transaction = true\n', 'the server writes nothing to disk')
        # the document is linted with the other open files as the editor holds them: with
        # run_in_transaction = false in the buffer only, the concurrent build runs alone
        # outside a transaction (the CLI, reading the disk, says it would not)
        concurrent = 'CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_a_idx ON orders (a);\n'
        open(path, 'w').write(concurrent)
        s.change(path, concurrent, 2)
        s.diagnostics(uri_of(path), 2)
        s.change(meta, 'run_in_transaction = false\n', 8)
        diags = s.diagnostics(uri_of(path), 2)
        cli = [f['rule'] for f in cli_findings(path)]
        check(diags is not None and 'not-in-transaction' not in [x['code'] for x in diags]
              and 'not-in-transaction' in cli,
              'an open file\'s unsaved text is the context: the document is linted again when it changes',
              (got(diags), cli))
        s.change(meta, 'run_in_transaction = true\n', 9)
        diags = s.diagnostics(uri_of(path), 2)
        check(diags is not None and 'not-in-transaction' in [x['code'] for x in diags],
              'and again when it changes back', got(diags))
    finally:
        check(s.finish()[1] == 0, 'fix open files: shutdown then exit, status 0')
        s.kill()


def frame(body):
    return b'Content-Length: %d\r\n\r\n' % len(body) + body


def test_bad_input(tmp):
    s = Server()
    try:
        r = s.call('textDocument/hover', {})
        check(r and r.get('error', {}).get('code') == -32002, 'a request before initialize: ServerNotInitialized', r)
        s.initialize()
        cases = [
            (frame(b'{"jsonrpc": "2.0", "id": 1, "method": '), -32700, 'malformed JSON: ParseError, id null'),
            (frame(b'{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///x.sql","text":"\xff\xfe"}}}'),
             -32700, 'invalid UTF-8 in a message: ParseError'),
            (frame(b'[1, 2]'), -32600, 'a JSON array: InvalidRequest'),
            (frame(b'{"jsonrpc":"2.0","id":{"a":1},"method":"shutdown"}'), -32600, 'an object as id: InvalidRequest'),
            (frame(b'{"jsonrpc":"2.0","id":7,"method":42}'), -32600, 'a number as method: InvalidRequest'),
        ]
        for data, code, what in cases:
            s.raw(data)
            m = s.get(lambda m: 'error' in m)
            check(m and m['error']['code'] == code and m['id'] in (None, 7), what, m)
        r = s.call('textDocument/definition', {'textDocument': {'uri': 'file:///x.sql'}, 'position': {'line': 0, 'character': 0}})
        check(r and r.get('error', {}).get('code') == -32601, 'an unknown request: MethodNotFound', r)
        s.notify('$/unknownNotification', {'x': 1})
        s.notify('custom/whatever')
        rid = s.request('shutdown_not_really')
        m = s.get(lambda m: 'id' in m)
        check(m and m['id'] == rid, 'unknown notifications get no answer (the next answer is the next request\'s)', m)
        r = s.call('textDocument/codeAction', {'textDocument': {'uri': 'file:///x.sql'}, 'range': {'start': {'line': -1}}})
        check(r and r.get('error', {}).get('code') == -32602, 'a codeAction without a valid range: InvalidParams', r)
        # headers: none, not a number, a header line without ':', garbage between messages
        for data, what in [(b'Content-Type: application/json\r\n\r\n{"jsonrpc":"2.0","id":1,"method":"x"}', 'no Content-Length'),
                           (b'Content-Length: ten\r\n\r\n{}', 'a Content-Length that is not a number'),
                           (b'hello there\r\n\r\n', 'a header line without a colon'),
                           (b'Content-Length: 99999999999999999999\r\n\r\n', 'a Content-Length beyond any message')]:
            s.raw(data)
            log = s.get(lambda m: m.get('method') == 'window/logMessage')
            r = s.call('textDocument/hover', {'textDocument': {'uri': 'file:///nothing.sql'}, 'position': {'line': 0, 'character': 0}})
            check(log and log['params']['type'] == 1 and r and 'result' in r,
                  'bad header (%s): logged, and the next message is answered' % what, (log, r))
        # a message split in pieces, with pauses
        body = json.dumps({'jsonrpc': '2.0', 'id': 555, 'method': 'textDocument/hover',
                           'params': {'textDocument': {'uri': 'file:///n.sql'}, 'position': {'line': 0, 'character': 0}}}).encode()
        data = frame(body)
        for i in range(0, len(data), 7):
            s.raw(data[i:i + 7])
            time.sleep(0.005)
        check(s.response(555) is not None, 'a message that arrives in pieces is read whole')
        # text with a NUL byte and a document that does not parse
        s.open(os.path.join(tmp, 'nul.sql'), 'SELECT 1;\x00\nCREATE TABL x;\n')
        diags = s.diagnostics(uri_of(os.path.join(tmp, 'nul.sql')), 1)
        check(diags is not None and diags, 'a document with a NUL byte gets diagnostics, not a crash', diags)
        r, status = s.finish()
        check(r and r.get('result', 'x') is None and status == 0, 'after all that: shutdown answers null, exit is 0',
              (r, status))
    finally:
        s.kill()
    # requests after shutdown, exit without shutdown, the input closing
    s = Server()
    try:
        s.initialize()
        s.call('shutdown')
        r = s.call('textDocument/hover', {})
        check(r and r.get('error', {}).get('code') == -32600, 'a request after shutdown: InvalidRequest', r)
        s.notify('exit')
        check(s.p.wait(timeout=WAIT) == 0, 'exit after shutdown: status 0')
    finally:
        s.kill()
    s = Server()
    try:
        s.initialize()
        s.notify('exit')
        check(s.p.wait(timeout=WAIT) == 1, 'exit without shutdown: status 1')
    finally:
        s.kill()
    s = Server()
    try:
        s.initialize()
        s.raw(b'Content-Length: 100\r\n\r\n{"jsonrpc"')
        s.p.stdin.close()
        check(s.p.wait(timeout=WAIT) == 1, 'the input ends mid-message: status 1, no hang')
    finally:
        s.kill()


def test_big_file(tmp):
    """5 MB: diagnostics come, and a request sent while it is linted waits at most one lint."""
    d = os.path.join(tmp, 'big')
    os.makedirs(d)
    path = os.path.join(d, '001_big.sql')
    # a data migration: rows, and now and then an index (which has findings)
    parts, size, i = [], 0, 0
    while size < 5 * 1024 * 1024:
        parts.append("INSERT INTO orders (id, note) VALUES (%d, 'x');\n" % i if i % 5000
                     else 'CREATE INDEX orders_%d_idx ON orders (note);\n' % i)
        size += len(parts[-1])
        i += 1
    text = ''.join(parts)
    open(path, 'w').write(text)
    t0 = time.time()
    n_cli = len(cli_findings(path))
    one_lint = time.time() - t0
    s = Server('--debounce', '0')
    try:
        s.initialize()
        t0 = time.time()
        s.open(path, text)
        diags = s.diagnostics(uri_of(path), 1)
        check(diags is not None and len(diags) == n_cli,
              '5 MB file: %d diagnostics, as lint finds (%.1f s; lint alone %.1f s)' % (len(diags or []), time.time() - t0, one_lint))
        s.change(path, text + 'DROP TABLE x;\n', 2)
        time.sleep(0.2)  # the lint of version 2 has started
        t0 = time.time()
        r = s.call('textDocument/definition', {})
        waited = time.time() - t0
        check(r and r['error']['code'] == -32601 and waited < one_lint * 2 + 2,
              'a request during the lint is answered within one lint (%.1f s)' % waited, r)
        check(s.diagnostics(uri_of(path), 2) is not None, 'the changed 5 MB file is linted')
    finally:
        check(s.finish()[1] == 0, 'big file: shutdown then exit, status 0')
        s.kill()


def main():
    global PGSIEVE, SOURCE, WAIT
    args = sys.argv[1:]
    if '--sanitized' in args:
        args.remove('--sanitized')
        WAIT *= 3
    if len(args) != 2:
        sys.exit(__doc__)
    PGSIEVE, SOURCE = os.path.abspath(args[0]), os.path.abspath(args[1])
    tmp = tempfile.mkdtemp(prefix='pgsieve-lsp-test-')
    try:
        test_encodings(tmp)
        test_context(tmp)
        test_debounce_hover_actions(tmp)
        test_alembic_action(tmp)
        test_alembic_config(tmp)
        test_fix_files(tmp)
        test_bad_input(tmp)
        test_big_file(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
