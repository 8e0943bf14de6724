package io.agentchat.server.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * DMs for a proven identity that went away, held in memory for a short while and handed over, in
 * order, when the same key proves itself again. A mailbox opens when the identity's connection
 * closes and lasts {@code heldAge}; it is bounded in messages and bytes, and all mailboxes share one
 * byte budget. Ephemeral ids are never held for: they change on every connection.
 *
 * <p>Which session answers to an id and whether its DMs are held must change together, or a DM
 * could be held after its addressee came back, or delivered ahead of those held before it. So
 * each id has a lock ({@link #lockFor}, one of a fixed set), and routing a DM, claiming the id and
 * letting it go all happen under it; the mailbox operations below expect it held.
 */
final class HeldMessages {
    /** What became of a DM for an id nobody answers to. */
    enum Outcome { HELD, FULL, NOT_HELD }

    private static final int STRIPES = 64;

    private static final class Mailbox {
        long openedAt;
        final ArrayDeque<String> frames = new ArrayDeque<>();
        long bytes;

        Mailbox(long openedAt) {
            this.openedAt = openedAt;
        }
    }

    private final Object[] locks = new Object[STRIPES];
    private final Map<String, Mailbox> byId = new ConcurrentHashMap<>();
    private final RecoveryConfig config;
    private final ByteBudget budget;

    HeldMessages(RecoveryConfig config) {
        this.config = config;
        this.budget = new ByteBudget(config.heldBytes());
        for (int i = 0; i < STRIPES; i++) {
            locks[i] = new Object();
        }
    }

    /** The lock under which {@code id}'s routing and mailbox change. */
    Object lockFor(String id) {
        return locks[Math.floorMod(id.hashCode(), STRIPES)];
    }

    /**
     * {@code id}'s proven connection is gone: DMs to it are held from now on. A mailbox still open
     * (the identity came back but left before it got what was held) keeps its DMs and its time
     * starts again. Under {@link #lockFor}.
     */
    void open(String id, long now) {
        if (config.heldMessages() == 0 || config.heldAge().toMillis() == 0) {
            return;
        }
        Mailbox mailbox = byId.get(id);
        if (mailbox != null && !expired(mailbox, now)) {
            mailbox.openedAt = now;
            return;
        }
        discard(byId.put(id, new Mailbox(now)));
    }

    /**
     * What {@link #hold} would do with a DM to {@code id}, as far as counts tell (the bytes are
     * known only then), so a DM is refused before anything is spent on it. Under {@link #lockFor}.
     */
    Outcome expect(String id, long now) {
        Mailbox mailbox = byId.get(id);
        if (mailbox == null || expired(mailbox, now)) {
            return Outcome.NOT_HELD;
        }
        return mailbox.frames.size() < config.heldMessages() ? Outcome.HELD : Outcome.FULL;
    }

    /** Holds {@code frame} for {@code id}, if its identity went away recently. Under {@link #lockFor}. */
    Outcome hold(String id, String frame, long now) {
        Mailbox mailbox = byId.get(id);
        if (mailbox == null || expired(mailbox, now)) {
            return Outcome.NOT_HELD;
        }
        long cost = ByteBudget.cost(frame);
        if (mailbox.frames.size() >= config.heldMessages() || mailbox.bytes + cost > config.heldBytesPerAgent()
                || !budget.tryTake(cost)) {
            return Outcome.FULL;
        }
        mailbox.frames.addLast(frame);
        mailbox.bytes += cost;
        return Outcome.HELD;
    }

    /** Everything held for {@code id}, oldest first, and the mailbox closed. Under {@link #lockFor}. */
    List<String> release(String id, long now) {
        Mailbox mailbox = byId.remove(id);
        if (mailbox == null) {
            return List.of();
        }
        List<String> frames = expired(mailbox, now) ? List.of() : new ArrayList<>(mailbox.frames);
        discard(mailbox);
        return frames;
    }

    /** Closes the mailboxes whose time is up. Takes the locks itself. */
    void sweep(long now) {
        for (Map.Entry<String, Mailbox> entry : byId.entrySet()) {
            if (expired(entry.getValue(), now)) {
                synchronized (lockFor(entry.getKey())) {
                    if (byId.remove(entry.getKey(), entry.getValue())) {
                        discard(entry.getValue());
                    }
                }
            }
        }
    }

    int mailboxes() {
        return byId.size();
    }

    long bytesHeld() {
        return budget.used();
    }

    private boolean expired(Mailbox mailbox, long now) {
        return now - mailbox.openedAt >= config.heldAge().toMillis();
    }

    private void discard(Mailbox mailbox) {
        if (mailbox != null) {
            budget.giveBack(mailbox.bytes);
            mailbox.frames.clear();
            mailbox.bytes = 0;
        }
    }
}
