package io.agentchat.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;

/** One line about the machine, printed with every run: on a shared box the load average explains the tails. */
final class Machine {
    private Machine() {
    }

    static String describe() {
        return String.format("machine: %s, %d cores, load average %s, java %s", OffsetDateTime.now().truncatedTo(ChronoUnit.SECONDS),
                Runtime.getRuntime().availableProcessors(), loadAverage(), System.getProperty("java.version"));
    }

    static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException e) {
            return "unknown";
        }
    }
}
