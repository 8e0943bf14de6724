package io.agentchat.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code java -jar agentchat-bench.jar <scenario> [options]}: load scenarios against any AgentChat
 * relay, {@code daemon} to measure our daemon, and {@code serve} to run our relay as a separate
 * process with limits off. The results and how they were taken are in docs/benchmarks.md.
 */
@Command(name = "agentchat-bench", mixinStandardHelpOptions = true,
        description = "Load generator and benchmarks for AgentChat relays (ours or the Node original).",
        subcommands = {FanoutCommand.class, IdleCommand.class, JoinStormCommand.class, DaemonBenchCommand.class,
                BenchRelayCommand.class, StubCommand.class,
                CommandLine.HelpCommand.class})
public final class BenchMain implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new BenchMain()).execute(args));
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
