package io.agentchat.server.core;

import static io.agentchat.protocol.ProtocolException.invalid;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentchat.json.Js;
import io.agentchat.protocol.ClientFrame;
import io.agentchat.protocol.FrameCodec;
import io.agentchat.protocol.FrameType;
import io.agentchat.protocol.Names;
import io.agentchat.protocol.ProtocolException;
import java.util.Set;

/**
 * The server's reading of a client frame: parses the text and runs the reference server's checks in
 * its order with its exact messages, so Node clients see the same errors (docs/protocol.md lists
 * them). Unlike the reference, every field is type-checked before use, so no field of the wrong
 * type can reach a handler, and JSON {@code null} counts as an absent optional field. Clients
 * never decode client frames, so this lives in the server and not in the shared library.
 *
 * <p>A little over our ~300-line norm: one switch over every client frame type, each case the
 * checks of one frame in the order the errors are answered.
 */
public final class ClientFrameDecoder {
    private static final Set<String> PRESENCE = Set.of("online", "away", "busy", "offline");

    private ClientFrameDecoder() {
    }

    /**
     * Parses and validates one client frame.
     *
     * @param codec the codec whose parser (with its size and nesting limits) reads the text
     * @throws ProtocolException with the code and exact message the ERROR frame must carry
     */
    public static ClientFrame decode(FrameCodec codec, String text) {
        return decode(codec.parse(text));
    }

    private static ClientFrame decode(JsonNode node) {
        if (node == null || !node.isObject() || !Js.truthy(node.get("type"))) {
            throw invalid("Missing message type");
        }
        JsonNode typeNode = node.get("type");
        String name = typeNode.isTextual() ? typeNode.asText() : typeNode.toString();
        FrameType type = FrameType.fromWire(name);
        if (type == null || type.clientFrame() == null) {
            throw invalid("Unknown message type: " + name);
        }
        return switch (type) {
            case IDENTIFY -> identify(node);
            case JOIN -> join(node);
            case LEAVE -> new ClientFrame.Leave(channel(node));
            case LIST_AGENTS -> new ClientFrame.ListAgents(channel(node));
            case MSG -> msg(node);
            case CREATE_CHANNEL -> new ClientFrame.CreateChannel(channel(node), Js.truthy(node.get("invite_only")));
            case INVITE -> invite(node);
            case LIST_CHANNELS -> new ClientFrame.ListChannels();
            case PING -> new ClientFrame.Ping();
            case PROPOSAL -> proposal(node);
            case ACCEPT -> accept(node);
            case REJECT -> new ClientFrame.Reject(proposalId(node), optionalString(node, "reason"),
                    requiredSig(node, "Reject must be signed"));
            case COMPLETE -> new ClientFrame.Complete(proposalId(node), optionalString(node, "proof"),
                    requiredSig(node, "Complete must be signed"));
            case DISPUTE -> dispute(node);
            case REGISTER_SKILLS -> registerSkills(node);
            case SEARCH_SKILLS -> searchSkills(node);
            case SET_PRESENCE -> setPresence(node);
            case VERIFY_REQUEST -> verifyRequest(node);
            case VERIFY_RESPONSE -> verifyResponse(node);
            // Only the server sends these; refused above.
            case WELCOME, JOINED, LEFT, AGENT_JOINED, AGENT_LEFT, CHANNELS, AGENTS, ERROR, PONG, SKILLS_REGISTERED,
                    SEARCH_RESULTS, PRESENCE_CHANGED, VERIFY_SUCCESS, VERIFY_FAILED ->
                    throw new IllegalStateException("not a client frame type: " + type);
        };
    }

    private static ClientFrame identify(JsonNode node) {
        String name = textOrNull(node.get("name"));
        if (!Names.isAgentName(name)) {
            throw invalid("Invalid agent name");
        }
        JsonNode pubkey = node.get("pubkey");
        if (Js.present(pubkey) && !pubkey.isTextual()) {
            throw invalid("Invalid public key format (must be Ed25519 PEM)");
        }
        // Whether the text is a canonical Ed25519 key is the server's check (it owns the identity rules).
        return new ClientFrame.Identify(name, Js.present(pubkey) ? pubkey.asText() : null);
    }

    /** JavaScript's largest exact integer: a seq beyond it could not be a seq we sent to a Node peer. */
    private static final long MAX_SEQ = (1L << 53) - 1;

