package io.agentchat.server.core;

import io.agentchat.protocol.ClientFrame;
import io.agentchat.protocol.ProtocolException;

/** Proposals, skills and peer verification: the frames the hub does not handle itself. */
public interface MarketHandler {
    MarketHandler UNSUPPORTED = (session, frame) -> {
        throw ProtocolException.invalid(frame.wireType() + " is not supported by this server yet");
    };

    void handle(AgentSession session, ClientFrame frame);
}
