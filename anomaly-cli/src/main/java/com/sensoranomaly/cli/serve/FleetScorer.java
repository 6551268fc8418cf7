package com.sensoranomaly.cli.serve;

import com.sensoranomaly.job.detection.TopFeatures;
import com.sensoranomaly.job.ingest.ReadingValidator;
import com.sensoranomaly.job.scoring.Detector;
import com.sensoranomaly.model.AnomalyModel;
import com.sensoranomaly.model.DeviceWindow;
import com.sensoranomaly.model.ReadingScorer;
import com.sensoranomaly.model.Scored;
import com.sensoranomaly.model.Smoothing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Scores readings without keeping anything between calls, with the job's own pieces: the job's {@link Detector} (the
 * bundle's model with the job's imputation, smoothing and threshold policy), its {@link ReadingValidator} and
 * {@link TopFeatures}. Each device's readings in one call are taken as a new device's first readings, in order: a
 * fresh model window and smoothing, the bundle's (fleet) model, the global threshold. That is exactly how the job
 * scores a device during its first {@code calibration.events} readings; after those the job scores a device with a
 * model it fits to that device, which a stateless service cannot have.
 *
 * <p>Thread-safe: a call allocates its own scorer and windows.
 */
public final class FleetScorer {

    /** One reading as sent: device, event time (epoch millis) and raw values in model feature order (NaN = missing). */
    public record Input(String deviceId, long time, double[] values) {}

    /**
     * The verdict on one reading.
     *
     * @param values     the values scored, in model order, after the job's validation (NaN: missing or absurd)
     * @param absurd     values dropped as absurdly far outside the training range (treated as missing, as the job does)
     * @param scored     the scorer's result (score NaN while the model's window is still filling)
     * @param modelInput the model input (W × F scaled, imputed entries filled); null while warming up
     * @param threshold  the threshold the job uses for a device it is still calibrating: the bundle's, with the job's policy
     */
    public record Result(Input input, double[] values, int absurd, Scored scored, double[] modelInput, double threshold) {
        public boolean warmingUp() {
            return scored.isWarmingUp();
        }

        public boolean exceeds() {
            return scored.score() > threshold;
        }
    }

    /** A reading the job would not score: it dead-letters it with this reason. */
    public static final class Rejected extends RuntimeException {
        private final int index;

        Rejected(int index, String message) {
            super(message);
            this.index = index;
        }

        public int index() {
            return index;
        }
    }

    private final Detector detector;
    private final ReadingValidator validator;

    public FleetScorer(Detector detector, double rangeFactor) {
        this.detector = detector;
        // Times are the caller's (history may be years old): only the job's value rules apply here.
        this.validator = new ReadingValidator(detector.model(), Long.MIN_VALUE, Long.MAX_VALUE / 4, rangeFactor);
    }

    public Detector detector() {
        return detector;
    }

    public AnomalyModel model() {
        return detector.model();
    }

    /**
     * Scores readings in the order given; each device's readings must be in time order.
     *
     * @throws Rejected for a reading the job would dead-letter (no usable value, out of order), naming its index
     */
    public List<Result> score(List<Input> readings) {
        ReadingScorer scorer = detector.newScorer();
        Map<String, Device> devices = new HashMap<>();
        List<Result> out = new ArrayList<>(readings.size());
        for (int i = 0; i < readings.size(); i++) {
            Input in = readings.get(i);
            Device d = devices.computeIfAbsent(in.deviceId(), k -> new Device(detector));
            out.add(d.score(scorer, i, in));
        }
        return out;
    }

    /** Scores one device's readings as a stream, one at a time (batch scoring of long histories). */
    public Stream stream() {
        return new Stream();
    }

    /** A device-by-device scorer that keeps its windows between calls: for history files, never for requests. */
    public final class Stream {
        private final ReadingScorer scorer = detector.newScorer();
        private final Map<String, Device> devices = new HashMap<>();
        private int index;

        public Result score(Input in) {
            Device d = devices.computeIfAbsent(in.deviceId(), k -> new Device(detector));
            return d.score(scorer, index++, in);
        }
    }

    /** The ranked evidence of a result, as an alert on it would list it. */
    public List<TopFeatures.Contribution> topFeatures(Result r, int n) {
        return TopFeatures.rank(r.scored().featureErrors(), model().featureErrorMean(), r.values(), r.scored().expected(), n);
    }

    /** The latent code of a scored reading's model input (the encoder half). */
    public double[] latent(Result r) {
        return r.modelInput() == null ? null : model().network().encode(r.modelInput());
    }

    private final class Device {
        final DeviceWindow window;
        final Smoothing smoothing;

        Device(Detector detector) {
            AnomalyModel m = detector.model();
            window = DeviceWindow.empty(m.window(), m.features().size());
            smoothing = detector.newSmoothing();
        }

        Result score(ReadingScorer scorer, int index, Input in) {
            if (in.time() <= window.lastEventTime) {
                throw new Rejected(index, "event time " + in.time() + " is not after the device's previous reading ("
                        + window.lastEventTime + "): a device's readings must be in time order");
            }
            double[] values = in.values().clone();
            ReadingValidator.Result v = validator.validate(in.deviceId(), in.time(), values, 0, 0, null, 0L);
            if (v.rejected != null) {
                throw new Rejected(index, v.message);
            }
            // As the job's ScoringFunction: smooth (if the model was trained smoothed), then score with the fleet model.
            double[] raw = v.reading.values.clone();
            smoothing.apply(window, raw, in.time());
            Scored sc = scorer.score(window, raw, in.time());
            return new Result(in, v.reading.values, v.absurd, sc, sc.isWarmingUp() ? null : scorer.lastInput(),
                    detector.globalThreshold());
        }
    }
}
