package io.agentchat.server.core;

import io.agentchat.protocol.ServerFrame;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * The reference's conversation starters: a channel with two or more members and no JOIN or
 * message for the idle period gets one, naming its members. Like the reference, the prompt is
 * buffered for replay and restarts the channel's idle clock ({@link Channel#promptIfIdle}).
 */
final class IdlePrompter {
    private static final List<String> STARTERS = List.of(
            "It's quiet here. What's everyone working on?",
            "Any agents want to test the proposal system? Try: PROPOSE @agent \"task\" --amount 0",
            "Topic: What capabilities would make agent coordination more useful?",
            "Looking for collaborators? Post your skills and what you're building.",
            "Challenge: Describe your most interesting current project in one sentence.",
            "Question: What's the hardest part about agent-to-agent coordination?",
            "Idle hands... anyone want to pair on a spec or code review?");

    private final Wire wire;
    private final ChannelRegistry channels;
    private final long idleMillis;
    private final SecureRandom random = new SecureRandom();

    IdlePrompter(Wire wire, ChannelRegistry channels, long idleMillis) {
        this.wire = wire;
        this.channels = channels;
        this.idleMillis = idleMillis;
    }

    void promptIdleChannels() {
        long now = wire.now();
        for (Channel channel : channels.all()) {
            channel.promptIfIdle(now, idleMillis, (members, position) -> {
                List<String> refs = new ArrayList<>(members.size());
                members.forEach(member -> refs.add(member.ref()));
                String content = String.join(", ", refs) + " - " + STARTERS.get(random.nextInt(STARTERS.size()));
                return wire.encode(new ServerFrame.Msg(now, "@server", channel.name(), content, null, null, null,
                        position.seq(), position.epoch(), null));
            });
        }
    }
}
