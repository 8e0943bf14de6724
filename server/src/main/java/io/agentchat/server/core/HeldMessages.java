package io.agentchat.server.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
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
    /**
     * What became of a DM for an id nobody answers to: held; refused because the addressee's
     * mailbox, the sender's address's share or the server's budget is full; or not held (nobody
     * went away under that id lately).
     */
    enum Outcome { HELD, FULL, SENDER_FULL, SERVER_FULL, NOT_HELD }

    private record Held(String frame, String senderId, String senderAddress, long cost) {
    }

    private static final int STRIPES = 64;

    private static final class Mailbox {
        final String pubkey;
        long openedAt;
        final ArrayDeque<Held> frames = new ArrayDeque<>();
        long bytes;

        Mailbox(String pubkey, long openedAt) {
            this.pubkey = pubkey;
            this.openedAt = openedAt;
        }
    }

    private final Object[] locks = new Object[STRIPES];
    private final Map<String, Mailbox> byId = new ConcurrentHashMap<>();
    private final Map<String, Long> bytesBySender = new ConcurrentHashMap<>();
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
     * {@code id}'s proven connection, with key {@code pubkey}, is gone: DMs to it are held for that
     * key from now on. A mailbox still open for the same key (the identity came back but left before
     * it got what was held) keeps its DMs and its time starts again. Under {@link #lockFor}.
     */
    void open(String id, String pubkey, long now) {
        if (config.heldMessages() == 0 || config.heldAge().toMillis() == 0) {
            return;
        }
        Mailbox mailbox = byId.get(id);
        if (mailbox != null && !expired(mailbox, now) && mailbox.pubkey.equals(pubkey)) {
            mailbox.openedAt = now;
            return;
        }
        discard(byId.put(id, new Mailbox(pubkey, now)));
    }

    /**
     * Whether {@code id} is held open for a key other than {@code pubkey}: ids are short enough to
     * be ground, so a key that shares the id must not take it, or what was held for the other key,
     * while that one may still come back. Under {@link #lockFor}.
     */
    boolean heldForAnotherKey(String id, String pubkey, long now) {
        Mailbox mailbox = byId.get(id);
        return mailbox != null && !expired(mailbox, now) && !mailbox.pubkey.equals(pubkey);
    }

    /**
     * What {@link #hold} would do with a DM from {@code senderId} to {@code id}, as far as counts
     * tell (the bytes are known only then), so a DM is refused before anything is spent on it.
     * Under {@link #lockFor}.
     */
    Outcome expect(String id, String senderId, long now) {
        Mailbox mailbox = byId.get(id);
        if (mailbox == null || expired(mailbox, now)) {
            return Outcome.NOT_HELD;
        }
        return mailbox.frames.size() < config.heldMessages() || makesRoomFor(mailbox, senderId) ? Outcome.HELD
                : Outcome.FULL;
    }

    /**
     * Holds {@code frame}, sent by {@code senderId} from {@code senderAddress}, for {@code id}, if its
     * identity went away recently and every bound has room. A full mailbox makes room by dropping
     * the oldest DM of the sender that holds the most, unless that is this sender: so one stranger
     * who fills it does not shut everyone else out. Under {@link #lockFor}.
     */
    Outcome hold(String id, String frame, String senderId, String senderAddress, long now) {
        Mailbox mailbox = byId.get(id);
        if (mailbox == null || expired(mailbox, now)) {
            return Outcome.NOT_HELD;
        }
        long cost = ByteBudget.cost(frame);
        while (mailbox.frames.size() >= config.heldMessages() || mailbox.bytes + cost > config.heldBytesPerAgent()) {
            if (!makesRoomFor(mailbox, senderId)) {
                return Outcome.FULL;
            }
            dropOldestOf(mailbox, topSender(mailbox));
        }
        if (!chargeSender(senderAddress, cost)) {
            return Outcome.SENDER_FULL;
        }
        if (!budget.tryTake(cost)) {
            bytesBySender.computeIfPresent(senderAddress, (a, used) -> used - cost <= 0 ? null : used - cost);
            return Outcome.SERVER_FULL;
        }
        mailbox.frames.addLast(new Held(frame, senderId, senderAddress, cost));
        mailbox.bytes += cost;
        return Outcome.HELD;
    }

    /** Whether another sender holds more of the mailbox than {@code senderId} does. */
    private static boolean makesRoomFor(Mailbox mailbox, String senderId) {
        String top = topSender(mailbox);
        return top != null && heldBy(mailbox, senderId) < heldBy(mailbox, top);
    }

    private static String topSender(Mailbox mailbox) {
        Map<String, Integer> counts = new HashMap<>();
        String top = null;
        for (Held held : mailbox.frames) {
            int count = counts.merge(held.senderId(), 1, Integer::sum);
            if (top == null || count > counts.get(top)) {
                top = held.senderId();
            }
        }
        return top;
    }

    private static int heldBy(Mailbox mailbox, String senderId) {
        int count = 0;
        for (Held held : mailbox.frames) {
            count += held.senderId().equals(senderId) ? 1 : 0;
        }
        return count;
    }

    private void dropOldestOf(Mailbox mailbox, String senderId) {
        for (Iterator<Held> it = mailbox.frames.iterator(); it.hasNext(); ) {
            Held held = it.next();
            if (held.senderId().equals(senderId)) {
                it.remove();
                mailbox.bytes -= held.cost();
                release(held);
                return;
            }
        }
    }

    private void release(Held held) {
        budget.giveBack(held.cost());
        bytesBySender.computeIfPresent(held.senderAddress(),
                (a, used) -> used - held.cost() <= 0 ? null : used - held.cost());
    }

    private boolean chargeSender(String address, long cost) {
        long share = config.heldBytesPerAddress();
        boolean[] charged = new boolean[1];
        bytesBySender.compute(address, (a, used) -> {
            long now = used == null ? 0 : used;
            if (now + cost > share) {
                return used;
            }
            charged[0] = true;
            return now + cost;
        });
        return charged[0];
    }

    /**
     * Everything held for {@code id} and its key {@code pubkey}, oldest first, and the mailbox
     * closed; nothing for another key. Under {@link #lockFor}.
     */
    List<String> release(String id, String pubkey, long now) {
        Mailbox mailbox = byId.get(id);
        if (mailbox == null || !mailbox.pubkey.equals(pubkey)) {
            return List.of();
        }
        byId.remove(id);
        List<String> frames = new ArrayList<>(mailbox.frames.size());
        if (!expired(mailbox, now)) {
            mailbox.frames.forEach(held -> frames.add(held.frame()));
        }
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
            mailbox.frames.forEach(this::release);
            mailbox.frames.clear();
            mailbox.bytes = 0;
        }
    }
}