    /** The resume fields are ours, checked after the channel so the reference's errors come first. */
    private static ClientFrame join(JsonNode node) {
        String channel = channel(node);
        JsonNode since = node.get("since");
        String epoch = optionalString(node, "epoch");
        if (!Js.present(since) && epoch == null) {
            return new ClientFrame.Join(channel);
        }
        if (!Js.present(since) || epoch == null) {
            throw invalid("since and epoch go together: send both to resume, or neither");
        }
        if (!isWholeNumberUpTo(since, MAX_SEQ)) {
            throw invalid("since must be a non-negative integer (the seq of the last message seen)");
        }
        if (epoch.isEmpty() || epoch.length() > 64) {
            throw invalid("epoch must be 1-64 characters (as the server sent it)");
        }
        return new ClientFrame.Join(channel, (long) since.asDouble(), epoch);
    }

    private static String channel(JsonNode node) {
        String channel = textOrNull(node.get("channel"));
        if (!Names.isChannel(channel)) {
            throw invalid("Invalid channel name");
        }
        return channel;
    }

    private static ClientFrame msg(JsonNode node) {
        JsonNode to = node.get("to");
        if (!Js.truthy(to)) {
            throw invalid("Missing target");
        }
        String target = textOrNull(to);
        if (!Names.isChannelTarget(target) && !Names.isAgentTarget(target)) {
            throw invalid("Invalid target (must start with # or @)");
        }
        JsonNode content = node.get("content");
        if (content == null || !content.isTextual()) {
            throw invalid("Missing or invalid content");
        }
        if (content.asText().length() > Names.MAX_CONTENT_LENGTH) {
            throw invalid("Content too long (max 4096 chars)");
        }
        JsonNode sig = node.get("sig");
        if (Js.present(sig) && !sig.isTextual()) {
            throw invalid("Invalid signature format");
        }
        JsonNode ts = node.get("ts");
        Long clientTs = ts != null && ts.isIntegralNumber() && ts.canConvertToLong() ? ts.asLong() : null;
        return new ClientFrame.Msg(target, content.asText(), clientTs, Js.present(sig) ? sig.asText() : null);
    }

    private static ClientFrame invite(JsonNode node) {
        String channel = channel(node);
        String agent = textOrNull(node.get("agent"));
        if (!Names.isAgentTarget(agent)) {
            throw invalid("Invalid agent target");
        }
        return new ClientFrame.Invite(channel, agent);
    }

    private static ClientFrame proposal(JsonNode node) {
        JsonNode to = node.get("to");
        if (!Js.truthy(to)) {
            throw invalid("Missing target (to)");
        }
        String target = textOrNull(to);
        if (!Names.isAgentTarget(target)) {
            throw invalid("Proposals must be sent to an agent (@id)");
        }
        String task = textOrNull(node.get("task"));
        if (task == null || task.isEmpty()) {
            throw invalid("Missing or invalid task description");
        }
        String sig = requiredSig(node, "Proposals must be signed");
        JsonNode expires = node.get("expires");
        // Finite too: -1e400 parses as -Infinity, which passes the server's upper bound and would be
        // relayed in PROPOSAL as a bare client_expires:-Infinity, which is not JSON.
        if (Js.present(expires) && (!expires.isNumber() || !Double.isFinite(expires.asDouble()))) {
            throw invalid("expires must be a number (seconds)");
        }
        Integer stake = eloStake(node);
        // The reference takes any amount and later turns ratings into NaN; we insist on a number.
        JsonNode amount = node.get("amount");
        Double amountValue = null;
        if (Js.truthy(amount)) {
            if (!amount.isNumber() || !Double.isFinite(amount.asDouble()) || amount.asDouble() < 0) {
                throw invalid("amount must be a non-negative number");
            }
            amountValue = amount.asDouble();
        }
        Double expiresValue = Js.truthy(expires) ? expires.asDouble() : null;
        return new ClientFrame.Proposal(target, task, amountValue, falsyToNull(node, "currency"),
                falsyToNull(node, "payment_code"), falsyToNull(node, "terms"), expiresValue, stake, sig);
    }

    private static ClientFrame accept(JsonNode node) {
        String id = proposalId(node);
        String sig = requiredSig(node, "Accept must be signed");
        Integer stake = eloStake(node);
        return new ClientFrame.Accept(id, optionalString(node, "payment_code"), stake, sig);
    }

    private static ClientFrame dispute(JsonNode node) {
        String id = proposalId(node);
        String reason = textOrNull(node.get("reason"));
        if (reason == null || reason.isEmpty()) {
            throw invalid("Missing or invalid dispute reason");
        }
        return new ClientFrame.Dispute(id, reason, requiredSig(node, "Dispute must be signed"));
    }

