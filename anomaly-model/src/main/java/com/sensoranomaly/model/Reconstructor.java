package com.sensoranomaly.model;

import java.io.Serializable;

/**
 * The forward pass as the scorer sees it: input → reconstruction. The default is the plain-Java pass
 * over the bundle's weights ({@link #plainJava}); benchmarks plug in other engines (e.g. one DL4J call
 * per event) to compare them on the same job.
 */
@FunctionalInterface
public interface Reconstructor {

    void reconstruct(double[] input, double[] output);

    /** Creates one (not necessarily thread-safe) reconstructor per scoring instance. */
    @FunctionalInterface
    interface Factory extends Serializable {
        Reconstructor create(AnomalyModel model);
    }

    /** The plain-Java forward pass, allocation-free. */
    Factory PLAIN_JAVA = model -> plainJava(model.network());

    static Reconstructor plainJava(Autoencoder network) {
        Autoencoder.Workspace ws = network.newWorkspace();
        return (in, out) -> network.reconstruct(in, out, ws);
    }
}
