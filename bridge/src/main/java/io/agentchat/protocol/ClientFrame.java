package io.agentchat.protocol;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.annotation.JsonTypeIdResolver;
import io.agentchat.json.JsNumberSerializer;

/**
 * Frames a client sends to the server, one immutable record per wire type (docs/protocol.md).
 * Optional fields are nullable and left out of the JSON when null: the reference server rejects
 * some explicit nulls, so a well-behaved client never sends them. The server reads these frames
 * with its own validation ({@code ClientFrameDecoder} in the server module), not with Jackson.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.CUSTOM, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonTypeIdResolver(FrameTypeIdResolver.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public sealed interface ClientFrame {

    /** This frame's wire type. */
    @JsonIgnore
    default FrameType type() {
        return FrameType.of(getClass());
    }

    /** The wire name of this frame's type, e.g. {@code "MSG"}. */
    @JsonIgnore
    default String wireType() {
        return type().name();
    }

    @JsonPropertyOrder({"name", "pubkey"})
    record Identify(String name, String pubkey) implements ClientFrame {
    }

    /**
     * {@code since} and {@code epoch} (our extension, both or neither) ask to resume: the last
     * channel message the client saw, as its {@code seq} and {@code epoch}. The JOINED answer says
     * whether every later message follows ({@code recovered}).
     */
    @JsonPropertyOrder({"channel", "since", "epoch"})
    record Join(String channel, Long since, String epoch) implements ClientFrame {
        public Join(String channel) {
            this(channel, null, null);
        }
    }

    record Leave(String channel) implements ClientFrame {
    }

    /** A channel message or DM. {@code ts} and {@code sig} are the sender's optional signature scheme (see {@code SignedText}). */
    @JsonPropertyOrder({"to", "content", "ts", "sig"})
    record Msg(String to, String content, Long ts, String sig) implements ClientFrame {
        public Msg(String to, String content) {
            this(to, content, null, null);
        }
    }

    record ListChannels() implements ClientFrame {
    }

    record ListAgents(String channel) implements ClientFrame {
    }

    @JsonPropertyOrder({"channel", "invite_only"})
    record CreateChannel(String channel, @JsonProperty("invite_only") boolean inviteOnly) implements ClientFrame {
    }

    @JsonPropertyOrder({"channel", "agent"})
    record Invite(String channel, String agent) implements ClientFrame {
    }

    record Ping() implements ClientFrame {
    }

    /** {@code expires} is relative seconds, as the client signs it (see {@code SignedText}). */
    @JsonPropertyOrder({"to", "task", "amount", "currency", "payment_code", "terms", "expires", "elo_stake", "sig"})
    record Proposal(String to, String task, @JsonSerialize(using = JsNumberSerializer.class) Double amount,
                    String currency, @JsonProperty("payment_code") String paymentCode, String terms,
                    @JsonSerialize(using = JsNumberSerializer.class) Double expires,
                    @JsonProperty("elo_stake") Integer eloStake, String sig) implements ClientFrame {
    }

    @JsonPropertyOrder({"proposal_id", "payment_code", "elo_stake", "sig"})
    record Accept(@JsonProperty("proposal_id") String proposalId,
                  @JsonProperty("payment_code") String paymentCode,
                  @JsonProperty("elo_stake") Integer eloStake, String sig) implements ClientFrame {
    }

    @JsonPropertyOrder({"proposal_id", "reason", "sig"})
    record Reject(@JsonProperty("proposal_id") String proposalId, String reason, String sig) implements ClientFrame {
    }

    @JsonPropertyOrder({"proposal_id", "proof", "sig"})
    record Complete(@JsonProperty("proposal_id") String proposalId, String proof, String sig) implements ClientFrame {
    }

    @JsonPropertyOrder({"proposal_id", "reason", "sig"})
    record Dispute(@JsonProperty("proposal_id") String proposalId, String reason, String sig) implements ClientFrame {
    }

    /**
     * Skills are kept as the JSON array the client sent: the signature covers its exact
     * {@code JSON.stringify} text (see {@code SignedText}), so it must not be rebuilt from parsed fields.
     */
    @JsonPropertyOrder({"skills", "sig"})
    record RegisterSkills(JsonNode skills, String sig) implements ClientFrame {
        public RegisterSkills {
            skills = skills == null ? null : skills.deepCopy();
        }

        @Override
        public JsonNode skills() {
            return skills == null ? null : skills.deepCopy();
        }
    }

    @JsonPropertyOrder({"query", "query_id"})
    record SearchSkills(JsonNode query, @JsonProperty("query_id") JsonNode queryId) implements ClientFrame {
        public SearchSkills {
            query = query == null ? null : query.deepCopy();
            queryId = queryId == null ? null : queryId.deepCopy();
        }

        @Override
        public JsonNode query() {
            return query == null ? null : query.deepCopy();
        }
    }

    @JsonPropertyOrder({"status", "status_text"})
    record SetPresence(String status, @JsonProperty("status_text") String statusText) implements ClientFrame {
    }

    @JsonPropertyOrder({"target", "nonce"})
    record VerifyRequest(String target, String nonce) implements ClientFrame {
    }

    @JsonPropertyOrder({"request_id", "nonce", "sig"})
    record VerifyResponse(@JsonProperty("request_id") String requestId, String nonce, String sig)
            implements ClientFrame {
    }
}
