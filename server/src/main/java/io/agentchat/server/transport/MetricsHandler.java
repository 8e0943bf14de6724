package io.agentchat.server.transport;

import io.agentchat.server.core.Hub;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** {@code GET /metrics} in the Prometheus text format (README, "Metrics"); anything else goes on. */
public final class MetricsHandler extends Handler.Wrapper {
    private final Hub hub;

    public MetricsHandler(Hub hub, Handler next) {
        super(next);
        this.hub = hub;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        if (!HttpMethod.GET.is(request.getMethod()) || !"/metrics".equals(request.getHttpURI().getPath())) {
            return super.handle(request, response, callback);
        }
        response.setStatus(HttpStatus.OK_200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
        response.write(true, StandardCharsets.UTF_8.encode(hub.metrics().render(hub.gauges())), callback);
        return true;
    }
}
