package io.agentchat.identity;

import java.nio.file.Path;

/**
 * {@link IdentityFile#save} refused to overwrite an existing file because {@code force} was false.
 *
 * <p>The message is the reference CLI's first line, {@code Identity already exists at <path>}; the CLI
 * adds its own hint ({@code Use --force to overwrite}).
 */
public final class IdentityExistsException extends IdentityException {

    private static final long serialVersionUID = 1L;

    private final transient Path path;

    IdentityExistsException(Path path) {
        super("Identity already exists at " + path);
        this.path = path;
    }

    /** The absolute path of the file that was left untouched. */
    public Path path() {
        return path;
    }
}
