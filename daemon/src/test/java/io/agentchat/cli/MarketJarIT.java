package io.agentchat.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentchat.client.AgentChatClient;
import io.agentchat.client.ClientOptions;
import io.agentchat.client.Connection;
import io.agentchat.identity.Identity;
import io.agentchat.identity.IdentityFile;
import io.agentchat.server.AgentChatServer;
import io.agentchat.server.ServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The marketplace through the shaded jar: propose, accept, complete and ratings, with real exit codes. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class MarketJarIT {

    @TempDir
    Path dir;

    @Test
    void proposeAcceptCompleteAndRatingsThroughTheJar() throws Exception {
        Path data = dir.resolve("server-data");
        try (AgentChatServer server = new AgentChatServer(ServerConfig.builder().host("127.0.0.1").port(0)
                .rateLimit(Duration.ZERO).dataDir(data).build()).start();
             AgentChatClient client = new AgentChatClient(ClientOptions.defaults())) {
            String url = server.uri().toString();
            Path aliceDir = Files.createDirectories(dir.resolve("alice"));
            Path bobDir = Files.createDirectories(dir.resolve("bob"));
            // Each persona in its own directory, with the default ./.agentchat/identity.json.
            Identity alice = Identity.generate("alice", Clock.systemUTC());
            Identity bob = Identity.generate("bob", Clock.systemUTC());
            IdentityFile.save(aliceDir.resolve(".agentchat/identity.json"), alice, false);
            IdentityFile.save(bobDir.resolve(".agentchat/identity.json"), bob, false);
            Connection bobOnline = client.connect(server.uri(), "bob", bob);

            CliRun proposed = JarProcess.run(aliceDir, "propose", url, bob.agentId(), "write a haiku", "-a", "2");
            assertEquals(0, proposed.rc(), proposed.err());
            Matcher m = Pattern.compile("  ID: (prop_\\S+)").matcher(proposed.out());
            assertTrue(m.find(), proposed.out());
            String id = m.group(1);
            assertTrue(proposed.out().contains("  Amount: 2 \n"), proposed.out());

            assertEquals(new CliRun(0, "Proposal accepted:\n  Proposal ID: " + id + "\n  Status: accepted\n", ""),
                    JarProcess.run(bobDir, "accept", url, id));
            assertTrue(bobOnline.closed().get(10, TimeUnit.SECONDS).code() == 1000, "the CLI took the identity over");
            assertEquals(new CliRun(1, "", "Error: PROPOSAL_NOT_PENDING\n"), JarProcess.run(bobDir, "accept", url, id));
            assertEquals(new CliRun(0, "Proposal completed:\n  Proposal ID: " + id + "\n  Status: completed\n", ""),
                    JarProcess.run(aliceDir, "complete", url, id, "-p", "tx:abc"));

            // The server's ratings file, read by the CLI: 1200/1200, amount 2 (m 1.477): +12 each (docs/protocol.md §9.3).
            Path ratings = data.resolve("ratings.json");
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(ratings)
                    && Files.readString(ratings).contains("1212"));
            CliRun own = JarProcess.run(aliceDir, "ratings", "--file", ratings.toString());
            assertEquals(0, own.rc(), own.err());
            assertTrue(own.out().startsWith("Your rating (@" + alice.agentId() + "):\n  Rating: 1212\n  Transactions: 1\n"),
                    own.out());
            CliRun none = JarProcess.run(aliceDir, "ratings");
            assertTrue(none.out().startsWith("Your rating (@" + alice.agentId() + "):\n  Rating: 1200 (new agent)\n"),
                    "the local ledger is not the server's: " + none.out());
        }
    }
}
