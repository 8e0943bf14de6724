package io.agentchat.cli;

import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * Parse errors, commander style: {@code error: <what>} on stderr plus a suggestion line when there is
 * one, no usage dump. rc 1 like commander, except an unusable value (a bad number), which is rc 2.
 */
final class UsageErrorHandler implements CommandLine.IParameterExceptionHandler {

    @Override
    public int handleParseException(CommandLine.ParameterException ex, String[] args) {
        PrintWriter err = ex.getCommandLine().getErr();
        err.println("error: " + ex.getMessage());
        if (ex instanceof CommandLine.UnmatchedArgumentException unmatched && !unmatched.getSuggestions().isEmpty()) {
            err.println("(Did you mean " + unmatched.getSuggestions().get(0) + "?)");
        }
        err.flush();
        return isBadValue(ex) ? ExitCodes.BAD_VALUE : ExitCodes.FAILURE;
    }

    private static boolean isBadValue(CommandLine.ParameterException ex) {
        if (ex instanceof BadValueException || ex.getCause() instanceof CommandLine.TypeConversionException
                || ex.getCause() instanceof NumberFormatException) {
            return true;
        }
        String message = ex.getMessage();
        return message != null && message.startsWith("Invalid value for");
    }
}
