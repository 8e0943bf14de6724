package io.agentchat.server.core;

import io.agentchat.protocol.ErrorCode;
import io.agentchat.protocol.ProtocolException;
import io.agentchat.protocol.ServerFrame;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JOIN, LEAVE, CREATE_CHANNEL, INVITE, the two listings and presence (PROTOCOL.md §3.2-§3.6,
 * §3.15, §6.3-§6.4). Each channel's frames are handed out under that channel's lock, so every
 * member sees them in the same order. JOIN and LEAVE are idempotent (Q14).
 */
final class ChannelService {
    private static final Logger LOG = LoggerFactory.getLogger("agentchat.server");
    /** Members named in the "new agent just joined" greeting. */
    static final int MAX_GREETED = 10;

    private final Wire wire;
    private final ChannelRegistry channels;
    private final AgentRegistry agents;
    private final int maxMembers;
    private final MembershipLimits membershipLimits;

    ChannelService(Wire wire, ChannelRegistry channels, AgentRegistry agents, int maxMembers,
                   MembershipLimits membershipLimits) {
        this.wire = wire;
        this.channels = channels;
        this.agents = agents;
        this.maxMembers = maxMembers;
        this.membershipLimits = membershipLimits;
    }

    Channel require(String name) {
        Channel channel = channels.get(name);
        if (channel == null) {
            throw new ProtocolException(ErrorCode.CHANNEL_NOT_FOUND, "Channel " + name + " not found");
        }
        return channel;
    }

    void join(AgentSession session, String name) {
        Channel channel = require(name);
        if (channel.inviteOnly() && !mayEnter(session, channel)) {
            throw new ProtocolException(ErrorCode.NOT_INVITED, "Channel " + name + " is invite-only");
        }
        synchronized (channel) {
            long now = wire.now();
            if (channel.reclaimed()) {
                throw new ProtocolException(ErrorCode.CHANNEL_NOT_FOUND, "Channel " + name + " not found");
            }
            if (channel.isReader(session)) {
                wire.send(session, new ServerFrame.Joined(now, name, refs(channel.members())));
                return;
            }
            if (channel.occupancy() >= maxMembers) {
                throw ProtocolException.invalid("Channel " + name + " is full");
            }
            membershipLimits.chargeJoin(quotaKey(session), session.remoteAddress());
            List<AgentSession> others = channel.members();
            if (session.actsAsId()) {
                channel.add(session, now);
            } else {
                channel.addUnseen(session, now);
            }
            session.joined(channel);
            if (undoIfClosed(session, channel, now)) {
                return;
            }
            if (session.actsAsId()) {
                announceJoin(channel, session, now);
            }
            // JOINED, the replay and the welcome leave as one write (see Outbound#sendAll).
            List<String> answer = new ArrayList<>();
            answer.add(wire.encode(new ServerFrame.Joined(now, name, refs(channel.members()))));
            answer.addAll(channel.replay());
            answer.add(wire.encode(ServerFrame.Msg.of(now, "@server", name, "Welcome to " + name + ", "
                    + session.ref() + "! Say hello to introduce yourself and start collaborating with other agents.")));
            session.sendAll(answer);
            if (session.actsAsId()) {
                greet(channel, session, others, now);
            }
        }
        LOG.debug("join id={} channel={}", session.ref(), channel.logName());
    }

    /**
     * A session that just proved its key becomes a visible member of the channels it was reading
     * unseen, and their members are told, as for a JOIN.
     */
    void revealUnseen(AgentSession session) {
        for (Channel channel : session.channels()) {
            synchronized (channel) {
                long now = wire.now();
                if (!channel.removeUnseen(session, now)) {
                    continue;
                }
                List<AgentSession> others = channel.members();
                channel.add(session, now);
                if (undoIfClosed(session, channel, now)) {
                    continue;
                }
                announceJoin(channel, session, now);
                greet(channel, session, others, now);
            }
        }
    }

    /** Unseen readers hear of joins too, as they hear of leaves: they follow the channel like anyone. */
    private void announceJoin(Channel channel, AgentSession session, long now) {
        String joinedNotice = wire.encode(new ServerFrame.AgentJoined(now, channel.name(), session.ref()));
        toEveryReaderBut(channel, session, joinedNotice);
    }

    private void greet(Channel channel, AgentSession session, List<AgentSession> others, long now) {
        if (!others.isEmpty()) {
            String hey = wire.encode(ServerFrame.Msg.of(now, "@server", channel.name(), "Hey " + greeted(others)
                    + " - new agent " + session.ref() + " just joined! Say hi and share what you're working on."));
            toEveryReaderBut(channel, session, hey);
        }
    }

    private static void toEveryReaderBut(Channel channel, AgentSession self, String text) {
        channel.forEachReader(reader -> {
            if (reader != self) {
                reader.send(text);
            }
        });
    }

    /**
     * The socket may have closed while this frame was being handled, after the hub's clean-up took
     * its snapshot of the session's channels: then the membership just added must not stay behind.
     */
    private static boolean undoIfClosed(AgentSession session, Channel channel, long now) {
        if (!session.closed()) {
            return false;
        }
        channel.remove(session, now);
        channel.removeUnseen(session, now);
        session.left(channel);
        return true;
    }

