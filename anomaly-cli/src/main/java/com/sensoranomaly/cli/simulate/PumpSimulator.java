package com.sensoranomaly.cli.simulate;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Simulated centrifugal pumps whose sensors move together the way real ones do: pump speed drives flow
 * (∝ speed), discharge pressure (∝ speed²) and vibration; motor current follows the hydraulic load; the
 * winding temperature follows the current with a lag; supply voltage is independent. Each pump has its
 * own operating point, every sensor has noise, and a slow daily drift moves the operating point.
 *
 * <p>Faults of several kinds are injected at random (rate per reading) and recorded as ground truth.
 * Deterministic for a seed: the same seed gives the same readings and faults.
 */
public final class PumpSimulator {
    public static final List<String> SENSORS = List.of("flow", "pressure", "current", "vibration", "temperature", "voltage");
    private static final double[] NOISE = {0.8, 0.03, 0.08, 0.01, 0.15, 1.5};
    private static final long DAY_MS = 86_400_000L;

    /** Settings; rates are probabilities per reading. */
    public record Settings(int devices, long seed, double faultRate, Set<FaultKind> faultKinds, double missingRate,
                           Duration period, Instant start) {
        public static Settings normal(int devices, long seed, Instant start) {
            return new Settings(devices, seed, 0, EnumSet.allOf(FaultKind.class), 0, Duration.ofSeconds(1), start);
        }
    }

    /** One simulated reading: values by sensor name, null = missing. */
    public record Sample(String deviceId, long eventTime, Map<String, Double> values, Fault activeFault) {}

    private final Settings settings;
    private final Random random;
    private final Device[] devices;
    private final List<Fault> faults = new ArrayList<>();

    private static final class Device {
        String id;
        double speed;        // nominal speed, 0.9..1.1
        double load;         // hydraulic load factor
        double phase;        // daily drift phase
        double temperature;  // lagging state
        long t;
        Fault fault;
        double stuckValue;
        final List<Fault> scheduled = new ArrayList<>();
    }

    public PumpSimulator(Settings settings) {
        this.settings = settings;
        this.random = new Random(settings.seed());
        this.devices = new Device[settings.devices()];
        for (int i = 0; i < devices.length; i++) {
            Device d = new Device();
            d.id = String.format(Locale.ROOT, "pump-%03d", i + 1);
            d.speed = 0.95 + 0.1 * random.nextDouble();
            d.load = 0.9 + 0.2 * random.nextDouble();
            d.phase = random.nextDouble() * 2 * Math.PI;
            d.t = settings.start().toEpochMilli();
            d.temperature = 55 + 10 * d.speed * d.load;
            devices[i] = d;
        }
    }

    public int devices() {
        return devices.length;
    }

    public List<Fault> faults() {
        return List.copyOf(faults);
    }

    /** Next reading of device {@code index}; its event time advances by one period. */
    public Sample next(int index) {
        Device d = devices[index];
        long t = d.t;
        d.t += settings.period().toMillis();

        double daily = Math.sin(2 * Math.PI * (t % DAY_MS) / DAY_MS + d.phase);
        double speed = d.speed * (1 + 0.03 * daily) + 0.003 * random.nextGaussian();
        double flow = 120 * speed;
        double pressure = 3.0 * speed * speed;
        double current = 4.0 * speed * d.load + 1.0;
        double vibration = 0.2 * speed;
        double voltage = 230;
        // Winding temperature follows the current with a time constant of ~10 minutes.
        double target = 40 + 5 * current + 1.5 * daily;
        double steps = Math.max(1, settings.period().toMillis() / 1000.0);
        d.temperature += (target - d.temperature) * Math.min(1, steps / 600.0);
        double temperature = d.temperature;

        double[] v = {flow, pressure, current, vibration, temperature, voltage};
        for (int j = 0; j < v.length; j++) {
            v[j] += NOISE[j] * random.nextGaussian();
        }
        maybeStartFault(d, t, v);
        Fault f = d.fault;
        if (f != null) {
            if (!f.covers(t)) {
                d.fault = null;
                f = null;
            } else {
                applyFault(d, f, t, v);
            }
        }
        Map<String, Double> values = new LinkedHashMap<>();
        for (int j = 0; j < v.length; j++) {
            boolean missing = settings.missingRate() > 0 && random.nextDouble() < settings.missingRate();
            values.put(SENSORS.get(j), missing ? null : v[j]);
        }
        return new Sample(d.id, t, values, f);
    }

