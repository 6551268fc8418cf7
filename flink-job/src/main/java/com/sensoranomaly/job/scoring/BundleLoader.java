package com.sensoranomaly.job.scoring;

import com.sensoranomaly.model.AnomalyModel;
import com.sensoranomaly.model.BundleSource;
import com.sensoranomaly.model.ModelBundle;

import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;

/**
 * Loads and verifies a model bundle from any file system Flink knows (local paths, file://, s3://, hdfs://
 * with the matching plugin), so a bundle can live wherever the cluster's checkpoints do.
 */
public final class BundleLoader {
    private BundleLoader() {}

    public static AnomalyModel load(String location) {
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
        }).model();
    }
}
