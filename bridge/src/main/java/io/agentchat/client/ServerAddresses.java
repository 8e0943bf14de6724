package io.agentchat.client;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The relays a client may use, in the order it tries them: the server argument as typed, one URL or
 * a comma-separated list of the relays of one cluster ({@code ws://a:6667,ws://b:6667}, docs/cluster.md
 * "Clients fail over"). Each entry is read by {@link ServerUrl}, so one URL means exactly what it
 * meant before lists existed.
 *
 * @param uris at least one, no two equal, all {@code ws://} or all {@code wss://}
 */
public record ServerAddresses(List<URI> uris) {

    /** A list longer than this is refused: each entry can cost a whole connect timeout. */
    public static final int MAX_ENTRIES = 16;

    public ServerAddresses {
        uris = List.copyOf(uris);
        if (uris.isEmpty() || uris.size() > MAX_ENTRIES || new HashSet<>(uris).size() != uris.size()) {
            throw new IllegalArgumentException("need 1-" + MAX_ENTRIES + " distinct server URIs: " + uris);
        }
    }

    /** A single relay. */
    public static ServerAddresses of(URI uri) {
        return new ServerAddresses(List.of(uri));
    }

    /**
     * Parses what the user typed. Text without a comma is one URL and fails as {@link ServerUrl#parse}
     * does; a list fails with {@link InvalidServerListException} naming the entry at fault. A URL that
     * needs a comma must write it as {@code %2C}.
     *
     * @throws ClientException with reason {@link ClientException.Reason#INVALID_URL}
     */
    public static ServerAddresses parse(String text) {
        if (text == null || text.indexOf(',') < 0) {
            return of(ServerUrl.parse(text));
        }
        String[] entries = text.split(",", -1);
        if (entries.length > MAX_ENTRIES) {
            throw new InvalidServerListException(text, entries.length + " entries, at most " + MAX_ENTRIES);
        }
        List<URI> uris = new ArrayList<>();
        Set<URI> seen = new HashSet<>();
        for (int i = 0; i < entries.length; i++) {
            String entry = entries[i].trim();
            String which = "entry " + (i + 1);
            if (entry.isEmpty()) {
                throw new InvalidServerListException(text, which + " is empty");
            }
            URI uri;
            try {
                uri = ServerUrl.parse(entry);
            } catch (ClientException e) {
                throw new InvalidServerListException(text, which + " (" + entry
                        + ") is not a ws://, wss://, http:// or https:// URL with a host");
            }
            if (!seen.add(uri)) {
                throw new InvalidServerListException(text, which + " (" + entry + ") repeats an earlier one");
            }
            if (!uris.isEmpty() && !uris.get(0).getScheme().equals(uri.getScheme())) {
                // Whoever can block the TLS relay would otherwise move the client to cleartext.
                throw new InvalidServerListException(text, which + " (" + entry
                        + ") mixes ws:// and wss://; a list is all TLS or none");
            }
            uris.add(uri);
        }
        return new ServerAddresses(uris);
    }

    public int size() {
        return uris.size();
    }

    /** The entry at {@code index}, 0-based. */
    public URI get(int index) {
        return uris.get(index);
    }

    /** The same relays, starting at {@code index} and wrapping round: where to go after a drop. */
    public ServerAddresses startingAt(int index) {
        int from = Math.floorMod(index, uris.size());
        List<URI> rotated = new ArrayList<>(uris.subList(from, uris.size()));
        rotated.addAll(uris.subList(0, from));
        return new ServerAddresses(rotated);
    }

    /** The list as {@link #parse} takes it back. */
    @Override
    public String toString() {
        return uris.stream().map(URI::toString).collect(Collectors.joining(","));
    }
}
