package io.agentchat.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentchat.server.ServerConfig;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Argument handling, help and configuration, without a network. */
class CliUsageTest {

    @Test
    void noArgumentsPrintsUsageOnStderrWithRc1() {
        CliRun run = CliRun.run();
        assertEquals(1, run.rc());
        assertEquals("", run.out());
        assertTrue(run.err().startsWith("Usage: agentchat"), run.err());
    }

    @Test
    void topLevelHelpListsEveryCommandOnceUnderItsHeading() {
        CliRun run = CliRun.run("--help");
        assertEquals(0, run.rc());
        String commands = run.out().substring(run.out().indexOf("\nServer:"), run.out().indexOf("\nExample:"));
        assertEquals("""

                Server:
                  serve     Run an AgentChat relay server.
                  discover  Discover available AgentChat servers.

                Messages:
                  send      Send one message to a #channel or an @agent.
                  listen    Join channels and print what arrives as one JSON object per line.
                  channels  List the public channels of a server.
                  agents    List the agents in a channel.
                  create    Create a channel (invite-only with --private).
                  invite    Invite an agent into an invite-only channel (you must be a member).
                  connect   Interactive session: type '#channel text' or '@agent text'; /join,
                              /leave, /channels, /quit.

                Identity:
                  identity  Manage the Ed25519 identity file that gives an agent a persistent
                              id.
                  verify    Verify another agent's identity via challenge-response.

                Daemon:
                  daemon    Keep a persona connected: frames go to inbox.jsonl, lines appended
                              to outbox.jsonl are sent.
                  mcp       Serve the chat as MCP tools on stdio for agent hosts (Claude Code).

                Marketplace:
                  propose   Send a work proposal to another agent.
                  accept    Accept a proposal.
                  reject    Reject a proposal.
                  complete  Mark a proposal as complete.
                  dispute   Dispute a proposal.
                  receipts  Show and export the completion receipts stored in this directory.
                  ratings   View and manage the local ELO ratings ledger (built from your
                              receipts).
                  skills    Manage skill discovery: announce, search, list.

                Help:
                  help      Display help information about the specified command.
                """, commands);
    }

    @Test
    void versionPrintsTheProjectVersion() {
        CliRun run = CliRun.run("--version");
        assertEquals(0, run.rc());
        assertTrue(run.out().trim().matches("\\d+\\.\\d+\\.\\d+.*"), run.out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"serve", "send", "listen", "channels", "agents", "create", "invite", "connect", "identity"})
    void everyCommandHasHelpWithAnExample(String command) {
        CliRun run = CliRun.run(command, "--help");
        assertEquals(0, run.rc());
        assertTrue(run.out().contains("Usage: agentchat " + command), run.out());
        assertTrue(run.out().contains("Example:"), run.out());
    }

    @Test
    void anUnknownCommandIsOneErrorLineWithASuggestionAndRc1() {
        CliRun run = CliRun.run("sen");
        assertEquals(1, run.rc());
        assertEquals("error: Unmatched argument at index 0: 'sen'\n(Did you mean send?)\n", run.err());
    }

    @Test
    void aMissingArgumentIsRc1() {
        CliRun run = CliRun.run("send", "ws://127.0.0.1:1");
        assertEquals(1, run.rc());
        assertTrue(run.err().startsWith("error: Missing required parameter"), run.err());
    }

    @Test
    void badNumbersAreRejectedWithRc2() {
        assertEquals(2, CliRun.run("serve", "--port", "abc").rc());
        assertEquals(2, CliRun.run("serve", "--port", "70000").rc());
        assertEquals(2, CliRun.run("serve", "--buffer-size", "-1").rc());
        assertEquals(2, CliRun.run(Map.of("PORT", "abc"), "serve").rc());
        assertEquals(2, CliRun.run(Map.of("RATE_LIMIT_MS", "fast"), "serve").rc());
        assertEquals(2, CliRun.run("listen", "ws://127.0.0.1:1", "-m", "abc").rc());
        assertEquals(2, CliRun.run("listen", "ws://127.0.0.1:1", "-m", "0").rc());
        CliRun run = CliRun.run(Map.of("PORT", "abc"), "serve");
        assertEquals("error: Invalid value for environment variable PORT: 'abc' is not an integer\n", run.err());
        assertEquals("", run.out(), "nothing is started, no banner");
    }

