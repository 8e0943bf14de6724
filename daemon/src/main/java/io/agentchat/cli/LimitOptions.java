package io.agentchat.cli;

import io.agentchat.protocol.Names;
import io.agentchat.server.ServerConfig;
import io.agentchat.server.core.RecoveryConfig;
import io.agentchat.server.market.MarketConfig;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The relay's limits as {@code serve} options. Each has a flag and an environment variable; the
 * default is the server's own ({@link ServerConfig.Builder}, {@link MarketConfig#defaults()}), so
 * it is written down once. docs/limits.md says why each default is what it is.
 */
final class LimitOptions {
    private static final int MAX_INT = Integer.MAX_VALUE;

    @Option(names = "--channels", paramLabel = "<list>",
            description = "Permanent public channels, comma-separated (env CHANNELS; default: #general,#agents,#discovery,#skills).")
    String channels;

    @Option(names = "--no-rate-limits",
            description = "Turn every rate limit off (message rate, frame budget, membership changes); memory bounds stay (env NO_RATE_LIMITS=true).")
    boolean noRateLimits;

    @Option(names = "--frames-per-second", paramLabel = "<n>",
            description = "Frames of any type one connection may send per second; 0 disables (env FRAMES_PER_SECOND; default: 20).")
    Long framesPerSecond;

    @Option(names = "--frame-burst", paramLabel = "<n>",
            description = "Frames one connection may send back to back (env FRAME_BURST; default: 50).")
    Long frameBurst;

    @Option(names = "--membership-changes-per-minute", paramLabel = "<n>",
            description = "JOINs and LEAVEs that change membership, per agent; 0 disables (env MEMBERSHIP_CHANGES_PER_MINUTE; default: 30).")
    Long membershipPerAgent;

    @Option(names = "--membership-changes-per-minute-per-address", paramLabel = "<n>",
            description = "The same for all agents of one address; 0 disables (env MEMBERSHIP_CHANGES_PER_MINUTE_PER_ADDRESS; default: 120).")
    Long membershipPerAddress;

    @Option(names = "--max-connections-per-address", paramLabel = "<n>",
            description = "Open sockets from one address (env MAX_CONNECTIONS_PER_ADDRESS; default: 10000).")
    Long connectionsPerAddress;

    @Option(names = "--max-channels", paramLabel = "<n>",
            description = "Channels on the server, default ones included (env MAX_CHANNELS; default: 10000).")
    Long maxChannels;

    @Option(names = "--max-channels-per-agent", paramLabel = "<n>",
            description = "Channels one agent may have created and not yet reclaimed (env MAX_CHANNELS_PER_AGENT; default: 20).")
    Long channelsPerAgent;

    @Option(names = "--max-channels-per-address", paramLabel = "<n>",
            description = "Channels the agents of one address may have created and not yet reclaimed (env MAX_CHANNELS_PER_ADDRESS; default: 100).")
    Long channelsPerAddress;

    @Option(names = "--empty-channel-grace", paramLabel = "<seconds>",
            description = "How long an empty created channel lives before it is reclaimed (env EMPTY_CHANNEL_GRACE; default: 600).")
    Long emptyChannelGrace;

    @Option(names = "--max-members-per-channel", paramLabel = "<n>",
            description = "Members in one channel (env MAX_MEMBERS_PER_CHANNEL; default: 10000).")
    Long membersPerChannel;

    @Option(names = "--max-announced-members", paramLabel = "<n>",
            description = "Largest channel whose joins, leaves, greetings and presence changes are told to its members (env MAX_ANNOUNCED_MEMBERS; default: 200).")
    Long announcedMembers;

    @Option(names = "--max-invites-per-channel", paramLabel = "<n>",
            description = "Agents on one private channel's invite list (env MAX_INVITES_PER_CHANNEL; default: 1000).")
    Long invitesPerChannel;

    @Option(names = "--max-skills-per-agent", paramLabel = "<n>",
            description = "Skills in one registration (env MAX_SKILLS_PER_AGENT; default: 50).")
    Long skillsPerAgent;

    @Option(names = "--max-skill-registrations", paramLabel = "<n>",
            description = "Agents with a skills registration (env MAX_SKILL_REGISTRATIONS; default: 10000).")
    Long skillRegistrations;

    @Option(names = "--max-pending-proposals-per-agent", paramLabel = "<n>",
            description = "Pending proposals one agent may have sent (env MAX_PENDING_PROPOSALS_PER_AGENT; default: 20).")
    Long proposalsPerAgent;

    @Option(names = "--max-pending-proposals-per-pair", paramLabel = "<n>",
            description = "Pending proposals from one agent to one recipient (env MAX_PENDING_PROPOSALS_PER_PAIR; default: 5).")
    Long proposalsPerPair;

