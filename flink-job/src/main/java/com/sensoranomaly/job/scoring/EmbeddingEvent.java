package com.sensoranomaly.job.scoring;

/** One scored reading's latent code, for the optional embeddings topic (the {@code ReadingEmbedding} contract). */
public class EmbeddingEvent {
    public String deviceId;
    public long eventTime;
    public String modelVersion;
    /** The bundle encoder's output for the reading ({@code Autoencoder#encode}). */
    public double[] latent;

    public EmbeddingEvent() {}

    public EmbeddingEvent(String deviceId, long eventTime, String modelVersion, double[] latent) {
        this.deviceId = deviceId;
        this.eventTime = eventTime;
        this.modelVersion = modelVersion;
        this.latent = latent;
    }
}
