package com.sensoranomaly.cli.simulate;

/** The ground truth of one injected fault: which device, what, which sensor, when (event time, ms). */
public record Fault(String deviceId, FaultKind kind, String sensor, long start, long end) {

    public boolean covers(long t) {
        return t >= start && t < end;
    }

    public String toJson() {
        return String.format("{\"deviceId\":\"%s\",\"kind\":\"%s\",\"sensor\":\"%s\",\"start\":%d,\"end\":%d,\"startIso\":\"%s\",\"endIso\":\"%s\"}",
                deviceId, kind, sensor, start, end, java.time.Instant.ofEpochMilli(start), java.time.Instant.ofEpochMilli(end));
    }
}
