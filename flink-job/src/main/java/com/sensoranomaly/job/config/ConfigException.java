package com.sensoranomaly.job.config;

/** A setting that is missing or invalid; the message names the setting and what is wrong. */
public class ConfigException extends IllegalArgumentException {
    public ConfigException(String message) {
        super(message);
    }
}
