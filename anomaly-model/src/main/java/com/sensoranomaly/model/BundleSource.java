package com.sensoranomaly.model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Where a bundle's files are read from. The job plugs in Flink's file systems (s3://, hdfs://, ...);
 * {@link #directory(Path)} reads a local directory.
 */
public interface BundleSource {

    /** Opens one file of the bundle; throws {@link NoSuchFileException} if it does not exist. */
    InputStream open(String name) throws IOException;

    /** Where the bundle is, for messages. */
    String describe();

    static BundleSource directory(Path dir) {
        return new BundleSource() {
            @Override
            public InputStream open(String name) throws IOException {
                Path file = dir.resolve(name);
                if (!Files.isRegularFile(file)) {
                    throw new NoSuchFileException(file.toString());
                }
                return Files.newInputStream(file);
            }

            @Override
            public String describe() {
                return dir.toString();
            }
        };
    }
}
