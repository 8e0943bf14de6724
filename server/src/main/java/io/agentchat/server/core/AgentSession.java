package io.agentchat.server.core;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One connected socket and what the relay knows about it. The id is fixed at IDENTIFY; a
 * key-based session starts <em>unproven</em> and becomes proven only by answering this server's
 * IDENTIFY challenge. Until then it does not act as the id: nothing addressed to the id reaches
 * it, and nothing others see about the id changes because of it (see {@link #actsAsId()}).
 */
public final class AgentSession {
    private final Outbound outbound;
    private final String dialledHost;
    private final long connectedAt;
    private final RateLimiter messageLimiter;
    private final RateLimiter frameLimiter;
    private final RateLimiter invalidFrames;
    private final Set<Channel> channels = ConcurrentHashMap.newKeySet();
    private final AnswerOrder answers = new AnswerOrder();

    private volatile String id;
    private volatile String name;
    private volatile String pubkey;
    /** The key of {@link #pubkey}, parsed once at IDENTIFY for the signature checks of every MSG. */
    private volatile byte[] publicKey;
    private volatile boolean proven;
    private volatile String presence = "online";
    private volatile String statusText;
    private volatile String challengeId;
    private volatile String challengeNonce;
    private volatile boolean closed;
    private volatile long lastHeard;
    /** Tells this connection's entries in the cluster's rosters from another session's of the same id. */
    private final String clusterToken = Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong());

    AgentSession(Outbound outbound, String dialledHost, long connectedAt, RateLimiter messageLimiter,
            RateLimiter frameLimiter, RateLimiter invalidFrames) {
        this.outbound = outbound;
        this.dialledHost = dialledHost;
        this.connectedAt = connectedAt;
        this.lastHeard = connectedAt;
        this.messageLimiter = messageLimiter;
        this.frameLimiter = frameLimiter;
        this.invalidFrames = invalidFrames;
    }

    public boolean identified() {
        return id != null;
    }

    /** The agent reference as used on the wire: {@code @id}. */
    public String ref() {
        return "@" + id;
    }

    public String id() {
        return id;
    }

    public String name() {
        return name;
    }

    public String pubkey() {
        return pubkey;
    }

    public boolean hasKey() {
        return pubkey != null;
    }

    public boolean proven() {
        return proven;
    }

    /**
     * Whether this session is the id's: an ephemeral session always is (its id was made for it), a
     * key-based one once it has answered the challenge. Only such a session is routed to, is seen
     * in member lists and presence, and may create, invite, or use the marketplace.
     */
    public boolean actsAsId() {
        return identified() && (pubkey == null || proven);
    }

    public String presence() {
        return presence;
    }

    public String statusText() {
        return statusText;
    }

    public long connectedAt() {
        return connectedAt;
    }

    public boolean closed() {
        return closed;
    }

    Outbound outbound() {
        return outbound;
    }

    void send(String text) {
        if (!closed) {
            outbound.send(text);
        }
    }

    void sendAll(java.util.List<String> texts) {
        if (!closed) {
            outbound.sendAll(texts);
        }
    }

    /** Where the transport learns when this connection's next frame may be read. */
    public AnswerOrder answers() {
        return answers;
    }

    /** The frame being handled will be answered later; the next one is read once it is given. */
    AnswerOrder.Pending answerLater() {
        return answers.later();
    }

    void close(int code, String reason) {
        closed = true;
        outbound.close(code, reason);
    }

    /** Records that the peer sent something (a frame or a pong): it is still there. */
    void heard(long now) {
        lastHeard = now;
    }

    long lastHeard() {
        return lastHeard;
    }

    void markClosed() {
        closed = true;
    }

    void identify(String id, String name, String pubkey, byte[] publicKey) {
        this.id = id;
        this.name = name;
        this.pubkey = pubkey;
        this.publicKey = publicKey;
    }

    byte[] publicKey() {
        return publicKey;
    }

    void markProven() {
        this.proven = true;
        this.challengeId = null;
        this.challengeNonce = null;
    }

    void setChallenge(String requestId, String nonce) {
        this.challengeId = requestId;
        this.challengeNonce = nonce;
    }

    /** The HTTP Host of the upgrade request, or null. */
    String dialledHost() {
        return dialledHost;
    }

    String challengeId() {
        return challengeId;
    }

    String challengeNonce() {
        return challengeNonce;
    }

    void setPresence(String presence, String statusText) {
        this.presence = presence;
        this.statusText = statusText;
    }

    RateLimiter messageLimiter() {
        return messageLimiter;
    }

    RateLimiter frameLimiter() {
        return frameLimiter;
    }

    /** One token per frame the decoder refused; none left means the peer sends garbage, not mistakes. */
    RateLimiter invalidFrames() {
        return invalidFrames;
    }

    void joined(Channel channel) {
        channels.add(channel);
    }

    void left(Channel channel) {
        channels.remove(channel);
    }

    List<Channel> channels() {
        return List.copyOf(channels);
    }

    String clusterToken() {
        return clusterToken;
    }

    String remoteAddress() {
        return outbound.remoteAddress();
    }
}
