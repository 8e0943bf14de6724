package io.agentchat.client;

import javax.net.ssl.SSLEngine;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * Jetty's default client TLS settings (JDK trust store, host name verification), but the TLS
 * machinery (key stores, {@code SSLContext}: ~150 ms and many classes) is loaded when the first
 * {@code wss://} connection asks for an engine, not when the client starts. A {@code ws://}-only
 * process, such as a one-shot CLI command, never pays for it.
 */
final class LazyTlsContextFactory extends SslContextFactory.Client {
    private final Object loadLock = new Object();
    private volatile boolean loaded;

    LazyTlsContextFactory() {
        super(false);
        setEndpointIdentificationAlgorithm("HTTPS");
    }

    /** Deferred to the first engine: see {@link #ensureLoaded()}. */
    @Override
    protected void doStart() {
    }

    @Override
    protected void doStop() throws Exception {
        synchronized (loadLock) {
            loaded = false;
            super.doStop();
        }
    }

    @Override
    public SSLEngine newSSLEngine() {
        ensureLoaded();
        return super.newSSLEngine();
    }

    @Override
    public SSLEngine newSSLEngine(String host, int port) {
        ensureLoaded();
        return super.newSSLEngine(host, port);
    }

    private void ensureLoaded() {
        if (loaded) {
            return;
        }
        synchronized (loadLock) {
            if (!loaded) {
                try {
                    super.doStart();
                } catch (Exception e) {
                    throw new IllegalStateException("Cannot initialise TLS: " + e.getMessage(), e);
                }
                loaded = true;
            }
        }
    }
}
