package io.agentchat.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentchat.server.ServerConfig;
import io.agentchat.server.core.RecoveryConfig;
import io.agentchat.server.market.MarketConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The limits of {@code serve}: flag, else environment, else the server's default; bad values are rc 2. */
class ServeLimitsTest {

    private static ServerConfig config(Map<String, String> env, String... args) {
        return CliRun.serveConfig(env, args);
    }

    @Test
    void withNothingSetEveryLimitIsTheServersDefault() {
        ServerConfig cli = config(Map.of());
        ServerConfig server = ServerConfig.builder().build();
        assertEquals(List.of("#general", "#agents", "#discovery", "#skills"), cli.defaultChannels());
        assertEquals(server.framesPerSecond(), cli.framesPerSecond());
        assertEquals(server.frameBurst(), cli.frameBurst());
        assertEquals(30, cli.membershipChangesPerMinute());
        assertEquals(120, cli.membershipChangesPerMinutePerAddress());
        assertEquals(server.maxConnectionsPerIp(), cli.maxConnectionsPerIp());
        assertEquals(server.maxChannels(), cli.maxChannels());
        assertEquals(server.maxChannelsPerCreator(), cli.maxChannelsPerCreator());
        assertEquals(100, cli.maxChannelsPerAddress());
        assertEquals(server.emptyChannelGrace(), cli.emptyChannelGrace());
        assertEquals(server.maxMembersPerChannel(), cli.maxMembersPerChannel());
        assertEquals(server.maxInvitesPerChannel(), cli.maxInvitesPerChannel());
        assertEquals(server.maxFrameBytes(), cli.maxFrameBytes());
        assertEquals(server.identifyTimeout(), cli.identifyTimeout());
        assertEquals(server.pingInterval(), cli.pingInterval());
        assertEquals(MarketConfig.defaults(), cli.market());
        assertEquals(RecoveryConfig.defaults(), cli.recovery());
        assertEquals(server.maxAnnouncedMembers(), cli.maxAnnouncedMembers());
    }

    @Test
    void aFlagWinsOverItsEnvironmentVariableWhichWinsOverTheDefault() {
        Map<String, String> env = Map.ofEntries(Map.entry("CHANNELS", "#lobby,#ops"),
                Map.entry("MEMBERSHIP_CHANGES_PER_MINUTE", "7"), Map.entry("MAX_CHANNELS_PER_ADDRESS", "9"),
                Map.entry("MAX_PENDING_PROPOSALS_PER_PAIR", "2"), Map.entry("MAX_SKILLS_PER_AGENT", "4"),
                Map.entry("IDENTIFY_TIMEOUT", "0"), Map.entry("MAX_FRAME_BYTES", "2048"));
        ServerConfig fromEnv = config(env);
        assertEquals(List.of("#lobby", "#ops"), fromEnv.defaultChannels());
        assertEquals(7, fromEnv.membershipChangesPerMinute());
        assertEquals(9, fromEnv.maxChannelsPerAddress());
        assertEquals(2, fromEnv.market().maxPendingPerPair());
        assertEquals(4, fromEnv.market().maxSkillsPerAgent());
        assertEquals(Duration.ZERO, fromEnv.identifyTimeout(), "0 is honoured");
        assertEquals(2048, fromEnv.maxFrameBytes());

        ServerConfig flags = config(env, "--channels", "#a", "--membership-changes-per-minute", "0",
                "--max-channels-per-address", "3", "--max-pending-proposals-per-pair", "1",
                "--max-pending-proposals-per-recipient-per-address", "6", "--max-proposals", "99",
                "--max-skills-per-agent", "8", "--max-skill-registrations", "11", "--identify-timeout", "5",
                "--ping-interval", "0", "--max-invites-per-channel", "12", "--max-members-per-channel", "13",
                "--max-connections-per-address", "14", "--max-channels", "15", "--max-channels-per-agent", "16",
                "--empty-channel-grace", "17", "--frames-per-second", "18", "--frame-burst", "19",
                "--membership-changes-per-minute-per-address", "21", "--max-pending-proposals-per-agent", "22");
        assertEquals(List.of("#a"), flags.defaultChannels());
        assertEquals(0, flags.membershipChangesPerMinute());
        assertEquals(3, flags.maxChannelsPerAddress());
        assertEquals(1, flags.market().maxPendingPerPair());
        assertEquals(6, flags.market().maxPendingPerRecipientPerAddress());
        assertEquals(99, flags.market().maxProposals());
        assertEquals(8, flags.market().maxSkillsPerAgent());
        assertEquals(11, flags.market().maxRegistrations());
        assertEquals(22, flags.market().maxPendingPerProposer());
        assertEquals(Duration.ofSeconds(5), flags.identifyTimeout());
        assertEquals(Duration.ZERO, flags.pingInterval());
        assertEquals(12, flags.maxInvitesPerChannel());
        assertEquals(13, flags.maxMembersPerChannel());
        assertEquals(14, flags.maxConnectionsPerIp());
        assertEquals(15, flags.maxChannels());
        assertEquals(16, flags.maxChannelsPerCreator());
        assertEquals(Duration.ofSeconds(17), flags.emptyChannelGrace());
        assertEquals(18, flags.framesPerSecond());
        assertEquals(19, flags.frameBurst());
        assertEquals(21, flags.membershipChangesPerMinutePerAddress());
    }

