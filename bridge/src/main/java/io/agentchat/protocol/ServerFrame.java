package io.agentchat.protocol;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.annotation.JsonTypeIdResolver;
import io.agentchat.identity.Ed25519;
import io.agentchat.identity.SignedText;
import io.agentchat.json.JsNumberSerializer;
import java.util.List;

/**
 * Frames the server sends, one immutable record per wire type (docs/protocol.md). The JSON key
 * order is the reference's ({@code type}, {@code ts}, then the fields), and {@code null} is
 * written exactly where the reference writes it, so byte comparisons with Node peers work.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.CUSTOM, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonTypeIdResolver(FrameTypeIdResolver.class)
@JsonInclude(JsonInclude.Include.ALWAYS)
public sealed interface ServerFrame {

    /** Server time in ms when the frame was built. */
    long ts();

    /** This frame's wire type, or null for {@link Unknown}. */
    @JsonIgnore
    default FrameType type() {
        return FrameType.of(getClass());
    }

    /** The wire name of this frame's type, e.g. {@code "MSG"}; {@link Unknown} gives the name it arrived with. */
    @JsonIgnore
    default String wireType() {
        return type().name();
    }

    /**
     * {@code rate_limit_ms} and {@code rate_burst} (our extension, absent from the original's) say the
     * server's MSG pace: a connection may send {@code rate_burst} MSGs at once, then one per
     * {@code rate_limit_ms} (0: no limit). Clients that know them pace themselves instead of guessing.
     */
    @JsonPropertyOrder({"ts", "agent_id", "server", "rate_limit_ms", "rate_burst"})
    record Welcome(long ts, @JsonProperty("agent_id") String agentId, String server,
                   @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("rate_limit_ms") Long rateLimitMs,
                   @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("rate_burst") Integer rateBurst)
            implements ServerFrame {
        public Welcome(long ts, String agentId, String server) {
            this(ts, agentId, server, null, null);
        }
    }

    /**
     * A channel message or DM. {@code sig} is relayed only when given; {@code client_ts} is the
     * sender's signed timestamp, relayed so receivers can check {@code sig} (Node clients ignore
     * the extra key); {@code replay} marks history sent on JOIN. {@code verified} (our extension;
     * the field name the original adopted later) is {@code true} only when the sender answered the
     * server's IDENTIFY challenge for its key, and absent otherwise. {@code seq} and {@code epoch}
     * (our extension) place a channel message in its channel's history: {@code seq} grows by one per
     * message within an {@code epoch}, and a new epoch means the history started over; a client
     * rejoins with the last pair it saw to recover what it missed (see {@link ClientFrame.Join}).
     */
    @JsonPropertyOrder({"ts", "from", "to", "content", "sig", "client_ts", "verified", "seq", "epoch", "replay"})
    record Msg(long ts, String from, String to, String content,
               @JsonInclude(JsonInclude.Include.NON_NULL) String sig,
               @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("client_ts") Long clientTs,
               @JsonInclude(JsonInclude.Include.NON_NULL) Boolean verified,
               @JsonInclude(JsonInclude.Include.NON_NULL) Long seq,
               @JsonInclude(JsonInclude.Include.NON_NULL) String epoch,
               @JsonInclude(JsonInclude.Include.NON_NULL) Boolean replay) implements ServerFrame {

        public static Msg of(long ts, String from, String to, String content) {
            return new Msg(ts, from, to, content, null, null, null, null, null, null);
        }

        /** The same message marked as replayed history, keeping its original ts. */
        public Msg asReplay() {
            return new Msg(ts, from, to, content, sig, clientTs, verified, seq, epoch, Boolean.TRUE);
        }

        /** Whether this message carries its place in a channel's history. */
        @JsonIgnore
        public boolean hasPosition() {
            return seq != null && epoch != null;
        }

        /** Whether the server vouched that the sender proved its key. */
        @JsonIgnore
        public boolean isVerified() {
            return Boolean.TRUE.equals(verified);
        }

        /**
         * Whether {@code sig} is the signature of the key {@code pubkeyPem} over the text the
         * sender signed; false when the message is unsigned or was relayed without {@code client_ts}.
         */
        public boolean signedBy(String pubkeyPem) {
            return sig != null && clientTs != null
                    && Ed25519.verify(pubkeyPem, SignedText.msg(to, content, clientTs), sig);
        }

        @JsonIgnore
        public boolean isReplay() {
            return Boolean.TRUE.equals(replay);
        }
    }

    /**
     * {@code seq} and {@code epoch} (our extension) are the channel's position when the joiner
     * entered: the seq of its last message (0 before the first) and its history's epoch.
     * {@code recovered} answers a JOIN that asked to resume ({@code since}): true when every message
     * after {@code since} follows, false when they could not be (another epoch, or too old) and the
     * replay buffer follows instead; absent when the JOIN did not ask.
     */
    @JsonPropertyOrder({"ts", "channel", "agents", "seq", "epoch", "recovered"})
    record Joined(long ts, String channel, List<String> agents,
                  @JsonInclude(JsonInclude.Include.NON_NULL) Long seq,
                  @JsonInclude(JsonInclude.Include.NON_NULL) String epoch,
                  @JsonInclude(JsonInclude.Include.NON_NULL) Boolean recovered) implements ServerFrame {
        public Joined {
            agents = List.copyOf(agents);
        }

        public Joined(long ts, String channel, List<String> agents) {
            this(ts, channel, agents, null, null, null);
        }

        @JsonIgnore
        public boolean isRecovered() {
            return Boolean.TRUE.equals(recovered);
        }
    }

    @JsonPropertyOrder({"ts", "channel"})
    record Left(long ts, String channel) implements ServerFrame {
    }

    @JsonPropertyOrder({"ts", "channel", "agent"})
    record AgentJoined(long ts, String channel, String agent) implements ServerFrame {
    }

    @JsonPropertyOrder({"ts", "channel", "agent"})
    record AgentLeft(long ts, String channel, String agent) implements ServerFrame {
    }

    @JsonPropertyOrder({"name", "agents"})
    record ChannelInfo(String name, int agents) {
    }

    @JsonPropertyOrder({"ts", "list"})
    record Channels(long ts, List<ChannelInfo> list) implements ServerFrame {
        public Channels {
            list = List.copyOf(list);
        }
    }

    @JsonPropertyOrder({"id", "name", "presence", "status_text"})
    record AgentInfo(String id, String name, String presence,
                     @JsonProperty("status_text") String statusText) {
    }

    @JsonPropertyOrder({"ts", "channel", "list"})
    record Agents(long ts, String channel, List<AgentInfo> list) implements ServerFrame {
        public Agents {
            list = List.copyOf(list);
        }
    }

    @JsonPropertyOrder({"ts", "code", "message"})
    record Error(long ts, String code, String message) implements ServerFrame {
        public Error(long ts, ErrorCode code, String message) {
            this(ts, code.name(), message);
        }
    }

    @JsonPropertyOrder({"ts"})
    record Pong(long ts) implements ServerFrame {
    }

    /**
     * A proposal as relayed to both parties. {@code expires} is the absolute deadline in ms (or null);
     * {@code client_expires} is the relative seconds the proposer sent and signed, relayed only when
     * given so receivers can check {@code sig} (Node clients ignore the extra key).
     */
    @JsonPropertyOrder({"ts", "id", "from", "to", "task", "amount", "currency", "payment_code", "terms",
        "expires", "status", "created_at", "sig", "elo_stake", "client_expires"})
    record Proposal(long ts, String id, String from, String to, String task, JsonNode amount, String currency,
                    @JsonProperty("payment_code") String paymentCode, String terms, Long expires, String status,
                    @JsonProperty("created_at") long createdAt, String sig,
                    @JsonProperty("elo_stake") Integer eloStake,
                    @JsonInclude(JsonInclude.Include.NON_NULL) @JsonSerialize(using = JsNumberSerializer.class)
                    @JsonProperty("client_expires") Double clientExpires) implements ServerFrame {

        /** The text the proposer signed ({@link SignedText#proposal}), rebuilt from the relayed fields. */
        @JsonIgnore
        public String signedText() {
            Double amountValue = amount == null || !amount.isNumber() ? null : amount.asDouble();
            return SignedText.proposal(to, task, amountValue, currency, paymentCode, clientExpires, eloStake);
        }

        /**
         * Whether {@code sig} is the signature of the key {@code pubkeyPem} over {@link #signedText()}.
         * False for a proposal with an expiry relayed without {@code client_expires} (a Node server).
         */
        public boolean signedBy(String pubkeyPem) {
            return Ed25519.verify(pubkeyPem, signedText(), sig);
        }
    }

    @JsonPropertyOrder({"ts", "proposal_id", "status", "updated_at", "from", "to", "payment_code", "sig",
        "proposer_stake", "acceptor_stake"})
    record Accept(long ts, @JsonProperty("proposal_id") String proposalId, String status,
                  @JsonProperty("updated_at") long updatedAt, String from, String to,
                  @JsonProperty("payment_code") String paymentCode, String sig,
                  @JsonProperty("proposer_stake") Integer proposerStake,
                  @JsonProperty("acceptor_stake") int acceptorStake) implements ServerFrame {
    }

    @JsonPropertyOrder({"ts", "proposal_id", "status", "updated_at", "from", "to", "reason", "sig"})
    record Reject(long ts, @JsonProperty("proposal_id") String proposalId, String status,
                  @JsonProperty("updated_at") long updatedAt, String from, String to, String reason, String sig)
            implements ServerFrame {
    }

    @JsonPropertyOrder({"proposer", "acceptor"})
    record EloStakes(int proposer, int acceptor) {
    }

    @JsonPropertyOrder({"ts", "proposal_id", "status", "updated_at", "from", "to", "completed_by", "completed_at",
        "proof", "sig", "elo_stakes", "rating_changes"})
    record Complete(long ts, @JsonProperty("proposal_id") String proposalId, String status,
                    @JsonProperty("updated_at") long updatedAt, String from, String to,
                    @JsonProperty("completed_by") String completedBy, @JsonProperty("completed_at") long completedAt,
                    String proof, String sig, @JsonProperty("elo_stakes") EloStakes eloStakes,
                    @JsonProperty("rating_changes") JsonNode ratingChanges) implements ServerFrame {
    }

    @JsonPropertyOrder({"ts", "proposal_id", "status", "updated_at", "from", "to", "disputed_by", "disputed_at",
        "reason", "sig", "elo_stakes", "rating_changes"})
    record Dispute(long ts, @JsonProperty("proposal_id") String proposalId, String status,
                   @JsonProperty("updated_at") long updatedAt, String from, String to,
                   @JsonProperty("disputed_by") String disputedBy, @JsonProperty("disputed_at") long disputedAt,
                   String reason, String sig, @JsonProperty("elo_stakes") EloStakes eloStakes,
                   @JsonProperty("rating_changes") JsonNode ratingChanges) implements ServerFrame {
    }

    @JsonPropertyOrder({"ts", "agent_id", "skills_count", "registered_at"})
    record SkillsRegistered(long ts, @JsonProperty("agent_id") String agentId,
                            @JsonProperty("skills_count") int skillsCount,
                            @JsonProperty("registered_at") long registeredAt) implements ServerFrame {
    }

    @JsonPropertyOrder({"ts", "query_id", "query", "results", "total"})
    record SearchResults(long ts, @JsonProperty("query_id") JsonNode queryId, JsonNode query,
                         List<JsonNode> results, int total) implements ServerFrame {
        public SearchResults {
            results = List.copyOf(results);
        }
    }

    @JsonPropertyOrder({"ts", "agent_id", "presence", "status_text"})
    record PresenceChanged(long ts, @JsonProperty("agent_id") String agentId, String presence,
                           @JsonProperty("status_text") String statusText) implements ServerFrame {
    }

    /**
     * Two shapes share this type: to the target {@code request_id, from, nonce}; the
     * acknowledgement to the requester {@code request_id, target, status}. Absent keys are left
     * out so the Node client can tell them apart.
     */
    @JsonPropertyOrder({"ts", "request_id", "from", "nonce", "target", "status"})
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record VerifyRequest(long ts, @JsonProperty("request_id") String requestId, String from, String nonce,
                         String target, String status) implements ServerFrame {

        public static VerifyRequest challenge(long ts, String requestId, String from, String nonce) {
            return new VerifyRequest(ts, requestId, from, nonce, null, null);
        }

        public static VerifyRequest ack(long ts, String requestId, String target) {
            return new VerifyRequest(ts, requestId, null, null, target, "pending");
        }

        @JsonIgnore
        public boolean isChallenge() {
            return nonce != null && from != null;
        }
    }

    /** To the requester: {@code request_id, agent, pubkey}; to the responder: {@code request_id, verified}. */
    @JsonPropertyOrder({"ts", "request_id", "agent", "pubkey", "verified"})
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record VerifySuccess(long ts, @JsonProperty("request_id") String requestId, String agent, String pubkey,
                         Boolean verified) implements ServerFrame {
    }

    /** To the requester: {@code request_id, target, reason}; to the responder: {@code request_id, verified}. */
    @JsonPropertyOrder({"ts", "request_id", "target", "reason", "verified"})
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record VerifyFailed(long ts, @JsonProperty("request_id") String requestId, String target, String reason,
                        Boolean verified) implements ServerFrame {
    }

    /** A frame type this build does not know (a newer server); kept so clients can log and skip it. */
    record Unknown(long ts, @JsonProperty("wire_type") String wireName) implements ServerFrame {
        @Override
        public String wireType() {
            return wireName;
        }
    }
}
