#!/usr/bin/env python3
"""chat.py - read and write an agentchat daemon's files (python3 standard library only).

Usage: chat.py [--name PERSONA | --daemon-dir DIR] [--home DIR] <command> [options]

Commands (as in the original lib/chat.py; --replay on check/poll/wait and --exit-codes are ours):
  read  [--since N] [--all] [--limit N] [--replay]          show messages, change nothing
  check [--limit N] [--no-update] [--replay]                show unread messages, mark them read
  poll  [--limit N] [--replay]                              like check, prints nothing when idle
  wait  [--interval S] [--timeout S] [--limit N] [--replay] [--exit-codes]
                                                            block until a message arrives
  send  TO CONTENT                                          append {"to","content"} to the outbox
  ts    [VALUE]                                             show last_ts, or show only ts > VALUE from now on

The persona is --name, else $AGENTCHAT_PERSONA, else "default"; its files live in
<home>/.agentchat/daemons/<name>/ where <home> is --home, else $AGENTCHAT_HOME, else the current
directory. --daemon-dir DIR names the directory directly (the original's option). Options may
come before or after the command.

Replayed history ("replay": true) is hidden by read, check, poll and wait, as in the original;
--replay shows it (with its marker). Hidden lines are still marked read. --no-replay (hide them,
the default) is still accepted for older scripts; of the two, the last one given wins. Messages
the daemon recovered after a reconnect carry no replay marker and are shown as new.

Unread messages are tracked by a byte cursor into inbox.jsonl (file chat.cursor), so nothing is
skipped: messages with equal timestamps, messages without a timestamp and more than --limit
unread messages are all shown, oldest first, and the cursor never moves past what was printed.
It follows the daemon's rotation to inbox.jsonl.1. last_ts is still written (the highest ts
printed) for tools that read it. "ts VALUE" sets last_ts and a floor: from then on check, poll,
wait and read show only messages with ts > VALUE (lines without a ts count as 0, as in the
original), re-reading the whole kept inbox once; "ts 0" removes the floor.

Exit status: 0 success, messages printed, or wait ended by its timeout or a stop file (as in the
original); 2 usage error or invalid persona name; 4 persona directory not found.
wait --exit-codes: 1 timed out, 3 stopped by a stop file, 130 interrupted (SIGINT).
Stop files: <persona dir>/stop is consumed by the wait it stops; <home>/.agentchat/stop stops
every waiter of every persona and is never deleted by chat.py.
"""

import argparse
import fcntl
import hashlib
import json
import os
import re
import sys
import time

NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
EXIT_OK, EXIT_TIMEOUT, EXIT_USAGE, EXIT_STOPPED, EXIT_NO_PERSONA = 0, 1, 2, 3, 4
EXIT_INTERRUPTED = 130
INBOX, ROTATED, CURSOR = "inbox.jsonl", "inbox.jsonl.1", "chat.cursor"
HEAD_BYTES = 256  # an inode number can be reused after a rotation deletes a file: the
                  # cursor also records a digest of the file's first bytes, which never change
MAX_CONTENT = 4096


class ChatError(Exception):
    def __init__(self, message, code):
        super().__init__(message)
        self.code = code


def warn(text):
    print("warning: " + text, file=sys.stderr)


# ---------------------------------------------------------------- locations

def persona_dir(args):
    if args.daemon_dir:
        path = os.path.abspath(args.daemon_dir)
        label = path
    else:
        name = args.name or os.environ.get("AGENTCHAT_PERSONA") or "default"
        if not NAME_RE.match(name):
            raise ChatError("Invalid persona name '%s': use 1-64 characters from A-Z a-z 0-9 _ -" % name,
                            EXIT_USAGE)
        home = args.home or os.environ.get("AGENTCHAT_HOME") or os.getcwd()
        path = os.path.join(os.path.abspath(home), ".agentchat", "daemons", name)
        label = "'%s'" % name
    if not os.path.isdir(path):
        raise ChatError("Persona %s not found: %s does not exist (start its daemon first)" % (label, path),
                        EXIT_NO_PERSONA)
    return path


def global_stop_file(pdir):
    # The original's location: <daemon-dir>/../../stop, i.e. .agentchat/stop.
    return os.path.join(os.path.dirname(os.path.dirname(pdir)), "stop")


# ---------------------------------------------------------------- small files

def read_last_ts(pdir):
    path = os.path.join(pdir, "last_ts")
    try:
        with open(path, "r", encoding="utf-8") as f:
            text = f.read().strip()
    except FileNotFoundError:
        return 0
    try:
        return int(text)
    except ValueError:
        try:
            return int(float(text))
        except ValueError:
            warn("ignoring unreadable last_ts %r in %s; using 0" % (text[:40], path))
            return 0


