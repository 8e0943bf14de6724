package io.agentchat.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code serve --proxy-protocol} and {@code PROXY_PROTOCOL=true}: off unless asked for. */
class ServeProxyProtocolTest {
    @Test
    void offByDefaultOnByTheFlagOrTheEnvironment() {
        assertFalse(CliRun.serveConfig(Map.of()).proxyProtocol());
        assertFalse(CliRun.serveConfig(Map.of("PROXY_PROTOCOL", "false")).proxyProtocol());
        assertTrue(CliRun.serveConfig(Map.of("PROXY_PROTOCOL", "true")).proxyProtocol());
        assertTrue(CliRun.serveConfig(Map.of(), "--proxy-protocol").proxyProtocol());
    }
}
