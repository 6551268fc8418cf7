package com.sensoranomaly.schema;

import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.avro.util.ClassSecurityValidator;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
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

    private static final BinaryMessageDecoder<SensorReading> READINGS = withHistory(SensorReading.createDecoder(null), SensorReading.getClassSchema());
    private static final BinaryMessageDecoder<AnomalyAlert> ALERTS = withHistory(AnomalyAlert.createDecoder(null), AnomalyAlert.getClassSchema());
    private static final BinaryMessageDecoder<DeadLetter> DEAD_LETTERS = withHistory(DeadLetter.createDecoder(null), DeadLetter.getClassSchema());
    private static final BinaryMessageDecoder<AnomalyScore> SCORES = withHistory(AnomalyScore.createDecoder(null), AnomalyScore.getClassSchema());
    private static final BinaryMessageDecoder<ReadingEmbedding> EMBEDDINGS = withHistory(ReadingEmbedding.createDecoder(null), ReadingEmbedding.getClassSchema());
    private static final BinaryMessageDecoder<ModelUpdate> MODEL_UPDATES = withHistory(ModelUpdate.createDecoder(null), ModelUpdate.getClassSchema());

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

    /** A decoder of readings that knows every released SensorReading schema. */
    public static BinaryMessageDecoder<SensorReading> readingDecoder() {
        return withHistory(SensorReading.createDecoder(null), SensorReading.getClassSchema());
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
            return "not Avro single-object encoding (it starts with the two bytes C3 01, then the 8-byte little-endian "
                    + "CRC-64-AVRO fingerprint of the writer schema, then the binary body)";
        }
        long writer = ByteBuffer.wrap(bytes, 2, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        long current = SchemaNormalization.parsingFingerprint64(schema);
        List<Schema> known = new ArrayList<>(history(schema));
        known.add(schema);
        if (known.stream().anyMatch(s -> SchemaNormalization.parsingFingerprint64(s) == writer)) {
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
