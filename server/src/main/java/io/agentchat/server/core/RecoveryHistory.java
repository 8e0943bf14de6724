package io.agentchat.server.core;

import io.agentchat.protocol.ChannelPosition;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * One channel's place in time and its recent messages, for clients that come back: every channel
 * message gets the next {@code seq} of this history's {@code epoch}, and the last ones are kept, as
 * sent, so a client that rejoins with the last position it saw gets exactly what followed. The
 * epoch is random and new with every history, so a restarted server or a reclaimed and recreated
 * channel is never mistaken for the one the client knew.
 *
 * <p>Bounded by count, by age, by its share of the byte budget and by the budget itself, which
 * every channel shares. The share is the budget divided by the channels there are, so no channel
 * can hold what the others need: a busy or hostile one gives up its own oldest messages. What is
 * kept is always a run of consecutive seqs ending at the last one: the oldest go first, and a
 * message that cannot be kept at all empties the history, so a recovery can be refused but never
 * has a hole. Guarded by its channel's lock; memory only.
 */
final class RecoveryHistory {
    private static final SecureRandom RANDOM = new SecureRandom();

    private record Kept(long seq, long at, String text, long cost) {
    }

    private final String epoch = newEpoch();
    private final ArrayDeque<Kept> kept = new ArrayDeque<>();
    private final int maxMessages;
    private final long maxAgeMillis;
    private final ByteBudget budget;
    private final long maxAnswerChars;
    private final LongSupplier share;
    private long bytes;
    private long lastSeq;

    /**
     * @param maxAnswerChars the most characters one recovery may send: the answer goes to one
     *                       socket in one piece, and more than its outgoing bound would get the
     *                       client dropped as a slow consumer, to reconnect and ask again
     * @param share          the bytes this history may hold now (the budget over the channels)
     */
    RecoveryHistory(int maxMessages, long maxAgeMillis, ByteBudget budget, long maxAnswerChars, LongSupplier share) {
        this.maxMessages = maxMessages;
        this.maxAgeMillis = maxAgeMillis;
        this.budget = budget;
        this.maxAnswerChars = maxAnswerChars;
        this.share = share;
    }

    String epoch() {
        return epoch;
    }

    /** Where the channel stands: the last seq given out (0 before the first message). */
    ChannelPosition position() {
        return new ChannelPosition(lastSeq, epoch);
    }

    /** The seq the next message gets. */
    long nextSeq() {
        return lastSeq + 1;
    }

    /** Records message {@link #nextSeq()}, sent as {@code text} at {@code now}, and keeps it if it can. */
    void append(long now, String text) {
        lastSeq++;
        expire(now);
        if (maxMessages == 0 || maxAgeMillis == 0) {
            return;
        }
        if (kept.size() == maxMessages) {
            dropOldest();
        }
        long cost = ByteBudget.cost(text);
        long mine = share.getAsLong();
        while (!kept.isEmpty() && bytes + cost > mine) {
            dropOldest();
        }
        if (cost > mine) {
            return; // nothing kept: the history now starts after this message
        }
        while (!budget.tryTake(cost)) {
            if (kept.isEmpty()) {
                return; // nothing kept: the history now starts after this message
            }
            dropOldest();
        }
        kept.addLast(new Kept(lastSeq, now, text, cost));
        bytes += cost;
    }

    /**
     * The messages after {@code since}, oldest first, or null when they cannot all be given: another
     * epoch, a seq this history has not reached, one no longer kept, or more characters of them than
     * one answer may carry.
     */
    List<String> after(ChannelPosition since, long now) {
        expire(now);
        if (!epoch.equals(since.epoch()) || since.seq() > lastSeq) {
            return null;
        }
        if (since.seq() == lastSeq) {
            return List.of();
        }
        if (kept.isEmpty() || kept.peekFirst().seq() > since.seq() + 1) {
            return null;
        }
        List<String> missed = new ArrayList<>((int) (lastSeq - since.seq()));
        long chars = 0;
        for (Kept message : kept) {
            if (message.seq() > since.seq()) {
                chars += message.text().length();
                if (chars > maxAnswerChars) {
                    return null;
                }
                missed.add(message.text());
            }
        }
        return missed;
    }

    /** Lets go of the messages older than the age bound, and of the oldest beyond its share now. */
    void expire(long now) {
        while (!kept.isEmpty() && now - kept.peekFirst().at() >= maxAgeMillis) {
            dropOldest();
        }
        long mine = share.getAsLong();
        while (bytes > mine) {
            dropOldest();
        }
    }

    /** Lets go of everything: the channel is gone. */
    void clear() {
        while (!kept.isEmpty()) {
            dropOldest();
        }
    }

    int size() {
        return kept.size();
    }

    private void dropOldest() {
        long cost = kept.removeFirst().cost();
        bytes -= cost;
        budget.giveBack(cost);
    }

    private static String newEpoch() {
        byte[] bytes = new byte[6];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
