package io.agentchat.server.core;

import io.agentchat.protocol.ChannelPosition;
import io.agentchat.server.cluster.Cluster;
import io.agentchat.server.cluster.ClusterUnansweredException;
import io.agentchat.server.cluster.RosterChange;
import io.agentchat.server.cluster.RosterEntry;
import io.agentchat.server.cluster.RosterView;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * One channel: members in join order, unseen readers, invite set, replay buffer. The channel
 * guards itself with a private lock that nobody outside can take: every membership change and
 * every broadcast runs whole under it, and the frames for readers are handed out before it is
 * let go, so each reader sees the channel's frames in one order (the socket writes happen
 * later, off the lock, in the transport's queue). What the frames say is the caller's business
 * ({@link MembershipNotices}, the {@code message} functions): the channel asks for them under its
 * lock, with the time it read there, so timestamps follow the channel's order too.
 *
 * <p>Every message kept for replay is also a step in the channel's {@link RecoveryHistory}: it gets
 * the next {@code seq} under the same lock, so seqs follow the order readers see.
 *
 * <p>In cluster mode ({@link ClusterLog}) a message is not handed out where it was posted: the
 * cluster numbers it and sends it to every relay, this one included, and {@link #deliver} hands it
 * to the readers here, under the same lock, in the cluster's order.
 *
 * <p>A shared channel in cluster mode also has members on other relays ({@link SharedMembers}): they
 * count, are listed and are announced here as this relay's own are, under the same lock.
 *
 * <p>An unseen reader is a key-based session that has not proved its key: it receives the
 * channel's frames and may post freshly signed messages, but it is not a member others can see
 * (member lists, counts, join and leave notices), since it has not shown the id is its own.
 *
 * <p>Over our 500-line bound: every operation that must hold the channel's lock is here, which is
 * the point of the class, and in cluster mode that includes telling the other relays' members'
 * changes; the reader sets ({@link ChannelReaders}) and the other relays' members
 * ({@link SharedMembers}) are already apart.
 */
final class Channel {
    /** What a JOIN came to. Only {@code ENTERED} added the session. */
    enum Entry { GONE, FULL, ALREADY_READER, ENTERED, CLOSED }

    /** What an invite by a member came to. */
    enum Invitation { NOT_A_MEMBER, LIST_FULL, RECORDED }

    /** A message's text, worded under the channel's lock with the time read there and its place in the history. */
    @FunctionalInterface
    interface Message {
        String encode(long now, ChannelPosition position);
    }

    /** How long a cluster channel's copy nobody has read here is kept. */
    private static final long UNREAD_COPY_MILLIS = 1_000;

    private final Object lock = new Object();
    private final String name;
    private final boolean inviteOnly;
    private final String creatorId;
    private final String creatorAddress;
    private final boolean permanent;
    private final long sequence;
    private final ChannelReaders readers;
    private final Set<String> invited = new HashSet<>();
    private final ReplayBuffer replay;
    private final RecoveryHistory history;
    private final ClusterLog cluster;
    private final SharedMembers shared;
    private final int maxInvites;
    private long lastActivity;
    private boolean reclaimed;

    /**
     * @param cluster where the channel's messages are ordered and kept in cluster mode; null alone
     * @param shared  its members on the other relays in cluster mode; null alone
     */
    Channel(String name, boolean inviteOnly, String creatorId, String creatorAddress, boolean permanent, long sequence, int bufferSize,
            RecoveryHistory history, ClusterLog cluster, SharedMembers shared, int maxInvites, long now) {
        this.cluster = cluster;
        this.shared = shared;
        this.name = name;
        this.inviteOnly = inviteOnly;
        this.creatorId = creatorId;
        this.creatorAddress = creatorAddress;
        this.permanent = permanent;
        this.sequence = sequence;
        this.replay = new ReplayBuffer(bufferSize);
        this.history = history;
        this.maxInvites = maxInvites;
        this.lastActivity = now;
        this.readers = new ChannelReaders(now);
    }

    String name() {
        return name;
    }

    /**
     * How the log names this channel: a private channel's name can say what it is about, so it is
     * never logged; its creation number still ties the create, invite and join lines together.
     */
    String logName() {
        return inviteOnly ? "private-" + sequence : name;
    }

    boolean inviteOnly() {
        return inviteOnly;
    }

    String creatorId() {
        return creatorId;
    }

    String creatorAddress() {
        return creatorAddress;
    }

    long sequence() {
        return sequence;
    }

    /** Visible members, on every relay in cluster mode. */
    int size() {
        synchronized (lock) {
            return visibleCount();
        }
    }

    boolean isMember(AgentSession session) {
        synchronized (lock) {
            return readers.isMember(session);
        }
    }

    /** This relay's visible members. */
    List<AgentSession> members() {
        synchronized (lock) {
            return readers.members();
        }
    }

    /** The visible members on other relays (none alone), each id once and none that is also here. */
    List<RosterEntry> remoteMembers() {
        synchronized (lock) {
            return remoteOnly();
        }
    }

    boolean isInvited(String agentId) {
        synchronized (lock) {
            return invited.contains(agentId);
        }
    }

    /** Records an invite; false when the channel's invite list is full. */
    boolean invite(String agentId) {
        synchronized (lock) {
            if (invited.contains(agentId)) {
                return true;
            }
            if (invited.size() >= maxInvites) {
                return false;
            }
            return invited.add(agentId);
        }
    }

    /** An invite from {@code by}, who must be a visible member when it is recorded. */
    Invitation invite(AgentSession by, String agentId) {
        synchronized (lock) {
            if (!readers.isMember(by)) {
                return Invitation.NOT_A_MEMBER;
            }
            return invite(agentId) ? Invitation.RECORDED : Invitation.LIST_FULL;
        }
    }

    /**
     * A JOIN, whole: a session acting as its id becomes a visible member (the others hear of it
     * and are asked to greet it), any other becomes an unseen reader; either gets the answer. A
     * session that already reads the channel gets JOINED alone. {@code admit} runs just before the
     * session is added (it charges the join and may refuse it by throwing). With {@code since} (the
     * last message the session saw, or null) the answer brings every message after it if the
     * history still holds them all, and the replay otherwise, and says which.
     */
    Entry join(AgentSession session, ChannelPosition since, int maxOccupancy, LongSupplier clock, Runnable admit,
               MembershipNotices notices) {
        synchronized (lock) {
            long now = clock.getAsLong();
            if (reclaimed) {
                return Entry.GONE;
            }
            if (readers.isReader(session)) {
                session.send(notices.joined(now, visibleRefs(), position(), null));
                return Entry.ALREADY_READER;
            }
            if (readers.occupancy() + remoteOnly().size() >= maxOccupancy) {
                return Entry.FULL;
            }
            admit.run();
            boolean visible = session.actsAsId();
            boolean announced = visible && notices.announced(visibleCount() + 1);
            List<String> before = announced ? visibleRefs() : List.of();
            lastActivity = now;
            readers.add(session, visible);
            session.joined(this);
            if (undoIfClosed(session, now)) {
                return Entry.CLOSED;
            }
            if (visible && shared != null) {
                shared.joined(session);
            }
            if (announced) {
                readers.sendToAllBut(session, notices.agentJoined(now, session.ref()));
            }
            List<String> missed = since == null ? null : cluster != null ? cluster.after(since) : history.after(since, now);
            Boolean recovered = since == null ? null : missed != null;
            session.sendAll(notices.answer(now, session, visibleRefs(), position(), recovered,
                    missed != null ? missed : replay.snapshot()));
            if (announced) {
                greet(session, session.ref(), before, now, notices);
            }
            return Entry.ENTERED;
        }
    }

    /** The creator enters the channel it just made and gets JOINED; nobody else is told. */
    boolean enterAsCreator(AgentSession creator, LongSupplier clock, MembershipNotices notices) {
        synchronized (lock) {
            long now = clock.getAsLong();
            lastActivity = now;
            readers.add(creator, true);
            creator.joined(this);
            if (undoIfClosed(creator, now)) {
                return false;
            }
            if (shared != null) {
                shared.joined(creator);
            }
            creator.send(notices.joined(now, visibleRefs(), position(), null));
            return true;
        }
    }

    /** An unseen reader that just proved its key becomes a visible member, told to the others as a JOIN is. */
    void reveal(AgentSession session, LongSupplier clock, MembershipNotices notices) {
        synchronized (lock) {
            long now = clock.getAsLong();
            if (!readers.removeUnseen(session, now)) {
                return;
            }
            boolean announced = notices.announced(visibleCount() + 1);
            List<String> before = announced ? visibleRefs() : List.of();
            lastActivity = now;
            readers.add(session, true);
            if (undoIfClosed(session, now)) {
                return;
            }
            if (shared != null) {
                shared.joined(session);
            }
            if (!announced) {
                return;
            }
            readers.sendToAllBut(session, notices.agentJoined(now, session.ref()));
            greet(session, session.ref(), before, now, notices);
        }
    }

    /**
     * A LEAVE, whole: a member goes with a notice to the rest, an unseen reader silently, and the
     * session gets LEFT either way. {@code charge} runs first if the session is a visible member.
     */
    void leave(AgentSession session, LongSupplier clock, Runnable charge, MembershipNotices notices) {
        synchronized (lock) {
            long now = clock.getAsLong();
            if (readers.isMember(session)) {
                charge.run();
            }
            if (readers.removeMember(session, now)) {
                session.left(this);
                shareLeaving(session);
                announceLeaving(session.ref(), now, notices);
            } else if (readers.removeUnseen(session, now)) {
                session.left(this);
            }
            session.send(notices.left(now));
        }
    }

    /** A departing session goes, a member with a notice to the rest; it is sent nothing itself. */
    void drop(AgentSession session, LongSupplier clock, MembershipNotices notices) {
        synchronized (lock) {
            long now = clock.getAsLong();
            if (readers.removeMember(session, now)) {
                shareLeaving(session);
                announceLeaving(session.ref(), now, notices);
            } else {
                readers.removeUnseen(session, now);
            }
        }
    }

    /**
     * A reader's message, to every reader, the replay buffer and the history; false, and
     * {@code message} never called, if {@code sender} does not read the channel. In cluster mode
     * {@code lost} runs if the cluster did not take the message (possibly later, on another thread;
     * with true if Redis did not answer in time, so that it may still deliver it),
     * and the sender's next frame is read once its echo, or {@code lost}'s answer, is sent.
     */
    boolean post(AgentSession sender, LongSupplier clock, Message message, Consumer<Boolean> lost) {
        synchronized (lock) {
            if (!readers.isReader(sender)) {
                return false;
            }
            long now = clock.getAsLong();
            if (cluster != null) {
                lastActivity = now;
                String text = message.encode(now, ClusterLog.UNNUMBERED); // may refuse (throw): then no echo is owed
                // The echo comes back through the cluster: the sender's next frame waits for it.
                AnswerOrder.Pending echo = sender.answerLater();
                ClusterLog log = cluster;
                log.post(text).whenComplete((position, failure) -> {
                    if (failure != null) {
                        lost.accept(ClusterUnansweredException.is(failure));
                        echo.given();
                    } else {
                        log.whenHandedOut(position, echo::given);
                    }
                });
                return true;
            }
            keepAndBroadcast(message.encode(now, nextPosition()), now);
            return true;
        }
    }

    /**
     * The server's prompt, worded from the members, if two or more have had no JOIN or message for
     * {@code idleMillis}; kept for replay and restarting the idle clock, as a message is.
     */
    boolean promptIfIdle(long now, long idleMillis, BiFunction<List<AgentSession>, ChannelPosition, String> prompt) {
        synchronized (lock) {
            if (readers.memberCount() < 2 || now - lastActivity < idleMillis) {
                return false;
            }
            if (cluster != null) {
                lastActivity = now; // each relay prompts its own members' idle channel
                cluster.post(prompt.apply(readers.members(), ClusterLog.UNNUMBERED));
                return true;
            }
            keepAndBroadcast(prompt.apply(readers.members(), nextPosition()), now);
            return true;
        }
    }

    /**
     * A message the cluster numbered, to every reader here and the replay buffer, unless this relay
     * had counted it already when it read the channel's position; after a gap, once the missed
     * messages are fetched ({@link ClusterLog#arrived}).
     */
    void deliver(long seq, String epoch, String text, LongSupplier clock) {
        synchronized (lock) {
            if (cluster != null) {
                handOutAll(cluster.arrived(seq, epoch, text, tail -> repaired(tail, clock)), clock.getAsLong());
                cluster.handedOut();
            }
        }
    }

    /** The cluster's subscription came back after a drop: fetches and hands out what it missed. */
    void catchUp(LongSupplier clock) {
        synchronized (lock) {
            if (cluster != null) {
                cluster.catchUp(tail -> repaired(tail, clock));
            }
        }
    }

    private void repaired(Cluster.Tail tail, LongSupplier clock) {
        synchronized (lock) {
            handOutAll(cluster.repaired(tail), clock.getAsLong());
            cluster.handedOut();
        }
    }

    private void handOutAll(List<String> texts, long now) {
        for (String text : texts) {
            handOut(text, now);
        }
    }

    /** Lets go of history older than its age bound, so a quiet channel does not hold its bytes. */
    void expireHistory(long now) {
        synchronized (lock) {
            history.expire(now);
        }
    }

    /**
     * A member's new presence, to every reader if the channel is small enough to announce it, and to
     * the other relays in cluster mode.
     */
    void changePresence(AgentSession session, LongSupplier clock, MembershipNotices notices) {
        synchronized (lock) {
            if (shared != null && readers.isMember(session)) {
                shared.presenceChanged(session);
            }
            if (notices.announced(visibleCount())) {
                readers.sendToAll(notices.presenceChanged(clock.getAsLong(), session.ref(), session.presence(),
                        session.statusText()));
            }
        }
    }

    /** A change of the members Redis published (any relay's); what it changes here is told as for a member here. */
    void remoteChanged(RosterChange change, long now, MembershipNotices notices) {
        synchronized (lock) {
            if (shared != null) {
                SharedMembers.Change seen = shared.apply(change, now);
                if (seen != null) {
                    tell(seen, now, notices);
                }
            }
        }
    }

    /** The whole roster, read from Redis: what it changes here is told, and this relay's members are written again if missing. */
    void remoteRead(RosterView view, long now, MembershipNotices notices) {
        synchronized (lock) {
            if (shared != null) {
                for (SharedMembers.Change seen : shared.apply(view, now, readers.members())) {
                    tell(seen, now, notices);
                }
            }
        }
    }

    /** Already encoded text for every reader; not kept for replay. */
    void broadcastText(String text) {
        synchronized (lock) {
            readers.sendToAll(text);
        }
    }

    /**
     * Marks the channel gone if it has been empty for the grace period; checked and set under one
     * lock. A cluster channel's copy that nobody has read here (it was made to answer a listing or a
     * refused JOIN) goes after a second: it must not keep the cluster's channel alive.
     */
    boolean reclaimIfIdle(long now, long graceMillis) {
        synchronized (lock) {
            long idle = cluster != null && !readers.everRead() ? Math.min(graceMillis, UNREAD_COPY_MILLIS) : graceMillis;
            if (!permanent && readers.emptyFor(now, idle)) {
                reclaimed = true;
                history.clear();
            }
            return reclaimed;
        }
    }

    /** Whether anyone has read the channel here since it was made: only such a copy keeps a cluster channel alive. */
    boolean everRead() {
        synchronized (lock) {
            return readers.everRead();
        }
    }

    /** A shared channel new to this relay starts hearing its members on the others; called outside any lock. */
    void trackSharedMembers() {
        if (shared != null) {
            shared.track();
        }
    }

    /**
     * The cluster gave this channel's name to another channel (docs/cluster.md, "Channels"): every
     * reader here is told LEFT and let go, so nothing more is posted under the name from this copy.
     */
    void retire(LongSupplier clock, MembershipNotices notices) {
        synchronized (lock) {
            long now = clock.getAsLong();
            reclaimed = true;
            for (AgentSession reader : readers.removeAll(now)) {
                reader.left(this);
                reader.send(notices.left(now));
            }
        }
    }

    // Below: called with the lock held.

    /**
     * The socket may have closed while this frame was being handled, after the hub's clean-up took
     * its snapshot of the session's channels: then the membership just added must not stay behind.
     */
    private boolean undoIfClosed(AgentSession session, long now) {
        if (!session.closed()) {
            return false;
        }
        readers.removeMember(session, now);
        readers.removeUnseen(session, now);
        session.left(this);
        return true;
    }

    /** After {@code ref} left the members: told as it was counted while it was there. */
    private void announceLeaving(String ref, long now, MembershipNotices notices) {
        if (notices.announced(visibleCount() + 1)) {
            readers.sendToAll(notices.agentLeft(now, ref));
        }
    }

    private void shareLeaving(AgentSession session) {
        if (shared != null) {
            shared.left(session);
        }
    }

    /**
     * Unseen readers hear of joins too, as they hear of leaves: they follow the channel like anyone.
     * {@code session} is the joiner if it is here (it is not greeted about itself), else null.
     */
    private void greet(AgentSession session, String ref, List<String> before, long now, MembershipNotices notices) {
        if (!before.isEmpty()) {
            readers.sendToAllBut(session, notices.greeting(now, ref, before));
        }
    }

    /** A member on another relay joined, left or changed its presence: told here as if it were here. */
    private void tell(SharedMembers.Change seen, long now, MembershipNotices notices) {
        String ref = "@" + seen.entry().id();
        if (isLocalId(seen.entry().id())) {
            return; // the id is a member here too: this relay's own session is the one shown
        }
        switch (seen.kind()) {
            case JOINED -> {
                if (notices.announced(visibleCount())) {
                    readers.sendToAll(notices.agentJoined(now, ref));
                    List<String> before = visibleRefs();
                    before.remove(ref);
                    greet(null, ref, before, now, notices);
                }
            }
            case LEFT -> announceLeaving(ref, now, notices);
            case PRESENCE -> {
                if (notices.announced(visibleCount())) {
                    readers.sendToAll(notices.presenceChanged(now, ref, seen.entry().presence(), seen.entry().statusText()));
                }
            }
        }
    }

    private int visibleCount() {
        return readers.memberCount() + (shared == null ? 0 : remoteOnly().size());
    }

    /** This relay's members in join order, then the other relays' in the order this relay heard of them. */
    private List<String> visibleRefs() {
        List<String> refs = new ArrayList<>();
        readers.members().forEach(member -> refs.add(member.ref()));
        remoteOnly().forEach(entry -> refs.add("@" + entry.id()));
        return refs;
    }

    private List<RosterEntry> remoteOnly() {
        return shared == null ? List.of() : shared.remoteExcept(readers.members());
    }

    private boolean isLocalId(String id) {
        for (AgentSession member : readers.members()) {
            if (id.equals(member.id())) {
                return true;
            }
        }
        return false;
    }

    /** Where the channel stands: the last message given a seq (here, or delivered from the cluster). */
    private ChannelPosition position() {
        return cluster != null ? cluster.position() : history.position();
    }

    private ChannelPosition nextPosition() {
        return new ChannelPosition(history.nextSeq(), history.epoch());
    }

    private void keepAndBroadcast(String text, long now) {
        history.append(now, text);
        handOut(text, now);
    }

    /** A channel message to every reader and the replay buffer. */
    private void handOut(String text, long now) {
        lastActivity = now;
        replay.add(text);
        readers.sendToAll(text);
    }
}
