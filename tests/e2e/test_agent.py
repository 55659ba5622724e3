"""`aiprov agent`, the daemon, started here (not under systemd) against a root tree with a short
interval: drift reported in report mode and corrected in correct mode, SIGTERM in the middle of a
long step (the step finishes, the next does not run, nothing half-written), a checkpoint left by a
reboot step resumed at start, a run that never ended reported, SIGHUP reloading the configuration,
the lock of another run, and the systemd notifications on a socket bound here. Needs root, the
cached base tree and AIPROV_BIN."""

import fcntl
import glob
import json
import os
import signal
import socket
import unittest

from aiprov import (TreeTestCase, finish, in_tree, read_text, reap, requires_binary, requires_tree, run,
                    start, wait_for)

MOTD = """\
aiprov: 1
name: e2e-agent
steps:
  - id: conf-dir
    type: directory
    path: /etc/aiprov-e2e
  - id: motd
    type: file
    path: /etc/aiprov-e2e/motd.conf
    content: "${greeting}\\n"
    mode: "0644"
"""

# A long command step, then a file step: SIGTERM during the first must let it finish and stop
# before the second.
SLOW = """\
aiprov: 1
name: e2e-agent-slow
steps:
  - id: state-dir
    type: directory
    path: /var/lib/aiprov-e2e
  - id: slow
    type: command
    shell: echo started > /var/lib/aiprov-e2e/slow.started; sleep ${pause}; touch /var/lib/aiprov-e2e/slow.done
    creates: /var/lib/aiprov-e2e/slow.done
  - id: after
    type: file
    path: /etc/aiprov-e2e-after.conf
    content: "after the slow step\\n"
"""

# A `reboot` step between two files: `apply` stops there with a checkpoint (exit 4).
REBOOT = """\
aiprov: 1
name: e2e-agent-reboot
steps:
  - id: before
    type: file
    path: /etc/aiprov-e2e-before.conf
    content: "before the reboot\\n"
  - id: reboot-now
    type: reboot
    reason: the new kernel module loads at boot
  - id: after
    type: file
    path: /etc/aiprov-e2e-after.conf
    content: "after the reboot\\n"
"""

MOTD_PATH = "/etc/aiprov-e2e/motd.conf"
STOP_TIMEOUT_S = 120  # bounds a test that would otherwise hang; never asserted


@requires_binary
@requires_tree
class AgentTestCase(TreeTestCase):

    def setUp(self):
        super().setUp()
        self.tree = self.new_tree()

    def config(self, recipes, mode, interval="1s", **extra):
        """Writes self.tmp/agent.yaml (again: the reload test rewrites it) and returns its path."""
        lines = ["recipes:"] + [f"  - {r}" for r in recipes]
        lines += [f"interval: {interval}", f"mode: {mode}", "vars:", "  greeting: managed by aiprov"]
        lines += [f"{k}: {v}" for k, v in extra.items()]
        path = os.path.join(self.tmp, "agent.yaml")
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        return path

    def start_agent(self, config, env=None):
        proc = start("agent", "--config", config, "--root", self.tree, env=env)
        self.addCleanup(reap, proc)
        return proc

    def stop_agent(self, proc):
        """SIGTERM to the agent alone (as systemd's KillMode=mixed); it must exit 0."""
        os.kill(proc.pid, signal.SIGTERM)
        result = finish(proc, timeout=STOP_TIMEOUT_S)
        self.assertRc(result, 0)
        return result

    def rounds(self):
        path = in_tree(self.tree, "/var/lib/aiprov/agent/history.json")
        if not os.path.exists(path):
            return []
        with open(path) as f:
            return json.load(f)["rounds"]

    def wait_round(self, proc, predicate, what, after=0):
        """Waits for a round of this agent process numbered above `after` whose first recipe
        satisfies predicate(recipe, round), and returns that round. Fails at once when the agent
        exits."""
        def found():
            if proc.poll() is not None:
                raise AssertionError(f"the agent exited while waiting for {what}" + finish(proc).describe())
            for r in self.rounds():
                if (r["agent_pid"] == proc.pid and r["number"] > after and r["recipes"]
                        and predicate(r["recipes"][0], r)):
                    return r
            return None
        return wait_for(found, what)

    def log(self):
        """The agent's log inside the tree (the same lines as its stderr, at info and above)."""
        path = in_tree(self.tree, "/var/log/aiprov/aiprov.log")
        return read_text(self.tree, "/var/log/aiprov/aiprov.log") if os.path.exists(path) else ""

    def journals(self):
        return sorted(glob.glob(in_tree(self.tree, "/var/lib/aiprov/runs/*.json")))

    def write_in_tree(self, path, text):
        with open(in_tree(self.tree, path), "w") as f:
            f.write(text)


