package io.agentchat.server.core;

import io.agentchat.protocol.ErrorCode;
import io.agentchat.protocol.ProtocolException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * All channels, bounded in total and per creator. Default channels are permanent; a created
 * channel outlives its creator's connection and is reclaimed only after it has been empty for a
 * grace period (so {@code create} and {@code invite} can be separate connections).
 */
final class ChannelRegistry {
    static final List<String> DEFAULT_CHANNELS = List.of("#general", "#agents", "#discovery");
    private static final int MAX_INVITES_PER_CHANNEL = 1000;

    private final ConcurrentHashMap<String, Channel> byName = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Integer> createdBy = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();
    private final int bufferSize;
    private final int maxChannels;
    private final int maxPerCreator;

    ChannelRegistry(int bufferSize, int maxChannels, int maxPerCreator, long now) {
        this.bufferSize = bufferSize;
        this.maxChannels = maxChannels;
        this.maxPerCreator = maxPerCreator;
        for (String name : DEFAULT_CHANNELS) {
            byName.put(name, new Channel(name, false, null, true, sequence.incrementAndGet(), bufferSize,
                    MAX_INVITES_PER_CHANNEL, now));
        }
    }

    Channel get(String name) {
        return byName.get(name);
    }

    /** Creates a channel or throws CHANNEL_EXISTS / a limit error. */
    synchronized Channel create(String name, boolean inviteOnly, String creatorId, long now) {
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
        Channel channel = new Channel(name, inviteOnly, creatorId, false, sequence.incrementAndGet(), bufferSize,
                MAX_INVITES_PER_CHANNEL, now);
        byName.put(name, channel);
        createdBy.merge(creatorId, 1, Integer::sum);
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
                createdBy.computeIfPresent(channel.creatorId(), (id, count) -> count <= 1 ? null : count - 1);
                reclaimed++;
            }
        }
        return reclaimed;
    }

    int size() {
        return byName.size();
    }
}