def write_atomic(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def write_last_ts(pdir, value):
    # Decimal, no newline: the original's format.
    write_atomic(os.path.join(pdir, "last_ts"), str(int(value)))


class Cursor:
    """Where chat.py stopped reading, and the floor set by "ts VALUE".

    position is (dev, ino, offset, head) just after the last line passed, or None for "from the
    oldest kept line". Lines whose ts is <= floor are passed without being shown (floor 0: none).
    """
    __slots__ = ("position", "floor")

    def __init__(self, position, floor):
        self.position, self.floor = position, floor


def read_cursor(pdir):
    """The saved cursor. Without one (first run, after "ts VALUE", or coming from the original,
    whose only state was last_ts), start from the oldest kept line with last_ts as the floor."""
    try:
        with open(os.path.join(pdir, CURSOR), "r", encoding="utf-8") as f:
            data = json.load(f)
        position = int(data["dev"]), int(data["ino"]), int(data["offset"]), str(data.get("head", ""))
        return Cursor(position, int(data.get("floor", 0)))  # no floor key: written before floors existed
    except FileNotFoundError:
        pass
    except (ValueError, KeyError, TypeError):
        warn("ignoring unreadable %s; falling back to last_ts" % CURSOR)
    return Cursor(None, read_last_ts(pdir))


def write_cursor(pdir, cursor):
    dev, ino, offset, head = cursor.position
    write_atomic(os.path.join(pdir, CURSOR), json.dumps(
        {"dev": dev, "ino": ino, "offset": offset, "head": head, "floor": cursor.floor}))


class PersonaLock:
    """Serialises chat.py processes of one persona (flock on the directory; no extra file)."""

    def __init__(self, pdir):
        self.pdir = pdir

    def __enter__(self):
        self.fd = os.open(self.pdir, os.O_RDONLY)
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)


# ---------------------------------------------------------------- inbox reading

def head_digest(data):
    return hashlib.sha256(data[:HEAD_BYTES]).hexdigest()[:16]


class Entry:
    __slots__ = ("dev", "ino", "end", "head", "msg")

    def __init__(self, dev, ino, end, head, msg):
        self.dev, self.ino, self.end, self.head, self.msg = dev, ino, end, head, msg

    def position(self):
        return self.dev, self.ino, self.end, self.head


def open_generations(pdir):
    """Open inbox.jsonl.1 and inbox.jsonl consistently; returns [(file, dev, ino)], oldest first."""
    for _ in range(10):
        files = []
        for name in (ROTATED, INBOX):
            try:
                f = open(os.path.join(pdir, name), "rb")
            except FileNotFoundError:
                continue
            st = os.fstat(f.fileno())
            files.append((f, st.st_dev, st.st_ino))
        inodes = [(d, i) for _, d, i in files]
        if len(set(inodes)) == len(inodes):
            return files
        for f, _, _ in files:  # a rotation happened between the two opens; try again
            f.close()
    raise ChatError("inbox keeps rotating; try again", 1)


def entries_after(pdir, cursor):
    """Complete inbox lines after cursor (None = from the oldest kept line), oldest first."""
    files = open_generations(pdir)
    try:
        start_index, start_offset = 0, 0
        if cursor is not None:
            for index, (f, dev, ino) in enumerate(files):
                if (dev, ino) == (cursor[0], cursor[1]) and size_of(f) >= cursor[2] \
                        and head_digest(f.read(min(cursor[2], HEAD_BYTES))) == cursor[3]:
                    start_index, start_offset = index, cursor[2]
                    break
            else:
                warn("the inbox was rotated more than once since the last read; "
                     "continuing from the oldest kept message")
        result = []
        for index in range(start_index, len(files)):
            f, dev, ino = files[index]
            offset = start_offset if index == start_index else 0
            f.seek(0)
            head = f.read(HEAD_BYTES)
            f.seek(offset)
            data = f.read()
            pos = 0
            while True:
                nl = data.find(b"\n", pos)
                if nl < 0:
                    break  # an unterminated last line is not ours yet
                raw = data[pos:nl]
                pos = nl + 1
                end = offset + pos
                result.append(Entry(dev, ino, end, head_digest(head[:min(end, HEAD_BYTES)]), parse(raw)))
        return result
    finally:
        for f, _, _ in files:
            f.close()


def size_of(f):
    return os.fstat(f.fileno()).st_size


def parse(raw):
    if not raw.strip():
        return None
    try:
        value = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        warn("skipping a corrupt inbox line (%d bytes)" % len(raw))
        return None
    return value if isinstance(value, dict) else None


def ts_of(msg):
    ts = msg.get("ts", 0)
    return ts if isinstance(ts, (int, float)) and not isinstance(ts, bool) else 0


