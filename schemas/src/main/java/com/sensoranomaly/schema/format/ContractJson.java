package com.sensoranomaly.schema.format;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeType;

import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Collection;
import java.util.Iterator;
import java.util.Map;

/**
 * The contracts as plain JSON, the shape Kafka tools, Kafka Connect's JSON converter and Flink SQL's {@code json}
 * format expect: one object per record with the contract's field names; a union is its value or {@code null} (no Avro
 * union wrapper); enums are their symbol; bytes are base64; {@code timestamp-millis} fields are ISO-8601 strings
 * (epoch milliseconds accepted on input); a non-finite double is {@code null} (JSON has no NaN) and reads back as NaN.
 *
 * <p>Reading goes through the schema, so every problem names its field: a missing field without default, a value
 * of the wrong type, an unknown enum symbol. Fields the contract does not know are ignored, as Avro schema resolution
 * ignores writer fields the reader lacks: a producer may send more than the contract asks.
 */
public final class ContractJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonFactory FACTORY = MAPPER.getFactory();

    private ContractJson() {}

    /** A JSON field or value that does not fit the contract; the message names the field. */
    public static final class JsonContractException extends IOException {
        public JsonContractException(String message) {
            super(message);
        }
    }

    // ---- writing ----

    public static byte[] write(IndexedRecord record) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            write(record, record.getSchema(), g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void write(Object v, Schema s, JsonGenerator g) throws IOException {
        switch (s.getType()) {
            case RECORD -> {
                IndexedRecord r = (IndexedRecord) v;
                g.writeStartObject();
                for (Schema.Field f : s.getFields()) {
                    g.writeFieldName(f.name());
                    write(r.get(f.pos()), f.schema(), g);
                }
                g.writeEndObject();
            }
            case UNION -> {
                if (v == null) {
                    g.writeNull();
                } else {
                    write(v, branchFor(v, s), g);
                }
            }
            case MAP -> {
                g.writeStartObject();
                for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                    g.writeFieldName(e.getKey().toString());
                    write(e.getValue(), s.getValueType(), g);
                }
                g.writeEndObject();
            }
            case ARRAY -> {
                g.writeStartArray();
                for (Object item : (Collection<?>) v) {
                    write(item, s.getElementType(), g);
                }
                g.writeEndArray();
            }
            case STRING, ENUM -> g.writeString(v.toString());
            case BYTES -> {
                ByteBuffer b = ((ByteBuffer) v).duplicate();
                byte[] bytes = new byte[b.remaining()];
                b.get(bytes);
                g.writeString(Base64.getEncoder().encodeToString(bytes));
            }
            case FIXED -> g.writeString(Base64.getEncoder().encodeToString(((GenericData.Fixed) v).bytes()));
            case INT -> g.writeNumber(((Number) v).intValue());
            case LONG -> {
                if (v instanceof Instant i) {
                    g.writeString(i.toString());
                } else if (isTimestampMillis(s)) {
                    g.writeString(Instant.ofEpochMilli(((Number) v).longValue()).toString());
                } else {
                    g.writeNumber(((Number) v).longValue());
                }
            }
            case FLOAT, DOUBLE -> {
                double d = ((Number) v).doubleValue();
                if (Double.isFinite(d)) {
                    g.writeNumber(d);
                } else {
                    g.writeNull();
                }
            }
            case BOOLEAN -> g.writeBoolean((Boolean) v);
            case NULL -> g.writeNull();
        }
    }

    private static Schema branchFor(Object v, Schema union) {
        Schema only = null;
        int nonNull = 0;
        for (Schema b : union.getTypes()) {
            if (b.getType() != Schema.Type.NULL) {
                only = b;
                nonNull++;
            }
        }
        if (nonNull == 1) {
            return only;
        }
        return union.getTypes().get(GenericData.get().resolveUnion(union, v));
    }

    private static boolean isTimestampMillis(Schema s) {
        return s.getLogicalType() instanceof LogicalTypes.TimestampMillis;
    }

    // ---- reading ----

    /**
     * Reads one JSON object as a record of {@code schema} and returns it as Avro binary (no header), ready for a
     * {@code DatumReader} of the same schema: the contract's own classes then do the rest.
     */
    public static byte[] toBinary(byte[] json, Schema schema) throws JsonContractException {
        JsonNode node;
        try {
            node = MAPPER.readTree(json);
        } catch (IOException e) {
            throw new JsonContractException("not valid JSON: " + firstLine(e.getMessage()));
        }
        if (node == null || !node.isObject()) {
            throw new JsonContractException("expected one JSON object (a " + schema.getName() + "), got "
                    + (node == null ? "nothing" : kind(node)));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        BinaryEncoder enc = EncoderFactory.get().directBinaryEncoder(out, null);
        try {
            read(node, schema, enc, "");
            enc.flush();
        } catch (JsonContractException e) {
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void read(JsonNode n, Schema s, BinaryEncoder enc, String path) throws IOException {
        switch (s.getType()) {
            case RECORD -> {
                if (!n.isObject()) {
                    throw mismatch(path, "an object", n);
                }
                for (Schema.Field f : s.getFields()) {
                    String fp = path.isEmpty() ? f.name() : path + "." + f.name();
                    JsonNode v = n.get(f.name());
                    boolean nanAsNull = f.schema().getType() == Schema.Type.DOUBLE || f.schema().getType() == Schema.Type.FLOAT;
                    if ((v == null || (v.isNull() && !nanAsNull)) && !accepts(f.schema(), JsonNodeType.NULL)) {
                        if (f.hasDefaultValue()) {
                            new GenericDatumWriter<>(f.schema()).write(GenericData.get().getDefaultValue(f), enc);
                            continue;
                        }
                        throw new JsonContractException("field '" + fp + "' is " + (v == null ? "missing" : "null")
                                + " (" + describe(f.schema()) + " required)");
                    }
                    read(v == null ? com.fasterxml.jackson.databind.node.NullNode.getInstance() : v, f.schema(), enc, fp);
                }
            }
            case UNION -> {
                int i = 0;
                for (Schema b : s.getTypes()) {
                    if (accepts(b, n.getNodeType())) {
                        enc.writeIndex(i);
                        read(n, b, enc, path);
                        return;
                    }
                    i++;
                }
                throw mismatch(path, describe(s), n);
            }
            case MAP -> {
                if (!n.isObject()) {
                    throw mismatch(path, "an object of " + describe(s.getValueType()), n);
                }
                enc.writeMapStart();
                enc.setItemCount(n.size());
                for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    enc.startItem();
                    enc.writeString(e.getKey());
                    read(e.getValue(), s.getValueType(), enc, path + "." + e.getKey());
                }
                enc.writeMapEnd();
            }
            case ARRAY -> {
                if (!n.isArray()) {
                    throw mismatch(path, "an array", n);
                }
                enc.writeArrayStart();
                enc.setItemCount(n.size());
                int i = 0;
                for (JsonNode item : n) {
                    enc.startItem();
                    read(item, s.getElementType(), enc, path + "[" + i++ + "]");
                }
                enc.writeArrayEnd();
            }
            case STRING -> {
                if (!n.isTextual()) {
                    throw mismatch(path, "a string", n);
                }
                enc.writeString(n.textValue());
            }
            case ENUM -> {
                if (!n.isTextual() || !s.hasEnumSymbol(n.textValue())) {
                    throw mismatch(path, "one of " + s.getEnumSymbols(), n);
                }
                enc.writeEnum(s.getEnumOrdinal(n.textValue()));
            }
            case BYTES -> {
                if (!n.isTextual()) {
                    throw mismatch(path, "a base64 string", n);
                }
                try {
                    enc.writeBytes(Base64.getDecoder().decode(n.textValue()));
                } catch (IllegalArgumentException e) {
                    throw mismatch(path, "a base64 string", n);
                }
            }
            case INT -> {
                if (!n.isIntegralNumber() || !n.canConvertToInt()) {
                    throw mismatch(path, "an integer", n);
                }
                enc.writeInt(n.intValue());
            }
            case LONG -> {
                if (isTimestampMillis(s) && n.isTextual()) {
                    try {
                        enc.writeLong(Instant.parse(n.textValue()).toEpochMilli());
                    } catch (DateTimeParseException | ArithmeticException e) {
                        throw mismatch(path, "an ISO-8601 instant such as 2026-12-01T08:00:00Z, or epoch milliseconds", n);
                    }
                } else if (n.isIntegralNumber() && n.canConvertToLong()) {
                    enc.writeLong(n.longValue());
                } else {
                    throw mismatch(path, isTimestampMillis(s) ? "an ISO-8601 instant or epoch milliseconds" : "an integer", n);
                }
            }
            case FLOAT, DOUBLE -> {
                double d;
                if (n.isNumber()) {
                    d = n.doubleValue();
                } else if (n.isNull()) {
                    d = Double.NaN; // how non-finite values are written (JSON has no NaN)
                } else {
                    throw mismatch(path, "a number", n);
                }
                if (s.getType() == Schema.Type.FLOAT) {
                    enc.writeFloat((float) d);
                } else {
                    enc.writeDouble(d);
                }
            }
            case BOOLEAN -> {
                if (!n.isBoolean()) {
                    throw mismatch(path, "true or false", n);
                }
                enc.writeBoolean(n.booleanValue());
            }
            case NULL -> {
                if (!n.isNull()) {
                    throw mismatch(path, "null", n);
                }
                enc.writeNull();
            }
            case FIXED -> throw new JsonContractException("field '" + path + "': fixed values are not read from JSON");
        }
    }

    /** Whether a JSON value of this kind can be read as {@code s} (picks the branch of a union). */
    private static boolean accepts(Schema s, JsonNodeType t) {
        return switch (s.getType()) {
            case NULL -> t == JsonNodeType.NULL;
            case RECORD, MAP -> t == JsonNodeType.OBJECT;
            case ARRAY -> t == JsonNodeType.ARRAY;
            case STRING, ENUM, BYTES -> t == JsonNodeType.STRING;
            case INT, FLOAT, DOUBLE -> t == JsonNodeType.NUMBER;
            case LONG -> t == JsonNodeType.NUMBER || (t == JsonNodeType.STRING && isTimestampMillis(s));
            case BOOLEAN -> t == JsonNodeType.BOOLEAN;
            case UNION -> s.getTypes().stream().anyMatch(b -> accepts(b, t));
            case FIXED -> false;
        };
    }

    private static String describe(Schema s) {
        return switch (s.getType()) {
            case UNION -> String.join(" or ", s.getTypes().stream().map(ContractJson::describe).toList());
            case LONG -> isTimestampMillis(s) ? "an ISO-8601 instant or epoch milliseconds" : "an integer";
            case INT -> "an integer";
            case FLOAT, DOUBLE -> "a number";
            case STRING -> "a string";
            case BOOLEAN -> "true or false";
            case NULL -> "null";
            case MAP, RECORD -> "an object";
            case ARRAY -> "an array";
            case ENUM -> "one of " + s.getEnumSymbols();
            case BYTES -> "a base64 string";
            case FIXED -> "fixed";
        };
    }

    private static JsonContractException mismatch(String path, String expected, JsonNode got) {
        String shown = got.toString();
        if (shown.length() > 60) {
            shown = shown.substring(0, 60) + "...";
        }
        return new JsonContractException("field '" + path + "': expected " + expected + ", got " + kind(got) + " " + shown);
    }

    private static String kind(JsonNode n) {
        return n.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
