package io.agentchat.server.cluster;

/**
 * The names of the keys the relays share in Redis (docs/cluster.md, "Keys"). A channel's keys
 * carry its name as a hash tag ({@code {#c}}), so they stay together on one Redis Cluster slot.
 */
final class RedisKeys {
    /** Every created channel, scored by the time its entry expires. */
    static final String CHANNELS = "agentchat:channels";
    /** The public ones among them. */
    static final String PUBLIC_CHANNELS = "agentchat:channels:public";

    private RedisKeys() {
    }

    static String meta(String channel) {
        return "agentchat:{" + channel + "}:meta";
    }

    static String log(String channel) {
        return "agentchat:{" + channel + "}:log";
    }

    static String topic(String channel) {
        return "agentchat:{" + channel + "}:msg";
    }

    /** The channel's server notices, which are not numbered or kept (docs/cluster.md, "Marketplace"). */
    static String notices(String channel) {
        return "agentchat:{" + channel + "}:notice";
    }
}
