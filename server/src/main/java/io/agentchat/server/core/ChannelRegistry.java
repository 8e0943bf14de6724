package io.agentchat.server.core;

import io.agentchat.protocol.ErrorCode;
import io.agentchat.protocol.ProtocolException;
import io.agentchat.server.cluster.ChannelDirectory;
import io.agentchat.server.cluster.ClusterUnavailableException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 *
 * <p>In cluster mode the {@link ChannelDirectory} decides which names exist and keeps the quotas
 * for every relay; this registry holds the local copies of the channels this relay uses, makes one
 * the first time a name is used here ({@link #find}), keeps the cluster's entry alive while it has
 * readers, and lets the local copy go once it has been empty here for the grace period.
 */
final class ChannelRegistry {
    private static final Logger LOG = LoggerFactory.getLogger("agentchat.cluster");
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Between a created channel's name and its generation in its log's name: not a channel name character. */
    private static final char GENERATION_MARK = '~';

    private final ConcurrentHashMap<String, Channel> byName = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Integer> createdBy = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Integer> createdFrom = new ConcurrentHashMap<>();
    /** In cluster mode: the cluster's entry of every channel here. */
    private final ConcurrentHashMap<String, ChannelDirectory.Entry> entries = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();
    private final int bufferSize;
    private final Supplier<RecoveryHistory> histories;
    private final Function<String, ClusterLog> clusterLogs;
    private final ChannelDirectory directory;
    private final ChannelDirectory.Limits limits;
    private final Function<String, SharedMembers> sharedMembers;
    private final int maxChannels;
    private final int maxPerCreator;
    private final int maxPerAddress;
    private final int maxInvites;

    /**
     * @param histories a new, empty recovery history for each channel made
     * @param clusterLogs each shared channel's place in the cluster, in cluster mode; null alone
     * @param sharedMembers each shared channel's members on other relays, in cluster mode; null alone
     * @param directory the cluster's channels, in cluster mode; null alone
     */
    ChannelRegistry(List<String> defaultChannels, int bufferSize, Supplier<RecoveryHistory> histories,
                    Function<String, ClusterLog> clusterLogs, Function<String, SharedMembers> sharedMembers,
                    ChannelDirectory directory, int maxChannels, int maxPerCreator, int maxPerAddress, int maxInvites,
                    long graceMillis, long now) {
        this.clusterLogs = clusterLogs;
        this.sharedMembers = sharedMembers;
        this.directory = directory;
        this.bufferSize = bufferSize;
        this.histories = histories;
        this.maxChannels = maxChannels;
        this.maxPerCreator = maxPerCreator;
        this.maxPerAddress = maxPerAddress;
        this.maxInvites = maxInvites;
        // The cluster's count leaves out each relay's default channels, as this relay's count includes them.
        this.limits = new ChannelDirectory.Limits(Math.max(0, maxChannels - defaultChannels.size()), maxPerCreator,
                maxPerAddress, maxInvites, graceMillis);
        for (String name : defaultChannels) {
            if (directory != null) {
                directory.keepDefault(name);
                entries.put(name, new ChannelDirectory.Entry(false, null, null, null, true));
            }
            byName.put(name, new Channel(name, false, null, null, true, sequence.incrementAndGet(), bufferSize,
                    histories.get(), clusterLog(name), sharedMembers(name), maxInvites, now));
        }
    }

    private SharedMembers sharedMembers(String name) {
        return sharedMembers == null ? null : sharedMembers.apply(name);
    }

    private ClusterLog clusterLog(String name) {
        return clusterLogs == null ? null : clusterLogs.apply(name);
    }

    /**
     * The name a channel's log has in the cluster. A created channel's carries its generation, so a
     * namesake created once the name was free again (after the grace, or when Redis restarted empty
     * while a relay still had a copy of the old channel) never shares a log with that copy: neither
     * reads the other's messages. A default channel's is its name.
     */
    static String logName(String name, String generation) {
        return generation == null ? name : name + GENERATION_MARK + generation;
    }

    /**
     * The local channel a cluster delivery on {@code logName} is for; null when it is another
     * generation's (or no channel's here).
     */
    Channel forLog(String logName) {
        int mark = logName.indexOf(GENERATION_MARK);
        String name = mark < 0 ? logName : logName.substring(0, mark);
        String generation = mark < 0 ? null : logName.substring(mark + 1);
        Channel channel = byName.get(name);
        if (channel == null || directory == null) {
            return channel;
        }
        ChannelDirectory.Entry entry = entries.get(name);
        return entry != null && Objects.equals(generation, entry.generation()) ? channel : null;
    }

    /** The name of the channel's log and roster in the cluster ({@link #logName}). */
    String logNameOf(Channel channel) {
        ChannelDirectory.Entry entry = entries.get(channel.name());
        return logName(channel.name(), entry == null ? null : entry.generation());
    }

    /** The channel of that name on this relay, or null: never asks the cluster. */
    Channel get(String name) {
        return byName.get(name);
    }

    /**
     * The channel of that name: this relay's, or in cluster mode the cluster's, of which a local copy
     * is made here; null if there is none.
     */
    Channel find(String name, long now) {
        Channel channel = byName.get(name);
        return channel != null || directory == null ? channel : adopt(name, now);
    }

    /**
     * A local copy of the cluster's channel of that name. Its two round trips (the entry, the
     * position) are made outside the registry's lock, so a slow Redis, or a client naming many
     * channels, does not hold up every other channel's first use here; when two threads make a copy
     * at once, the first one registered stays.
     */
    private Channel adopt(String name, long now) {
        ChannelDirectory.Entry entry = inCluster(() -> directory.find(name));
        if (entry == null) {
            return null;
        }
        // Another relay's default channel is used here like a created one: a local copy while it has readers.
        String logName = logName(name, entry.generation());
        Channel copy = inCluster(() -> new Channel(name, entry.inviteOnly(), entry.creator(), entry.creatorAddress(), false,
                sequence.incrementAndGet(), bufferSize, histories.get(), clusterLog(logName), sharedMembers(logName),
                maxInvites, now));
        synchronized (this) {
            Channel existing = byName.get(name);
            if (existing != null) {
                return existing;
            }
            entries.put(name, entry);
            byName.put(name, copy);
        }
        copy.trackSharedMembers();
        return copy;
    }

    /** Whether the cluster has an invite to that channel for the id (false alone: the channel knows its own). */
    boolean invitedInCluster(String name, String agentId) {
        return directory != null && inCluster(() -> directory.isInvited(name, agentId));
    }

    /**
     * Records an invite for the whole cluster, in the list of this copy's generation only: after
     * Redis restarted empty, another relay may have created a namesake before this relay wrote the
     * copy's entry back, and an invite from here must not open it. A created channel's copy the
     * cluster answers OTHER_GENERATION for is let go here, and the caller retires it, as
     * {@link #reclaim} does; a default channel keeps its copy (its next renewal takes the name
     * back), so it answers GONE. RECORDED alone.
     */
    ChannelDirectory.Invitation inviteInCluster(Channel channel, String agentId) {
        if (directory == null) {
            return ChannelDirectory.Invitation.RECORDED;
        }
        ChannelDirectory.Entry entry;
        synchronized (this) {
            entry = entries.get(channel.name());
            if (entry == null || byName.get(channel.name()) != channel) {
                return ChannelDirectory.Invitation.OTHER_GENERATION; // let go meanwhile
            }
        }
        ChannelDirectory.Invitation answer = inCluster(() -> directory.invite(channel.name(), entry.generation(), agentId, limits));
        if (answer != ChannelDirectory.Invitation.OTHER_GENERATION) {
            return answer;
        }
        if (entry.permanent()) {
            return ChannelDirectory.Invitation.GONE;
        }
        synchronized (this) {
            if (byName.remove(channel.name(), channel)) {
                entries.remove(channel.name());
            }
        }
        return answer;
    }

    /** Creates a channel or throws CHANNEL_EXISTS / a limit error. */
    synchronized Channel create(String name, boolean inviteOnly, String creatorId, String address, long now) {
        if (byName.containsKey(name)) {
            throw exists(name);
        }
        if (directory != null) {
            return createInCluster(name, inviteOnly, creatorId, address, now);
        }
        if (byName.size() >= maxChannels) {
            throw tooManyChannels();
        }
        int created = createdBy.getOrDefault(creatorId, 0);
        if (created >= maxPerCreator) {
            throw tooManyForCreator();
        }
        if (createdFrom.getOrDefault(address, 0) >= maxPerAddress) {
            throw tooManyForAddress();
        }
        Channel channel = new Channel(name, inviteOnly, creatorId, address, false, sequence.incrementAndGet(), bufferSize,
                histories.get(), null, null, maxInvites, now);
        byName.put(name, channel);
        createdBy.merge(creatorId, 1, Integer::sum);
        createdFrom.merge(address, 1, Integer::sum);
        return channel;
    }

    private Channel createInCluster(String name, boolean inviteOnly, String creatorId, String address, long now) {
        ChannelDirectory.Entry entry = new ChannelDirectory.Entry(inviteOnly, creatorId, address, newGeneration(), false);
        ChannelDirectory.Creation creation = inCluster(() -> directory.create(name, entry, limits));
        switch (creation) {
            case EXISTS -> throw exists(name);
            case TOO_MANY_CHANNELS -> throw tooManyChannels();
            case TOO_MANY_FOR_CREATOR -> throw tooManyForCreator();
            case TOO_MANY_FOR_ADDRESS -> throw tooManyForAddress();
            case CREATED -> { }
        }
        Channel channel = inCluster(() -> new Channel(name, inviteOnly, creatorId, address, false, sequence.incrementAndGet(),
                bufferSize, histories.get(), clusterLog(logName(name, entry.generation())),
                sharedMembers(logName(name, entry.generation())), maxInvites, now));
        entries.put(name, entry);
        byName.put(name, channel);
        channel.trackSharedMembers();
        return channel;
    }

    private static ProtocolException exists(String name) {
        return new ProtocolException(ErrorCode.CHANNEL_EXISTS, "Channel " + name + " already exists");
    }

    private ProtocolException tooManyChannels() {
        return ProtocolException.invalid("Channel limit reached (" + maxChannels + " channels on this server)");
    }

    private ProtocolException tooManyForCreator() {
        return ProtocolException.invalid("Channel limit reached (max " + maxPerCreator + " channels per agent)");
    }

    private ProtocolException tooManyForAddress() {
        return ProtocolException.invalid("Channel limit reached (max " + maxPerAddress + " channels per address)");
    }

    /** Channels in creation order. */
    List<Channel> all() {
        List<Channel> channels = new ArrayList<>(byName.values());
        channels.sort(Comparator.comparingLong(Channel::sequence));
        return channels;
    }

    /**
     * In cluster mode: the public channels' names the cluster knows besides this relay's, at most
     * {@code max}; none alone, or when the cluster does not answer.
     */
    List<String> otherPublicChannels(int max) {
        if (directory == null) {
            return List.of();
        }
        try {
            List<String> names = new ArrayList<>(directory.publicChannels(max + byName.size()));
            names.removeIf(byName::containsKey);
            return names.size() > max ? names.subList(0, max) : names;
        } catch (ClusterUnavailableException e) {
            LOG.warn("cluster channel list unavailable: {}", e.getMessage());
            return List.of();
        }
    }

    /**
     * Deletes created channels that have been empty for at least the grace period; in cluster mode,
     * lets go of the local copies so, and keeps the cluster's entries of the others alive. Also
     * names the local copies whose name the cluster has given to another channel meanwhile: they
     * must be retired.
     */
    Reclaimed reclaim(long now, long graceMillis) {
        int reclaimed = 0;
        List<Channel> kept = new ArrayList<>();
        synchronized (this) {
            for (Channel channel : List.copyOf(byName.values())) {
                if (channel.reclaimIfIdle(now, graceMillis) && byName.remove(channel.name(), channel)) {
                    reclaimed++;
                    if (directory == null) {
                        createdBy.computeIfPresent(channel.creatorId(), ChannelRegistry::decrement);
                        createdFrom.computeIfPresent(channel.creatorAddress(), ChannelRegistry::decrement);
                    } else {
                        entries.remove(channel.name());
                    }
                } else if (directory != null && channel.everRead()) {
                    kept.add(channel); // a copy nobody has read here does not keep the cluster's channel alive
                }
            }
        }
        // One round trip per channel: outside the lock, so creations and first uses go on meanwhile.
        List<Channel> superseded = new ArrayList<>();
        for (Channel channel : kept) {
            if (!renew(channel)) {
                superseded.add(channel);
            }
        }
        synchronized (this) {
            superseded.removeIf(channel -> !byName.remove(channel.name(), channel));
            superseded.forEach(channel -> entries.remove(channel.name()));
        }
        return new Reclaimed(reclaimed, superseded);
    }

    /** What a {@link #reclaim} let go: how many channels, and the local copies to retire. */
    record Reclaimed(int count, List<Channel> superseded) {
    }

    /** False only when the cluster has given the name to another channel; an unreachable cluster is logged. */
    private boolean renew(Channel channel) {
        ChannelDirectory.Entry entry = entries.get(channel.name());
        try {
            return entry == null || directory.renew(channel.name(), entry, limits);
        } catch (ClusterUnavailableException e) {
            LOG.warn("cluster channel not renewed channel={}: {}", channel.logName(), e.getMessage());
            return true;
        }
    }

    private static Integer decrement(String key, Integer count) {
        return count <= 1 ? null : count - 1;
    }

    int size() {
        return byName.size();
    }

    private static String newGeneration() {
        byte[] bytes = new byte[8];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** A call that needs the cluster's answer; CLUSTER_UNAVAILABLE for the client when there is none. */
    private static <T> T inCluster(Supplier<T> call) {
        try {
            return call.get();
        } catch (ClusterUnavailableException e) {
            LOG.warn("cluster unavailable: {}", e.getMessage());
            throw new ProtocolException(ErrorCode.CLUSTER_UNAVAILABLE, "The relay cannot reach its cluster; try again later");
        }
    }
}
