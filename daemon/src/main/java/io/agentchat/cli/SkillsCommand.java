package io.agentchat.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentchat.client.MarketClient;
import io.agentchat.identity.Identity;
import io.agentchat.json.JsNumber;
import io.agentchat.json.JsStringify;
import io.agentchat.protocol.ServerFrame;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code skills <announce|search|list> [server]} (docs/protocol.md §9.4). Unlike the original, {@code --file} works
 * ({@link SkillsFile}), and search filters on currency only when {@code --currency} is given.
 * {@code list} shows this identity's own registration, found by a search.
 */
@Command(name = "skills", mixinStandardHelpOptions = true,
        description = "Manage skill discovery: announce, search, list.",
        footer = {"", "Examples:",
            "  agentchat skills announce ws://localhost:6667 -c code_review -r 5 --description \"Reviews code\"",
            "  agentchat skills search ws://localhost:6667 -c code --max-rate 10",
            "  agentchat skills list ws://localhost:6667"})
final class SkillsCommand implements Callable<Integer> {
    /** How many results {@code list} asks for when looking for its own entries. */
    static final int LIST_LIMIT = 1000;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    SignerOptions signer;

    @Parameters(index = "0", paramLabel = "<action>", description = "announce, search or list.")
    String action;

    @Parameters(index = "1", arity = "0..1", paramLabel = "[server]", description = ServerArgument.DESCRIPTION)
    String server;

    @Option(names = {"-c", "--capability"}, paramLabel = "<capability>", description = "Skill capability (announce), or part of one (search).")
    String capability;

    @Option(names = {"-r", "--rate"}, paramLabel = "<rate>", description = "Rate/price for the skill (announce).")
    Double rate;

    @Option(names = "--currency", paramLabel = "<currency>",
            description = "Currency of the rate (announce: default TEST); search: filter, only when given.")
    String currency;

    @Option(names = "--description", paramLabel = "<desc>", description = "Description of the skill (announce).")
    String description;

    @Option(names = {"-f", "--file"}, paramLabel = "<file>", description = "YAML or JSON file with skill definitions (announce).")
    Path file;

    @Option(names = "--max-rate", paramLabel = "<rate>", description = "Maximum rate (search).")
    Double maxRate;

    @Option(names = {"-l", "--limit"}, paramLabel = "<n>", description = "Limit search results (server default: 50).")
    Integer limit;

    @Option(names = "--json", description = "Output search results as JSON.")
    boolean json;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        if (!List.of("announce", "search", "list").contains(action)) {
            err.println("Unknown action: " + action);
            err.println("Valid actions: announce, search, list");
            return ExitCodes.FAILURE;
        }
        if (server == null) {
            err.println("Server URL required: agentchat skills " + action + " <server>");
            return ExitCodes.FAILURE;
        }
        return switch (action) {
            case "announce" -> announce();
            case "search" -> search();
            default -> list();
        };
    }

    private int announce() {
        ArrayNode skills;
        if (file != null) {
            skills = SkillsFile.read(file);
        } else if (capability != null) {
            // The reference's key order; absent values are left out, as JSON.stringify drops undefined.
            ObjectNode skill = JsonNodeFactory.instance.arrayNode().addObject();
            skill.put("capability", capability);
            if (rate != null) {
                double r = finite("--rate", rate);
                // Integral rates go out as integers, as JavaScript writes them.
                if (r == Math.rint(r) && Math.abs(r) < 1e15) {
                    skill.put("rate", (long) r);
                } else {
                    skill.put("rate", r);
                }
            }
            skill.put("currency", currency != null ? currency : "TEST");
            if (description != null) {
                skill.put("description", description);
            }
            skills = JsonNodeFactory.instance.arrayNode().add(skill);
        } else {
            spec.commandLine().getErr().println("Either --file or --capability required");
            return ExitCodes.FAILURE;
        }
        ServerFrame.SkillsRegistered registered;
        try (CommandConnection session = signer.open(spec.commandLine(), server)) {
            registered = new MarketClient(session.connection()).registerSkills(skills);
        }
        spec.commandLine().getOut().println("Registered " + registered.skillsCount() + " skill(s) for "
                + registered.agentId());
        return ExitCodes.OK;
    }

    private int search() {
        ObjectNode query = JsonNodeFactory.instance.objectNode();
        if (capability != null && !capability.isEmpty()) {
            query.put("capability", capability);
        }
        if (maxRate != null) {
            query.put("max_rate", finite("--max-rate", maxRate));
        }
        if (currency != null && !currency.isEmpty()) {
            query.put("currency", currency);
        }
        if (limit != null && limit != 0) {
            query.put("limit", limit);
        }
        ServerFrame.SearchResults results = query(query);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(JsStringify.pretty(JsonNodeFactory.instance.arrayNode().addAll(results.results())));
            return ExitCodes.OK;
        }
        out.println("Found " + results.results().size() + " skill(s) (" + results.total() + " total):");
        out.println();
        for (JsonNode skill : results.results()) {
            out.println("  " + skill.path("agent_id").asText());
            printSkill(out, skill);
        }
        return ExitCodes.OK;
    }

    private int list() {
        Identity identity = signer.loadIdentity();
        String self = "@" + identity.agentId();
        ObjectNode query = JsonNodeFactory.instance.objectNode();
        if (capability != null && !capability.isEmpty()) {
            query.put("capability", capability);
        }
        query.put("limit", LIST_LIMIT);
        ServerFrame.SearchResults results = query(query);
        List<JsonNode> own = results.results().stream().filter(s -> self.equals(s.path("agent_id").asText())).toList();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(JsStringify.pretty(JsonNodeFactory.instance.arrayNode().addAll(own)));
            return ExitCodes.OK;
        }
        if (own.isEmpty()) {
            out.println("No skills registered for " + self + ".");
        } else {
            out.println("Skills registered for " + self + " (" + own.size() + "):");
            out.println();
            own.forEach(skill -> printSkill(out, skill));
        }
        if (results.results().size() < results.total()) {
            // The protocol has no "my registration" query; a search is capped by the server.
            out.println("Note: the server returned " + results.results().size() + " of " + results.total()
                    + " skills; narrow the list with -c <capability>.");
        }
        return ExitCodes.OK;
    }

    /** Searches are not signed, so they run as an ephemeral agent and never take over a daemon's identity. */
    private ServerFrame.SearchResults query(ObjectNode query) {
        var servers = ServerArgument.parse(spec.commandLine(), server);
        try (CommandConnection session = CommandConnection.open(servers, "agent-" + ProcessHandle.current().pid(), null,
                signer.timeout(spec.commandLine()), null)) {
            return new MarketClient(session.connection()).searchSkills(query);
        }
    }

    private static void printSkill(PrintWriter out, JsonNode skill) {
        JsonNode rateValue = skill.get("rate");
        String shownRate = rateValue == null ? "negotiable"
                : value(rateValue) + " " + (skill.hasNonNull("currency") ? skill.get("currency").asText() : "");
        out.println("    Capability: " + skill.path("capability").asText());
        out.println("    Rate: " + shownRate);
        if (skill.hasNonNull("description") && !skill.get("description").asText().isEmpty()) {
            out.println("    Description: " + skill.get("description").asText());
        }
        out.println();
    }

    private static String value(JsonNode node) {
        return node.isNumber() ? JsNumber.format(node.asDouble()) : node.isNull() ? "null" : node.asText();
    }

    private double finite(String option, double value) {
        if (!Double.isFinite(value)) {
            throw new BadValueException(spec.commandLine(), "Invalid value for option '" + option + "': " + value);
        }
        return value;
    }
}