    @Option(names = "--max-pending-proposals-per-recipient-per-address", paramLabel = "<n>",
            description = "Pending proposals to one recipient from the agents of one address (env MAX_PENDING_PROPOSALS_PER_RECIPIENT_PER_ADDRESS; default: 20).")
    Long proposalsPerRecipientPerAddress;

    @Option(names = "--max-proposals", paramLabel = "<n>",
            description = "Proposals held in memory, all states (env MAX_PROPOSALS; default: 50000).")
    Long maxProposals;

    @Option(names = "--max-frame-bytes", paramLabel = "<bytes>",
            description = "Largest incoming frame; a bigger one closes the connection with 1009 (env MAX_FRAME_BYTES; default: 65536).")
    Long maxFrameBytes;

    @Option(names = "--identify-timeout", paramLabel = "<seconds>",
            description = "A socket that has not sent IDENTIFY by then is closed; 0 disables (env IDENTIFY_TIMEOUT; default: 30).")
    Long identifyTimeout;

    @Option(names = "--ping-interval", paramLabel = "<seconds>",
            description = "Heartbeat period; a peer silent for 2.5 periods is dropped; 0 disables (env PING_INTERVAL; default: 30).")
    Long pingInterval;

    @Option(names = "--history-size", paramLabel = "<n>",
            description = "Messages per channel kept for clients that resume; 0 disables recovery (env HISTORY_SIZE; default: 1000).")
    Long historySize;

    @Option(names = "--history-seconds", paramLabel = "<seconds>",
            description = "How long a channel message stays recoverable (env HISTORY_SECONDS; default: 300).")
    Long historySeconds;

    @Option(names = "--history-bytes", paramLabel = "<bytes>",
            description = "Memory for all channels' recovery histories together (env HISTORY_BYTES; default: 67108864).")
    Long historyBytes;

    @Option(names = "--held-dms", paramLabel = "<n>",
            description = "DMs held for a proven identity that went away; 0 disables (env HELD_DMS; default: 100).")
    Long heldDms;

    @Option(names = "--held-dm-seconds", paramLabel = "<seconds>",
            description = "How long after it went away an identity's DMs are held (env HELD_DM_SECONDS; default: 300).")
    Long heldDmSeconds;

    @Option(names = "--held-dm-bytes", paramLabel = "<bytes>",
            description = "Memory for the DMs held for one identity (env HELD_DM_BYTES; default: 524288).")
    Long heldDmBytes;

    @Option(names = "--held-dm-total-bytes", paramLabel = "<bytes>",
            description = "Memory for all held DMs together (env HELD_DM_TOTAL_BYTES; default: 33554432).")
    Long heldDmTotalBytes;

