#!/usr/bin/env python3
"""Lays out the npm packages for `npm pack` (ci/release.sh calls it):

  stage.py VERSION PLATFORM RELEASE_DIR OUT_DIR

VERSION is pgsieve's, PLATFORM npm's name for the platform (linux-x64), RELEASE_DIR the unpacked
release tarball (bin/pgsieve, share/pgsieve/alembic_render.py, LICENSE, README.md). Writes
OUT_DIR/pgsieve (the launcher package) and OUT_DIR/PLATFORM (@pgsieve/PLATFORM, the binary).
"""
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def glibc_needed(binary):
    """The newest GLIBC_ symbol version the binary needs (objdump -T), e.g. '2.34'."""
    out = subprocess.run(['objdump', '-T', binary], capture_output=True, text=True, check=True).stdout
    versions = {tuple(int(x) for x in v.split('.')) for v in re.findall(r'GLIBC_(\d+(?:\.\d+)+)', out)}
    return '.'.join(str(x) for x in max(versions))


def fill(template, out, values):
    with open(template, encoding='utf-8') as f:
        text = f.read()
    for key, value in values.items():
        text = text.replace('@%s@' % key, value)
    if '@' in re.sub(r'"@pgsieve/[^"]*"', '', text):
        sys.exit('stage.py: a placeholder is left in %s' % out)
    with open(out, 'w', encoding='utf-8') as f:
        f.write(text)


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    version, platform, release, out = sys.argv[1:]
    os_name, cpu = platform.split('-', 1)
    glibc = glibc_needed(os.path.join(release, 'bin', 'pgsieve'))
    values = {'VERSION': version, 'PLATFORM': platform, 'OS': os_name, 'CPU': cpu, 'GLIBC': glibc}

    launcher = os.path.join(out, 'pgsieve')
    os.makedirs(os.path.join(launcher, 'bin'))
    fill(os.path.join(HERE, 'pgsieve', 'package.json'), os.path.join(launcher, 'package.json'), values)
    shutil.copy2(os.path.join(HERE, 'pgsieve', 'bin', 'pgsieve.js'), os.path.join(launcher, 'bin'))
    shutil.copy2(os.path.join(HERE, 'README.md'), launcher)
    shutil.copy2(os.path.join(release, 'LICENSE'), launcher)

    binary = os.path.join(out, platform)
    os.makedirs(os.path.join(binary, 'bin'))
    os.makedirs(os.path.join(binary, 'share', 'pgsieve'))
    fill(os.path.join(HERE, 'platform', 'package.json'), os.path.join(binary, 'package.json'), values)
    shutil.copy2(os.path.join(release, 'bin', 'pgsieve'), os.path.join(binary, 'bin'))
    # the binary finds the Alembic helper beside it, in ../share/pgsieve (src/discover/alembic.c)
    shutil.copy2(os.path.join(release, 'share', 'pgsieve', 'alembic_render.py'),
                 os.path.join(binary, 'share', 'pgsieve'))
    shutil.copy2(os.path.join(release, 'LICENSE'), binary)
    with open(os.path.join(binary, 'README.md'), 'w', encoding='utf-8') as f:
        f.write('# @pgsieve/%s\n\npgsieve %s for %s, built by ci/release.sh: one executable that needs '
                'glibc %s or newer and nothing else (libpq only for `--db`). Install the package '
                '`pgsieve`, which runs it: `npx pgsieve lint migrations/`.\n' % (platform, version, platform, glibc))


if __name__ == '__main__':
    main()
