package com.sensoranomaly.schema;

import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.avro.util.ClassSecurityValidator;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Encoding and decoding of the contracts on Kafka: Avro single-object encoding (marker C3 01, the
 * schema's 8-byte CRC-64-AVRO fingerprint, then the binary body), so no schema registry is needed.
 *
 * <p>Avro 1.12.2 refuses to instantiate classes outside an allow-list when decoding (a guard against
 * deserialization gadgets). This class adds exactly this package to that list, once, before any use;
 * Java consumers decoding through it need no {@code org.apache.avro.SERIALIZABLE_PACKAGES} flag.
 */
public final class AvroContracts {
    public static final String PACKAGE = "com.sensoranomaly.schema";

    static {
        trustContractClasses();
    }

    private AvroContracts() {}

    /** Adds this package to Avro's trusted classes, keeping whatever was trusted before. Idempotent. */
    public static synchronized void trustContractClasses() {
        ClassSecurityValidator.ClassSecurityPredicate previous = ClassSecurityValidator.getGlobal();
        if (previous instanceof ContractTrust) {
            return;
        }
        ClassSecurityValidator.setGlobal(new ContractTrust(previous));
    }

    private record ContractTrust(ClassSecurityValidator.ClassSecurityPredicate previous)
            implements ClassSecurityValidator.ClassSecurityPredicate {
        @Override
        public boolean isTrusted(Class<?> c) {
            return c.getName().startsWith(PACKAGE + ".") || previous.isTrusted(c);
        }

        @Override
        public void forbiddenClass(String className) {
            previous.forbiddenClass(className);
        }
    }

    /**
     * Released earlier schemas per contract (resources {@code avro/history/<file>}, see src/main/history): decoders
     * accept records written with them, resolved into the current class.
     */
    static final Map<String, List<String>> HISTORY = Map.of("DeadLetter", List.of("DeadLetter-1.avsc"));
    // Before the decoders below, which read it while the class initializes.
    private static final Map<String, List<Schema>> HISTORY_SCHEMAS = new java.util.concurrent.ConcurrentHashMap<>();

    private static final BinaryMessageDecoder<SensorReading> READINGS = singleObjectDecoder(SensorReading.class);
    private static final BinaryMessageDecoder<AnomalyAlert> ALERTS = singleObjectDecoder(AnomalyAlert.class);
    private static final BinaryMessageDecoder<DeadLetter> DEAD_LETTERS = singleObjectDecoder(DeadLetter.class);
    private static final BinaryMessageDecoder<AnomalyScore> SCORES = singleObjectDecoder(AnomalyScore.class);
    private static final BinaryMessageDecoder<ReadingEmbedding> EMBEDDINGS = singleObjectDecoder(ReadingEmbedding.class);
    private static final BinaryMessageDecoder<ModelUpdate> MODEL_UPDATES = singleObjectDecoder(ModelUpdate.class);

    /** The earlier schemas of a contract, oldest first (read from the jar once). */
    public static List<Schema> history(Schema current) {
        return HISTORY_SCHEMAS.computeIfAbsent(current.getName(), AvroContracts::readHistory);
    }

    private static List<Schema> readHistory(String contract) {
        List<Schema> out = new ArrayList<>();
        for (String file : HISTORY.getOrDefault(contract, List.of())) {
            try (InputStream in = AvroContracts.class.getResourceAsStream("/avro/history/" + file)) {
                if (in == null) {
                    throw new IllegalStateException("contract history " + file + " is missing from the schemas jar");
                }
                out.add(new Schema.Parser().parse(in));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return List.copyOf(out);
    }

    private static <T> BinaryMessageDecoder<T> withHistory(BinaryMessageDecoder<T> decoder, Schema current) {
        history(current).forEach(decoder::addSchema);
        return decoder;
    }

    /**
     * A single-object decoder of contract {@code type} that knows every released schema of it, under the fingerprints
     * Java computes and under those of {@link #libraryVariantForm}: what decoders accept.
     */
    public static <T extends SpecificRecordBase> BinaryMessageDecoder<T> singleObjectDecoder(Class<T> type) {
        SpecificData model = SpecificData.getForClass(type);
        Schema current = model.getSchema(type);
        List<Schema> known = new ArrayList<>(history(current));
        known.add(current);
        Map<Long, Long> variants = new java.util.HashMap<>();
        for (Schema s : known) {
            long variant = SchemaNormalization.fingerprint64(libraryVariantForm(s).getBytes(StandardCharsets.UTF_8));
            long canonical = SchemaNormalization.parsingFingerprint64(s);
            if (variant != canonical) {
                variants.put(variant, canonical);
            }
        }
        return withHistory(new VariantAwareDecoder<>(model, current, variants), current);
    }

    /** Reads a header carrying a variant fingerprint as if it carried the specification's one; the body is the same. */
    private static final class VariantAwareDecoder<T> extends BinaryMessageDecoder<T> {
        private final Map<Long, Long> variants;

        VariantAwareDecoder(SpecificData model, Schema schema, Map<Long, Long> variants) {
            super(model, schema);
            this.variants = Map.copyOf(variants);
        }

        @Override
        public T decode(InputStream stream, T reuse) throws IOException {
            byte[] header = stream.readNBytes(10);
            if (header.length == 10) {
                ByteBuffer fp = ByteBuffer.wrap(header, 2, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                Long canonical = variants.get(fp.getLong(2));
                if (canonical != null) {
                    fp.putLong(2, canonical);
                }
            }
            return super.decode(new java.io.SequenceInputStream(new java.io.ByteArrayInputStream(header), stream), reuse);
        }
    }

    /**
     * The parsing canonical form as some producer libraries write it (Python's {@code avro} 1.11 among them): a primitive
     * with a logical type kept as an object, {@code {"type":"long"}}, where the specification (and Java) write {@code "long"}.
     * Its CRC-64-AVRO fingerprint differs from the specification's; decoders accept both, so such a producer needs no
     * patch. Anything else is written as the specification's canonical form.
     */
    public static String libraryVariantForm(Schema schema) {
        StringBuilder sb = new StringBuilder();
        variantForm(schema, sb, new java.util.HashSet<>());
        return sb.toString();
    }

    private static void variantForm(Schema s, StringBuilder sb, java.util.Set<String> named) {
        switch (s.getType()) {
            case RECORD -> {
                if (!named.add(s.getFullName())) {
                    sb.append('"').append(s.getFullName()).append('"');
                    return;
                }
                sb.append("{\"name\":\"").append(s.getFullName()).append("\",\"type\":\"record\",\"fields\":[");
                boolean first = true;
                for (Schema.Field f : s.getFields()) {
                    sb.append(first ? "" : ",").append("{\"name\":\"").append(f.name()).append("\",\"type\":");
                    variantForm(f.schema(), sb, named);
                    sb.append('}');
                    first = false;
                }
                sb.append("]}");
            }
            case ARRAY -> {
                sb.append("{\"type\":\"array\",\"items\":");
                variantForm(s.getElementType(), sb, named);
                sb.append('}');
            }
            case MAP -> {
                sb.append("{\"type\":\"map\",\"values\":");
                variantForm(s.getValueType(), sb, named);
                sb.append('}');
            }
            case UNION -> {
                sb.append('[');
                boolean first = true;
                for (Schema b : s.getTypes()) {
                    sb.append(first ? "" : ",");
                    variantForm(b, sb, named);
                    first = false;
                }
                sb.append(']');
            }
            case ENUM, FIXED -> sb.append(named.add(s.getFullName())
                    ? SchemaNormalization.toParsingForm(s) : "\"" + s.getFullName() + "\"");
            default -> {
                String primitive = "\"" + s.getType().getName() + "\"";
                sb.append(s.getLogicalType() != null ? "{\"type\":" + primitive + "}" : primitive);
            }
        }
    }

    /** A decoder of readings that knows every released SensorReading schema. */
    public static BinaryMessageDecoder<SensorReading> readingDecoder() {
        return singleObjectDecoder(SensorReading.class);
    }

    public static SensorReading reading(byte[] bytes) throws IOException {
        return READINGS.decode(bytes);
    }

    public static AnomalyAlert alert(byte[] bytes) throws IOException {
        return ALERTS.decode(bytes);
    }

    public static DeadLetter deadLetter(byte[] bytes) throws IOException {
        return DEAD_LETTERS.decode(bytes);
    }

    public static AnomalyScore score(byte[] bytes) throws IOException {
        return SCORES.decode(bytes);
    }

    public static ReadingEmbedding embedding(byte[] bytes) throws IOException {
        return EMBEDDINGS.decode(bytes);
    }

    public static ModelUpdate modelUpdate(byte[] bytes) throws IOException {
        return MODEL_UPDATES.decode(bytes);
    }

    /**
     * Why single-object {@code bytes} cannot be decoded as {@code schema}, for a producer to act on: the marker, or the
     * writer's fingerprint next to the ones this build knows and the canonical form the current one is computed from.
     */
    public static String explainUndecodable(byte[] bytes, Schema schema) {
        if (bytes == null || bytes.length < 10 || (bytes[0] & 0xFF) != 0xC3 || bytes[1] != 0x01) {
            com.sensoranomaly.schema.format.WireFormat seen = com.sensoranomaly.schema.format.WireFormat.detect(bytes);
            String looks = seen == null ? "" : "; it looks like " + seen.settingName()
                    + (seen == com.sensoranomaly.schema.format.WireFormat.REGISTRY_AVRO ? " (schema-registry framing: byte 0, a 4-byte schema id)" : "")
                    + ", which a job started with input.format=" + seen.settingName() + " reads";
            return "not Avro single-object encoding (it starts with the two bytes C3 01, then the 8-byte little-endian "
                    + "CRC-64-AVRO fingerprint of the writer schema, then the binary body)" + looks;
        }
        long writer = ByteBuffer.wrap(bytes, 2, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        long current = SchemaNormalization.parsingFingerprint64(schema);
        List<Schema> known = new ArrayList<>(history(schema));
        known.add(schema);
        if (known.stream().anyMatch(s -> SchemaNormalization.parsingFingerprint64(s) == writer
                || SchemaNormalization.fingerprint64(libraryVariantForm(s).getBytes(StandardCharsets.UTF_8)) == writer)) {
            return null; // the fingerprint is known: the body itself is broken
        }
        return "writer schema fingerprint " + writer + " is not a " + schema.getName() + " schema this job knows; the current one is "
                + current + " (CRC-64-AVRO, little-endian, of the parsing canonical form " + SchemaNormalization.toParsingForm(schema)
                + "): a producer library whose canonical form differs computes another fingerprint";
    }

    /** Single-object encoding of any contract record. */
    public static byte[] encode(SpecificRecordBase record) {
        try {
            ByteBuffer buf = (ByteBuffer) record.getClass().getMethod("toByteBuffer").invoke(record);
            byte[] out = new byte[buf.remaining()];
            buf.get(out);
            return out;
        } catch (ReflectiveOperationException e) {
            if (e.getCause() instanceof IOException io) {
                throw new UncheckedIOException(io);
            }
            throw new IllegalArgumentException("not a contract record: " + record.getClass(), e);
        }
    }
}
