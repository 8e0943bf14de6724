package io.agentchat.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code ServerConfig.proxyProtocol}: behind a front proxy every client arrives from the proxy's
 * address, so the per-address limits would count all of them as one. With the PROXY protocol the
 * relay takes the address the proxy names. The proxies here are real TCP forwarders that write a
 * PROXY v1 line naming a client address, then copy bytes both ways, as haproxy's send-proxy does.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProxyProtocolTest extends ServerHarness {
    @Test
    void eachClientBehindTheProxyIsCountedUnderItsOwnAddress() throws Exception {
        start(config().maxConnectionsPerIp(1).proxyProtocol(true).build());
        try (Forwarder first = new Forwarder(uri.getPort(), "203.0.113.1");
             Forwarder second = new Forwarder(uri.getPort(), "203.0.113.2");
             TestAgent a = TestAgent.ephemeral(client, first.uri(), "a");
             TestAgent b = TestAgent.ephemeral(client, second.uri(), "b");
             TestAgent again = TestAgent.connect(client, first.uri())) {
            // a and b are welcomed though both came through 127.0.0.1 with a limit of one per address;
            // a second client of 203.0.113.1 is over it
            assertTrue(again.awaitClose());
            assertEquals(1013, again.closeCode());
            assertTrue(a.isOpen() && b.isOpen());
        }
    }

    @Test
    void withoutItTheProxysClientsShareOneAddress() throws Exception {
        start(config().maxConnectionsPerIp(1).build());
        try (Forwarder plain = new Forwarder(uri.getPort(), null);
             TestAgent a = TestAgent.ephemeral(client, plain.uri(), "a");
             TestAgent b = TestAgent.connect(client, plain.uri())) {
            assertTrue(b.awaitClose());
            assertEquals(1013, b.closeCode());
            assertTrue(a.isOpen());
        }
    }

    /** Accepts on a loopback port; each connection goes to the relay, after a PROXY line if an address is given. */
    private static final class Forwarder implements AutoCloseable {
        private final ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final List<Socket> sockets = new ArrayList<>();
        private final Thread acceptor;

        Forwarder(int relayPort, String clientAddress) throws IOException {
            acceptor = new Thread(() -> {
                try {
                    while (true) {
                        Socket in = listener.accept();
                        Socket out = new Socket(InetAddress.getLoopbackAddress(), relayPort);
                        synchronized (sockets) {
                            sockets.add(in);
                            sockets.add(out);
                        }
                        if (clientAddress != null) {
                            out.getOutputStream().write(("PROXY TCP4 " + clientAddress + " 127.0.0.1 "
                                    + in.getPort() + " " + relayPort + "\r\n").getBytes(StandardCharsets.US_ASCII));
                        }
                        pipe(in.getInputStream(), out.getOutputStream(), out);
                        pipe(out.getInputStream(), in.getOutputStream(), in);
                    }
                } catch (IOException closed) {
                    // the listener was closed by close()
                }
            }, "test-forwarder");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        URI uri() {
            return URI.create("ws://127.0.0.1:" + listener.getLocalPort());
        }

        private static void pipe(InputStream from, OutputStream to, Socket toSocket) {
            Thread copier = new Thread(() -> {
                try {
                    from.transferTo(to);
                    toSocket.shutdownOutput();
                } catch (IOException closed) {
                    // either side went away
                }
            }, "test-forwarder-pipe");
            copier.setDaemon(true);
            copier.start();
        }

        @Override
        public void close() throws Exception {
            listener.close();
            synchronized (sockets) {
                for (Socket socket : sockets) {
                    socket.close();
                }
            }
            acceptor.join(5000);
        }
    }
}
