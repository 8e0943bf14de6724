package io.agentchat.server.metrics;

/**
 * Writes the Prometheus text exposition format (version 0.0.4): a HELP and TYPE line per metric,
 * then its samples. Label values here are fixed words of ours (frame types, error codes), never
 * anything a client sent.
 */
final class PrometheusText {
    private final StringBuilder out = new StringBuilder(8192);

    void header(String name, String help, String type) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    void sample(String name, long value) {
        out.append(name).append(' ').append(value).append('\n');
    }

    void sample(String name, double value) {
        out.append(name).append(' ').append(value).append('\n');
    }

    void sample(String name, String label, String labelValue, long value) {
        out.append(name).append('{').append(label).append("=\"").append(labelValue).append("\"} ").append(value)
                .append('\n');
    }

    /** A gauge or counter with a single sample. */
    void metric(String name, String help, String type, long value) {
        header(name, help, type);
        sample(name, value);
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
