package io.agentchat.server.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentchat.protocol.ChannelPosition;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The channel alone, without a network: what each membership change hands to whom, and that
 * concurrent posts reach every reader in one order because the channel holds its own lock.
 */
@Timeout(30)
class ChannelTest {
    private static final long NOW = 1_000;

    /** Every write as it was queued: a JOIN's answer is one entry of several frames. */
    private static final class Recorder implements Outbound {
        final List<List<String>> writes = new ArrayList<>();

        @Override public synchronized void send(String text) { writes.add(List.of(text)); }
        @Override public synchronized void sendAll(List<String> texts) { writes.add(List.copyOf(texts)); }
        @Override public void abort() { }
        @Override public void close(int code, String reason) { }
        @Override public void ping() { }
        @Override public String remoteAddress() { return "127.0.0.1"; }

        synchronized List<String> frames() {
            List<String> frames = new ArrayList<>();
            writes.forEach(frames::addAll);
            return frames;
        }
    }

    /** Labels instead of frames, naming what the channel asked for. */
    private static final MembershipNotices NOTICES = new MembershipNotices() {
        @Override
        public List<String> answer(long now, AgentSession joiner, List<String> members, ChannelPosition position,
                                   Boolean recovered, List<String> history) {
            List<String> answer = new ArrayList<>();
            answer.add(joined(now, members, position, recovered));
            answer.addAll(history);
            answer.add("welcome " + joiner.ref());
            return answer;
        }

        @Override public String joined(long now, List<String> members, ChannelPosition position,
                                       Boolean recovered) {
            return "joined " + String.join(",", members);
        }
        @Override public boolean announced(int members) { return members <= 3; }
        @Override public String agentJoined(long now, String who) { return "agentJoined " + who; }
        @Override public String greeting(long now, String who, List<String> before) {
            return "hey " + String.join(",", before) + " meet " + who;
        }
        @Override public String agentLeft(long now, String who) { return "agentLeft " + who; }
        @Override public String presenceChanged(long now, String who, String presence, String statusText) {
            return "presence " + who + " " + presence;
        }
        @Override public String left(long now) { return "left"; }
    };


    private static AgentSession session(Recorder out, String id, String pubkey) {
        RateLimiter none = new RateLimiter(Clock.systemUTC(), Duration.ZERO, 1);
        AgentSession session = new AgentSession(out, "localhost", 0, none, none, none);
        session.identify(id, id, pubkey, null);
        return session;
    }

    private static Channel channel() {
        return new Channel("#general", false, null, null, true, 1, 10, history(), null, null, 10, NOW);
    }

    private static Channel.Entry join(Channel channel, AgentSession session) {
        return channel.join(session, null, 100, () -> NOW, () -> { }, NOTICES);
    }

    private static RecoveryHistory history() {
        return new RecoveryHistory(100, 60_000, new ByteBudget(1 << 20), 1 << 20, () -> 1 << 20);
    }

    @Test
    void aJoinIsAnnouncedThenAnsweredInOneWriteThenGreeted() {
        Channel channel = channel();
        Recorder aOut = new Recorder();
        Recorder bOut = new Recorder();
        AgentSession a = session(aOut, "a", null);
        AgentSession b = session(bOut, "b", null);
        assertEquals(Channel.Entry.ENTERED, join(channel, a));
        assertTrue(channel.post(a, () -> NOW, (now, position) -> "{\"m\":1}", unsure -> { }));

        assertEquals(Channel.Entry.ENTERED, join(channel, b));

        assertEquals(List.of("agentJoined @b", "hey @a meet @b"), aOut.frames().subList(3, 5));
        assertEquals(List.of(List.of("joined @a,@b", "{\"m\":1,\"replay\":true}", "welcome @b")), bOut.writes);
        assertEquals(Channel.Entry.ALREADY_READER, join(channel, b));
        assertEquals("joined @a,@b", bOut.frames().get(3));
    }

