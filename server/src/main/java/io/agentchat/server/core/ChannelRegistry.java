package io.agentchat.server.core;

import io.agentchat.protocol.ErrorCode;
import io.agentchat.protocol.ProtocolException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * All channels, bounded in total, per creator and per creator's address. Default channels are
 * permanent; a created channel outlives its creator's connection and is reclaimed only after it
 * has been empty for a grace period (so {@code create} and {@code invite} can be separate
 * connections). A channel counts against its creator's quotas until it is reclaimed.
 *
 * <p>The per-address quota exists because identities are free: an ephemeral IDENTIFY costs
 * nothing, so a per-agent quota alone lets one address fill the namespace with many identities.
 * It counts channels not yet reclaimed rather than creations per minute: the grace period already
 * makes each creation hold its slot for minutes, so the quota also bounds the creation rate.
 */
final class ChannelRegistry {

    private final ConcurrentHashMap<String, Channel> byName = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Integer> createdBy = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Integer> createdFrom = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();
    private final int bufferSize;
    private final Supplier<RecoveryHistory> histories;
    private final Function<String, ClusterLog> clusterLogs;
    private final Function<String, SharedMembers> sharedMembers;
    private final int maxChannels;
    private final int maxPerCreator;
    private final int maxPerAddress;
    private final int maxInvites;

    /**
     * @param histories a new, empty recovery history for each channel made
     * @param clusterLogs each default channel's place in the cluster, in cluster mode; null alone
     * @param sharedMembers each default channel's members on other relays, in cluster mode; null alone
     */
    ChannelRegistry(List<String> defaultChannels, int bufferSize, Supplier<RecoveryHistory> histories,
                    Function<String, ClusterLog> clusterLogs, Function<String, SharedMembers> sharedMembers,
                    int maxChannels, int maxPerCreator, int maxPerAddress, int maxInvites, long now) {
        this.clusterLogs = clusterLogs;
        this.sharedMembers = sharedMembers;
        this.bufferSize = bufferSize;
        this.histories = histories;
        this.maxChannels = maxChannels;
        this.maxPerCreator = maxPerCreator;
        this.maxPerAddress = maxPerAddress;
        this.maxInvites = maxInvites;
        for (String name : defaultChannels) {
            byName.put(name, new Channel(name, false, null, null, true, sequence.incrementAndGet(), bufferSize,
                    histories.get(), clusterLog(name), sharedMembers == null ? null : sharedMembers.apply(name),
                    maxInvites, now));
        }
    }

    private ClusterLog clusterLog(String name) {
        return clusterLogs == null ? null : clusterLogs.apply(name);
    }

    Channel get(String name) {
        return byName.get(name);
    }

    /** Creates a channel or throws CHANNEL_EXISTS / a limit error. */
    synchronized Channel create(String name, boolean inviteOnly, String creatorId, String address, long now) {
        if (byName.containsKey(name)) {
            throw new ProtocolException(ErrorCode.CHANNEL_EXISTS, "Channel " + name + " already exists");
        }
        if (byName.size() >= maxChannels) {
            throw ProtocolException.invalid("Channel limit reached (" + maxChannels + " channels on this server)");
        }
        int created = createdBy.getOrDefault(creatorId, 0);
        if (created >= maxPerCreator) {
            throw ProtocolException.invalid("Channel limit reached (max " + maxPerCreator + " channels per agent)");
        }
        if (createdFrom.getOrDefault(address, 0) >= maxPerAddress) {
            throw ProtocolException.invalid("Channel limit reached (max " + maxPerAddress + " channels per address)");
        }
        // Created channels stay on this relay for now: their invites and membership are not shared, so
        // a channel of the same name created on another relay would otherwise read this one's messages
        // (and a private channel's history in Redis). docs/cluster.md, "Not yet".
        Channel channel = new Channel(name, inviteOnly, creatorId, address, false, sequence.incrementAndGet(), bufferSize,
                histories.get(), null, null, maxInvites, now);
        byName.put(name, channel);
        createdBy.merge(creatorId, 1, Integer::sum);
        createdFrom.merge(address, 1, Integer::sum);
        return channel;
    }

    /** Channels in creation order. */
    List<Channel> all() {
        List<Channel> channels = new ArrayList<>(byName.values());
        channels.sort(Comparator.comparingLong(Channel::sequence));
        return channels;
    }

    /** Deletes created channels that have been empty for at least the grace period. */
    synchronized int reclaim(long now, long graceMillis) {
        int reclaimed = 0;
        for (Channel channel : List.copyOf(byName.values())) {
            if (channel.reclaimIfIdle(now, graceMillis) && byName.remove(channel.name(), channel)) {
                createdBy.computeIfPresent(channel.creatorId(), ChannelRegistry::decrement);
                createdFrom.computeIfPresent(channel.creatorAddress(), ChannelRegistry::decrement);
                reclaimed++;
            }
        }
        return reclaimed;
    }

    private static Integer decrement(String key, Integer count) {
        return count <= 1 ? null : count - 1;
    }

    int size() {
        return byName.size();
    }
}
