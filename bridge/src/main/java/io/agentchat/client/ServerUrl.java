package io.agentchat.client;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * Turns what a user typed into a WebSocket URI. Like the reference (which uses the {@code ws}
 * library), {@code ws://}, {@code wss://}, {@code http://} and {@code https://} are accepted; the
 * HTTP schemes map to their WebSocket counterparts. Anything else is {@code Invalid URL: <text>}.
 */
public final class ServerUrl {
    private ServerUrl() {
    }

    /**
     * @throws ClientException with reason {@link ClientException.Reason#INVALID_URL}
     */
    public static URI parse(String text) {
        if (text == null || text.isBlank()) {
            throw invalid(text);
        }
        URI uri;
        try {
            uri = new URI(text.trim());
        } catch (URISyntaxException e) {
            throw invalid(text);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String wsScheme = switch (scheme) {
            case "ws", "http" -> "ws";
            case "wss", "https" -> "wss";
            default -> null;
        };
        if (wsScheme == null || uri.getHost() == null || uri.getHost().isEmpty()) {
            throw invalid(text);
        }
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
        try {
            return new URI(wsScheme + "://" + uri.getRawAuthority() + path + query);
        } catch (URISyntaxException e) {
            throw invalid(text);
        }
    }

    private static ClientException invalid(String text) {
        return new ClientException(ClientException.Reason.INVALID_URL, "Invalid URL: " + text);
    }
}
