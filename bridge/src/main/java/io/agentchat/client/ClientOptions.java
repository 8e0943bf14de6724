package io.agentchat.client;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of an {@link AgentChatClient}, with defaults from {@link #defaults()}.
 *
 * @param connectTimeout    TCP connect + WebSocket upgrade + WELCOME must complete within this (W-14)
 * @param requestTimeout    how long a request waits for its reply or ERROR (W-11)
 * @param keepAlive         WebSocket ping period; a server silent for two periods is dropped.
 *                          {@link Duration#ZERO} turns keepalive off
 * @param maxOutgoingFrames frames queued to the socket before a send fails with
 *                          {@link ClientException.Reason#QUEUE_FULL}
 * @param maxDispatchBacklog frames received but not yet handed to the listener; when full, reading
 *                          from the socket pauses (TCP backpressure), nothing is dropped
 * @param maxFrameBytes     largest server frame accepted
 * @param clock             source of the {@code ts} in signed messages
 */
public record ClientOptions(Duration connectTimeout, Duration requestTimeout, Duration keepAlive,
                            int maxOutgoingFrames, int maxDispatchBacklog, long maxFrameBytes, Clock clock) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    public ClientOptions {
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(keepAlive, "keepAlive");
        Objects.requireNonNull(clock, "clock");
        if (connectTimeout.isNegative() || connectTimeout.isZero()
                || requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
        if (keepAlive.isNegative()) {
            throw new IllegalArgumentException("keepAlive must be >= 0");
        }
        if (maxOutgoingFrames < 1 || maxDispatchBacklog < 1 || maxFrameBytes < 1024) {
            throw new IllegalArgumentException("queue and frame limits must be positive");
        }
    }

    /** 10 s connect and request timeouts, 30 s keepalive, 1024 outgoing frames, 16 MiB frames. */
    public static ClientOptions defaults() {
        return new ClientOptions(DEFAULT_TIMEOUT, DEFAULT_TIMEOUT, Duration.ofSeconds(30), 1024, 4096,
                16L * 1024 * 1024, Clock.systemUTC());
    }

    /** The same options with both timeouts set to {@code timeout}. */
    public ClientOptions withTimeouts(Duration timeout) {
        return new ClientOptions(timeout, timeout, keepAlive, maxOutgoingFrames, maxDispatchBacklog,
                maxFrameBytes, clock);
    }

    public ClientOptions withKeepAlive(Duration interval) {
        return new ClientOptions(connectTimeout, requestTimeout, interval, maxOutgoingFrames, maxDispatchBacklog,
                maxFrameBytes, clock);
    }

    public ClientOptions withClock(Clock newClock) {
        return new ClientOptions(connectTimeout, requestTimeout, keepAlive, maxOutgoingFrames, maxDispatchBacklog,
                maxFrameBytes, newClock);
    }
}
