package io.agentchat.cli;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGINT and SIGTERM handling for long-running commands ({@code serve}, {@code listen}, {@code connect}):
 * the signal runs a callback that lets the command return normally (rc 0) instead of the JVM's
 * 130/143. Closing restores the previous handlers. Used only by CLI entry points.
 */
final class TerminationSignals implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TerminationSignals.class);

    private final List<Signal> signals = new ArrayList<>();
    private final List<SignalHandler> previous = new ArrayList<>();

    private TerminationSignals() {
    }

    static TerminationSignals install(Runnable onSignal) {
        TerminationSignals installed = new TerminationSignals();
        for (String name : new String[] {"INT", "TERM"}) {
            try {
                Signal signal = new Signal(name);
                installed.previous.add(Signal.handle(signal, s -> onSignal.run()));
                installed.signals.add(signal);
            } catch (IllegalArgumentException e) {
                LOG.debug("cannot handle SIG{}: {}", name, e.getMessage());
            }
        }
        return installed;
    }

    @Override
    public void close() {
        for (int i = 0; i < signals.size(); i++) {
            try {
                Signal.handle(signals.get(i), previous.get(i));
            } catch (IllegalArgumentException e) {
                LOG.debug("cannot restore {}", signals.get(i));
            }
        }
    }
}
