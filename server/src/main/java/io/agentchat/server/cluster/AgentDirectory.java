package io.agentchat.server.cluster;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Which relay of the cluster answers to an agent id, and what is owed to an id nobody answers to
 * (docs/cluster.md, "DMs and identity"): DMs go to whichever relay holds the id, a proof on one
 * relay displaces the holder of the same key on another, DMs wait for a proven identity that went
 * away in one mailbox shared by every relay, and a message signature is used once in the whole
 * cluster. The relay's core sees only this interface.
 *
 * <p>Calls marked as blocking make one Redis round trip on the caller's thread (the client's
 * timeout bounds it); the others never block.
 */
public interface AgentDirectory {

    /** What reaches this relay for the ids it answers to, in the order Redis published it. */
    interface Listener {
        /** A DM, encoded by the sender's relay, for this relay's holder of {@code id}. */
        void dm(String id, Dm dm);

        /** {@code pubkey} proved itself as {@code id} on some relay, as claim number {@code claim}. */
        void claimed(String id, String pubkey, long claim);

        /** Redis is back after a disconnection, and may have lost what it knew (it keeps nothing on disk). */
        void reconnected();

        /**
         * A frame other than a DM (a marketplace notice), encoded by the sender's relay, for this
         * relay's holder of {@code id}; dropped when nobody here holds the id, as on one relay.
         */
        void frame(String id, String text);
    }

    /**
     * A DM as it crosses the cluster: the frame as its sender's relay encoded it, who sent it from
     * where, and what it counts against the mailbox's and the address's bounds if it is held.
     */
    record Dm(String text, String senderId, String senderAddress, long cost) {
    }

    /** What became of a DM sent through the cluster; the {@code HeldMessages} outcomes and SENT. */
    enum DmOutcome { SENT, HELD, FULL, SENDER_FULL, NOT_HELD }

    /** A proof's answer: refused (another key holds the id or its mailbox), or its claim number and the DMs held for it. */
    record Claim(boolean granted, long number, List<String> held) {
        public static final Claim REFUSED = new Claim(false, 0, List.of());
    }

    /** Starts hearing this relay's ids; the listener runs on one thread of the directory's, never on Redis's I/O thread. */
    void listen(Listener listener);

    /** This relay answers to {@code id} from now on: what is sent to it comes here. Blocking. */
    void present(String id);

    /** This relay no longer answers to {@code id}: once this returns, nothing sent to it comes here. Blocking. */
    void absent(String id);

    /**
     * As {@link #present}, for an ephemeral session's id, which the cluster then also counts as owned
     * (by no key): a key's proof of the id on another relay is refused while this relay answers to it,
     * as on one relay. Blocking.
     */
    void presentEphemeral(String id);

    /** This relay's ephemeral holder of {@code id} went away ({@link #absent} first): the id is free. Never blocks. */
    void leftEphemeral(String id);

    /**
     * Says again, after Redis came back, that this relay's ephemeral holder owns {@code id}, unless
     * Redis knows an owner of it. Never blocks.
     */
    void reassertEphemeral(String id);

    /**
     * Sends a DM to whichever relay answers to {@code id}, or holds it in the id's mailbox if a proven
     * identity left it lately, within the mailbox's and the sender address's bounds.
     */
    CompletableFuture<DmOutcome> dm(String id, Dm dm);

    /**
     * Holds a DM that reached this relay after its addressee left it, if a mailbox is open for the id:
     * as {@link #dm} without sending it to any relay.
     */
    CompletableFuture<DmOutcome> hold(String id, Dm dm);

    /**
     * {@code pubkey}, proven on this relay, takes {@code id}: every other relay holding it with the same
     * key lets it go, and the DMs held for that key are handed over (and gone from the mailbox). The
     * relay must be {@link #present} for the id first. Blocking.
     */
    Claim claim(String id, String pubkey);

    /**
     * This relay's proven holder of {@code id}, claim {@code claim}, went away: unless another relay
     * has claimed the id since, DMs to it are held for {@code pubkey} from now on. Never blocks.
     */
    void left(String id, String pubkey, long claim);

    /**
     * Says again, after Redis came back, that this relay's holder of {@code id}, with {@code pubkey},
     * owns it as claim {@code claim}, unless Redis still knows the id's owner (or another key has
     * claimed it since). Never blocks.
     */
    void reassert(String id, String pubkey, long claim);

    /**
     * Whether some relay answers to {@code id}, and with which key: null when no relay does, the
     * PEM its holder proved, or "" for a holder that proved none (ephemeral). Blocking.
     */
    String holderKey(String id);

    /**
     * Sends a frame this relay encoded (a marketplace notice) to whichever relay answers to
     * {@code id}; nothing is held when none does, as on one relay. Never blocks; a failure is logged.
     */
    void send(String id, String text);

    /**
     * Remembers a message signature until {@code ttlMillis} from now; true if no relay had used it.
     * Blocking.
     */
    boolean firstUse(byte[] signature, long ttlMillis);

    /** Remembers a message signature, without waiting, ahead of any message this relay posts next. */
    void used(byte[] signature, long ttlMillis);
}
