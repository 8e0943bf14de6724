"""Tests for helpers/chat.py: real files in temporary directories, chat.py run as a process.

FakeDaemon writes the inbox the way io.agentchat.daemon.InboxWriter does (one write per line on
an O_APPEND descriptor, newdata touched, rotation by renaming inbox.jsonl to inbox.jsonl.1), so
RealDaemonTest runs chat.py against the real daemon and server (the packaged jar).
Run: python3 -m unittest discover -s helpers -p 'test_*.py'
"""

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest

CHAT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "chat.py")


class FakeDaemon:
    def __init__(self, home, name="default"):
        self.dir = os.path.join(home, ".agentchat", "daemons", name)
        os.makedirs(self.dir, exist_ok=True)
        self.inbox = os.path.join(self.dir, "inbox.jsonl")

    def frame(self, content, ts, sender="@peer", **extra):
        msg = {"type": "MSG", "ts": ts, "from": sender, "to": "#general", "content": content}
        msg.update(extra)
        self.raw(json.dumps(msg, separators=(",", ":")) + "\n")

    def raw(self, text):
        fd = os.open(self.inbox, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, text.encode("utf-8"))
        finally:
            os.close(fd)
        with open(os.path.join(self.dir, "newdata"), "w") as f:
            f.write(str(int(time.time() * 1000)))

    def rotate(self):
        os.replace(self.inbox, self.inbox + ".1")

    def file(self, name):
        return os.path.join(self.dir, name)


