package io.agentchat.server.core;

import io.agentchat.identity.AgentId;
import io.agentchat.identity.Ed25519;
import io.agentchat.identity.IdentityException;
import io.agentchat.identity.SignedText;
import io.agentchat.identity.Pem;
import io.agentchat.protocol.ClientFrame;
import io.agentchat.protocol.ErrorCode;
import io.agentchat.protocol.ProtocolException;
import io.agentchat.protocol.ServerFrame;
import io.agentchat.server.cluster.AgentDirectory;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * IDENTIFY, and proof of key possession. A key-based IDENTIFY is answered with the key-derived id
 * as the original server does, preceded by a challenge. Only the answer to that challenge proves
 * the session holds the key; only then is the session routed to as the id, and may it displace
 * another connection holding the id. Before that it may read public channels unseen and post
 * messages it signed itself, each signature fresh and never seen before (the original's client
 * signs every message but never answers the challenge).
 */
final class IdentityGate {
    static final String CHALLENGE_PREFIX = "AGENTCHAT-IDENTIFY-";
    private static final Logger LOG = LoggerFactory.getLogger("agentchat.server");
    private static final Set<String> LOCAL_HOSTS = localHosts();

    private final Wire wire;
    private final AgentRegistry agents;
    private final ChannelService channels;
    private final String serverName;
    private final SecureRandom random = new SecureRandom();
    private final List<String> publicHosts;
    private final HeldMessages held;
    private final long rateLimitMs;
    private final int rateBurst;
    private final ClusterIdentity cluster;

    /**
     * @param rateLimit the MSG pace told to every client in WELCOME: {@code rateBurst} at once, then
     *                  one per {@code rateLimit} (zero: none)
     * @param directory the cluster's agent directory, or null for a relay alone; with one, ids,
     *                  proofs and held DMs are the cluster's, and {@code held} serves only for its locks
     */
    IdentityGate(Wire wire, AgentRegistry agents, ChannelService channels, HeldMessages held, String serverName,
                 List<String> publicHosts, Duration rateLimit, int rateBurst, AgentDirectory directory) {
        this.wire = wire;
        this.agents = agents;
        this.channels = channels;
        this.held = held;
        this.serverName = serverName;
        this.publicHosts = publicHosts.stream().map(SignedText::challengeHost).toList();
        this.rateLimitMs = rateLimit.toMillis();
        this.rateBurst = rateBurst;
        this.cluster = directory == null ? null : new ClusterIdentity(directory, agents, held, this::kick);
    }

    void identify(AgentSession session, ClientFrame.Identify frame) {
        if (session.identified()) {
            throw ProtocolException.invalid("Already identified");
        }
        if (frame.pubkey() == null) {
            String id = agents.registerEphemeral(session);
            session.identify(id, frame.name(), null, null);
            if (cluster != null) {
                cluster.ephemeral(id);
            }
            LOG.info("identify id=@{} key=false", id);
            wire.send(session, welcome(session));
            return;
        }
        byte[] publicKey;
        try {
            publicKey = Pem.parseCanonicalPublicKey(frame.pubkey());
        } catch (IdentityException e) {
            throw ProtocolException.invalid("Invalid public key format (must be Ed25519 PEM)");
        }
        String id = AgentId.fromPubkey(frame.pubkey());
        session.identify(id, frame.name(), frame.pubkey(), publicKey);
        String requestId = "identify_" + hex(8);
        String nonce = CHALLENGE_PREFIX + hex(16);
        session.setChallenge(requestId, nonce);
        // The challenge goes first so a client that answers it does so before anything else it sends.
        wire.send(session, ServerFrame.VerifyRequest.challenge(wire.now(), requestId, "@server", nonce));
        // Not registered under the id yet: a public key is public, so only the answer routes the id here.
        LOG.info("identify id=@{} key=true", id);
        wire.send(session, welcome(session));
    }

    private ServerFrame.Welcome welcome(AgentSession session) {
        return new ServerFrame.Welcome(wire.now(), session.ref(), serverName, rateLimitMs, rateBurst);
    }

    /** Handles an answer to our IDENTIFY challenge; false if the response is for something else. */
    boolean answerChallenge(AgentSession session, ClientFrame.VerifyResponse response) {
        String expected = session.challengeId();
        if (expected == null || !expected.equals(response.requestId())) {
            return false;
        }
        String refusal = response.nonce().equals(session.challengeNonce()) && namesThisServer(session, response)
                ? prove(session, response.requestId()) : "Signature verification failed";
        if (refusal != null) {
            wire.send(session, new ServerFrame.VerifyFailed(wire.now(), response.requestId(), null, refusal,
                    Boolean.FALSE));
        }
        return true;
    }

    /**
     * Whether the answer signs {@code AGENTCHAT-IDENTIFY|host|nonce} for a host that is this server:
     * the Host the client sent, or one the operator named. A client names the host it dialled, so
     * an answer a hostile server got from a client by forwarding our challenge names that server.
     */
    private boolean namesThisServer(AgentSession session, ClientFrame.VerifyResponse response) {
        List<String> hosts = new ArrayList<>(publicHosts);
        String dialled = session.dialledHost() == null ? null : SignedText.challengeHost(session.dialledHost());
        // The Host header is the caller's word: a relay in the middle sets it to the host its victim
        // dialled. So it counts only when it names this machine itself (localhost or one of its
        // addresses); a public name must be one the operator gave (--public-host).
        if (dialled != null && LOCAL_HOSTS.contains(hostPart(dialled))) {
            hosts.add(dialled);
        }
        for (String host : hosts) {
            if (Ed25519.verifyStrict(session.pubkey(), SignedText.identifyChallenge(host, response.nonce()),
                    response.sig())) {
                return true;
            }
        }
        return false;
    }

