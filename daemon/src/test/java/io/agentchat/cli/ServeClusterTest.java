package io.agentchat.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentchat.server.ServerConfig;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code serve --cluster} and {@code AGENTCHAT_CLUSTER}: alone without them, rc 2 at once when Redis is not there. */
class ServeClusterTest {

    private static ServerConfig config(Map<String, String> env, String... args) {
        return CliRun.serveConfig(env, args);
    }

    @Test
    void theFlagWinsOverTheEnvironmentAndNeitherMeansAlone() {
        assertNull(config(Map.of()).cluster());
        assertEquals(URI.create("redis://10.0.0.5:6379"),
                config(Map.of("AGENTCHAT_CLUSTER", "redis://10.0.0.5:6379")).cluster());
        assertEquals(URI.create("redis://127.0.0.1:7000"), config(Map.of("AGENTCHAT_CLUSTER", "redis://10.0.0.5:6379"),
                "--cluster", "redis://127.0.0.1:7000").cluster());
    }

    @Test
    void aClusterThatIsNotARedisUriIsABadValue() {
        CliRun run = CliRun.run("serve", "--port", "0", "--cluster", "http://127.0.0.1:6379");
        assertEquals(2, run.rc(), run.err());
        assertTrue(run.err().contains("--cluster"), run.err());
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void anUnreachableRedisFailsServeAtOnceWithOneLineAndRc2() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort(); // closed again: nothing listens there
        }
        CliRun run = CliRun.run(Map.of(), "serve", "--host", "127.0.0.1", "--port", "0", "--data-dir",
                System.getProperty("java.io.tmpdir") + "/agentchat-serve-cluster-test",
                "--cluster", "redis://127.0.0.1:" + port);
        assertEquals(2, run.rc(), run.err());
        assertTrue(run.err().startsWith("Error: cannot reach the cluster's Redis at redis://127.0.0.1:" + port), run.err());
        assertEquals(1, run.err().strip().lines().count(), run.err());
    }
}
