package io.agentchat.server.core;

import io.agentchat.protocol.ClientFrame;
import io.agentchat.protocol.ErrorCode;
import io.agentchat.protocol.ProtocolException;
import io.agentchat.protocol.ServerFrame;
import io.agentchat.server.cluster.AgentDirectory;
import io.agentchat.server.cluster.ClusterUnansweredException;
import io.agentchat.server.cluster.MarketExchange;
import io.agentchat.server.market.Caller;
import io.agentchat.server.market.Delivery;
import io.agentchat.server.market.MarketService;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connects the {@link MarketService} to the relay: hands it the marketplace frames with the sending
 * session's identity, and lets it reach agents and channels. The marketplace never sees sessions.
 * In a cluster, an agent nobody answers to here is looked up, and reached, through the cluster's
 * {@link AgentDirectory}, as DMs are (docs/cluster.md, "Marketplace"): its notices carry the
 * {@code from} this relay established, encoded here.
 */
final class MarketAdapter implements Delivery {
    private static final Logger LOG = LoggerFactory.getLogger("agentchat.market");
    private final MarketService market;
    private final Wire wire;
    private final AgentRegistry agents;
    private final ChannelNotices notices;
    private final AgentDirectory directory;
    private final MarketExchange exchange;
    private final ForwardedAnswers forwardedAnswers;

    /**
     * @param directory the cluster's agent directory, or null for a relay alone
     * @param exchange  where the cluster's proposals and verification requests are kept, or null for a relay alone
     */
    MarketAdapter(MarketService market, Wire wire, AgentRegistry agents, ChannelNotices notices,
                  AgentDirectory directory, MarketExchange exchange) {
        this.market = market;
        this.wire = wire;
        this.agents = agents;
        this.notices = notices;
        this.directory = directory;
        this.exchange = exchange;
        this.forwardedAnswers = new ForwardedAnswers(wire);
        if (exchange != null) {
            exchange.listen(new MarketExchange.Listener() {
                @Override
                public void forwarded(MarketExchange.Forwarded forwarded, Consumer<List<String>> answer) {
                    MarketAdapter.this.forwarded(forwarded, answer);
                }

                @Override
                public void answered(long ticket, List<String> frames) {
                    forwardedAnswers.answered(ticket, frames);
                }
            });
        }
    }

    /**
     * Proposals, skills and peer verification: the frames the hub does not handle itself. In a
     * cluster, a frame about a proposal or verification request kept by another relay goes there.
     */
    void handle(AgentSession session, ClientFrame frame) {
        if (!MarketService.handles(frame)) {
            throw ProtocolException.invalid("Unknown message type: " + frame.wireType());
        }
        Caller caller = new Caller(session.ref(), session.pubkey(), session.proven(), session.remoteAddress());
        if (exchange != null && !market.keeps(frame) && forward(frame, caller, session)) {
            return;
        }
        market.handle(frame, caller, new ToCaller(session));
    }

    /**
     * To the relay that keeps the frame's proposal or verification request, with the caller as
     * this relay established it; false when no relay keeps it (the local answer then applies).
     * Its answer comes back to {@link ForwardedAnswers}, and the session's next frame waits for it.
     */
    private boolean forward(ClientFrame frame, Caller caller, AgentSession session) {
        String item = MarketService.itemOf(frame);
        long ticket = forwardedAnswers.expect(session, frame.wireType() + " of " + item);
        boolean sent;
        try {
            sent = exchange.forward(item, new MarketExchange.Forwarded(wire.codec().encode(frame), caller.agentRef(),
                    caller.pubkey(), caller.proven(), caller.address(), ticket));
        } catch (ClusterUnansweredException e) {
            forwardedAnswers.unsure(ticket); // Redis may have sent it on: its answer may still come
            return true;
        } catch (RuntimeException e) {
            forwardedAnswers.notSent(ticket);
            throw new ProtocolException(ErrorCode.CLUSTER_UNAVAILABLE,
                    item + " is not kept on this relay, and the cluster cannot be reached to find it; try again later");
        }
        if (!sent) {
            forwardedAnswers.notSent(ticket);
        }
        return sent;
    }

    /**
     * A party on another relay sent a frame about an item kept here: handled as on one relay, its
     * answers and errors for the caller sent back through the cluster to the connection that sent it.
     */
    private void forwarded(MarketExchange.Forwarded forwarded, Consumer<List<String>> answer) {
        Caller caller = new Caller(forwarded.agentRef(), forwarded.pubkey(), forwarded.proven(), forwarded.address());
        ToRemoteCaller toCaller = new ToRemoteCaller(caller.agentRef());
        try {
            market.handle(ClientFrameDecoder.decode(wire.codec(), forwarded.frame()), caller, toCaller);
        } catch (ProtocolException e) {
            toCaller.toAgent(caller.agentRef(), new ServerFrame.Error(wire.now(), e.code(), e.getMessage()));
        } catch (RuntimeException e) {
            LOG.error("forwarded frame failed for id={}", caller.agentRef(), e);
            toCaller.toAgent(caller.agentRef(), new ServerFrame.Error(wire.now(), ErrorCode.INVALID_MSG,
                    "Internal error handling the frame"));
        } finally {
            answer.accept(toCaller.frames);
        }
    }

