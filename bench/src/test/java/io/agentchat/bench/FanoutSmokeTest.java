package io.agentchat.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * Each scenario once, at a tiny size, against our embedded relay and the stub: it works and
 * nothing is lost. Benchmarks are not tests, so nothing here looks at a time or a rate.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FanoutSmokeTest {
    @Test
    void fanoutDeliversEverythingOnceFromOursAndFromTheStub() {
        String out = run(0, "fanout", "--target", "ours,stub", "--subs", "3", "--pubs", "1", "--rate", "20",
                "--seconds", "1", "--warmup", "1", "--readers", "1");
        // 3 subscribers x 1 publisher x 20 msg/s x 2 s, per target
        Matcher delivered = Pattern.compile("delivered (\\S+) in all \\(warm-up included\\); lost 0  duplicated 0  reordered 0  malformed 0")
                .matcher(out);
        for (int target = 0; target < 2; target++) {
            assertTrue(delivered.find(), out);
            assertEquals("120", delivered.group(1), out);
        }
        assertTrue(out.contains("disconnected subscribers: 0"), out);
        assertTrue(out.contains("ours (embedded) / stub (embedded): delivered/s"), out);
    }

    @Test
    void fanoutAgainstAStubInItsOwnListenerByUrl() throws Exception {
        try (StubRelay stub = StubRelay.start("127.0.0.1", 0)) {
            String out = run(0, "fanout", "--target", "s=" + stub.uri(), "--subs", "2", "--pubs", "2", "--rate", "20",
                    "--seconds", "1", "--warmup", "0");
            assertTrue(out.contains("delivered 80 in all (warm-up included); lost 0  duplicated 0"), out);
        }
    }

    @Test
    void idleAndJoinStormRunAgainstOursAndTheStub() {
        for (String target : new String[] {"--embedded", "--stub"}) {
            String idle = run(0, "idle", target, "--connections", "5", "--hold", "0");
            assertTrue(idle.contains("all 5 still open and answering PING"), idle);
            String storm = run(0, "joinstorm", target, "--agents", "5");
            assertTrue(storm.contains("5 joins"), storm);
        }
    }

    private static String run(int expectedExit, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = new CommandLine(new BenchMain()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
        assertEquals(expectedExit, exit, out + "\n" + err);
        return out.toString();
    }
}
