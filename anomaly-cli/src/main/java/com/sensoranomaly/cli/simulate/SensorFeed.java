package com.sensoranomaly.cli.simulate;

import com.sensoranomaly.schema.AvroContracts;
import com.sensoranomaly.schema.SensorReading;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Drives a {@link PumpSimulator} in real time: every tick, one reading per device to the readings topic,
 * keyed by device id. Optionally replaces a few records with bytes that are not Avro, to exercise the
 * dead-letter path. Runs until stopped, a count is reached, or a duration has passed.
 */
public final class SensorFeed implements Runnable {
    private static final Map<String, String> LABELS = Map.of("site", "plant-1", "asset_type", "centrifugal-pump");

    private final PumpSimulator simulator;
    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final double ticksPerSecond;
    private final double malformedRate;
    private final long maxReadings;
    private final long durationMs;
    private final AtomicBoolean stop;
    private final Random random;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();

    /**
     * @param ticksPerSecond readings per second per device (wall clock); ≤ 0 = as fast as possible
     * @param maxReadings    stop after this many readings (≤ 0: no limit)
     * @param durationMs     stop after this long (≤ 0: no limit)
     */
    public SensorFeed(PumpSimulator simulator, Producer<byte[], byte[]> producer, String topic, double ticksPerSecond,
                      double malformedRate, long maxReadings, long durationMs, long seed, AtomicBoolean stop) {
        this.simulator = simulator;
        this.producer = producer;
        this.topic = topic;
        this.ticksPerSecond = ticksPerSecond;
        this.malformedRate = malformedRate;
        this.maxReadings = maxReadings;
        this.durationMs = durationMs;
        this.stop = stop;
        this.random = new Random(seed ^ 0x5DEECE66DL);
    }

    public long sent() {
        return sent.get();
    }

    public long malformed() {
        return malformed.get();
    }

    @Override
    public void run() {
        long start = System.nanoTime();
        long tick = 0;
        while (!stop.get()) {
            if (durationMs > 0 && (System.nanoTime() - start) / 1_000_000 >= durationMs) {
                break;
            }
            for (int d = 0; d < simulator.devices() && !stop.get(); d++) {
                if (maxReadings > 0 && sent.get() >= maxReadings) {
                    producer.flush();
                    return;
                }
                PumpSimulator.Sample s = simulator.next(d);
                byte[] key = s.deviceId().getBytes(StandardCharsets.UTF_8);
                byte[] value;
                if (malformedRate > 0 && random.nextDouble() < malformedRate) {
                    value = ("{\"deviceId\":\"" + s.deviceId() + "\",\"note\":\"json is not the contract\"}").getBytes(StandardCharsets.UTF_8);
                    malformed.incrementAndGet();
                } else {
                    value = AvroContracts.encode(new SensorReading(s.deviceId(), Instant.ofEpochMilli(s.eventTime()), s.values(), LABELS));
                }
                producer.send(new ProducerRecord<>(topic, key, value));
                sent.incrementAndGet();
            }
            tick++;
            if (ticksPerSecond > 0) {
                long due = start + (long) (tick * 1e9 / ticksPerSecond);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    try {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
            }
        }
        producer.flush();
    }
}
