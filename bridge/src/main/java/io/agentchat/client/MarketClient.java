package io.agentchat.client;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.agentchat.identity.Identity;
import io.agentchat.identity.IdentityException;
import io.agentchat.identity.SignedText;
import io.agentchat.protocol.ClientFrame;
import io.agentchat.protocol.ServerFrame;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The marketplace requests on one {@link Connection} (see docs/protocol.md): proposals and their
 * lifecycle, skills, and identity verification. Each request {@code x} has an async form
 * {@code xAsync}, whose future completes with the server's reply frame, its ERROR
 * ({@link ServerErrorException}) or a {@link ClientException} such as TIMEOUT; {@code x} waits for
 * it, as the connection's own requests do. Verification, a two-step exchange, is blocking only.
 *
 * <p>Signed frames are signed over the exact texts of {@link SignedText} with the connection's
 * identity; optional fields that are absent are left out of the frame, never sent as {@code null}.
 */
public final class MarketClient {
    /** How long {@link #verify} waits for the outcome by default: the server gives up after 30 s. */
    public static final Duration VERIFY_TIMEOUT = Duration.ofSeconds(35);

    private static final SecureRandom RANDOM = new SecureRandom();
    private final Connection connection;

    public MarketClient(Connection connection) {
        this.connection = connection;
    }

    /**
     * What a proposal offers. Null fields are absent.
     *
     * @param to      {@code @id} of the recipient; a missing {@code @} is added
     * @param expires relative seconds, as signed (the server relays absolute ms)
     */
    public record Terms(String to, String task, Double amount, String currency, String paymentCode,
                        String terms, Double expires, Integer eloStake) {
    }

    /** The outcome of {@link #verify}: {@code pubkey} when verified, {@code reason} when not. */
    public record Verification(boolean verified, String agent, String pubkey, String reason, String requestId) {
    }

    /** Sends a signed PROPOSAL and returns the server's copy, which carries the new proposal id. */
    public ServerFrame.Proposal propose(Terms terms) {
        return Requests.await(proposeAsync(terms));
    }

    public CompletableFuture<ServerFrame.Proposal> proposeAsync(Terms terms) {
        Identity identity = requireIdentity("Proposals");
        String to = agentRef(terms.to());
        String sig = identity.sign(SignedText.proposal(to, terms.task(), terms.amount(), terms.currency(),
                terms.paymentCode(), terms.expires(), terms.eloStake()));
        String self = connection.agentId();
        return connection.requestAsync("the PROPOSAL to " + to,
                f -> f instanceof ServerFrame.Proposal p && self.equals(p.from()) && to.equals(p.to()) ? p : null,
                new ClientFrame.Proposal(to, terms.task(), terms.amount(), terms.currency(), terms.paymentCode(),
                        terms.terms(), terms.expires(), terms.eloStake(), sig)).future;
    }

    /** Accepts a proposal; {@code paymentCode} and {@code eloStake} may be null and are then left out. */
    public ServerFrame.Accept accept(String proposalId, String paymentCode, Integer eloStake) {
        return Requests.await(acceptAsync(proposalId, paymentCode, eloStake));
    }

    public CompletableFuture<ServerFrame.Accept> acceptAsync(String proposalId, String paymentCode, Integer eloStake) {
        String sig = requireIdentity("Accepting proposals").sign(SignedText.accept(proposalId, paymentCode, eloStake));
        return connection.requestAsync("ACCEPT of " + proposalId,
                f -> f instanceof ServerFrame.Accept a && proposalId.equals(a.proposalId()) ? a : null,
                new ClientFrame.Accept(proposalId, paymentCode, eloStake, sig)).future;
    }

    public ServerFrame.Reject reject(String proposalId, String reason) {
        return Requests.await(rejectAsync(proposalId, reason));
    }

    public CompletableFuture<ServerFrame.Reject> rejectAsync(String proposalId, String reason) {
        String sig = requireIdentity("Rejecting proposals").sign(SignedText.reject(proposalId, reason));
        return connection.requestAsync("REJECT of " + proposalId,
                f -> f instanceof ServerFrame.Reject r && proposalId.equals(r.proposalId()) ? r : null,
                new ClientFrame.Reject(proposalId, reason, sig)).future;
    }

    public ServerFrame.Complete complete(String proposalId, String proof) {
        return Requests.await(completeAsync(proposalId, proof));
    }

