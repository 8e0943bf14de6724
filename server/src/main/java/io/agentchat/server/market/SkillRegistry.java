package io.agentchat.server.market;

import static io.agentchat.protocol.ProtocolException.invalid;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentchat.protocol.ErrorCode;
import io.agentchat.protocol.ProtocolException;
import io.agentchat.reputation.Rating;
import io.agentchat.server.cluster.SkillBoard;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Skills discovery (docs/protocol.md §9.4): one registration per key-based agent, replaced whole on each
 * REGISTER_SKILLS, searched by capability substring, maximum rate and currency, ordered by rating.
 *
 * <p>Unlike the reference, skills are type-checked and reduced to the four known keys at the
 * door, so a registration can neither crash a later search nor claim another agent's id or
 * rating; their number and sizes are bounded, registrations lapse after a TTL unless renewed, and
 * the registry as a whole is bounded.
 *
 * <p>In a cluster, a registration is kept in the cluster's {@link SkillBoard} and every relay holds
 * a copy of every registration, searched here as on one relay (docs/cluster.md, "Marketplace").
 */
final class SkillRegistry {
    private static final Logger LOG = LoggerFactory.getLogger("agentchat.market");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> KEYS = Set.of("capability", "description", "rate", "currency");
    private static final int MAX_CAPABILITY = 100;
    private static final int MAX_DESCRIPTION = 500;
    private static final int MAX_CURRENCY = 16;
    private static final int DEFAULT_LIMIT = 50;

    record Registration(String agent, List<ObjectNode> skills, long registeredAt) {
    }

    record Results(List<JsonNode> results, int total) {
    }

    private final MarketConfig config;
    private final Map<String, Registration> registrations = new LinkedHashMap<>();
    private final SkillBoard board;

    SkillRegistry(MarketConfig config) {
        this(config, null);
    }

    /** @param board the cluster's skill registrations, or null for a relay alone */
    SkillRegistry(MarketConfig config, SkillBoard board) {
        this.config = config;
        this.board = board;
        if (board != null) {
            for (String registration : board.listen(this::heard)) {
                heard(registration);
            }
        }
    }

    /** Validates and stores the agent's skills, replacing any earlier registration. */
    synchronized Registration register(String agent, JsonNode skills, long now) {
        if (skills.size() > config.maxSkillsPerAgent()) {
            throw invalid("Too many skills (max " + config.maxSkillsPerAgent() + ")");
        }
        List<ObjectNode> clean = new ArrayList<>();
        int index = 0;
        for (JsonNode skill : skills) {
            clean.add(sanitise(skill, index++));
        }
        dropExpired(now);
        if (!registrations.containsKey(agent) && registrations.size() >= config.maxRegistrations()) {
            throw invalid("Skills registry is full, try again later");
        }
        Registration registration = new Registration(agent, List.copyOf(clean), now);
        if (board != null) {
            share(registration);
        }
        registrations.put(agent, registration);
        return registration;
    }

    /** Into the cluster's board, which bounds the registrations of the whole cluster. Blocking. */
    private void share(Registration r) {
        ObjectNode encoded = JSON.createObjectNode().put("agent", r.agent()).put("at", r.registeredAt());
        encoded.putArray("skills").addAll(r.skills());
        boolean kept;
        try {
            kept = board.put(r.agent(), encoded.toString(), config.skillTtl().toMillis(), config.maxRegistrations());
        } catch (RuntimeException e) {
            throw new ProtocolException(ErrorCode.CLUSTER_UNAVAILABLE,
                    "Skills not registered: the relay cannot reach its cluster; try again later");
        }
        if (!kept) {
            throw invalid("Skills registry is full, try again later");
        }
    }

    /**
     * A registration from the cluster (another relay's, or this one's coming back): checked again
     * as at the door, then kept unless a newer one of the agent is already here.
     */
    private void heard(String text) {
        try {
            JsonNode node = JSON.readTree(text);
            String agent = node.get("agent").asText();
            long at = node.get("at").asLong();
            List<ObjectNode> clean = new ArrayList<>();
            int index = 0;
            for (JsonNode skill : node.get("skills")) {
                clean.add(sanitise(skill, index++));
            }
            synchronized (this) {
                Registration known = registrations.get(agent);
                if (known != null && known.registeredAt() > at) {
                    return;
                }
                if (known == null && registrations.size() >= config.maxRegistrations()) {
                    LOG.warn("cluster registration of {} not kept: registry full", agent);
                    return;
                }
                registrations.put(agent, new Registration(agent, List.copyOf(clean), at));
            }
        } catch (JsonProcessingException | RuntimeException e) {
            LOG.warn("cluster registration unreadable: {}", e.toString());
        }
    }

