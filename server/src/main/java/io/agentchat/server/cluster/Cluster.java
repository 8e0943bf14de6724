package io.agentchat.server.cluster;

import io.agentchat.protocol.ChannelPosition;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What a relay asks of the cluster it belongs to (docs/cluster.md): one total order of each
 * channel's messages, their seq and epoch, and the recovery history, kept outside every relay. The
 * relay's core sees only this interface, so a relay that runs alone never loads the Redis client.
 *
 * <p>Channel messages, the cluster's channels ({@link #channels()}) and the shared channels'
 * members ({@link #roster()}) go through the cluster; DMs and identity through its {@link #directory()}.
 */
public interface Cluster extends AutoCloseable {

    /**
     * Receives every channel message of the cluster, from every relay, in each channel's order, on
     * one thread of the relay's (never the cluster client's own, which may have to read the reply a
     * caller holding a channel's lock waits for).
     */
    @FunctionalInterface
    interface Listener {
        /** {@code text} is the frame as sent to readers, already carrying {@code seq} and {@code epoch}. */
        void delivered(String channel, long seq, String epoch, String text);

        /**
         * The subscription is in place again after the connection carrying it dropped: whatever
         * was published meanwhile never arrived, and must be fetched ({@link #tail}).
         */
        default void resubscribed() {
        }

        /**
         * A notice to the channel's readers from any relay, this one's too ({@link #notice}): handed
         * out as it is, once, and neither numbered nor kept.
         */
        default void noticed(String channel, String text) {
        }
    }

    /**
     * What a channel's history holds after a position: the messages numbered {@code firstSeq},
     * {@code firstSeq + 1}, ... of {@code epoch}. When the epoch is not the one asked about, they
     * are the oldest the new epoch still keeps; when messages after the position are no longer
     * kept, {@code firstSeq} is past the gap.
     */
    record Tail(String epoch, long firstSeq, List<String> texts) {
    }

    /**
     * Starts hearing every channel's messages; returns once the subscription is in place, so a
     * position read after it misses nothing that follows.
     */
    void subscribe(Listener listener);

    /**
     * Where the channel stands in the cluster now (its epoch is made if the channel is new there);
     * {@link ClusterUnavailableException} if the cluster does not answer.
     */
    ChannelPosition open(String channel);

    /**
     * Gives the message the channel's next seq, keeps it in the history and publishes it to every
     * relay. The frame is {@code prefix + "\"seq\":N,\"epoch\":\"E\"" + suffix}. Never blocks;
     * the future gives the message's place, or fails (after the failure is logged) when Redis did
     * not take the message: with {@link ClusterUnansweredException} when it did not answer in time
     * and may still take it.
     */
    CompletableFuture<ChannelPosition> post(String channel, String prefix, String suffix);

    /**
     * Sends a server notice that is not a channel message (docs/protocol.md §7.8: no seq, not
     * buffered for replay) to every relay, this one's included, each of which hears it once through
     * {@link Listener#noticed} and hands it to its own readers of the channel. Neither numbered nor
     * kept: a relay whose subscription is down meanwhile never gets it. Never blocks; a failure is logged.
     */
    void notice(String channel, String text);

    /**
     * The messages after {@code since} up to and including seq {@code upTo}, oldest first, or null
     * when the history no longer holds them all, the epoch is another, or they come to more than
     * {@code maxChars} bytes of UTF-8 (checked in Redis, so a refusal moves nothing). Blocks for one
     * round trip.
     */
    List<String> after(String channel, ChannelPosition since, long upTo, long maxChars);

    /**
     * Everything the channel's history holds after {@code since}, up to its newest message, without
     * blocking: how a relay fetches what its subscription missed. Completes with null when the
     * channel has no keys in Redis; on a thread of the relay's, never on the cluster client's own, so
     * what follows may take a channel's lock.
     */
    CompletableFuture<Tail> tail(String channel, ChannelPosition since);

    /** The cluster's channels: which names exist, their invites and quotas. */
    ChannelDirectory channels();

    /** The shared channels' members across the cluster. */
    Roster roster();

    /** The connections of each client address on every relay. */
    AddressConnections connections();

    /** Per-minute counts added up over every relay. */
    MinuteCounters minuteCounters();

    /** Where the cluster's agent ids are answered, and their DMs held (docs/cluster.md, "DMs and identity"). */
    AgentDirectory directory();

    /** Where each proposal and verification request is kept, and how a party's frame reaches it (docs/cluster.md, "Marketplace"). */
    MarketExchange market();

    /** The cluster's one ratings ledger (docs/cluster.md, "Marketplace"). */
    RatingsLedger ratings();

    /** The cluster's skill registrations, a copy on every relay (docs/cluster.md, "Marketplace"). */
    SkillBoard skills();

    /** The pending proposals and verification requests of every relay, counted against the marketplace's caps. */
    PendingSlots pendingSlots();

    @Override
    void close();
}
