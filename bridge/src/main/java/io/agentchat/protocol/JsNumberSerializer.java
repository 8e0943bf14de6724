package io.agentchat.protocol;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import io.agentchat.identity.JsNumber;
import java.io.IOException;

/** Writes a Double the way JavaScript's {@code JSON.stringify} does: {@code 5}, not {@code 5.0}. */
final class JsNumberSerializer extends StdSerializer<Double> {
    JsNumberSerializer() {
        super(Double.class);
    }

    @Override
    public void serialize(Double value, JsonGenerator out, SerializerProvider provider) throws IOException {
        out.writeNumber(JsNumber.format(value));
    }
}
