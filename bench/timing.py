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


def checked(cmd, result, ok):
    """Exits the script when a run ended with a status not in ok."""
    _, _, rc, _, err = result
    if rc not in ok:
        sys.exit("%s failed (exit %d): %s\n%s" % (os.path.basename(cmd[0]), rc, " ".join(cmd),
                                                  err.decode(errors="replace")))
    return result


def bench(cmd, runs, ok=(0, 1), env=None):
    """Runs cmd once to warm up (page cache, dynamic linking) and then runs times; returns the
    lists of wall seconds, peak RSS bytes, CPU seconds and stderr texts. Exits the script when
    cmd exits with a status not in ok."""
    run_once(cmd, env)
    walls, rsss, cpus, errs = [], [], [], []
    for _ in range(runs):
        wall, rss, rc, cpu, err = checked(cmd, run_once(cmd, env), ok)
        walls.append(wall)
        rsss.append(rss)
        cpus.append(cpu)
        errs.append(err.decode(errors="replace"))
    return walls, rsss, cpus, errs


def alternate(cmds, runs, ok=(0, 1)):
    """Runs each command once to warm up, then `runs` rounds in which every command runs once,
    the order turned around every other round (A B, B A, ...), so that a change in the machine's
    load during the series falls on all of them alike. Returns, per command, the lists of wall
    seconds, peak RSS bytes and CPU seconds."""
    for cmd in cmds:
        checked(cmd, run_once(cmd), ok)
    out = [([], [], []) for _ in cmds]
    for i in range(runs):
        order = list(range(len(cmds)))
        if i % 2:
            order.reverse()
        for k in order:
            wall, rss, _, cpu, _ = checked(cmds[k], run_once(cmds[k]), ok)
            out[k][0].append(wall)
            out[k][1].append(rss)
            out[k][2].append(cpu)
    return out


def load_average():
    """The 1, 5 and 15 minute load averages as one string."""
    try:
        return "%.2f %.2f %.2f" % os.getloadavg()
    except OSError:
        return "unknown"


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
    """One line: CPUs (nproc: those this process may run on), model, platform."""
    try:
        nproc = len(os.sched_getaffinity(0))
    except AttributeError:
        nproc = os.cpu_count()
    return "nproc %d (%d CPUs), %s; %s" % (nproc, os.cpu_count(), cpu_model(), platform.platform())
