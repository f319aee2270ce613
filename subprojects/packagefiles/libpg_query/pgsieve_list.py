#!/usr/bin/env python3
"""Prints the C files of a directory, one a line, sorted (meson has no glob)."""
import os
import sys

d = sys.argv[1]
print("\n".join(sorted(os.path.join(d, f) for f in os.listdir(d) if f.endswith(".c"))))
