package io.agentchat.server;

import java.util.List;

/** What the held-DM tests do over and over: an identity that comes and goes, DMs sent and counted. */
final class HeldDms {
    private HeldDms() {
    }

    static String dm(String to, String content) {
        return "{\"type\":\"MSG\",\"to\":\"" + to + "\",\"content\":\"" + content + "\"}";
    }

    /** Connects {@code who} in #general and closes it once {@code witness} has seen it leave. */
    static void comeAndGo(TestAgent witness, TestAgent who) throws Exception {
        who.send("{\"type\":\"JOIN\",\"channel\":\"#general\"}");
        who.await("JOINED");
        witness.await("AGENT_JOINED", f -> who.id.equals(f.path("agent").asText()));
        who.close();
        witness.await("AGENT_LEFT", f -> who.id.equals(f.path("agent").asText()));
    }

    /** The DMs {@code agent} gets up to a PONG, by content. */
    static List<String> dmContents(TestAgent agent) throws Exception {
        return agent.drainUntilPong().stream()
                .filter(f -> "MSG".equals(f.path("type").asText()) && f.path("to").asText().startsWith("@"))
                .map(f -> f.path("content").asText()).toList();
    }
}
