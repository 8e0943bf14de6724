package io.agentchat.json;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsJsonTest {

    @Test
    void stringEscapingMatchesJsonStringify() {
        String s = "a\"b\\c/d\n\r\t\b\f\u0000\u001f\u007f é€\uD83D\uDE00 \u2028 \ud800x \udc00";
        // JSON.stringify(s) in Node 20.
        String expected = "\"a\\\"b\\\\c/d\\n\\r\\t\\b\\f\\u0000\\u001f\u007f é€\uD83D\uDE00 \u2028 \\ud800x \\udc00\"";
        assertEquals(expected, JsStringify.quote(s));
    }

    @Test
    void prettyPrintingMatchesJsonStringifyWithIndentTwo() {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("x", "1");
        inner.put("y", "2");
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("a", List.of());
        root.put("b", Map.of());
        root.put("c", List.of(inner));
        root.put("d", "e");
        // JSON.stringify({a:[], b:{}, c:[{x:"1",y:"2"}], d:"e"}, null, 2) in Node 20.
        String expected = "{\n  \"a\": [],\n  \"b\": {},\n  \"c\": [\n    {\n      \"x\": \"1\",\n      \"y\": \"2\"\n"
                + "    }\n  ],\n  \"d\": \"e\"\n}";
        assertEquals(expected, JsJson.pretty(root));
        assertEquals("{\"a\":[],\"b\":{},\"c\":[{\"x\":\"1\",\"y\":\"2\"}],\"d\":\"e\"}", JsJson.compact(root));
    }
}
