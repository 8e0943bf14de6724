package io.agentchat.server.market;

import io.agentchat.protocol.ServerFrame;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The relay side of a unit test: who is online with which key, and every frame sent, in order. */
final class RecordingDelivery implements Delivery {
    record Sent(String to, ServerFrame frame) {
    }

    private final Map<String, String> online = new ConcurrentHashMap<>();
    private final List<Sent> sent = new ArrayList<>();

    void connect(String ref, String pubkey) {
        online.put(ref, pubkey == null ? "" : pubkey);
    }

    void disconnect(String ref) {
        online.remove(ref);
    }

    synchronized List<Sent> sent() {
        return List.copyOf(sent);
    }

    synchronized List<Sent> drain() {
        List<Sent> copy = List.copyOf(sent);
        sent.clear();
        return copy;
    }

    @Override
    public boolean online(String ref) {
        return online.containsKey(ref);
    }

    @Override
    public String pubkeyOf(String ref) {
        String key = online.get(ref);
        return key == null || key.isEmpty() ? null : key;
    }

    @Override
    public synchronized void toAgent(String ref, ServerFrame frame) {
        if (online.containsKey(ref)) {
            sent.add(new Sent(ref, frame));
        }
    }

    @Override
    public synchronized void toChannel(String channel, ServerFrame frame) {
        sent.add(new Sent(channel, frame));
    }
}