    @Test
    void recoveryBoundsComeFromFlagsOrTheEnvironment() {
        ServerConfig fromEnv = config(Map.of("HISTORY_SIZE", "0", "HELD_DM_SECONDS", "60", "MAX_ANNOUNCED_MEMBERS", "5"));
        assertEquals(5, fromEnv.maxAnnouncedMembers());
        assertEquals(0, fromEnv.recovery().historyMessages(), "0 disables recovery");
        assertEquals(Duration.ofMinutes(1), fromEnv.recovery().heldAge());
        ServerConfig flags = config(Map.of("HISTORY_SIZE", "0"), "--history-size", "10", "--history-seconds", "20",
                "--history-bytes", "30", "--held-dms", "40", "--held-dm-seconds", "50", "--held-dm-bytes", "60",
                "--held-dm-total-bytes", "70");
        assertEquals(new RecoveryConfig(10, Duration.ofSeconds(20), 30, 40, Duration.ofSeconds(50), 60, 70),
                flags.recovery());
        assertBad(Map.of(), "error: Invalid value for option '--history-seconds': 0 (must be 1-86400)\n",
                "--history-seconds", "0");
    }

    @Test
    void noRateLimitsTurnsEveryRateLimitOffAndKeepsEveryMemoryBound() {
        for (ServerConfig off : List.of(config(Map.of(), "--no-rate-limits", "--rate-limit-ms", "500"),
                config(Map.of("NO_RATE_LIMITS", "true", "FRAMES_PER_SECOND", "5")))) {
            assertEquals(Duration.ZERO, off.rateLimit());
            assertEquals(0, off.framesPerSecond());
            assertEquals(0, off.membershipChangesPerMinute());
            assertEquals(0, off.membershipChangesPerMinutePerAddress());
            ServerConfig bounded = config(Map.of());
            assertEquals(bounded.maxChannelsPerAddress(), off.maxChannelsPerAddress());
            assertEquals(bounded.maxConnectionsPerIp(), off.maxConnectionsPerIp());
            assertEquals(bounded.maxMembersPerChannel(), off.maxMembersPerChannel());
            assertEquals(bounded.maxFrameBytes(), off.maxFrameBytes());
            assertEquals(bounded.market(), off.market());
        }
        assertEquals(20, config(Map.of("NO_RATE_LIMITS", "false")).framesPerSecond());
    }

    @Test
    void aBadLimitIsOneClearLineAndRc2() {
        assertBad(Map.of(), "error: Invalid value for option '--max-channels-per-address': -1 (must be 0-2147483647)\n",
                "--max-channels-per-address", "-1");
        assertBad(Map.of("MEMBERSHIP_CHANGES_PER_MINUTE", "lots"),
                "error: Invalid value for environment variable MEMBERSHIP_CHANGES_PER_MINUTE: 'lots' is not an integer\n");
        assertBad(Map.of("MAX_FRAME_BYTES", "10"),
                "error: Invalid value for environment variable MAX_FRAME_BYTES: 10 (must be 1024-16777216)\n");
        assertBad(Map.of("NO_RATE_LIMITS", "yes"),
                "error: Invalid value for environment variable NO_RATE_LIMITS: 'yes' (must be true or false)\n");
        assertBad(Map.of(), "error: Invalid channel name for --channels: general (must be # and 1-31 of A-Z a-z 0-9 _ -)\n",
                "--channels", "#ok,general");
        assertBad(Map.of("CHANNELS", "#a,#a"),
                "error: Invalid value for --channels: #a,#a (a channel is listed twice)\n");
        assertBad(Map.of(), "error: Invalid value for option '--max-channels': 2 (must be 4-2147483647)\n",
                "--max-channels", "2");
        assertEquals(2, CliRun.run("serve", "--max-proposals", "many").rc());
    }

    private static void assertBad(Map<String, String> env, String stderr, String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "serve";
        System.arraycopy(args, 0, all, 1, args.length);
        CliRun run = CliRun.run(env, all);
        assertEquals(2, run.rc(), run.err());
        assertEquals(stderr, run.err());
        assertEquals("", run.out(), "nothing is started, no banner");
    }

    @Test
    void helpShowsEveryLimitWithItsEnvironmentVariable() {
        CliRun run = CliRun.run("serve", "--help");
        assertEquals(0, run.rc());
        for (String text : List.of("--channels", "CHANNELS", "--no-rate-limits", "NO_RATE_LIMITS",
                "--frames-per-second", "--frame-burst", "--membership-changes-per-minute",
                "--membership-changes-per-minute-per-address", "--max-connections-per-address", "--max-channels",
                "--max-channels-per-agent", "--max-channels-per-address", "--empty-channel-grace",
                "--max-members-per-channel", "--max-invites-per-channel", "--max-skills-per-agent",
                "--max-skill-registrations", "--max-pending-proposals-per-agent", "--max-pending-proposals-per-pair",
                "--max-pending-proposals-per-recipient-per-address", "--max-proposals", "--max-frame-bytes",
                "--identify-timeout", "--ping-interval", "--buffer-size", "--rate-limit-ms", "docs/limits.md")) {
            assertTrue(run.out().contains(text), text + " missing from:\n" + run.out());
        }
    }
}
