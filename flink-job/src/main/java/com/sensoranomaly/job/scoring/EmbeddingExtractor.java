package com.sensoranomaly.job.scoring;

import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

/**
 * The embeddings topic's records: one per scored reading that carries a latent code. Readings not scored (the model
 * window still filling, a device still estimating its baseline) have none and are skipped, so a consumer sees exactly
 * the readings the scores topic shows with a score. Stateless.
 */
public final class EmbeddingExtractor implements FlatMapFunction<ScoredReading, EmbeddingEvent> {
    private static final long serialVersionUID = 1L;

    @Override
    public void flatMap(ScoredReading r, Collector<EmbeddingEvent> out) {
        if (r.isScored() && r.latent != null) {
            out.collect(new EmbeddingEvent(r.deviceId, r.eventTime, r.modelVersion, r.latent));
        }
    }
}
