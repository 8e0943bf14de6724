package io.agentchat.bench;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Locale;

/**
 * The HTTP/1.1 upgrade of RFC 6455 section 4, both sides: the client's request and its check of the
 * 101 answer, and the server's answer for the stub relay. Nothing else of HTTP is spoken.
 */
final class WebSocketHandshake {
    /** RFC 6455, section 1.3: appended to the client's key before hashing. */
    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private static final SecureRandom RANDOM = new SecureRandom();

    private WebSocketHandshake() {
    }

    static String newKey() {
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        return Base64.getEncoder().encodeToString(nonce);
    }

    static byte[] request(String host, int port, String path, String key) {
        return ("GET " + (path.isEmpty() ? "/" : path) + " HTTP/1.1\r\n"
                + "Host: " + host + ":" + port + "\r\n"
                + "Upgrade: websocket\r\n"
                + "Connection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + key + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    static String acceptFor(String key) {
        try {
            byte[] sha1 = MessageDigest.getInstance("SHA-1").digest((key + GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(sha1);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-1", e);
        }
    }

    /** Throws unless {@code head} (status line and headers) is a 101 carrying the accept value for {@code key}. */
    static void checkResponse(String head, String key) {
        String[] lines = head.split("\r\n");
        if (lines.length == 0 || !lines[0].matches("HTTP/1\\.1 101( .*)?")) {
            throw new IllegalStateException("upgrade refused: " + (lines.length == 0 ? "(empty)" : lines[0]));
        }
        String accept = header(lines, "sec-websocket-accept");
        if (!acceptFor(key).equals(accept)) {
            throw new IllegalStateException("wrong Sec-WebSocket-Accept: " + accept);
        }
    }

    /** The server side: the 101 answer to a request head, or null if it is not a WebSocket upgrade. */
    static byte[] response(String requestHead) {
        String key = header(requestHead.split("\r\n"), "sec-websocket-key");
        if (key == null) {
            return null;
        }
        return ("HTTP/1.1 101 Switching Protocols\r\n"
                + "Upgrade: websocket\r\n"
                + "Connection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + acceptFor(key) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** Index just past the blank line that ends an HTTP head in {@code bytes[0, length)}, or -1. */
    static int endOfHead(byte[] bytes, int length) {
        for (int i = 3; i < length; i++) {
            if (bytes[i] == '\n' && bytes[i - 1] == '\r' && bytes[i - 2] == '\n' && bytes[i - 3] == '\r') {
                return i + 1;
            }
        }
        return -1;
    }

    private static String header(String[] lines, String lowerCaseName) {
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0 && lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT).equals(lowerCaseName)) {
                return lines[i].substring(colon + 1).trim();
            }
        }
        return null;
    }
}
