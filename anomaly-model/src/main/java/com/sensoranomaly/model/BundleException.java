package com.sensoranomaly.model;

/** A model bundle that cannot be used: missing, changed or inconsistent. The message names the problem. */
public class BundleException extends RuntimeException {
    public BundleException(String message) {
        super(message);
    }

    public BundleException(String message, Throwable cause) {
        super(message, cause);
    }
}
