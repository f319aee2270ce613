#!/usr/bin/env python3
"""A rule's category is checked by the compiler (enum rule_category, lint/categories.def): a rule
declared with a known category compiles, and one with a misspelt category, or with the string
rules used to give, does not build. The engine decides by category which rules run on down
migrations, so a typo must not pass silently. Compiles with the exact compiler and flags of the
library (from compile_commands.json, as headers.py does).

usage: rule_category.py BUILD_DIR SOURCE_DIR
"""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from headers import library_command, strip_output_args  # noqa: E402

RULE = '''#include "lint/rule.h"
const struct rule rule_probe = {
	.id = "probe",
	.severity = SEVERITY_WARNING,
	.category = %s,
	.summary = "a probe",
};
'''


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    args, directory = library_command(sys.argv[1], sys.argv[2])
    base = strip_output_args(args)
    failed = 0
    cases = (('CATEGORY_LOCKING', True, None),
             ('CATEGORY_LOCKNG', False, 'CATEGORY_LOCKNG'),
             ('"locking"', False, 'category'))
    with tempfile.TemporaryDirectory(prefix='pgsieve-category-') as tmp:
        for value, builds, named in cases:
            path = os.path.join(tmp, 'probe.c')
            with open(path, 'w') as f:
                f.write(RULE % value)
            r = subprocess.run(base + ['-fsyntax-only', '-fdiagnostics-color=never', '-c', path],
                               cwd=directory, capture_output=True, text=True)
            ok = (r.returncode == 0) == builds and (named is None or named in r.stderr)
            what = 'builds' if builds else 'fails to build'
            print('%s  .category = %s %s' % ('ok  ' if ok else 'FAIL', value, what))
            if not ok:
                failed += 1
                print(r.stderr)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