    public CompletableFuture<ServerFrame.Complete> completeAsync(String proposalId, String proof) {
        String sig = requireIdentity("Completing proposals").sign(SignedText.complete(proposalId, proof));
        return connection.requestAsync("COMPLETE of " + proposalId,
                f -> f instanceof ServerFrame.Complete c && proposalId.equals(c.proposalId()) ? c : null,
                new ClientFrame.Complete(proposalId, proof, sig)).future;
    }

    public ServerFrame.Dispute dispute(String proposalId, String reason) {
        return Requests.await(disputeAsync(proposalId, reason));
    }

    public CompletableFuture<ServerFrame.Dispute> disputeAsync(String proposalId, String reason) {
        String sig = requireIdentity("Disputing proposals").sign(SignedText.dispute(proposalId, reason));
        return connection.requestAsync("DISPUTE of " + proposalId,
                f -> f instanceof ServerFrame.Dispute d && proposalId.equals(d.proposalId()) ? d : null,
                new ClientFrame.Dispute(proposalId, reason, sig)).future;
    }

    /** Replaces this agent's skills registration; the signature covers {@code JSON.stringify(skills)}. */
    public ServerFrame.SkillsRegistered registerSkills(ArrayNode skills) {
        return Requests.await(registerSkillsAsync(skills));
    }

    public CompletableFuture<ServerFrame.SkillsRegistered> registerSkillsAsync(ArrayNode skills) {
        String sig = requireIdentity("Skill registration").sign(SignedText.registerSkills(skills));
        return connection.requestAsync("SKILLS_REGISTERED",
                f -> f instanceof ServerFrame.SkillsRegistered r ? r : null,
                new ClientFrame.RegisterSkills(skills, sig)).future;
    }

    /** Searches the skills registry; {@code query} holds only the keys the caller set. */
    public ServerFrame.SearchResults searchSkills(ObjectNode query) {
        return Requests.await(searchSkillsAsync(query));
    }

    public CompletableFuture<ServerFrame.SearchResults> searchSkillsAsync(ObjectNode query) {
        String queryId = "q_" + System.currentTimeMillis();
        return connection.requestAsync("SEARCH_RESULTS",
                f -> f instanceof ServerFrame.SearchResults r && r.queryId() != null
                        && queryId.equals(r.queryId().asText()) ? r : null,
                new ClientFrame.SearchSkills(query, TextNode.valueOf(queryId))).future;
    }

    /**
     * Challenges {@code agent} to prove it holds the key it identified with: a random 32-hex
     * nonce, the server's acknowledgement (or ERROR: unknown agent, no pubkey), then VERIFY_SUCCESS or
     * VERIFY_FAILED. The server fails the request after 30 s without an answer.
     *
     * @throws ClientException TIMEOUT if no outcome arrives within {@code timeout}
     */
    public Verification verify(String agent, Duration timeout) {
        String target = agentRef(agent);
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        String nonce = HexFormat.of().formatHex(bytes);
        // Registered before the request: the outcome may follow the acknowledgement immediately.
        CompletableFuture<Verification> outcome = connection.expect(f -> outcome(f, target));
        try {
            connection.request("the verification acknowledgement for " + target,
                    f -> f instanceof ServerFrame.VerifyRequest v && "pending".equals(v.status())
                            && target.equals(v.target()) ? v : null,
                    new ClientFrame.VerifyRequest(target, nonce));
            return outcome.get(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new ClientException(ClientException.Reason.TIMEOUT, "Verification timeout");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ClientException clientException) {
                throw clientException;
            }
            throw new ClientException(ClientException.Reason.IO, String.valueOf(e.getCause()), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClientException(ClientException.Reason.IO, "Interrupted waiting for verification", e);
        } finally {
            outcome.cancel(false);
        }
    }

    /** {@code @} + id; the reference CLI accepts ids with or without the {@code @}. */
    public static String agentRef(String agent) {
        return agent.startsWith("@") ? agent : "@" + agent;
    }

    private static Verification outcome(ServerFrame frame, String target) {
        // Only the requester's shapes: the responder's copies carry `verified` instead of agent/target.
        if (frame instanceof ServerFrame.VerifySuccess s && target.equals(s.agent())) {
            return new Verification(true, s.agent(), s.pubkey(), null, s.requestId());
        }
        if (frame instanceof ServerFrame.VerifyFailed f && target.equals(f.target())) {
            return new Verification(false, f.target(), null, f.reason(), f.requestId());
        }
        return null;
    }

    private Identity requireIdentity(String what) {
        Identity identity = connection.identity();
        if (identity == null) {
            throw new IdentityException(what + " require a persistent identity (-i <identity file>)");
        }
        return identity;
    }
}
