package com.sensoranomaly.cli.evaluate;

import com.sensoranomaly.model.AnomalyModel;
import com.sensoranomaly.model.DeviceModel;
import com.sensoranomaly.model.DeviceWindow;
import com.sensoranomaly.model.Imputation;
import com.sensoranomaly.model.ReadingScorer;
import com.sensoranomaly.model.Scored;
import com.sensoranomaly.model.Smoothing;
import com.sensoranomaly.trainer.AutoencoderTrainer;
import com.sensoranomaly.trainer.CsvHistory;
import com.sensoranomaly.trainer.SharedData;
import com.sensoranomaly.trainer.TrainerConfig;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Detection quality through the streaming path, as a regression guard: the default model trained on the
 * anomaly-free SKAB file, the 16 valve1 experiments replayed through the job with its default settings (each
 * device fits its own model on its first 400 readings), SKAB's metrics on the result. The floors are the
 * project's goal, which the defaults meet with some margin (docs/detection-quality.md).
 */
class EvaluationRegressionITCase {
    @TempDir
    static Path dir;

    static AnomalyModel model;
    static List<LabelledSeries> series;

    @BeforeAll
    static void trainDefaultModel() throws Exception {
        Path skab = SharedData.skab();
        model = AutoencoderTrainer.train(TrainerConfig.defaults(),
                CsvHistory.readAll(List.of(skab.resolve("anomaly-free/anomaly-free.csv")), CsvHistory.Options.DEFAULT),
                dir.resolve("bundle"), line -> { }).model();
        List<Path> files = new java.util.ArrayList<>();
        for (int i = 0; i < 16; i++) {
            files.add(skab.resolve("valve1/" + i + ".csv"));
        }
        series = EvaluateCommand.load(files);
    }

    @Test
    void shouldKeepPerDeviceDetectionQualityOnValve1() throws Exception {
        Map<String, JobDecisions> d = StreamingEvaluation.run(model, series, Map.of("calibration.events", "400"), 2);
        EvaluateCommand.Outcome o = EvaluateCommand.score("per-device", series, d, 400, 60_000);
        assertThat(d.values()).allMatch(x -> x.missing() == 0);
        assertThat(o.pooled().f1()).isGreaterThan(0.80);
        assertThat(o.pooled().far()).isLessThan(0.12);
        assertThat(o.pooled().mar()).isLessThan(0.25);
        assertThat(o.nab().get(NabScore.Profile.STANDARD)).isGreaterThan(33);

        // From row 400 on, every row is scored by the device's own model exactly as fitted and scored offline.
        for (LabelledSeries s : series.subList(0, 3)) {
            int f = s.features().size();
            double[] warmup = new double[400 * f];
            for (int i = 0; i < 400; i++) {
                for (int j = 0; j < f; j++) {
                    warmup[i * f + j] = (float) s.values()[i][j]; // the job keeps warm-up readings as floats
                }
            }
            DeviceModel own = DeviceModel.fit(warmup, 400, f, DeviceModel.autoWindow(400, f),
                    DeviceModel.spreadFloor(model.featureStats().std()));
            double[] streamed = d.get(s.deviceId()).score();
            for (int i = 400; i < s.size(); i++) {
                assertThat(streamed[i]).as("%s row %d", s.deviceId(), i).isEqualTo(own.score(s.values()[i]).score());
            }
        }
    }

    @Test
    void shouldScoreEveryRowExactlyAsTheOfflineScorerDoes() throws Exception {
        Map<String, JobDecisions> d = StreamingEvaluation.run(model, series, Map.of("calibration.mode", "none"), 2);
        for (LabelledSeries s : series) {
            ReadingScorer offline = new ReadingScorer(model, Imputation.DEFAULT);
            Smoothing smoothing = Smoothing.of(model, Imputation.DEFAULT.maxAge());
            DeviceWindow w = DeviceWindow.empty(model.window(), model.features().size());
            double[] streamed = d.get(s.deviceId()).score();
            for (int i = 0; i < s.size(); i++) {
                double[] reading = s.values()[i].clone();
                smoothing.apply(w, reading, s.times()[i]);
                Scored expected = offline.score(w, reading, s.times()[i]);
                assertThat(streamed[i]).as("%s row %d", s.deviceId(), i).isEqualTo(expected.score());
            }
        }
    }
}
