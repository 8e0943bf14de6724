package io.agentchat.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ServerUrlTest {

    @ParameterizedTest
    @CsvSource({
        "ws://127.0.0.1:6667, ws://127.0.0.1:6667/",
        "wss://chat.example.org, wss://chat.example.org/",
        "http://localhost:6667/ws, ws://localhost:6667/ws",
        "https://chat.example.org:443/x?y=1, wss://chat.example.org:443/x?y=1",
        "WS://Host:1, ws://Host:1/",
    })
    void acceptsTheSchemesTheReferenceAccepts(String typed, String expected) {
        assertEquals(URI.create(expected), ServerUrl.parse(typed));
    }

    @ParameterizedTest
    @ValueSource(strings = {"notaurl", "ftp://host", "ws://", "://x", " ", "localhost:6667"})
    void rejectsEverythingElseWithTheReferenceMessage(String typed) {
        ClientException e = assertThrows(ClientException.class, () -> ServerUrl.parse(typed));
        assertEquals("Invalid URL: " + typed, e.getMessage());
        assertEquals(ClientException.Reason.INVALID_URL, e.reason());
    }
}
