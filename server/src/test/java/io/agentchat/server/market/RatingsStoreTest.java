package io.agentchat.server.market;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentchat.json.IsoTime;
import io.agentchat.reputation.Rating;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class RatingsStoreTest {
    @TempDir
    Path dir;

    private void copyFixture() throws Exception {
        try (InputStream in = getClass().getResourceAsStream("/market/ratings-reference.json")) {
            Files.write(dir.resolve("ratings.json"), in.readAllBytes());
        }
    }

    @Test
    void aFileInTheReferencesFormatLoads() throws Exception {
        copyFixture();
        try (RatingsStore store = RatingsStore.open(dir, 100)) {
            assertEquals(new Rating(1322, 42, "2026-11-25T03:15:21.525Z"), store.get("@857005ba"));
            assertEquals(new Rating(1509, 122, "2026-11-25T03:15:21.525Z"), store.get("@8183df36"));
            // the original wrote a NaN rating as null: that agent starts again from 1200
            assertEquals(1200, store.get("@nanagent").rating());
            assertEquals(Rating.NEW, store.get("@unknown"));
        }
    }

    @Test
    void writesTheReferencesLayoutAtomicallyWithOwnerOnlyMode() throws Exception {
        try (RatingsStore store = RatingsStore.open(dir, 100)) {
            store.putAll(Map.of("@857005ba", new Rating(1212, 1, "2026-11-25T03:15:21.525Z")));
            store.flush().get(5, TimeUnit.SECONDS);
        }
        Path file = dir.resolve("ratings.json");
        assertEquals("{\n  \"@857005ba\": {\n    \"rating\": 1212,\n    \"transactions\": 1,\n"
                + "    \"updated\": \"2026-11-25T03:15:21.525Z\"\n  }\n}", Files.readString(file));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "no temporary file is left behind");
        }
    }

    @Test
    void roundTripKeepsTheBytesOfAReferenceFile() throws Exception {
        printfFixture();
        String before = Files.readString(dir.resolve("ratings.json"));
        try (RatingsStore store = RatingsStore.open(dir, 100)) {
            store.putAll(Map.of("@857005ba", store.get("@857005ba")));
            store.flush().get(5, TimeUnit.SECONDS);
        }
        assertEquals(before, Files.readString(dir.resolve("ratings.json")));
    }

    private void printfFixture() throws Exception {
        Files.writeString(dir.resolve("ratings.json"), "{\n  \"@857005ba\": {\n    \"rating\": 1322,\n"
                + "    \"transactions\": 42,\n    \"updated\": \"2026-11-25T03:15:21.525Z\"\n  },\n  \"@8183df36\": {\n"
                + "    \"rating\": 1509,\n    \"transactions\": 122,\n    \"updated\": \"2026-11-25T03:15:21.525Z\"\n  }\n}");
    }

    @Test
    void aCorruptFileFailsWithOneLineNamingItAndIsNotOverwritten() throws Exception {
        Path file = dir.resolve("ratings.json");
        Files.writeString(file, "{\"@a\": {\"rating\": 12");
        RatingsFileException e = assertThrows(RatingsFileException.class, () -> RatingsStore.open(dir, 100));
        assertTrue(e.getMessage().contains(file.toAbsolutePath().toString()), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        assertEquals("{\"@a\": {\"rating\": 12", Files.readString(file));

        Files.writeString(file, "[1,2]");
        assertThrows(RatingsFileException.class, () -> RatingsStore.open(dir, 100));
        Files.writeString(file, "{\"@a\": {\"rating\": \"high\"}}");
        assertThrows(RatingsFileException.class, () -> RatingsStore.open(dir, 100));
    }

    @Test
    void concurrentUpdatesAreSerialisedAndNoneIsLost() throws Exception {
        int writers = 8;
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        try (RatingsStore store = RatingsStore.open(dir, 100)) {
            for (int i = 0; i < writers; i++) {
                String id = "@agent" + i;
                Thread t = new Thread(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int n = 1; n <= 50; n++) {
                        store.putAll(Map.of(id, new Rating(1200 + n, n, IsoTime.format(n))));
                    }
                });
                t.start();
                threads.add(t);
            }
            start.countDown();
            for (Thread t : threads) {
                t.join(10_000);
            }
            store.flush().get(5, TimeUnit.SECONDS);
        }
        try (RatingsStore reread = RatingsStore.open(dir, 100)) {
            for (int i = 0; i < writers; i++) {
                assertEquals(new Rating(1250, 50, "1970-01-01T00:00:00.050Z"), reread.get("@agent" + i));
            }
        }
    }

    @Test
    void theStoreIsBounded() {
        try (RatingsStore store = RatingsStore.open(dir, 2)) {
            store.putAll(Map.of("@a", Rating.NEW, "@b", Rating.NEW));
            assertThrows(IllegalStateException.class, () -> store.putAll(Map.of("@c", Rating.NEW)));
            store.putAll(Map.of("@a", new Rating(1300, 1, null)));
            assertEquals(1300, store.get("@a").rating());
        }
    }
}
