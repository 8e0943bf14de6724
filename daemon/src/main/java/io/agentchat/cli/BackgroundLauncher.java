package io.agentchat.cli;

import io.agentchat.daemon.PersonaPaths;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code daemon --background}: starts the same program again, detached, and reports only what it
 * knows. The child runs {@code java [same JVM flags] -jar <this jar> daemon ... --detached}
 * (or {@code io.agentchat.cli.Main} with the class path in {@code CLASSPATH} outside the jar), in a new session
 * ({@code setsid}) with stdin from {@code /dev/null} and stdout/stderr appended to
 * {@code daemon.log}. The parent then follows {@code daemon.log} from its current end and returns
 * once the child logs {@code Daemon started} (lock held, pid written, connected, channels joined),
 * or fails with the child's exit code and the tail of the log when the child exits first.
 */
final class BackgroundLauncher {

    /** Connect timeout (10 s) plus JVM start and one retry. */
    static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
    static final String READY_MARKER = "] [INFO] Daemon started";

    /** What the child did. */
    record Outcome(boolean started, long pid, Integer exitCode, List<String> logTail) {
    }

    private BackgroundLauncher() {
    }

    static Outcome launch(PersonaPaths paths, List<String> daemonArgs) throws IOException, InterruptedException {
        paths.createDirectories();
        Path log = paths.log();
        long from = Files.exists(log) ? Files.size(log) : 0;
        List<String> command = new ArrayList<>();
        Path setsid = Path.of("/usr/bin/setsid");
        if (Files.isExecutable(setsid)) {
            command.add(setsid.toString());
        }
        command.addAll(javaCommand());
        command.add("daemon");
        command.addAll(daemonArgs);
        command.add("--detached");
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectErrorStream(true);
        if (ownJar() == null) {
            builder.environment().put("CLASSPATH", System.getProperty("java.class.path"));
        }
        Process child = builder.start();
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (logSince(log, from).contains(READY_MARKER)) {
                return new Outcome(true, child.pid(), null, List.of());
            }
            if (child.waitFor(100, TimeUnit.MILLISECONDS)) {
                return new Outcome(false, child.pid(), child.exitValue(), tail(logSince(log, from), 15));
            }
        }
        return new Outcome(false, child.pid(), null, tail(logSince(log, from), 15));
    }

    /** The JVM and class path of this process, so the child runs the same build with the same flags. */
    static List<String> javaCommand() {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String argument : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!argument.startsWith("-agentlib") && !argument.startsWith("-javaagent")) {
                command.add(argument);
            }
        }
        Path jar = ownJar();
        if (jar != null) {
            command.add("-jar");
            command.add(jar.toString());
        } else {
            // The class path goes in CLASSPATH (launch), not on the command line: --stop recognises a
            // daemon by its command line, which the JDK reads back only up to about 4 KiB, and a long
            // class path pushed the persona arguments past that (see DaemonProcess#isOurs).
            command.add(Main.class.getName());
        }
        return command;
    }

    private static Path ownJar() {
        try {
            Path location = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return Files.isRegularFile(location) && location.toString().endsWith(".jar") ? location : null;
        } catch (URISyntaxException | RuntimeException e) {
            return null;
        }
    }

    private static String logSince(Path log, long from) throws IOException {
        if (!Files.exists(log)) {
            return "";
        }
        byte[] all = Files.readAllBytes(log);
        int start = all.length < from ? 0 : (int) from; // rotated meanwhile: read the new file whole
        return new String(all, start, all.length - start, StandardCharsets.UTF_8);
    }

    private static List<String> tail(String text, int lines) {
        List<String> all = text.lines().toList();
        return all.subList(Math.max(0, all.size() - lines), all.size());
    }
}
