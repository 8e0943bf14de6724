package io.agentchat.server.core;

import io.agentchat.protocol.ErrorCode;
import io.agentchat.protocol.FrameCodec;
import io.agentchat.protocol.ServerFrame;
import io.agentchat.server.metrics.RelayMetrics;
import java.time.Clock;

/** Encodes frames once and hands the text out; owns the server's clock for {@code ts}. */
final class Wire {
    private final FrameCodec codec;
    private final Clock clock;
    private final RelayMetrics metrics;

    Wire(FrameCodec codec, Clock clock, RelayMetrics metrics) {
        this.codec = codec;
        this.clock = clock;
        this.metrics = metrics;
    }

    RelayMetrics metrics() {
        return metrics;
    }

    long now() {
        return clock.millis();
    }

    String encode(ServerFrame frame) {
        return codec.encode(frame);
    }

    void send(AgentSession to, ServerFrame frame) {
        to.send(codec.encode(frame));
    }

    void error(AgentSession to, ErrorCode code, String message) {
        metrics.error(code);
        send(to, new ServerFrame.Error(now(), code, message));
    }

    FrameCodec codec() {
        return codec;
    }
}