    /**
     * The registrations' skills that match, best rated first. The ratings are read after the
     * registry's lock is let go, all agents in one call; in a cluster from the relay's snapshot of the
     * ratings ledger, so a search costs Redis nothing (docs/cluster.md, "Marketplace").
     */
    Results search(JsonNode query, Function<Collection<String>, Map<String, Rating>> ratings, long now) {
        Double limit = optionalNumber(query, "limit");
        List<Match> found = matching(query, now);
        Set<String> agents = new HashSet<>();
        for (Match match : found) {
            agents.add(match.registration().agent());
        }
        Map<String, Rating> rated = agents.isEmpty() ? Map.of() : ratings.apply(agents);
        List<ObjectNode> matches = new ArrayList<>(found.size());
        for (Match match : found) {
            matches.add(entry(match.registration(), match.skill(),
                    rated.getOrDefault(match.registration().agent(), Rating.NEW)));
        }
        matches.sort(Comparator.<ObjectNode>comparingInt(e -> e.get("rating").asInt()).reversed()
                .thenComparing(Comparator.<ObjectNode>comparingLong(e -> e.get("registered_at").asLong()).reversed()));
        int end = sliceEnd(limit, matches.size());
        return new Results(List.copyOf(matches.subList(0, end)), matches.size());
    }

    private record Match(Registration registration, ObjectNode skill) {
    }

    private synchronized List<Match> matching(JsonNode query, long now) {
        String capability = optionalText(query, "capability");
        String currency = optionalText(query, "currency");
        Double maxRate = optionalNumber(query, "max_rate");
        dropExpired(now);
        String needle = capability == null || capability.isEmpty() ? null : capability.toLowerCase(Locale.ROOT);
        boolean byCurrency = currency != null && !currency.isEmpty();
        List<Match> matches = new ArrayList<>();
        for (Registration r : registrations.values()) {
            for (ObjectNode skill : r.skills()) {
                if (needle != null && !skill.get("capability").asText().toLowerCase(Locale.ROOT).contains(needle)) {
                    continue;
                }
                if (maxRate != null && skill.has("rate") && skill.get("rate").asDouble() > maxRate) {
                    continue;
                }
                if (byCurrency && skill.has("currency") && !skill.get("currency").asText().equalsIgnoreCase(currency)) {
                    continue;
                }
                matches.add(new Match(r, skill));
            }
        }
        return matches;
    }

    /** Registrations older than the TTL are dropped; returns how many. */
    synchronized int dropExpired(long now) {
        int dropped = 0;
        long ttl = config.skillTtl().toMillis();
        for (Iterator<Registration> it = registrations.values().iterator(); it.hasNext(); ) {
            if (it.next().registeredAt() + ttl < now) {
                it.remove();
                dropped++;
            }
        }
        return dropped;
    }

    synchronized int size() {
        return registrations.size();
    }

    /**
     * JavaScript's {@code slice(0, limit)} with a falsy limit meaning 50, as the reference does
     * (a negative limit drops entries from the end), capped at the configured maximum.
     */
    private int sliceEnd(Double limit, int size) {
        double l = limit == null || limit == 0 || limit.isNaN() ? DEFAULT_LIMIT : limit;
        long n = l < 0 ? Math.max(0, size + (long) Math.ceil(l)) : Math.min(size, (long) Math.floor(l));
        return (int) Math.min(n, config.maxSearchResults());
    }

    /** {@code {agent_id, …the skill's keys…, registered_at, rating, transactions}}: server fields cannot be overridden. */
    private static ObjectNode entry(Registration r, ObjectNode skill, Rating rating) {
        ObjectNode e = JsonNodeFactory.instance.objectNode();
        e.put("agent_id", r.agent());
        e.setAll(skill);
        e.put("registered_at", r.registeredAt());
        e.put("rating", rating.rating());
        e.put("transactions", rating.transactions());
        return e;
    }

    private ObjectNode sanitise(JsonNode skill, int index) {
        ObjectNode clean = JsonNodeFactory.instance.objectNode();
        String where = "Skill " + index + ": ";
        for (Iterator<Map.Entry<String, JsonNode>> it = skill.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String key = field.getKey();
            JsonNode value = field.getValue();
            if (!KEYS.contains(key) || value == null || value.isNull()) {
                continue; // unknown keys (agent_id, rating, ...) would spoof search results
            }
            switch (key) {
                case "capability" -> clean.put(key, text(value, where + "capability", MAX_CAPABILITY));
                case "description" -> clean.put(key, text(value, where + "description", MAX_DESCRIPTION));
                case "currency" -> {
                    String currency = text(value, where + "currency", MAX_CURRENCY);
                    if (!currency.isEmpty()) {
                        clean.put(key, currency);
                    }
                }
                default -> {
                    if (!value.isNumber() || !Double.isFinite(value.asDouble()) || value.asDouble() < 0
                            || value.asDouble() > config.maxAmount()) {
                        throw invalid(where + "rate must be a non-negative number");
                    }
                    clean.set(key, ProposalBook.number(value.asDouble()));
                }
            }
        }
        return clean;
    }

    private static String text(JsonNode value, String what, int max) {
        if (!value.isTextual()) {
            throw invalid(what + " must be a string");
        }
        if (value.asText().length() > max) {
            throw invalid(what + " too long (max " + max + " chars)");
        }
        return value.asText();
    }

    private static String optionalText(JsonNode query, String key) {
        JsonNode value = query.get(key);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw invalid("query." + key + " must be a string");
        }
        return value.asText();
    }

    private static Double optionalNumber(JsonNode query, String key) {
        JsonNode value = query.get(key);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isNumber()) {
            throw invalid("query." + key + " must be a number");
        }
        return value.asDouble();
    }
}
