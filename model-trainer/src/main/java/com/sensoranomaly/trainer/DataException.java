package com.sensoranomaly.trainer;

/** Input data that cannot be used; the message names the file (and line and column where it applies). */
public class DataException extends RuntimeException {
    public DataException(String message) {
        super(message);
    }
}
