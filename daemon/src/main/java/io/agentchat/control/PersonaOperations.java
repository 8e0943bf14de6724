package io.agentchat.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentchat.client.ClientException;
import io.agentchat.client.Connection;
import io.agentchat.client.MarketClient;
import io.agentchat.client.ServerErrorException;
import io.agentchat.daemon.ServerLink;
import io.agentchat.identity.Identity;
import io.agentchat.protocol.FrameCodec;
import io.agentchat.protocol.ServerFrame;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * The persona's requests, done on the connection its {@link ServerLink} keeps: what the daemon's
 * control socket and an in-process {@code agentchat mcp} both call. Each operation checks its
 * arguments first ({@link RequestArguments}), waits a bounded time for a live connection, and turns
 * the server's ERROR into a {@link RequestRefused} carrying the server's code and message.
 *
 * <p>Joining, creating and leaving also update the link's channel list, so a reconnect rejoins
 * exactly what the agent asked for.
 */
public final class PersonaOperations implements PersonaRequests {

    /** Every operation name, as the MCP tools name them without their {@code agentchat_} prefix. */
    public static final Set<String> OPERATIONS = Set.of("send", "channels", "agents", "join", "leave",
            "create_channel", "invite", "whoami", "skills_search", "skills_announce", "propose", "accept",
            "reject", "complete", "dispute");

    /** How long a request waits for a live connection; part of {@link ControlClient#ANSWER_WAIT}. */
    static final Duration LIVE_WAIT = Duration.ofSeconds(10);
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final ServerLink link;
    private final Identity identity;
    private final String server;
    private final FrameCodec codec = new FrameCodec();

    /** @param server the relay's address as configured (shown by {@code whoami}) */
    public PersonaOperations(ServerLink link, Identity identity, String server) {
        this.link = link;
        this.identity = identity;
        this.server = server;
    }

    @Override
    public ObjectNode call(String operation, ObjectNode arguments) {
        RequestArguments args = new RequestArguments(arguments == null ? JSON.objectNode() : arguments);
        if ("whoami".equals(operation)) {
            return whoami();
        }
        if (!OPERATIONS.contains(String.valueOf(operation))) {
            throw new RequestRefused("unknown operation \"" + operation + "\"");
        }
        // Arguments are checked before waiting for a connection: a bad call is answered at once.
        Request request = prepare(operation, args);
        Connection connection = connection();
        try {
            return request.on(connection);
        } catch (ServerErrorException e) {
            throw new RequestRefused("the server refused it: " + e.wireCode() + ": " + e.getMessage());
        } catch (ClientException e) {
            throw new RequestRefused("no answer from the server (" + e.getMessage() + "); try again");
        }
    }

    /** One request with its arguments already checked. */
    private interface Request {
        ObjectNode on(Connection connection);
    }

    private Request prepare(String operation, RequestArguments args) {
        return switch (operation) {
            case "send" -> send(args.target("to"), args.content("content"));
            case "channels" -> connection -> channels(connection.listChannels());
            case "agents" -> agents(args.channel("channel"));
            case "join" -> join(args.channel("channel"));
            case "leave" -> leave(args.channel("channel"));
            case "create_channel" -> create(args.channel("channel"), args.flag("private"));
            case "invite" -> invite(args.channel("channel"), args.agent("agent"));
            case "skills_search" -> skillsSearch(args);
            case "skills_announce" -> skillsAnnounce(SkillList.from(args.node("skills")));
            case "propose" -> propose(new MarketClient.Terms(args.agent("to"), args.text("task"),
                    args.optionalNumber("amount"), args.optionalText("currency"), args.optionalText("payment_code"),
                    args.optionalText("terms"), args.optionalNumber("expires"),
                    args.optionalInteger("elo_stake", 0, 1_000_000)));
            case "accept" -> accept(args.text("proposal_id"), args.optionalText("payment_code"),
                    args.optionalInteger("elo_stake", 0, 1_000_000));
            case "reject" -> reject(args.text("proposal_id"), args.optionalText("reason"));
            case "complete" -> complete(args.text("proposal_id"), args.optionalText("proof"));
            case "dispute" -> dispute(args.text("proposal_id"), args.text("reason"));
            default -> throw new RequestRefused("unknown operation \"" + operation + "\"");
        };
    }

    private Connection connection() {
        try {
            ServerLink.LiveConnection live = link.awaitLive(LIVE_WAIT);
            if (live == null) {
                throw new RequestRefused("not connected to " + server + " (reconnecting); try again shortly");
            }
            return live.connection();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RequestRefused("interrupted while waiting for the connection");
        }
    }