class ChatTestCase(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.home = self.tmp.name
        self.daemon = FakeDaemon(self.home)
        self.env = dict(os.environ)
        self.env["AGENTCHAT_HOME"] = self.home
        self.env.pop("AGENTCHAT_PERSONA", None)

    def tearDown(self):
        self.tmp.cleanup()

    def chat(self, *args, env=None, cwd=None):
        proc = subprocess.run([sys.executable, CHAT] + list(args), capture_output=True, text=True,
                              env=env or self.env, cwd=cwd or self.home, timeout=60)
        return proc.returncode, proc.stdout, proc.stderr

    def contents(self, stdout):
        return [json.loads(line)["content"] for line in stdout.splitlines() if line.strip()]

    def start_wait(self, *args):
        return subprocess.Popen([sys.executable, CHAT, "wait"] + list(args), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=self.env, cwd=self.home)

    def until(self, condition, what, timeout=20):
        """Polls condition with a deadline (no fixed sleeps)."""
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                self.fail("timed out waiting for " + what)
            time.sleep(0.02)

    def cursor_at_end_of_inbox(self):
        """True once chat.py has passed every line of inbox.jsonl (it wrote chat.cursor there)."""
        try:
            with open(self.daemon.file("chat.cursor")) as f:
                offset = json.load(f)["offset"]
        except (FileNotFoundError, ValueError):
            return False
        return offset == os.path.getsize(self.daemon.inbox)


class SendTest(ChatTestCase):
    def test_send_appends_one_line_in_the_original_format(self):
        rc, out, _ = self.chat("send", "#general", "hello \u00e9")
        self.assertEqual((0, "Sent to #general\n"), (rc, out))
        with open(self.daemon.file("outbox.jsonl"), encoding="utf-8") as f:
            self.assertEqual('{"to": "#general", "content": "hello \\u00e9"}\n', f.read())

    def test_send_refuses_what_the_daemon_would_reject(self):
        self.assertEqual(2, self.chat("send", "general", "x")[0])
        self.assertEqual(2, self.chat("send", "#general", "")[0])
        self.assertEqual(2, self.chat("send", "#general", "y" * 4097)[0])
        self.assertFalse(os.path.exists(self.daemon.file("outbox.jsonl")))

    def test_unknown_persona_is_an_error_naming_the_path(self):
        rc, _, err = self.chat("send", "#general", "x", "--name", "nobody")
        self.assertEqual(4, rc)
        self.assertIn(os.path.join(self.home, ".agentchat", "daemons", "nobody"), err)
        rc, _, err = self.chat("--daemon-dir", os.path.join(self.home, "missing"), "check")
        self.assertEqual(4, rc)

    def test_invalid_persona_name_is_a_usage_error(self):
        rc, _, err = self.chat("check", "--name", "../../escaped")
        self.assertEqual(2, rc)
        self.assertIn("Invalid persona name", err)


class CursorTest(ChatTestCase):
    def test_check_prints_the_oldest_n_and_never_skips_the_rest(self):
        for i in range(1, 61):
            self.daemon.frame("LIM-%d" % i, 1000 + i)
        rc, out, _ = self.chat("check")
        self.assertEqual(["LIM-%d" % i for i in range(1, 51)], self.contents(out))
        rc, out, _ = self.chat("check")
        self.assertEqual(["LIM-%d" % i for i in range(51, 61)], self.contents(out))
        rc, out, err = self.chat("check")
        self.assertEqual((0, "", "No new messages\n"), (rc, out, err))
        with open(self.daemon.file("last_ts")) as f:
            self.assertEqual("1060", f.read())

    def test_same_millisecond_and_missing_ts_are_not_lost(self):
        self.daemon.frame("a", 5)
        self.chat("check")
        self.daemon.frame("b", 5)
        self.daemon.raw('{"type":"MSG","from":"@x","to":"#general","content":"no-ts"}\n')
        rc, out, _ = self.chat("check")
        self.assertEqual(["b", "no-ts"], self.contents(out))

    def test_output_is_reserialised_by_python_like_the_original(self):
        self.daemon.raw('{"type":"MSG","ts":1,"from":"@a","to":"#general","content":"caf\u00e9"}\n')
        rc, out, _ = self.chat("check")
        self.assertEqual('{"type": "MSG", "ts": 1, "from": "@a", "to": "#general", "content": "caf\\u00e9"}\n', out)

    def test_a_partial_last_line_waits_for_its_newline(self):
        self.daemon.frame("whole", 1)
        self.daemon.raw('{"type":"MSG","ts":2,"from":"@a","to":"#general","content":"ha')
        rc, out, _ = self.chat("check")
        self.assertEqual(["whole"], self.contents(out))
        self.daemon.raw('lf"}\n')
        rc, out, _ = self.chat("check")
        self.assertEqual(["half"], self.contents(out))

    def test_the_cursor_follows_a_rotation(self):
        for i in range(5):
            self.daemon.frame("old-%d" % i, 100 + i)
        self.assertEqual(5, len(self.contents(self.chat("check")[1])))
        for i in range(3):
            self.daemon.frame("before-rotation-%d" % i, 200 + i)
        self.daemon.rotate()
        for i in range(2):
            self.daemon.frame("after-rotation-%d" % i, 300 + i)
        rc, out, _ = self.chat("check")
        self.assertEqual(["before-rotation-0", "before-rotation-1", "before-rotation-2",
                          "after-rotation-0", "after-rotation-1"], self.contents(out))

    def test_two_rotations_behind_continue_from_the_oldest_kept_line_with_a_warning(self):
        self.daemon.frame("seen", 1)
        self.chat("check")
        self.daemon.frame("lost", 2)
        self.daemon.rotate()
        self.daemon.frame("kept-1", 3)
        self.daemon.rotate()
        self.daemon.frame("kept-2", 4)
        rc, out, err = self.chat("check")
        self.assertEqual(["kept-1", "kept-2"], self.contents(out))
        self.assertIn("rotated more than once", err)

    def test_an_existing_last_ts_is_honoured_when_there_is_no_cursor_yet(self):
        for i in range(1, 6):
            self.daemon.frame("m%d" % i, i)
        with open(self.daemon.file("last_ts"), "w") as f:
            f.write("3")
        rc, out, _ = self.chat("check")
        self.assertEqual(["m4", "m5"], self.contents(out))


class ReplayTest(ChatTestCase):
    """Replayed history ("replay": true) is hidden unless --replay is given, as in the original."""

    def history_then_live(self, tag, seq):
        self.daemon.frame("history-" + tag, 1, replay=True, seq=seq, epoch="E1")
        self.daemon.frame("live-" + tag, 2, seq=seq + 1, epoch="E1")

    def test_read_hides_replays_unless_asked(self):
        self.history_then_live("a", 1)
        for view in ([], ["--all"], ["--since", "0"]):
            self.assertEqual(["live-a"], self.contents(self.chat("read", *view)[1]), view)
            self.assertEqual(["live-a"], self.contents(self.chat("read", "--no-replay", *view)[1]), view)
            rc, out, _ = self.chat("read", "--replay", *view)
            self.assertEqual(["history-a", "live-a"], self.contents(out), view)
            self.assertIs(True, json.loads(out.splitlines()[0])["replay"])
        self.assertEqual(["live-a"], self.contents(self.chat("read", "--replay", "--no-replay")[1]))

    def test_check_hides_replays_unless_asked_and_passes_them_for_good(self):
        self.history_then_live("a", 1)
        self.assertEqual((0, ["live-a"]), (lambda r: (r[0], self.contents(r[1])))(self.chat("check")))
        self.assertEqual(("", "No new messages\n"), self.chat("check", "--replay")[1:])
        self.history_then_live("b", 3)
        rc, out, _ = self.chat("check", "--replay")
        self.assertEqual(["history-b", "live-b"], self.contents(out))
        self.assertIs(True, json.loads(out.splitlines()[0])["replay"])
        self.history_then_live("c", 5)
        self.assertEqual(["live-c"], self.contents(self.chat("check", "--no-replay")[1]))

    def test_poll_hides_replays_unless_asked(self):
        self.history_then_live("a", 1)
        self.assertEqual(["live-a"], self.contents(self.chat("poll")[1]))
        self.assertEqual((0, ""), self.chat("poll", "--replay")[:2])
        self.history_then_live("b", 3)
        self.assertEqual(["history-b", "live-b"], self.contents(self.chat("poll", "--replay")[1]))

    def test_wait_keeps_waiting_while_only_replays_arrive(self):
        self.daemon.frame("history-1", 1, replay=True, seq=1, epoch="E1")
        self.assertEqual((0, ""), self.chat("wait", "--timeout", "0.3")[:2])
        self.assertEqual((0, ""), self.chat("poll", "--replay")[:2])  # passed for good
        proc = self.start_wait("--timeout", "30")
        try:
            self.daemon.frame("history-2", 1, replay=True, seq=2, epoch="E1")
            self.until(self.cursor_at_end_of_inbox, "wait to pass the replayed line")
            self.daemon.frame("live", 2, seq=3, epoch="E1")
            out, _ = proc.communicate(timeout=30)
        finally:
            proc.kill()
            proc.communicate()
        self.assertEqual((0, ["live"]), (proc.returncode, self.contents(out)))

    def test_wait_shows_replays_when_asked(self):
        self.daemon.frame("history-1", 1, replay=True, seq=1, epoch="E1")
        rc, out, _ = self.chat("wait", "--replay", "--timeout", "5")
        self.assertEqual((0, ["history-1"]), (rc, self.contents(out)))

    def test_check_shows_each_recovered_message_once_and_hides_replays(self):
        self.daemon.frame("seen-1", 100, seq=1, epoch="E1")
        self.assertEqual(["seen-1"], self.contents(self.chat("check")[1]))
        # Reconnect: the join replays history, then the daemon writes what it recovered from the
        # gap as ordinary lines (no replay marker), two of them in the same millisecond.
        self.daemon.frame("seen-1", 100, replay=True, seq=1, epoch="E1")
        self.daemon.frame("before-join", 150, replay=True, seq=2, epoch="E1")
        self.daemon.frame("recovered-3", 200, seq=3, epoch="E1")
        self.daemon.frame("recovered-4", 200, seq=4, epoch="E1")
        rc, out, _ = self.chat("check")
        self.assertEqual((0, ["recovered-3", "recovered-4"]), (rc, self.contents(out)))
        self.assertNotIn("replay", json.loads(out.splitlines()[0]))
        self.assertEqual((0, "", "No new messages\n"), self.chat("check"))
        self.assertEqual((0, ""), self.chat("poll")[:2])


class ReadAndTsTest(ChatTestCase):
    def test_read_changes_nothing_and_since_zero_is_honoured(self):
        for i in range(1, 4):
            self.daemon.frame("r%d" % i, i)
        with open(self.daemon.file("last_ts"), "w") as f:
            f.write("3")
        rc, out, _ = self.chat("read", "--since", "0")
        self.assertEqual(["r1", "r2", "r3"], self.contents(out))
        rc, out, _ = self.chat("read", "--since", "1", "--limit", "1")
        self.assertEqual(["r3"], self.contents(out))
        self.assertFalse(os.path.exists(self.daemon.file("chat.cursor")))
        with open(self.daemon.file("last_ts")) as f:
            self.assertEqual("3", f.read())

    def test_read_all_includes_lines_without_ts(self):
        self.daemon.raw('{"type":"MSG","from":"@x","to":"#general","content":"no-ts"}\n')
        rc, out, _ = self.chat("read", "--all")
        self.assertEqual(["no-ts"], self.contents(out))

    def test_ts_shows_sets_and_rewinds(self):
        self.assertEqual("0\n", self.chat("ts")[1])
        self.daemon.frame("a", 10)
        self.daemon.frame("b", 20)
        self.chat("check")
        self.assertEqual("20\n", self.chat("ts")[1])
        self.assertEqual((0, "Set last_ts to 10\n", ""), self.chat("ts", "10"))
        self.assertEqual(["b"], self.contents(self.chat("check")[1]))
        self.chat("ts", "0")
        self.assertEqual(["a", "b"], self.contents(self.chat("check")[1]))
        self.assertEqual(2, self.chat("ts", "abc")[0])

    def test_ts_value_shows_only_newer_messages_from_then_on(self):
        for ts in (10, 20, 30):
            self.daemon.frame("m%d" % ts, ts)
        self.assertEqual((0, "Set last_ts to 20\n", ""), self.chat("ts", "20"))
        self.assertEqual(["m30"], self.contents(self.chat("read")[1]))
        self.assertEqual(["m30"], self.contents(self.chat("check")[1]))
        # Later lines are judged by their own ts, not by where they sit in the file.
        self.daemon.frame("late-15", 15)
        self.daemon.frame("m40", 40)
        self.daemon.frame("late-20", 20)
        self.daemon.frame("m40-again", 40)
        self.assertEqual(["m40", "m40-again"], self.contents(self.chat("poll")[1]))
        self.assertEqual("40\n", self.chat("ts")[1])
        self.chat("ts", "0")  # no floor: everything kept, in file order
        self.assertEqual(["m10", "m20", "m30", "late-15", "m40", "late-20", "m40-again"],
                         self.contents(self.chat("check")[1]))

    def test_ts_far_ahead_hides_older_messages_behind_corrupt_lines_and_a_rotation(self):
        self.daemon.frame("old-1", 1)
        self.daemon.raw("GARBAGE\n")
        self.daemon.rotate()
        self.daemon.raw('{"type":"MSG","from":"@x","to":"#general","content":"no-ts"}\n')
        self.daemon.raw("[1,2]\n")
        self.daemon.frame("old-2", 2)
        self.chat("ts", "999999999999999")
        self.assertEqual((0, ""), self.chat("wait", "--timeout", "0.3")[:2])
        self.assertEqual([], self.contents(self.chat("read")[1]))
        # Newer messages are all shown, including two in the same millisecond; one exactly at
        # the floor is not newer.
        self.daemon.frame("new-1", 1000000000000000)
        self.daemon.frame("at-floor", 999999999999999)
        self.daemon.frame("new-2", 1000000000000000)
        rc, out, _ = self.chat("wait", "--timeout", "5")
        self.assertEqual((0, ["new-1", "new-2"]), (rc, self.contents(out)))
        self.assertEqual((0, ""), self.chat("poll")[:2])

    def test_a_corrupt_last_ts_is_a_warning_not_a_crash(self):
        self.daemon.frame("a", 10)
        with open(self.daemon.file("last_ts"), "w") as f:
            f.write("garbage")
        rc, out, err = self.chat("ts")
        self.assertEqual((0, "0\n"), (rc, out))
        self.assertIn("last_ts", err)
        rc, out, err = self.chat("check")
        self.assertEqual((0, ["a"]), (rc, self.contents(out)))

    def test_options_work_before_and_after_the_command_and_from_the_environment(self):
        bob = FakeDaemon(self.home, "bob")
        bob.frame("for bob", 1)
        self.assertEqual(["for bob"], self.contents(self.chat("--name", "bob", "read", "--all")[1]))
        self.assertEqual(["for bob"], self.contents(self.chat("read", "--all", "--name", "bob")[1]))
        env = dict(self.env, AGENTCHAT_PERSONA="bob")
        self.assertEqual(["for bob"], self.contents(self.chat("read", "--all", env=env)[1]))
        other = tempfile.mkdtemp(dir=self.home)
        self.assertEqual(["for bob"], self.contents(
            self.chat("read", "--all", "--name", "bob", "--home", self.home, cwd=other)[1]))
        self.assertEqual(["for bob"], self.contents(self.chat("--daemon-dir", bob.dir, "read", "--all")[1]))
        self.assertEqual(["for bob"], self.contents(self.chat("read", "--all", "--daemon-dir", bob.dir)[1]))


class PollAndWaitTest(ChatTestCase):
    def test_poll_prints_new_lines_and_clears_newdata(self):
        self.daemon.frame("p1", 1)
        rc, out, _ = self.chat("poll")
        self.assertEqual(["p1"], self.contents(out))
        self.assertFalse(os.path.exists(self.daemon.file("newdata")))
        self.assertEqual((0, ""), self.chat("poll")[:2])
        # A message whose newdata was already removed is still found: the cursor, not the
        # semaphore, decides (no lost wake-up).
        self.daemon.frame("p2", 2)
        os.remove(self.daemon.file("newdata"))
        self.assertEqual(["p2"], self.contents(self.chat("poll")[1]))

    def test_wait_times_out_with_status_0_and_skips_server_chatter(self):
        self.daemon.frame("Welcome to #general", 1, sender="@server")
        start = time.monotonic()
        rc, out, _ = self.chat("wait", "--timeout", "0.5")
        self.assertEqual((0, ""), (rc, out))
        self.assertLess(time.monotonic() - start, 10)
        self.assertEqual((1, ""), self.chat("wait", "--timeout", "0.2", "--exit-codes")[:2])
        self.daemon.frame("real", 2)
        self.assertEqual((0, ["real"]), (lambda r: (r[0], self.contents(r[1])))(self.chat("wait", "--timeout", "5")))

    def test_wait_returns_as_soon_as_a_message_lands(self):
        proc = subprocess.Popen([sys.executable, CHAT, "wait", "--timeout", "30"], stdout=subprocess.PIPE,
                                text=True, env=self.env, cwd=self.home)
        try:
            time.sleep(0.5)  # let it start and settle into its loop
            landed = time.monotonic()
            self.daemon.frame("now", 1)
            out, _ = proc.communicate(timeout=30)
            latency = time.monotonic() - landed
        finally:
            proc.kill()
        self.assertEqual(0, proc.returncode)
        self.assertEqual(["now"], self.contents(out))
        self.assertLess(latency, 1.0, "wait took %.2f s after the message landed" % latency)

    def test_the_persona_stop_file_is_consumed_and_ends_wait_with_0(self):
        open(self.daemon.file("stop"), "w").close()
        start = time.monotonic()
        self.assertEqual((0, ""), self.chat("wait", "--timeout", "30")[:2])
        self.assertLess(time.monotonic() - start, 20)  # the stop file, not the timeout
        self.assertFalse(os.path.exists(self.daemon.file("stop")))
        open(self.daemon.file("stop"), "w").close()
        self.assertEqual((3, ""), self.chat("wait", "--timeout", "30", "--exit-codes")[:2])
        self.assertFalse(os.path.exists(self.daemon.file("stop")))
        self.assertEqual(1, self.chat("wait", "--timeout", "0.2", "--exit-codes")[0])

    def test_the_global_stop_file_stops_every_persona_and_stays(self):
        FakeDaemon(self.home, "bob")
        stop = os.path.join(self.home, ".agentchat", "stop")
        open(stop, "w").close()
        for extra, expected in (([], [0, 0]), (["--exit-codes"], [3, 3])):
            procs = [subprocess.Popen([sys.executable, CHAT, "wait", "--timeout", "30", "--name", name] + extra,
                                      env=self.env, cwd=self.home) for name in ("default", "bob")]
            start = time.monotonic()
            codes = [p.wait(timeout=60) for p in procs]
            self.assertEqual(expected, codes, extra)
            self.assertLess(time.monotonic() - start, 20)  # the stop file, not the timeout
            self.assertTrue(os.path.exists(stop))

    def test_an_interrupted_wait_exits_0_as_the_original(self):
        for extra, expected in (([], 0), (["--exit-codes"], 130)):
            self.daemon.frame("Welcome", 1, sender="@server")  # hidden by wait, so it passes it
            proc = self.start_wait("--timeout", "30", *extra)
            try:
                self.until(self.cursor_at_end_of_inbox, "wait to read the inbox")
                proc.send_signal(signal.SIGINT)
                out, _ = proc.communicate(timeout=30)
            finally:
                proc.kill()
                proc.communicate()
            self.assertEqual((expected, ""), (proc.returncode, out), extra)


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


JAR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "daemon", "target", "agentchat.jar")


