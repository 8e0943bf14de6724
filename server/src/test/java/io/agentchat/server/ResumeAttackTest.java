package io.agentchat.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentchat.server.core.RecoveryConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Review 10 attacks on seq/epoch and resume (docs/protocol.md §7.10). */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ResumeAttackTest extends ServerHarness {

    private static String msg(String to, String content) {
        return "{\"type\":\"MSG\",\"to\":\"" + to + "\",\"content\":\"" + content + "\"}";
    }

    private static String resume(String channel, long since, String epoch) {
        return "{\"type\":\"JOIN\",\"channel\":\"" + channel + "\",\"since\":" + since + ",\"epoch\":\"" + epoch + "\"}";
    }

    /**
     * A channel holds at most its share of the recovery budget (the budget over the channels), so
     * one party posting into its own channel cannot take the bytes every other channel needs to be
     * resumed. Before the fix the pool had no shares and this test failed (found by a hostile review).
     */
    @Test
    void oneChannelHoldsTheWholeRecoveryBudgetAndEveryOtherChannelRecoversNothing() throws Exception {
        RecoveryConfig d = RecoveryConfig.defaults();
        start(config().noRateLimits().recovery(new RecoveryConfig(d.historyMessages(), d.historyAge(), 40_000,
                d.heldMessages(), d.heldAge(), d.heldBytesPerAgent(), d.heldBytes())).build());
        try (TestAgent spammer = ephemeral("spammer"); TestAgent a = joined("a", "#general");
             TestAgent b = ephemeral("b")) {
            spammer.send("{\"type\":\"CREATE_CHANNEL\",\"channel\":\"#spam\",\"invite_only\":false}");
            spammer.await("JOINED");
            String filler = "s".repeat(900);
            for (int i = 0; i < 40; i++) {
                spammer.send(msg("#spam", filler + i));
            }
            spammer.await("MSG", f -> (filler + 39).equals(f.path("content").asText()));

            b.send("{\"type\":\"JOIN\",\"channel\":\"#general\"}");
            JsonNode joined = b.await("JOINED");
            b.drainUntilPong();
            long since = joined.get("seq").asLong();
            String epoch = joined.get("epoch").asText();
            b.close();

            a.send(msg("#general", "b must not miss this " + "v".repeat(1000)));
            a.await("MSG", f -> f.path("content").asText().startsWith("b must not miss this"));
            spammer.send(msg("#spam", filler + "keep-holding"));
            spammer.await("MSG", f -> (filler + "keep-holding").equals(f.path("content").asText()));

            try (TestAgent back = ephemeral("b2")) {
                back.send(resume("#general", since, epoch));
                JsonNode answer = back.await("JOINED");
                assertTrue(answer.get("recovered").asBoolean(),
                        "#general kept nothing: another channel holds the whole --history-bytes pool: " + answer);
            }
        }
    }

    /**
     * Holds (kept as a regression test): several publishers posting at once into one channel; every
     * reader sees seqs 1..N consecutive, in the same order, with the same seq for the same text.
     */
    @Test
    void concurrentPublishersGiveEveryReaderTheSameGaplessSeqs() throws Exception {
        start(config().noRateLimits().build());
        int publishers = 4;
        int each = 150;
        List<TestAgent> pubs = new ArrayList<>();
        List<TestAgent> readers = new ArrayList<>();
        for (int i = 0; i < publishers; i++) {
            pubs.add(joined("p" + i, "#general"));
        }
        for (int i = 0; i < 3; i++) {
            readers.add(joined("r" + i, "#general"));
        }
        for (TestAgent p : pubs) {
            p.drainUntilPong();
        }
        for (TestAgent r : readers) {
            r.drainUntilPong();
        }
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < publishers; i++) {
            TestAgent p = pubs.get(i);
            int n = i;
            Thread t = new Thread(() -> {
                try {
                    go.await();
                    for (int k = 0; k < each; k++) {
                        p.send(msg("#general", "p" + n + "-" + k));
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            t.start();
            threads.add(t);
        }
        go.countDown();
        for (Thread t : threads) {
            t.join();
        }
        Map<Long, String> first = null;
        for (TestAgent r : readers) {
            Map<Long, String> bySeq = new HashMap<>();
            long expected = 1;
            for (int k = 0; k < publishers * each; k++) {
                JsonNode m = r.await("MSG", f -> f.has("seq"));
                assertEquals(expected++, m.get("seq").asLong(), "gap or duplicate at reader " + r.id);
                bySeq.put(m.get("seq").asLong(), m.get("content").asText());
            }
            if (first == null) {
                first = bySeq;
            } else {
                assertEquals(first, bySeq);
            }
        }
        for (TestAgent t : pubs) {
            t.close();
        }
        for (TestAgent t : readers) {
            t.close();
        }
    }

    /**
     * Holds: a private channel reclaimed and recreated under the same name by someone else starts a
     * new epoch; a former member resuming with the old epoch gets recovered:false, never the old text.
     */
    @Test
    void aRecreatedChannelNeverRecoversTheOldOnesHistory() throws Exception {
        start(config().noRateLimits().emptyChannelGrace(Duration.ofMillis(200)).build());
        long since;
        String epoch;
        try (TestAgent owner = ephemeral("owner")) {
            owner.send("{\"type\":\"CREATE_CHANNEL\",\"channel\":\"#priv\",\"invite_only\":true}");
            JsonNode joined = owner.await("JOINED");
            since = joined.get("seq").asLong();
            epoch = joined.get("epoch").asText();
            owner.send(msg("#priv", "old secret"));
            owner.await("MSG", f -> "old secret".equals(f.path("content").asText()));
        }
        Thread.sleep(1500);
        try (TestAgent other = ephemeral("other")) {
            long deadline = System.currentTimeMillis() + 10_000;
            JsonNode created;
            while (true) {
                other.send("{\"type\":\"CREATE_CHANNEL\",\"channel\":\"#priv\",\"invite_only\":false}");
                created = other.next();
                if ("JOINED".equals(created.path("type").asText()) || System.currentTimeMillis() > deadline) {
                    break;
                }
                Thread.sleep(200);
            }
            assertEquals("JOINED", created.path("type").asText(), created.toString());
            try (TestAgent back = ephemeral("back")) {
                back.send(resume("#priv", since, epoch));
                JsonNode answer = back.await("JOINED");
                assertFalse(answer.get("recovered").asBoolean());
                List<JsonNode> rest = back.drainUntilPong();
                assertTrue(rest.stream().noneMatch(f -> "old secret".equals(f.path("content").asText())), rest.toString());
            }
        }
    }
}
