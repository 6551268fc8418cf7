package com.sensoranomaly.cli.evaluate;

import com.sensoranomaly.model.AnomalyModel;
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
 * anomaly-free SKAB file, two valve1 experiments replayed through the job, SKAB's metrics on the result.
 * The floors sit just under what the project measures (docs/detection-quality.md).
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
        series = EvaluateCommand.load(List.of(skab.resolve("valve1/0.csv"), skab.resolve("valve1/10.csv")));
    }

    @Test
    void shouldKeepPerDeviceDetectionQualityOnValve1() throws Exception {
        Map<String, JobDecisions> d = StreamingEvaluation.run(model, series,
                Map.of("calibration.mode", "baseline", "calibration.events", "400"), 2);
        EvaluateCommand.Outcome o = EvaluateCommand.score("per-device", series, d, 400, 60_000);
        assertThat(d.values()).allMatch(x -> x.missing() == 0);
        assertThat(o.pooled().f1()).isGreaterThan(0.84);
        assertThat(o.pooled().mar()).isLessThan(0.10);
        assertThat(o.pooled().far()).isLessThan(0.27);
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
