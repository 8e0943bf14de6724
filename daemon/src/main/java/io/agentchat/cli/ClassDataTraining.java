package io.agentchat.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine;

/**
 * The training run for the launcher's AppCDS archive: {@code bin/agentchat} runs it once per build
 * with {@code -XX:DumpLoadedClassList} and archives the classes it loaded. It runs the one-shot
 * client commands through the same picocli path as {@link Main}, against a relay in a child JVM
 * (so the archive holds the client's classes only, which keeps it, and the clients' RSS, small).
 * Output is discarded; the exit code is 0 only if every command exited as expected.
 */
public final class ClassDataTraining {
    private static final String BANNER = "AgentChat server running on ";

    private ClassDataTraining() {
    }

    public static void main(String[] args) throws Exception {
        int failures = 0;
        Path dataDir = Files.createTempDirectory("agentchat-cds-training");
        Process server = startServer(dataDir);
        try {
            String url = awaitUrl(server);
            failures += expect(0, "send", url, "#general", "class-data training", "-n", "cds-training");
            failures += expect(1, "send", url, "@nobody", "refused: no such agent");
            failures += expect(0, "channels", url);
            failures += expect(0, "agents", url, "#general");
            failures += expect(1, "send", url, "#no-such-channel", "refused");
            failures += expect(1, "send", "ws://127.0.0.1:" + closedPort(), "#general", "refused");
            failures += expect(0, "--version");
            failures += expect(0, "send", "--help");
            failures += expect(1, "send", "--no-such-option");
        } finally {
            server.destroy();
            if (!server.waitFor(10, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
            deleteTree(dataDir);
        }
        System.exit(failures == 0 ? 0 : 1);
    }

    private static Process startServer(Path dataDir) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "serve", "--port", "0", "--host", "127.0.0.1", "--rate-limit-ms", "0",
                "--data-dir", dataDir.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
    }

    private static String awaitUrl(Process server) throws IOException {
        BufferedReader lines = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        for (String line; (line = lines.readLine()) != null; ) {
            if (line.startsWith(BANNER)) {
                return line.substring(BANNER.length()).trim();
            }
        }
        throw new IOException("the training server exited without its banner");
    }

    private static int expect(int rc, String... args) {
        CommandLine commandLine = AgentchatCommand.commandLine(new AgentchatCommand());
        commandLine.setOut(new PrintWriter(Writer.nullWriter()));
        commandLine.setErr(new PrintWriter(Writer.nullWriter()));
        int actual = commandLine.execute(args);
        if (actual != rc) {
            System.err.println("training: " + String.join(" ", args) + " exited " + actual + ", expected " + rc);
            return 1;
        }
        return 0;
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
