package io.agentchat.cli;

import io.agentchat.client.ClientException;
import io.agentchat.client.NoServerAnsweredException;
import io.agentchat.identity.IdentityException;
import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * Turns an exception from a command into one line on stderr and an exit code: {@code Error: <message>},
 * rc 1. Stack traces only with {@code -v/--verbose} or {@code AGENTCHAT_VERBOSE=1}.
 */
final class CliExceptionHandler implements CommandLine.IExecutionExceptionHandler {
    static final String REFUSED = "Connection refused. Is the server running?";

    private final boolean verboseByEnv;

    CliExceptionHandler(boolean verboseByEnv) {
        this.verboseByEnv = verboseByEnv;
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine commandLine, CommandLine.ParseResult parseResult) {
        PrintWriter err = commandLine.getErr();
        err.println("Error: " + message(ex));
        if (verboseByEnv || verbose(parseResult)) {
            ex.printStackTrace(err);
        }
        err.flush();
        return ExitCodes.FAILURE;
    }

    /** The one-line text after {@code Error: } for {@code ex}. */
    static String message(Throwable ex) {
        if (ex instanceof ClientException client && client.reason() == ClientException.Reason.CONNECTION_REFUSED
                && !(ex instanceof NoServerAnsweredException)) {
            return REFUSED;
        }
        if (ex instanceof ClientException || ex instanceof IdentityException) {
            return ex.getMessage();
        }
        String text = ex.getMessage();
        String line = text == null || text.isBlank() ? ex.getClass().getSimpleName() : text;
        return line.replace('\n', ' ').replace('\r', ' ');
    }

    private static boolean verbose(CommandLine.ParseResult parseResult) {
        for (CommandLine.ParseResult pr = parseResult; pr != null; pr = pr.subcommand()) {
            if (pr.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }
}
