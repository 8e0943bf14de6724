package io.agentchat.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import picocli.CommandLine;

/**
 * Where a {@code serve} setting comes from: its flag, else its environment variable, else the
 * default. A value out of range or unparsable is a {@link BadValueException} naming where it came
 * from, so the command exits with rc 2 before anything starts.
 */
final class ConfigSource {
    private final CommandLine commandLine;
    private final Function<String, String> env;

    ConfigSource(CommandLine commandLine, Function<String, String> env) {
        this.commandLine = commandLine;
        this.env = env;
    }

    /** An integer in {@code [min, max]}. */
    int integer(Long flag, String option, String variable, long fallback, long min, long max) {
        if (flag != null) {
            return (int) checked(flag, "option '--" + option + "'", min, max);
        }
        String text = env(variable);
        if (text == null) {
            return (int) fallback;
        }
        long value;
        try {
            value = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw bad("Invalid value for environment variable " + variable + ": '" + text + "' is not an integer");
        }
        return (int) checked(value, "environment variable " + variable, min, max);
    }

    /** A switch: the flag, else {@code true}/{@code 1} or {@code false}/{@code 0} in the environment. */
    boolean enabled(boolean flag, String variable) {
        if (flag) {
            return true;
        }
        String text = env(variable);
        if (text == null) {
            return false;
        }
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "true", "1" -> true;
            case "false", "0" -> false;
            default -> throw bad("Invalid value for environment variable " + variable + ": '" + text
                    + "' (must be true or false)");
        };
    }

    /** A comma-separated list; blank entries are dropped. */
    List<String> list(String flag, String variable, List<String> fallback) {
        String text = flag != null ? flag : env(variable);
        if (text == null) {
            return fallback;
        }
        List<String> items = new ArrayList<>();
        for (String item : text.split(",")) {
            if (!item.isBlank()) {
                items.add(item.trim());
            }
        }
        return items;
    }

    BadValueException bad(String message) {
        return new BadValueException(commandLine, message);
    }

    private long checked(long value, String where, long min, long max) {
        if (value < min || value > max) {
            throw bad("Invalid value for " + where + ": " + value + " (must be " + min + "-" + max + ")");
        }
        return value;
    }

    private String env(String variable) {
        String text = env.apply(variable);
        return text == null || text.isBlank() ? null : text.trim();
    }
}
