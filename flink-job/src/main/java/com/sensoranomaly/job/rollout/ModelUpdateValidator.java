package com.sensoranomaly.job.rollout;

import com.sensoranomaly.job.bundle.BundleLoader;
import com.sensoranomaly.job.bundle.BundlePolicy;
import com.sensoranomaly.job.deadletter.DeadLetterEvent;
import com.sensoranomaly.job.deadletter.DeadLetterReason;
import com.sensoranomaly.job.ingest.InputLimits;
import com.sensoranomaly.job.scoring.Detector;
import com.sensoranomaly.job.scoring.ModelSwitch;

import java.io.Serializable;

/**
 * Checks and loads a requested model once, before any scoring subtask switches: the location must be allowed, the
 * bundle must load and verify (every checksum, and the signature when the job has a release key), have the requested
 * content version, a sane calibration, and score the same features the job decodes readings into. What it passes on is
 * the ready {@link Detector} (the submitted one's settings around the new model), so scoring subtasks never load
 * bundles. Whatever goes wrong, including errors a hostile bundle might provoke, becomes a refusal with the reason;
 * the job keeps its model. Runs off the processing path ({@link ModelUpdateLoader}).
 */
public final class ModelUpdateValidator implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Detector submitted;
    private final BundlePolicy policy;

    /** @param submitted the detector the job was submitted with: its features are the readings' decoded layout */
    public ModelUpdateValidator(Detector submitted, BundlePolicy policy) {
        this.submitted = submitted;
        this.policy = policy;
    }

    public ModelUpdateOutcome validate(ModelUpdateRequest r) {
        String problem = r.error;
        if (problem == null) {
            try {
                return ModelUpdateOutcome.accepted(ModelSwitch.of(r.bundle,
                        submitted.forModel(BundleLoader.loadForSwitch(r.bundle, r.version, submitted.features(), policy))));
            } catch (Exception | LinkageError | StackOverflowError | OutOfMemoryError e) {
                // OutOfMemoryError too: sizes are bounded before allocating, so this is one oversized request, not a full heap.
                problem = "bundle " + InputLimits.clip(r.bundle, 512) + " cannot be used: " + e.getMessage();
            }
        }
        return ModelUpdateOutcome.rejected(refusal(r, problem));
    }

    static DeadLetterEvent refusal(ModelUpdateRequest r, String problem) {
        return DeadLetterEvent.of(DeadLetterReason.MODEL_UPDATE_REJECTED.name(), problem, null, r.sourceTopic,
                r.sourcePartition, r.sourceOffset, r.sourceTimestamp, r.key, r.value);
    }
}
