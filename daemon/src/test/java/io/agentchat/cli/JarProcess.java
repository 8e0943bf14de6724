package io.agentchat.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** The real {@code agentchat.jar} in a child JVM, with its output collected as it arrives. */
final class JarProcess implements AutoCloseable {
    private final Process process;
    private final StringBuffer out = new StringBuffer();
    private final StringBuffer err = new StringBuffer();
    private final CountDownLatch pumps = new CountDownLatch(2);

    private JarProcess(Process process) {
        this.process = process;
        pump(process.getInputStream(), out, "stdout");
        pump(process.getErrorStream(), err, "stderr");
    }

    static Path jar() {
        Path jar = Path.of(System.getProperty("basedir", "."), "target", "agentchat.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar.toAbsolutePath() + " is missing: run the integration tests with "
                    + "'mvn verify', after the package phase");
        }
        return jar.toAbsolutePath();
    }

    static JarProcess start(Path workingDir, String... args) throws IOException {
        return start(workingDir, List.of(), args);
    }

    /**
     * Like {@link #start}, with SIGINT back at its default in the child. A process inherits ignored
     * signals, and a build started in the background by a non-interactive shell (or under some CI
     * runners) ignores SIGINT; the JVM then rightly leaves it ignored, as {@code nohup} expects. A
     * test of what Ctrl+C does needs the disposition a terminal gives, so python resets it and execs
     * the JVM (same pid).
     */
    static JarProcess startWithDefaultSigint(Path workingDir, String... args) throws IOException {
        return start(workingDir, List.of("python3", "-c", "import os, signal, sys; "
                + "signal.signal(signal.SIGINT, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])"), args);
    }

    private static JarProcess start(Path workingDir, List<String> prefix, String... args) throws IOException {
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", jar().toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(workingDir.toFile());
        builder.environment().keySet().removeIf(k -> k.equals("PORT") || k.equals("HOST") || k.startsWith("AGENTCHAT"));
        return new JarProcess(builder.start());
    }

    /** Runs to completion (at most 60 s) and returns the exit code. */
    static CliRun run(Path workingDir, String... args) throws Exception {
        try (JarProcess p = start(workingDir, args)) {
            int rc = p.awaitExit(Duration.ofSeconds(60));
            return new CliRun(rc, p.out(), p.err());
        }
    }

    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("still running after " + timeout + "; stdout=" + out + " stderr=" + err);
        }
        // The pumps finish once the pipes close, shortly after exit.
        pumps.await(5, TimeUnit.SECONDS);
        return process.exitValue();
    }

    long pid() {
        return process.pid();
    }

    /** SIGTERM. */
    void terminate() {
        process.destroy();
    }

    String out() {
        return out.toString();
    }

    String err() {
        return err.toString();
    }

    private void pump(InputStream stream, StringBuffer sink, String name) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[8192];
            try (InputStream in = stream) {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    sink.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                sink.append("[").append(name).append(" read failed: ").append(e).append(']');
            } finally {
                pumps.countDown();
            }
        }, "jar-" + name + "-pump");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
