package io.agentchat.server.transport;

import io.agentchat.json.IsoTime;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentchat.server.cluster.ClusterStatus;
import io.agentchat.server.core.Hub;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** {@code GET /health} with the original's JSON (docs/protocol.md §1.5); everything else is 404. */
public final class HealthHandler extends Handler.Abstract {
    private final Hub hub;
    private final String serverName;
    private final String version;
    private final Clock clock;
    private final Instant startedAt;
    private final Supplier<JsonNode> proposals;

    public HealthHandler(Hub hub, String serverName, String version, Clock clock, Supplier<JsonNode> proposals) {
        this.hub = hub;
        this.serverName = serverName;
        this.version = version;
        this.clock = clock;
        this.startedAt = clock.instant();
        this.proposals = proposals;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        boolean health = HttpMethod.GET.is(request.getMethod())
                && "/health".equals(request.getHttpURI().getPath())
                && request.getHttpURI().getQuery() == null;
        if (!health) {
            response.setStatus(HttpStatus.NOT_FOUND_404);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
            response.write(true, StandardCharsets.UTF_8.encode("Not Found"), callback);
            return true;
        }
        response.setStatus(HttpStatus.OK_200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.write(true, StandardCharsets.UTF_8.encode(body().toString()), callback);
        return true;
    }

    private ObjectNode body() {
        Hub.HubStats stats = hub.stats();
        Instant now = clock.instant();
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("status", "healthy");
        body.put("server", serverName);
        body.put("version", version);
        body.put("uptime_seconds", (now.toEpochMilli() - startedAt.toEpochMilli()) / 1000);
        body.put("started_at", IsoTime.format(startedAt.toEpochMilli()));
        ObjectNode agents = body.putObject("agents");
        agents.put("connected", stats.connected());
        agents.put("with_identity", stats.withIdentity());
        ObjectNode channels = body.putObject("channels");
        channels.put("total", stats.channels());
        channels.put("public", stats.publicChannels());
        body.set("proposals", proposals.get());
        ClusterStatus cluster = hub.clusterStatus();
        if (cluster != null) { // ours, in cluster mode only (docs/cluster.md)
            ObjectNode node = body.putObject("cluster");
            node.put("relay", cluster.relayId());
            node.put("relays_seen", cluster.relaysSeen());
            node.put("redis", cluster.redisReachable() ? "reachable" : "unreachable");
        }
        body.put("timestamp", IsoTime.format(now.toEpochMilli()));
        return body;
    }
}
