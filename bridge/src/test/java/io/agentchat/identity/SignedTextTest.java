package io.agentchat.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentchat.json.JsNumber;
import io.agentchat.json.JsStringify;
import org.junit.jupiter.api.Test;

class SignedTextTest {

    @Test
    void jsNumberFormattingMatchesStringOfN() {
        assertEquals("2", JsNumber.format(2.0));
        assertEquals("1.5", JsNumber.format(1.5));
        assertEquals("0.30000000000000004", JsNumber.format(0.1 + 0.2));
        assertEquals("1e+21", JsNumber.format(1e21));
        assertEquals("100000000000000000000", JsNumber.format(1e20));
        assertEquals("1e-7", JsNumber.format(1e-7));
        assertEquals("0.000001", JsNumber.format(1e-6));
        assertEquals("-3.25", JsNumber.format(-3.25));
        assertEquals("0", JsNumber.format(-0.0));
        assertEquals("2e+23", JsNumber.format(2e23));
        assertEquals("1.7976931348623157e+308", JsNumber.format(Double.MAX_VALUE));
        assertEquals("5e-324", JsNumber.format(Double.MIN_VALUE));
        assertEquals("1795576000000", JsNumber.format(1795576000000.0));
        assertEquals("123.456", JsNumber.format(123.456));
    }

    @Test
    void proposalStringIsTheObservedOne() {
        assertEquals("@8183df36|Review PR #42|2|USDC|alice-pay|300|",
                SignedText.proposal("@8183df36", "Review PR #42", 2.0, "USDC", "alice-pay", 300.0, null));
        assertEquals("@a|t||||1.5|5", SignedText.proposal("@a", "t", null, null, null, 1.5, 5));
        assertEquals("@a|t|||||", SignedText.proposal("@a", "t", 0.0, "", null, null, 0));
    }

    @Test
    void responseStringsAreTheObservedOnes() {
        assertEquals("ACCEPT|prop_mwvjs87v_69d4835f|bob-pay|", SignedText.accept("prop_mwvjs87v_69d4835f", "bob-pay", null));
        assertEquals("ACCEPT|p||20", SignedText.accept("p", null, 20));
        assertEquals("REJECT|prop_mwvjsa30_1e73e632|too busy", SignedText.reject("prop_mwvjsa30_1e73e632", "too busy"));
        assertEquals("COMPLETE|prop_mwvjs87v_69d4835f|tx:abc", SignedText.complete("prop_mwvjs87v_69d4835f", "tx:abc"));
        assertEquals("COMPLETE|p|", SignedText.complete("p", null));
        assertEquals("DISPUTE|prop_mwvjsafk_00908b69|not delivered",
                SignedText.dispute("prop_mwvjsafk_00908b69", "not delivered"));
    }

    @Test
    void skillsAndMessageStringsAreJsonStringify() throws Exception {
        var skills = new ObjectMapper().readTree(
                "[{\"capability\":\"code_review\",\"rate\":5.0,\"currency\":\"TEST\",\"b\":\"\\u0001/é\",\"2\":1,\"10\":true}]");
        assertEquals("[{\"2\":1,\"10\":true,\"capability\":\"code_review\",\"rate\":5,\"currency\":\"TEST\",\"b\":\"\\u0001/é\"}]",
                SignedText.registerSkills(skills));
        assertEquals("{\"to\":\"#general\",\"content\":\"hi\",\"ts\":1795576000000}",
                SignedText.msg("#general", "hi", 1795576000000L));
        assertEquals("AGENTCHAT-VERIFY|verify_x_1|abc", SignedText.verification("verify_x_1", "abc"));
    }

    @Test
    void prettyMatchesJsonStringifyWithIndent() throws Exception {
        var obj = new ObjectMapper().readTree("{\"@a\":{\"rating\":1212,\"transactions\":1,\"updated\":\"x\"},\"e\":{}}");
        assertEquals("{\n  \"@a\": {\n    \"rating\": 1212,\n    \"transactions\": 1,\n    \"updated\": \"x\"\n  },\n  \"e\": {}\n}",
                JsStringify.pretty(obj));
    }
}
