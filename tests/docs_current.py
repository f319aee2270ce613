#!/usr/bin/env python3
"""The generated rule list in docs/rules/README.md must match `pgsieve rules --format markdown`,
and every rule must have its page: regenerate with
    build/pgsieve rules --format markdown > docs/rules/README.md
Every migration runner of src/discover/frameworks/frameworks.def must be named in
docs/frameworks.md (with its section of sources) and in the --framework help of src/usage.txt.

usage: docs_current.py PGSIEVE DOCS_DIR
"""
import os
import subprocess
import sys


def check_frameworks(root):
    """Each FRAMEWORK(id, ...) of frameworks.def: its --framework name (id with dashes) in
    usage.txt and in docs/frameworks.md, and its description file."""
    failures = 0
    with open(os.path.join(root, "src", "discover", "frameworks", "frameworks.def"), encoding="utf-8") as f:
        ids = [line.strip()[len("FRAMEWORK("):].split(",")[0] for line in f if line.startswith("FRAMEWORK(")]
    with open(os.path.join(root, "src", "usage.txt"), encoding="utf-8") as f:
        usage = f.read()
    with open(os.path.join(root, "docs", "frameworks.md"), encoding="utf-8") as f:
        doc = f.read()
    for i in ids:
        name = i.replace("_", "-")
        if not os.path.exists(os.path.join(root, "src", "discover", "frameworks", name + ".c")):
            print(f"FAIL src/discover/frameworks/{name}.c is missing")
            failures += 1
        if name != "sql" and name not in usage.split("lint options:", 1)[-1].split("--framework NAME", 1)[-1].split("--db", 1)[0]:
            print(f"FAIL src/usage.txt: --framework does not list {name}")
            failures += 1
        if name != "sql" and f"`{name}`" not in doc and f"({name})" not in doc.lower() and name not in doc:
            print(f"FAIL docs/frameworks.md does not describe {name}")
            failures += 1
    return failures


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
    failures += check_frameworks(os.path.dirname(os.path.abspath(docs)))
    print(f"{1 if failures == 0 else 0} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