    /** {@code host} of {@code host}, {@code host:port} or {@code [v6]:port}. */
    private static String hostPart(String authority) {
        int colon = authority.lastIndexOf(':');
        return colon > authority.lastIndexOf(']') ? authority.substring(0, colon) : authority;
    }

    /** localhost and every address of this machine's interfaces, as a Host header spells them. */
    private static Set<String> localHosts() {
        Set<String> hosts = new HashSet<>(List.of("localhost"));
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                    String text = address.getHostAddress();
                    int scope = text.indexOf('%');
                    text = scope < 0 ? text : text.substring(0, scope);
                    hosts.add(address instanceof Inet6Address ? "[" + text + "]" : text);
                }
            }
        } catch (SocketException e) {
            LOG.warn("cannot list network interfaces; only localhost and --public-host names prove keys", e);
        }
        return Set.copyOf(hosts);
    }

    /** The refusal of anything that acts as the id from a key-based session that has not proved it. */
    static ProtocolException proofRequired(AgentSession session) {
        return new ProtocolException(ErrorCode.AUTH_REQUIRED, "Prove you hold the key of " + session.ref()
                + " first: answer the IDENTIFY challenge (VERIFY_REQUEST from @server)");
    }

    /**
     * Challenge answered: the id becomes the session's and it becomes visible; it is told so, then
     * gets the DMs held for it while it was away, before any DM sent to it from now on. Returns why
     * not, when the id (8 hex characters of the key's hash, so collisions can be ground) is held by
     * a session with another key, or by an ephemeral session that happened to draw it: the holder
     * keeps it.
     */
    private String prove(AgentSession session, String requestId) {
        AgentRegistry.Claim claim;
        synchronized (held.lockFor(session.id())) {
            if (cluster == null && held.heldForAnotherKey(session.id(), session.pubkey(), wire.now())) {
                LOG.warn("proof refused id={} reason=held-for-another-key", session.ref());
                return "Agent id " + session.ref() + " is held by a different key";
            }
            AgentDirectory.Claim inCluster = null;
            if (cluster != null) {
                // Asked here first, so a local holder of another key keeps the id without a word to Redis.
                AgentSession holder = agents.get(session.id());
                if (holder != null && holder != session && (!holder.hasKey() || !holder.pubkey().equals(session.pubkey()))) {
                    LOG.warn("proof refused id={} reason=held-by-another-key", session.ref());
                    return "Agent id " + session.ref() + " is held by a different key";
                }
                inCluster = cluster.claim(session);
                if (inCluster == null) {
                    return "The cluster cannot be reached to prove " + session.ref() + " now; try again";
                }
                if (!inCluster.granted()) {
                    LOG.warn("proof refused id={} reason=held-by-another-key-in-cluster", session.ref());
                    return "Agent id " + session.ref() + " is held by a different key";
                }
            }
            claim = agents.claim(session.id(), session);
            if (!claim.granted()) {
                LOG.warn("proof refused id={} reason=held-by-another-key", session.ref());
                return "Agent id " + session.ref() + " is held by a different key";
            }
            if (inCluster != null) {
                cluster.holds(session.id(), inCluster.number());
            }
            session.markProven();
            wire.send(session, new ServerFrame.VerifySuccess(wire.now(), requestId, null, null, Boolean.TRUE));
            if (!session.closed()) {
                List<String> waiting = inCluster != null ? inCluster.held()
                        : held.release(session.id(), session.pubkey(), wire.now());
                if (!waiting.isEmpty()) {
                    session.sendAll(waiting);
                    wire.metrics().heldDelivered(waiting.size());
                    LOG.info("held id={} delivered={}", session.ref(), waiting.size());
                }
            }
        }
        if (claim.displaced() != null) {
            kick(claim.displaced());
        }
        if (session.closed()) {
            gone(session); // closed while this frame was handled: the clean-up already ran
            return null;
        }
        channels.revealUnseen(session);
        LOG.info("proven id={}", session.ref());
        return null;
    }

    /**
     * A closed session stops answering to its id; if it was a proven identity, DMs to the id are
     * held for its return from now on (a displaced session no longer answers to it: nothing to do).
     */
    void gone(AgentSession session) {
        if (session.id() == null) {
            return;
        }
        synchronized (held.lockFor(session.id())) {
            if (agents.remove(session)) {
                if (cluster != null) {
                    cluster.gone(session);
                } else if (session.hasKey() && session.proven()) {
                    held.open(session.id(), session.pubkey(), wire.now());
                }
            }
        }
    }

    /** Closed before it leaves its channels, so a JOIN it is handling right now cannot stay behind. */
    private void kick(AgentSession old) {
        LOG.info("identity-takeover id={}", old.ref());
        wire.error(old, ErrorCode.INVALID_MSG, "Disconnected: Another connection claimed this identity");
        old.close(1000, "Identity claimed by new connection");
        channels.leaveAll(old);
    }

    private String hex(int bytes) {
        byte[] buffer = new byte[bytes];
        random.nextBytes(buffer);
        return HexFormat.of().formatHex(buffer);
    }

}
