package io.agentchat.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The skills an agent announces, rebuilt key by key in the reference's order ({@code capability},
 * {@code rate}, {@code currency}, {@code description}) with integral rates as integers, as
 * {@code agentchat skills announce} builds them: the signature covers their exact JSON text.
 */
final class SkillList {

    private static final int MAX_SKILLS = 50;

    private SkillList() {
    }

    static ArrayNode from(JsonNode given) {
        if (given == null || !given.isArray() || given.isEmpty()) {
            throw new RequestRefused("\"skills\" must be a non-empty list of {capability, rate?, currency?, description?}");
        }
        if (given.size() > MAX_SKILLS) {
            throw new RequestRefused("\"skills\" holds " + given.size() + " entries, at most " + MAX_SKILLS);
        }
        ArrayNode skills = JsonNodeFactory.instance.arrayNode();
        for (JsonNode item : given) {
            if (!item.isObject()) {
                throw new RequestRefused("each skill must be an object such as {\"capability\": \"code-review\"}");
            }
            RequestArguments args = new RequestArguments((ObjectNode) item);
            ObjectNode skill = skills.addObject();
            skill.put("capability", args.text("capability"));
            Double rate = args.optionalNumber("rate");
            if (rate != null) {
                if (rate == Math.rint(rate) && Math.abs(rate) < 1e15) {
                    skill.put("rate", rate.longValue());
                } else {
                    skill.put("rate", rate);
                }
            }
            String currency = args.optionalText("currency");
            skill.put("currency", currency != null ? currency : "TEST");
            String description = args.optionalText("description");
            if (description != null) {
                skill.put("description", description);
            }
        }
        return skills;
    }
}
