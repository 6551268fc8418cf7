package com.sensoranomaly.job.rollout;

import com.sensoranomaly.job.bundle.BundleLoader;
import com.sensoranomaly.job.deadletter.DeadLetterEvent;
import com.sensoranomaly.job.deadletter.DeadLetterReason;
import com.sensoranomaly.job.scoring.Detector;
import com.sensoranomaly.job.scoring.ModelSwitch;

import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;


/**
 * Checks and loads a requested model once, before any scoring subtask switches: the bundle must load and verify
 * (every checksum), have the requested content version, and score the same features the job decodes readings into.
 * What it passes on is the ready {@link Detector} (the submitted one's settings around the new model), so scoring
 * subtasks never load bundles. A request that fails goes to the dead-letter topic with the reason; the job keeps its
 * model.
 */
public final class ModelUpdateValidator extends ProcessFunction<ModelUpdateRequest, ModelSwitch> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ModelUpdateValidator.class);

    public static final OutputTag<DeadLetterEvent> DEAD_LETTERS = new OutputTag<>("rejected-model-updates") {};

    private final Detector submitted;

    /** @param submitted the detector the job was submitted with: its features are the readings' decoded layout */
    public ModelUpdateValidator(Detector submitted) {
        this.submitted = submitted;
    }

    @Override
    public void processElement(ModelUpdateRequest r, Context ctx, Collector<ModelSwitch> out) {
        String problem = r.error;
        ModelSwitch next = null;
        if (problem == null) {
            try {
                next = ModelSwitch.of(r.bundle, submitted.forModel(BundleLoader.loadForSwitch(r.bundle, r.version, submitted.features())));
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
        out.collect(next);
    }
}
