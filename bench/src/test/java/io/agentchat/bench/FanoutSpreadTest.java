package io.agentchat.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentchat.server.AgentChatServer;
import io.agentchat.server.RedisProcess;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * {@code fanout --spread}: the agents go to the relays in turn. Over two relays of one cluster (a
 * real redis-server) every subscriber gets every message; over two relays that are not a cluster
 * the same run loses the other relay's publisher, which shows the agents really were spread.
 * Nothing here looks at a time or a rate.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FanoutSpreadTest {
    private static final Pattern DELIVERED = Pattern.compile(
            "delivered (\\S+) in all \\(warm-up included\\); lost (\\S+)  duplicated 0  reordered 0  malformed 0");

    @Test
    void agentsSpreadOverTwoRelaysOfOneClusterGetEveryMessageOnce() throws Exception {
        try (RedisProcess redis = RedisProcess.start();
             AgentChatServer a = relay(redis.uri());
             AgentChatServer b = relay(redis.uri())) {
            String out = run(0, "--spread", a.uri() + "," + b.uri());
            Matcher delivered = DELIVERED.matcher(out);
            assertTrue(delivered.find(), out);
            // 4 subscribers x 2 publishers x 20 msg/s x 2 s
            assertEquals("320", delivered.group(1), out);
            assertEquals("0", delivered.group(2), out);
            assertTrue(out.contains("2 relays, agents spread over them in turn"), out);
        }
    }

    @Test
    void agentsSpreadOverTwoRelaysThatAreNotAClusterMissTheOtherRelaysPublisher() throws Exception {
        try (AgentChatServer a = relay(null); AgentChatServer b = relay(null)) {
            String out = run(3, "--target", "apart=" + a.uri() + "+" + b.uri());
            Matcher delivered = DELIVERED.matcher(out);
            assertTrue(delivered.find(), out);
            // subscribers 0 and 2 and publisher 0 are on a, the others on b: each gets only its relay's half
            assertEquals("160", delivered.group(1), out);
            assertEquals("160", delivered.group(2), out);
        }
    }

    @Test
    void aChannelThatIsNotAChannelNameIsRefused() {
        StringWriter err = new StringWriter();
        int exit = new CommandLine(new BenchMain()).setOut(new PrintWriter(new StringWriter())).setErr(new PrintWriter(err))
                .execute("fanout", "--stub", "--channel", "general");
        assertTrue(exit != 0, err.toString());
        assertTrue(err.toString().contains("--channel must be a channel name such as #bench, got 'general'"), err.toString());
    }

    /** Our relay with the bench's limits, no replay on JOIN, in the cluster at {@code redis} (or alone if null). */
    private static AgentChatServer relay(URI redis) throws Exception {
        return new AgentChatServer(Target.benchConfigBuilder(0, "127.0.0.1", 4 << 20).bufferSize(0).cluster(redis).build())
                .start();
    }

    private static String run(int expectedExit, String... target) {
        List<String> args = new ArrayList<>(List.of("fanout"));
        args.addAll(List.of(target));
        args.addAll(List.of("--channel", "#general", "--subs", "4", "--pubs", "2", "--rate", "20",
                "--seconds", "1", "--warmup", "1", "--readers", "1", "--drain", "10"));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = new CommandLine(new BenchMain()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute(args.toArray(String[]::new));
        assertEquals(expectedExit, exit, out + "\n" + err);
        return out.toString();
    }
}