@unittest.skipUnless(os.path.isfile(JAR), "needs daemon/target/agentchat.jar (mvn package)")
class RealDaemonTest(ChatTestCase):
    """chat.py against the real daemon and server (the jar built by mvn package)."""

    def setUp(self):
        super().setUp()
        self.procs = []
        server = self.spawn(["serve", "-p", "0", "-H", "127.0.0.1", "--rate-limit-ms", "0"])
        line = server.stdout.readline()  # "AgentChat server running on ws://127.0.0.1:<port>"
        self.assertIn("running on ws://", line)
        self.url = line.strip().split(" on ", 1)[1]
        self.daemon_proc = self.spawn(["daemon", self.url, "--name", "default", "--rate-limit-ms", "0"])
        log = os.path.join(self.daemon.dir, "daemon.log")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if os.path.exists(log) and "] [INFO] Daemon started" in read(log):
                break
            time.sleep(0.1)
        else:
            self.fail("daemon did not start: " + (read(log) if os.path.exists(log) else "no log"))

    def spawn(self, args):
        proc = subprocess.Popen(["java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", JAR] + args,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=self.env,
                                cwd=self.home)
        self.procs.append(proc)
        return proc

    def tearDown(self):
        for proc in reversed(self.procs):
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        for proc in self.procs:
            proc.stdout.close()
        super().tearDown()

    def test_send_goes_out_and_wait_sees_the_echo_then_sigterm_is_clean(self):
        rc, out, _ = self.chat("send", "#general", "hello from chat.py")
        self.assertEqual((0, "Sent to #general\n"), (rc, out))
        rc, out, _ = self.chat("wait", "--timeout", "20")
        self.assertEqual(0, rc)
        self.assertEqual(["hello from chat.py"], self.contents(out))
        self.assertEqual(0, self.chat("ts")[0])
        rc, out, err = self.chat("send", "#nosuch", "refused")
        self.assertEqual(0, rc)
        rejected = os.path.join(self.daemon.dir, "outbox.rejected.jsonl")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not os.path.exists(rejected):
            time.sleep(0.1)
        self.assertIn("server: Channel #nosuch not found", read(rejected))
        self.daemon_proc.terminate()
        self.assertEqual(0, self.daemon_proc.wait(timeout=20))
        self.assertFalse(os.path.exists(os.path.join(self.daemon.dir, "daemon.pid")))


if __name__ == "__main__":
    unittest.main()
