package com.sensoranomaly.job.rollout;

import com.sensoranomaly.job.TestModels;
import com.sensoranomaly.job.config.JobConfig.Calibration;
import com.sensoranomaly.job.deadletter.DeadLetterEvent;
import com.sensoranomaly.job.scoring.Detector;
import com.sensoranomaly.job.scoring.ModelSwitch;
import com.sensoranomaly.model.AnomalyModel;
import com.sensoranomaly.model.Imputation;
import com.sensoranomaly.model.ModelBundle;
import com.sensoranomaly.model.Reconstructor;

import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.assertj.core.api.Assertions.assertThat;

class ModelUpdateValidatorTest {
    @TempDir
    Path dir;

    private final AnomalyModel submitted = TestModels.correlatedPair();

    private record Outcome(List<ModelSwitch> switches, List<DeadLetterEvent> refused) {}

    private Outcome validate(ModelUpdateRequest r) throws Exception {
        try (var h = new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(new ModelUpdateValidator(Detector.create(submitted,
                new Detector.Settings(Imputation.DEFAULT, Calibration.DEVICE_MODEL, 400, 0, 1.0, Double.NaN, Reconstructor.PLAIN_JAVA)))))) {
            h.open();
            h.processElement(r, 0);
            ConcurrentLinkedQueue<org.apache.flink.streaming.runtime.streamrecord.StreamRecord<DeadLetterEvent>> dead =
                    h.getSideOutput(ModelUpdateValidator.DEAD_LETTERS);
            return new Outcome(h.extractOutputValues(),
                    dead == null ? List.of() : dead.stream().map(org.apache.flink.streaming.runtime.streamrecord.StreamRecord::getValue).toList());
        }
    }

    private static ModelUpdateRequest request(String bundle, String version) {
        ModelUpdateRequest r = new ModelUpdateRequest();
        r.bundle = bundle;
        r.version = version;
        r.sourceTopic = "updates";
        r.value = new byte[] {1, 2};
        return r;
    }

    private AnomalyModel write(List<String> features) throws Exception {
        return ModelBundle.write(dir, new AnomalyModel("unversioned", features, 1, submitted.scaler(), submitted.featureStats(),
                submitted.network(), 0.02, 0.99, submitted.errorStats(), submitted.featureErrorMean()), Map.of(), Instant.EPOCH);
    }

    @Test
    void shouldPassAVerifiedBundleOfTheAskedVersionAndTheSameFeatures() throws Exception {
        AnomalyModel m = write(submitted.features());
        Outcome o = validate(request(dir.toString(), m.version()));
        assertThat(o.switches()).singleElement().satisfies(s -> {
            assertThat(s.bundle).isEqualTo(dir.toString());
            assertThat(s.version).isEqualTo(m.version());
            // Loaded once, here: the switch carries the ready detector, with the submitted one's settings.
            Detector d = s.detector(getClass().getClassLoader());
            assertThat(d.version()).isEqualTo(m.version());
            assertThat(d.globalThreshold()).isEqualTo(0.02);
            assertThat(d.features()).isEqualTo(submitted.features());
        });
        assertThat(o.refused()).isEmpty();
    }

    @Test
    void shouldRefuseABundleWhoseContentIsNotTheVersionAskedFor() throws Exception {
        write(submitted.features());
        Outcome o = validate(request(dir.toString(), "0000000000000000"));
        assertThat(o.switches()).isEmpty();
        assertThat(o.refused()).singleElement().satisfies(d -> assertThat(d.errorMessage).contains("the update asked for 0000000000000000"));
    }

    @Test
    void shouldRefuseABundleWithOtherFeaturesNamingWhy() throws Exception {
        AnomalyModel m = write(List.of("x", "y"));
        Outcome o = validate(request(dir.toString(), m.version()));
        assertThat(o.switches()).isEmpty();
        assertThat(o.refused()).singleElement().satisfies(d -> {
            assertThat(d.reason).isEqualTo("MODEL_UPDATE_REJECTED");
            assertThat(d.errorMessage).contains("[x, y]", "redeploy");
            assertThat(d.value).containsExactly(1, 2);
        });
    }

    @Test
    void shouldRefuseAMissingBundleAndAnUndecodableRequest() throws Exception {
        assertThat(validate(request(dir.resolve("nope").toString(), "v")).refused()).singleElement()
                .satisfies(d -> assertThat(d.errorMessage).contains("cannot be used"));
        ModelUpdateRequest junk = request(null, null);
        junk.error = "not a ModelUpdate in Avro single-object encoding: bad magic";
        assertThat(validate(junk).refused()).singleElement()
                .satisfies(d -> assertThat(d.errorMessage).contains("not a ModelUpdate"));
    }
}
