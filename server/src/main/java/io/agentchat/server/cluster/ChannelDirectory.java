package io.agentchat.server.cluster;

import java.util.List;

/**
 * The channels of a cluster, kept once for every relay (docs/cluster.md, "Channels"): who made a
 * channel, whether it is private, whom it invited, and the creation quotas. A relay keeps a local
 * copy of a channel while it has readers there and makes one on first use; the directory decides
 * whether the name exists. Every call blocks for one round trip and throws
 * {@link ClusterUnavailableException} when the cluster does not answer.
 */
public interface ChannelDirectory {

    /** What a CREATE_CHANNEL came to in the cluster. */
    enum Creation { CREATED, EXISTS, TOO_MANY_CHANNELS, TOO_MANY_FOR_CREATOR, TOO_MANY_FOR_ADDRESS }

    /**
     * What an INVITE came to in the cluster: recorded, refused by the full list, no entry of that
     * name (Redis restarted empty and the relays have not written it back yet), or the name's entry
     * is another generation's (a namesake created meanwhile).
     */
    enum Invitation { RECORDED, LIST_FULL, GONE, OTHER_GENERATION }

    /**
     * A channel as the cluster knows it. {@code generation} tells this channel from an earlier one of
     * the same name that was reclaimed; {@code permanent} is a relay's default channel.
     */
    record Entry(boolean inviteOnly, String creator, String creatorAddress, String generation, boolean permanent) {
    }

    /** The creation quotas, as on one relay; {@code graceMillis}: how long an empty channel lives. */
    record Limits(int maxChannels, int maxPerCreator, int maxPerAddress, int maxInvites, long graceMillis) {
    }

    /** Marks a relay's default channel as taken, so nobody creates a channel of that name on another relay. */
    void keepDefault(String channel);

    /** Creates the channel for the whole cluster, with a fresh history and no invites. */
    Creation create(String channel, Entry entry, Limits limits);

    /** The channel, or null if the cluster has none of that name. */
    Entry find(String channel);

    /**
     * Records an invite in the invite list of the channel's {@code generation} (the inviting relay's
     * copy's; null for a default channel) and only there: a namesake's list is another channel's.
     */
    Invitation invite(String channel, String generation, String agentId, Limits limits);

    boolean isInvited(String channel, String agentId);

    /**
     * Keeps a channel this relay still uses alive for another grace period; false when the
     * cluster's channel of that name is gone or is another generation, so the local copy must go.
     */
    boolean renew(String channel, Entry entry, Limits limits);

    /** At most {@code max} public channels' names, the relays' default channels not among them. */
    List<String> publicChannels(int max);
}
