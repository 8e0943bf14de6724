package io.agentchat.server.market;

import static io.agentchat.protocol.ProtocolException.invalid;

import io.agentchat.protocol.ClientFrame;
import io.agentchat.protocol.ErrorCode;
import io.agentchat.protocol.FrameType;
import io.agentchat.protocol.ProtocolException;
import io.agentchat.protocol.ServerFrame;
import io.agentchat.server.cluster.PendingSlots;
import io.agentchat.server.cluster.SkillBoard;
import java.time.Clock;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's side of the marketplace, as the hub sees it: proposals, skills discovery,
 * reputation and peer verification, independent of the server's session classes. The hub has
 * already decoded the frame and checked IDENTIFY; everything after that (key required, signature,
 * lifecycle) is here.
 * ERROR replies are thrown as {@link ProtocolException}; frames go out in the reference's order
 * (the other party first, then the sender).
 */
public final class MarketService {
    private static final Logger LOG = LoggerFactory.getLogger("agentchat.market");
    private static final String DISCOVERY_CHANNEL = "#discovery";
    private static final String SERVER_REF = "@server";
    private static final long MAX_EXPIRES_SECONDS = 30L * 24 * 3600;
    /** The frame types {@link #handle} owns. */
    private static final Set<FrameType> TYPES = EnumSet.of(FrameType.PROPOSAL, FrameType.ACCEPT, FrameType.REJECT,
            FrameType.COMPLETE, FrameType.DISPUTE, FrameType.REGISTER_SKILLS, FrameType.SEARCH_SKILLS,
            FrameType.VERIFY_REQUEST, FrameType.VERIFY_RESPONSE);

    private final MarketConfig config;
    private final Clock clock;
    private final Ratings ratings;
    private final ProposalBook proposals;
    private final SkillRegistry skills;
    private final Verification verification;

    /**
     * @param ratings   the loaded store, or the cluster's ledger; its lifecycle stays with the caller
     * @param scheduler the caller's timer thread, used for verification timeouts
     */
    public MarketService(MarketConfig config, Ratings ratings, Clock clock, ScheduledExecutorService scheduler) {
        this(config, ratings, clock, scheduler, null);
    }

    /** @param skills the cluster's skill registrations, or null for a relay alone */
    public MarketService(MarketConfig config, Ratings ratings, Clock clock, ScheduledExecutorService scheduler,
                         SkillBoard skills) {
        this(config, ratings, clock, scheduler, skills, null);
    }

    /**
     * @param skills the cluster's skill registrations, or null for a relay alone
     * @param slots  the cluster's count of pending proposals and verification requests, or null for a relay alone
     */
    public MarketService(MarketConfig config, Ratings ratings, Clock clock, ScheduledExecutorService scheduler,
                         SkillBoard skills, PendingSlots slots) {
        this.config = config;
        this.clock = clock;
        this.ratings = ratings;
        SharedCaps caps = slots == null ? null : new SharedCaps(slots);
        this.proposals = new ProposalBook(config, new Reputation(ratings), caps);
        this.skills = new SkillRegistry(config, skills);
        this.verification = new Verification(config, clock, scheduler, caps);
        if (caps != null) {
            // A pending item's slots go back within a second of its pending time, even if nothing
            // looks at it; the write-back renews them and puts them back after Redis restarted empty.
            scheduler.scheduleWithFixedDelay(logged("pending slots expiry", () -> caps.expireDue(clock.millis())),
                    1, 1, TimeUnit.SECONDS);
            scheduler.scheduleWithFixedDelay(logged("pending slots write-back", caps::writeBack),
                    30, 30, TimeUnit.SECONDS);
        }
    }

