package io.agentchat.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentchat.server.AgentChatServer;
import io.agentchat.server.ServerConfig;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/agentchat} and its class-data archive: a copy of the launcher and of the built jar in a
 * scratch tree (no sources there, so the launcher never builds). Whatever state the archive is in,
 * the command's output and exit code are those of the jar, and nothing about the archive is printed.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class LauncherIT {
    @TempDir
    Path root;
    private Path jar;
    private Path jsa;
    private AgentChatServer server;
    private String url;

    @BeforeEach
    void setUp() throws Exception {
        Path launcher = Path.of(System.getProperty("basedir", "."), "..", "bin", "agentchat").normalize();
        Path bin = Files.createDirectories(root.resolve("bin"));
        Files.copy(launcher, bin.resolve("agentchat"));
        assertTrue(bin.resolve("agentchat").toFile().setExecutable(true));
        jar = Files.createDirectories(root.resolve("daemon/target")).resolve("agentchat.jar");
        Files.copy(JarProcess.jar(), jar);
        jsa = root.resolve("daemon/target/agentchat.jsa");
        server = new AgentChatServer(ServerConfig.builder().host("127.0.0.1").port(0)
                .rateLimit(Duration.ZERO).dataDir(null).build()).start();
        url = server.uri().toString();
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    @Test
    void makesTheArchiveOnceAndUsesIt() throws Exception {
        assertFalse(Files.exists(jsa));
        assertEquals(new CliRun(0, "Message sent\n", ""), launch(List.of(), "send", url, "#general", "first"));
        assertTrue(Files.size(jsa) > 0, "archive made");
        assertTrue(Files.getLastModifiedTime(jsa).compareTo(Files.getLastModifiedTime(jar)) >= 0);
        FileTime made = Files.getLastModifiedTime(jsa);

        CliRun shared = launch(List.of("-Xlog:class+load=info:file=" + root.resolve("classes.log")),
                "send", url, "#general", "second");
        assertEquals(new CliRun(0, "Message sent\n", ""), shared);
        assertEquals(made, Files.getLastModifiedTime(jsa), "not remade while current");
        String classes = Files.readString(root.resolve("classes.log"));
        assertTrue(classes.contains("io.agentchat.client.Connection source: shared objects file"),
                "the client's classes come from the archive");
    }

    @Test
    void remakesAStaleArchive() throws Exception {
        Files.write(jsa, "an archive of an older jar".getBytes(StandardCharsets.UTF_8));
        Files.setLastModifiedTime(jsa, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() - 60_000));
        assertEquals(new CliRun(0, "Message sent\n", ""), launch(List.of(), "send", url, "#general", "hi"));
        assertTrue(Files.getLastModifiedTime(jsa).compareTo(Files.getLastModifiedTime(jar)) >= 0, "remade");
        assertTrue(Files.size(jsa) > 1_000_000, "a real archive replaced the old one");
    }

    @Test
    void anArchiveTheJvmRejectsIsSkippedSilently() throws Exception {
        // Newer than the jar, so the launcher trusts it; the JVM must reject it and start without it.
        Files.write(jsa, "not a CDS archive".getBytes(StandardCharsets.UTF_8));
        assertEquals(new CliRun(0, "Message sent\n", ""), launch(List.of(), "send", url, "#general", "hi"));
        assertEquals(new CliRun(1, "", "Error: Channel #nosuch not found\n"),
                launch(List.of(), "send", url, "#nosuch", "hi"));
    }

    @Test
    void runsWithoutAnArchiveWhenCdsIsOff() throws Exception {
        CliRun run = launchWith("0", List.of(), "send", url, "#general", "hi");
        assertEquals(new CliRun(0, "Message sent\n", ""), run);
        assertFalse(Files.exists(jsa));
    }

    private CliRun launch(List<String> javaOpts, String... args) throws Exception {
        return launchWith(null, javaOpts, args);
    }

    private CliRun launchWith(String cds, List<String> javaOpts, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", root.resolve("bin/agentchat").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(root.toFile());
        builder.environment().keySet().removeIf(k -> k.equals("PORT") || k.equals("HOST") || k.startsWith("AGENTCHAT"));
        builder.environment().put("PATH", Path.of(System.getProperty("java.home"), "bin") + File.pathSeparator
                + System.getenv("PATH"));
        if (!javaOpts.isEmpty()) {
            builder.environment().put("AGENTCHAT_JAVA_OPTS", String.join(" ", javaOpts));
        }
        if (cds != null) {
            builder.environment().put("AGENTCHAT_CDS", cds);
        }
        Path out = root.resolve("stdout.txt");
        Path err = root.resolve("stderr.txt");
        Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("launcher still running: " + Files.readString(err));
        }
        return new CliRun(process.exitValue(), Files.readString(out), Files.readString(err));
    }
}
