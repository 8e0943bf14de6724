package io.agentchat.server.core;

import io.agentchat.server.cluster.Cluster;

/**
 * The server's notices to a channel's readers that are not channel messages: no seq, not buffered
 * for replay (docs/protocol.md §7.8), such as the {@code #discovery} announcement of a skill
 * registration. Alone, the relay hands one to the channel's readers at once. In a cluster the
 * channel's readers are on every relay, so the notice goes through the cluster to every relay and
 * each hands it to its own readers once; like a channel message it is not handed out where it was
 * made, so a relay hands out a channel's notices and messages in the one order Redis published them
 * (docs/decisions.md, "Server notices to a shared channel: published, not numbered").
 */
final class ChannelNotices {
    private final ChannelRegistry channels;
    private final Cluster cluster;

    /** @param cluster the cluster this relay belongs to, or null for a relay alone */
    ChannelNotices(ChannelRegistry channels, Cluster cluster) {
        this.channels = channels;
        this.cluster = cluster;
    }

    /** To the channel's readers, if the channel exists here, encoded once for all of them. */
    void send(String channel, String text) {
        Channel target = channels.get(channel);
        if (target == null) {
            return;
        }
        if (cluster == null) {
            target.broadcastText(text);
        } else {
            cluster.notice(channels.logNameOf(target), text);
        }
    }

    /** A notice from the cluster (any relay's, this one's too), on the cluster's delivery thread. */
    void arrived(String logName, String text) {
        Channel target = channels.forLog(logName);
        if (target != null) {
            target.broadcastText(text);
        }
    }
}
