package io.agentchat.daemon;

import io.agentchat.protocol.ChannelPosition;
import io.agentchat.protocol.ReplayMarker;
import io.agentchat.protocol.ServerFrame;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Messages the daemon missed that come back as replayed history. When the server refuses a resume
 * (another epoch, history too old or out of room), it sends the channel's replay buffer instead,
 * every frame marked {@code "replay":true}; but the daemon asked to resume because it had been
 * there, so whatever of that buffer it does not already have was sent while it was away, and is new
 * to the agent. Left marked, chat.py would hide it as history and the agent would never see it. The
 * inbox writer still keeps out what the inbox already has, by seq, before these are written.
 *
 * <p>Fed every frame of a connection in order, on its dispatcher thread: the JOINED that refused a
 * resume comes just before the replay it answers with.
 */
final class LateReplays {
    /** Per channel, the position the refusing JOINED gave: replays up to it were sent while away. */
    private final Map<String, ChannelPosition> refused = new ConcurrentHashMap<>();

    /** The text to store for {@code frame}: the server's, with the replay marker dropped for a missed message. */
    String textFor(ServerFrame frame, String rawText) {
        if (frame instanceof ServerFrame.Joined joined) {
            if (Boolean.FALSE.equals(joined.recovered()) && joined.seq() != null && joined.epoch() != null) {
                refused.put(joined.channel(), new ChannelPosition(joined.seq(), joined.epoch()));
            } else {
                refused.remove(joined.channel());
            }
            return rawText;
        }
        if (!(frame instanceof ServerFrame.Msg msg) || !msg.isReplay() || !msg.hasPosition()) {
            return rawText;
        }
        ChannelPosition upTo = refused.get(msg.to());
        boolean missed = upTo != null && upTo.epoch().equals(msg.epoch()) && msg.seq() <= upTo.seq();
        return missed ? ReplayMarker.unmarked(rawText) : rawText;
    }
}
