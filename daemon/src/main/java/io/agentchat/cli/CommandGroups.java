package io.agentchat.cli;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Help;
import picocli.CommandLine.IHelpSectionRenderer;

/**
 * The command list of {@code agentchat --help}, under one heading per kind of command. Each entry
 * is cut from picocli's own single list, so every group keeps the column width and line wrapping
 * that list has (picocli sizes the name column from all subcommands, not from a group's).
 */
final class CommandGroups implements IHelpSectionRenderer {

    private final Map<String, List<String>> groups;

    /** {@code groups}: heading to subcommand names, both in the order shown. */
    CommandGroups(Map<String, List<String>> groups) {
        this.groups = groups;
    }

    @Override
    public String render(Help help) {
        Map<String, String> entries = entriesByName(help.commandList());
        if (!entries.keySet().equals(namesInGroups())) {
            throw new IllegalStateException("each subcommand must be in exactly one help group: "
                    + entries.keySet() + " vs " + groups);
        }
        StringBuilder text = new StringBuilder();
        groups.forEach((heading, names) -> {
            if (text.length() > 0) {
                text.append(System.lineSeparator());
            }
            text.append(heading).append(System.lineSeparator());
            names.forEach(name -> text.append(entries.get(name)));
        });
        return text.toString();
    }

    private Set<String> namesInGroups() {
        Set<String> names = new LinkedHashSet<>();
        groups.values().forEach(list -> list.forEach(name -> {
            if (!names.add(name)) {
                throw new IllegalStateException(name + " is in two help groups");
            }
        }));
        return names;
    }

    /**
     * Splits picocli's list into its entries: an entry starts with a line indented by exactly two
     * spaces (the name) and goes on with the more deeply indented lines of a wrapped description.
     */
    private static Map<String, String> entriesByName(String list) {
        Map<String, String> entries = new LinkedHashMap<>();
        String name = null;
        StringBuilder entry = new StringBuilder();
        for (String line : list.lines().toList()) {
            if (line.startsWith("  ") && line.length() > 2 && line.charAt(2) != ' ') {
                if (name != null) {
                    entries.put(name, entry.toString());
                }
                name = line.substring(2).split(" ", 2)[0];
                entry.setLength(0);
            }
            entry.append(line).append(System.lineSeparator());
        }
        if (name != null) {
            entries.put(name, entry.toString());
        }
        return entries;
    }
}
