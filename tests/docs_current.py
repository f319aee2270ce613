#!/usr/bin/env python3
"""The generated rule list in docs/rules/README.md must match `pgsieve rules --format markdown`,
and every rule must have its page: regenerate with
    build/pgsieve rules --format markdown > docs/rules/README.md

usage: docs_current.py PGSIEVE DOCS_DIR
"""
import os
import subprocess
import sys


def main():
    pgsieve, docs = sys.argv[1], sys.argv[2]
    want = subprocess.run([pgsieve, "rules", "--format", "markdown"], capture_output=True,
                          text=True, check=True).stdout
    path = os.path.join(docs, "rules", "README.md")
    with open(path, encoding="utf-8") as f:
        have = f.read()
    failures = 0
    if have != want:
        print(f"FAIL {path} is out of date: regenerate it with "
              "`build/pgsieve rules --format markdown > docs/rules/README.md`")
        failures += 1
    for line in want.splitlines():
        if line.startswith("| ["):
            page = line.split("](", 1)[1].split(")", 1)[0]
            if not os.path.exists(os.path.join(docs, "rules", page)):
                print(f"FAIL docs/rules/{page} is missing")
                failures += 1
    print(f"{1 if failures == 0 else 0} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