    /**
     * An invite is tied to an id, so a key-based id may use it only once it has proven it holds
     * the key; otherwise anyone who knows a public key could read its private channels.
     */
    private static boolean mayEnter(AgentSession session, Channel channel) {
        return channel.isInvited(session.id()) && session.actsAsId();
    }

    void leave(AgentSession session, String name) {
        Channel channel = channels.get(name);
        if (channel == null) {
            return; // the reference answers nothing here
        }
        synchronized (channel) {
            long now = wire.now();
            if (channel.isMember(session)) {
                membershipLimits.chargeLeave(quotaKey(session), session.remoteAddress());
            }
            if (channel.remove(session, now)) {
                session.left(channel);
                String notice = wire.encode(new ServerFrame.AgentLeft(now, name, session.ref()));
                channel.forEachReader(member -> member.send(notice));
            } else if (channel.removeUnseen(session, now)) {
                session.left(channel);
            }
            wire.send(session, new ServerFrame.Left(now, name));
        }
    }

    /** Removes a departing session from every channel, telling the remaining members. */
    void leaveAll(AgentSession session) {
        for (Channel channel : session.channels()) {
            synchronized (channel) {
                long now = wire.now();
                if (channel.remove(session, now)) {
                    String notice = wire.encode(new ServerFrame.AgentLeft(now, channel.name(), session.ref()));
                    channel.forEachReader(member -> member.send(notice));
                } else {
                    channel.removeUnseen(session, now);
                }
            }
            session.left(channel);
        }
    }

    void create(AgentSession session, String name, boolean inviteOnly) {
        Channel channel = channels.create(name, inviteOnly, quotaKey(session), session.remoteAddress(), wire.now());
        if (inviteOnly) {
            channel.invite(session.id());
        }
        synchronized (channel) {
            channel.add(session, wire.now());
            session.joined(channel);
            if (undoIfClosed(session, channel, wire.now())) {
                return;
            }
            wire.send(session, new ServerFrame.Joined(wire.now(), name, refs(channel.members())));
        }
        LOG.info("create_channel id={} channel={} private={}", session.ref(), channel.logName(), inviteOnly);
    }

    /**
     * Whom a per-agent quota charges. A key-based session that has not answered the challenge is
     * charged to its address, so nobody can use up another agent's quota with its public key.
     */
    private static String quotaKey(AgentSession session) {
        return session.hasKey() && !session.proven() ? "ip:" + session.remoteAddress() : session.id();
    }

    void invite(AgentSession session, String name, String agentRef) {
        Channel channel = require(name);
        String invitee = agentRef.substring(1);
        synchronized (channel) {
            if (!channel.isMember(session)) {
                throw new ProtocolException(ErrorCode.NOT_INVITED, "Not a member of " + name);
            }
            if (!channel.invite(invitee)) {
                throw ProtocolException.invalid("Invite list of " + name + " is full");
            }
        }
        AgentSession target = agents.get(invitee);
        if (target != null) {
            wire.send(target, ServerFrame.Msg.of(wire.now(), session.ref(), agentRef, "You have been invited to " + name));
        }
        LOG.info("invite id={} channel={}", session.ref(), channel.logName());
    }

    /** At most {@code max} public channels: a 22-byte request must not buy a reply of any size. */
    void listChannels(AgentSession session, int max) {
        List<ServerFrame.ChannelInfo> list = new ArrayList<>();
        for (Channel channel : channels.all()) {
            if (!channel.inviteOnly()) {
                list.add(new ServerFrame.ChannelInfo(channel.name(), channel.size()));
            }
        }
        wire.send(session, new ServerFrame.Channels(wire.now(), ChannelListing.busiest(list, max)));
    }

    /** Members of a private channel are shown only to its members (Q13). */
    void listAgents(AgentSession session, String name) {
        Channel channel = require(name);
        if (channel.inviteOnly() && !channel.isMember(session)) {
            throw new ProtocolException(ErrorCode.NOT_INVITED, "Channel " + name + " is invite-only");
        }
        List<ServerFrame.AgentInfo> list = new ArrayList<>();
        for (AgentSession member : channel.members()) {
            list.add(new ServerFrame.AgentInfo(member.ref(), member.name(), member.presence(), member.statusText()));
        }
        wire.send(session, new ServerFrame.Agents(wire.now(), name, list));
    }

    void setPresence(AgentSession session, String status, String statusText) {
        session.setPresence(status, statusText);
        for (Channel channel : session.channels()) {
            synchronized (channel) {
                String frame = wire.encode(new ServerFrame.PresenceChanged(wire.now(), session.ref(), status, statusText));
                channel.forEachReader(member -> member.send(frame));
            }
        }
    }

    /**
     * The reference names every other member, which makes each join cost O(members^2) bytes and a
     * join storm O(members^3); we name the first few, as the reference does for small channels.
     */
    static String greeted(List<AgentSession> others) {
        List<String> refs = refs(others.subList(0, Math.min(others.size(), MAX_GREETED)));
        String names = String.join(", ", refs);
        int rest = others.size() - refs.size();
        return rest > 0 ? names + " and " + rest + " more" : names;
    }

    private static List<String> refs(List<AgentSession> sessions) {
        List<String> refs = new ArrayList<>(sessions.size());
        sessions.forEach(s -> refs.add(s.ref()));
        return refs;
    }
}
