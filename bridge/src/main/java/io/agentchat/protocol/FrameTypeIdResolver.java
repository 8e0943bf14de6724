package io.agentchat.protocol;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.DatabindContext;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.jsontype.impl.TypeIdResolverBase;

/**
 * Jackson's {@code type} property, read from {@link FrameType} instead of a {@code @JsonTypeName}
 * on each record, so the wire names are spelled only in the enum. One resolver serves both
 * directions: the base type Jackson hands to {@link #init} says which records the names map to.
 */
final class FrameTypeIdResolver extends TypeIdResolverBase {
    /**
     * The type written for {@link ServerFrame.Unknown}, which has no wire type of its own; nothing
     * sends it, but encoding one must not fail.
     */
    private static final String UNKNOWN = "UNKNOWN";

    private boolean serverSide;

    @Override
    public void init(JavaType baseType) {
        super.init(baseType);
        serverSide = ServerFrame.class.isAssignableFrom(baseType.getRawClass());
    }

    @Override
    public String idFromValue(Object value) {
        return idFromValueAndType(value, value.getClass());
    }

    @Override
    public String idFromValueAndType(Object value, Class<?> suggestedType) {
        FrameType type = FrameType.of(suggestedType);
        return type == null ? UNKNOWN : type.name();
    }

    @Override
    public JavaType typeFromId(DatabindContext context, String id) {
        FrameType type = FrameType.fromWire(id);
        Class<?> record = type == null ? null : serverSide ? type.serverFrame() : type.clientFrame();
        return record == null ? null : context.constructType(record);
    }

    @Override
    public JsonTypeInfo.Id getMechanism() {
        return JsonTypeInfo.Id.CUSTOM;
    }
}