    private ObjectNode whoami() {
        ObjectNode result = JSON.objectNode();
        result.put("id", "@" + identity.agentId());
        result.put("name", identity.name());
        result.put("server", server);
        ArrayNode channels = result.putArray("channels");
        link.channels().forEach(channels::add);
        result.put("connected", link.live() != null);
        return result;
    }

    private static Request send(String to, String content) {
        return connection -> {
            ServerFrame.Msg echo = connection.send(to, content);
            ObjectNode result = JSON.objectNode();
            result.put("sent", true);
            result.put("to", to);
            result.put("ts", echo.ts());
            return result;
        };
    }

    private static ObjectNode channels(List<ServerFrame.ChannelInfo> list) {
        ObjectNode result = JSON.objectNode();
        ArrayNode channels = result.putArray("channels");
        for (ServerFrame.ChannelInfo info : list) {
            channels.addObject().put("name", info.name()).put("agents", info.agents());
        }
        return result;
    }

    private static Request agents(String channel) {
        return connection -> {
            ObjectNode result = JSON.objectNode();
            result.put("channel", channel);
            ArrayNode agents = result.putArray("agents");
            for (ServerFrame.AgentInfo info : connection.listAgents(channel)) {
                ObjectNode agent = agents.addObject().put("id", info.id()).put("name", info.name());
                if (info.presence() != null) {
                    agent.put("presence", info.presence());
                }
                if (info.statusText() != null) {
                    agent.put("status_text", info.statusText());
                }
            }
            return result;
        };
    }

    private Request join(String channel) {
        return connection -> {
            ServerFrame.Joined joined = connection.join(channel);
            link.remember(channel);
            ObjectNode result = JSON.objectNode();
            result.put("joined", channel);
            ArrayNode agents = result.putArray("agents");
            joined.agents().forEach(agents::add);
            return result;
        };
    }

    private Request leave(String channel) {
        return connection -> {
            connection.leave(channel);
            link.forget(channel);
            return JSON.objectNode().put("left", channel);
        };
    }

    private Request create(String channel, boolean inviteOnly) {
        return connection -> {
            connection.createChannel(channel, inviteOnly);
            link.remember(channel);
            return JSON.objectNode().put("created", channel).put("private", inviteOnly);
        };
    }

    private static Request invite(String channel, String agent) {
        return connection -> {
            connection.invite(channel, agent);
            return JSON.objectNode().put("invited", agent).put("channel", channel);
        };
    }

    private static Request skillsSearch(RequestArguments args) {
        ObjectNode query = JSON.objectNode();
        String capability = args.optionalText("capability");
        if (capability != null && !capability.isBlank()) {
            query.put("capability", capability);
        }
        Double maxRate = args.optionalNumber("max_rate");
        if (maxRate != null) {
            query.put("max_rate", maxRate);
        }
        String currency = args.optionalText("currency");
        if (currency != null) {
            query.put("currency", currency);
        }
        Integer limit = args.optionalInteger("limit", 1, 100);
        query.put("limit", limit == null ? 20 : limit);
        return connection -> {
            ServerFrame.SearchResults found = new MarketClient(connection).searchSkills(query);
            ObjectNode result = JSON.objectNode();
            ArrayNode results = result.putArray("results");
            found.results().forEach(results::add);
            result.put("total", found.total());
            return result;
        };
    }

    private static Request skillsAnnounce(ArrayNode skills) {
        return connection -> {
            ServerFrame.SkillsRegistered registered = new MarketClient(connection).registerSkills(skills);
            return JSON.objectNode().put("registered", registered.skillsCount()).put("agent", registered.agentId());
        };
    }

    private Request propose(MarketClient.Terms terms) {
        return connection -> frame(new MarketClient(connection).propose(terms));
    }

    private Request accept(String proposalId, String paymentCode, Integer eloStake) {
        return connection -> frame(new MarketClient(connection).accept(proposalId, paymentCode, eloStake));
    }

    private Request reject(String proposalId, String reason) {
        return connection -> frame(new MarketClient(connection).reject(proposalId, reason));
    }

    private Request complete(String proposalId, String proof) {
        return connection -> frame(new MarketClient(connection).complete(proposalId, proof));
    }

    private Request dispute(String proposalId, String reason) {
        return connection -> frame(new MarketClient(connection).dispute(proposalId, reason));
    }

    /** A marketplace answer as the server sent it, without its signature (noise to a model). */
    private ObjectNode frame(ServerFrame frame) {
        JsonNode node = codec.parse(codec.encode(frame));
        ObjectNode result = node.deepCopy();
        result.remove("sig");
        return result;
    }
}
