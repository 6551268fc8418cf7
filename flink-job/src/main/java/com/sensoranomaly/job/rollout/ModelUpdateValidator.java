package com.sensoranomaly.job.rollout;

import com.sensoranomaly.job.ingest.DeadLetterReason;
import com.sensoranomaly.job.output.DeadLetterEvent;
import com.sensoranomaly.job.scoring.BundleLoader;

import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * Checks a requested model once, before any scoring subtask switches: the bundle must load and verify (every
 * checksum), have the requested content version, and score the same features the job decodes readings into.
 * A request that fails goes to the dead-letter topic with the reason; the job keeps its model.
 */
public final class ModelUpdateValidator extends ProcessFunction<ModelUpdateRequest, ModelSwitch> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ModelUpdateValidator.class);

    public static final OutputTag<DeadLetterEvent> DEAD_LETTERS = new OutputTag<>("rejected-model-updates") {};

    private final List<String> features;

    /** @param features the features of the model the job was submitted with (the readings' decoded layout) */
    public ModelUpdateValidator(List<String> features) {
        this.features = List.copyOf(features);
    }

    @Override
    public void processElement(ModelUpdateRequest r, Context ctx, Collector<ModelSwitch> out) {
        String problem = r.error;
        if (problem == null) {
            try {
                BundleLoader.loadForSwitch(r.bundle, r.version, features);
            } catch (RuntimeException e) {
                problem = "bundle " + r.bundle + " cannot be used: " + e.getMessage();
            }
        }
        if (problem != null) {
            LOG.warn("model update refused: {}", problem);
            DeadLetterEvent d = DeadLetterEvent.of(DeadLetterReason.MODEL_UPDATE_REJECTED.name(), problem, null, r.sourceTopic,
                    r.sourcePartition, r.sourceOffset, r.sourceTimestamp, r.key, r.value);
            ctx.output(DEAD_LETTERS, d);
            return;
        }
        LOG.info("model update accepted: {} (version {}, requested by {})", r.bundle, r.version, r.requestedBy);
        out.collect(new ModelSwitch(r.bundle, r.version));
    }
}
