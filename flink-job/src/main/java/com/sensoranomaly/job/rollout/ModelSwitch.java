package com.sensoranomaly.job.rollout;

/** A verified model update, broadcast to every scoring subtask: which bundle, and the content version it must have. */
public class ModelSwitch {
    public String bundle;
    public String version;

    public ModelSwitch() {}

    public ModelSwitch(String bundle, String version) {
        this.bundle = bundle;
        this.version = version;
    }
}
