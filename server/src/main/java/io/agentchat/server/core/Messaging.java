package io.agentchat.server.core;

import io.agentchat.protocol.ClientFrame;
import io.agentchat.protocol.ErrorCode;
import io.agentchat.protocol.Names;
import io.agentchat.protocol.ProtocolException;
import io.agentchat.protocol.ServerFrame;
import java.time.Duration;

/**
 * Channel messages and DMs. A channel message is encoded once; the {@link Channel} hands the same
 * string to every reader and keeps it, with {@code "replay":true} spliced in, for replay.
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
        // The signature is committed only once the sender is known to read the channel, under its lock.
        boolean posted = channel.post(sender, wire::now, now -> {
            boolean withSignature = signatures.commit(sender, checked);
            return wire.encode(frame(sender, msg, checked.verified(), withSignature, now));
        });
        if (!posted) {
            throw new ProtocolException(ErrorCode.NOT_INVITED, "Not a member of " + msg.to());
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

    private static String rateLimitMessage(Duration limit) {
        long millis = limit.toMillis();
        if (millis == 1000) {
            return "Rate limit exceeded (max 1 message per second)";
        }
        return "Rate limit exceeded (max 1 message per " + millis + " ms)";
    }
}
