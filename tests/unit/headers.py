#!/usr/bin/env python3
"""Header self-containment: every header under src/ must compile on its own, twice in a row
(so its include guard works), with the exact compiler and flags the library is built with.
A header that leans on something its includer happened to include first fails here.

usage: headers.py BUILD_DIR SOURCE_DIR
"""
import concurrent.futures
import json
import os
import shlex
import subprocess
import sys
import tempfile


def library_command(build_dir, source_dir):
    """The compile command of one library source under src/, as a list, and its directory."""
    with open(os.path.join(build_dir, 'compile_commands.json')) as f:
        entries = json.load(f)
    src = os.path.realpath(os.path.join(source_dir, 'src'))
    for e in entries:
        path = os.path.realpath(os.path.join(e['directory'], e['file']))
        if path.startswith(src + os.sep) and path.endswith('.c') and 'main.c' not in path:
            args = e['arguments'] if 'arguments' in e else shlex.split(e['command'])
            return args, e['directory']
    sys.exit('headers.py: no library source under src/ in compile_commands.json')


def strip_output_args(args):
    """The command without its source file, output and dependency-file arguments."""
    out, skip = [], 0
    for a in args:
        if skip:
            skip -= 1
            continue
        if a in ('-o', '-MQ', '-MF', '-MT', '-c'):
            skip = 1
            continue
        if a in ('-MD', '-MMD'):
            continue
        out.append(a)
    return out


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    build_dir, source_dir = sys.argv[1], sys.argv[2]
    args, directory = library_command(build_dir, source_dir)
    base = strip_output_args(args)
    src = os.path.join(source_dir, 'src')
    headers = sorted(
        os.path.relpath(os.path.join(d, f), src)
        for d, _, files in os.walk(src) for f in files if f.endswith('.h'))
    if not headers:
        sys.exit('headers.py: no headers found under ' + src)

    with tempfile.TemporaryDirectory(prefix='pgsieve-headers-') as tmp:
        def check(header):
            name = header.replace(os.sep, '_').replace('.', '_') + '.c'
            path = os.path.join(tmp, name)
            with open(path, 'w') as f:
                f.write('/* generated: %s must compile alone */\n' % header)
                f.write('#include "%s"\n#include "%s"\n' % (header, header))
                f.write('typedef int header_check_%s;\n' % name[:-2])
            cmd = base + ['-fsyntax-only', '-fdiagnostics-color=never', '-c', path]
            r = subprocess.run(cmd, cwd=directory, capture_output=True, text=True)
            return header, r.returncode, r.stderr

        failed = 0
        with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            for header, rc, err in pool.map(check, headers):
                if rc != 0:
                    failed += 1
                    print('FAIL src/%s does not compile on its own:\n%s' % (header, err))
                else:
                    print('ok   src/%s' % header)
    print('%d passed, %d failed' % (len(headers) - failed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
