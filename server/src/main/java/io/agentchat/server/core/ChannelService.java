package io.agentchat.server.core;

import io.agentchat.protocol.ChannelPosition;
import io.agentchat.protocol.ErrorCode;
import io.agentchat.protocol.ProtocolException;
import io.agentchat.protocol.ServerFrame;
import io.agentchat.server.cluster.AgentDirectory;
import io.agentchat.server.cluster.ChannelDirectory;
import io.agentchat.server.cluster.RosterChange;
import io.agentchat.server.cluster.RosterEntry;
import io.agentchat.server.cluster.RosterView;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JOIN, LEAVE, CREATE_CHANNEL, INVITE, the two listings and presence: what the server answers and
 * tells the members, worded in {@link Notices}. The {@link Channel} decides under which lock: it
 * makes each change whole and hands out its frames before letting go, so every member sees them
 * in one order. JOIN and LEAVE are idempotent: a repeated JOIN gets JOINED again, and a LEAVE of
 * an existing channel the session is not in still gets LEFT.
 */
final class ChannelService {
    private static final Logger LOG = LoggerFactory.getLogger("agentchat.server");
    /** Members named in the "new agent just joined" greeting. */
    static final int MAX_GREETED = 10;

    private final Wire wire;
    private final ChannelRegistry channels;
    private final AgentRegistry agents;
    private final int maxMembers;
    private final int maxAnnouncedMembers;
    private final MembershipLimits membershipLimits;
    private final AgentDirectory directory;

    /**
     * @param maxAnnouncedMembers the largest channel whose joins, leaves, greetings and presence
     *                            changes are told to its members
     */
    /** @param directory the cluster's agents, so an invite's notice reaches an invitee on another relay; null alone */
    ChannelService(Wire wire, ChannelRegistry channels, AgentRegistry agents, int maxMembers, int maxAnnouncedMembers,
                   MembershipLimits membershipLimits, AgentDirectory directory) {
        this.directory = directory;
        this.wire = wire;
        this.channels = channels;
        this.agents = agents;
        this.maxMembers = maxMembers;
        this.maxAnnouncedMembers = maxAnnouncedMembers;
        this.membershipLimits = membershipLimits;
    }

    Channel require(String name) {
        Channel channel = channels.find(name, wire.now());
        if (channel == null) {
            throw notFound(name);
        }
        return channel;
    }

    /** This relay's copy was another generation of the name than the cluster's (docs/cluster.md, "Channels"). */
    private static ProtocolException gone(String name) {
        return new ProtocolException(ErrorCode.CHANNEL_NOT_FOUND, "Channel " + name + " is gone: the cluster gave its name to a new channel");
    }

    private static ProtocolException notFound(String name) {
        return new ProtocolException(ErrorCode.CHANNEL_NOT_FOUND, "Channel " + name + " not found");
    }

    /** {@code since}: the last message of the channel the session saw, to resume after; or null. */
    void join(AgentSession session, String name, ChannelPosition since) {
        Channel channel = require(name);
        if (channel.inviteOnly() && !mayEnter(session, channel)) {
            throw new ProtocolException(ErrorCode.NOT_INVITED, "Channel " + name + " is invite-only");
        }
        membershipLimits.learn(session.remoteAddress());
        Runnable charge = () -> membershipLimits.chargeJoin(quotaKey(session), session.remoteAddress());
        switch (channel.join(session, since, maxMembers, wire::now, charge, new Notices(name))) {
            case GONE -> throw notFound(name);
            case FULL -> throw ProtocolException.invalid("Channel " + name + " is full");
            case ENTERED -> LOG.debug("join id={} channel={}", session.ref(), channel.logName());
            case ALREADY_READER, CLOSED -> { }
        }
    }

    /**
     * A session that just proved its key becomes a visible member of the channels it was reading
     * unseen, and their members are told, as for a JOIN.
     */
    void revealUnseen(AgentSession session) {
        for (Channel channel : session.channels()) {
            channel.reveal(session, wire::now, new Notices(channel.name()));
        }
    }

