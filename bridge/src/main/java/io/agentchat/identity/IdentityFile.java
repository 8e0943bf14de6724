package io.agentchat.identity;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.agentchat.json.JsJson;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads and writes {@code identity.json} in the original client's exact format:
 * {@code JSON.stringify(obj, null, 2)} with keys {@code name, pubkey, privkey, created, rotations}, no
 * trailing newline, mode 0600.
 *
 * <p>Unlike the original, loading validates everything and fails with one line naming the
 * file, and saving never leaves a half-written key: temp file in the same directory, fsync, explicit
 * 0600, atomic rename.
 */
public final class IdentityFile {

    /** Identity files are a few KB; anything far larger is not one. */
    private static final long MAX_SIZE = 1 << 20;
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final ObjectReader READER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build()
            .reader();

    private IdentityFile() {
    }

    /**
     * Loads and validates an identity file.
     *
     * @throws IdentityException with one line containing the absolute path and the problem: not found,
     *         unreadable, corrupt JSON, a missing or wrongly typed field (named), a pubkey that is not a
     *         canonical Ed25519 PEM, a privkey that does not match it, or an invalid name
     */
    public static Identity load(Path path) {
        Path file = path.toAbsolutePath().normalize();
        String text = read(file);
        JsonNode root;
        try {
            root = READER.readTree(text);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw invalid(file, "corrupt JSON" + where + ": " + e.getOriginalMessage(), e);
        }
        if (root == null || root.isMissingNode()) {
            throw invalid(file, "the file is empty");
        }
        if (!root.isObject()) {
            throw invalid(file, "expected a JSON object, got " + kind(root));
        }
        String name = string(file, root, "name", "name");
        String pubkey = string(file, root, "pubkey", "pubkey");
        String privkey = string(file, root, "privkey", "privkey");
        String created = string(file, root, "created", "created");
        List<RotationRecord> rotations = rotations(file, root.get("rotations"));
        try {
            return Identity.restore(name, pubkey, privkey, created, rotations);
        } catch (IdentityException e) {
            throw invalid(file, e.getMessage(), e);
        }
    }

    /**
     * Writes {@code identity} to {@code path} atomically with mode 0600, creating missing parent
     * directories.
     *
     * @param force overwrite an existing file; without it an existing file is left untouched
     * @throws IdentityExistsException if the file exists and {@code force} is false
     * @throws IdentityException if writing fails (the previous file, if any, is then unchanged)
     */
    public static void save(Path path, Identity identity, boolean force) {
        Path file = path.toAbsolutePath().normalize();
        if (!force && Files.exists(file)) {
            throw new IdentityExistsException(file);
        }
        writeAtomically(file, format(identity).getBytes(StandardCharsets.UTF_8), force);
    }

    /**
     * Replaces the identity at {@code path} with a rotated one, first copying the current file to
     * {@code <name>.bak} (mode 0600, replacing an older backup), so the previous key survives.
     */
    public static void saveRotated(Path path, Identity rotated) {
        Path file = path.toAbsolutePath().normalize();
        try {
            byte[] previous = Files.readAllBytes(file);
            writeAtomically(file.resolveSibling(file.getFileName() + ".bak"), previous, true);
        } catch (NoSuchFileException e) {
            // Nothing to keep: the rotated identity becomes the first file.
        } catch (IOException e) {
            throw new IdentityException("Cannot back up identity file " + file + ": " + e.getMessage(), e);
        }
        writeAtomically(file, format(rotated).getBytes(StandardCharsets.UTF_8), true);
    }

    /**
     * The public part for sharing ({@code identity --export}): the file's JSON without {@code privkey},
     * 2-space indented, no trailing newline.
     */
    public static String exportPublic(Identity identity) {
        return JsJson.pretty(fields(identity, false));
    }

    /** The exact file content for {@code identity}, without a trailing newline. */
    static String format(Identity identity) {
        return JsJson.pretty(fields(identity, true));
    }

