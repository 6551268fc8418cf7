package com.sensoranomaly.schema.format;

import com.sensoranomaly.schema.AvroContracts;

import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecordBase;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * One contract (e.g. SensorReading) in every {@link WireFormat}: decodes what producers wrote, resolved into the
 * contract's class with Avro schema resolution, and encodes what the job writes. Not thread-safe (it reuses decoders);
 * one per operator instance or thread.
 *
 * <p>Schema-registry records are resolved from the writer schema the registry holds for their id: a producer that adds
 * a field with a default, or drops one the contract gives a default, is read with no change on this side. A writer
 * schema the contract cannot read is refused once per id with Avro's own account of why.
 */
public final class ContractCodec<T extends SpecificRecordBase> {
    private final SpecificData model;
    private final Schema schema;
    private final BinaryMessageDecoder<T> singleObject;
    private final SchemaRegistryClient registry;
    private final Map<Integer, Object> readersById = new ConcurrentHashMap<>();
    private final SpecificDatumReader<T> jsonReader;
    private final SpecificDatumWriter<T> writer;
    private BinaryDecoder decoder;
    private BinaryEncoder encoder;

    /** A writer schema a contract cannot read: not the record's fault alone, but a producer's schema to fix. */
    public static final class IncompatibleSchema extends IOException {
        public IncompatibleSchema(String message) {
            super(message);
        }
    }

    /** @param registry the schema registry, or null where records in the registry format cannot be read or written */
    public ContractCodec(Class<T> type, SchemaRegistryClient registry) {
        this.model = SpecificData.getForClass(type);
        this.schema = model.getSchema(type);
        this.singleObject = AvroContracts.singleObjectDecoder(type);
        this.registry = registry;
        this.jsonReader = new SpecificDatumReader<>(schema, schema, model);
        this.writer = new SpecificDatumWriter<>(schema, model);
    }

    public Schema schema() {
        return schema;
    }

    /** Decodes {@code bytes} written in {@code format}; null: whichever format they are in. */
    public T decode(byte[] bytes, WireFormat format) throws IOException {
        if (bytes == null || bytes.length == 0) {
            throw new IOException("empty record");
        }
        WireFormat f = format != null ? format : WireFormat.detect(bytes);
        if (f == null) {
            throw new IOException("not a " + schema.getName() + " in any known format (Avro single-object encoding starts with "
                    + "C3 01, the schema-registry format with byte 0, JSON with '{')");
        }
        return switch (f) {
            case AVRO -> singleObject.decode(bytes);
            case JSON -> {
                byte[] binary = ContractJson.toBinary(bytes, schema);
                decoder = DecoderFactory.get().binaryDecoder(binary, decoder);
                yield jsonReader.read(null, decoder);
            }
            case REGISTRY_AVRO -> decodeRegistry(bytes);
        };
    }

    private T decodeRegistry(byte[] bytes) throws IOException {
        if (bytes.length < 5 || bytes[0] != 0) {
            throw new IOException("not in the schema-registry format (byte 0, a 4-byte big-endian schema id, the Avro body)");
        }
        if (registry == null) {
            throw new IOException("a schema-registry record, and no schema registry is configured to resolve its schema id");
        }
        int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
        Object reader = readersById.get(id);
        if (reader == null) {
            reader = readerFor(id);
            readersById.put(id, reader);
        }
        if (reader instanceof IncompatibleSchema refused) {
            throw new IncompatibleSchema(refused.getMessage());
        }
        @SuppressWarnings("unchecked")
        SpecificDatumReader<T> r = (SpecificDatumReader<T>) reader;
        decoder = DecoderFactory.get().binaryDecoder(bytes, 5, bytes.length - 5, decoder);
        T out = r.read(null, decoder);
        if (!decoder.isEnd()) {
            throw new IOException((bytes.length - 5) + "-byte body has bytes left over after a " + schema.getName()
                    + " of schema id " + id + ": the body was not written with that schema");
        }
        return out;
    }

    /** A reader from schema {@code id} into the contract, or the reason there is none (kept: an id never changes). */
    private Object readerFor(int id) throws IOException {
        Schema writerSchema;
        try {
            writerSchema = registry.schemaById(id);
        } catch (SchemaRegistryClient.RegistryRefusal e) {
            return new IncompatibleSchema(e.getMessage());
        }
        SchemaCompatibility.SchemaPairCompatibility c = SchemaCompatibility.checkReaderWriterCompatibility(schema, writerSchema);
        if (c.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            String why = c.getResult().getIncompatibilities().stream()
                    .map(i -> i.getType() + " at field '" + fieldPath(schema, i.getLocation()) + "': " + i.getMessage())
                    .collect(Collectors.joining("; "));
            return new IncompatibleSchema("writer schema id " + id + " (" + writerSchema.getFullName() + ") cannot be read as the "
                    + schema.getFullName() + " contract: " + why);
        }
        return new SpecificDatumReader<>(writerSchema, schema, model);
    }

    /** A location of Avro's compatibility report ({@code /fields/1/type}) as field names ({@code eventTime}). */
    static String fieldPath(Schema reader, String location) {
        StringBuilder path = new StringBuilder();
        Schema s = reader;
        String[] parts = location.split("/");
        for (int i = 0; i < parts.length; i++) {
            if (parts[i].equals("fields") && i + 1 < parts.length && s != null && s.getType() == Schema.Type.RECORD) {
                try {
                    Schema.Field f = s.getFields().get(Integer.parseInt(parts[++i]));
                    path.append(path.length() == 0 ? "" : ".").append(f.name());
                    s = f.schema();
                } catch (RuntimeException e) {
                    return location;
                }
            } else if (parts[i].equals("items") && s != null && s.getType() == Schema.Type.ARRAY) {
                path.append("[]");
                s = s.getElementType();
            } else if (parts[i].equals("values") && s != null && s.getType() == Schema.Type.MAP) {
                path.append(".*");
                s = s.getValueType();
            }
        }
        return path.length() == 0 ? location : path.toString();
    }

    /** Encodes {@code record} in {@code format}; for the registry format, under {@code registryId} (see {@link #register}). */
    public byte[] encode(T record, WireFormat format, int registryId) {
        return switch (format) {
            case AVRO -> AvroContracts.encode(record);
            case JSON -> ContractJson.write(record);
            case REGISTRY_AVRO -> {
                ByteArrayOutputStream out = new ByteArrayOutputStream(256);
                out.write(0);
                out.write(registryId >>> 24);
                out.write(registryId >>> 16);
                out.write(registryId >>> 8);
                out.write(registryId);
                encoder = EncoderFactory.get().directBinaryEncoder(out, encoder);
                try {
                    writer.write(record, encoder);
                    encoder.flush();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                yield out.toByteArray();
            }
        };
    }

    /** Registers the contract's schema under the subject Kafka tooling looks for (TopicNameStrategy: {@code <topic>-value}). */
    public int register(String topic) throws IOException {
        if (registry == null) {
            throw new IllegalStateException("the registry format needs a schema registry (registry.url)");
        }
        return registry.register(topic + "-value", schema);
    }
}
