package io.agentchat.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentchat.server.AgentChatServer;
import io.agentchat.server.ServerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client loads TLS only when a {@code wss://} connection needs it (not at start-up): it must
 * still be loaded then, verify the server's certificate, and report a failed handshake.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CliTlsTest {

    @Test
    void wssLoadsTlsOnDemandAndVerifiesTheCertificate(@TempDir Path dir) throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                "-keyout", key.toString(), "-out", cert.toString(), "-days", "1", "-subj", "/CN=localhost")
                .redirectErrorStream(true).redirectOutput(dir.resolve("openssl.log").toFile()).start();
        assertEquals(0, openssl.waitFor(), "openssl must be installed to make the test certificate");
        try (AgentChatServer server = new AgentChatServer(ServerConfig.builder().host("127.0.0.1").port(0)
                .rateLimit(Duration.ZERO).dataDir(null).tls(cert, key).build()).start()) {
            String url = server.uri().toString();
            assertTrue(url.startsWith("wss://"), url);
            CliRun run = CliRun.run("send", url, "#general", "hi", "--timeout", "20");
            assertEquals(1, run.rc(), run.toString());
            assertEquals("", run.out());
            // Trusting nothing but the JDK's CAs, it refuses the self-signed certificate.
            assertTrue(run.err().startsWith("Error: TLS handshake with wss://127.0.0.1:"), run.err());
            assertTrue(run.err().contains(" failed: PKIX path building failed"), run.err());
        }
    }
}