    private static Map<String, Object> fields(Identity identity, boolean withPrivateKey) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("name", identity.name());
        map.put("pubkey", identity.pubkey());
        if (withPrivateKey) {
            map.put("privkey", identity.privkey());
        }
        map.put("created", identity.created());
        List<Object> rotations = new ArrayList<>();
        for (RotationRecord record : identity.rotations()) {
            rotations.add(record.toJsonMap());
        }
        map.put("rotations", rotations);
        return map;
    }

    private static String read(Path file) {
        try {
            if (Files.size(file) > MAX_SIZE) {
                throw invalid(file, "larger than " + MAX_SIZE + " bytes");
            }
            byte[] bytes = Files.readAllBytes(file);
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (NoSuchFileException e) {
            throw new IdentityException("Identity file not found: " + file, e);
        } catch (CharacterCodingException e) {
            throw invalid(file, "not valid UTF-8", e);
        } catch (IOException e) {
            throw new IdentityException("Cannot read identity file " + file + ": " + e, e);
        }
    }

    private static String string(Path file, JsonNode object, String field, String label) {
        JsonNode value = object.get(field);
        if (value == null) {
            throw invalid(file, "missing field '" + label + "'");
        }
        if (!value.isTextual()) {
            throw invalid(file, "field '" + label + "' must be a string, got " + kind(value));
        }
        return value.textValue();
    }

    private static List<RotationRecord> rotations(Path file, JsonNode value) {
        // The reference treats a missing "rotations" as none.
        if (value == null) {
            return List.of();
        }
        if (!value.isArray()) {
            throw invalid(file, "field 'rotations' must be an array, got " + kind(value));
        }
        List<RotationRecord> records = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            JsonNode item = value.get(i);
            String label = "rotations[" + i + "]";
            if (!item.isObject()) {
                throw invalid(file, "field '" + label + "' must be an object, got " + kind(item));
            }
            records.add(new RotationRecord(
                    string(file, item, "old_pubkey", label + ".old_pubkey"),
                    string(file, item, "old_agent_id", label + ".old_agent_id"),
                    string(file, item, "new_pubkey", label + ".new_pubkey"),
                    string(file, item, "new_agent_id", label + ".new_agent_id"),
                    string(file, item, "signature", label + ".signature"),
                    string(file, item, "timestamp", label + ".timestamp")));
        }
        return records;
    }

    private static String kind(JsonNode node) {
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
        };
    }

    private static IdentityException invalid(Path file, String problem) {
        return new IdentityException("Invalid identity file " + file + ": " + problem);
    }

    private static IdentityException invalid(Path file, String problem, Throwable cause) {
        return new IdentityException("Invalid identity file " + file + ": " + problem, cause);
    }

    /**
     * Temp file beside the target, fsync, 0600, then rename over the target. With {@code replace} false,
     * the rename is done as a hard link so that a file created meanwhile is never clobbered.
     */
    private static void writeAtomically(Path target, byte[] content, boolean replace) {
        Path dir = target.getParent();
        Path temp = null;
        try {
            Files.createDirectories(dir);
            temp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                // Restrict before the key is written, not after.
                restrictToOwner(temp);
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            if (replace) {
                move(temp, target);
            } else {
                linkWithoutReplacing(temp, target);
            }
            temp = null;
            syncDirectory(dir);
        } catch (IdentityException e) {
            throw e;
        } catch (IOException e) {
            throw new IdentityException("Cannot write identity file " + target + ": " + e, e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException e) {
                    // The write already failed; that failure is the one to report.
                }
            }
        }
    }

    private static void move(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void linkWithoutReplacing(Path temp, Path target) throws IOException {
        try {
            Files.createLink(target, temp);
            Files.delete(temp);
        } catch (FileAlreadyExistsException e) {
            throw new IdentityExistsException(target);
        } catch (UnsupportedOperationException e) {
            // No hard links on this file system: fall back to check-then-rename.
            if (Files.exists(target)) {
                throw new IdentityExistsException(target);
            }
            move(temp, target);
        }
    }

    private static void restrictToOwner(Path file) throws IOException {
        if (Files.getFileStore(file).supportsFileAttributeView("posix")) {
            Files.setPosixFilePermissions(file, OWNER_ONLY);
        }
    }

    private static void syncDirectory(Path dir) {
        // Makes the rename durable on Linux; other systems may not allow opening a directory.
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Best effort: the file itself is already synced.
        }
    }
}
