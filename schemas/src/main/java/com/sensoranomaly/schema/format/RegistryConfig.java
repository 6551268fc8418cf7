package com.sensoranomaly.schema.format;

import java.io.Serializable;
import java.util.Optional;

/**
 * Where the schema registry is and how to reach it: its URL (Confluent-compatible REST API, e.g.
 * {@code http://registry:8080/apis/ccompat/v7} for Apicurio), HTTP basic credentials as {@code user:password}, and a
 * trust store for TLS. Secrets are never printed by {@link #toString()}.
 */
public record RegistryConfig(String url, String userInfo, String truststore, String truststorePassword, String truststoreType)
        implements Serializable {

    public RegistryConfig {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("the schema registry URL is required");
        }
        url = url.trim();
        while (url.endsWith("/")) {
            url = url.substring(0, url.length() - 1);
        }
        if (!url.startsWith("http://") && !url.startsWith("https://")) {
            throw new IllegalArgumentException("the schema registry URL must start with http:// or https://: " + url);
        }
        if (userInfo != null && !userInfo.isEmpty() && !userInfo.contains(":")) {
            throw new IllegalArgumentException("schema registry credentials must be given as user:password");
        }
    }

    public static RegistryConfig of(String url) {
        return new RegistryConfig(url, null, null, null, null);
    }

    public Optional<String> credentials() {
        return userInfo == null || userInfo.isEmpty() ? Optional.empty() : Optional.of(userInfo);
    }

    @Override
    public String toString() {
        return "RegistryConfig{" + url + (credentials().isPresent() ? ", basic auth" : "")
                + (truststore != null && !truststore.isEmpty() ? ", trust store " + truststore : "") + "}";
    }
}