    /** Resolves every limit (flag, else environment, else default) onto {@code builder}. */
    void applyTo(ServerConfig.Builder builder, ConfigSource source) {
        ServerConfig d = ServerConfig.builder().build();
        MarketConfig m = MarketConfig.defaults();
        List<String> names = source.list(channels, "CHANNELS", d.defaultChannels());
        if (names.isEmpty()) {
            throw source.bad("Invalid value for --channels: at least one channel is needed");
        }
        for (String name : names) {
            if (!Names.isChannel(name)) {
                throw source.bad("Invalid channel name for --channels: " + name + " (must be # and 1-31 of A-Z a-z 0-9 _ -)");
            }
        }
        if (names.stream().distinct().count() != names.size()) {
            throw source.bad("Invalid value for --channels: " + String.join(",", names) + " (a channel is listed twice)");
        }
        builder.defaultChannels(names);
        builder.framesPerSecond(source.integer(framesPerSecond, "frames-per-second", "FRAMES_PER_SECOND",
                d.framesPerSecond(), 0, 1_000_000));
        builder.frameBurst(source.integer(frameBurst, "frame-burst", "FRAME_BURST", d.frameBurst(), 1, 1_000_000));
        builder.membershipChangesPerMinute(source.integer(membershipPerAgent, "membership-changes-per-minute",
                "MEMBERSHIP_CHANGES_PER_MINUTE", d.membershipChangesPerMinute(), 0, 1_000_000));
        builder.membershipChangesPerMinutePerAddress(source.integer(membershipPerAddress,
                "membership-changes-per-minute-per-address", "MEMBERSHIP_CHANGES_PER_MINUTE_PER_ADDRESS",
                d.membershipChangesPerMinutePerAddress(), 0, 1_000_000));
        builder.maxConnectionsPerIp(source.integer(connectionsPerAddress, "max-connections-per-address",
                "MAX_CONNECTIONS_PER_ADDRESS", d.maxConnectionsPerIp(), 1, MAX_INT));
        builder.maxChannels(source.integer(maxChannels, "max-channels", "MAX_CHANNELS", d.maxChannels(),
                names.size(), MAX_INT));
        builder.maxChannelsPerCreator(source.integer(channelsPerAgent, "max-channels-per-agent",
                "MAX_CHANNELS_PER_AGENT", d.maxChannelsPerCreator(), 0, MAX_INT));
        builder.maxChannelsPerAddress(source.integer(channelsPerAddress, "max-channels-per-address",
                "MAX_CHANNELS_PER_ADDRESS", d.maxChannelsPerAddress(), 0, MAX_INT));
        builder.emptyChannelGrace(Duration.ofSeconds(source.integer(emptyChannelGrace, "empty-channel-grace",
                "EMPTY_CHANNEL_GRACE", d.emptyChannelGrace().toSeconds(), 0, 30L * 24 * 3600)));
        builder.maxMembersPerChannel(source.integer(membersPerChannel, "max-members-per-channel",
                "MAX_MEMBERS_PER_CHANNEL", d.maxMembersPerChannel(), 1, MAX_INT));
        builder.maxAnnouncedMembers(source.integer(announcedMembers, "max-announced-members", "MAX_ANNOUNCED_MEMBERS",
                d.maxAnnouncedMembers(), 0, MAX_INT));
        builder.maxInvitesPerChannel(source.integer(invitesPerChannel, "max-invites-per-channel",
                "MAX_INVITES_PER_CHANNEL", d.maxInvitesPerChannel(), 0, MAX_INT));
        builder.maxFrameBytes(source.integer(maxFrameBytes, "max-frame-bytes", "MAX_FRAME_BYTES", d.maxFrameBytes(),
                1024, 16 * 1024 * 1024));
        builder.identifyTimeout(Duration.ofSeconds(source.integer(identifyTimeout, "identify-timeout",
                "IDENTIFY_TIMEOUT", d.identifyTimeout().toSeconds(), 0, 24 * 3600)));
        builder.pingInterval(Duration.ofSeconds(source.integer(pingInterval, "ping-interval", "PING_INTERVAL",
                d.pingInterval().toSeconds(), 0, 24 * 3600)));
        builder.market(m
                .withLimits(m.maxPendingPerProposer(),
                        source.integer(skillsPerAgent, "max-skills-per-agent", "MAX_SKILLS_PER_AGENT",
                                m.maxSkillsPerAgent(), 1, 100_000),
                        source.integer(skillRegistrations, "max-skill-registrations", "MAX_SKILL_REGISTRATIONS",
                                m.maxRegistrations(), 1, MAX_INT))
                .withProposalLimits(
                        source.integer(proposalsPerAgent, "max-pending-proposals-per-agent",
                                "MAX_PENDING_PROPOSALS_PER_AGENT", m.maxPendingPerProposer(), 1, MAX_INT),
                        source.integer(proposalsPerPair, "max-pending-proposals-per-pair",
                                "MAX_PENDING_PROPOSALS_PER_PAIR", m.maxPendingPerPair(), 1, MAX_INT),
                        source.integer(proposalsPerRecipientPerAddress,
                                "max-pending-proposals-per-recipient-per-address",
                                "MAX_PENDING_PROPOSALS_PER_RECIPIENT_PER_ADDRESS",
                                m.maxPendingPerRecipientPerAddress(), 1, MAX_INT),
                        source.integer(maxProposals, "max-proposals", "MAX_PROPOSALS", m.maxProposals(), 1, MAX_INT)));
        builder.recovery(recovery(source));
        if (source.enabled(noRateLimits, "NO_RATE_LIMITS")) {
            builder.noRateLimits();
        }
    }

    private RecoveryConfig recovery(ConfigSource source) {
        RecoveryConfig r = RecoveryConfig.defaults();
        return new RecoveryConfig(
                source.integer(historySize, "history-size", "HISTORY_SIZE", r.historyMessages(), 0, 1_000_000),
                Duration.ofSeconds(source.integer(historySeconds, "history-seconds", "HISTORY_SECONDS",
                        r.historyAge().toSeconds(), 1, 24 * 3600)),
                source.integer(historyBytes, "history-bytes", "HISTORY_BYTES", r.historyBytes(), 0, MAX_INT),
                source.integer(heldDms, "held-dms", "HELD_DMS", r.heldMessages(), 0, 100_000),
                Duration.ofSeconds(source.integer(heldDmSeconds, "held-dm-seconds", "HELD_DM_SECONDS",
                        r.heldAge().toSeconds(), 1, 24 * 3600)),
                source.integer(heldDmBytes, "held-dm-bytes", "HELD_DM_BYTES", r.heldBytesPerAgent(), 0, MAX_INT),
                source.integer(heldDmTotalBytes, "held-dm-total-bytes", "HELD_DM_TOTAL_BYTES", r.heldBytes(), 0,
                        MAX_INT));
    }
}
