package io.agentchat.bench;

import java.io.PrintWriter;

/** Prints memory growth per item between two samples of the relay (and of this JVM when they differ). */
final class MemoryReport {
    private MemoryReport() {
    }

    static void print(PrintWriter out, String what, Target relay, MemorySample before, MemorySample after,
                      long localBefore, long localAfter, int items) {
        double heap = MemorySample.perItem(before.heapBytes(), after.heapBytes(), items);
        double rss = MemorySample.perItem(before.rssBytes(), after.rssBytes(), items);
        String heapScope = relay.isEmbedded() ? "heap after GC, relay AND load generator (same JVM)" : "relay heap after GC (jcmd)";
        String rssScope = relay.isEmbedded() ? "RSS of the shared JVM" : "relay RSS";
        out.printf("%s: %s %s; %s %s%n", what, heapScope, kb(heap, before.heapBytes(), after.heapBytes()),
                rssScope, kb(rss, before.rssBytes(), after.rssBytes()));
        if (!relay.isEmbedded()) {
            out.printf("%s: load generator's own heap after GC %s%n", what,
                    kb(MemorySample.perItem(localBefore, localAfter, items), localBefore, localAfter));
        }
    }

    private static String kb(double perItem, long before, long after) {
        if (perItem < 0) {
            return "unknown";
        }
        return String.format("%.2f KB each (%.1f -> %.1f MiB)", perItem / 1024, before / 1048576.0, after / 1048576.0);
    }
}
