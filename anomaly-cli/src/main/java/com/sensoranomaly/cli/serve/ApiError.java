package com.sensoranomaly.cli.serve;

/**
 * A request the service refuses, answered as {@code {"error": message, "field": field}} with an HTTP status: 400 for
 * a malformed or unusable request, 413 for one too large.
 */
final class ApiError extends RuntimeException {
    final int status;
    final String field;

    ApiError(int status, String field, String message) {
        super(message);
        this.status = status;
        this.field = field;
    }

    static ApiError badRequest(String field, String message) {
        return new ApiError(400, field, message);
    }
}
