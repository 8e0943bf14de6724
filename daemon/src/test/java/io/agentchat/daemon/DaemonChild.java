package io.agentchat.daemon;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code agentchat <args>} as a real child JVM on the test class path
 * ({@code java io.agentchat.cli.Main ...} with {@code CLASSPATH=<ChildClassPath>}), output appended to a file.
 */
final class DaemonChild implements AutoCloseable {

    private final Process process;
    private final Path output;

    private DaemonChild(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    static DaemonChild start(Path workDir, Path output, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "io.agentchat.cli.Main"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()))
                .redirectErrorStream(true);
        builder.environment().keySet().removeIf(k -> k.startsWith("AGENTCHAT"));
        builder.environment().put("CLASSPATH", classPath());
        return new DaemonChild(builder.start(), output);
    }

    static String classPath() {
        return ChildClassPath.get();
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Waits for exit and returns the exit code, or fails with the output. */
    int awaitExit(long seconds) throws InterruptedException, IOException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            throw new AssertionError("still running after " + seconds + " s: " + output());
        }
        return process.exitValue();
    }

    String output() throws IOException {
        return Files.exists(output) ? Files.readString(output) : "";
    }

    void sigterm() {
        process.destroy();
    }

    void sigkill() {
        process.destroyForcibly();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
