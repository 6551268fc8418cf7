package com.sensoranomaly.job.bundle;

import com.sensoranomaly.model.AnomalyModel;
import com.sensoranomaly.model.BundleException;
import com.sensoranomaly.model.BundleSignature;

import java.io.Serializable;
import java.net.URI;
import java.security.PublicKey;
import java.util.List;

/**
 * What a bundle must satisfy before the job scores with it, beyond its own checksums: a signature by the configured
 * key (if one is configured), a location inside the allowed ones, and a threshold and statistics that can be real.
 * Whoever can write the control topic can only point the job at bundles that pass all three.
 *
 * @param publicKeyPem    the release key (PEM "PUBLIC KEY"); null: signatures are not required
 * @param allowedLocations bundle locations (URI prefixes, normalized) a model update may name; empty: any
 */
public record BundlePolicy(String publicKeyPem, List<String> allowedLocations) implements Serializable {

    /** No signature, any location: for tests and tools that load a bundle they were handed. */
    public static final BundlePolicy OPEN = new BundlePolicy(null, List.of());

    /** Largest calibrated threshold accepted: squared errors of standardized sensors this large mean no reading ever alerts. */
    public static final double MAX_THRESHOLD = 1e6;

    public BundlePolicy {
        allowedLocations = allowedLocations.stream().map(BundlePolicy::normalize).toList();
        if (publicKeyPem != null) {
            BundleSignature.parsePublicKey(publicKeyPem, "bundle.public-key"); // fail at submission, not at the first update
        }
    }

    public PublicKey publicKey() {
        return publicKeyPem == null ? null : BundleSignature.parsePublicKey(publicKeyPem, "bundle.public-key");
    }

    /** Throws naming why {@code location} is not one the job may load a model update from. */
    public void checkLocation(String location) {
        String normalized = normalize(location);
        if (java.util.regex.Pattern.compile("(^|[/\\\\])\\.\\.([/\\\\]|$)").matcher(location).find()) {
            throw new BundleException("location " + location + " is not a plain path (no '..')");
        }
        if (allowedLocations.isEmpty()) {
            return;
        }
        for (String allowed : allowedLocations) {
            String prefix = allowed.endsWith("/") ? allowed : allowed + "/";
            if (normalized.equals(allowed) || normalized.startsWith(prefix)) {
                return;
            }
        }
        throw new BundleException("location " + location + " is outside the allowed bundle locations " + allowedLocations
                + " (setting bundle.allowed-locations)");
    }

    /** Throws if the model's calibration cannot be real (a threshold of 1e300 silences every alert). */
    public static void checkSane(AnomalyModel m) {
        double t = m.threshold();
        if (!Double.isFinite(t) || t <= 0 || t > MAX_THRESHOLD) {
            throw new BundleException("its threshold " + t + " is not within (0, " + MAX_THRESHOLD + "]");
        }
        if (!Double.isFinite(m.errorStats().mean()) || !Double.isFinite(m.errorStats().std())) {
            throw new BundleException("its error statistics are not finite");
        }
        for (double v : m.featureErrorMean()) {
            if (!Double.isFinite(v) || v < 0) {
                throw new BundleException("its per-feature error means are not finite and non-negative");
            }
        }
    }

    /** A location as a URI without a trailing slash; plain paths become file: URIs. */
    static String normalize(String location) {
        String s = location.trim();
        URI u = s.contains("://") || s.startsWith("file:") ? URI.create(s) : new java.io.File(s).toURI();
        String n = u.normalize().toString();
        if (n.startsWith("file:///")) {
            n = "file:/" + n.substring("file:///".length());
        }
        return n.endsWith("/") && n.length() > 1 ? n.substring(0, n.length() - 1) : n;
    }
}