    /** A periodic task that logs its failure instead of being cancelled by it. */
    private static Runnable logged(String name, Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.warn("{} failed: {}", name, e.toString());
            }
        };
    }

    /**
     * False for a frame about a proposal or verification request this relay does not keep (in a
     * cluster, another relay may: docs/cluster.md, "Marketplace"); true otherwise.
     */
    public boolean keeps(ClientFrame frame) {
        String id = itemOf(frame);
        if (id == null) {
            return true;
        }
        return frame instanceof ClientFrame.VerifyResponse ? verification.contains(id) : proposals.contains(id);
    }

    /** The id a frame of {@link #keeps} is about, or null for any other frame. */
    public static String itemOf(ClientFrame frame) {
        if (frame instanceof ClientFrame.Accept f) {
            return f.proposalId();
        } else if (frame instanceof ClientFrame.Reject f) {
            return f.proposalId();
        } else if (frame instanceof ClientFrame.Complete f) {
            return f.proposalId();
        } else if (frame instanceof ClientFrame.Dispute f) {
            return f.proposalId();
        } else if (frame instanceof ClientFrame.VerifyResponse f) {
            return f.requestId();
        }
        return null;
    }

    /** Whether {@link #handle} owns this frame type. */
    public static boolean handles(ClientFrame frame) {
        return TYPES.contains(frame.type());
    }

    public void handle(ClientFrame frame, Caller caller, Delivery delivery) {
        if (frame instanceof ClientFrame.Proposal f) {
            propose(f, caller, delivery);
        } else if (frame instanceof ClientFrame.Accept f) {
            signed(f, caller, "Accepting proposals requires persistent identity");
            checkLength("payment_code", f.paymentCode());
            ServerFrame.Accept out = proposals.accept(caller.agentRef(), f, clock.millis());
            deliver(delivery, out.from(), caller, out, "accept", out.proposalId());
        } else if (frame instanceof ClientFrame.Reject f) {
            signed(f, caller, "Rejecting proposals requires persistent identity");
            checkLength("reason", f.reason());
            ServerFrame.Reject out = proposals.reject(caller.agentRef(), f, clock.millis());
            deliver(delivery, out.from(), caller, out, "reject", out.proposalId());
        } else if (frame instanceof ClientFrame.Complete f) {
            signed(f, caller, "Completing proposals requires persistent identity");
            checkLength("proof", f.proof());
            ServerFrame.Complete out = proposals.complete(caller.agentRef(), f, clock.millis());
            deliver(delivery, other(out.from(), out.to(), caller), caller, out, "complete", out.proposalId());
        } else if (frame instanceof ClientFrame.Dispute f) {
            signed(f, caller, "Disputing proposals requires persistent identity");
            checkLength("reason", f.reason());
            ServerFrame.Dispute out = proposals.dispute(caller.agentRef(), f, clock.millis());
            deliver(delivery, other(out.from(), out.to(), caller), caller, out, "dispute", out.proposalId());
        } else if (frame instanceof ClientFrame.RegisterSkills f) {
            registerSkills(f, caller, delivery);
        } else if (frame instanceof ClientFrame.SearchSkills f) {
            SkillRegistry.Results results = skills.search(f.query(), ratings::getAll, clock.millis());
            LOG.debug("skills_search id={} results={}", caller.agentRef(), results.total());
            delivery.toAgent(caller.agentRef(), new ServerFrame.SearchResults(clock.millis(), f.queryId(), f.query(),
                    results.results(), results.total()));
        } else if (frame instanceof ClientFrame.VerifyRequest f) {
            verification.request(caller, f, delivery);
        } else if (frame instanceof ClientFrame.VerifyResponse f) {
            verification.respond(caller, f, delivery);
        } else {
            throw new IllegalArgumentException("not a marketplace frame: " + frame.wireType());
        }
    }

    private void propose(ClientFrame.Proposal f, Caller caller, Delivery delivery) {
        signed(f, caller, "Proposals require persistent identity");
        checkLength("task", f.task());
        checkLength("terms", f.terms());
        checkLength("payment_code", f.paymentCode());
        checkLength("currency", f.currency());
        if (f.amount() != null && f.amount() > config.maxAmount()) {
            throw invalid("amount too large (max " + (long) config.maxAmount() + ")");
        }
        if (f.expires() != null && f.expires() > MAX_EXPIRES_SECONDS) {
            throw invalid("expires too large (max " + MAX_EXPIRES_SECONDS + " seconds)");
        }
        if (f.to().equals(caller.agentRef())) {
            throw invalid("Cannot send a proposal to yourself"); // the original accepts these
        }
        if (!delivery.online(f.to())) {
            throw new ProtocolException(ErrorCode.AGENT_NOT_FOUND, "Agent " + f.to() + " not found");
        }
        ServerFrame.Proposal out = proposals.propose(caller.agentRef(), caller.address(), f, clock.millis());
        LOG.info("proposal id={} from={} to={}", out.id(), out.from(), out.to());
        long pending = f.expires() != null ? Math.round(f.expires() * 1000) : config.defaultProposalExpiry().toMillis();
        // Past its pending time, the accepted deadline and the retention, no frame about it can change it.
        delivery.opened(out.id(), Math.max(0, pending) + config.acceptedDeadline().toMillis() + config.retention().toMillis());
        delivery.toAgent(out.to(), out);
        delivery.toAgent(caller.agentRef(), out);
    }

    private void registerSkills(ClientFrame.RegisterSkills f, Caller caller, Delivery delivery) {
        signed(f, caller, "Skill registration requires persistent identity");
        SkillRegistry.Registration r = skills.register(caller.agentRef(), f.skills(), clock.millis());
        LOG.info("skills_registered id={} count={}", caller.agentRef(), r.skills().size());
        delivery.toAgent(caller.agentRef(),
                new ServerFrame.SkillsRegistered(clock.millis(), caller.agentRef(), r.skills().size(), r.registeredAt()));
        List<String> capabilities = r.skills().stream().map(s -> s.get("capability").asText()).toList();
        delivery.toChannel(DISCOVERY_CHANNEL, ServerFrame.Msg.of(clock.millis(), SERVER_REF, DISCOVERY_CHANNEL,
                "Agent " + caller.agentRef() + " registered " + capabilities.size() + " skill(s): "
                        + String.join(", ", capabilities)));
    }

    /** SIGNATURE_REQUIRED for ephemeral agents, then the signature itself, which the original never checks. */
    private static void signed(ClientFrame frame, Caller caller, String ephemeralMessage) {
        if (!caller.hasKey()) {
            throw new ProtocolException(ErrorCode.SIGNATURE_REQUIRED, ephemeralMessage);
        }
        FrameSignatures.verify(frame, caller.pubkey());
    }

    private void checkLength(String field, String value) {
        if (value != null && value.length() > config.maxTextLength()) {
            throw invalid(field + " too long (max " + config.maxTextLength() + " chars)");
        }
    }

    private static String other(String from, String to, Caller caller) {
        return caller.agentRef().equals(from) ? to : from;
    }

    private static void deliver(Delivery delivery, String counterparty, Caller caller, ServerFrame out, String event,
            String proposalId) {
        LOG.info("{} proposal={} by={}", event, proposalId, caller.agentRef());
        delivery.toAgent(counterparty, out);
        delivery.toAgent(caller.agentRef(), out);
    }

    /**
     * Expires due proposals and verification requests, forgets old ones, drops stale skills, and
     * tells both parties of an accepted proposal whose deadline passed (its stakes were released).
     */
    public void sweep(Delivery delivery) {
        long now = clock.millis();
        for (ProposalBook.Lapsed lapsed : proposals.sweep(now)) {
            String text = "Proposal " + lapsed.id() + " expired before completion; stakes released";
            LOG.info("proposal_lapsed id={}", lapsed.id());
            delivery.toAgent(lapsed.from(), ServerFrame.Msg.of(now, SERVER_REF, lapsed.from(), text));
            delivery.toAgent(lapsed.to(), ServerFrame.Msg.of(now, SERVER_REF, lapsed.to(), text));
        }
        skills.dropExpired(now);
        verification.expireDue();
    }

    /** For /health: {@code {"total": n, "byStatus": {...}, "agents": n}}. */
    public ProposalStats stats() {
        ProposalBook.Stats s = proposals.stats();
        return new ProposalStats(s.total(), s.byStatus(), s.agents());
    }

    /** The /health {@code proposals} object; {@code byStatus} keeps first-seen order. */
    public record ProposalStats(int total, java.util.Map<String, Integer> byStatus, int agents) {
        public ProposalStats {
            byStatus = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(byStatus));
        }
    }
}
