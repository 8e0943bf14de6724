package io.agentchat.server.cluster;

/**
 * One change of a shared channel's members, as Redis published it: a member added or changed
 * ({@code put}), or removed ({@code removedId}). {@code version} counts the channel's changes within
 * {@code epoch}; the epoch is new whenever Redis lost the channel's members (a restart).
 */
public record RosterChange(String epoch, long version, RosterEntry put, String removedId) {
}
