package io.agentchat.server.core;

import java.security.SecureRandom;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which session answers to which agent id (DM routing, invites, proposals, verification,
 * takeover). Holds only sessions that act as their id: ephemeral ones, and key-based ones once
 * they answered the challenge. Ephemeral ids come from a CSPRNG and are never handed out while
 * in use.
 */
final class AgentRegistry {
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    private final ConcurrentHashMap<String, AgentSession> byId = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();

    /** Reserves a fresh random 8-char id for an ephemeral session. */
    String registerEphemeral(AgentSession session) {
        while (true) {
            char[] id = new char[8];
            for (int i = 0; i < id.length; i++) {
                id[i] = ALPHABET[random.nextInt(ALPHABET.length)];
            }
            String candidate = new String(id);
            if (byId.putIfAbsent(candidate, session) == null) {
                return candidate;
            }
        }
    }

    /** The outcome of a proven session's claim on its id; {@code displaced} is the previous holder, if any. */
    record Claim(boolean granted, AgentSession displaced) {
    }

    /**
     * Makes a proven key-based {@code session} the holder of {@code id}, displacing a holder with the
     * same key; a holder with another key (or none: ephemeral) keeps the id. Atomic per id.
     */
    Claim claim(String id, AgentSession session) {
        AgentSession[] displaced = new AgentSession[1];
        boolean[] refused = new boolean[1];
        byId.compute(id, (key, holder) -> {
            if (holder == null || holder == session) {
                return session;
            }
            if (session.pubkey().equals(holder.pubkey())) {
                displaced[0] = holder;
                return session;
            }
            refused[0] = true;
            return holder;
        });
        return new Claim(!refused[0], displaced[0]);
    }

    AgentSession get(String id) {
        return byId.get(id);
    }

    /** True if {@code session} answered to its id until now. */
    boolean remove(AgentSession session) {
        return session.id() != null && byId.remove(session.id(), session);
    }

    Collection<AgentSession> all() {
        return List.copyOf(byId.values());
    }

    int size() {
        return byId.size();
    }
}
