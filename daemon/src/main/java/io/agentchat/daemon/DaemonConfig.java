package io.agentchat.daemon;

import io.agentchat.client.Backoff;
import io.agentchat.client.ClientOptions;
import io.agentchat.client.ServerAddresses;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Everything one {@link Daemon} needs, validated once. Build with {@link #builder(PersonaPaths, ServerAddresses)}.
 *
 * @param paths the persona's files
 * @param servers the relay's URL, or the relays of one cluster in the order they are tried
 * @param identityFile the identity to use; {@link PersonaPaths#dir()}{@code /identity.json} by default
 * @param createIdentity generate {@code identityFile} when it does not exist (only for the per-persona
 *     default; a file named with {@code -i} must exist)
 * @param channels channels joined at start, each starting with {@code #}
 * @param sendInterval spacing of outbound messages when the user set it (the server's rate limit
 *     plus a small margin); zero disables pacing. Unused when {@code learnPace}
 * @param learnPace pace to what each connection's WELCOME announces ({@link Pacer#learning}), one
 *     message per second while the server does not say; false when the user gave the limit
 * @param maxOutage give up (exit non-zero) after being unable to connect for this long, so a
 *     supervisor sees the failure
 * @param backoff reconnect delays
 * @param clientOptions connect/WELCOME and request timeouts
 * @param clock time source
 * @param outbox outbox consumer settings
 * @param inbox inbox writer settings
 */
public record DaemonConfig(PersonaPaths paths, ServerAddresses servers, Path identityFile, boolean createIdentity,
                           List<String> channels, Duration sendInterval, boolean learnPace, Duration maxOutage,
                           Backoff backoff,
                           ClientOptions clientOptions, Clock clock, OutboxTailer.Config outbox,
                           InboxWriter.Config inbox) {

    /** The original's default channels. */
    public static final List<String> DEFAULT_CHANNELS = List.of("#general", "#agents");

    public DaemonConfig {
        Objects.requireNonNull(paths, "paths");
        Objects.requireNonNull(servers, "servers");
        Objects.requireNonNull(identityFile, "identityFile");
        channels = List.copyOf(channels);
        for (String channel : channels) {
            if (!channel.startsWith("#") || channel.length() < 2) {
                throw new IllegalArgumentException("not a channel: " + channel);
            }
        }
        if (sendInterval.isNegative() || maxOutage.isNegative() || maxOutage.isZero()) {
            throw new IllegalArgumentException("sendInterval must be >= 0 and maxOutage > 0");
        }
        Objects.requireNonNull(backoff, "backoff");
        Objects.requireNonNull(clientOptions, "clientOptions");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(outbox, "outbox");
        Objects.requireNonNull(inbox, "inbox");
    }

    /**
     * The per-persona default identity: {@code .agentchat/daemons/<name>/identity.json}. One key per
     * persona, so two personas never take over each other's id.
     */
    public static Path defaultIdentity(PersonaPaths paths) {
        return paths.dir().resolve("identity.json");
    }

    /** The pacing interval for a server limit of {@code serverLimit} ({@link Pacer#intervalFor}). */
    public static Duration sendIntervalFor(Duration serverLimit) {
        return Pacer.intervalFor(serverLimit);
    }

    public static Builder builder(PersonaPaths paths, URI server) {
        return new Builder(paths, ServerAddresses.of(server));
    }

    public static Builder builder(PersonaPaths paths, ServerAddresses servers) {
        return new Builder(paths, servers);
    }

    /**
     * Defaults: the per-persona identity (created if absent), #general #agents, the pace the server
     * announces (1 s while it does not), 10 min outage.
     */
    public static final class Builder {
        private final PersonaPaths paths;
        private final ServerAddresses servers;
        private Path identityFile;
        private boolean createIdentity = true;
        private List<String> channels = DEFAULT_CHANNELS;
        private Duration sendInterval = sendIntervalFor(Pacer.DEFAULT_INTERVAL);
        private boolean learnPace = true;
        private Duration maxOutage = Duration.ofMinutes(10);
        private Backoff backoff = Backoff.standard();
        private ClientOptions clientOptions = ClientOptions.defaults();
        private Clock clock = Clock.systemUTC();
        private OutboxTailer.Config outbox = OutboxTailer.Config.defaults();
        private InboxWriter.Config inbox = InboxWriter.Config.defaults();

        private Builder(PersonaPaths paths, ServerAddresses servers) {
            this.paths = paths;
            this.servers = servers;
        }

        /** An explicit identity file ({@code -i}); it must exist. */
        public Builder identityFile(Path file) {
            this.identityFile = file;
            this.createIdentity = false;
            return this;
        }

        public Builder channels(List<String> list) {
            this.channels = list;
            return this;
        }

        /** A fixed pace, the user's: the server's announced limit no longer changes it. */
        public Builder sendInterval(Duration interval) {
            this.sendInterval = interval;
            this.learnPace = false;
            return this;
        }

        public Builder maxOutage(Duration outage) {
            this.maxOutage = outage;
            return this;
        }

        public Builder backoff(Backoff value) {
            this.backoff = value;
            return this;
        }

        public Builder clientOptions(ClientOptions options) {
            this.clientOptions = options;
            return this;
        }

        public Builder clock(Clock value) {
            this.clock = value;
            return this;
        }

        public Builder outbox(OutboxTailer.Config config) {
            this.outbox = config;
            return this;
        }

        public Builder inbox(InboxWriter.Config config) {
            this.inbox = config;
            return this;
        }

        public DaemonConfig build() {
            Path identity = identityFile != null ? identityFile.toAbsolutePath().normalize() : defaultIdentity(paths);
            return new DaemonConfig(paths, servers, identity, createIdentity, channels, sendInterval, learnPace,
                    maxOutage, backoff, clientOptions.withClock(clock), clock, outbox, inbox);
        }
    }
}
