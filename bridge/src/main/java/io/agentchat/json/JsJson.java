package io.agentchat.json;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * {@code JSON.stringify} of the plain maps and lists identities are built from: they are turned
 * into a tree and written by {@link JsStringify}, not by Jackson's writer, whose escaping differs
 * (upper-case hex) while these bytes are signed or compared with Node's files.
 */
public final class JsJson {

    /** Turns maps and lists into a tree; strings stay strings, insertion order is kept. */
    private static final ObjectMapper TREES = new ObjectMapper();

    private JsJson() {
    }

    /** {@code JSON.stringify(value)} of plain maps, lists and strings (insertion order kept). */
    public static String compact(Object value) {
        return JsStringify.compact(TREES.valueToTree(value));
    }

    /** {@code JSON.stringify(value, null, 2)}: no trailing newline. */
    public static String pretty(Object value) {
        return JsStringify.pretty(TREES.valueToTree(value));
    }
}
