package io.agentchat.server.cluster;

/**
 * What /health says of the cluster: this relay's id, how many relays had a live heartbeat at the
 * last beat, and whether that beat reached Redis.
 */
public record ClusterStatus(String relayId, int relaysSeen, boolean redisReachable) {
}
