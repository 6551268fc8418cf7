package com.sensoranomaly.trainer;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Versions of the trainer and the libraries it trains with, as recorded in a bundle's "libraries" section.
 *
 * <p>Read from the jars' Maven metadata rather than written down in code, so the bundle states what actually
 * ran (a dependency upgrade cannot leave a stale version behind).
 */
final class Versions {
    private static final String UNKNOWN = "unknown";

    private Versions() {}

    /** This trainer's version (from the build); "unknown" when running from an IDE without filtered resources. */
    static String trainer() {
        String v = read(Versions.class, "version.properties", "version");
        return v.startsWith("${") ? UNKNOWN : v;
    }

    static Map<String, Object> libraries() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("modelTrainer", trainer());
        m.put("deeplearning4j", read(MultiLayerNetwork.class,
                "/META-INF/maven/org.deeplearning4j/deeplearning4j-nn/pom.properties", "version"));
        m.put("nd4j", read(Nd4j.class, "/META-INF/maven/org.nd4j/nd4j-api/pom.properties", "version"));
        m.put("java", System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")");
        return m;
    }

    private static String read(Class<?> anchor, String resource, String key) {
        try (InputStream in = anchor.getResourceAsStream(resource)) {
            if (in == null) {
                return UNKNOWN;
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty(key, UNKNOWN);
        } catch (IOException e) {
            return UNKNOWN;
        }
    }
}
