package io.agentchat.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;

/** Writes a Double the way JavaScript's {@code JSON.stringify} does: {@code 5}, not {@code 5.0}. */
public final class JsNumberSerializer extends StdSerializer<Double> {
    public JsNumberSerializer() {
        super(Double.class);
    }

    @Override
    public void serialize(Double value, JsonGenerator out, SerializerProvider provider) throws IOException {
        out.writeNumber(JsNumber.format(value));
    }
}
