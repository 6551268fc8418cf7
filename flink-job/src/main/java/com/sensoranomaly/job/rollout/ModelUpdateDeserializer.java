package com.sensoranomaly.job.rollout;

import com.sensoranomaly.schema.AvroContracts;
import com.sensoranomaly.schema.ModelUpdate;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Decodes the model-updates topic; never throws: an undecodable record comes out with its error, for the dead-letter topic. */
public final class ModelUpdateDeserializer implements KafkaRecordDeserializationSchema<ModelUpdateRequest> {
    private static final long serialVersionUID = 1L;

    @Override
    public void open(org.apache.flink.api.common.serialization.DeserializationSchema.InitializationContext context) {
        AvroContracts.trustContractClasses();
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<ModelUpdateRequest> out) {
        ModelUpdateRequest r = new ModelUpdateRequest();
        r.sourceTopic = record.topic();
        r.sourcePartition = record.partition();
        r.sourceOffset = record.offset();
        r.sourceTimestamp = record.timestamp();
        r.key = record.key();
        r.value = record.value();
        try {
            ModelUpdate u = AvroContracts.modelUpdate(record.value());
            r.bundle = u.getBundle();
            r.version = u.getVersion();
            r.requestedBy = u.getRequestedBy();
        } catch (Exception | LinkageError e) {
            r.error = "not a ModelUpdate in Avro single-object encoding: " + e.getMessage();
        }
        out.collect(r);
    }

    @Override
    public TypeInformation<ModelUpdateRequest> getProducedType() {
        return TypeInformation.of(ModelUpdateRequest.class);
    }
}
