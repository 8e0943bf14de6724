package io.agentchat.cli;

import io.agentchat.daemon.RotatingLog;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Sends the daemon process's log to {@code daemon.log} in the original's line format
 * {@code [ISO-8601] [INFO|WARN|ERROR] text} (docs/daemon-files.md), with size rotation, and in the
 * foreground mirrors it to the console as the original does (INFO and WARN on stdout, ERROR on stderr).
 *
 * <p>slf4j-simple is configured through system properties, which win over
 * {@code simplelogger.properties}; it must not have been initialised yet, so this runs first in the
 * daemon's start path. It writes to whatever {@code System.err} is at each call, so swapping
 * {@code System.err} routes every logger, Jetty's included, into the rotating file. Only the daemon
 * CLI entry point uses this (a process-wide change); {@link #close()} restores the streams.
 */
final class DaemonLogging implements AutoCloseable {

    private final RotatingLog log;
    private final PrintStream originalOut;
    private final PrintStream originalErr;

    private DaemonLogging(RotatingLog log, PrintStream originalOut, PrintStream originalErr) {
        this.log = log;
        this.originalOut = originalOut;
        this.originalErr = originalErr;
    }

    /**
     * @param logFile {@code daemon.log}
     * @param console mirror lines to the console (foreground); false for the detached child, whose
     *     stdout and stderr already go to the log file
     */
    static DaemonLogging install(Path logFile, boolean console) throws IOException {
        configure("org.slf4j.simpleLogger.logFile", "System.err");
        configure("org.slf4j.simpleLogger.showDateTime", "true");
        // XXX prints "Z" in UTC (the original's toISOString) and the offset elsewhere: always valid ISO-8601.
        configure("org.slf4j.simpleLogger.dateTimeFormat", "'['yyyy-MM-dd'T'HH:mm:ss.SSSXXX']'");
        configure("org.slf4j.simpleLogger.levelInBrackets", "true");
        configure("org.slf4j.simpleLogger.showThreadName", "false");
        configure("org.slf4j.simpleLogger.showLogName", "false");
        configure("org.slf4j.simpleLogger.showShortLogName", "false");
        configure("org.slf4j.simpleLogger.defaultLogLevel", "info");
        configure("org.slf4j.simpleLogger.log.org.eclipse.jetty", "warn");
        configure("org.slf4j.simpleLogger.log.io.methvin", "warn");
        configure("org.slf4j.simpleLogger.log.io.agentchat.client", "warn");
        PrintStream out = System.out;
        PrintStream err = System.err;
        RotatingLog log = new RotatingLog(logFile, RotatingLog.DEFAULT_MAX_BYTES, RotatingLog.DEFAULT_KEEP);
        OutputStream sink = log.lineStream(console ? line -> mirror(line, out, err) : line -> { });
        System.setErr(new PrintStream(sink, true, StandardCharsets.UTF_8));
        return new DaemonLogging(log, out, err);
    }

    private static void configure(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    private static void mirror(byte[] line, PrintStream out, PrintStream err) {
        String text = new String(line, StandardCharsets.UTF_8);
        PrintStream target = text.contains("] [ERROR] ") ? err : out;
        target.print(text);
        target.flush();
    }

    @Override
    public void close() {
        System.err.flush();
        System.setErr(originalErr);
        System.setOut(originalOut);
        try {
            log.close();
        } catch (IOException e) {
            originalErr.println("Closing " + log.file() + " failed: " + e);
        }
    }
}
