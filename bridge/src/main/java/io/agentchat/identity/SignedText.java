package io.agentchat.identity;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentchat.json.JsNumber;
import io.agentchat.json.JsStringify;

/**
 * The exact strings the original client signs (docs/protocol.md §10), shared by the server (which
 * verifies every one; the original server checks none) and the client (which signs them). Fields
 * are joined with {@code |}; an optional value that is falsy in JavaScript ({@code null}, {@code ""},
 * {@code 0}) becomes the empty string, and numbers are written as JavaScript's {@code String(n)}.
 */
public final class SignedText {

    /**
     * Prefix of the domain-separated verification text, so answering a peer's nonce never signs another
     * frame's text (see {@link #verification}).
     */
    public static final String VERIFY_DOMAIN = "AGENTCHAT-VERIFY";
    /** First field of the identify challenge text (see {@link #identifyChallenge}). */
    public static final String IDENTIFY_DOMAIN = "AGENTCHAT-IDENTIFY";

    private SignedText() {
    }

    /**
     * {@code to|task|amount|currency|payment_code|expires|elo_stake}; {@code expires} is the
     * <em>relative</em> seconds the client sent, not the absolute time the server relays.
     */
    public static String proposal(String to, String task, Double amount, String currency, String paymentCode,
            Double expires, Integer eloStake) {
        return String.join("|", text(to), text(task), number(amount), text(currency), text(paymentCode),
                number(expires), number(eloStake == null ? null : eloStake.doubleValue()));
    }

    /** {@code ACCEPT|proposal_id|payment_code|elo_stake}. */
    public static String accept(String proposalId, String paymentCode, Integer eloStake) {
        return String.join("|", "ACCEPT", text(proposalId), text(paymentCode),
                number(eloStake == null ? null : eloStake.doubleValue()));
    }

    /** {@code REJECT|proposal_id|reason}. */
    public static String reject(String proposalId, String reason) {
        return String.join("|", "REJECT", text(proposalId), text(reason));
    }

    /** {@code COMPLETE|proposal_id|proof}. */
    public static String complete(String proposalId, String proof) {
        return String.join("|", "COMPLETE", text(proposalId), text(proof));
    }

    /** {@code DISPUTE|proposal_id|reason}. */
    public static String dispute(String proposalId, String reason) {
        return String.join("|", "DISPUTE", text(proposalId), text(reason));
    }

    /** {@code JSON.stringify(skills)} of the array exactly as sent. */
    public static String registerSkills(JsonNode skills) {
        return JsStringify.compact(skills);
    }

    /** {@code JSON.stringify({to, content, ts})} with the sender's own {@code ts}. */
    public static String msg(String to, String content, long ts) {
        return "{\"to\":" + JsStringify.quote(to) + ",\"content\":" + JsStringify.quote(content) + ",\"ts\":"
                + JsNumber.format(ts) + "}";
    }

    /**
     * The domain-separated text a Java responder signs for VERIFY_RESPONSE:
     * {@code AGENTCHAT-VERIFY|<request_id>|<nonce>}. Node responders sign the bare nonce instead; the
     * server accepts both, and restricts bare nonces to a charset no other signed text can match.
     */
    public static String verification(String requestId, String nonce) {
        return String.join("|", VERIFY_DOMAIN, text(requestId), text(nonce));
    }

    /**
     * What a client signs to answer a server's IDENTIFY challenge:
     * {@code AGENTCHAT-IDENTIFY|<host>|<nonce>}, where host is the one the client itself dialled
     * (see {@link #challengeHost}). Naming the host means an answer obtained by a hostile server the
     * client dialled is worthless anywhere else; the {@code |} means no bare peer nonce can equal it.
     */
    public static String identifyChallenge(String host, String nonce) {
        return String.join("|", IDENTIFY_DOMAIN, text(host), text(nonce));
    }

    /**
     * The host part of an identify challenge from an HTTP {@code Host} value or a URI's authority
     * ({@code host}, {@code host:port}, {@code [v6]:port}): lower-cased, with the port kept unless it
     * is absent, 80 or 443 (so a proxy on the default port and a Host header without one agree).
     */
    public static String challengeHost(String authority) {
        if (authority == null) {
            return "";
        }
        String value = authority.trim().toLowerCase(java.util.Locale.ROOT);
        int at = value.lastIndexOf('@');
        if (at >= 0) {
            value = value.substring(at + 1);
        }
        int colon = value.lastIndexOf(':');
        if (colon > value.lastIndexOf(']')) {
            String port = value.substring(colon + 1);
            if (port.isEmpty() || port.equals("80") || port.equals("443")) {
                value = value.substring(0, colon);
            }
        }
        return value;
    }

    private static String text(String value) {
        return value == null ? "" : value;
    }

    private static String number(Double value) {
        if (value == null || value == 0 || value.isNaN()) {
            return "";
        }
        return JsNumber.format(value);
    }
}
