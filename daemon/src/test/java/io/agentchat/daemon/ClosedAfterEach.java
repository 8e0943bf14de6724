package io.agentchat.daemon;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What a test opened (relays, daemons, clients, child processes), closed after it in reverse order,
 * pass or fail: {@code @RegisterExtension final ClosedAfterEach closed = new ClosedAfterEach();}, then
 * {@code closed.track(resource)}.
 */
final class ClosedAfterEach implements AfterEachCallback {
    private final List<AutoCloseable> resources = new ArrayList<>();

    <T extends AutoCloseable> T track(T resource) {
        resources.add(resource);
        return resource;
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
        resources.clear();
    }
}