class DriftTest(AgentTestCase):
    """(1) report mode: drift logged and recorded, the file left alone; (2) correct mode: restored."""

    def setUp(self):
        super().setUp()
        self.recipe = self.write_recipe("motd.yaml", MOTD)

    def test_report_mode_logs_the_drift_and_changes_nothing(self):
        self.assertRc(run("apply", self.recipe, "--root", self.tree, "--yes", "--var",
                          "greeting=managed by aiprov"), 0)
        journals = self.journals()
        agent = self.start_agent(self.config([self.recipe], "report"))
        converged = self.wait_round(agent, lambda r, _: r["result"] == "converged", "a converged round")

        self.write_in_tree(MOTD_PATH, "changed by hand\n")
        drifted = self.wait_round(agent, lambda r, _: r["result"] == "drift", "the drift",
                                  after=converged["number"])
        recipe = drifted["recipes"][0]
        self.assertEqual(drifted["mode"], "report")
        self.assertEqual([d["id"] for d in recipe["drift"]], ["motd"])
        self.assertEqual(recipe["drift"][0]["changes"][0]["target"], MOTD_PATH)
        self.assertFalse(recipe["drift"][0]["corrected"])
        self.assertIsNone(recipe["run_id"])
        # later rounds find the same drift: it was never corrected
        self.wait_round(agent, lambda r, _: r["result"] == "drift", "a second drift round",
                        after=drifted["number"])
        result = self.stop_agent(agent)

        self.assertEqual(read_text(self.tree, MOTD_PATH), "changed by hand\n")
        self.assertEqual(self.journals(), journals, "report mode applied nothing")
        self.assertIn(f"drift: step 'motd' (file): {MOTD_PATH} content differs", result.stderr)
        with open(in_tree(self.tree, "/var/lib/aiprov/agent/last.json")) as f:
            self.assertEqual(json.load(f)["recipes"][0]["result"], "drift")
        status = run("status", "--root", self.tree)
        self.assertRc(status, 0)
        self.assertIn(f"step 'motd' (file): {MOTD_PATH} content differs  [not corrected]", status.stdout)
        self.assertNoTempFiles(self.tree)

    def test_correct_mode_restores_the_file(self):
        agent = self.start_agent(self.config([self.recipe], "correct"))
        # the first round converges the fresh tree
        first = self.wait_round(agent, lambda r, _: r["result"] in ("corrected", "converged"),
                                "the first round")
        self.assertEqual(read_text(self.tree, MOTD_PATH), "managed by aiprov\n")

        self.write_in_tree(MOTD_PATH, "changed by hand\n")
        fixed = self.wait_round(agent, lambda r, _: r["result"] == "corrected" and r["drift"]
                                and r["drift"][0]["id"] == "motd", "the correction", after=first["number"])
        self.assertEqual(read_text(self.tree, MOTD_PATH), "managed by aiprov\n")
        run_id = fixed["recipes"][0]["run_id"]
        self.assertTrue(fixed["recipes"][0]["drift"][0]["corrected"])
        # the hand-made version was saved by the run that replaced it
        self.assertEqual(read_text(self.tree, f"/var/lib/aiprov/backups/{run_id}{MOTD_PATH}"),
                         "changed by hand\n")
        with open(in_tree(self.tree, f"/var/lib/aiprov/runs/{run_id}.json")) as f:
            self.assertEqual(json.load(f)["result"], "ok")
        self.stop_agent(agent)

        status = run("status", "--root", self.tree, "--json")
        self.assertRc(status, 0)
        self.assertEqual(status.json()["agent"]["last_round"]["mode"], "correct")
        self.assertNoTempFiles(self.tree)


