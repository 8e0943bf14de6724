package io.agentchat.server.market;

import static io.agentchat.protocol.ProtocolException.invalid;

import io.agentchat.identity.Ed25519;
import io.agentchat.identity.SignedText;
import io.agentchat.protocol.ClientFrame;
import io.agentchat.protocol.ErrorCode;
import io.agentchat.protocol.ProtocolException;
import io.agentchat.protocol.ServerFrame;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Peer challenge-response (docs/protocol.md §9.5): a requester names a nonce, the target signs it, the
 * server checks the signature with the key the target identified with.
 *
 * <p>Node responders sign whatever nonce arrives, so a nonce may only use base64/hex-like
 * characters: it can never equal one of the signed texts of docs/protocol.md §10 (they all
 * contain {@code |}, {@code {} or {@code [}) and the target cannot be used as a signing oracle.
 * Java responders sign the domain-separated {@link SignedText#verification} text instead; both are
 * accepted. Pending requests are bounded per requester and in all, and time out after
 * {@link MarketConfig#verificationTimeout()} on the caller's scheduler (and lazily by the clock).
 */
final class Verification {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern NONCE = Pattern.compile("[A-Za-z0-9+/=_.:-]+");

    private record Pending(String id, String requester, String target, String targetPubkey, String nonce,
                           long createdAt, Delivery delivery) {
    }

    private final MarketConfig config;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private final Map<String, Pending> pending = new LinkedHashMap<>();
    private final SharedCaps caps;

    Verification(MarketConfig config, Clock clock, ScheduledExecutorService scheduler) {
        this(config, clock, scheduler, null);
    }

    /** @param caps the cluster's count of pending requests per requester, or null for a relay alone */
    Verification(MarketConfig config, Clock clock, ScheduledExecutorService scheduler, SharedCaps caps) {
        this.config = config;
        this.clock = clock;
        this.scheduler = scheduler;
        this.caps = caps;
    }

    void request(Caller caller, ClientFrame.VerifyRequest f, Delivery delivery) {
        if (!NONCE.matcher(f.nonce()).matches()) {
            throw invalid("Nonce may only contain letters, digits and + / = _ . : -");
        }
        if (f.nonce().startsWith("AGENTCHAT-")) {
            throw invalid("Nonce may not start with AGENTCHAT- (reserved for the server's own challenges)");
        }
        if (!delivery.online(f.target())) {
            throw new ProtocolException(ErrorCode.AGENT_NOT_FOUND, "Agent " + f.target() + " not found");
        }
        String pubkey = delivery.pubkeyOf(f.target());
        if (pubkey == null) {
            throw new ProtocolException(ErrorCode.NO_PUBKEY, "Agent " + f.target() + " has no persistent identity");
        }
        long now = clock.millis();
        String id = newId(now);
        if (caps != null) {
            // The cluster's count of the requester's pending requests: taken outside this lock (a
            // Redis round trip), after this relay's own count, which is checked again below.
            check(caller, now);
            int refused = caps.take(id, now + config.verificationTimeout().toMillis(),
                    List.of("verifier " + caller.agentRef()), List.of(config.maxVerificationsPerRequester()),
                    "Verification not requested: the relay cannot reach its cluster; try again later");
            if (refused >= 0) {
                throw tooMany();
            }
        }
        Pending p;
        synchronized (this) {
            try {
                check(caller, now);
            } catch (RuntimeException e) {
                if (caps != null) {
                    caps.release(id);
                }
                throw e;
            }
            p = new Pending(id, caller.agentRef(), f.target(), pubkey, f.nonce(), now, delivery);
            pending.put(p.id(), p);
        }
        delivery.opened(p.id(), config.verificationTimeout().toMillis());
        scheduler.schedule((Runnable) this::expireDue, config.verificationTimeout().toMillis(), TimeUnit.MILLISECONDS);
        delivery.toAgent(f.target(), ServerFrame.VerifyRequest.challenge(now, p.id(), p.requester(), p.nonce()));
        delivery.toAgent(p.requester(), ServerFrame.VerifyRequest.ack(now, p.id(), p.target()));
    }

    /** The requester's pending requests on this relay, and the pending requests in all. */
    private synchronized void check(Caller caller, long now) {
        expireDue(now);
        long mine = pending.values().stream().filter(x -> x.requester().equals(caller.agentRef())).count();
        if (mine >= config.maxVerificationsPerRequester()) {
            throw tooMany();
        }
        if (pending.size() >= config.maxVerifications()) {
            throw invalid("Server verification capacity reached, try again later");
        }
    }

    private ProtocolException tooMany() {
        return invalid("Too many pending verification requests (max " + config.maxVerificationsPerRequester() + ")");
    }

    void respond(Caller caller, ClientFrame.VerifyResponse f, Delivery delivery) {
        if (!caller.hasKey()) {
            throw new ProtocolException(ErrorCode.SIGNATURE_REQUIRED,
                    "Responding to verification requires persistent identity");
        }
        long now = clock.millis();
        Pending p;
        synchronized (this) {
            expireDue(now);
            p = pending.get(f.requestId());
            if (p == null) {
                throw new ProtocolException(ErrorCode.VERIFICATION_EXPIRED, "Verification request not found or expired");
            }
            if (!p.target().equals(caller.agentRef())) {
                throw invalid("You are not the target of this verification");
            }
            if (!p.nonce().equals(f.nonce())) {
                throw invalid("Nonce mismatch"); // the request stays pending, as in the reference
            }
            pending.remove(p.id());
            released(p);
        }
        boolean valid = Ed25519.verifyStrict(p.targetPubkey(), p.nonce(), f.sig())
                || Ed25519.verifyStrict(p.targetPubkey(), SignedText.verification(p.id(), p.nonce()), f.sig());
        if (valid) {
            delivery.toAgent(p.requester(), new ServerFrame.VerifySuccess(now, p.id(), p.target(), p.targetPubkey(), null));
            delivery.toAgent(caller.agentRef(), new ServerFrame.VerifySuccess(now, p.id(), null, null, Boolean.TRUE));
        } else {
            delivery.toAgent(p.requester(),
                    new ServerFrame.VerifyFailed(now, p.id(), p.target(), "Signature verification failed", null));
            delivery.toAgent(caller.agentRef(), new ServerFrame.VerifyFailed(now, p.id(), null, null, Boolean.FALSE));
        }
    }

    /** Fails every request older than the timeout; only the requester is told, as in the reference. */
    void expireDue() {
        expireDue(clock.millis());
    }

    synchronized boolean contains(String id) {
        return pending.containsKey(id);
    }

    synchronized int size() {
        return pending.size();
    }

    private void expireDue(long now) {
        java.util.List<Pending> due = new java.util.ArrayList<>();
        synchronized (this) {
            long timeout = config.verificationTimeout().toMillis();
            pending.values().removeIf(p -> {
                boolean expired = now - p.createdAt() >= timeout;
                if (expired) {
                    due.add(p);
                    released(p);
                }
                return expired;
            });
        }
        for (Pending p : due) {
            p.delivery().toAgent(p.requester(),
                    new ServerFrame.VerifyFailed(now, p.id(), p.target(), "Verification timed out", null));
        }
    }

    /** The request is no longer pending: in a cluster, its slot under the requester's cap goes back. */
    private void released(Pending p) {
        if (caps != null) {
            caps.release(p.id());
        }
    }

    private static String newId(long now) {
        byte[] random = new byte[4];
        RANDOM.nextBytes(random);
        return "verify_" + Long.toString(now, 36) + "_" + HexFormat.of().formatHex(random);
    }
}
