package io.agentchat.server;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A resume in cluster mode too large for one answer is refused without the relay fetching it: the
 * size is measured inside Redis. Before, one JOIN frame naming a seq ~1,000 back in a channel of big
 * messages made the relay pull ~25 MB out of Redis, over the command connection every post and
 * resume of the relay shares, only to answer recovered:false (found by a hostile review; this test
 * failed then with 9.9 MB for one JOIN).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClusterResumeSizeTest {
    private RedisProcess redis;
    private TestRelay relay;
    private WebSocketClient client;

    @BeforeEach
    void start() throws Exception {
        redis = RedisProcess.start();
        relay = TestRelay.start(TestRelay.defaults().name("relay-a").noRateLimits().cluster(redis.uri()).build());
        client = new WebSocketClient();
        client.start();
    }

    @AfterEach
    void stop() throws Exception {
        if (client != null) {
            client.stop();
        }
        if (relay != null) {
            relay.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void aRefusedResumeDoesNotPullTheWholeRangeOutOfRedis() throws Exception {
        TestAgent poster = TestAgent.ephemeral(client, relay.uri(), "poster");
        poster.send("{\"type\":\"JOIN\",\"channel\":\"#general\"}");
        poster.await("JOINED");
        // 4,096 control characters: each is written \u0001, so one frame is ~24.6 KB.
        String content = "\\u0001".repeat(4096);
        int count = 400;
        for (int i = 0; i < count; i++) {
            poster.send("{\"type\":\"MSG\",\"to\":\"#general\",\"content\":\"" + content + "\"}");
        }
        JsonNode last = null;
        for (int i = 0; i < count; i++) {
            last = poster.await("MSG", f -> "#general".equals(f.path("to").asText())
                    && !"@server".equals(f.path("from").asText()) && !f.path("replay").asBoolean());
        }
        long lastSeq = last.path("seq").asLong();
        String epoch = last.path("epoch").asText();

        long before = redisOutputBytes();
        TestAgent resumer = TestAgent.ephemeral(client, relay.uri(), "resumer");
        resumer.send("{\"type\":\"JOIN\",\"channel\":\"#general\",\"since\":" + (lastSeq - count + 1)
                + ",\"epoch\":\"" + epoch + "\"}");
        JsonNode joined = resumer.await("JOINED");
        long pulled = redisOutputBytes() - before;

        // ~9.8 MB of missed messages: more than a quarter of the 4 MiB outgoing bound, so refused...
        assertFalse(joined.path("recovered").asBoolean());
        // ...but only after Redis sent all of them to the relay (observed: ~9.9 MB for this one JOIN;
        // ~25 MB with --history-size 1000 and 4 KB messages, 5 GB for 200 JOINs, the 200th answered after 61 s).
        assertTrue(pulled < 2_000_000L, "bytes Redis sent the relay for one refused resume: " + pulled);
    }

    /** total_net_output_bytes from Redis's INFO, read over a plain socket. */
    private long redisOutputBytes() throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", redis.port()), 1000);
            socket.setSoTimeout(2000);
            OutputStream out = socket.getOutputStream();
            out.write("INFO stats\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String header = readLine(in); // $<len>
            int length = Integer.parseInt(header.substring(1));
            String body = new String(in.readNBytes(length), StandardCharsets.US_ASCII);
            for (String line : body.split("\r\n")) {
                if (line.startsWith("total_net_output_bytes:")) {
                    return Long.parseLong(line.substring("total_net_output_bytes:".length()).trim());
                }
            }
            throw new IllegalStateException("no total_net_output_bytes in INFO");
        }
    }

    private static String readLine(InputStream in) throws Exception {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != -1 && c != '\r') {
            line.append((char) c);
        }
        in.read(); // \n
        return line.toString();
    }
}
