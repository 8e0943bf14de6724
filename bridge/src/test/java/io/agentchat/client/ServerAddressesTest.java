package io.agentchat.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ServerAddressesTest {

    @Test
    void oneUrlIsReadExactlyAsServerUrlReadsIt() {
        assertEquals(List.of(ServerUrl.parse("http://Host:1/x")), ServerAddresses.parse("http://Host:1/x").uris());
    }

    @ParameterizedTest
    @ValueSource(strings = {"notaurl", "ftp://host", " ", "localhost:6667"})
    void oneBadUrlFailsWithTheSameErrorAsBefore(String typed) {
        ClientException e = assertThrows(ClientException.class, () -> ServerAddresses.parse(typed));
        assertEquals("Invalid URL: " + typed, e.getMessage());
        assertFalse(e instanceof InvalidServerListException, "one URL is not a list");
    }

    @Test
    void aListKeepsItsOrderAndIgnoresSpacesAroundEntries() {
        ServerAddresses servers = ServerAddresses.parse(" wss://a:1 , https://b:2/p,wss://c ");
        assertEquals(List.of(URI.create("wss://a:1/"), URI.create("wss://b:2/p"), URI.create("wss://c/")), servers.uris());
        assertEquals("wss://a:1/,wss://b:2/p,wss://c/", servers.toString());
        assertEquals(servers, ServerAddresses.parse(servers.toString()));
    }

    @Test
    void startingAtRotatesTheList() {
        ServerAddresses servers = ServerAddresses.parse("ws://a,ws://b,ws://c");
        assertEquals(ServerAddresses.parse("ws://b,ws://c,ws://a"), servers.startingAt(1));
        assertEquals(servers, servers.startingAt(3));
        assertEquals(ServerAddresses.parse("ws://c,ws://a,ws://b"), servers.startingAt(-1));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "ws://a:1,,ws://b:2        | entry 2 is empty",
        "ws://a:1,                 | entry 2 is empty",
        ",ws://a:1                 | entry 1 is empty",
        "ws://a:1, ,ws://b:2       | entry 2 is empty",
        "ws://a:1,ftp://b:2        | entry 2 (ftp://b:2) is not a ws://, wss://, http:// or https:// URL with a host",
        "ws://a:1,b:2              | entry 2 (b:2) is not a ws://, wss://, http:// or https:// URL with a host",
        "ws://a:1,ws://b:2,ws://a:1 | entry 3 (ws://a:1) repeats an earlier one",
        "ws://a:1,http://A:1/      | entry 2 (http://A:1/) repeats an earlier one",
        "wss://a:1,ws://b:1        | entry 2 (ws://b:1) mixes ws:// and wss://; a list is all TLS or none",
        "ws://a:1,https://b:1      | entry 2 (https://b:1) mixes ws:// and wss://; a list is all TLS or none",
    })
    void aMalformedListNamesTheEntryAtFault(String typed, String problem) {
        InvalidServerListException e = assertThrows(InvalidServerListException.class, () -> ServerAddresses.parse(typed));
        assertEquals("Invalid server list '" + typed + "': " + problem, e.getMessage());
        assertEquals(ClientException.Reason.INVALID_URL, e.reason());
    }

    @Test
    void aListLongerThanTheCapIsRefused() {
        StringBuilder typed = new StringBuilder();
        for (int port = 1; port <= ServerAddresses.MAX_ENTRIES + 1; port++) {
            typed.append(port == 1 ? "" : ",").append("ws://h:").append(port);
        }
        InvalidServerListException e = assertThrows(InvalidServerListException.class,
                () -> ServerAddresses.parse(typed.toString()));
        assertEquals("Invalid server list '" + typed + "': 17 entries, at most 16", e.getMessage());
        assertEquals(ServerAddresses.MAX_ENTRIES, ServerAddresses.parse(typed.substring(0, typed.lastIndexOf(","))).size());
    }
}
