package io.agentchat.server.cluster;

import java.util.Objects;

/**
 * One visible member of a shared channel as the cluster knows it: the agent, what LIST_AGENTS shows
 * of it, the relay it is connected to and the session there that joined. Only that session may
 * change or remove the entry, so the leave of a session displaced by a newer one elsewhere cannot
 * delete the newer one's entry.
 *
 * @param id       the agent id, without {@code @}
 * @param relay    the {@link Roster#relayId()} of the relay holding the session
 * @param session  a token of that session, unique per connection
 */
public record RosterEntry(String id, String name, String presence, String statusText, String relay, String session) {

    /** Whether a member list would show something else for {@code other} (name, presence or status). */
    public boolean looksDifferentFrom(RosterEntry other) {
        return !Objects.equals(name, other.name) || !Objects.equals(presence, other.presence)
                || !Objects.equals(statusText, other.statusText);
    }
}
