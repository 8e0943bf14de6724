package io.agentchat.cli;

/** The {@code agentchat} executable: the only place that calls {@link System#exit}. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(AgentchatCommand.commandLine(new AgentchatCommand()).execute(args));
    }
}
