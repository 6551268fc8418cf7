package com.sensoranomaly.job.scoring;

import org.apache.flink.util.InstantiationUtil;

import java.io.IOException;

/**
 * A verified model update, broadcast to every scoring subtask: the bundle it came from, its content version, and the
 * {@link Detector} built from it, loaded once by the update's validator and carried serialized (a POJO with a byte
 * array, so it crosses the broadcast and sits in broadcast state without a generic serializer).
 */
public class ModelSwitch {
    public String bundle;
    public String version;
    public byte[] detector;

    public ModelSwitch() {}

    public static ModelSwitch of(String bundle, Detector detector) {
        ModelSwitch s = new ModelSwitch();
        s.bundle = bundle;
        s.version = detector.version();
        try {
            s.detector = InstantiationUtil.serializeObject(detector);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialize the detector of model " + detector.version(), e);
        }
        return s;
    }

    /** The detector this switch carries. */
    public Detector detector(ClassLoader classLoader) throws IOException, ClassNotFoundException {
        return decode(detector, classLoader);
    }

    /** A detector from its serialized form (as carried here and kept in scoring's broadcast state). */
    public static Detector decode(byte[] serialized, ClassLoader classLoader) throws IOException, ClassNotFoundException {
        return InstantiationUtil.deserializeObject(serialized, classLoader);
    }
}