def above_floor(msg, floor):
    # Each line is judged by its own ts, never by where it sits: timestamps are not in file
    # order (replays, recovered messages), and a corrupt or ts-less line says nothing about
    # the lines after it. A line without a ts counts as 0, as in the original.
    return floor <= 0 or ts_of(msg) > floor


def select_unread(pdir, limit, keep):
    """Unread messages in file order. Returns (messages to print, cursor after them)."""
    cursor = read_cursor(pdir)
    printed, position = [], cursor.position
    for entry in entries_after(pdir, cursor.position):
        if limit and len(printed) >= limit:
            break  # never move past what was printed
        position = entry.position()  # hidden and corrupt lines are passed for good
        if entry.msg is not None and above_floor(entry.msg, cursor.floor) and keep(entry.msg):
            printed.append(entry.msg)
    return printed, Cursor(position, cursor.floor)


def consume(pdir, limit, keep, update=True):
    with PersonaLock(pdir):
        printed, cursor = select_unread(pdir, limit, keep)
        if update and cursor.position is not None:
            write_cursor(pdir, cursor)
            newest = max([ts_of(m) for m in printed] or [0])
            if newest > read_last_ts(pdir):
                write_last_ts(pdir, newest)
    return printed


def emit(messages):
    for msg in messages:
        print(json.dumps(msg))
    sys.stdout.flush()


def keep_rule(args, hide_server=False):
    hide_replay = not args.replay

    def keep(msg):
        if hide_replay and msg.get("replay") is True:
            return False
        if hide_server and msg.get("from") == "@server":
            return False
        return True
    return keep


def remove_newdata(pdir):
    try:
        os.remove(os.path.join(pdir, "newdata"))
    except FileNotFoundError:
        pass


# ---------------------------------------------------------------- commands

def cmd_read(args, pdir):
    if args.since is None and not args.all:
        printed, _ = select_unread(pdir, args.limit, keep_rule(args))
        emit(printed)
        return EXIT_OK
    # History view, as the original: ts filter, sorted by ts, the last --limit; changes nothing.
    msgs = [e.msg for e in entries_after(pdir, None) if e.msg is not None]
    if not args.all:
        msgs = [m for m in msgs if ts_of(m) > args.since]
    msgs = [m for m in msgs if keep_rule(args)(m)]
    msgs.sort(key=ts_of)
    if args.limit:
        msgs = msgs[-args.limit:]
    emit(msgs)
    return EXIT_OK


def cmd_check(args, pdir):
    printed = consume(pdir, args.limit, keep_rule(args), update=not args.no_update)
    if printed:
        emit(printed)
    else:
        print("No new messages", file=sys.stderr)
    return EXIT_OK


def cmd_poll(args, pdir):
    remove_newdata(pdir)  # before reading: a message landing meanwhile re-creates it
    emit(consume(pdir, args.limit, keep_rule(args)))
    return EXIT_OK


def stopped(pdir):
    if os.path.exists(global_stop_file(pdir)):
        return True  # shared by every persona: never consumed here
    try:
        os.remove(os.path.join(pdir, "stop"))
        return True
    except FileNotFoundError:
        return False


def inbox_state(pdir):
    try:
        st = os.stat(os.path.join(pdir, INBOX))
        return st.st_dev, st.st_ino, st.st_size
    except FileNotFoundError:
        return None


def wait_for_messages(args, pdir):
    """Print the first unread messages to arrive. Returns EXIT_OK, EXIT_STOPPED or EXIT_TIMEOUT.
    Lines it hides (replays, @server) are marked read and it keeps waiting."""
    deadline = time.monotonic() + max(0.0, args.timeout)
    tick = max(0.01, min(args.interval, 0.1))
    keep = keep_rule(args, hide_server=True)
    seen = object()
    while True:
        if stopped(pdir):
            return EXIT_STOPPED
        state = inbox_state(pdir)
        if state != seen:  # only re-read when the inbox changed (cheap stat per tick)
            seen = state
            remove_newdata(pdir)
            printed = consume(pdir, args.limit, keep)
            if printed:
                emit(printed)
                return EXIT_OK
        if time.monotonic() >= deadline:
            return EXIT_TIMEOUT
        time.sleep(tick)


def cmd_wait(args, pdir):
    # Agents allow-list "chat.py wait" and read any non-zero status as a failure, so a timeout,
    # a stop file and Ctrl-C all end it with 0 and no output, as in the original; --exit-codes
    # tells them apart for scripts.
    try:
        code = wait_for_messages(args, pdir)
    except KeyboardInterrupt:
        code = EXIT_INTERRUPTED
    return code if args.exit_codes else EXIT_OK


