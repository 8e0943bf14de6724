package io.agentchat.server.market;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.agentchat.identity.Identity;
import io.agentchat.server.MutableClock;
import io.agentchat.identity.SignedText;
import io.agentchat.protocol.ClientFrame;
import io.agentchat.protocol.ErrorCode;
import io.agentchat.protocol.ProtocolException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/** A marketplace with a real ratings file, real keys and a hand-moved clock. */
final class MarketFixture implements AutoCloseable {
    record Agent(Identity identity, Caller caller) {
        String ref() {
            return caller.agentRef();
        }

        String sign(String text) {
            return identity.sign(text);
        }
    }

    final MutableClock clock = new MutableClock(1_795_576_326_043L);
    final RecordingDelivery delivery = new RecordingDelivery();
    final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    final RatingsStore ratings;
    final MarketService market;
    final Agent alice = agent("alice");
    final Agent bob = agent("bob");
    final Agent carol = agent("carol");

    MarketFixture(Path dataDir) {
        this(dataDir, MarketConfig.defaults());
    }

    MarketFixture(Path dataDir, MarketConfig config) {
        ratings = RatingsStore.open(dataDir, 1000);
        market = new MarketService(config, ratings, clock, scheduler);
    }

    Agent agent(String name) {
        Identity id = Identity.generate(name, Clock.systemUTC());
        Agent agent = new Agent(id, new Caller("@" + id.agentId(), id.pubkey(), true));
        delivery.connect(agent.ref(), id.pubkey());
        return agent;
    }

    void send(Agent from, ClientFrame frame) {
        market.handle(frame, from.caller(), delivery);
    }

    ProtocolException refused(Agent from, ClientFrame frame, ErrorCode code, String message) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> send(from, frame));
        assertEquals(code, e.code(), e.getMessage());
        assertEquals(message, e.getMessage());
        return e;
    }

    ClientFrame.Proposal proposal(Agent from, Agent to, String task, Double amount, Double expires, Integer stake) {
        String sig = from.sign(SignedText.proposal(to.ref(), task, amount, "TEST", null, expires, stake));
        return new ClientFrame.Proposal(to.ref(), task, amount, "TEST", null, null, expires, stake, sig);
    }

    ClientFrame.Accept accept(Agent by, String id, Integer stake) {
        return new ClientFrame.Accept(id, "pay", stake, by.sign(SignedText.accept(id, "pay", stake)));
    }

    ClientFrame.Reject reject(Agent by, String id) {
        return new ClientFrame.Reject(id, "busy", by.sign(SignedText.reject(id, "busy")));
    }

    ClientFrame.Complete complete(Agent by, String id) {
        return new ClientFrame.Complete(id, "tx:abc", by.sign(SignedText.complete(id, "tx:abc")));
    }

    ClientFrame.Dispute dispute(Agent by, String id) {
        return new ClientFrame.Dispute(id, "not delivered", by.sign(SignedText.dispute(id, "not delivered")));
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        ratings.close();
    }
}
