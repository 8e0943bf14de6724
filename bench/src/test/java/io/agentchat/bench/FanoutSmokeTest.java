package io.agentchat.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/** A one-second run of the load generator against the embedded relay: every message arrives once. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FanoutSmokeTest {
    @Test
    void tinyFanoutDeliversEverythingOnce() {
        StringWriter out = new StringWriter();
        int exit = new CommandLine(new BenchMain()).setOut(new PrintWriter(out))
                .execute("fanout", "--embedded", "--subs", "3", "--pubs", "2", "--rate", "50",
                        "--seconds", "1", "--warmup", "0", "--threads", "4");
        assertEquals(0, exit, out.toString());
        assertTrue(out.toString().contains("delivered 300 in all (warm-up included); lost 0  duplicated 0  reordered 0"),
                out.toString());
    }
}
