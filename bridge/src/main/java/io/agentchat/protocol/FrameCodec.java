package io.agentchat.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonFactory;

/**
 * The one place where JSON text and frames meet. Thread-safe: it shares only Jackson's immutable
 * readers and writers. Server frames are written as compact JSON, like {@code JSON.stringify}.
 */
public final class FrameCodec {
    /** Nesting deeper than this is abuse, not a frame. */
    private static final int MAX_NESTING = 32;

    private final JsonMapper mapper;
    private final ObjectReader treeReader;
    /**
     * Made on first use: a writer builds its root serializer (introspecting every frame record) when
     * it is created, and a process usually writes only one side's frames; a client that never
     * writes server frames starts ~20-80 ms sooner. Immutable, so a racy double creation is harmless.
     */
    private volatile ObjectWriter serverWriter;
    private volatile ObjectWriter clientWriter;

    public FrameCodec() {
        this(16 * 1024 * 1024);
    }

    /** @param maxStringLength the longest JSON string value accepted, in chars */
    public FrameCodec(int maxStringLength) {
        JsonFactory factory = new JsonFactoryBuilder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(MAX_NESTING)
                        .maxStringLength(maxStringLength)
                        .maxNumberLength(64)
                        .build())
                .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                .build();
        mapper = JsonMapper.builder(factory)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(DeserializationFeature.FAIL_ON_INVALID_SUBTYPE)
                .build();
        // A frame is one JSON value: "{..} xyz" or "{..}{..}" is not a frame, whatever comes first.
        treeReader = mapper.readerFor(JsonNode.class).with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    /** Parses one server frame; an unknown type gives {@link ServerFrame.Unknown}. */
    public ServerFrame decodeServer(String text) {
        JsonNode node = parse(text);
        JsonNode type = node.get("type");
        if (type == null || !type.isTextual()) {
            throw ProtocolException.invalid("Missing message type");
        }
        FrameType known = FrameType.fromWire(type.asText());
        Class<? extends ServerFrame> frameType = known == null ? null : known.serverFrame();
        if (frameType == null) {
            return new ServerFrame.Unknown(node.path("ts").asLong(), type.asText());
        }
        try {
            return mapper.treeToValue(node, frameType);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw ProtocolException.invalid("Malformed " + type.asText() + " frame: " + firstLine(e.getMessage()));
        }
    }

    public String encode(ServerFrame frame) {
        try {
            ObjectWriter writer = serverWriter;
            if (writer == null) {
                writer = mapper.writerFor(ServerFrame.class);
                serverWriter = writer;
            }
            return writer.writeValueAsString(frame);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + frame.wireType(), e);
        }
    }

    public String encode(ClientFrame frame) {
        try {
            ObjectWriter writer = clientWriter;
            if (writer == null) {
                writer = mapper.writerFor(ClientFrame.class);
                clientWriter = writer;
            }
            return writer.writeValueAsString(frame);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + frame.wireType(), e);
        }
    }

    /**
     * Parses one JSON value to a tree, within this codec's size and nesting limits; bad JSON, and
     * anything but whitespace after the value, is {@code INVALID_MSG "Invalid JSON"} as in the
     * reference. The server's validation of client frames starts here.
     */
    public JsonNode parse(String text) {
        try {
            JsonNode node = treeReader.readTree(text);
            if (node == null || node.isMissingNode()) {
                throw ProtocolException.invalid("Invalid JSON");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw ProtocolException.invalid("Invalid JSON");
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
