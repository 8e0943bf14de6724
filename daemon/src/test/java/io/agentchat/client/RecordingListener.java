package io.agentchat.client;

import io.agentchat.protocol.ServerFrame;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps everything a connection delivers, for assertions. */
public final class RecordingListener implements FrameListener {
    public final List<ServerFrame> frames = new CopyOnWriteArrayList<>();
    public final List<String> raw = new CopyOnWriteArrayList<>();
    public final CompletableFuture<Integer> closedCode = new CompletableFuture<>();

    @Override
    public void onFrame(ServerFrame frame, String rawText) {
        frames.add(frame);
        raw.add(rawText);
    }

    @Override
    public void onClosed(int code, String reason) {
        closedCode.complete(code);
    }

    public List<ServerFrame.Msg> messages() {
        return frames.stream().filter(ServerFrame.Msg.class::isInstance).map(ServerFrame.Msg.class::cast).toList();
    }
}
