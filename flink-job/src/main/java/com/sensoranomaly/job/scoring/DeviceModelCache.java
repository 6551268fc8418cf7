package com.sensoranomaly.job.scoring;

import com.sensoranomaly.model.DeviceModel;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The fitted models of the devices a scoring subtask saw most recently, already deserialized.
 *
 * <p>Every reading of a device with its own model needs that whole model (9.5 KB at the default window, 8.6 KB of it
 * the basis). The heap state backend hands out the stored object; RocksDB reads and deserializes it at each access: in
 * a profile of the job on RocksDB (1,000 devices), deserializing the basis alone took 19 % of the scoring threads'
 * samples (162 of 859), more than scoring by the model (96). With this copy the bench's fitted devices on RocksDB ran
 * at 69,791-78,167 readings/s against 65,901 without (docs/performance.md, K3-K7). The model changes only when it is
 * written (fitted, carried over, rewritten for its time to live) or dropped, always through this subtask, so a
 * read-through copy stays exact as long as each write and drop passes here too. A write stamps the device's state with
 * its time ({@link DeviceState#modelWrittenAt}), and an entry serves only the state carrying the same stamp.
 *
 * <p>Least recently used entries leave first, at {@code capacity} devices. A subtask with more devices than that whose
 * readings arrive in turn (a fleet reporting every second) gains nothing: each model leaves before its device reports
 * again. Nothing here is checkpointed: a restored subtask starts empty and fills as devices report.
 */
final class DeviceModelCache {
    private record Entry(long writtenAt, DeviceModel model) {}

    private final int capacity;
    private final LinkedHashMap<String, Entry> entries;

    DeviceModelCache(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must not be negative: " + capacity);
        }
        this.capacity = capacity;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
                return size() > DeviceModelCache.this.capacity;
            }
        };
    }

    /** The device's model as written at {@code writtenAt}, or null if this subtask does not hold that one. */
    DeviceModel get(String device, long writtenAt) {
        Entry e = entries.get(device);
        return e != null && e.writtenAt == writtenAt ? e.model : null;
    }

    /** Records the model the device's state holds since {@code writtenAt}. */
    void put(String device, long writtenAt, DeviceModel model) {
        if (capacity > 0) {
            entries.put(device, new Entry(writtenAt, model));
        }
    }

    /** The device's model was dropped from its state. */
    void remove(String device) {
        entries.remove(device);
    }

    int size() {
        return entries.size();
    }
}
