package com.sensoranomaly.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelBundleTest {
    @TempDir
    Path dir;

    private AnomalyModel written() throws Exception {
        Files.writeString(dir.resolve("report.html"), "<html></html>");
        return ModelBundle.write(dir, TestNetworks.pairModel(2), Map.of("metrics", Map.of("mse", 0.1)), Instant.parse("2026-01-01T00:00:00Z"));
    }

    @Test
    void shouldReadBackTheModelItWrote() throws Exception {
        AnomalyModel w = written();
        ModelBundle.Loaded r = ModelBundle.read(BundleSource.directory(dir));
        AnomalyModel m = r.model();
        assertThat(m.version()).isEqualTo(w.version()).hasSize(16);
        assertThat(m.features()).containsExactly("a", "b");
        assertThat(m.window()).isEqualTo(2);
        assertThat(m.threshold()).isEqualTo(0.1);
        assertThat(m.scaler().center()).containsExactly(0, 0);
        double[] x = {1, 2, 3, 4};
        assertThat(m.network().reconstruct(x)).containsExactly(w.network().reconstruct(x));
        assertThat(r.manifest().path("metrics").path("mse").asDouble()).isEqualTo(0.1);
        assertThat(r.manifest().path("files").has("report.html")).isTrue();
    }

    @Test
    void shouldGiveTheSameContentTheSameVersion() throws Exception {
        String first = written().version();
        String second = ModelBundle.write(dir, TestNetworks.pairModel(2), Map.of(), Instant.now()).version();
        assertThat(second).isEqualTo(first);
    }

    @Test
    void shouldRefuseBundleWhoseWeightsFileChanged() throws Exception {
        written();
        Path weights = dir.resolve(ModelBundle.WEIGHTS);
        Files.writeString(weights, Files.readString(weights).replaceFirst("0\\.5", "0.6"));
        assertThatThrownBy(() -> ModelBundle.load(dir)).isInstanceOf(BundleException.class)
                .hasMessageContaining("weights.json").hasMessageContaining("checksum");
    }

    @Test
    void shouldRefuseBundleWhoseManifestWasEdited() throws Exception {
        written();
        Path manifest = dir.resolve(ModelBundle.MANIFEST);
        Files.writeString(manifest, Files.readString(manifest).replace("\"value\" : 0.1", "\"value\" : 5.0"));
        assertThatThrownBy(() -> ModelBundle.load(dir)).isInstanceOf(BundleException.class)
                .hasMessageContaining("manifest.json").hasMessageContaining("changed");
    }

    @Test
    void shouldNameTheMissingFile() throws Exception {
        written();
        Files.delete(dir.resolve("report.html"));
        assertThatThrownBy(() -> ModelBundle.load(dir)).isInstanceOf(BundleException.class).hasMessageContaining("report.html is missing");
        assertThatThrownBy(() -> ModelBundle.load(dir.resolve("nowhere"))).isInstanceOf(BundleException.class)
                .hasMessageContaining("no manifest.json");
    }

    @Test
    void shouldReadBackEveryPartOfTheModelExactly() throws Exception {
        AnomalyModel w = written();
        AnomalyModel r = ModelBundle.load(dir);
        assertThat(r.features()).isEqualTo(w.features());
        assertThat(r.window()).isEqualTo(w.window());
        assertThat(r.threshold()).isEqualTo(w.threshold());
        assertThat(r.thresholdQuantile()).isEqualTo(w.thresholdQuantile());
        assertThat(r.errorStats()).isEqualTo(w.errorStats());
        assertThat(r.featureErrorMean()).containsExactly(w.featureErrorMean());
        assertThat(r.scaler().kind()).isEqualTo(w.scaler().kind());
        assertThat(r.scaler().center()).containsExactly(w.scaler().center());
        assertThat(r.scaler().scale()).containsExactly(w.scaler().scale());
        assertThat(r.featureStats().mean()).containsExactly(w.featureStats().mean());
        assertThat(r.featureStats().std()).containsExactly(w.featureStats().std());
        assertThat(r.featureStats().median()).containsExactly(w.featureStats().median());
        assertThat(r.featureStats().min()).containsExactly(w.featureStats().min());
        assertThat(r.featureStats().max()).containsExactly(w.featureStats().max());
        assertThat(r.network().layers()).hasSameSizeAs(w.network().layers());
        for (int i = 0; i < w.network().layers().size(); i++) {
            DenseLayer a = (DenseLayer) w.network().layers().get(i);
            DenseLayer b = (DenseLayer) r.network().layers().get(i);
            assertThat(b.weights()).containsExactly(a.weights());
            assertThat(b.bias()).containsExactly(a.bias());
            assertThat(b.activation()).isEqualTo(a.activation());
        }
    }

    @Test
    void shouldRefuseAnEditedThresholdEvenWhenTheManifestChecksumWasRecomputed() throws Exception {
        written();
        Path manifest = dir.resolve(ModelBundle.MANIFEST);
        com.fasterxml.jackson.databind.node.ObjectNode m =
                (com.fasterxml.jackson.databind.node.ObjectNode) ModelBundle.MAPPER.readTree(manifest.toFile());
        ((com.fasterxml.jackson.databind.node.ObjectNode) m.path("threshold")).put("value", 5.0);
        // Forge the self-checksum the way the writer computes it: the version (a content hash) must still catch it.
        m.remove("manifestSha256");
        String forged = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(ModelBundle.MAPPER.writeValueAsBytes(m)));
        m.put("manifestSha256", forged);
        Files.write(manifest, ModelBundle.MAPPER.writeValueAsBytes(m));
        assertThatThrownBy(() -> ModelBundle.load(dir)).isInstanceOf(BundleException.class)
                .hasMessageContaining("does not match its content");
    }

    @Test
    void shouldNameAMissingWeightsFile() throws Exception {
        written();
        Files.delete(dir.resolve(ModelBundle.WEIGHTS));
        assertThatThrownBy(() -> ModelBundle.load(dir)).isInstanceOf(BundleException.class)
                .hasMessageContaining("file weights.json is missing");
    }

    /** Rewrites the manifest through {@code edit} and forges its self-checksum, as anyone with write access could. */
    private void forgeManifest(java.util.function.Consumer<com.fasterxml.jackson.databind.node.ObjectNode> edit) throws Exception {
        Path manifest = dir.resolve(ModelBundle.MANIFEST);
        com.fasterxml.jackson.databind.node.ObjectNode m =
                (com.fasterxml.jackson.databind.node.ObjectNode) ModelBundle.MAPPER.readTree(manifest.toFile());
        edit.accept(m);
        m.remove("manifestSha256");
        m.put("manifestSha256", java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(ModelBundle.MAPPER.writeValueAsBytes(m))));
        Files.write(manifest, ModelBundle.MAPPER.writeValueAsBytes(m));
    }

    @Test
    void shouldOpenOnlyPlainFilesInsideTheBundleWhateverTheManifestNames() throws Exception {
        for (String name : new String[] {"../outside.json", "/dev/zero", "sub/dir.json", ".hidden", ".."}) {
            written();
            forgeManifest(m -> ((com.fasterxml.jackson.databind.node.ObjectNode) m.path("files")).put(name, "00"));
            assertThatThrownBy(() -> ModelBundle.load(dir)).as(name).isInstanceOf(BundleException.class)
                    .hasMessageContaining("not a plain file name inside the bundle");
        }
    }

    @Test
    void shouldAcceptOnlyBundlesSignedWithTheGivenKeyOverTheirManifestAsIs() throws Exception {
        written();
        java.security.KeyPair release = BundleSignature.generate();
        BundleSource source = BundleSource.directory(dir);
        assertThatThrownBy(() -> ModelBundle.read(source, release.getPublic())).hasMessageContaining("is not signed");

        BundleSignature.sign(dir, release.getPrivate());
        assertThat(ModelBundle.read(source, release.getPublic()).model().version()).isNotBlank();
        assertThatThrownBy(() -> ModelBundle.read(source, BundleSignature.generate().getPublic()))
                .hasMessageContaining("does not verify with the configured public key");

        // A change after signing, even with every checksum forged to match, breaks the signature.
        forgeManifest(m -> m.put("createdAt", "2030-01-01T00:00:00Z"));
        assertThat(ModelBundle.read(source, null).model()).as("checksums alone do not catch it").isNotNull();
        assertThatThrownBy(() -> ModelBundle.read(source, release.getPublic())).hasMessageContaining("does not verify");
    }

    @Test
    void shouldReadBackAKeyPairWrittenAsPem() throws Exception {
        java.security.KeyPair pair = BundleSignature.generate();
        BundleSignature.writeKeyPair(pair, dir.resolve("k.key"), dir.resolve("k.pub"));
        assertThat(BundleSignature.readPrivateKey(dir.resolve("k.key")).getEncoded()).isEqualTo(pair.getPrivate().getEncoded());
        assertThat(BundleSignature.parsePublicKey(Files.readString(dir.resolve("k.pub")), "k.pub").getEncoded())
                .isEqualTo(pair.getPublic().getEncoded());
        assertThat(Files.getPosixFilePermissions(dir.resolve("k.key"))).containsExactlyInAnyOrder(
                java.nio.file.attribute.PosixFilePermission.OWNER_READ, java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
        assertThatThrownBy(() -> BundleSignature.parsePublicKey("not a key", "k.pub")).hasMessageContaining("not a PEM PUBLIC KEY");
    }

    @Test
    void shouldRecordTheEncoderHalfInTheManifestWithoutChangingTheVersion() throws Exception {
        AnomalyModel w = written();
        com.fasterxml.jackson.databind.JsonNode latent = ModelBundle.read(BundleSource.directory(dir)).manifest().path("latent");
        assertThat(latent.path("layer").asInt()).isZero();
        assertThat(latent.path("size").asInt()).isEqualTo(2);

        // A bundle from before the latent section: same version, same code.
        forgeManifest(m -> m.remove("latent"));
        AnomalyModel old = ModelBundle.load(dir);
        assertThat(old.version()).isEqualTo(w.version());
        assertThat(old.network().encode(new double[] {1, 3, 2, 6})).containsExactly(2, 4);
    }

    @Test
    void shouldRefuseALatentSectionThatDisagreesWithTheLayers() throws Exception {
        written();
        forgeManifest(m -> ((com.fasterxml.jackson.databind.node.ObjectNode) m.path("latent")).put("size", 3));
        assertThatThrownBy(() -> ModelBundle.load(dir)).isInstanceOf(BundleException.class)
                .hasMessageContaining("latent layer 0 of size 3");
    }
}