    /**
     * Schedules a fault on device {@code index}: it starts with the device's {@code atReading}-th next reading
     * and lasts {@code readings} readings (for tests and scripted demos; random faults continue as configured).
     */
    public void scheduleFault(int index, FaultKind kind, String sensor, long atReading, long readings) {
        Device d = devices[index];
        long start = d.t + atReading * settings.period().toMillis();
        Fault f = new Fault(d.id, kind, kind == FaultKind.CORRELATION_BREAK ? "flow,pressure" : sensor, start,
                start + readings * settings.period().toMillis());
        d.scheduled.add(f);
    }

    private void maybeStartFault(Device d, long t, double[] v) {
        if (d.fault == null && !d.scheduled.isEmpty() && d.scheduled.get(0).start() <= t) {
            d.fault = d.scheduled.remove(0);
            int sensor = d.fault.kind() == FaultKind.CORRELATION_BREAK ? 0 : SENSORS.indexOf(d.fault.sensor());
            d.stuckValue = v[sensor];
            faults.add(d.fault);
            return;
        }
        if (d.fault != null || settings.faultRate() <= 0 || settings.faultKinds().isEmpty()
                || random.nextDouble() >= settings.faultRate()) {
            return;
        }
        List<FaultKind> kinds = new ArrayList<>(settings.faultKinds());
        FaultKind kind = kinds.get(random.nextInt(kinds.size()));
        int sensor = random.nextInt(5); // voltage is the supply, not the pump: faults stay on pump sensors
        long readings = switch (kind) {
            case SPIKE -> 8 + random.nextInt(8);
            case DRIFT -> 180 + random.nextInt(120);
            case STUCK, CORRELATION_BREAK -> 90 + random.nextInt(90);
        };
        String sensorName = kind == FaultKind.CORRELATION_BREAK ? "flow,pressure" : SENSORS.get(sensor);
        Fault f = new Fault(d.id, kind, sensorName, t, t + readings * settings.period().toMillis());
        d.fault = f;
        d.stuckValue = v[sensor];
        faults.add(f);
    }

    private void applyFault(Device d, Fault f, long t, double[] v) {
        int j = f.kind() == FaultKind.CORRELATION_BREAK ? 0 : SENSORS.indexOf(f.sensor());
        double progress = (double) (t - f.start()) / Math.max(1, f.end() - f.start());
        switch (f.kind()) {
            case SPIKE -> v[j] += 10 * NOISE[j] * scaleOf(j);
            case DRIFT -> v[j] += progress * 12 * NOISE[j] * scaleOf(j);
            case STUCK -> v[j] = d.stuckValue;
            case CORRELATION_BREAK -> {
                v[0] *= 0.7;   // flow collapses...
                v[1] *= 0.55;  // ...and pressure with it...
                v[3] *= 1.8;   // ...the pump shakes...
                // ...while the motor current stays where it was: the signature of cavitation.
            }
        }
    }

    /** Sensors with tiny noise get bigger fault amplitudes so every fault is physically plausible. */
    private static double scaleOf(int j) {
        return j == 4 ? 3 : 1;
    }

    /**
     * Writes normal history (no faults, no gaps) of every device, one {@code ;}-separated CSV per device
     * ({@code <prefix>-pump-001.csv}, ...), one row per period; returns the files.
     */
    public static List<Path> writeHistoryCsv(Path dir, String prefix, int devices, Duration span, long seed, Instant start)
            throws IOException {
        PumpSimulator sim = new PumpSimulator(Settings.normal(devices, seed, start));
        DateTimeFormatter fmt = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);
        long rows = span.toMillis() / sim.settings.period().toMillis();
        Files.createDirectories(dir);
        List<Path> files = new ArrayList<>();
        for (int d = 0; d < devices; d++) {
            Path file = dir.resolve(prefix + "-" + sim.devices[d].id + ".csv");
            try (BufferedWriter w = Files.newBufferedWriter(file)) {
                w.write("datetime;" + String.join(";", SENSORS));
                w.newLine();
                for (long i = 0; i < rows; i++) {
                    Sample s = sim.next(d);
                    StringBuilder sb = new StringBuilder(fmt.format(Instant.ofEpochMilli(s.eventTime())));
                    for (String name : SENSORS) {
                        sb.append(';').append(String.format(Locale.ROOT, "%.5f", s.values().get(name)));
                    }
                    w.write(sb.toString());
                    w.newLine();
                }
            }
            files.add(file);
        }
        return files;
    }
}
