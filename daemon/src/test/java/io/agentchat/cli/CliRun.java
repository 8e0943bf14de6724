package io.agentchat.cli;

import io.agentchat.server.ServerConfig;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import picocli.CommandLine;

/** Runs the CLI in-process with captured stdout/stderr. */
record CliRun(int rc, String out, String err) {

    static CliRun run(String... args) {
        return run(Map.of(), new ByteArrayInputStream(new byte[0]), args);
    }

    static CliRun run(Map<String, String> env, String... args) {
        return run(env, new ByteArrayInputStream(new byte[0]), args);
    }

    static CliRun run(Map<String, String> env, InputStream in, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = AgentchatCommand.commandLine(new AgentchatCommand(env, in));
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int rc = commandLine.execute(args);
        return new CliRun(rc, out.toString(), err.toString());
    }

    /** Parses {@code args} without running, for commands whose configuration is under test. */
    static <T> T parse(Map<String, String> env, Class<T> type, String... args) {
        CommandLine commandLine = AgentchatCommand.commandLine(new AgentchatCommand(env, InputStream.nullInputStream()));
        CommandLine.ParseResult result = commandLine.parseArgs(args);
        return type.cast(result.subcommand().commandSpec().userObject());
    }

    /** The relay configuration {@code serve args...} would start with, in environment {@code env}. */
    static ServerConfig serveConfig(Map<String, String> env, String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "serve";
        System.arraycopy(args, 0, all, 1, args.length);
        return parse(env, RelayServerCommand.class, all).config();
    }
}
