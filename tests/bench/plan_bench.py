#!/usr/bin/env python3
"""Benchmark: `aiprov plan` of a converged 200-step recipe in a real root tree.

Builds (or reuses) the mmdebstrap base tree of the end-to-end tests, generates a recipe of 200 steps
(files, directories, ini settings, groups), applies it once, then times `aiprov plan
--detailed-exitcode` over several runs: median and worst wall time, peak resident memory of each run
(from wait4's rusage). The same observations made by a generated POSIX shell script (cmp, stat, grep on
/etc/group: what one would write by hand) are timed in the same run, for a ratio. Targets: median under
100 ms, peak memory under 30 MB. Run as root:

    python3 tests/bench/plan_bench.py --aiprov build/agent/aiprov [--runs 21]
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
import rootfs  # noqa: E402


def make_recipe(dirpath):
    steps = []
    for i in range(60):
        steps.append(f"""  - id: file-{i}
    type: file
    path: /opt/bench/files/f{i}.conf
    content: "setting_{i} = {i * 7}\\nother = value\\n"
    mode: "0640"
    owner: root
    group: root""")
    for i in range(50):
        steps.append(f"""  - id: dir-{i}
    type: directory
    path: /opt/bench/dirs/d{i}
    mode: "2770"
    group: root""")
    for i in range(50):
        steps.append(f"""  - id: ini-{i}
    type: ini
    path: /opt/bench/ini/pip{i}.conf
    settings:
      global.index-url: https://mirror.example/pypi/simple/{i}
      install.trusted-host: mirror.example""")
    for i in range(40):
        steps.append(f"""  - id: group-{i}
    type: group
    name: benchgroup{i}
    system: true""")
    text = "aiprov: 1\nname: bench-200\nsteps:\n" + "\n".join(steps) + "\n"
    text = text.replace("steps:\n", """steps:
  - id: base
    type: directory
    path: /opt/bench
  - id: files-dir
    type: directory
    path: /opt/bench/files
  - id: dirs-dir
    type: directory
    path: /opt/bench/dirs
  - id: ini-dir
    type: directory
    path: /opt/bench/ini
""", 1)
    path = os.path.join(dirpath, "bench.yaml")
    with open(path, "w") as f:
        f.write(text)
    return path


def make_shell_equivalent(dirpath, tree):
    """The same observations as a hand-written POSIX shell check (no changes)."""
    lines = ["#!/bin/sh", "changes=0", f"R={tree}"]
    for i in range(60):
        lines.append(f"printf 'setting_{i} = {i * 7}\\nother = value\\n' | cmp -s - $R/opt/bench/files/f{i}.conf "
                     f"|| changes=$((changes+1))")
        lines.append(f"[ \"$(stat -c '%a %U %G' $R/opt/bench/files/f{i}.conf)\" = '640 root root' ] || changes=$((changes+1))")
    for i in range(50):
        lines.append(f"[ \"$(stat -c '%a %G' $R/opt/bench/dirs/d{i})\" = '2770 root' ] || changes=$((changes+1))")
    for i in range(50):
        lines.append(f"grep -qx 'index-url = https://mirror.example/pypi/simple/{i}' $R/opt/bench/ini/pip{i}.conf "
                     f"|| changes=$((changes+1))")
    for i in range(40):
        lines.append(f"grep -q '^benchgroup{i}:' $R/etc/group || changes=$((changes+1))")
    lines.append("exit $changes")
    path = os.path.join(dirpath, "check.sh")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


def timed(argv):
    """Wall seconds and peak RSS (MiB) of one child process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    rc = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_maxrss / 1024.0, rc, proc.stderr.read().decode()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--aiprov", default=os.path.join(HERE, "..", "..", "build", "agent", "aiprov"))
    ap.add_argument("--runs", type=int, default=21)
    ap.add_argument("--cache", default=None, help="base tree cache (default: the e2e cache)")
    args = ap.parse_args()
    binary = os.path.abspath(args.aiprov)
    cache = args.cache or rootfs.cache_dir()
    rootfs.build(cache)
    work = tempfile.mkdtemp(prefix="aiprov-bench-")
    tree = rootfs.new_tree(work, cache)
    try:
        recipe = make_recipe(work)
        check = make_shell_equivalent(work, tree)
        r = subprocess.run([binary, "apply", recipe, "--root", tree, "--yes", "-q"], capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit(f"apply failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
        walls, rss, sh_walls = [], [], []
        for _ in range(args.runs):
            wall, mem, rc, err = timed([binary, "plan", recipe, "--root", tree, "--detailed-exitcode", "-q"])
            if rc != 0:
                sys.exit(f"plan of the converged recipe exited {rc} (expected 0: no changes)\n{err}")
            walls.append(wall)
            rss.append(mem)
            swall, _, src, _ = timed(["/bin/sh", check])
            if src != 0:
                sys.exit(f"the shell equivalent found {src} differences in a converged tree")
            sh_walls.append(swall)
        med, worst, peak = statistics.median(walls), max(walls), max(rss)
        sh_med = statistics.median(sh_walls)
        print(f"plan of a converged 204-step recipe, {args.runs} runs, root tree {tree}")
        print(f"  aiprov plan      median {med * 1000:7.1f} ms   worst {worst * 1000:7.1f} ms   peak RSS {peak:5.1f} MiB")
        print(f"  shell check      median {sh_med * 1000:7.1f} ms   (cmp/stat/grep, same observations)")
        print(f"  ratio aiprov/shell: {med / sh_med:.2f}x time")
        print(f"  target: median < 100 ms -> {med / 0.100:.2f}x of target ({'met' if med < 0.100 else 'NOT met'}); "
              f"peak < 30 MB -> {peak * 1.048576 / 30:.2f}x of target ({'met' if peak * 1.048576 < 30 else 'NOT met'})")
    finally:
        rootfs.remove_tree(tree)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