    private static ClientFrame registerSkills(JsonNode node) {
        JsonNode skills = node.get("skills");
        if (skills == null || !skills.isArray()) {
            throw invalid("Missing or invalid skills array");
        }
        if (skills.isEmpty()) {
            throw invalid("Skills array cannot be empty");
        }
        for (JsonNode skill : skills) {
            String capability = skill.isObject() ? textOrNull(skill.get("capability")) : null;
            if (capability == null || capability.isEmpty()) {
                throw invalid("Each skill must have a capability string");
            }
        }
        return new ClientFrame.RegisterSkills(skills, requiredSig(node, "Skill registration must be signed"));
    }

    private static ClientFrame searchSkills(JsonNode node) {
        JsonNode query = node.get("query");
        if (query == null || !query.isObject()) {
            throw invalid("Missing or invalid query object");
        }
        JsonNode queryId = node.get("query_id");
        return new ClientFrame.SearchSkills(query, Js.truthy(queryId) ? queryId : null);
    }

    private static ClientFrame setPresence(JsonNode node) {
        String status = textOrNull(node.get("status"));
        if (status == null || !PRESENCE.contains(status)) {
            throw invalid("Invalid presence status. Must be one of: online, away, busy, offline");
        }
        JsonNode text = node.get("status_text");
        if (Js.present(text) && !text.isTextual()) {
            throw invalid("status_text must be a string");
        }
        String statusText = Js.present(text) ? text.asText() : null;
        if (statusText != null && statusText.length() > Names.MAX_STATUS_TEXT_LENGTH) {
            throw invalid("status_text too long (max 100 chars)");
        }
        return new ClientFrame.SetPresence(status, statusText == null || statusText.isEmpty() ? null : statusText);
    }

    private static ClientFrame verifyRequest(JsonNode node) {
        JsonNode target = node.get("target");
        if (!Js.truthy(target)) {
            throw invalid("Missing target agent");
        }
        String agent = textOrNull(target);
        if (!Names.isAgentTarget(agent)) {
            throw invalid("Target must be an agent (@id)");
        }
        String nonce = textOrNull(node.get("nonce"));
        if (nonce == null || nonce.isEmpty()) {
            throw invalid("Missing or invalid nonce");
        }
        if (nonce.length() < 16 || nonce.length() > 128) {
            throw invalid("Nonce must be 16-128 characters");
        }
        return new ClientFrame.VerifyRequest(agent, nonce);
    }

    private static ClientFrame verifyResponse(JsonNode node) {
        JsonNode requestId = node.get("request_id");
        if (!Js.truthy(requestId) || !requestId.isTextual()) {
            throw invalid("Missing request_id");
        }
        String nonce = textOrNull(node.get("nonce"));
        if (nonce == null || nonce.isEmpty()) {
            throw invalid("Missing or invalid nonce");
        }
        String sig = textOrNull(node.get("sig"));
        if (sig == null || sig.isEmpty()) {
            throw invalid("Missing or invalid signature");
        }
        return new ClientFrame.VerifyResponse(requestId.asText(), nonce, sig);
    }

    private static String proposalId(JsonNode node) {
        JsonNode id = node.get("proposal_id");
        if (!Js.truthy(id)) {
            throw invalid("Missing proposal_id");
        }
        if (!id.isTextual()) {
            throw invalid("proposal_id must be a string");
        }
        return id.asText();
    }

    /** The reference only wants a truthy {@code sig}; we also want a string, since we verify it. */
    private static String requiredSig(JsonNode node, String message) {
        JsonNode sig = node.get("sig");
        if (!Js.truthy(sig)) {
            throw invalid(message);
        }
        if (!sig.isTextual()) {
            throw invalid("Invalid signature format");
        }
        return sig.asText();
    }

    private static Integer eloStake(JsonNode node) {
        JsonNode stake = node.get("elo_stake");
        if (!Js.present(stake)) {
            return null;
        }
        if (!isWholeNumberUpTo(stake, Integer.MAX_VALUE)) {
            throw invalid("elo_stake must be a non-negative integer");
        }
        return (int) stake.asDouble();
    }

    /** A JSON number that is a whole number from 0 to {@code max} (2.0 counts, as in JavaScript). */
    private static boolean isWholeNumberUpTo(JsonNode value, long max) {
        double number = value.asDouble();
        return value.isNumber() && number >= 0 && number == Math.rint(number) && number <= max;
    }

    private static String optionalString(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (!Js.present(value)) {
            return null;
        }
        if (!value.isTextual()) {
            throw invalid(field + " must be a string");
        }
        return value.asText();
    }

    private static String falsyToNull(JsonNode node, String field) {
        String value = optionalString(node, field);
        return value == null || value.isEmpty() ? null : value;
    }

    private static String textOrNull(JsonNode value) {
        return value != null && value.isTextual() ? value.asText() : null;
    }
}
