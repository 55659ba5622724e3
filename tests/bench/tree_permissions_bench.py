#!/usr/bin/env python3
"""Benchmark: a tree_permissions step on a tree of 500,000 files and directories, against the blog
guide's commands and against the cost of merely reading the tree's metadata.

Generates ROOT/srv/tree: --entries files and directories in all (default 500,000: the top, 1 in 100
a directory, the rest empty files in them), mixed modes (files 0644/0600/0755/0664/0640, directories 0755/0700/0775), owned by
root:root; ROOT/etc/passwd and etc/group define group `bench` (gid 4321). Then times, for the first
run (the tree needs changes; it is reset to its initial state before each method, untimed) and for
the converged run (the same command once more):

  guide   chgrp -R 4321 DIR && chmod -R u=rwX,g=rwX,o= DIR && find DIR -type d -exec chmod g+s {} +
  aiprov  aiprov apply of a one-step recipe (tree_permissions, group bench, mode u=rwX,g=rwX,o=,
          setgid_dirs: true) with --root ROOT --yes: plans (one walk), applies (a second walk that
          changes what differs), plans again (a third walk); converged: the first plan only
  plan    aiprov plan of the same recipe (one walk), first run only: what the walks cost alone
  floor   find DIR -printf '%m %g\\n' > /dev/null: one walk reading every entry's mode and group

and prints the times (median of --runs) and the ratios aiprov/guide, aiprov/floor and plan/floor. The page
cache is warm for every method (generation just wrote the tree). With --strace the first aiprov
apply is run once more under `strace -c -f` and the syscall summary is printed (slow; proportions
only). The two results must agree: the bench fails if the guide's tree and aiprov's tree differ in
any entry's mode or group. Run as root (chgrp to another group):

    python3 tests/bench/tree_permissions_bench.py --aiprov build/agent/aiprov            # 500,000
    python3 tests/bench/tree_permissions_bench.py --aiprov build/agent/aiprov --entries 20000   # a quick try
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

GID = 4321
FILE_MODES = [0o644, 0o600, 0o755, 0o664, 0o640]
DIR_MODES = [0o755, 0o700, 0o775]
FILES_PER_DIR = 99
RECIPE = """\
aiprov: 1
name: tree-permissions-bench
steps:
  - id: tree
    type: tree_permissions
    path: /srv/tree
    group: bench
    mode: "u=rwX,g=rwX,o="
    setgid_dirs: true