    /**
     * An invite is tied to an id, so a key-based id may use it only once it has proven it holds
     * the key; otherwise anyone who knows a public key could read its private channels.
     */
    private boolean mayEnter(AgentSession session, Channel channel) {
        if (!session.actsAsId()) {
            return false;
        }
        if (channel.isInvited(session.id())) {
            return true;
        }
        // An invite made on another relay of the cluster: remembered here once seen.
        return channels.invitedInCluster(channel.name(), session.id()) && channel.invite(session.id());
    }

    void leave(AgentSession session, String name) {
        Channel channel = channels.get(name);
        if (channel == null) {
            return; // the reference answers nothing here
        }
        Runnable charge = () -> membershipLimits.chargeLeave(quotaKey(session), session.remoteAddress());
        channel.leave(session, wire::now, charge, new Notices(name));
    }

    /** A local copy whose name the cluster gave to another channel: its readers are told LEFT. */
    void retire(Channel channel) {
        channel.retire(wire::now, new Notices(channel.name()));
    }

    /** Removes a departing session from every channel, telling the remaining members. */
    void leaveAll(AgentSession session) {
        for (Channel channel : session.channels()) {
            channel.drop(session, wire::now, new Notices(channel.name()));
            session.left(channel);
        }
    }

    void create(AgentSession session, String name, boolean inviteOnly) {
        Channel channel = channels.create(name, inviteOnly, quotaKey(session), session.remoteAddress(), wire.now());
        if (inviteOnly) {
            channel.invite(session.id());
            if (channels.inviteInCluster(channel, session.id()) == ChannelDirectory.Invitation.OTHER_GENERATION) {
                throw gone(name); // Redis restarted and a namesake took the name within this frame: the copy was let go
            }
        }
        if (channel.enterAsCreator(session, wire::now, new Notices(name))) {
            LOG.info("create_channel id={} channel={} private={}", session.ref(), channel.logName(), inviteOnly);
        }
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
        // The cluster's list is checked first, so a refusal there records nothing here either.
        if (channel.isMember(session)) {
            switch (channels.inviteInCluster(channel, invitee)) {
                case LIST_FULL -> throw ProtocolException.invalid("Invite list of " + name + " is full");
                case GONE -> throw new ProtocolException(ErrorCode.CLUSTER_UNAVAILABLE,
                        "Channel " + name + " is not back in the cluster yet; try again later");
                case OTHER_GENERATION -> {
                    LOG.warn("channel taken by another in the cluster, its members here let go channel={}", channel.logName());
                    retire(channel);
                    throw gone(name);
                }
                case RECORDED -> { }
            }
        }
        switch (channel.invite(session, invitee)) {
            case NOT_A_MEMBER -> throw new ProtocolException(ErrorCode.NOT_INVITED, "Not a member of " + name);
            case LIST_FULL -> throw ProtocolException.invalid("Invite list of " + name + " is full");
            case RECORDED -> { }
        }
        AgentSession target = agents.get(invitee);
        String notice = wire.encode(ServerFrame.Msg.of(wire.now(), session.ref(), agentRef, "You have been invited to " + name));
        if (target != null) {
            target.send(notice);
        } else if (directory != null) {
            // Like a DM: to the invitee's relay, or held for it if it is away (the invite itself lasts anyway).
            directory.dm(invitee, new AgentDirectory.Dm(notice, session.ref(), session.remoteAddress(), ByteBudget.cost(notice)))
                    .exceptionally(failure -> {
                        LOG.warn("invite notice not delivered id={} channel={}: {}", session.ref(), channel.logName(), failure.toString());
                        return null;
                    });
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
        for (String other : channels.otherPublicChannels(max)) {
            list.add(new ServerFrame.ChannelInfo(other, 0)); // no reader on this relay
        }
        wire.send(session, new ServerFrame.Channels(wire.now(), ChannelListing.busiest(list, max)));
    }

    /** Members of a private channel are shown only to its members (LIST_CHANNELS does not name it either). */
    void listAgents(AgentSession session, String name) {
        Channel channel = require(name);
        if (channel.inviteOnly() && !channel.isMember(session)) {
            throw new ProtocolException(ErrorCode.NOT_INVITED, "Channel " + name + " is invite-only");
        }
        List<ServerFrame.AgentInfo> list = new ArrayList<>();
        for (AgentSession member : channel.members()) {
            list.add(new ServerFrame.AgentInfo(member.ref(), member.name(), member.presence(), member.statusText()));
        }
        for (RosterEntry member : channel.remoteMembers()) {
            list.add(new ServerFrame.AgentInfo("@" + member.id(), member.name(), member.presence(), member.statusText()));
        }
        wire.send(session, new ServerFrame.Agents(wire.now(), name, list));
    }

    void setPresence(AgentSession session, String status, String statusText) {
        session.setPresence(status, statusText);
        for (Channel channel : session.channels()) {
            channel.changePresence(session, wire::now, new Notices(channel.name()));
        }
    }

    /** A change of a shared channel's members, from the cluster (any relay's), on the cluster's delivery thread. */
    void remoteChanged(String logName, RosterChange change) {
        Channel channel = channels.forLog(logName);
        if (channel != null) {
            channel.remoteChanged(change, wire.now(), new Notices(channel.name()));
        }
    }

    /** A shared channel's whole roster, read from the cluster every few seconds. */
    void remoteRead(String logName, RosterView view) {
        Channel channel = channels.forLog(logName);
        if (channel != null) {
            channel.remoteRead(view, wire.now(), new Notices(channel.name()));
        }
    }

    /**
     * The reference names every other member, which makes each join cost O(members^2) bytes and a
     * join storm O(members^3); we name the first few, as the reference does for small channels.
     */
    static String greeted(List<String> others) {
        List<String> refs = others.subList(0, Math.min(others.size(), MAX_GREETED));
        String names = String.join(", ", refs);
        int rest = others.size() - refs.size();
        return rest > 0 ? names + " and " + rest + " more" : names;
    }

    /** What one channel's membership changes say, in the order the channel hands them out. */
    private final class Notices implements MembershipNotices {
        private final String channel;

        Notices(String channel) {
            this.channel = channel;
        }

        /** JOINED, the recovered messages or the replay, and the welcome leave as one write (see Outbound#sendAll). */
        @Override
        public List<String> answer(long now, AgentSession joiner, List<String> members, ChannelPosition position,
                                   Boolean recovered, List<String> history) {
            if (recovered != null) {
                wire.metrics().resumed(recovered);
            }
            List<String> answer = new ArrayList<>(history.size() + 2);
            answer.add(joined(now, members, position, recovered));
            answer.addAll(history);
            answer.add(wire.encode(ServerFrame.Msg.of(now, "@server", channel, "Welcome to " + channel + ", "
                    + joiner.ref() + "! Say hello to introduce yourself and start collaborating with other agents.")));
            return answer;
        }

        @Override
        public String joined(long now, List<String> members, ChannelPosition position, Boolean recovered) {
            return wire.encode(new ServerFrame.Joined(now, channel, members, position.seq(), position.epoch(),
                    recovered));
        }

        @Override
        public boolean announced(int members) {
            return members <= maxAnnouncedMembers;
        }

        @Override
        public String agentJoined(long now, String who) {
            return wire.encode(new ServerFrame.AgentJoined(now, channel, who));
        }

        @Override
        public String greeting(long now, String who, List<String> before) {
            return wire.encode(ServerFrame.Msg.of(now, "@server", channel, "Hey " + greeted(before)
                    + " - new agent " + who + " just joined! Say hi and share what you're working on."));
        }

        @Override
        public String agentLeft(long now, String who) {
            return wire.encode(new ServerFrame.AgentLeft(now, channel, who));
        }

        @Override
        public String presenceChanged(long now, String who, String presence, String statusText) {
            return wire.encode(new ServerFrame.PresenceChanged(now, who, presence, statusText));
        }

        @Override
        public String left(long now) {
            return wire.encode(new ServerFrame.Left(now, channel));
        }
    }
}