class SignalTest(AgentTestCase):
    """(3) SIGTERM during a long step; (5) SIGHUP reloads the configuration."""

    def test_sigterm_lets_the_step_finish_and_runs_no_other(self):
        recipe = self.write_recipe("slow.yaml", SLOW.replace("${pause}", "5"))
        agent = self.start_agent(self.config([recipe], "correct"))
        wait_for(lambda: os.path.exists(in_tree(self.tree, "/var/lib/aiprov-e2e/slow.started"))
                 or agent.poll() is not None, "the slow step to start")
        self.assertIsNone(agent.poll(), "the agent ended before the slow step")
        result = self.stop_agent(agent)  # while the slow step sleeps

        self.assertTrue(os.path.exists(in_tree(self.tree, "/var/lib/aiprov-e2e/slow.done")),
                        "the step in progress was finished" + result.describe())
        self.assertFalse(os.path.exists(in_tree(self.tree, "/etc/aiprov-e2e-after.conf")),
                         "the next step did not run")
        last = self.rounds()[-1]["recipes"][0]
        self.assertEqual(last["result"], "stopped", last)
        with open(in_tree(self.tree, f"/var/lib/aiprov/runs/{last['run_id']}.json")) as f:
            journal = json.load(f)
        steps = {s["id"]: s["status"] for s in journal["steps"]}
        self.assertEqual(steps["slow"], "changed")
        self.assertEqual(steps["after"], "not run")
        self.assertNoTempFiles(self.tree)
        self.assertIn("SIGTERM received", result.stderr)

    def test_sighup_reloads_the_configuration_without_exiting(self):
        recipe = self.write_recipe("motd.yaml", MOTD)
        self.assertRc(run("apply", recipe, "--root", self.tree, "--yes", "--var",
                          "greeting=managed by aiprov"), 0)
        self.write_in_tree(MOTD_PATH, "changed by hand\n")
        config = self.config([recipe], "report")
        agent = self.start_agent(config)
        self.wait_round(agent, lambda r, _: r["result"] == "drift", "the drift in report mode")

        # a broken configuration is refused and the agent goes on with the one it has
        with open(config, "w") as f:
            f.write(f"recipes: [{recipe}]\nmode: fix-it\n")
        os.kill(agent.pid, signal.SIGHUP)
        wait_for(lambda: "keeping the previous configuration" in self.log(), "the refused reload")
        self.assertIn(f"{config}:2:7: 'mode' expects report or correct", self.log())
        later = self.wait_round(agent, lambda r, rnd: rnd["mode"] == "report", "a round after the refusal",
                                after=self.rounds()[-1]["number"])
        self.assertEqual(read_text(self.tree, MOTD_PATH), "changed by hand\n")

        self.config([recipe], "correct")
        os.kill(agent.pid, signal.SIGHUP)
        self.wait_round(agent, lambda r, rnd: rnd["mode"] == "correct" and r["result"] == "corrected",
                        "a round in correct mode", after=later["number"])
        self.assertEqual(read_text(self.tree, MOTD_PATH), "managed by aiprov\n")
        self.assertIsNone(agent.poll(), "the agent is still running")
        result = self.stop_agent(agent)
        self.assertIn("configuration reloaded: correct mode", result.stderr)


