package com.sensoranomaly.schema;

import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.avro.util.ClassSecurityValidator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

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

    public static BinaryMessageDecoder<SensorReading> readingDecoder() {
        return SensorReading.createDecoder(null);
    }

    public static SensorReading reading(byte[] bytes) throws IOException {
        return SensorReading.getDecoder().decode(bytes);
    }

    public static AnomalyAlert alert(byte[] bytes) throws IOException {
        return AnomalyAlert.getDecoder().decode(bytes);
    }

    public static DeadLetter deadLetter(byte[] bytes) throws IOException {
        return DeadLetter.getDecoder().decode(bytes);
    }

    public static AnomalyScore score(byte[] bytes) throws IOException {
        return AnomalyScore.getDecoder().decode(bytes);
    }

    public static ModelUpdate modelUpdate(byte[] bytes) throws IOException {
        return ModelUpdate.getDecoder().decode(bytes);
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
