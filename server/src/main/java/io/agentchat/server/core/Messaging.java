package io.agentchat.server.core;

import io.agentchat.protocol.ClientFrame;
import io.agentchat.protocol.ErrorCode;
import io.agentchat.protocol.Names;
import io.agentchat.protocol.ProtocolException;
import io.agentchat.protocol.ServerFrame;
import java.time.Duration;

/**
 * Channel messages and DMs (PROTOCOL.md §3.3). A channel message is encoded once; the same
 * string goes to every member and, with {@code "replay":true} spliced in, to the replay buffer.
 */
final class Messaging {
    private final Wire wire;
    private final ChannelService channels;
    private final AgentRegistry agents;
    private final MessageSignatures signatures;
    private final String rateLimitMessage;

    Messaging(Wire wire, ChannelService channels, AgentRegistry agents, Duration rateLimit) {
        this.wire = wire;
        this.channels = channels;
        this.agents = agents;
        this.signatures = new MessageSignatures(wire);
        this.rateLimitMessage = rateLimitMessage(rateLimit);
    }

    void send(AgentSession sender, ClientFrame.Msg msg) {
        MessageSignatures.Checked checked = signatures.check(sender, msg);
        if (!sender.messageLimiter().tryAcquire()) {
            throw new ProtocolException(ErrorCode.RATE_LIMITED, rateLimitMessage);
        }
        if (Names.isChannelTarget(msg.to())) {
            toChannel(sender, msg, checked);
        } else {
            toAgent(sender, msg, checked);
        }
    }

    private void toChannel(AgentSession sender, ClientFrame.Msg msg, MessageSignatures.Checked checked) {
        Channel channel = channels.require(msg.to());
        synchronized (channel) {
            if (!channel.isReader(sender)) {
                throw new ProtocolException(ErrorCode.NOT_INVITED, "Not a member of " + msg.to());
            }
            boolean withSignature = signatures.commit(sender, checked);
            long now = wire.now();
            String text = wire.encode(frame(sender, msg, checked.verified(), withSignature, now));
            channel.buffer(asReplay(text), now);
            channel.forEachReader(member -> member.send(text));
        }
    }

    private void toAgent(AgentSession sender, ClientFrame.Msg msg, MessageSignatures.Checked checked) {
        AgentSession target = agents.get(msg.to().substring(1));
        if (target == null) {
            throw new ProtocolException(ErrorCode.AGENT_NOT_FOUND, "Agent " + msg.to() + " not found");
        }
        boolean withSignature = signatures.commit(sender, checked);
        String text = wire.encode(frame(sender, msg, checked.verified(), withSignature, wire.now()));
        target.send(text);
        sender.send(text);
    }

    /** {@code verified} is set only for a sender that answered the challenge: the server's word for it. */
    private static ServerFrame.Msg frame(AgentSession sender, ClientFrame.Msg msg, boolean verified,
            boolean withSignature, long now) {
        String sig = withSignature ? msg.sig() : null;
        Long clientTs = sig == null ? null : msg.ts();
        return new ServerFrame.Msg(now, sender.ref(), msg.to(), msg.content(), sig, clientTs,
                verified ? Boolean.TRUE : null, null);
    }

    /** The stored copy ends with {@code "replay":true}, as the reference appends it last. */
    static String asReplay(String encodedMsg) {
        return encodedMsg.substring(0, encodedMsg.length() - 1) + ",\"replay\":true}";
    }

    private static String rateLimitMessage(Duration limit) {
        long millis = limit.toMillis();
        if (millis == 1000) {
            return "Rate limit exceeded (max 1 message per second)";
        }
        return "Rate limit exceeded (max 1 message per " + millis + " ms)";
    }
}
