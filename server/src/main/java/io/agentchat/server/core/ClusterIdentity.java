package io.agentchat.server.core;

import io.agentchat.server.cluster.AgentDirectory;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This relay's side of the cluster's agent directory (docs/cluster.md, "DMs and identity"): the ids
 * it answers to are made known to the cluster, DMs from other relays reach their holder here, and a
 * proof on another relay displaces this relay's holder of the same key. Every change to an id's
 * holder happens under {@link HeldMessages#lockFor}, as on one relay, so a DM or a claim from the
 * cluster waits for a proof in progress here and then sees its outcome.
 */
final class ClusterIdentity implements AgentDirectory.Listener {
    private static final Logger LOG = LoggerFactory.getLogger("agentchat.cluster");

    private final AgentDirectory directory;
    private final AgentRegistry agents;
    private final HeldMessages locks;
    private final Consumer<AgentSession> displace;
    /** The cluster's claim number of each proven holder here: a claim with a larger one displaces it. */
    private final Map<String, Long> claims = new ConcurrentHashMap<>();

    /** @param displace tells a holder that another connection took its id, and closes it */
    ClusterIdentity(AgentDirectory directory, AgentRegistry agents, HeldMessages locks, Consumer<AgentSession> displace) {
        this.directory = directory;
        this.agents = agents;
        this.locks = locks;
        this.displace = displace;
        directory.listen(this);
    }

    /**
     * An ephemeral session now answers to its fresh id: reachable from every relay, and owned against
     * a key's proof of the same id on another relay (as on one relay), before it is welcomed. If Redis
     * does not answer, it is reachable on this relay only (logged).
     */
    void ephemeral(String id) {
        try {
            directory.presentEphemeral(id);
        } catch (RuntimeException e) {
            LOG.warn("cluster: id={} reachable on this relay only: {}", id, e.toString());
        }
    }

    /**
     * A proven key claims its id in the cluster: refused when another key holds the id or its
     * mailbox, null when Redis did not answer, else granted with the DMs held for the key, oldest
     * first. The caller then makes the session the id's holder here, and calls {@link #holds}. Under
     * the id's lock.
     */
    AgentDirectory.Claim claim(AgentSession session) {
        String id = session.id();
        try {
            directory.present(id);
            AgentDirectory.Claim claim = directory.claim(id, session.pubkey());
            if (!claim.granted()) {
                absentUnlessHeld(id);
            }
            return claim;
        } catch (RuntimeException e) {
            LOG.warn("cluster: proof of id={} not taken, Redis did not answer: {}", id, e.toString());
            absentUnlessHeld(id);
            return null;
        }
    }

    /** The session that made claim {@code number} answers to {@code id} here now. Under the id's lock. */
    void holds(String id, long number) {
        claims.put(id, number);
    }

    /**
     * {@code session}, which answered to its id here until now, is gone: the cluster stops routing
     * the id here, then (for a proven key) holds its DMs for the key's return. The order matters: a DM
     * sent in between is refused as for an id nobody has, never routed here and lost. Under the id's lock.
     */
    void gone(AgentSession session) {
        String id = session.id();
        Long claim = session.hasKey() ? claims.remove(id) : null;
        absentUnlessHeld(id);
        if (claim != null && session.proven()) {
            directory.left(id, session.pubkey(), claim);
        } else if (!session.hasKey()) {
            directory.leftEphemeral(id);
        }
    }

    private void absentUnlessHeld(String id) {
        if (agents.get(id) == null) {
            try {
                directory.absent(id);
            } catch (RuntimeException e) {
                LOG.warn("cluster: id={} not withdrawn: {}", id, e.toString());
            }
        }
    }

    /**
     * To the holder here; if it left while the DM was on its way (or a proof that subscribed here
     * was refused), into the id's mailbox instead, if one is open: the sender was told the DM was
     * delivered, so it must not vanish.
     */
    @Override
    public void dm(String id, AgentDirectory.Dm dm) {
        synchronized (locks.lockFor(id)) {
            AgentSession holder = agents.get(id);
            if (holder != null) {
                holder.send(dm.text());
                return;
            }
            // A subscription Redis kept (an unsubscribe refused while it was away is renewed by the
            // client when it reconnects) would take the id's DMs from the mailbox: let it go now.
            absentUnlessHeld(id);
            directory.hold(id, dm).whenComplete((outcome, failure) -> {
                if (outcome == AgentDirectory.DmOutcome.HELD) {
                    LOG.info("cluster: DM for id={} arrived after it left this relay; held", id);
                } else {
                    LOG.warn("cluster: DM for id={} arrived after it left this relay; lost ({})", id,
                            failure != null ? failure.toString() : outcome);
                }
            });
        }
    }

    /**
     * Redis came back, maybe empty: each holder here says again that it owns its id, so another key's
     * proof is still refused and a proven holder's mailbox opens when it leaves. (Its subscriptions
     * the Redis client renews by itself.)
     */
    @Override
    public void reconnected() {
        for (AgentSession holder : agents.all()) {
            if (!holder.hasKey()) {
                directory.reassertEphemeral(holder.id());
            }
        }
        for (Map.Entry<String, Long> entry : claims.entrySet()) {
            synchronized (locks.lockFor(entry.getKey())) {
                AgentSession holder = agents.get(entry.getKey());
                if (holder != null && holder.proven() && entry.getValue().equals(claims.get(entry.getKey()))) {
                    directory.reassert(entry.getKey(), holder.pubkey(), entry.getValue());
                }
            }
        }
    }

    /** To the holder here, whoever it is now, as {@code MarketAdapter} sends on one relay; else dropped. */
    @Override
    public void frame(String id, String text) {
        AgentSession holder = agents.get(id);
        if (holder != null && !holder.closed()) {
            holder.send(text);
        } else {
            LOG.debug("cluster: frame for id={} arrived after it left this relay; dropped", id);
        }
    }

    @Override
    public void claimed(String id, String pubkey, long claim) {
        AgentSession displaced = null;
        synchronized (locks.lockFor(id)) {
            AgentSession holder = agents.get(id);
            if (holder != null && holder.hasKey() && holder.pubkey().equals(pubkey)
                    && claims.getOrDefault(id, 0L) < claim && agents.remove(holder)) {
                claims.remove(id);
                absentUnlessHeld(id);
                displaced = holder;
            }
        }
        if (displaced != null) {
            LOG.info("cluster: id={} proven on another relay", displaced.ref());
            displace.accept(displaced);
        }
    }
}
