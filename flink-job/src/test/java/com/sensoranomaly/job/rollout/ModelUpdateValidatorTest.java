package com.sensoranomaly.job.rollout;

import com.sensoranomaly.job.TestModels;
import com.sensoranomaly.job.bundle.BundlePolicy;
import com.sensoranomaly.job.config.JobConfig.Calibration;
import com.sensoranomaly.job.deadletter.DeadLetterEvent;
import com.sensoranomaly.job.scoring.Detector;
import com.sensoranomaly.job.scoring.ModelSwitch;
import com.sensoranomaly.model.AnomalyModel;
import com.sensoranomaly.model.Imputation;
import com.sensoranomaly.model.ModelBundle;
import com.sensoranomaly.model.Reconstructor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ModelUpdateValidatorTest {
    @TempDir
    Path dir;

    private final AnomalyModel submitted = TestModels.correlatedPair();

    private record Outcome(List<ModelSwitch> switches, List<DeadLetterEvent> refused) {}

    private Outcome validate(ModelUpdateRequest r) {
        return validate(r, BundlePolicy.OPEN);
    }

    private Outcome validate(ModelUpdateRequest r, BundlePolicy policy) {
        ModelUpdateOutcome o = new ModelUpdateValidator(Detector.create(submitted,
                new Detector.Settings(Imputation.DEFAULT, Calibration.DEVICE_MODEL, 400, 0, 1.0, Double.NaN, Reconstructor.PLAIN_JAVA)),
                policy).validate(r);
        assertThat(o.accepted == null).as("exactly one of accepted and rejected").isNotEqualTo(o.rejected == null);
        return new Outcome(o.accepted == null ? List.of() : List.of(o.accepted), o.rejected == null ? List.of() : List.of(o.rejected));
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
        return write(features, 0.02);
    }

    private AnomalyModel write(List<String> features, double threshold) throws Exception {
        return ModelBundle.write(dir, new AnomalyModel("unversioned", features, 1, submitted.scaler(), submitted.featureStats(),
                submitted.network(), threshold, 0.99, submitted.errorStats(), submitted.featureErrorMean()), Map.of(), Instant.EPOCH);
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

    @Test
    void shouldRefuseABundleOutsideTheAllowedLocations() throws Exception {
        AnomalyModel m = write(submitted.features());
        BundlePolicy elsewhere = new BundlePolicy(null, List.of(dir.resolve("approved").toString()));
        assertThat(validate(request(dir.toString(), m.version()), elsewhere).refused()).singleElement()
                .satisfies(d -> assertThat(d.errorMessage).contains("outside the allowed bundle locations"));
        assertThat(validate(request(dir.resolve("approved/../..").toString(), m.version()), new BundlePolicy(null, List.of(dir.toString())))
                .refused()).singleElement().satisfies(d -> assertThat(d.errorMessage).contains("'..'"));
        assertThat(validate(request(dir.toString(), m.version()), new BundlePolicy(null, List.of(dir.getParent().toString())))
                .switches()).hasSize(1);
    }

    @Test
    void shouldRefuseAThresholdThatWouldSilenceEveryAlert() throws Exception {
        AnomalyModel m = write(submitted.features(), 1e300);
        assertThat(validate(request(dir.toString(), m.version())).refused()).singleElement()
                .satisfies(d -> assertThat(d.errorMessage).contains("threshold 1.0E300"));
    }

    @Test
    void shouldRequireTheReleaseKeysSignatureWhenTheJobHasOne() throws Exception {
        AnomalyModel m = write(submitted.features());
        java.security.KeyPair release = com.sensoranomaly.model.BundleSignature.generate();
        java.security.KeyPair other = com.sensoranomaly.model.BundleSignature.generate();
        Path pub = dir.getParent().resolve("release.pub");
        com.sensoranomaly.model.BundleSignature.writeKeyPair(release, dir.getParent().resolve("release.key"), pub);
        BundlePolicy signed = new BundlePolicy(java.nio.file.Files.readString(pub), List.of());

        assertThat(validate(request(dir.toString(), m.version()), signed).refused()).singleElement()
                .satisfies(d -> assertThat(d.errorMessage).contains("is not signed"));
        com.sensoranomaly.model.BundleSignature.sign(dir, other.getPrivate());
        assertThat(validate(request(dir.toString(), m.version()), signed).refused()).singleElement()
                .satisfies(d -> assertThat(d.errorMessage).contains("does not verify with the configured public key"));
        com.sensoranomaly.model.BundleSignature.sign(dir, release.getPrivate());
        assertThat(validate(request(dir.toString(), m.version()), signed).switches()).hasSize(1);
    }
}
