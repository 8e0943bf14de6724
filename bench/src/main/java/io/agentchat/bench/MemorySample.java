package io.agentchat.bench;

/**
 * Memory of a process at one moment. {@code heapBytes} is Java heap in use after a full GC (only
 * for JVMs, -1 otherwise); {@code rssBytes} is resident set size from /proc (-1 if unknown).
 */
record MemorySample(long heapBytes, long rssBytes) {
    static final MemorySample UNKNOWN = new MemorySample(-1, -1);

    /** Bytes per item between two samples, or -1 when either side is unknown. */
    static double perItem(long before, long after, int items) {
        return before < 0 || after < 0 || items <= 0 ? -1 : (double) (after - before) / items;
    }
}
