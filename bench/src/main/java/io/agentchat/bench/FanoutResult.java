package io.agentchat.bench;

import java.io.PrintWriter;
import org.HdrHistogram.Histogram;

/**
 * The figures of one fan-out run against one target. CPU figures cover the measured part only
 * (warm-up end to the end of the drain), divided by the deliveries in that part; -1 where unknown.
 */
record FanoutResult(String target, long offeredPerSecond, double deliveredPerSecond, long measured,
                    double measuredSeconds, Histogram latency, long delivered, long lost, long duplicates,
                    long reordered, long malformed, int disconnectedSubscribers, String closes,
                    double subscriberMicrosPerDelivery, double publisherCpuShare,
                    double relayMicrosPerFrame, double relayCpuShare, String loadAverage) {

    void print(PrintWriter out) {
        out.printf("offered deliveries/s:  %,d%n", offeredPerSecond);
        out.printf("delivered/s:           %,.0f (%,d measured deliveries in %.2f s, first measured send to last delivery)%n",
                deliveredPerSecond, measured, measuredSeconds);
        out.printf("latency ms: p50 %s  p99 %s  p99.9 %s  max %s  (n=%,d)%n", ms(0.50), ms(0.99), ms(0.999),
                fmt(latency.getMaxValue()), latency.getTotalCount());
        out.printf("delivered %,d in all (warm-up included); lost %,d  duplicated %,d  reordered %,d  malformed %,d%n",
                delivered, lost, duplicates, reordered, malformed);
        if (lost > 0) {
            out.println("  (lost = not delivered by the end of the drain; a relay far behind may still deliver them later)");
        }
        out.printf("disconnected subscribers: %d %s%n", disconnectedSubscribers, closes);
        out.printf("load generator: subscribers %s us CPU per delivery; publishers %s of one core%n",
                micros(subscriberMicrosPerDelivery), percent(publisherCpuShare));
        out.printf("relay: %s us CPU per frame it sent (subscribers' and publishers' copies); %s of one core%n",
                micros(relayMicrosPerFrame), percent(relayCpuShare));
    }

    String tableRow() {
        return String.format("| %s | %,d | %,.0f | %s | %s | %s | %s | %d | %d | %d | %s | %s | %s |", target,
                offeredPerSecond, deliveredPerSecond, ms(0.50), ms(0.99), ms(0.999), fmt(latency.getMaxValue()),
                lost, duplicates, disconnectedSubscribers, micros(subscriberMicrosPerDelivery),
                micros(relayMicrosPerFrame), loadAverage);
    }

    static String tableHeader() {
        return "| target | offered/s | delivered/s | p50 ms | p99 ms | p99.9 ms | max ms | lost | dup | disconnected"
                + " | client us/delivery | relay us/frame | load avg |\n"
                + "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |";
    }

    /** This run against {@code other}, as ratios: delivered/s, p50, p99, relay CPU per frame. */
    String ratioTo(FanoutResult other) {
        return String.format("%s / %s: delivered/s %s, p50 %s, p99 %s, p99.9 %s, relay CPU per frame %s", target,
                other.target, ratio(deliveredPerSecond, other.deliveredPerSecond),
                ratio(quantile(0.50), other.quantile(0.50)), ratio(quantile(0.99), other.quantile(0.99)),
                ratio(quantile(0.999), other.quantile(0.999)), ratio(relayMicrosPerFrame, other.relayMicrosPerFrame));
    }

    boolean complete() {
        return lost == 0 && duplicates == 0 && malformed == 0;
    }

    private double quantile(double q) {
        return latency.getValueAtPercentile(q * 100);
    }

    private static String ratio(double a, double b) {
        return a < 0 || b <= 0 ? "n/a" : String.format("%.2f", a / b);
    }

    private String ms(double q) {
        return fmt(latency.getValueAtPercentile(q * 100));
    }

    static String fmt(long nanos) {
        double ms = nanos / 1e6;
        return ms < 10 ? String.format("%.2f", ms) : ms < 1000 ? String.format("%.0f", ms) : String.format("%,.0f", ms);
    }

    private static String micros(double value) {
        return value < 0 ? "unknown" : String.format("%.2f", value);
    }

    private static String percent(double share) {
        return share < 0 ? "unknown" : String.format("%.0f%%", 100 * share);
    }
}
