package io.agentchat.server.core;

import io.agentchat.protocol.ClientFrame;
import io.agentchat.protocol.ProtocolException;
import io.agentchat.protocol.ServerFrame;
import io.agentchat.server.market.Caller;
import io.agentchat.server.market.Delivery;
import io.agentchat.server.market.MarketService;

/**
 * Connects the {@link MarketService} to the relay: hands it the marketplace frames with the sending
 * session's identity, and lets it reach agents and channels. The marketplace never sees sessions.
 */
final class MarketAdapter implements Delivery {
    private final MarketService market;
    private final Wire wire;
    private final AgentRegistry agents;
    private final ChannelRegistry channels;

    MarketAdapter(MarketService market, Wire wire, AgentRegistry agents, ChannelRegistry channels) {
        this.market = market;
        this.wire = wire;
        this.agents = agents;
        this.channels = channels;
    }

    /** Proposals, skills and peer verification: the frames the hub does not handle itself. */
    void handle(AgentSession session, ClientFrame frame) {
        if (!MarketService.handles(frame)) {
            throw ProtocolException.invalid("Unknown message type: " + frame.wireType());
        }
        market.handle(frame, new Caller(session.ref(), session.pubkey(), session.proven(), session.remoteAddress()), new ToCaller(session));
    }

    /**
     * Replies to the caller go to the connection that sent the frame, not to whichever connection
     * holds the id: a key-based session that has not proved its key may still search skills, and
     * the results are its own, not the proven holder's.
     */
    private final class ToCaller implements Delivery {
        private final AgentSession caller;

        ToCaller(AgentSession caller) {
            this.caller = caller;
        }

        @Override
        public boolean online(String agentRef) {
            return MarketAdapter.this.online(agentRef);
        }

        @Override
        public String pubkeyOf(String agentRef) {
            return MarketAdapter.this.pubkeyOf(agentRef);
        }

        @Override
        public void toAgent(String agentRef, ServerFrame frame) {
            if (caller.ref().equals(agentRef) && !caller.closed()) {
                wire.send(caller, frame);
            } else {
                MarketAdapter.this.toAgent(agentRef, frame);
            }
        }

        @Override
        public void toChannel(String channel, ServerFrame frame) {
            MarketAdapter.this.toChannel(channel, frame);
        }
    }

    @Override
    public boolean online(String agentRef) {
        return session(agentRef) != null;
    }

    @Override
    public String pubkeyOf(String agentRef) {
        AgentSession session = session(agentRef);
        return session == null ? null : session.pubkey();
    }

    @Override
    public void toAgent(String agentRef, ServerFrame frame) {
        AgentSession session = session(agentRef);
        if (session != null) {
            wire.send(session, frame);
        }
    }

    @Override
    public void toChannel(String channel, ServerFrame frame) {
        Channel target = channels.get(channel);
        if (target == null) {
            return;
        }
        target.broadcastText(wire.encode(frame)); // encoded once for every member
    }

    void sweep() {
        market.sweep(this);
    }

    MarketService.ProposalStats stats() {
        return market.stats();
    }

    private AgentSession session(String agentRef) {
        if (agentRef == null || !agentRef.startsWith("@") || agentRef.length() < 2) {
            return null;
        }
        AgentSession session = agents.get(agentRef.substring(1));
        return session == null || session.closed() ? null : session;
    }
}
