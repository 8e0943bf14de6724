package io.agentchat.server.core;

import io.agentchat.protocol.ChannelPosition;
import io.agentchat.protocol.ClientFrame;
import io.agentchat.protocol.ErrorCode;
import io.agentchat.protocol.Names;
import io.agentchat.protocol.ProtocolException;
import io.agentchat.protocol.ServerFrame;
import io.agentchat.server.cluster.AgentDirectory;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Channel messages and DMs. A channel message is encoded once, with its place in the channel's
 * history ({@code seq}, {@code epoch}); the {@link Channel} hands the same string to every reader and
 * keeps it for recovery and, with {@code "replay":true} spliced in, for replay. A DM to a proven
 * identity that went away a moment ago is held for it ({@link HeldMessages}); in a cluster, a DM to an
 * id nobody answers to on this relay goes through the cluster's {@link AgentDirectory}.
 */
final class Messaging {
    private static final Logger LOG = LoggerFactory.getLogger("agentchat.cluster");
    private final Wire wire;
    private final ChannelService channels;
    private final AgentRegistry agents;
    private final MessageSignatures signatures;
    private final HeldMessages held;
    private final AgentDirectory directory;
    private final String rateLimitMessage;

    /**
     * @param directory the cluster's agent directory, where a DM to an id nobody answers to here is
     *                  sent (or held), or null for a relay alone
     */
    Messaging(Wire wire, ChannelService channels, AgentRegistry agents, HeldMessages held, Duration rateLimit,
              AgentDirectory directory) {
        this.wire = wire;
        this.channels = channels;
        this.agents = agents;
        this.held = held;
        this.directory = directory;
        this.signatures = new MessageSignatures(wire, directory);
        this.rateLimitMessage = rateLimitMessage(rateLimit);
    }

    void send(AgentSession sender, ClientFrame.Msg msg) {
        MessageSignatures.Checked checked = signatures.check(sender, msg);
        if (!sender.messageLimiter().tryAcquire()) {
            throw new ProtocolException(ErrorCode.RATE_LIMITED, rateLimitMessage);
        }
        signatures.checkInCluster(sender, checked);
        if (Names.isChannelTarget(msg.to())) {
            toChannel(sender, msg, checked);
        } else {
            toAgent(sender, msg, checked);
        }
    }

    private void toChannel(AgentSession sender, ClientFrame.Msg msg, MessageSignatures.Checked checked) {
        Channel channel = channels.require(msg.to());
        // The signature is committed only once the sender is known to read the channel, under its lock.
        boolean posted = channel.post(sender, wire::now, (now, position) -> {
            boolean withSignature = signatures.commit(sender, checked);
            return wire.encode(frame(sender, msg, checked.verified(), withSignature, now, position));
        }, unsure -> wire.error(sender, ErrorCode.CLUSTER_UNAVAILABLE, unsure
                ? "The relay's cluster did not answer in time: the message to " + msg.to()
                        + " may or may not have been delivered (its echo follows if it was)"
                : "The relay cannot reach its cluster: the message to " + msg.to() + " was not delivered; try again later"));
        if (!posted) {
            throw new ProtocolException(ErrorCode.NOT_INVITED, "Not a member of " + msg.to());
        }
    }

    /**
     * To the session that answers to the id, or held for it if its proven identity went away a
     * moment ago; the sender's echo says the server took it either way.
     */
    private void toAgent(AgentSession sender, ClientFrame.Msg msg, MessageSignatures.Checked checked) {
        String id = msg.to().substring(1);
        synchronized (held.lockFor(id)) {
            long now = wire.now();
            AgentSession target = agents.get(id);
            if (target == null && directory != null) {
                toOtherRelay(sender, msg, checked, id);
                return;
            }
            if (target == null) {
                refuseUnlessHeld(held.expect(id, sender.ref(), now), msg.to());
            }
            boolean withSignature = signatures.commit(sender, checked);
            String text = wire.encode(frame(sender, msg, checked.verified(), withSignature, now, null));
            if (target != null) {
                target.send(text);
            } else {
                refuseUnlessHeld(held.hold(id, text, sender.ref(), sender.remoteAddress(), now), msg.to());
            }
            sender.send(text);
        }
    }

    /**
     * Through the cluster, to whichever relay answers to the id, or into its mailbox in Redis; the
     * sender's echo, or its error, comes once Redis has answered, and its next frame is read after
     * that ({@link AnswerOrder}). Issued under the id's lock, so one
     * sender's DMs to an id reach Redis, and their addressee, in the order they were sent.
     */
    private void toOtherRelay(AgentSession sender, ClientFrame.Msg msg, MessageSignatures.Checked checked, String id) {
        boolean withSignature = signatures.commit(sender, checked);
        String text = wire.encode(frame(sender, msg, checked.verified(), withSignature, wire.now(), null));
        AnswerOrder.Pending answer = sender.answerLater();
        directory.dm(id, new AgentDirectory.Dm(text, sender.ref(), sender.remoteAddress(), ByteBudget.cost(text)))
                .whenComplete((outcome, failure) -> {
                    if (failure != null) {
                        LOG.warn("cluster DM not sent to id={}: {}", id, failure.toString());
                        wire.error(sender, ErrorCode.AGENT_NOT_FOUND, "Agent " + msg.to()
                                + " is not on this relay, and the cluster cannot be reached to find it");
                    } else if (outcome == AgentDirectory.DmOutcome.SENT || outcome == AgentDirectory.DmOutcome.HELD) {
                        sender.send(text);
                    } else {
                        try {
                            refuseUnlessHeld(HeldMessages.Outcome.valueOf(outcome.name()), msg.to());
                        } catch (ProtocolException refused) {
                            wire.error(sender, refused.code(), refused.getMessage());
                        }
                    }
                    answer.given();
                });
    }

    private static void refuseUnlessHeld(HeldMessages.Outcome outcome, String to) {
        switch (outcome) {
            case NOT_HELD -> throw new ProtocolException(ErrorCode.AGENT_NOT_FOUND, "Agent " + to + " not found");
            case FULL -> throw new ProtocolException(ErrorCode.AGENT_NOT_FOUND, "Agent " + to
                    + " is offline and cannot be held more messages");
            case SENDER_FULL -> throw new ProtocolException(ErrorCode.AGENT_NOT_FOUND, "Agent " + to
                    + " is offline, and your address has as many messages held for offline agents as it may");
            case SERVER_FULL -> throw new ProtocolException(ErrorCode.AGENT_NOT_FOUND, "Agent " + to
                    + " is offline, and the server holds as many messages for offline agents as it can");
            case HELD -> { }
        }
    }

    /**
     * {@code verified} is set only for a sender that answered the challenge: the server's word for
     * it; {@code position} is the message's place in its channel (null for a DM).
     */
    private static ServerFrame.Msg frame(AgentSession sender, ClientFrame.Msg msg, boolean verified,
            boolean withSignature, long now, ChannelPosition position) {
        String sig = withSignature ? msg.sig() : null;
        Long clientTs = sig == null ? null : msg.ts();
        return new ServerFrame.Msg(now, sender.ref(), msg.to(), msg.content(), sig, clientTs,
                verified ? Boolean.TRUE : null, position == null ? null : position.seq(),
                position == null ? null : position.epoch(), null);
    }

    private static String rateLimitMessage(Duration limit) {
        long millis = limit.toMillis();
        if (millis == 1000) {
            return "Rate limit exceeded (max 1 message per second)";
        }
        return "Rate limit exceeded (max 1 message per " + millis + " ms)";
    }
}
