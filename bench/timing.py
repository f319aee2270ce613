"""Timing helpers the benchmarks share (bench/bench.py, bench/schema_bench.py): one child
process timed from outside, several runs after a warm-up, the machine's description.

A run's wall time is measured around the child; its peak resident set and CPU seconds come from
os.wait4()'s rusage of that one child (ru_maxrss is what /usr/bin/time -v prints as "Maximum
resident set size"). Output goes to /dev/null: it is still produced and written, so writing it
is part of what is timed.
"""
import os
import platform
import subprocess
import sys
import tempfile
import time


def run_once(cmd, env=None):
    """Wall seconds, peak RSS (bytes), exit status, CPU seconds and stderr (bytes, at most the
    first 64 KiB) of one run of cmd."""
    with open(os.devnull, "wb") as null, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=null, stderr=err, env=env)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        message = err.read(65536)
    rss = ru.ru_maxrss * (1 if sys.platform == "darwin" else 1024)
    return wall, rss, p.returncode, ru.ru_utime + ru.ru_stime, message


def bench(cmd, runs, ok=(0, 1), env=None):
    """Runs cmd once to warm up (page cache, dynamic linking) and then runs times; returns the
    lists of wall seconds, peak RSS bytes, CPU seconds and stderr texts. Exits the script when
    cmd exits with a status not in ok."""
    run_once(cmd, env)
    walls, rsss, cpus, errs = [], [], [], []
    for _ in range(runs):
        wall, rss, rc, cpu, err = run_once(cmd, env)
        if rc not in ok:
            sys.exit("pgsieve failed (exit %d): %s\n%s" % (rc, " ".join(cmd), err.decode(errors="replace")))
        walls.append(wall)
        rsss.append(rss)
        cpus.append(cpu)
        errs.append(err.decode(errors="replace"))
    return walls, rsss, cpus, errs


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def common_arguments(ap, root, runs):
    """The options every benchmark takes: the binary, how many runs, where inputs are written."""
    ap.add_argument("--pgsieve", default=os.path.join(root, "build", "pgsieve"))
    ap.add_argument("--runs", type=int, default=runs)
    ap.add_argument("--workdir", default=os.path.join(root, "build-bench"))


def machine():
    """One line: CPUs, model, platform."""
    return "%d CPUs, %s; %s" % (os.cpu_count(), cpu_model(), platform.platform())
