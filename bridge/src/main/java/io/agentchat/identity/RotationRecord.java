package io.agentchat.identity;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.agentchat.json.JsJson;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One key rotation, as the original client records it: the old key signs the new one, so that a chain of records proves
 * continuity from the original key to the current one.
 *
 * <p>The JSON field names and order are those of the reference ({@code old_pubkey, old_agent_id,
 * new_pubkey, new_agent_id, signature, timestamp}); the Jackson annotations keep them when the record is
 * serialised directly.
 *
 * @param oldPubkey  PEM of the key that was replaced
 * @param oldAgentId agent id of {@code oldPubkey} (not covered by the signature)
 * @param newPubkey  PEM of the key that replaced it
 * @param newAgentId agent id of {@code newPubkey} (not covered by the signature)
 * @param signature  base64 Ed25519 signature by the old key over {@link #signedText()}
 * @param timestamp  ISO-8601 UTC time of the rotation, as JavaScript's {@code toISOString}
 */
@JsonPropertyOrder({"old_pubkey", "old_agent_id", "new_pubkey", "new_agent_id", "signature", "timestamp"})
public record RotationRecord(
        @JsonProperty("old_pubkey") String oldPubkey,
        @JsonProperty("old_agent_id") String oldAgentId,
        @JsonProperty("new_pubkey") String newPubkey,
        @JsonProperty("new_agent_id") String newAgentId,
        @JsonProperty("signature") String signature,
        @JsonProperty("timestamp") String timestamp) {

    public RotationRecord {
        Objects.requireNonNull(oldPubkey, "old_pubkey");
        Objects.requireNonNull(oldAgentId, "old_agent_id");
        Objects.requireNonNull(newPubkey, "new_pubkey");
        Objects.requireNonNull(newAgentId, "new_agent_id");
        Objects.requireNonNull(signature, "signature");
        Objects.requireNonNull(timestamp, "timestamp");
    }

    /**
     * The exact text the signature covers: {@code JSON.stringify({old_pubkey, new_pubkey, timestamp})},
     * compact, with JavaScript's string escaping.
     */
    public String signedText() {
        return signedText(oldPubkey, newPubkey, timestamp);
    }

    /** Whether {@link #signature} is a valid signature by {@code old_pubkey} over {@link #signedText()}. */
    public boolean hasValidSignature() {
        return Ed25519.verify(oldPubkey, signedText(), signature);
    }

    static String signedText(String oldPubkey, String newPubkey, String timestamp) {
        Map<String, Object> content = new LinkedHashMap<>();
        content.put("old_pubkey", oldPubkey);
        content.put("new_pubkey", newPubkey);
        content.put("timestamp", timestamp);
        return JsJson.compact(content);
    }

    /** The record as an ordered map, for {@link JsJson}. */
    Map<String, Object> toJsonMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("old_pubkey", oldPubkey);
        map.put("old_agent_id", oldAgentId);
        map.put("new_pubkey", newPubkey);
        map.put("new_agent_id", newAgentId);
        map.put("signature", signature);
        map.put("timestamp", timestamp);
        return map;
    }
}
