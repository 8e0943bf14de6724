package io.agentchat.client;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of an {@link AgentChatClient}, with defaults from {@link #defaults()}.
 *
 * @param connectTimeout    TCP connect + WebSocket upgrade + WELCOME must complete within this
 * @param requestTimeout    how long a request waits for its reply or ERROR; then its future fails
 *                          with TIMEOUT, whether or not anyone is waiting on it
 * @param keepAlive         WebSocket ping period; a server silent for two periods is dropped.
 *                          {@link Duration#ZERO} turns keepalive off
 * @param maxOutgoingFrames frames queued to the socket before a send fails with
 *                          {@link ClientException.Reason#QUEUE_FULL}
 * @param maxDispatchBacklog frames received but not yet handed to the listener; when full, reading
 *                          from the socket pauses (TCP backpressure), nothing is dropped
 * @param maxFrameBytes     largest server frame accepted
 * @param clock             source of the {@code ts} in signed messages
 * @param answerVerifications with an identity, answer other agents' VERIFY_REQUESTs as
 *                          {@link VerificationResponder} allows; off by default
 */
public record ClientOptions(Duration connectTimeout, Duration requestTimeout, Duration keepAlive,
                            int maxOutgoingFrames, int maxDispatchBacklog, long maxFrameBytes, Clock clock,
                            boolean answerVerifications) {

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
                16L * 1024 * 1024, Clock.systemUTC(), false);
    }

    /** The same options with both timeouts set to {@code timeout}. */
    public ClientOptions withTimeouts(Duration timeout) {
        return new ClientOptions(timeout, timeout, keepAlive, maxOutgoingFrames, maxDispatchBacklog,
                maxFrameBytes, clock, answerVerifications);
    }

    public ClientOptions withKeepAlive(Duration interval) {
        return new ClientOptions(connectTimeout, requestTimeout, interval, maxOutgoingFrames, maxDispatchBacklog,
                maxFrameBytes, clock, answerVerifications);
    }

    /** The same options, answering peer verification requests when {@code answer}. */
    public ClientOptions withAnswerVerifications(boolean answer) {
        return new ClientOptions(connectTimeout, requestTimeout, keepAlive, maxOutgoingFrames, maxDispatchBacklog,
                maxFrameBytes, clock, answer);
    }

    public ClientOptions withClock(Clock newClock) {
        return new ClientOptions(connectTimeout, requestTimeout, keepAlive, maxOutgoingFrames, maxDispatchBacklog,
                maxFrameBytes, newClock, answerVerifications);
    }
}
