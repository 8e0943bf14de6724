package io.agentchat.daemon;

import io.agentchat.identity.Identity;
import io.agentchat.identity.IdentityException;
import io.agentchat.identity.IdentityExistsException;
import io.agentchat.identity.IdentityFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.regex.Pattern;

/**
 * The identity a persona connects with, loaded and validated before any network I/O, so a bad
 * one is one error, never a retried connection.
 *
 * <p>The original gave every persona the same {@code .agentchat/identity.json}, so two personas kicked
 * each other off the server forever. Our default is one identity per persona,
 * {@code .agentchat/daemons/<name>/identity.json}, generated (mode 0600, atomic write) the first time
 * the persona starts. A file named with {@code -i} is never generated: a missing or corrupt one is a
 * one-line error, not a retry loop.
 */
public final class PersonaIdentity {

    /** The server's agent-name rule; a persona name that breaks it gets a derived identity name. */
    private static final Pattern AGENT_NAME = Pattern.compile("^[A-Za-z0-9_-]{1,32}$");

    private PersonaIdentity() {
    }

    /**
     * Loads {@code file}; when it is missing and {@code create} is true, generates an identity named
     * after the persona and saves it first.
     *
     * @throws IdentityException one line naming the absolute path and the problem
     */
    public static Identity loadOrCreate(Path file, String persona, boolean create, Clock clock) {
        Path absolute = file.toAbsolutePath().normalize();
        if (create && !Files.exists(absolute)) {
            Identity generated = Identity.generate(agentName(persona), clock);
            // No logging here: the CLI calls this before it has routed the log to daemon.log.
            try {
                IdentityFile.save(absolute, generated, false);
            } catch (IdentityExistsException e) {
                // Another start of this persona wrote its identity first (the file is linked in whole,
                // never replaced): that one is the persona's, loaded below.
            }
        }
        if (!Files.exists(absolute)) {
            throw new IdentityException("Identity file not found: " + absolute);
        }
        return IdentityFile.load(absolute);
    }

    /** The persona name if the server accepts it as an agent name, else its first 32 characters. */
    static String agentName(String persona) {
        return AGENT_NAME.matcher(persona).matches() ? persona : persona.substring(0, 32);
    }
}