    @Test
    void anUnseenReaderReceivesButIsNeitherListedNorAnnouncedUntilRevealed() {
        Channel channel = channel();
        Recorder aOut = new Recorder();
        Recorder keyOut = new Recorder();
        AgentSession a = session(aOut, "a", null);
        AgentSession unproven = session(keyOut, "k", "a public key");
        join(channel, a);

        assertEquals(Channel.Entry.ENTERED, join(channel, unproven));
        assertEquals(List.of(a), channel.members());
        assertEquals(List.of("joined @a", "welcome @a"), aOut.frames());
        assertTrue(channel.post(a, () -> NOW, (now, position) -> "{\"m\":2}", unsure -> { }));
        assertEquals("{\"m\":2}", keyOut.frames().get(2));

        unproven.markProven();
        channel.reveal(unproven, () -> NOW, NOTICES);
        assertEquals(List.of(a, unproven), channel.members());
        assertEquals(List.of("agentJoined @k", "hey @a meet @k"), aOut.frames().subList(3, 5));
    }

    @Test
    void aLeaveTellsTheRestAndAlwaysAnswersLeft() {
        Channel channel = channel();
        Recorder aOut = new Recorder();
        Recorder bOut = new Recorder();
        AgentSession a = session(aOut, "a", null);
        AgentSession b = session(bOut, "b", null);
        join(channel, a);
        join(channel, b);
        List<String> charged = new ArrayList<>();

        channel.leave(b, () -> NOW, () -> charged.add("b"), NOTICES);
        channel.leave(b, () -> NOW, () -> charged.add("again"), NOTICES);

        assertEquals(List.of("b"), charged);
        assertEquals("agentLeft @b", aOut.frames().get(aOut.frames().size() - 1));
        assertEquals(List.of("left", "left"), bOut.frames().subList(2, 4));
        assertEquals(List.of(a), channel.members());
        assertTrue(b.channels().isEmpty());
    }

    @Test
    void aSessionClosedDuringItsJoinLeavesNothingBehind() {
        Channel channel = channel();
        Recorder out = new Recorder();
        AgentSession closing = session(out, "a", null);
        closing.markClosed();

        assertEquals(Channel.Entry.CLOSED, join(channel, closing));

        assertTrue(channel.members().isEmpty());
        assertTrue(closing.channels().isEmpty());
        assertTrue(out.writes.isEmpty());
        assertFalse(channel.reclaimIfIdle(NOW, 0), "a default channel is never reclaimed");
    }

    @Test
    void anEmptyCreatedChannelIsReclaimedAfterItsGraceAndThenRefusesJoins() {
        Channel channel = new Channel("#mine", false, "a", "127.0.0.1", false, 2, 10, history(), null, null, 10, NOW);
        AgentSession a = session(new Recorder(), "a", null);
        assertTrue(channel.enterAsCreator(a, () -> NOW, NOTICES));
        channel.drop(a, () -> NOW + 5, NOTICES);

        assertFalse(channel.reclaimIfIdle(NOW + 9, 5));
        assertTrue(channel.reclaimIfIdle(NOW + 10, 5));
        assertEquals(Channel.Entry.GONE, join(channel, a));
    }

    @Test
    void concurrentPostsReachEveryReaderInOneOrder() throws Exception {
        Channel channel = channel();
        List<Recorder> outs = new ArrayList<>();
        List<AgentSession> posters = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Recorder out = new Recorder();
            outs.add(out);
            AgentSession session = session(out, "s" + i, null);
            posters.add(session);
            join(channel, session);
        }
        List<Integer> before = new ArrayList<>();
        outs.forEach(out -> before.add(out.frames().size()));
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(posters.size());
        try {
            List<Future<?>> done = new ArrayList<>();
            for (AgentSession poster : posters) {
                done.add(pool.submit(() -> {
                    start.await();
                    for (int n = 0; n < 500; n++) {
                        int k = n;
                        channel.post(poster, () -> NOW, (now, position) -> "{\"from\":\"" + poster.ref() + "\",\"n\":" + k + "}", unsure -> { });
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(20, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        List<String> first = outs.get(0).frames().subList(before.get(0), before.get(0) + 2000);
        for (int i = 1; i < outs.size(); i++) {
            List<String> frames = outs.get(i).frames();
            assertEquals(first, frames.subList(before.get(i), frames.size()), "reader " + i + " saw another order");
        }
    }
}
