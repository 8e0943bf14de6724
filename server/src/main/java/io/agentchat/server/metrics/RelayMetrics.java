package io.agentchat.server.metrics;

import io.agentchat.protocol.ErrorCode;
import io.agentchat.protocol.FrameType;
import java.util.concurrent.atomic.LongAdder;

/**
 * What an operator watches (README, "Metrics"): counters the relay bumps as it works, read by
 * {@code GET /metrics}. Every counter is a {@link LongAdder}, so the hot path (one delivery per
 * reader of a message) pays an uncontended add, never a lock. Nothing here names an agent or holds
 * content: the labels are frame types and error codes.
 */
public final class RelayMetrics {
    private static final String TYPE_PREFIX = "{\"type\":\"";
    private static final FrameType[] TYPES = FrameType.values();

    private final LongAdder[] framesIn = adders(TYPES.length);
    private final LongAdder undecodable = new LongAdder();
    private final LongAdder[] deliveries = adders(TYPES.length + 1);
    private final LongAdder[] errors = adders(ErrorCode.values().length);
    private final LongAdder slowConsumers = new LongAdder();
    private final LongAdder resumesRecovered = new LongAdder();
    private final LongAdder resumesRefused = new LongAdder();
    private final LongAdder heldDelivered = new LongAdder();
    private final LatencyHistogram deliveryLatency = new LatencyHistogram();
    private volatile TypedText lastDelivered;

    /** A client frame the decoder accepted. */
    public void frameIn(FrameType type) {
        framesIn[type.ordinal()].increment();
    }

    /** A client frame the decoder refused (not JSON, unknown type, bad fields). */
    public void undecodable() {
        undecodable.increment();
    }

    /**
     * One frame handed to one socket; its type is read from the text the codec wrote, type first.
     * A fan-out hands the same string to every reader, so the last one read is remembered by
     * identity and its type found once per fan-out, not once per reader.
     */
    public void delivered(String text) {
        TypedText seen = lastDelivered;
        int index;
        if (seen != null && seen.text() == text) {
            index = seen.index();
        } else {
            index = typeIndex(text);
            lastDelivered = new TypedText(text, index);
        }
        deliveries[index].increment();
    }

    private record TypedText(String text, int index) {
    }

    /** From handing a frame to a socket's queue until the socket took its bytes. */
    public void deliveryLatency(long nanos) {
        deliveryLatency.record(nanos);
    }

    public void error(ErrorCode code) {
        errors[code.ordinal()].increment();
    }

    public void slowConsumerDropped() {
        slowConsumers.increment();
    }

    public void resumed(boolean recovered) {
        (recovered ? resumesRecovered : resumesRefused).increment();
    }

    public void heldDelivered(int count) {
        heldDelivered.add(count);
    }

    /** The relay's state at this moment, read when the page is rendered. */
    public record Gauges(int sockets, int identified, int proven, int channels, long queuedBytes, long historyBytes,
                         int heldMailboxes, long heldBytes) {
    }

    /** The whole page in the Prometheus text format. */
    public String render(Gauges gauges) {
        PrometheusText out = new PrometheusText();
        out.metric("agentchat_connections", "Open WebSocket connections.", "gauge", gauges.sockets());
        out.metric("agentchat_agents_identified", "Connections that sent IDENTIFY.", "gauge", gauges.identified());
        out.metric("agentchat_agents_proven", "Key-based connections that proved their key.", "gauge", gauges.proven());
        out.metric("agentchat_channels", "Channels, default ones included.", "gauge", gauges.channels());
        out.metric("agentchat_queued_bytes", "Bytes queued to sockets and not yet written.", "gauge",
                gauges.queuedBytes());
        out.metric("agentchat_history_bytes", "Memory held by channels' recovery histories (bytes, as counted).",
                "gauge", gauges.historyBytes());
        out.metric("agentchat_held_mailboxes", "Proven identities that went away and have DMs held.", "gauge",
                gauges.heldMailboxes());
        out.metric("agentchat_held_bytes", "Memory held by held DMs (bytes, as counted).", "gauge", gauges.heldBytes());

        out.header("agentchat_frames_in_total", "Client frames received, by type (undecodable: refused by the decoder).",
                "counter");
        for (FrameType type : TYPES) {
            if (type.clientFrame() != null) {
                out.sample("agentchat_frames_in_total", "type", type.name(), framesIn[type.ordinal()].sum());
            }
        }
        out.sample("agentchat_frames_in_total", "type", "undecodable", undecodable.sum());

        out.header("agentchat_deliveries_total", "Frames handed to sockets, one per recipient, by type.", "counter");
        for (FrameType type : TYPES) {
            if (type.serverFrame() != null) {
                out.sample("agentchat_deliveries_total", "type", type.name(), deliveries[type.ordinal()].sum());
            }
        }
        out.sample("agentchat_deliveries_total", "type", "other", deliveries[TYPES.length].sum());

        out.header("agentchat_errors_total", "ERROR frames sent, by code (RATE_LIMITED: rate-limit refusals).",
                "counter");
        for (ErrorCode code : ErrorCode.values()) {
            out.sample("agentchat_errors_total", "code", code.name(), errors[code.ordinal()].sum());
        }
        out.metric("agentchat_slow_consumer_disconnects_total", "Sockets dropped for not reading what was sent to them.",
                "counter", slowConsumers.sum());
        out.header("agentchat_resumes_total", "JOINs that asked to resume, by whether every missed message followed.",
                "counter");
        out.sample("agentchat_resumes_total", "recovered", "true", resumesRecovered.sum());
        out.sample("agentchat_resumes_total", "recovered", "false", resumesRefused.sum());
        out.metric("agentchat_held_dms_delivered_total", "Held DMs handed to a returning identity.", "counter",
                heldDelivered.sum());
        deliveryLatency.render(out, "agentchat_delivery_seconds",
                "From queueing a frame for a socket until the socket took its bytes.");
        return out.toString();
    }

    /** The frame type the text starts with, without allocating; the last slot for anything else. */
    private static int typeIndex(String text) {
        int start = TYPE_PREFIX.length();
        if (!text.startsWith(TYPE_PREFIX)) {
            return TYPES.length;
        }
        int end = text.indexOf('"', start);
        for (FrameType type : TYPES) {
            String name = type.name();
            if (name.length() == end - start && text.regionMatches(start, name, 0, name.length())) {
                return type.ordinal();
            }
        }
        return TYPES.length;
    }

    private static LongAdder[] adders(int count) {
        LongAdder[] adders = new LongAdder[count];
        for (int i = 0; i < count; i++) {
            adders[i] = new LongAdder();
        }
        return adders;
    }
}
