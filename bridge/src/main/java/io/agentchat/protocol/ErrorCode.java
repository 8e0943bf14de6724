package io.agentchat.protocol;

/**
 * The error codes of the wire protocol (docs/protocol.md). A client must understand all of them;
 * the server sends only the ones the reference sends, so Node clients see familiar codes.
 */
public enum ErrorCode {
    AUTH_REQUIRED,
    INVALID_MSG,
    CHANNEL_NOT_FOUND,
    NOT_INVITED,
    RATE_LIMITED,
    AGENT_NOT_FOUND,
    CHANNEL_EXISTS,
    SIGNATURE_REQUIRED,
    PROPOSAL_NOT_FOUND,
    INVALID_PROPOSAL,
    INSUFFICIENT_REPUTATION,
    VERIFICATION_EXPIRED,
    NO_PUBKEY,
    INVALID_NAME,
    PROPOSAL_EXPIRED,
    NOT_PROPOSAL_PARTY,
    INVALID_STAKE,
    VERIFICATION_FAILED,
    /** Ours: a relay of a cluster could not reach the cluster's Redis, so the message went nowhere; try again later. */
    CLUSTER_UNAVAILABLE;

    /** Parses a wire code; unknown codes (a newer server) map to {@code null}. */
    public static ErrorCode fromWire(String code) {
        if (code == null) {
            return null;
        }
        try {
            return valueOf(code);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
