#!/usr/bin/env python3
"""chat.py - read and write an agentchat daemon's files (python3 standard library only).

Usage: chat.py [--name PERSONA | --daemon-dir DIR] [--home DIR] <command> [options]

Commands (as in the original lib/chat.py):
  read  [--since N] [--all] [--limit N] [--replay | --no-replay]   show messages, change nothing
  check [--limit N] [--no-update] [--no-replay]                    show unread messages, mark them read
  poll  [--limit N] [--no-replay]                                  like check, prints nothing when idle
  wait  [--interval S] [--timeout S] [--limit N] [--no-replay]     block until a message arrives
  send  TO CONTENT                                                 append {"to","content"} to the outbox
  ts    [VALUE]                                                    show or set last_ts

The persona is --name, else $AGENTCHAT_PERSONA, else "default"; its files live in
<home>/.agentchat/daemons/<name>/ where <home> is --home, else $AGENTCHAT_HOME, else the current
directory. --daemon-dir DIR names the directory directly (the original's option). Options may
come before or after the command.

Unread messages are tracked by a byte cursor into inbox.jsonl (file chat.cursor: device, inode,
offset), so nothing is skipped: messages with equal timestamps, messages without a timestamp and
more than --limit unread messages are all shown, oldest first, and the cursor never moves past
what was printed. It follows the daemon's rotation to inbox.jsonl.1. last_ts is still written
for tools that read it; "ts VALUE" rewinds the cursor to the first message newer than VALUE.
Replayed history ("replay": true) is shown and keeps its marker; --no-replay hides it.

Exit status: 0 success or messages printed, 1 wait timed out, 2 usage error or invalid persona
name, 3 wait stopped by a stop file, 4 persona directory not found.
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


def read_cursor(pdir):
    try:
        with open(os.path.join(pdir, CURSOR), "r", encoding="utf-8") as f:
            data = json.load(f)
        return int(data["dev"]), int(data["ino"]), int(data["offset"]), str(data.get("head", ""))
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError):
        warn("ignoring unreadable %s; falling back to last_ts" % CURSOR)
        return None


def write_cursor(pdir, cursor):
    dev, ino, offset, head = cursor
    write_atomic(os.path.join(pdir, CURSOR), json.dumps({"dev": dev, "ino": ino, "offset": offset, "head": head}))


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


def initial_entries(pdir):
    """No cursor yet: every kept line except the leading ones already covered by last_ts
    (migrating from the original, whose only state was last_ts). Returns (entries, position)."""
    since = read_last_ts(pdir)
    entries = entries_after(pdir, None)
    position, skip = None, 0
    if since > 0:
        for entry in entries:
            if entry.msg is None or "ts" not in entry.msg or ts_of(entry.msg) > since:
                break
            position, skip = entry.position(), skip + 1
    return entries[skip:], position


def select_unread(pdir, limit, keep):
    """Unread entries in order. Returns (printed messages, new cursor or None if unchanged)."""
    cursor = read_cursor(pdir)
    if cursor is None:
        entries, cursor = initial_entries(pdir)
    else:
        entries = entries_after(pdir, cursor)
    printed, new_cursor = [], cursor
    for entry in entries:
        if limit and len(printed) >= limit:
            break  # never move past what was printed
        new_cursor = entry.position()
        if entry.msg is not None and keep(entry.msg):
            printed.append(entry.msg)
    return printed, new_cursor


def consume(pdir, limit, keep, update=True):
    with PersonaLock(pdir):
        printed, cursor = select_unread(pdir, limit, keep)
        if update and cursor is not None:
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
    hide_replay = getattr(args, "no_replay", False)

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


def cmd_wait(args, pdir):
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
            os.remove(os.path.join(pdir, CURSOR))  # re-derived from last_ts by the next read
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
    parser = argparse.ArgumentParser(prog="chat.py", description="Read and write an agentchat daemon's files.",
                                     epilog="exit status: 0 ok, 1 wait timeout, 2 usage, 3 stopped, 4 no such persona")
    add_common(parser, False)
    sub = parser.add_subparsers(dest="command", metavar="{read,check,poll,wait,send,ts}")
    sub.required = True

    def command(name, help_text):
        p = sub.add_parser(name, help=help_text)
        add_common(p, True)
        return p

    def limit(p):
        p.add_argument("--limit", type=int, default=50, help="at most N messages, oldest first (0 = all)")

    def no_replay(p):
        p.add_argument("--no-replay", action="store_true", help="hide replayed history")

    p = command("read", "show messages without marking them read")
    p.add_argument("--since", type=int, default=None, help="messages with ts > N (history view)")
    p.add_argument("--all", action="store_true", help="every kept message (history view)")
    limit(p)
    p.add_argument("--replay", action="store_true", help="accepted for compatibility: replays are shown")
    no_replay(p)
    p.set_defaults(func=cmd_read)

    p = command("check", "show unread messages and mark them read")
    p.add_argument("--no-update", action="store_true", help="do not mark them read")
    limit(p)
    no_replay(p)
    p.set_defaults(func=cmd_check)

    p = command("poll", "like check, silent when there is nothing new")
    limit(p)
    no_replay(p)
    p.set_defaults(func=cmd_poll)

    p = command("wait", "wait for a message (not from @server)")
    p.add_argument("--interval", type=float, default=2.0, help="longest pause between checks (capped at 0.1 s)")
    p.add_argument("--timeout", type=float, default=300.0, help="give up after S seconds (exit 1)")
    limit(p)
    no_replay(p)
    p.set_defaults(func=cmd_wait)

    p = command("send", "append a message to the outbox")
    p.add_argument("to", help="#channel or @agent")
    p.add_argument("content", help="message text")
    p.set_defaults(func=cmd_send)

    p = command("ts", "show or set last_ts")
    p.add_argument("value", type=int, nargs="?", default=None, help="new value; rewinds the unread cursor")
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
        return 130


if __name__ == "__main__":
    sys.exit(main())
