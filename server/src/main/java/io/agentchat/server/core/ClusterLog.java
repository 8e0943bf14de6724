package io.agentchat.server.core;

import io.agentchat.protocol.ChannelPosition;
import io.agentchat.server.cluster.Cluster;
import java.util.List;
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
    private static final String MARK = "\"seq\":0,\"epoch\":\"@cluster@\"";

    private final Cluster cluster;
    private final String channel;
    private final long maxAnswerChars;
    private long lastSeq;
    private String epoch;

    /** Reads where the channel stands; the relay must already be subscribed, so nothing after it is missed. */
    ClusterLog(Cluster cluster, String channel, long maxAnswerChars) {
        this.cluster = cluster;
        this.channel = channel;
        this.maxAnswerChars = maxAnswerChars;
        ChannelPosition position = cluster.open(channel);
        this.lastSeq = position.seq();
        this.epoch = position.epoch();
    }

    /** The last message delivered here. */
    ChannelPosition position() {
        return new ChannelPosition(lastSeq, epoch);
    }

    /** Hands a frame encoded at {@link #UNNUMBERED} to the cluster, which numbers it and sends it to every relay. */
    void post(String text) {
        int at = text.lastIndexOf(MARK);
        if (at < 0) {
            throw new IllegalStateException("frame without its position mark");
        }
        cluster.post(channel, text.substring(0, at), text.substring(at + MARK.length()));
    }

    /**
     * Whether a message from the cluster is new here: one this relay counted already when it read
     * the channel's position is not delivered twice. A new epoch (the channel's keys expired in
     * Redis) starts over.
     */
    boolean accept(long seq, String messageEpoch) {
        if (!epoch.equals(messageEpoch)) {
            LOG.info("cluster epoch changed channel={}", channel);
            epoch = messageEpoch;
            lastSeq = seq;
            return true;
        }
        if (seq <= lastSeq) {
            return false;
        }
        if (seq > lastSeq + 1) {
            LOG.warn("cluster messages missed channel={} from={} to={}", channel, lastSeq + 1, seq - 1);
        }
        lastSeq = seq;
        return true;
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
