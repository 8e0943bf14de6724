package io.agentchat.protocol;

import java.util.regex.Pattern;

/** The naming rules of the protocol (docs/protocol.md): agent names, channel names, targets. */
public final class Names {
    private static final Pattern AGENT_NAME = Pattern.compile("[A-Za-z0-9_-]{1,32}");
    private static final Pattern CHANNEL = Pattern.compile("#[A-Za-z0-9_-]{1,31}");

    /** Channel messages longer than this many UTF-16 units are refused. */
    public static final int MAX_CONTENT_LENGTH = 4096;
    public static final int MAX_STATUS_TEXT_LENGTH = 100;

    private Names() {
    }

    public static boolean isAgentName(String name) {
        return name != null && AGENT_NAME.matcher(name).matches();
    }

    public static boolean isChannel(String name) {
        return name != null && CHANNEL.matcher(name).matches();
    }

    /** True for a {@code #channel} target (only the prefix: the rest is checked when routing). */
    public static boolean isChannelTarget(String target) {
        return target != null && target.startsWith("#");
    }

    /** True for an {@code @agent} target. */
    public static boolean isAgentTarget(String target) {
        return target != null && target.startsWith("@");
    }
}
