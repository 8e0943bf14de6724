package io.agentchat.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The control socket on a real Unix domain socket: its file, its line protocol, its refusals. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ControlSocketTest {

    @TempDir
    Path dir;

    /** Answers {@code echo} with its arguments and refuses everything else, as an operation would. */
    private static final PersonaRequests ECHO = (operation, arguments) -> {
        if (!"echo".equals(operation)) {
            throw new RequestRefused("unknown operation \"" + operation + "\"");
        }
        return arguments;
    };

    @Test
    void theSocketIsOnlyForItsOwnerAndGoesAwayOnClose() throws Exception {
        Path path = dir.resolve("control.sock");
        Files.writeString(path, "left by a holder that died");
        ControlSocket socket = ControlSocket.open(path, ECHO, "p");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(path)));
        socket.close();
        assertFalse(Files.exists(path));
        socket.close();
    }

    @Test
    void aBadLineIsRefusedAndTheSameConnectionServesTheNextRequest() throws Exception {
        Path path = dir.resolve("control.sock");
        try (ControlSocket socket = ControlSocket.open(path, ECHO, "p");
             SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(path));
            BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
            write(channel, "not json");
            assertEquals("{\"ok\":false,\"error\":\"a request is {\\\"op\\\": \\\"...\\\", \\\"args\\\": {...}} on one line\"}",
                    in.readLine());
            write(channel, "{\"op\":\"nope\"}");
            assertEquals("{\"ok\":false,\"error\":\"unknown operation \\\"nope\\\"\"}", in.readLine());
            write(channel, "{\"op\":\"echo\",\"args\":{\"a\":1}}");
            assertEquals("{\"ok\":true,\"result\":{\"a\":1}}", in.readLine());
        }
    }

    @Test
    void theClientReturnsResultsAndTurnsRefusalsAndAbsenceIntoRequestRefused() throws Exception {
        Path path = dir.resolve("control.sock");
        ControlClient client = new ControlClient(path, "p");
        ObjectNode args = JsonNodeFactory.instance.objectNode().put("to", "#general");
        try (ControlSocket socket = ControlSocket.open(path, ECHO, "p")) {
            assertEquals(args, client.call("echo", args));
            RequestRefused refused = assertThrows(RequestRefused.class, () -> client.call("send", args));
            assertEquals("unknown operation \"send\"", refused.getMessage());
        }
        RequestRefused gone = assertThrows(ControlClient.Unreachable.class, () -> client.call("echo", args));
        assertTrue(gone.getMessage().startsWith("the daemon holding persona 'p' is not reachable at " + path), gone.getMessage());
    }

    /**
     * The file mode is set only after bind (a window as wide as the umask allows) and a persona
     * directory may be group- or world-searchable, so the holder asks the kernel who connected. Run
     * as root, the test connects as {@code nobody} through a socket made world-writable, from a real
     * second process; elsewhere it cannot switch users and is skipped.
     */
    @Test
    void anotherUsersConnectionIsClosedUnservedEvenThroughAnOpenFileMode() throws Exception {
        Path setpriv = Path.of("/usr/bin/setpriv");
        Path python = Path.of("/usr/bin/python3");
        assumeTrue("root".equals(System.getProperty("user.name")) && Files.isExecutable(setpriv)
                && Files.isExecutable(python), "needs root, setpriv and /usr/bin/python3 to connect as another user");
        Path path = dir.resolve("control.sock");
        try (ControlSocket socket = ControlSocket.open(path, ECHO, "p")) {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxrwxrwx"));
            String client = """
                    import socket, sys
                    s = socket.socket(socket.AF_UNIX)
                    s.connect(sys.argv[1])
                    got = b''
                    try:
                        # The holder may close the connection before the request is even written.
                        s.sendall(b'{"op":"echo","args":{"a":1}}\\n')
                        while not got.endswith(b'\\n'):
                            chunk = s.recv(4096)
                            if not chunk:
                                break
                            got += chunk
                    except OSError:
                        pass
                    print('answer:' + got.decode())
                    """;
            Process other = new ProcessBuilder(setpriv.toString(), "--reuid=65534", "--regid=65534", "--clear-groups",
                    python.toString(), "-c", client, path.toString()).redirectErrorStream(true).start();
            String output = new String(other.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            assertTrue(other.waitFor(10, TimeUnit.SECONDS));
            assertEquals("answer:", output);
            // The owner is still served.
            ObjectNode args = JsonNodeFactory.instance.objectNode().put("a", 1);
            assertEquals(args, new ControlClient(path, "p").call("echo", args));
        }
    }

    /**
     * Clients that connect and never send, or send and never read, must not hold the holder's slots
     * for ever: {@code agentchat mcp} opens one connection per request and would be refused
     * ("too many control clients") for as long as they stay.
     */
    @Test
    void clientsThatStallAreClosedSoTheSlotsServeOthers() throws Exception {
        Path path = dir.resolve("control.sock");
        Duration idleLimit = Duration.ofMillis(300);
        List<SocketChannel> stalled = new ArrayList<>();
        try (ControlSocket socket = ControlSocket.open(path, ECHO, "p", idleLimit)) {
            SocketChannel neverReads = SocketChannel.open(UnixDomainSocketAddress.of(path));
            stalled.add(neverReads);
            neverReads.configureBlocking(false);
            String big = "x".repeat(4000);
            ByteBuffer request = ByteBuffer.wrap(("{\"op\":\"echo\",\"args\":{\"a\":\"" + big + "\"}}\n")
                    .getBytes(StandardCharsets.UTF_8));
            // Requests until the answers fill both socket buffers, the holder blocks writing and so
            // stops reading: our writes then take nothing for a while.
            long fillUntil = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            long stuckSince = 0;
            while (System.nanoTime() < fillUntil) {
                if (!request.hasRemaining()) {
                    request.rewind();
                }
                if (neverReads.write(request) > 0) {
                    stuckSince = 0;
                } else if (stuckSince == 0) {
                    stuckSince = System.nanoTime();
                } else if (System.nanoTime() - stuckSince > Duration.ofMillis(200).toNanos()) {
                    break;
                }
            }
            for (int i = 1; i < ControlSocket.MAX_CLIENTS; i++) {
                stalled.add(SocketChannel.open(UnixDomainSocketAddress.of(path))); // never sends
            }
            ObjectNode args = JsonNodeFactory.instance.objectNode().put("a", 1);
            ControlClient client = new ControlClient(path, "p");
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            ObjectNode answer = null;
            while (answer == null) {
                try {
                    answer = client.call("echo", args);
                } catch (RequestRefused e) {
                    // "too many control clients", or a broken pipe when that refusal closes first
                    assertTrue(System.nanoTime() < deadline, "stalled clients still hold every slot: " + e.getMessage());
                    Thread.onSpinWait();
                }
            }
            assertEquals(args, answer);
        } finally {
            for (SocketChannel channel : stalled) {
                channel.close();
            }
        }
    }

    /**
     * A holder that dies after reading a request may have carried it out (a message sent): the
     * client must not call that "unreachable", which makes {@code agentchat mcp} take the persona
     * over and perform the request again.
     */
    @Test
    void aHolderThatEndsAfterTheRequestIsNotUnreachableSoTheRequestIsNotRepeated() throws Exception {
        Path path = dir.resolve("control.sock");
        try (ServerSocketChannel dying = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dying.bind(UnixDomainSocketAddress.of(path));
            Thread holder = new Thread(() -> {
                try (SocketChannel client = dying.accept()) {
                    new BufferedReader(new InputStreamReader(Channels.newInputStream(client), StandardCharsets.UTF_8))
                            .readLine();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            holder.start();
            ObjectNode args = JsonNodeFactory.instance.objectNode().put("to", "#general").put("content", "once");
            RequestRefused refused = assertThrows(RequestRefused.class, () -> new ControlClient(path, "p").call("send", args));
            holder.join(10_000);
            assertFalse(refused instanceof ControlClient.Unreachable, refused.getMessage());
            assertTrue(refused.getMessage().contains("may or may not have been carried out"), refused.getMessage());
        }
    }

    /**
     * A holder that accepts the connection, reads the request and then never answers (stuck, or not a
     * holder at all) must not hang {@code agentchat mcp}'s tool call: the client gives up after its
     * bound, saying so, and not as "unreachable" (the request may have been carried out).
     */
    @Test
    void aHolderThatNeverAnswersIsGivenUpOnAfterTheBound() throws Exception {
        Path path = dir.resolve("control.sock");
        Duration bound = Duration.ofMillis(500);
        try (ServerSocketChannel silent = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            silent.bind(UnixDomainSocketAddress.of(path));
            CompletableFuture<SocketChannel> accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    SocketChannel client = silent.accept();
                    new BufferedReader(new InputStreamReader(Channels.newInputStream(client), StandardCharsets.UTF_8))
                            .readLine();
                    return client; // held open, never answered
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            ObjectNode args = JsonNodeFactory.instance.objectNode().put("to", "#general").put("content", "once");
            ControlClient client = new ControlClient(path, "p", bound);
            long start = System.nanoTime();
            RequestRefused refused = assertTimeoutPreemptively(Duration.ofSeconds(5),
                    () -> assertThrows(RequestRefused.class, () -> client.call("send", args)));
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertFalse(refused instanceof ControlClient.Unreachable, refused.getMessage());
            assertEquals("the daemon holding persona 'p' did not answer within 500 ms (it may be stuck); "
                    + "the request may or may not have been carried out", refused.getMessage());
            assertTrue(took.compareTo(bound) >= 0, "gave up after " + took);
            accepted.get(5, TimeUnit.SECONDS).close();
        }
    }

    private static void write(SocketChannel channel, String line) throws Exception {
        ByteBuffer bytes = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
    }
}