class StartTest(AgentTestCase):
    """(4) a checkpoint left by a reboot step is resumed at start; a run that never ended is reported
    and converged; another run's lock makes a round skip, not fail."""

    def test_checkpoint_is_resumed_at_start(self):
        recipe = self.write_recipe("reboot.yaml", REBOOT)
        stopped = run("apply", recipe, "--root", self.tree, "--yes")
        self.assertRc(stopped, 4)
        checkpoint = in_tree(self.tree, "/var/lib/aiprov/checkpoint.json")
        self.assertTrue(os.path.exists(checkpoint), stopped.describe())
        self.assertFalse(os.path.exists(in_tree(self.tree, "/etc/aiprov-e2e-after.conf")))

        # report mode: resuming is finishing the run `apply` started, whatever the agent's mode
        result = run("agent", "--config", self.config([recipe], "report"), "--root", self.tree, "--once")
        self.assertRc(result, 0)
        self.assertIn("resuming it", result.stderr)
        self.assertFalse(os.path.exists(checkpoint), result.describe())
        self.assertEqual(read_text(self.tree, "/etc/aiprov-e2e-after.conf"), "after the reboot\n")
        self.assertEqual(read_text(self.tree, "/var/lib/aiprov/reboots/reboot-now").strip(), "once")
        # the round after the resume found the recipe converged
        self.assertEqual(self.rounds()[-1]["recipes"][0]["result"], "converged", result.describe())

    def test_a_reboot_step_in_correct_mode_leaves_a_checkpoint_for_the_next_start(self):
        recipe = self.write_recipe("reboot.yaml", REBOOT)
        config = self.config([recipe], "correct")
        first = run("agent", "--config", config, "--root", self.tree, "--once")
        self.assertRc(first, 1)
        last = self.rounds()[-1]["recipes"][0]
        self.assertEqual(last["result"], "reboot pending", first.describe())
        checkpoint = in_tree(self.tree, "/var/lib/aiprov/checkpoint.json")
        with open(checkpoint) as f:
            self.assertEqual(json.load(f)["run_id"], last["run_id"])
        self.assertEqual(read_text(self.tree, "/etc/aiprov-e2e-before.conf"), "before the reboot\n")
        self.assertFalse(os.path.exists(in_tree(self.tree, "/etc/aiprov-e2e-after.conf")))

        # the agent that starts next (after the reboot) goes on from the checkpoint
        second = run("agent", "--config", config, "--root", self.tree, "--once")
        self.assertRc(second, 0)
        self.assertFalse(os.path.exists(checkpoint), second.describe())
        self.assertEqual(read_text(self.tree, "/etc/aiprov-e2e-after.conf"), "after the reboot\n")
        self.assertEqual(self.rounds()[-1]["recipes"][0]["result"], "converged")

    def test_a_run_that_never_ended_is_reported_and_converged(self):
        recipe = self.write_recipe("slow.yaml", SLOW.replace("${pause}", "2"))
        apply = start("apply", recipe, "--root", self.tree, "--yes")
        self.addCleanup(reap, apply)
        wait_for(lambda: os.path.exists(in_tree(self.tree, "/var/lib/aiprov-e2e/slow.started"))
                 or apply.poll() is not None, "the slow step to start")
        self.assertIsNone(apply.poll(), "apply ended before it was killed")
        os.killpg(apply.pid, signal.SIGKILL)  # aiprov dies mid-run, its journal says "running"
        apply.wait(timeout=30)

        result = run("agent", "--config", self.config([recipe], "correct"), "--root", self.tree, "--once")
        self.assertRc(result, 0)
        self.assertIn("never finished", result.stderr)
        self.assertEqual(read_text(self.tree, "/etc/aiprov-e2e-after.conf"), "after the slow step\n")
        self.assertEqual(self.rounds()[-1]["recipes"][0]["result"], "corrected")
        self.assertRc(run("plan", recipe, "--root", self.tree, "--detailed-exitcode"), 0)
        self.assertNoTempFiles(self.tree)

    def test_a_round_skips_a_recipe_while_another_run_holds_the_lock(self):
        recipe = self.write_recipe("motd.yaml", MOTD)
        os.makedirs(in_tree(self.tree, "/run"), exist_ok=True)
        with open(in_tree(self.tree, "/run/aiprov.lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            lock.write("pid 4242 since now: a test holding the lock\n")
            lock.flush()
            result = run("agent", "--config", self.config([recipe], "correct", lock_wait="0"),
                         "--root", self.tree, "--once")
            self.assertRc(result, 5)
            self.assertIn("pid 4242", self.rounds()[-1]["recipes"][0]["message"])
            self.assertFalse(os.path.exists(in_tree(self.tree, MOTD_PATH)), "nothing was applied")
        result = run("agent", "--config", self.config([recipe], "correct", lock_wait="0"),
                     "--root", self.tree, "--once")
        self.assertRc(result, 0)
        self.assertEqual(read_text(self.tree, MOTD_PATH), "managed by aiprov\n")


class NotifyTest(AgentTestCase):
    """(6) READY=1 first, then STATUS=; RELOADING=1 with MONOTONIC_USEC and READY=1 on SIGHUP;
    STOPPING=1 on SIGTERM, all on a datagram socket bound here as systemd's."""

    def test_notifications(self):
        recipe = self.write_recipe("motd.yaml", MOTD)
        path = os.path.join(self.tmp, "notify.sock")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.addCleanup(sock.close)
        sock.bind(path)
        sock.settimeout(STOP_TIMEOUT_S)
        messages = []

        def receive_until(predicate, what):
            while True:
                try:
                    message = sock.recv(4096).decode()
                except socket.timeout:
                    self.fail(f"no {what} on the notify socket; got {messages}")
                messages.append(message)
                if predicate(message):
                    return message

        agent = self.start_agent(self.config([recipe], "report"), env={"NOTIFY_SOCKET": path})
        first = receive_until(lambda m: True, "first message")
        self.assertTrue(first.startswith("READY=1\nSTATUS="), first)
        receive_until(lambda m: m.startswith("STATUS=last round"), "status after a round")

        os.kill(agent.pid, signal.SIGHUP)
        reloading = receive_until(lambda m: m.startswith("RELOADING=1"), "RELOADING=1")
        fields = dict(line.split("=", 1) for line in reloading.splitlines())
        self.assertGreater(int(fields["MONOTONIC_USEC"]), 0)
        ready = receive_until(lambda m: "READY=1" in m, "READY=1 after the reload")
        self.assertIn("STATUS=reloaded", ready)

        os.kill(agent.pid, signal.SIGTERM)
        stopping = receive_until(lambda m: m.startswith("STOPPING=1"), "STOPPING=1")
        self.assertIn("STATUS=stopping (SIGTERM)", stopping)
        self.assertRc(finish(agent, timeout=STOP_TIMEOUT_S), 0)
        self.assertEqual(sum(m.startswith("READY=1") for m in messages), 2, messages)


if __name__ == "__main__":
    unittest.main()
