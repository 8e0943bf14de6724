package io.agentchat.server.core;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A number of bytes shared by many holders (every channel's recovery history, every held mailbox):
 * a holder takes before it keeps something and gives back when it lets it go, so together they
 * never hold more than the limit.
 */
final class ByteBudget {
    private final long limit;
    private final AtomicLong used = new AtomicLong();

    ByteBudget(long limit) {
        this.limit = limit;
    }

    /** Takes {@code bytes} if they fit; false, and nothing taken, if they do not. */
    boolean tryTake(long bytes) {
        while (true) {
            long now = used.get();
            if (now + bytes > limit) {
                return false;
            }
            if (used.compareAndSet(now, now + bytes)) {
                return true;
            }
        }
    }

    void giveBack(long bytes) {
        used.addAndGet(-bytes);
    }

    long used() {
        return used.get();
    }

    /**
     * What keeping {@code text} costs: two bytes a char (a Java string holds at most that) and a
     * fixed overhead for the objects around it, so the bound is on memory, not on wire bytes.
     */
    static long cost(String text) {
        return 2L * text.length() + 64;
    }
}
