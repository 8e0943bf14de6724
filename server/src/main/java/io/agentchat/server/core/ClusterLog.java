package io.agentchat.server.core;

import io.agentchat.protocol.ChannelPosition;
import io.agentchat.server.cluster.Cluster;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One channel's place in the cluster's order, as this relay has delivered it: in cluster mode it
 * stands where {@link RecoveryHistory} stands alone. Messages are numbered by the cluster, not
 * here; this relay counts the ones it has handed to its readers, so a JOIN's position and its
 * recovered messages end exactly where the live ones delivered after it begin. Guarded by its
 * channel's lock.
 */
final class ClusterLog {
    private static final Logger LOG = LoggerFactory.getLogger("agentchat.cluster");
    /** What a frame carries until the cluster numbers it; its text is found and replaced there. */
    static final ChannelPosition UNNUMBERED = new ChannelPosition(0, "@cluster@");
    /**
     * How long after Redis took a message its sender's next frame may wait for the echo: it follows
     * at once unless this relay's subscription is down, and then only the catch-up brings it.
     */
    static final Duration ECHO_WAIT = Duration.ofSeconds(1);
    private static final String MARK = "\"seq\":0,\"epoch\":\"@cluster@\"";

    private final Cluster cluster;
    private final String channel;
    private final long maxAnswerChars;
    private final ArrayDeque<Arrival> waiting = new ArrayDeque<>();
    private final HandedOutWaits senders = new HandedOutWaits();
    private long lastSeq;
    private String epoch;
    private boolean repairing;

    /** Reads where the channel stands; the relay must already be subscribed, so nothing after it is missed. */
    ClusterLog(Cluster cluster, String channel, long maxAnswerChars) {
        this.cluster = cluster;
        this.channel = channel;
        this.maxAnswerChars = maxAnswerChars;
        ChannelPosition position = cluster.open(channel);
        this.lastSeq = position.seq();
        this.epoch = position.epoch();
        senders.handedOut(position);
    }

    /** The last message delivered here. */
    ChannelPosition position() {
        return new ChannelPosition(lastSeq, epoch);
    }

    /**
     * Hands a frame encoded at {@link #UNNUMBERED} to the cluster, which numbers it and sends it to
     * every relay; the future gives its place, or fails if the cluster did not take it.
     */
    CompletableFuture<ChannelPosition> post(String text) {
        int at = text.lastIndexOf(MARK);
        if (at < 0) {
            throw new IllegalStateException("frame without its position mark");
        }
        try {
            return cluster.post(channel, text.substring(0, at), text.substring(at + MARK.length()));
        } catch (RuntimeException e) {
            LOG.warn("cluster post failed channel={}: {}", channel, e.toString());
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * A message from the cluster: the texts to hand out now, in order. One this relay counted
     * already when it read the channel's position is not handed out twice. A jump in seq (the
     * relay's subscription dropped for a while, or it was still starting) starts fetching the
     * missing messages from the history; until they are here, later messages wait, so readers keep
     * the cluster's order. {@code repaired} is called with the fetched messages (null if none could
     * be fetched), possibly on another thread, and must pass them to {@link #repaired}.
     */
    List<String> arrived(long seq, String messageEpoch, String text, Consumer<Cluster.Tail> repaired) {
        if (repairing) {
            waiting.add(new Arrival(seq, messageEpoch, text));
            return List.of();
        }
        boolean sameEpoch = epoch.equals(messageEpoch);
        if (sameEpoch && seq <= lastSeq) {
            return List.of();
        }
        if (sameEpoch ? seq > lastSeq + 1 : seq > 1) {
            waiting.add(new Arrival(seq, messageEpoch, text));
            startRepair(repaired);
            return List.of();
        }
        take(seq, messageEpoch);
        return List.of(text);
    }

    /** Fetches whatever was published after the last message delivered here (the subscription was down). */
    void catchUp(Consumer<Cluster.Tail> repaired) {
        if (!repairing) {
            startRepair(repaired);
        }
    }

    private void startRepair(Consumer<Cluster.Tail> repaired) {
        repairing = true;
        CompletableFuture<Cluster.Tail> tail;
        try {
            tail = cluster.tail(channel, position());
        } catch (RuntimeException e) {
            tail = CompletableFuture.failedFuture(e);
        }
        tail.whenComplete((fetched, failure) -> {
            if (failure != null) {
                LOG.warn("cluster history unavailable, messages missed channel={}: {}", channel, failure.toString());
            }
            repaired.accept(failure != null ? null : fetched);
        });
    }

    /** The fetched messages this relay had not delivered yet, then those that waited for them: the texts to hand out now. */
    List<String> repaired(Cluster.Tail tail) {
        repairing = false;
        List<String> out = new ArrayList<>();
        if (tail != null) {
            if (!epoch.equals(tail.epoch())) {
                LOG.info("cluster epoch changed channel={}", channel);
                epoch = tail.epoch();
                lastSeq = tail.firstSeq() - 1;
            } else if (tail.firstSeq() > lastSeq + 1) {
                LOG.warn("cluster messages missed channel={} from={} to={} (no longer kept)", channel, lastSeq + 1, tail.firstSeq() - 1);
                lastSeq = tail.firstSeq() - 1;
            }
            long seq = tail.firstSeq();
            for (String text : tail.texts()) {
                if (seq > lastSeq) {
                    out.add(text);
                    lastSeq = seq;
                }
                seq++;
            }
        }
        for (Arrival arrival : waiting) {
            if (!epoch.equals(arrival.epoch()) || arrival.seq() > lastSeq) {
                take(arrival.seq(), arrival.epoch());
                out.add(arrival.text());
            }
        }
        waiting.clear();
        return out;
    }

    /** The channel has handed out every message up to {@link #position()}: senders waiting for theirs hear of it. */
    void handedOut() {
        senders.handedOut(position());
    }

    /**
     * Runs {@code then} once the message at {@code position} is handed out here, or after
     * {@link #ECHO_WAIT} if it has not been (the subscription is down); callable on any thread,
     * without the channel's lock.
     */
    void whenHandedOut(ChannelPosition position, Runnable then) {
        senders.whenHandedOut(position, then, ECHO_WAIT);
    }

    /** Moves the position to a message handed out; what still jumps (no longer kept anywhere) is logged. */
    private void take(long seq, String messageEpoch) {
        if (!epoch.equals(messageEpoch)) {
            LOG.info("cluster epoch changed channel={}", channel);
            epoch = messageEpoch;
        } else if (seq > lastSeq + 1) {
            LOG.warn("cluster messages missed channel={} from={} to={}", channel, lastSeq + 1, seq - 1);
        }
        lastSeq = seq;
    }

    private record Arrival(long seq, String epoch, String text) {
    }

    /**
     * The messages after {@code since} up to the last one delivered here, or null when they cannot
     * all be given (another epoch, a seq not reached here, no longer kept, too long for one answer,
     * or Redis did not answer).
     */
    List<String> after(ChannelPosition since) {
        if (!epoch.equals(since.epoch()) || since.seq() > lastSeq) {
            return null;
        }
        if (since.seq() == lastSeq) {
            return List.of();
        }
        List<String> missed;
        try {
            missed = cluster.after(channel, since, lastSeq, maxAnswerChars);
        } catch (RuntimeException e) {
            LOG.warn("cluster history unavailable channel={}: {}", channel, e.toString());
            return null;
        }
        return missed == null || missed.size() != lastSeq - since.seq() ? null : missed;
    }
}
