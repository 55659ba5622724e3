"""(c) Two applies on one root: the run lock. (d) A run killed with SIGKILL mid-way: nothing
half-written, and the next run converges. Needs root, the cached base tree and AIPROV_BIN."""

import os
import signal
import unittest

from aiprov import (TreeTestCase, finish, read_bytes, read_text, reap, recipe, requires_binary,
                    requires_tree, run, start, wait_for)


@requires_binary
@requires_tree
class LockTest(TreeTestCase):
    """(c) two applies on one root: the second is refused naming the holder, or waits."""

    def setUp(self):
        super().setUp()
        self.tree = self.new_tree(ubuntu="22.04")
        self.args = ["apply", recipe("slow.yaml"), "--root", self.tree, "--yes"]
        self.lock = os.path.join(self.tree, "run/aiprov.lock")
        self.order = os.path.join(self.tree, "var/lib/aiprov-e2e/order.log")

    def start_holder(self):
        holder = start(*self.args)
        self.addCleanup(reap, holder)

        def holding():
            if holder.poll() is not None:
                raise AssertionError("the first run ended before it was seen holding the lock: " +
                                     finish(holder).describe())
            if not os.path.exists(self.order):
                return False
            with open(self.lock) as f:
                return f"pid {holder.pid}" in f.read()
        wait_for(holding, "the first run to hold the lock and start its slow step")
        return holder

    def test_second_run_is_refused_naming_the_holder(self):
        holder = self.start_holder()
        second = run(*self.args)
        self.assertRc(second, 5)
        self.assertIn(str(holder.pid), second.stdout + second.stderr)
        self.assertRc(finish(holder), 0)
        lines = read_text(self.tree, "/var/lib/aiprov-e2e/order.log").splitlines()
        self.assertEqual([line.split()[0] for line in lines], ["start", "end"],
                         "the refused run ran nothing")

    def test_wait_lock_waits_for_the_holder(self):
        holder = self.start_holder()
        second = run(*self.args, "--wait-lock", "30")
        self.assertRc(second, 0)
        self.assertRc(finish(holder), 0)
        lines = read_text(self.tree, "/var/lib/aiprov-e2e/order.log").splitlines()
        self.assertEqual([line.split()[0] for line in lines], ["start", "end", "start", "end"],
                         "the runs did not overlap")


@requires_binary
@requires_tree
class KillTest(TreeTestCase):
    """(d) SIGKILL during a slow step: nothing half-written, the next apply converges."""

    FILES = ["/etc/aiprov-e2e/first.conf", "/etc/aiprov-e2e/big.conf", "/etc/aiprov-e2e/last.conf"]

    def setUp(self):
        super().setUp()
        self.tree = self.new_tree(ubuntu="22.04")
        self.recipe = self.copy_recipe("interrupted.yaml")
        os.makedirs(os.path.join(self.tmp, "files"))
        self.big = {}
        for gen in ("1", "2"):
            line = f"generation {gen}: " + "x" * 100 + "\n"
            self.big[gen] = (line * 2000).encode()  # about 230 KB
            with open(os.path.join(self.tmp, f"files/big-{gen}.conf"), "wb") as f:
                f.write(self.big[gen])

    def contents(self, gen):
        return {"/etc/aiprov-e2e/first.conf": f"generation {gen}: first\n".encode(),
                "/etc/aiprov-e2e/big.conf": self.big[gen],
                "/etc/aiprov-e2e/last.conf": f"generation {gen}: last\n".encode()}

    def apply(self, gen):
        """A run that does not pause in the slow step."""
        return run("apply", self.recipe, "--root", self.tree, "--yes", "--var",
                   f"generation={gen}", "--var", "pause=0")

    def test_killed_run_leaves_old_or_new_files_and_the_next_run_converges(self):
        t = self.tree
        self.assertRc(self.apply("1"), 0)
        os.unlink(os.path.join(t, "var/lib/aiprov-e2e/slow.done"))  # make the slow step run again
        started = os.path.join(t, "var/lib/aiprov-e2e/slow.started")
        os.unlink(started)
        old, new = self.contents("1"), self.contents("2")

        proc = start("apply", self.recipe, "--root", t, "--yes", "--var", "generation=2")
        try:
            wait_for(lambda: os.path.exists(started) or proc.poll() is not None,
                     "the slow step to start")
        finally:
            ended_early = proc.poll() is not None
            if not ended_early:
                os.kill(proc.pid, signal.SIGKILL)  # aiprov itself, in the middle of the run
            proc.wait(timeout=30)
            try:
                os.killpg(proc.pid, signal.SIGKILL)  # the orphaned sleep inside the tree
            except ProcessLookupError:
                pass
            killed = finish(proc)
        self.assertFalse(ended_early, "the run ended before it was killed" + killed.describe())
        self.assertEqual(killed.rc, -signal.SIGKILL)

        for path in self.FILES:
            got = read_bytes(t, path)
            self.assertIn(got, (old[path], new[path]), f"{path} is neither old nor new")
        # the steps before the slow one were done, the one after was not
        self.assertEqual(read_bytes(t, "/etc/aiprov-e2e/big.conf"), new["/etc/aiprov-e2e/big.conf"])
        self.assertEqual(read_bytes(t, "/etc/aiprov-e2e/last.conf"),
                         old["/etc/aiprov-e2e/last.conf"])
        self.assertNoTempFiles(t)

        # the dead run's mounts may still be there; the next run copes and converges
        self.assertRc(self.apply("2"), 0)
        for path in self.FILES:
            self.assertEqual(read_bytes(t, path), new[path], path)
        self.assertRc(run("plan", self.recipe, "--root", t, "--var", "generation=2",
                          "--detailed-exitcode"), 0)
        self.assertNoTempFiles(t)


if __name__ == "__main__":
    unittest.main()
