package io.agentchat.server.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * An id is 8 hex characters of the key's hash, so two keys can share one (2^32 work to grind one on
 * purpose). Proving a key must never take an id from a session holding it with another key.
 */
class AgentRegistryTest {
    private static final Outbound NOWHERE = new Outbound() {
        @Override public void send(String text) { }
        @Override public void abort() { }
        @Override public void close(int code, String reason) { }
        @Override public void ping() { }
        @Override public String remoteAddress() { return "127.0.0.1"; }
    };

    private static AgentSession session(String id, String pubkey) {
        RateLimiter none = new RateLimiter(Clock.systemUTC(), Duration.ZERO, 1);
        AgentSession session = new AgentSession(NOWHERE, "localhost", 0, none, none, none);
        session.identify(id, "x", pubkey, null);
        return session;
    }

    @Test
    void theSameKeyDisplacesAnotherKeyOrAnEphemeralNever() {
        AgentRegistry registry = new AgentRegistry();
        AgentSession first = session("0a1b2c3d", "key A");
        assertEquals(new AgentRegistry.Claim(true, null), registry.claim("0a1b2c3d", first));
        AgentSession again = session("0a1b2c3d", "key A");
        AgentRegistry.Claim displaced = registry.claim("0a1b2c3d", again);
        assertTrue(displaced.granted());
        assertSame(first, displaced.displaced());

        AgentRegistry.Claim collision = registry.claim("0a1b2c3d", session("0a1b2c3d", "key B"));
        assertFalse(collision.granted());
        assertNull(collision.displaced());
        assertSame(again, registry.get("0a1b2c3d"));

        String ephemeral = registry.registerEphemeral(session(null, null));
        assertFalse(registry.claim(ephemeral, session(ephemeral, "key C")).granted());
    }
}
