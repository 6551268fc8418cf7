package com.sensoranomaly.job.scoring;

import com.sensoranomaly.job.config.JobConfig;
import com.sensoranomaly.model.AnomalyModel;
import com.sensoranomaly.model.Imputation;
import com.sensoranomaly.model.ReadingScorer;
import com.sensoranomaly.model.Reconstructor;
import com.sensoranomaly.model.Smoothing;

import java.io.Serializable;
import java.util.List;

/**
 * The model in force, as one immutable, versioned value: a bundle's model (of any family) with everything the job
 * derives from it and its settings: how missing values are imputed, how readings are smoothed, the global threshold,
 * and the per-device calibration (which includes each device's own model of normal). Built by one factory,
 * {@link #create}; a rollout builds the next one with {@link #forModel} and hands the value to the scoring subtasks,
 * so switching models is replacing this value.
 */
public final class Detector implements Serializable {
    private static final long serialVersionUID = 1L;

    /** What a detector takes from the job's settings, the same whichever model it is built around. */
    public record Settings(Imputation imputation, JobConfig.Calibration calibration, int calibrationEvents,
                           int calibrationWindow, double thresholdScale, double thresholdOverride,
                           Reconstructor.Factory engine) implements Serializable {

        public static Settings of(JobConfig config, Reconstructor.Factory engine) {
            return new Settings(config.imputation(), config.calibration(), config.calibrationEvents(), config.calibrationWindow(),
                    config.thresholdScale(), config.thresholdOverride().orElse(Double.NaN), engine);
        }
    }

    private final AnomalyModel model;
    private final Settings settings;
    private final DeviceCalibrator calibrator;
    private final double globalThreshold;

    private Detector(AnomalyModel model, Settings settings) {
        this.model = model;
        this.settings = settings;
        this.calibrator = new DeviceCalibrator(settings.calibration(), settings.calibrationEvents(), settings.calibrationWindow(),
                settings.thresholdScale(), model);
        // The threshold policy, in one place: an absolute threshold if one is set, else the bundle's scaled.
        this.globalThreshold = Double.isNaN(settings.thresholdOverride())
                ? model.threshold() * settings.thresholdScale() : settings.thresholdOverride();
    }

    /** The one factory: a detector around {@code model} with the job's settings. */
    public static Detector create(AnomalyModel model, JobConfig config, Reconstructor.Factory engine) {
        return new Detector(model, Settings.of(config, engine));
    }

    public static Detector create(AnomalyModel model, Settings settings) {
        return new Detector(model, settings);
    }

    /** The same settings around another model (a rollout's). */
    public Detector forModel(AnomalyModel other) {
        return new Detector(other, settings);
    }

    /** The model's content version: what scored readings and alerts carry. */
    public String version() {
        return model.version();
    }

    public AnomalyModel model() {
        return model;
    }

    public List<String> features() {
        return model.features();
    }

    public DeviceCalibrator calibrator() {
        return calibrator;
    }

    public double globalThreshold() {
        return globalThreshold;
    }

    /** A scorer for one subtask (scorers keep scratch buffers and are not thread-safe). */
    public ReadingScorer newScorer() {
        return new ReadingScorer(model, settings.imputation(), settings.engine().create(model));
    }

    public Smoothing newSmoothing() {
        return Smoothing.of(model, settings.imputation().maxAge());
    }

    @Override
    public String toString() {
        return "Detector{model " + model.version() + " (" + model.network().family() + ", window " + model.window()
                + "), calibration " + settings.calibration() + ", global threshold " + globalThreshold + "}";
    }
}
