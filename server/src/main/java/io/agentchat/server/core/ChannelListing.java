package io.agentchat.server.core;

import io.agentchat.protocol.ServerFrame.ChannelInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Which public channels a LIST_CHANNELS reply names when there are more than it may carry: the
 * {@code max} with the most members (the older first among equals), still in creation order. A
 * flood of empty created channels cannot push the busy ones out, and up to {@code max} channels
 * the reply is exactly the full list.
 */
final class ChannelListing {
    private ChannelListing() {
    }

    /** @param inCreationOrder a snapshot (member counts taken once), oldest channel first */
    static List<ChannelInfo> busiest(List<ChannelInfo> inCreationOrder, int max) {
        int size = inCreationOrder.size();
        if (size <= max) {
            return inCreationOrder;
        }
        Integer[] order = new Integer[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> {
            int byMembers = Integer.compare(inCreationOrder.get(b).agents(), inCreationOrder.get(a).agents());
            return byMembers != 0 ? byMembers : Integer.compare(a, b);
        });
        Integer[] kept = Arrays.copyOf(order, max);
        Arrays.sort(kept);
        List<ChannelInfo> listed = new ArrayList<>(max);
        for (Integer index : kept) {
            listed.add(inCreationOrder.get(index));
        }
        return listed;
    }
}
