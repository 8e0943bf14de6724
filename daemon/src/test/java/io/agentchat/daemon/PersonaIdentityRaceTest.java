package io.agentchat.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.agentchat.identity.Identity;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two starts of one new persona at once (two {@code agentchat mcp} an MCP host launched together, or
 * {@code agentchat mcp} and {@code agentchat daemon}): both find no identity file and generate one.
 * The file is created without replacing (a hard link), so one of them finds it already there; it
 * must then use that identity, not fail with "identity exists".
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PersonaIdentityRaceTest {

    private static final int STARTS = 4;
    private static final int ROUNDS = 25;

    @TempDir
    Path dir;

    /** Failed before: IdentityExistsException for every start but the first to link its file. */
    @Test
    void simultaneousFirstStartsAllGetTheOneIdentityWritten() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(STARTS);
        try {
            for (int round = 0; round < ROUNDS; round++) {
                Path file = dir.resolve("p" + round).resolve("identity.json");
                CyclicBarrier together = new CyclicBarrier(STARTS);
                Callable<Identity> start = () -> {
                    together.await(10, TimeUnit.SECONDS);
                    return PersonaIdentity.loadOrCreate(file, "p", true, Clock.systemUTC());
                };
                List<Future<Identity>> starts = new ArrayList<>();
                for (int i = 0; i < STARTS; i++) {
                    starts.add(threads.submit(start));
                }
                String first = starts.get(0).get().agentId();
                for (Future<Identity> other : starts) {
                    assertEquals(first, other.get().agentId(), "round " + round);
                }
            }
        } finally {
            threads.shutdownNow();
        }
    }
}