    @Test
    void serveTakesFlagThenEnvironmentThenDefaultAndHonoursZero() {
        ServerConfig defaults = CliRun.parse(Map.of(), RelayServerCommand.class, "serve").config();
        assertEquals(6667, defaults.port());
        assertEquals("0.0.0.0", defaults.host());
        assertEquals("agentchat", defaults.name());
        assertEquals(20, defaults.bufferSize());
        assertEquals(Duration.ofSeconds(1), defaults.rateLimit());
        assertEquals(false, defaults.logMessages());

        Map<String, String> env = Map.of("PORT", "7001", "HOST", "127.0.0.1", "SERVER_NAME", "envname",
                "MESSAGE_BUFFER_SIZE", "0", "RATE_LIMIT_MS", "0", "LOG_MESSAGES", "true");
        ServerConfig fromEnv = CliRun.parse(env, RelayServerCommand.class, "serve").config();
        assertEquals(7001, fromEnv.port());
        assertEquals("127.0.0.1", fromEnv.host());
        assertEquals("envname", fromEnv.name());
        assertEquals(0, fromEnv.bufferSize(), "MESSAGE_BUFFER_SIZE=0 disables replay");
        assertEquals(Duration.ZERO, fromEnv.rateLimit(), "RATE_LIMIT_MS=0 disables the limit");
        assertTrue(fromEnv.logMessages());

        ServerConfig flags = CliRun.parse(env, RelayServerCommand.class, "serve", "-p", "7002", "-H", "::1", "-n", "flag",
                "--buffer-size", "5", "--rate-limit-ms", "250").config();
        assertEquals(7002, flags.port());
        assertEquals("::1", flags.host());
        assertEquals("flag", flags.name());
        assertEquals(5, flags.bufferSize());
        assertEquals(Duration.ofMillis(250), flags.rateLimit());

        assertEquals(0, CliRun.parse(Map.of(), RelayServerCommand.class, "serve", "--buffer-size", "0").config().bufferSize());
    }

    @Test
    void tlsNeedsBothCertAndKey() {
        CliRun run = CliRun.run("serve", "--cert", "/nonexistent/cert.pem");
        assertEquals(1, run.rc());
        assertEquals("Error: Both --cert and --key must be provided for TLS\n", run.err());
    }

    @Test
    void anUnusableUrlIsReportedLikeTheReference() {
        CliRun run = CliRun.run("send", "notaurl", "#general", "hi");
        assertEquals(1, run.rc());
        assertEquals("Error: Invalid URL: notaurl\n", run.err());
    }

    @Test
    void serveTakesTheFrameBoundsFromFlagThenEnvironmentThenDefault() {
        ServerConfig defaults = CliRun.parse(Map.of(), RelayServerCommand.class, "serve").config();
        assertEquals(20, defaults.maxInvalidFramesPerMinute());
        assertEquals(4 * 1024 * 1024, defaults.maxOutgoingBytes());
        assertEquals(200, defaults.maxListedChannels());
        Map<String, String> env = Map.of("MAX_INVALID_FRAMES_PER_MINUTE", "0", "MAX_OUTGOING_BYTES", "65536",
                "MAX_LISTED_CHANNELS", "50");
        ServerConfig fromEnv = CliRun.parse(env, RelayServerCommand.class, "serve").config();
        assertEquals(0, fromEnv.maxInvalidFramesPerMinute(), "0 disables the check");
        assertEquals(65536, fromEnv.maxOutgoingBytes());
        assertEquals(50, fromEnv.maxListedChannels());
        ServerConfig flags = CliRun.parse(env, RelayServerCommand.class, "serve", "--max-invalid-frames-per-minute", "5",
                "--max-outgoing-bytes", "1048576", "--max-listed-channels", "7").config();
        assertEquals(5, flags.maxInvalidFramesPerMinute());
        assertEquals(1048576, flags.maxOutgoingBytes());
        assertEquals(7, flags.maxListedChannels());
        assertEquals(2, CliRun.run("serve", "--max-invalid-frames-per-minute", "-1").rc());
        assertEquals(2, CliRun.run("serve", "--max-outgoing-bytes", "100").rc());
        assertEquals(2, CliRun.run("serve", "--max-listed-channels", "0").rc());
        String help = CliRun.run("serve", "--help").out();
        assertTrue(help.contains("MAX_INVALID_FRAMES_PER_MINUTE") && help.contains("MAX_OUTGOING_BYTES")
                && help.contains("MAX_LISTED_CHANNELS"), help);
    }
}
