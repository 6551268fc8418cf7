package com.sensoranomaly.job.rollout;

/** A record of the model-updates topic as decoded (or why it could not be), with its source coordinates. */
public class ModelUpdateRequest {
    public String bundle;
    public String version;
    public String requestedBy;
    /** Why the record is not a usable ModelUpdate; null when it is. */
    public String error;
    public String sourceTopic;
    public int sourcePartition;
    public long sourceOffset;
    public long sourceTimestamp;
    public byte[] key;
    public byte[] value;

    public ModelUpdateRequest() {}
}
