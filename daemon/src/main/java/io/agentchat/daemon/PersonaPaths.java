package io.agentchat.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Every file of one persona, under {@code <home>/.agentchat/daemons/<name>/}.
 *
 * <p>The first six names are the original's file contract (scripts written for it
 * read them) and must not change:
 * {@code inbox.jsonl}, {@code outbox.jsonl}, {@code daemon.pid}, {@code daemon.log}, {@code newdata},
 * {@code last_ts}. The others are ours; docs/daemon-files.md describes each of them.
 *
 * <p>All paths are absolute and normalised, so the daemon can print them and no later
 * {@code chdir} or relative resolution can change where it writes. Constructing a value never
 * touches the disk; {@link #createDirectories()} is the only method that does.
 *
 * @param home the directory holding {@code .agentchat} (the original's working directory)
 * @param name the validated persona name
 * @param dir {@code <home>/.agentchat/daemons/<name>}
 */
public record PersonaPaths(Path home, String name, Path dir) {

    /** A persona name is a single safe path segment, so it cannot escape the daemons directory. */
    public static final Pattern NAME_PATTERN = Pattern.compile("^[A-Za-z0-9_-]{1,64}$");

    /** The environment variable that relocates {@code .agentchat}, so paths need not depend on the cwd. */
    public static final String HOME_ENV = "AGENTCHAT_HOME";

    public static final String DEFAULT_NAME = "default";

    public PersonaPaths {
        Objects.requireNonNull(home, "home");
        validateName(name);
        home = home.toAbsolutePath().normalize();
        Path expected = home.resolve(".agentchat").resolve("daemons").resolve(name);
        if (dir == null) {
            dir = expected;
        } else if (!dir.toAbsolutePath().normalize().equals(expected)) {
            throw new IllegalArgumentException("dir " + dir + " is not " + expected);
        } else {
            dir = expected;
        }
    }

    /** The persona {@code name} under {@code home}; throws {@link InvalidPersonaNameException}. */
    public static PersonaPaths of(Path home, String name) {
        return new PersonaPaths(home, name, null);
    }

    /**
     * Resolves the home directory: {@code --home} when given, else {@code AGENTCHAT_HOME} when set
     * and non-blank, else the working directory (the original's only choice). A flag beats the
     * environment, the environment beats the default, as everywhere else in the CLI.
     */
    public static Path resolveHome(String homeOption, Map<String, String> env, Path cwd) {
        String chosen = homeOption;
        if (chosen == null || chosen.isBlank()) {
            chosen = env.get(HOME_ENV);
        }
        Path base = (chosen == null || chosen.isBlank()) ? cwd : cwd.resolve(chosen);
        return base.toAbsolutePath().normalize();
    }

    /** Throws {@link InvalidPersonaNameException} unless {@code name} matches {@link #NAME_PATTERN}. */
    public static String validateName(String name) {
        if (name == null || !NAME_PATTERN.matcher(name).matches()) {
            throw new InvalidPersonaNameException(name);
        }
        return name;
    }

    /** {@code <home>/.agentchat}. */
    public Path agentchatDir() {
        return home.resolve(".agentchat");
    }

    /** {@code <home>/.agentchat/daemons}: the parent of every persona directory. */
    public Path daemonsDir() {
        return agentchatDir().resolve("daemons");
    }

    public Path inbox() {
        return dir.resolve("inbox.jsonl");
    }

    /** Where {@link InboxWriter} rotates a full inbox; one generation is kept. */
    public Path inboxRotated() {
        return dir.resolve("inbox.jsonl.1");
    }

    /** Per channel, the last message position written to the inbox, to resume from (ours). */
    public Path inboxPosition() {
        return dir.resolve("inbox.position.json");
    }

    public Path outbox() {
        return dir.resolve("outbox.jsonl");
    }

    /** The name {@link OutboxTailer} renames a fully consumed outbox to while it drains it. */
    public Path outboxProcessing() {
        return dir.resolve("outbox.jsonl.processing");
    }

    /** Durable read position in the outbox generations (ours). */
    public Path outboxOffset() {
        return dir.resolve("outbox.offset");
    }

    /** Dead-letter file for outbox lines that can never be sent (ours). */
    public Path outboxRejected() {
        return dir.resolve("outbox.rejected.jsonl");
    }

    public Path pidFile() {
        return dir.resolve("daemon.pid");
    }

    /** Held with an exclusive lock for the daemon's lifetime; never deleted (ours). */
    public Path lockFile() {
        return dir.resolve("daemon.lock");
    }

    public Path log() {
        return dir.resolve("daemon.log");
    }

    /** The "semaphore" chat.py polls: Date.now() as decimal text, no newline. */
    public Path newdata() {
        return dir.resolve("newdata");
    }

    /** Written only by chat.py: highest {@code ts} consumed. */
    public Path lastTs() {
        return dir.resolve("last_ts");
    }

    /** chat.py's byte-offset cursor into the inbox (ours, written by chat.py only). */
    public Path chatCursor() {
        return dir.resolve("chat.cursor");
    }

    /**
     * chat.py {@code wait} returns 3 when this appears, and deletes it. Per persona, so stopping one
     * persona's wait never ends another's.
     */
    public Path waitStopFile() {
        return dir.resolve("stop");
    }

    /** The original's shared stop flag {@code .agentchat/stop}; chat.py honours it, never deletes it. */
    public Path globalStopFile() {
        return agentchatDir().resolve("stop");
    }

    /** Creating this file asks the running daemon to shut down cleanly; the daemon deletes it. */
    public Path daemonStopFile() {
        return dir.resolve("daemon.stop");
    }

    /**
     * The local control socket of whoever holds the persona (ours): {@code agentchat mcp} works
     * through it instead of opening a second connection with the same key (docs/mcp.md).
     */
    public Path controlSocket() {
        return dir.resolve("control.sock");
    }

    /** Creates the persona directory (and parents). Only a starting daemon calls this. */
    public PersonaPaths createDirectories() throws IOException {
        Files.createDirectories(dir);
        return this;
    }

    /** Whether the persona directory exists; read-only. */
    public boolean exists() {
        return Files.isDirectory(dir);
    }
}
