#!/usr/bin/env python3
"""The release files (issue 13): `bash ci/release.sh` into a scratch dist/, then

1. the tarball holds one executable, its man page, the Alembic helper, LICENSE and README.md;
   the executable needs no shared library but glibc's, and no glibc newer than Ubuntu 22.04's
   (2.35; the version it needs is the one docs/release.md states);
2. the binary parses as the build's pgsieve does, with libpg_query's tree captured and with
   PGSIEVE_PARSE_UNPACK=1 (the static link must not lose src/sql/capture.c's functions):
   the JSON reports of fixtures/ are identical;
3. in a minimal Debian 12 root (ci/debian-rootfs.sh: debootstrap minbase, no -dev package, no
   PostgreSQL, no libpq) with chroot: --version, lint on examples/migrations (the same report as
   on this machine, exit 1), and lint --db, which says libpq is needed and how to install it
   (exit 2); skipped (77) only where debootstrap or chroot cannot run, and failed then when
   CI=true or PGSIEVE_REQUIRE_SHARED=1 (CI must run it);
4. npm: the packages `npm pack`ed by ci/release.sh, installed from the tarballs into an empty
   project with npm --offline (no registry), `npx pgsieve lint` on the examples, the Alembic
   helper found beside the packaged binary (without it pgsieve exits 2), and the
   launcher's message when the binary's package is missing.

Cost: the release build (incremental in BUILD_ROOT/release-build) and, the first time only, the
Debian root (about 3 minutes, cached outside the clone).

usage: release.py PGSIEVE SOURCE_ROOT BUILD_ROOT
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile

import shared_data

PGSIEVE = SOURCE = BUILD = None
UBUNTU_2204_GLIBC = (2, 35)
passed = failed = 0


def check(ok, name, detail=''):
    global passed, failed
    if ok:
        passed += 1
        print('ok   %s' % name)
    else:
        failed += 1
        print('FAIL %s%s' % (name, (': %s' % detail) if detail else ''))
    return ok


def run(cmd, cwd=None, env=None, timeout=600):
    full = dict(os.environ)
    full.update(env or {})
    return subprocess.run(cmd, cwd=cwd, env=full, capture_output=True, text=True, timeout=timeout)


def detail(r):
    return 'exit %d\n%s%s' % (r.returncode, r.stdout[-2000:], r.stderr[-2000:])


def glibc_versions(binary):
    out = run(['objdump', '-T', binary]).stdout
    return sorted({tuple(int(x) for x in v.split('.')) for v in re.findall(r'GLIBC_(\d+(?:\.\d+)+)', out)})


def test_tarball(tarball, unpacked):
    with tarfile.open(tarball) as t:
        names = t.getnames()
        executables = [m.name for m in t.getmembers() if m.isfile() and m.mode & 0o111
                       and not m.name.endswith('.py')]
        t.extractall(unpacked, filter='data') if hasattr(tarfile, 'data_filter') else t.extractall(unpacked)
    top = os.path.basename(tarball)[:-len('.tar.gz')]
    check(all(n == top or n.startswith(top + '/') for n in names), 'tarball: one top directory %s' % top)
    check(executables == [top + '/bin/pgsieve'], 'tarball: one executable, bin/pgsieve', executables)
    for name in ('LICENSE', 'README.md', 'share/man/man1/pgsieve.1', 'share/pgsieve/alembic_render.py',
                 'share/doc/pgsieve/rules/README.md'):
        check(top + '/' + name in names, 'tarball: %s' % name)
    root = os.path.join(unpacked, top)
    binary = os.path.join(root, 'bin', 'pgsieve')
    dyn = run(['readelf', '-d', binary]).stdout
    needed = sorted(re.findall(r'\(NEEDED\).*\[(.*)\]', dyn))
    check(needed and all(n in ('libc.so.6', 'libm.so.6') or n.startswith('ld-linux') for n in needed),
          'binary: glibc is the only shared library it needs', needed)
    check('libpq' not in run(['ldd', binary]).stdout, 'binary: libpq is not linked (dlopen()ed for --db)')
    versions = glibc_versions(binary)
    newest = versions[-1] if versions else None
    check(newest and newest <= UBUNTU_2204_GLIBC,
          'binary: needs glibc %s, which Ubuntu 22.04 (2.35) and Debian 12 (2.36) have'
          % '.'.join(map(str, newest or ())), versions)
    doc = open(os.path.join(SOURCE, 'docs', 'release.md'), encoding='utf-8').read()
    check(newest and ('glibc %s or newer' % '.'.join(map(str, newest))) in doc,
          'docs/release.md states the glibc version the binary needs (glibc %s or newer)'
          % '.'.join(map(str, newest or ())))
    return root


def test_same_as_build(binary):
    base = ['lint', '--no-config', '--format', 'json', '--fail-on', 'never', 'fixtures']
    want = run([PGSIEVE] + base, SOURCE)
    got = run([binary] + base, SOURCE)
    unpack = run([binary] + base, SOURCE, env={'PGSIEVE_PARSE_UNPACK': '1'})
    check(want.returncode == 0 and len(json.loads(want.stdout)['findings']) > 100,
          "build's pgsieve lints fixtures/", detail(want))
    check(got.returncode == 0 and got.stdout == want.stdout,
          'release binary: the same report of fixtures/ as the build (the tree captured)', detail(got))
    check(unpack.returncode == 0 and unpack.stdout == want.stdout,
          'release binary: the same report with PGSIEVE_PARSE_UNPACK=1 (the tree unpacked)', detail(unpack))
    r = run([binary, 'lint', '--db', 'host=/nonexistent-socket-dir dbname=x', 'examples/migrations'], SOURCE)
    check(r.returncode == 2 and 'cannot connect' in r.stderr, 'release binary: --db loads libpq where it is installed',
          detail(r))


def test_chroot(root_of_release):
    r = run(['bash', os.path.join(SOURCE, 'ci', 'debian-rootfs.sh')], timeout=1800)
    if r.returncode == 3 or (r.returncode == 0 and os.geteuid() != 0):
        why = r.stderr.strip() or 'chroot needs root'
        if shared_data.required():
            check(False, 'debian root: CI must run the chroot test', why)
            return False
        print('SKIP chroot: %s' % why)
        return None
    if not check(r.returncode == 0, 'debian root: ci/debian-rootfs.sh', detail(r)):
        return False
    debian = r.stdout.strip()
    for lib in ('libpq.so.5', 'libjansson.so.4', 'libyaml-0.so.2', 'libprotobuf-c.so.1'):
        r = run(['chroot', debian, '/sbin/ldconfig', '-p'])
        check(r.returncode == 0 and lib not in r.stdout, 'debian root: %s is not installed' % lib, detail(r))
    work = tempfile.mkdtemp(prefix='pgsieve-release-', dir=os.path.join(debian, 'tmp'))
    try:
        inside = '/tmp/' + os.path.basename(work)
        shutil.copytree(root_of_release, os.path.join(work, 'pgsieve'))
        shutil.copytree(os.path.join(SOURCE, 'examples'), os.path.join(work, 'examples'))
        exe = inside + '/pgsieve/bin/pgsieve'

        def chrooted(*args):
            return run(['chroot', debian, '/usr/bin/env', '-i', 'PATH=/usr/bin:/bin', 'HOME=/root',
                        '/bin/sh', '-c', 'cd "$0" && exec "$@"', inside] + list(args))

        r = chrooted(exe, '--version')
        want = run([PGSIEVE, '--version']).stdout
        check(r.returncode == 0 and r.stdout == want, 'debian 12 chroot: pgsieve --version', detail(r))
        r = chrooted(exe, 'lint', '--no-config', 'examples/migrations')
        want = run([PGSIEVE, 'lint', '--no-config', 'examples/migrations'], SOURCE)
        check(r.returncode == 1 and r.stdout == want.stdout and 'add-column-required' in r.stdout,
              'debian 12 chroot: lint examples/migrations, the same report as here (exit 1)', detail(r))
        r = chrooted(exe, 'explain', 'create-index-blocking')
        check(r.returncode == 0 and 'CONCURRENTLY' in r.stdout, 'debian 12 chroot: explain', detail(r))
        r = chrooted(exe, 'lint', '--db', 'postgresql://u:secret@localhost/db', 'examples/migrations')
        check(r.returncode == 2 and 'libpq.so.5' in r.stderr and 'apt-get install libpq5' in r.stderr
              and 'secret' not in r.stderr and r.stderr.count('\n') == 1,
              'debian 12 chroot: lint --db says libpq is needed and how to install it (exit 2)', detail(r))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return True


def test_npm(dist, tmp):
    if not check(shutil.which('npm') is not None, 'npm is installed'):
        return
    tgz = sorted(f for f in os.listdir(dist) if f.endswith('.tgz'))
    check(len(tgz) == 2 and any(f.startswith('pgsieve-linux-x64-') for f in tgz), 'npm: two packages packed', tgz)
    with tarfile.open(os.path.join(dist, next(f for f in tgz if not f.startswith('pgsieve-linux')))) as t:
        manifest = json.load(t.extractfile('package/package.json'))
    check(manifest.get('bin') == {'pgsieve': 'bin/pgsieve.js'} and 'scripts' not in manifest
          and manifest.get('optionalDependencies') == {'@pgsieve/linux-x64': manifest.get('version')},
          'npm: the launcher has bin, the platform package as an optional dependency, no install script',
          manifest)
    project = os.path.join(tmp, 'npm-project')
    os.makedirs(project)
    with open(os.path.join(project, 'package.json'), 'w') as f:
        json.dump({'name': 'a-project', 'version': '1.0.0', 'private': True}, f)
    env = {'npm_config_cache': os.path.join(tmp, 'npm-cache'), 'npm_config_update_notifier': 'false'}
    r = run(['npm', 'install', '--offline', '--no-audit', '--no-fund'] + [os.path.join(dist, f) for f in tgz],
            project, env, timeout=300)
    if not check(r.returncode == 0, 'npm install of the tarballs, --offline (no registry)', detail(r)):
        return
    shutil.copytree(os.path.join(SOURCE, 'examples'), os.path.join(project, 'examples'))
    r = run(['npx', '--offline', 'pgsieve', 'lint', '--no-config', 'examples/migrations'], project, env)
    want = run([PGSIEVE, 'lint', '--no-config', 'examples/migrations'], SOURCE)
    check(r.returncode == 1 and r.stdout == want.stdout, 'npm: npx pgsieve lint examples/migrations (exit 1)',
          detail(r))
    # an Alembic tree needs the helper beside the packaged binary
    alembic = os.path.join(SOURCE, 'fixtures', 'frameworks', 'alembic')
    args = ['lint', '--no-config', '--format', 'json', '--fail-on', 'never', 'migrations']
    want = run([PGSIEVE] + args, alembic)
    r = run(['npx', '--prefix', project, '--offline', 'pgsieve'] + args, alembic, env)
    # without the helper pgsieve exits 2 (it is not installed); with it, the report is the build's
    check(want.returncode == 0 and r.returncode == 0 and r.stdout == want.stdout,
          'npm: the Alembic helper is found beside the packaged binary', detail(r))
    shutil.rmtree(os.path.join(project, 'node_modules', '@pgsieve'))
    r = run(['npx', '--offline', 'pgsieve', '--version'], project, env)
    check(r.returncode == 2 and "'@pgsieve/linux-x64'" in r.stderr and 'npm install @pgsieve/linux-x64' in r.stderr,
          'npm: without the binary package the launcher says which to install (exit 2)', detail(r))


def main():
    global PGSIEVE, SOURCE, BUILD
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    PGSIEVE, SOURCE, BUILD = (os.path.abspath(a) for a in sys.argv[1:])
    tmp = tempfile.mkdtemp(prefix='pgsieve-release-test-')
    try:
        dist = os.path.join(tmp, 'dist')
        # the release build stays in the build directory, so that later runs are incremental
        r = run(['bash', os.path.join(SOURCE, 'ci', 'release.sh')], SOURCE,
                {'RELEASE_BUILD_DIR': os.path.join(BUILD, 'release-build'), 'DIST_DIR': dist}, timeout=1800)
        if not check(r.returncode == 0, 'ci/release.sh', detail(r)):
            return 1
        tarballs = [f for f in os.listdir(dist) if f.endswith('.tar.gz')]
        if not check(len(tarballs) == 1 and re.match(r'^pgsieve-[0-9.]+-linux-x86_64\.tar\.gz$', tarballs[0]),
                     'ci/release.sh: dist/pgsieve-VERSION-linux-x86_64.tar.gz', tarballs):
            return 1
        chrooted = False
        root = test_tarball(os.path.join(dist, tarballs[0]), os.path.join(tmp, 'unpacked'))
        test_same_as_build(os.path.join(root, 'bin', 'pgsieve'))
        chrooted = test_chroot(root)
        test_npm(dist, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print('%d passed, %d failed' % (passed, failed))
    if failed:
        return 1
    # the stock-system run is the point of the test: without it the test counts as skipped
    return shared_data.SKIP if chrooted is None else 0


if __name__ == '__main__':
    sys.exit(main())
