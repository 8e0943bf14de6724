package io.agentchat.daemon;

import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A wake-up flag one consumer thread waits on: {@link #signal()} from any thread (the directory
 * watcher, close) ends the current {@link #await} early; a signal that arrives while the consumer is
 * busy is remembered, so it is never lost.
 */
final class Wakeup {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition condition = lock.newCondition();
    private boolean signalled;
    private boolean closed;

    void signal() {
        lock.lock();
        try {
            signalled = true;
            condition.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Makes every current and future wait return at once. */
    void close() {
        lock.lock();
        try {
            closed = true;
            condition.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until signalled, closed or {@code timeout} passes; consumes the signal. */
    void await(Duration timeout) throws InterruptedException {
        lock.lock();
        try {
            long nanos = timeout.toNanos();
            while (!signalled && !closed && nanos > 0) {
                nanos = condition.awaitNanos(nanos);
            }
            signalled = false;
        } finally {
            lock.unlock();
        }
    }

    /** Waits the whole {@code duration} unless closed: signals do not cut pacing or retry delays short. */
    void sleep(Duration duration) throws InterruptedException {
        long deadline = System.nanoTime() + duration.toNanos();
        lock.lock();
        try {
            long nanos;
            while (!closed && (nanos = deadline - System.nanoTime()) > 0) {
                condition.awaitNanos(nanos);
            }
        } finally {
            lock.unlock();
        }
    }
}
