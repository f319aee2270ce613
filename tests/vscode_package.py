#!/usr/bin/env python3
"""The VS Code extension (editors/vscode, issue 17) packaged with the official tool, @vscode/vsce
from npm: its dependencies installed with npm into a copy of the folder, `vsce package`, and the
.vsix read back: the manifest and client code as written, vscode-languageclient inside, the
packaging tool not.

npm and the npm registry are needed: without npm, or when the registry cannot be reached, the
test skips (exit 77, the reason printed), and fails when CI=true or PGSIEVE_REQUIRE_SHARED=1 (as
tests/shared_data.py does for ../shared: CI must run it; tests/release.py's npm part fails
without npm too).

usage: vscode_package.py SOURCE_ROOT
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile

import shared_data

passed = failed = 0


def check(ok, what, detail=''):
    global passed, failed
    if ok:
        passed += 1
        print('ok   %s' % what)
    else:
        failed += 1
        print('FAIL %s%s' % (what, ('\n    ' + str(detail).replace('\n', '\n    ')) if detail else ''))
    return ok


def skip(reason):
    if shared_data.required():
        print('FAIL %s (CI=true or PGSIEVE_REQUIRE_SHARED=1 requires it)' % reason, flush=True)
        sys.exit(1)
    print('SKIP %s' % reason, flush=True)
    sys.exit(shared_data.SKIP)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    source = os.path.join(os.path.abspath(sys.argv[1]), 'editors', 'vscode')
    if not shutil.which('npm') or not shutil.which('npx'):
        skip('npm is not installed: the extension is packaged with @vscode/vsce from npm')
    tmp = tempfile.mkdtemp(prefix='pgsieve-vscode-test-')
    try:
        ext = os.path.join(tmp, 'vscode')
        shutil.copytree(source, ext, ignore=shutil.ignore_patterns('node_modules', '*.vsix'))
        env = dict(os.environ, npm_config_update_notifier='false', npm_config_fund='false',
                   npm_config_audit='false')
        r = subprocess.run(['npm', 'install', '--prefer-offline', '--no-audit', '--no-fund'], cwd=ext, env=env,
                           capture_output=True, text=True, timeout=900)
        if r.returncode != 0:
            tail = (r.stdout + r.stderr)[-1500:]
            if any(w in tail for w in ('ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ETIMEDOUT', 'ENETUNREACH')):
                skip('the npm registry cannot be reached to install vscode-languageclient and @vscode/vsce:\n' + tail)
            check(False, 'npm install in editors/vscode', tail)
            return 1
        vsix = os.path.join(tmp, 'pgsieve.vsix')
        r = subprocess.run(['npx', '--no-install', 'vsce', 'package', '--out', vsix], cwd=ext, env=env,
                           capture_output=True, text=True, timeout=600)
        if not check(r.returncode == 0 and os.path.exists(vsix), 'vsce package', r.stdout[-2000:] + r.stderr[-2000:]):
            return 1
        with zipfile.ZipFile(vsix) as z:
            names = z.namelist()
            manifest = json.loads(z.read('extension/package.json'))
            code = z.read('extension/extension.js').decode()
            vsixmanifest = z.read('extension.vsixmanifest').decode()
        want = json.load(open(os.path.join(source, 'package.json')))
        check(manifest['name'] == want['name'] == 'pgsieve' and manifest['main'] == './extension.js'
              and manifest['activationEvents'] == ['onLanguage:sql', 'onLanguage:python'],
              'the packaged package.json: name, main, activation on SQL and Python files', manifest)
        check(code == open(os.path.join(source, 'extension.js')).read() and "args: ['lsp']" in code,
              'the packaged client code is editors/vscode/extension.js, starting `pgsieve lsp`')
        check('extension/node_modules/vscode-languageclient/node.js' in names,
              'vscode-languageclient is packaged with it')
        check(not [n for n in names if n.startswith('extension/node_modules/@vscode/vsce/')],
              'the packaging tool (a devDependency) is not')
        check('Id="pgsieve"' in vsixmanifest and 'Publisher="pgsieve"' in vsixmanifest,
              'extension.vsixmanifest names the extension and its publisher', vsixmanifest[:800])
        check('extension/LICENSE.txt' in names and 'extension/readme.md' in names, 'LICENSE and README are packaged')
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
