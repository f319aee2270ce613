"""Data the tests read from ../shared (the real-world corpora, the SARIF schema), which only this
project's CI machines have beside the clone.

A fresh clone has no ../shared: a test that needs it then skips (exit 77, meson's code for a
skipped test) and says why, and a test that needs it for one part prints SKIP for that part. When
CI=true or PGSIEVE_REQUIRE_SHARED=1 (.ci/run sets it) a missing ../shared fails the test instead,
so CI can never skip it silently.
"""
import os
import sys

SKIP = 77


def required():
    return (os.environ.get('CI', '').lower() == 'true'
            or os.environ.get('PGSIEVE_REQUIRE_SHARED', '') not in ('', '0'))


def _missing(path, what):
    if required():
        return 'FAIL %s not found: %s (../shared beside the clone holds it; CI=true or ' \
               'PGSIEVE_REQUIRE_SHARED=1 requires it)' % (what, path)
    return 'SKIP %s not found: %s (../shared beside the clone holds it; only the project\'s CI ' \
           'machines have it)' % (what, path)


def need(path, what):
    """path, which the whole test needs; exits 77 (skipped) or 1 (required) when it is absent."""
    if os.path.exists(path):
        return path
    print(_missing(path, what), flush=True)
    sys.exit(1 if required() else SKIP)


def part(path, what):
    """path, which one part of a test needs; None, after printing SKIP, when it is absent (exits 1
    when required)."""
    if path and os.path.exists(path):
        return path
    print(_missing(path, what), flush=True)
    if required():
        sys.exit(1)
    return None
