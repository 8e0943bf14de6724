package io.agentchat.mcp;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.CompletableFuture;

/**
 * Stdin that says when it ends. An MCP host ends a stdio server by closing its stdin; the SDK's
 * transport stops reading then but offers nothing to wait on, so the command waits on this.
 */
public final class EndOfInput extends FilterInputStream {

    private final CompletableFuture<Void> ended = new CompletableFuture<>();

    public EndOfInput(InputStream in) {
        super(in);
    }

    public CompletableFuture<Void> ended() {
        return ended;
    }

    @Override
    public int read() throws IOException {
        return seen(() -> super.read());
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        return seen(() -> super.read(b, off, len));
    }

    private int seen(Read read) throws IOException {
        try {
            int n = read.run();
            if (n == -1) {
                ended.complete(null);
            }
            return n;
        } catch (IOException e) {
            ended.complete(null);
            throw e;
        }
    }

    private interface Read {
        int run() throws IOException;
    }
}