"""


def layout(total):
    """[(dir relative path, dir mode, [(file name, file mode)])] with `total` entries including the top."""
    dirs = max(1, (total - 1) // (FILES_PER_DIR + 1))
    files_left = total - 1 - dirs
    out = []
    for d in range(dirs):
        n = min(FILES_PER_DIR, files_left) if d < dirs - 1 else files_left
        files_left -= n
        out.append((f"d{d:05d}", DIR_MODES[d % len(DIR_MODES)],
                    [(f"f{i:03d}", FILE_MODES[(d + i) % len(FILE_MODES)]) for i in range(n)]))
    return out


def generate(tree, plan):
    old = os.umask(0)
    try:
        os.mkdir(tree, 0o755)
        for name, mode, files in plan:
            d = os.path.join(tree, name)
            os.mkdir(d, mode)
            for fname, fmode in files:
                os.close(os.open(os.path.join(d, fname), os.O_CREAT | os.O_WRONLY | os.O_EXCL, fmode))
    finally:
        os.umask(old)


def reset(tree, plan):
    """Back to the initial modes and root:root (untimed)."""
    os.chown(tree, 0, 0)
    os.chmod(tree, 0o755)
    for name, mode, files in plan:
        d = os.path.join(tree, name)
        os.chown(d, 0, 0)
        os.chmod(d, mode)
        for fname, fmode in files:
            p = os.path.join(d, fname)
            os.chown(p, 0, 0)
            os.chmod(p, fmode)


def timed(argv, ok_codes=(0,)):
    t0 = time.perf_counter()
    r = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    dt = time.perf_counter() - t0
    if r.returncode not in ok_codes:
        sys.exit(f"{' '.join(argv)} exited {r.returncode}: {r.stderr[-2000:]}")
    return dt


def guide(tree):
    return (timed(["chgrp", "-R", str(GID), tree]) + timed(["chmod", "-R", "u=rwX,g=rwX,o=", tree]) +
            timed(["find", tree, "-type", "d", "-exec", "chmod", "g+s", "{}", "+"]))


def floor(tree):
    return timed(["sh", "-c", 'find "$1" -printf "%m %g\\n" > /dev/null', "sh", tree])


def snapshot(tree):
    out = {}
    for dirpath, dirnames, filenames in os.walk(tree):
        for name in dirnames + filenames:
            st = os.lstat(os.path.join(dirpath, name))
            out[os.path.join(dirpath, name)] = (st.st_mode, st.st_gid)
    st = os.lstat(tree)
    out[tree] = (st.st_mode, st.st_gid)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--aiprov", required=True, help="the aiprov binary")
    ap.add_argument("--entries", "--files", dest="entries", type=int, default=500000,
                    help="files and directories in the tree, its top included (default 500000)")
    ap.add_argument("--runs", type=int, default=1, help="runs of each measurement (median shown)")
    ap.add_argument("--tmp", default=None, help="where to make the tree (default: $TMPDIR)")
    ap.add_argument("--strace", action="store_true", help="also show strace -c of a first aiprov apply")
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("run as root: the bench changes groups to gid 4321")
    aiprov = os.path.abspath(args.aiprov)

    work = tempfile.mkdtemp(prefix="aiprov-treeperms-", dir=args.tmp)
    try:
        root = os.path.join(work, "root")
        os.makedirs(os.path.join(root, "etc"))
        os.makedirs(os.path.join(root, "srv"))
        with open(os.path.join(root, "etc/passwd"), "w") as f:
            f.write("root:x:0:0:root:/root:/bin/bash\n")
        with open(os.path.join(root, "etc/group"), "w") as f:
            f.write(f"root:x:0:\nbench:x:{GID}:\n")
        recipe = os.path.join(work, "tree.yaml")
        with open(recipe, "w") as f:
            f.write(RECIPE)
        tree = os.path.join(root, "srv/tree")
        plan = layout(args.entries)
        t0 = time.perf_counter()
        generate(tree, plan)
        n_dirs = len(plan) + 1
        print(f"tree: {args.entries:,} entries ({n_dirs:,} directories, {args.entries - n_dirs:,} files) "
              f"generated in {time.perf_counter() - t0:.1f} s under {work}")

        apply_argv = [aiprov, "apply", recipe, "--root", root, "--yes"]
        plan_argv = [aiprov, "plan", recipe, "--root", root, "--detailed-exitcode"]
        results = {k: [] for k in ("floor", "guide first", "guide converged", "plan first",
                                   "aiprov first", "aiprov converged")}
        for _ in range(args.runs):
            reset(tree, plan)
            results["floor"].append(floor(tree))
            results["plan first"].append(timed(plan_argv, ok_codes=(2,)))
            results["guide first"].append(guide(tree))
            results["guide converged"].append(guide(tree))
            guide_result = snapshot(tree)
            reset(tree, plan)
            results["aiprov first"].append(timed(apply_argv))
            results["aiprov converged"].append(timed(apply_argv))
            if snapshot(tree) != guide_result:
                sys.exit("aiprov's tree differs from the guide's: modes or groups disagree")
        med = {k: statistics.median(v) for k, v in results.items()}

        print(f"\n{'':18}{'seconds':>9}")
        for k, v in med.items():
            print(f"{k:18}{v:9.2f}")
        print("\nratios            first  converged")
        print(f"aiprov / guide  {med['aiprov first'] / med['guide first']:7.2f}  "
              f"{med['aiprov converged'] / med['guide converged']:9.2f}")
        print(f"aiprov / floor  {med['aiprov first'] / med['floor']:7.2f}  "
              f"{med['aiprov converged'] / med['floor']:9.2f}")
        print(f"plan / floor    {med['plan first'] / med['floor']:7.2f}")

        if args.strace:
            reset(tree, plan)
            r = subprocess.run(["strace", "-c", "-f", "-o", os.path.join(work, "strace.txt")] + apply_argv,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            if r.returncode != 0:
                sys.exit(f"strace aiprov apply exited {r.returncode}: {r.stderr[-2000:]}")
            with open(os.path.join(work, "strace.txt")) as f:
                print("\nstrace -c -f of a first aiprov apply (slowed down by strace; proportions only):")
                print("".join(f.readlines()[:14]), end="")
    finally:
        subprocess.run(["rm", "-rf", "--one-file-system", "--", work])


if __name__ == "__main__":
    main()
