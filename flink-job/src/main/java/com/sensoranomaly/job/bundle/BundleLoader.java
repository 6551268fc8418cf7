package com.sensoranomaly.job.bundle;

import com.sensoranomaly.model.AnomalyModel;
import com.sensoranomaly.model.BundleException;
import com.sensoranomaly.model.BundleSource;
import com.sensoranomaly.model.ModelBundle;

import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.util.List;

/**
 * Loads and verifies a model bundle from any file system Flink knows (local paths, file://, s3://, hdfs://
 * with the matching plugin), so a bundle can live wherever the cluster's checkpoints do.
 */
public final class BundleLoader {
    private BundleLoader() {}

    /**
     * Loads a bundle a running job was asked to switch to: it must verify, have the requested content version
     * (so a bundle rewritten meanwhile is not taken for it) and score the features the job decodes readings into.
     *
     * @throws BundleException naming what is wrong
     */
    public static AnomalyModel loadForSwitch(String location, String version, List<String> features, BundlePolicy policy) {
        policy.checkLocation(location);
        AnomalyModel m = load(location, policy);
        if (!m.version().equals(version)) {
            throw new BundleException("its content version is " + m.version() + ", the update asked for " + version);
        }
        if (!m.features().equals(features)) {
            throw new BundleException("it scores features " + m.features() + ", the job decodes readings into " + features
                    + ": a model with other features needs a redeploy");
        }
        return m;
    }

    /** Loads the bundle a job is submitted with: verified, signed if the policy asks for it, sane. */
    public static AnomalyModel load(String location, BundlePolicy policy) {
        AnomalyModel m = read(location, policy.publicKey());
        try {
            BundlePolicy.checkSane(m);
        } catch (BundleException e) {
            throw new BundleException("model bundle " + location + ": " + e.getMessage());
        }
        return m;
    }

    public static AnomalyModel load(String location) {
        return load(location, BundlePolicy.OPEN);
    }

    private static AnomalyModel read(String location, java.security.PublicKey signer) {
        Path base = new Path(location);
        return ModelBundle.read(new BundleSource() {
            @Override
            public InputStream open(String name) throws IOException {
                Path file = new Path(base, name);
                FileSystem fs = file.getFileSystem();
                if (!fs.exists(file)) {
                    throw new NoSuchFileException(file.toString());
                }
                try {
                    return fs.open(file);
                } catch (FileNotFoundException e) {
                    throw new NoSuchFileException(file.toString());
                }
            }

            @Override
            public String describe() {
                return location;
            }
        }, signer).model();
    }
}
