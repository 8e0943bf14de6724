package io.agentchat.ledger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentchat.json.JsStringify;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code ./.agentchat/receipts.jsonl}, the original CLI's receipt file: one COMPLETE frame per line, exactly
 * as received, plus {@code "stored_at": <ms>} at the end, written with JavaScript's
 * {@code JSON.stringify} so the Node CLI reads our files and we read its files.
 *
 * <p>Appends take the store's lock and are forced to disk, so concurrent daemons in one directory
 * never interleave half lines. Reading reports corrupt lines by number instead of dropping them
 * silently.
 */
public final class ReceiptStore {
    public static final String FILE_NAME = "receipts.jsonl";
    /** Larger files are refused rather than read into memory whole. */
    static final long MAX_FILE_BYTES = 64L * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final Clock clock;

    public ReceiptStore(Path file, Clock clock) {
        this.file = file;
        this.clock = clock;
    }

    /** {@code <cwd>/.agentchat/receipts.jsonl}, the reference's fixed default. */
    public static Path defaultPath() {
        return Path.of("").toAbsolutePath().resolve(".agentchat").resolve(FILE_NAME);
    }

    public Path file() {
        return file;
    }

    /** What {@link #read} found: the receipts in file order, and the 1-based numbers of unusable lines. */
    public record Contents(List<ObjectNode> receipts, List<Integer> corruptLines) {
        public Contents {
            receipts = List.copyOf(receipts);
            corruptLines = List.copyOf(corruptLines);
        }
    }

    /**
     * Appends one receipt: {@code frameJson} (a COMPLETE frame as the server sent it) plus
     * {@code stored_at}. Creates the file and its directory when needed.
     *
     * @return the stored receipt
     * @throws IllegalArgumentException if {@code frameJson} is not a JSON object
     * @throws LedgerFileException      if the file cannot be written
     */
    public ObjectNode append(String frameJson) {
        ObjectNode receipt = parseObject(frameJson);
        if (receipt == null) {
            throw new IllegalArgumentException("a receipt must be a JSON object");
        }
        receipt.put("stored_at", clock.millis());
        byte[] line = (JsStringify.compact(receipt) + "\n").getBytes(StandardCharsets.UTF_8);
        try (FileLock lock = FileLock.acquire(file);
             FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                     StandardOpenOption.APPEND)) {
            ByteBuffer buffer = ByteBuffer.wrap(line);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(false);
        } catch (IOException e) {
            throw new LedgerFileException(file, "Cannot write receipts file (" + e.getMessage() + ")");
        }
        return receipt;
    }

    /**
     * {@link #append(String)} only if {@code agentRef} is a party to the frame ({@link #involves}).
     *
     * @return the stored receipt, or null if the frame is not ours or not an object
     */
    public ObjectNode append(String frameJson, String agentRef) {
        ObjectNode frame = parseObject(frameJson);
        if (frame == null || !involves(frame, agentRef)) {
            return null;
        }
        return append(frameJson);
    }

    /** Every receipt; a missing file has none. Blank lines are skipped, like the reference. */
    public Contents read() {
        String text;
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new LedgerFileException(file, "Receipts file larger than " + MAX_FILE_BYTES / (1024 * 1024)
                        + " MiB, not read");
            }
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return new Contents(List.of(), List.of());
        } catch (IOException e) {
            throw new LedgerFileException(file, "Cannot read receipts file (" + e.getMessage() + ")");
        }
        List<ObjectNode> receipts = new ArrayList<>();
        List<Integer> corrupt = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            ObjectNode receipt = parseObject(lines[i]);
            if (receipt == null) {
                corrupt.add(i + 1);
            } else {
                receipts.add(receipt);
            }
        }
        return new Contents(receipts, corrupt);
    }

    /**
     * Whether {@code agentRef} ({@code @id}) is a party to {@code receipt}: its {@code from}, {@code to},
     * {@code completed_by}, or the {@code from}/{@code to} of an embedded {@code proposal}, as the
     * reference decides which receipts to keep and show.
     */
    public static boolean involves(JsonNode receipt, String agentRef) {
        String id = agentRef.startsWith("@") ? agentRef : "@" + agentRef;
        JsonNode proposal = receipt.path("proposal");
        return id.equals(text(receipt, "from")) || id.equals(text(receipt, "to"))
                || id.equals(text(receipt, "completed_by"))
                || id.equals(text(proposal, "from")) || id.equals(text(proposal, "to"));
    }

    static String text(JsonNode node, String key) {
        JsonNode value = node.get(key);
        return value != null && value.isTextual() ? value.asText() : null;
    }

    private static ObjectNode parseObject(String line) {
        try {
            JsonNode node = JSON.readTree(line);
            return node instanceof ObjectNode object ? object : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }
}
