package io.agentchat.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Arrays;

/**
 * What one read(2) costs on this machine: a subscriber's CPU per delivery cannot go below it
 * while each delivery arrives on its own (a subscriber of the fan-out gets one frame every few ms).
 * Measured with a loopback pair and frames of a benchmark message's size, a fraction of a second.
 */
final class ReadCost {
    private static final int FRAME_BYTES = 150;
    private static final int WARM_UP = 20_000;
    private static final int MEASURED = 50_000;

    private ReadCost() {
    }

    /**
     * The median time of a non-blocking read of one frame that is already waiting, in microseconds
     * (the writes are not counted). The read never blocks, so its time is CPU time; the median
     * keeps a neighbour's preemption out of it.
     */
    static double microsPerRead() throws IOException {
        try (ServerSocketChannel listener = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
             SocketChannel writer = SocketChannel.open(listener.getLocalAddress());
             SocketChannel reader = listener.accept()) {
            reader.configureBlocking(false);
            ByteBuffer frame = ByteBuffer.allocate(FRAME_BYTES);
            ByteBuffer in = ByteBuffer.allocate(64 * 1024);
            long[] reads = new long[MEASURED];
            for (int i = 0; i < WARM_UP + MEASURED; i++) {
                frame.clear();
                writer.write(frame);
                in.clear();
                long before = System.nanoTime();
                while (in.position() < FRAME_BYTES) {
                    reader.read(in);
                }
                if (i >= WARM_UP) {
                    reads[i - WARM_UP] = System.nanoTime() - before;
                }
            }
            Arrays.sort(reads);
            return reads[MEASURED / 2] / 1e3;
        }
    }
}