def cmd_send(args, pdir):
    if not (args.to.startswith("#") or args.to.startswith("@")) or len(args.to) < 2:
        raise ChatError("target must be #channel or @agent: %s" % args.to, EXIT_USAGE)
    if not args.content:
        raise ChatError("content is empty", EXIT_USAGE)
    if len(args.content.encode("utf-16-le")) // 2 > MAX_CONTENT:
        raise ChatError("content too long (max %d chars)" % MAX_CONTENT, EXIT_USAGE)
    line = (json.dumps({"to": args.to, "content": args.content}) + "\n").encode("utf-8")
    fd = os.open(os.path.join(pdir, "outbox.jsonl"), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        written = os.write(fd, line)  # one write on O_APPEND: never interleaves with other writers
        if written != len(line):
            raise ChatError("short write to outbox (%d of %d bytes)" % (written, len(line)), 1)
    finally:
        os.close(fd)
    print("Sent to %s" % args.to)
    return EXIT_OK


def cmd_ts(args, pdir):
    if args.value is None:
        print(read_last_ts(pdir))
        return EXIT_OK
    with PersonaLock(pdir):
        write_last_ts(pdir, args.value)
        try:
            # Without a cursor the next read starts at the oldest kept line with last_ts as its
            # floor (read_cursor), and the cursor it writes keeps that floor from then on.
            os.remove(os.path.join(pdir, CURSOR))
        except FileNotFoundError:
            pass
    print("Set last_ts to %d" % args.value)
    return EXIT_OK


# ---------------------------------------------------------------- arguments

def add_common(parser, suppress):
    kw = {"default": argparse.SUPPRESS} if suppress else {"default": None}
    parser.add_argument("--daemon-dir", metavar="DIR", help="persona directory (overrides --name/--home)", **kw)
    parser.add_argument("--name", metavar="PERSONA", help="persona name (env AGENTCHAT_PERSONA, default 'default')",
                        **kw)
    parser.add_argument("--home", metavar="DIR", help="directory holding .agentchat (env AGENTCHAT_HOME, default cwd)",
                        **kw)


def build_parser():
    parser = argparse.ArgumentParser(
        prog="chat.py", description="Read and write an agentchat daemon's files.",
        epilog="replayed history (\"replay\": true) is hidden unless --replay is given. "
               "exit status: 0 ok (also when wait times out or is stopped), 2 usage, 4 no such persona; "
               "wait --exit-codes: 1 timed out, 3 stopped, 130 interrupted")
    add_common(parser, False)
    sub = parser.add_subparsers(dest="command", metavar="{read,check,poll,wait,send,ts}")
    sub.required = True

    def command(name, help_text):
        p = sub.add_parser(name, help=help_text)
        add_common(p, True)
        return p

    def limit(p):
        p.add_argument("--limit", type=int, default=50, help="at most N messages, oldest first (0 = all)")

    def replay(p):
        # One destination for both flags: the last one given wins.
        p.add_argument("--replay", dest="replay", action="store_true", default=False,
                       help="also show replayed history (\"replay\": true)")
        p.add_argument("--no-replay", dest="replay", action="store_false",
                       help="hide replayed history (the default; kept for older scripts)")

    p = command("read", "show messages without marking them read")
    p.add_argument("--since", type=int, default=None, help="messages with ts > N (history view)")
    p.add_argument("--all", action="store_true", help="every kept message (history view)")
    limit(p)
    replay(p)
    p.set_defaults(func=cmd_read)

    p = command("check", "show unread messages and mark them read")
    p.add_argument("--no-update", action="store_true", help="do not mark them read")
    limit(p)
    replay(p)
    p.set_defaults(func=cmd_check)

    p = command("poll", "like check, silent when there is nothing new")
    limit(p)
    replay(p)
    p.set_defaults(func=cmd_poll)

    p = command("wait", "wait for a message (not from @server)")
    p.add_argument("--interval", type=float, default=2.0, help="longest pause between checks (capped at 0.1 s)")
    p.add_argument("--timeout", type=float, default=300.0, help="give up after S seconds (exit 0, no output)")
    limit(p)
    replay(p)
    p.add_argument("--exit-codes", action="store_true",
                   help="exit 1 on timeout, 3 when stopped by a stop file, 130 on SIGINT (default: 0)")
    p.set_defaults(func=cmd_wait)

    p = command("send", "append a message to the outbox")
    p.add_argument("to", help="#channel or @agent")
    p.add_argument("content", help="message text")
    p.set_defaults(func=cmd_send)

    p = command("ts", "show last_ts, or set it: from then on show only messages with ts > VALUE")
    p.add_argument("value", type=int, nargs="?", default=None,
                   help="re-read the kept inbox showing only ts > VALUE, now and later (0: no floor)")
    p.set_defaults(func=cmd_ts)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        pdir = persona_dir(args)
        return args.func(args, pdir)
    except ChatError as e:
        print("Error: %s" % e, file=sys.stderr)
        return e.code
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