    @Override
    public void opened(String id, long ttlMillis) {
        if (exchange != null) {
            exchange.home(id, ttlMillis);
        }
    }

    /**
     * Delivers as usual, except what is for the caller of the frame being handled, which
     * {@link #toCaller} takes first.
     */
    private abstract class CallerFirst implements Delivery {
        /** Takes a frame for {@code agentRef} if it is the caller's; false sends it as usual. */
        abstract boolean toCaller(String agentRef, ServerFrame frame);

        @Override
        public final void toAgent(String agentRef, ServerFrame frame) {
            if (!toCaller(agentRef, frame)) {
                MarketAdapter.this.toAgent(agentRef, frame);
            }
        }

        @Override
        public final boolean online(String agentRef) {
            return MarketAdapter.this.online(agentRef);
        }

        @Override
        public final String pubkeyOf(String agentRef) {
            return MarketAdapter.this.pubkeyOf(agentRef);
        }

        @Override
        public final void toChannel(String channel, ServerFrame frame) {
            MarketAdapter.this.toChannel(channel, frame);
        }

        @Override
        public final void opened(String id, long ttlMillis) {
            MarketAdapter.this.opened(id, ttlMillis);
        }
    }

    /**
     * A forwarded frame's replies to its caller are collected, to go back to the relay it was sent
     * to in one answer.
     */
    private final class ToRemoteCaller extends CallerFirst {
        private final String callerRef;
        private final List<String> frames = new ArrayList<>();

        ToRemoteCaller(String callerRef) {
            this.callerRef = callerRef;
        }

        @Override
        boolean toCaller(String agentRef, ServerFrame frame) {
            if (!callerRef.equals(agentRef)) {
                return false;
            }
            frames.add(wire.encode(frame));
            return true;
        }
    }

    /**
     * Replies to the caller go to the connection that sent the frame, not to whichever connection
     * holds the id: a key-based session that has not proved its key may still search skills, and
     * the results are its own, not the proven holder's.
     */
    private final class ToCaller extends CallerFirst {
        private final AgentSession caller;

        ToCaller(AgentSession caller) {
            this.caller = caller;
        }

        @Override
        boolean toCaller(String agentRef, ServerFrame frame) {
            if (!caller.ref().equals(agentRef) || caller.closed()) {
                return false;
            }
            wire.send(caller, frame);
            return true;
        }
    }

    @Override
    public boolean online(String agentRef) {
        return session(agentRef) != null || elsewhere(agentRef) != null;
    }

    @Override
    public String pubkeyOf(String agentRef) {
        AgentSession session = session(agentRef);
        if (session != null) {
            return session.pubkey();
        }
        String key = elsewhere(agentRef);
        return key == null || key.isEmpty() ? null : key;
    }

    @Override
    public void toAgent(String agentRef, ServerFrame frame) {
        AgentSession session = session(agentRef);
        if (session != null) {
            wire.send(session, frame);
        } else if (directory != null && wellFormed(agentRef)) {
            directory.send(agentRef.substring(1), wire.encode(frame));
        }
    }

    /**
     * The key another relay's holder of the id proved ("" for none), or null when no relay answers
     * to it (or this relay is alone). One Redis round trip; CLUSTER_UNAVAILABLE when Redis does not
     * answer, rather than a false AGENT_NOT_FOUND.
     */
    private String elsewhere(String agentRef) {
        if (directory == null || !wellFormed(agentRef)) {
            return null;
        }
        try {
            return directory.holderKey(agentRef.substring(1));
        } catch (RuntimeException e) {
            throw new ProtocolException(ErrorCode.CLUSTER_UNAVAILABLE, "Agent " + agentRef
                    + " is not on this relay, and the cluster cannot be reached to find it; try again later");
        }
    }

    /** A notice, on every relay of a cluster ({@link ChannelNotices}). */
    @Override
    public void toChannel(String channel, ServerFrame frame) {
        notices.send(channel, wire.encode(frame));
    }

    void sweep() {
        market.sweep(this);
        forwardedAnswers.sweep();
    }

    MarketService.ProposalStats stats() {
        return market.stats();
    }

    private static boolean wellFormed(String agentRef) {
        return agentRef != null && agentRef.startsWith("@") && agentRef.length() >= 2;
    }

    private AgentSession session(String agentRef) {
        if (!wellFormed(agentRef)) {
            return null;
        }
        AgentSession session = agents.get(agentRef.substring(1));
        return session == null || session.closed() ? null : session;
    }
}
