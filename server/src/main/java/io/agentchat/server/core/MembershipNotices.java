package io.agentchat.server.core;

import io.agentchat.protocol.ChannelPosition;
import java.util.List;

/**
 * The frames a channel's membership change sends, as {@link ChannelService} words them. The
 * {@link Channel} calls these while it holds its lock, with the time it read there and the
 * members it has, and hands the text out before letting go; each returns encoded text. Members
 * are named by their wire reference ({@code @id}): in cluster mode some are on other relays.
 */
interface MembershipNotices {
    /**
     * The whole answer to a JOIN, sent as one write: {@code members} are the visible ones after it,
     * {@code position} where the channel stands, {@code recovered} whether the messages a resume
     * asked for follow (null: none asked), and {@code history} those messages or the replay.
     */
    List<String> answer(long now, AgentSession joiner, List<String> members, ChannelPosition position,
                        Boolean recovered, List<String> history);

    /** JOINED alone, naming the visible members: to a session that already reads the channel, or its creator. */
    String joined(long now, List<String> members, ChannelPosition position, Boolean recovered);

    /**
     * Whether joins, leaves and greetings are told to a channel of {@code members} visible members:
     * past a size, one notice per member per join is noise that costs more than the join.
     */
    boolean announced(int members);

    /** To the other readers when {@code who} becomes a visible member. */
    String agentJoined(long now, String who);

    /** To the other readers after {@link #agentJoined}, naming who was there before (never empty). */
    String greeting(long now, String who, List<String> before);

    /** To the remaining readers when a visible member goes. */
    String agentLeft(long now, String who);

    /** To the readers when a visible member ({@code who}) changes its presence. */
    String presenceChanged(long now, String who, String presence, String statusText);

    /** To the session that sent LEAVE, whether or not it was in the channel. */
    String left(long now);
}
