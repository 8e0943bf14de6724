package io.agentchat.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentchat.identity.Identity;
import io.agentchat.identity.SignedText;

/** Marketplace frames signed by a key as a client signs them (docs/protocol.md §6.5), for the tests. */
final class SignedMarketFrames {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SignedMarketFrames() {
    }

    /** A PROPOSAL of 2.0 USDC pending for {@code expires} seconds; each needs its own task, as its signature is used once. */
    static String proposal(Identity key, String to, String task, int expires) {
        ObjectNode p = JSON.createObjectNode().put("type", "PROPOSAL").put("to", to).put("task", task)
                .put("currency", "USDC").put("expires", expires).put("amount", 2.0);
        return p.put("sig", key.sign(SignedText.proposal(to, task, 2.0, "USDC", null, (double) expires, null))).toString();
    }

    static String accept(Identity key, String proposalId) {
        return JSON.createObjectNode().put("type", "ACCEPT").put("proposal_id", proposalId)
                .put("sig", key.sign(SignedText.accept(proposalId, null, null))).toString();
    }
}
