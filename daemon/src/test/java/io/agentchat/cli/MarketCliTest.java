package io.agentchat.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentchat.client.AgentChatClient;
import io.agentchat.client.ClientOptions;
import io.agentchat.client.Connection;
import io.agentchat.client.FrameListener;
import io.agentchat.identity.Identity;
import io.agentchat.identity.IdentityFile;
import io.agentchat.protocol.ClientFrame;
import io.agentchat.protocol.ServerFrame;
import io.agentchat.server.AgentChatServer;
import io.agentchat.server.ServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The marketplace commands in-process, two agents with real keys against a real server. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class MarketCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PROPOSAL_ID = Pattern.compile("  ID: (prop_\\S+)");

    @TempDir
    Path dir;
    private AgentChatServer server;
    private AgentChatClient client;
    private String url;
    private Identity aliceKey;
    private Identity bobKey;
    private String alice;
    private String bob;
    private String bobRef;

    @BeforeEach
    void start() throws Exception {
        server = new AgentChatServer(ServerConfig.builder().host("127.0.0.1").port(0)
                .rateLimit(Duration.ZERO).dataDir(dir.resolve("server")).build()).start();
        url = server.uri().toString();
        client = new AgentChatClient(ClientOptions.defaults().withAnswerVerifications(true));
        aliceKey = Identity.generate("alice", Clock.systemUTC());
        bobKey = Identity.generate("bob", Clock.systemUTC());
        alice = dir.resolve("alice.json").toString();
        bob = dir.resolve("bob.json").toString();
        IdentityFile.save(Path.of(alice), aliceKey, false);
        IdentityFile.save(Path.of(bob), bobKey, false);
        bobRef = "@" + bobKey.agentId();
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    /** Bob online, as a daemon would be: a key, auto-answered verification, frames recorded. */
    private Connection bobOnline(List<String> frames) {
        return client.connect(server.uri(), "bob", bobKey, new FrameListener() {
            @Override
            public void onFrame(ServerFrame frame, String rawText) {
                frames.add(rawText);
            }
        });
    }

    private String propose(String... extra) {
        String[] args = new String[7 + extra.length];
        System.arraycopy(new String[] {"propose", url, bobKey.agentId(), "write a haiku", "-i", alice, "--timeout=5"},
                0, args, 0, 7);
        System.arraycopy(extra, 0, args, 7, extra.length);
        CliRun run = CliRun.run(args);
        assertEquals(0, run.rc(), run.err());
        Matcher m = PROPOSAL_ID.matcher(run.out());
        assertTrue(m.find(), run.out());
        return m.group(1);
    }

    @Test
    void fullLifecycleAcrossTwoAgentsWithExitCodes() throws Exception {
        List<String> bobFrames = new CopyOnWriteArrayList<>();
        bobOnline(bobFrames);
        CliRun proposed = CliRun.run("propose", url, bobKey.agentId(), "write a haiku", "-i", alice, "-a", "5", "-c", "TEST");
        assertEquals(0, proposed.rc(), proposed.err());
        Matcher m = PROPOSAL_ID.matcher(proposed.out());
        assertTrue(m.find(), proposed.out());
        String id = m.group(1);
        List<String> lines = proposed.out().lines().toList();
        assertEquals(List.of("Proposal sent:", "  ID: " + id, "  To: " + bobRef, "  Task: write a haiku", "  Amount: 5 TEST"),
                lines.subList(0, 5));
        assertTrue(lines.get(5).matches("  Expires: \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"), lines.get(5));
        assertEquals(List.of("", "Use this ID to track responses."), lines.subList(6, 8));
        await().atMost(Duration.ofSeconds(5)).until(() -> bobFrames.stream().anyMatch(f -> f.contains(id)));

        // No --elo-stake, and it works: absent fields are omitted, not sent as null.
        assertEquals(new CliRun(0, "Proposal accepted:\n  Proposal ID: " + id + "\n  Status: accepted\n", ""),
                CliRun.run("accept", url, id, "-i", bob));
        assertEquals(new CliRun(1, "", "Error: PROPOSAL_NOT_PENDING\n"), CliRun.run("accept", url, id, "-i", bob));
        assertEquals(new CliRun(1, "", "Error: PROPOSAL_NOT_PENDING\n"), CliRun.run("reject", url, id, "-i", bob, "-r", "late"));
        assertEquals(new CliRun(0, "Proposal completed:\n  Proposal ID: " + id + "\n  Status: completed\n", ""),
                CliRun.run("complete", url, id, "-i", alice, "-p", "tx:abc"));
        assertEquals(new CliRun(1, "", "Error: PROPOSAL_NOT_ACCEPTED\n"), CliRun.run("complete", url, id, "-i", bob));
        assertEquals(new CliRun(1, "", "Error: PROPOSAL_NOT_ACCEPTED\n"),
                CliRun.run("dispute", url, id, "did not deliver", "-i", bob));
        assertEquals(new CliRun(1, "", "Error: PROPOSAL_NOT_FOUND\n"), CliRun.run("complete", url, "prop_nope", "-i", bob));
        assertEquals(new CliRun(1, "", "Error: Proposal not found\n"), CliRun.run("accept", url, "prop_nope", "-i", bob));
        assertEquals(new CliRun(1, "", "Error: Dispute reason is required\n"),
                CliRun.run("dispute", url, id, " ", "-i", bob));

        // The server's ledger moved: 1200/1200, K 32, m = 1 + log10(6) = 1.778: full = round(32 * 1.778 * 0.5) = 28 → +14.
        Path serverRatings = dir.resolve("server").resolve("ratings.json");
        await().atMost(Duration.ofSeconds(5)).until(() -> Files.exists(serverRatings));
        CliRun ratings = CliRun.run("ratings", "-i", alice, "--file", serverRatings.toString());
        assertEquals(0, ratings.rc(), ratings.err());
        assertTrue(ratings.out().startsWith("Your rating (@" + aliceKey.agentId() + "):\n  Rating: 1214\n"
                + "  Transactions: 1\n  Last updated: "), ratings.out());
        assertTrue(ratings.out().contains("  K-factor: 32\n\nRatings file: " + serverRatings), ratings.out());
    }

    @Test
    void rejectAndDisputeAndStakes() throws Exception {
        bobOnline(new CopyOnWriteArrayList<>());
        String rejected = propose();
        assertEquals(new CliRun(0, "Proposal rejected:\n  Proposal ID: " + rejected + "\n  Status: rejected\n", ""),
                CliRun.run("reject", url, rejected, "-i", bob, "-r", "too busy"));
        bobOnline(new CopyOnWriteArrayList<>());
        String staked = propose("-s", "50");
        assertEquals(new CliRun(0, "Proposal accepted:\n  Proposal ID: " + staked + "\n  Status: accepted\n"
                + "  Proposer Stake: 50 ELO\n  Your Stake: 20 ELO\n", ""), CliRun.run("accept", url, staked, "-i", bob, "-s", "20"));
        assertEquals(new CliRun(0, "Proposal disputed:\n  Proposal ID: " + staked + "\n  Status: disputed\n"
                + "  Reason: not delivered\n", ""), CliRun.run("dispute", url, staked, "not delivered", "-i", alice));
        assertEquals(new CliRun(1, "", "Error: Agent @nobody00 not found\n"),
                CliRun.run("propose", url, "@nobody00", "x", "-i", alice));
        assertEquals(2, CliRun.run("propose", url, "@nobody00", "x", "-i", alice, "-a", "abc").rc());
        assertEquals(new CliRun(1, "", "Error: Identity file not found: " + dir.resolve("none.json") + "\n"),
                CliRun.run("accept", url, staked, "-i", dir.resolve("none.json").toString()));
    }

    @Test
    void verifySucceedsAgainstAnAutoAnsweringAgentAndFailsOnABadAnswer() throws Exception {
        bobOnline(new CopyOnWriteArrayList<>());
        CliRun verified = CliRun.run("verify", url, bobKey.agentId(), "-i", alice);
        StringBuilder expected = new StringBuilder("Verifying identity of " + bobKey.agentId() + "...\nIdentity verified!\n"
                + "  Agent: " + bobRef + "\n  Public Key:\n");
        for (String line : bobKey.pubkey().split("\n", -1)) {
            expected.append("    ").append(line).append('\n');
        }
        assertEquals(new CliRun(0, expected.toString(), ""), verified);

        // A liar: answers every challenge with a signature that is not bob's.
        Identity mallory = Identity.generate("mallory", Clock.systemUTC());
        AtomicReference<Connection> liar = new AtomicReference<>();
        try (AgentChatClient plain = new AgentChatClient()) {
            liar.set(plain.connect(server.uri(), "mallory", mallory, new FrameListener() {
                @Override
                public void onFrame(ServerFrame frame, String rawText) {
                    if (frame instanceof ServerFrame.VerifyRequest v && v.isChallenge() && !"@server".equals(v.from())) {
                        liar.get().sendFrame(new ClientFrame.VerifyResponse(v.requestId(), v.nonce(), bobKey.sign(v.nonce())));
                    }
                }
            }));
            CliRun failed = CliRun.run("verify", url, "@" + mallory.agentId(), "-i", alice);
            assertEquals(new CliRun(1, "Verifying identity of @" + mallory.agentId() + "...\nVerification failed!\n"
                    + "  Target: @" + mallory.agentId() + "\n  Reason: Signature verification failed\n", ""), failed);
        }
        assertEquals(new CliRun(1, "Verifying identity of nobody00...\n", "Error: Agent @nobody00 not found\n"),
                CliRun.run("verify", url, "nobody00", "-i", alice));
    }

    @Test
    void skillsAnnounceSearchFiltersJsonAndList() throws Exception {
        assertEquals(new CliRun(0, "Registered 1 skill(s) for @" + aliceKey.agentId() + "\n", ""),
                CliRun.run("skills", "announce", url, "-i", alice, "-c", "code_review", "-r", "5", "--description", "Reviews code"));
        Path yaml = dir.resolve("skills.yaml");
        Files.writeString(yaml, "# bob's skills\nskills:\n  - capability: solana_transfer\n    rate: 0.5\n"
                + "    currency: SOL\n  - capability: 'code_golf'\n    description: \"tiny # programs\"\n");
        assertEquals(new CliRun(0, "Registered 2 skill(s) for " + bobRef + "\n", ""),
                CliRun.run("skills", "announce", url, "-i", bob, "-f", yaml.toString()));

        // No currency filter unless asked for (the original forced one), so the SOL skill is found.
        CliRun all = CliRun.run("skills", "search", url, "-c", "SOL");
        assertEquals(new CliRun(0, "Found 1 skill(s) (1 total):\n\n  " + bobRef + "\n    Capability: solana_transfer\n"
                + "    Rate: 0.5 SOL\n\n", ""), all);
        CliRun test = CliRun.run("skills", "search", url, "--currency", "test", "--json");
        assertEquals(0, test.rc(), test.err());
        JsonNode results = JSON.readTree(test.out());
        assertEquals(2, results.size(), "code_review (TEST) and code_golf (no currency)");
        assertEquals(5, results.get(0).path("rate").asInt() + results.get(1).path("rate").asInt());
        assertEquals(1200, results.get(0).get("rating").asInt());
        CliRun capped = CliRun.run("skills", "search", url, "--max-rate", "1", "-l", "1");
        assertTrue(capped.out().startsWith("Found 1 skill(s) (2 total):"), capped.out());

        CliRun list = CliRun.run("skills", "list", url, "-i", bob);
        assertEquals(new CliRun(0, "Skills registered for " + bobRef + " (2):\n\n    Capability: solana_transfer\n"
                + "    Rate: 0.5 SOL\n\n    Capability: code_golf\n    Rate: negotiable\n    Description: tiny # programs\n\n", ""),
                list);
        assertEquals(new CliRun(1, "", "Either --file or --capability required\n"), CliRun.run("skills", "announce", url, "-i", bob));
        assertEquals(new CliRun(1, "", "Server URL required: agentchat skills search <server>\n"), CliRun.run("skills", "search"));
        assertEquals(new CliRun(1, "", "Unknown action: foo\nValid actions: announce, search, list\n"),
                CliRun.run("skills", "foo", url));
        Files.writeString(yaml, "skills:\n  - capability: x\n    nested:\n      deep: 1\n");
        CliRun bad = CliRun.run("skills", "announce", url, "-i", bob, "-f", yaml.toString());
        assertEquals(1, bad.rc());
        assertTrue(bad.err().startsWith("Error: Unsupported YAML in " + yaml + " at line 4"), bad.err());
    }
}
