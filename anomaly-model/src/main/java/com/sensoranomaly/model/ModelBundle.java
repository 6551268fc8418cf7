package com.sensoranomaly.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The model bundle: one directory that describes a trained model completely.
 *
 * <pre>
 * manifest.json   features, window, scaler, feature statistics, threshold and error statistics, training
 *                 details and metrics, library versions, the sha256 of every other file, and the
 *                 manifest's own checksum; "version" is a content hash of what defines the model
 * weights.json    the network as plain numbers (format below), read by the job without DL4J
 * model.zip       the DL4J model (trainer's own format; for inspection and retraining)
 * report.html     training report with plots
 * </pre>
 *
 * weights.json of a dense autoencoder: {@code {"format":"dense-autoencoder/1","layers":[{"nIn":8,"nOut":16,
 * "activation":"tanh","W":[[...nOut values...] × nIn rows],"b":[...nOut values...]}, ...]}}; each layer computes
 * {@code activation(x · W + b)} with x a row vector. A network with other layers is written as
 * {@code {"format":"autoencoder/2","family":"conv1d","layers":[...]}} where each layer names its {@code "type"}:
 * {@code "dense"} as above, or {@code "conv1d"} with {@code "length"} (time steps), {@code "nIn"}/{@code "nOut"}
 * (channels), {@code "kernel"} (odd), {@code "W"} as nOut × nIn × kernel nested arrays and {@code "b"}: a
 * cross-correlation over time with "same" zero padding ({@link Conv1DLayer}). The manifest names the family too.
 *
 * <p>The encoder half: the manifest's {@code "latent"} section names the bottleneck layer ({@code "layer"}, an index
 * into weights.json's layers) and the code's size ({@code "size"}); layers 0..layer of weights.json compute a reading's
 * latent code ({@link Autoencoder#encode}). It is derived from the layer sizes, so it is outside the content hash
 * (bundles keep their version) and bundles written before it existed read the same; when present it must agree with
 * the layers.
 *
 * <p>{@link #read(BundleSource)} verifies every checksum and refuses a bundle with a changed or missing file,
 * naming it.
 */
public final class ModelBundle {
    public static final String MANIFEST = "manifest.json";
    public static final String WEIGHTS = "weights.json";
    public static final String WEIGHTS_FORMAT = "dense-autoencoder/1";
    /** weights.json format of networks that are not dense-only (typed layers). */
    public static final String WEIGHTS_FORMAT_TYPED = "autoencoder/2";
    /** Bounds checked before anything is allocated for a layer read from a bundle. */
    static final int MAX_LAYER_SIZE = 1 << 16;
    static final long MAX_LAYER_PARAMETERS = 1L << 24;
    public static final int FORMAT_VERSION = 1;

    static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String SELF_CHECKSUM = "manifestSha256";

    private ModelBundle() {}

    /** A bundle as read: the model, and the whole manifest for tools that show training details. */
    public record Loaded(AnomalyModel model, JsonNode manifest) {}

    /**
     * Writes weights.json and manifest.json into {@code dir}. Files already in the directory (the DL4J model,
     * the report) are checksummed into the manifest.
     *
     * @param model   the model; its {@code version} is ignored and replaced by the content hash
     * @param details extra manifest sections (e.g. "training", "metrics", "libraries"), written as given
     * @return the model with its version set
     */
    public static AnomalyModel write(Path dir, AnomalyModel model, Map<String, ?> details, Instant createdAt)
            throws IOException {
        Files.createDirectories(dir);
        Files.write(dir.resolve(WEIGHTS), MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(weightsJson(model.network())));

        Map<String, String> files = new TreeMap<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                if (Files.isRegularFile(p) && !name.equals(MANIFEST)) {
                    files.put(name, sha256(p));
                }
            }
        }
        ObjectNode definition = definitionJson(model);
        String version = contentVersion(definition, files.get(WEIGHTS));

        ObjectNode m = MAPPER.createObjectNode();
        m.put("formatVersion", FORMAT_VERSION);
        m.put("version", version);
        m.put("createdAt", createdAt.toString());
        m.setAll(definition);
        m.set("latent", latentJson(model.network()));
        for (Map.Entry<String, ?> e : details.entrySet()) {
            m.set(e.getKey(), MAPPER.valueToTree(e.getValue()));
        }
        m.set("files", MAPPER.valueToTree(files));
        m.put(SELF_CHECKSUM, selfChecksum(m));
        Files.write(dir.resolve(MANIFEST), MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(m));
        return withVersion(model, version);
    }

    /** Reads and verifies a bundle (no signature required). */
    public static Loaded read(BundleSource source) {
        return read(source, null);
    }

    /**
     * Reads and verifies a bundle. With a {@code signer} key, the bundle must carry a valid {@link BundleSignature} over
     * its manifest (which holds the sha256 of every other file), so only the holder of the private key can publish a model.
     *
     * <p>Hostile bundles: file names in the manifest must be plain names inside the bundle ({@code ..}, paths and
     * devices are refused), every file is read at most {@link #MAX_FILE_BYTES}, and each file is read once (the bytes
     * hashed are the bytes parsed), so a file swapped between check and use is not taken.
     */
    public static Loaded read(BundleSource source, java.security.PublicKey signer) {
        byte[] manifestBytes = readFile(source, MANIFEST, MAX_MANIFEST_BYTES);
        if (signer != null) {
            BundleSignature.verify(manifestBytes, readSignature(source), signer, source.describe());
        }
        JsonNode manifest;
        try {
            manifest = MAPPER.readTree(manifestBytes);
        } catch (IOException e) {
            throw new BundleException("model bundle " + source.describe() + ": cannot read " + MANIFEST + ": " + e.getMessage(), e);
        }
        if (!(manifest instanceof ObjectNode m)) {
            throw new BundleException("model bundle " + source.describe() + ": " + MANIFEST + " is not a JSON object");
        }
        int format = m.path("formatVersion").asInt(-1);
        if (format != FORMAT_VERSION) {
            throw new BundleException("model bundle " + source.describe() + ": format version " + format
                    + " is not supported (this build reads " + FORMAT_VERSION + ")");
        }
        String recorded = m.path(SELF_CHECKSUM).asText("");
        if (!recorded.equals(selfChecksum(m))) {
            throw new BundleException("model bundle " + source.describe() + ": " + MANIFEST
                    + " was changed after it was written (checksum mismatch)");
        }
        JsonNode files = m.path("files");
        if (!files.has(WEIGHTS)) {
            throw new BundleException("model bundle " + source.describe() + ": manifest lists no " + WEIGHTS);
        }
        if (files.size() > MAX_FILES) {
            throw new BundleException("model bundle " + source.describe() + ": manifest lists " + files.size()
                    + " files, more than " + MAX_FILES);
        }
        byte[] weightsBytes = null;
        for (Iterator<Map.Entry<String, JsonNode>> it = files.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            checkFileName(f.getKey(), source);
            String actual;
            if (f.getKey().equals(WEIGHTS)) {
                weightsBytes = readFile(source, WEIGHTS, MAX_FILE_BYTES);
                actual = sha256(weightsBytes);
            } else {
                try (InputStream in = bounded(source.open(f.getKey()), MAX_FILE_BYTES, f.getKey())) {
                    actual = sha256(in);
                } catch (NoSuchFileException e) {
                    throw new BundleException("model bundle " + source.describe() + ": file " + f.getKey() + " is missing");
                } catch (IOException e) {
                    throw new BundleException("model bundle " + source.describe() + ": cannot read " + f.getKey() + ": " + e.getMessage(), e);
                }
            }
            if (!actual.equals(f.getValue().asText())) {
                throw new BundleException("model bundle " + source.describe() + ": file " + f.getKey()
                        + " does not match its checksum in the manifest (changed or corrupted)");
            }
        }
        try {
            Autoencoder network = parseWeights(MAPPER.readTree(weightsBytes));
            checkLatent(m.path("latent"), network);
            AnomalyModel model = parseModel(m, network);
            String expectedVersion = contentVersion(definitionJson(model), files.get(WEIGHTS).asText());
            if (!expectedVersion.equals(model.version())) {
                throw new BundleException("model bundle " + source.describe() + ": version " + model.version()
                        + " does not match its content (" + expectedVersion + ")");
            }
            return new Loaded(model, m);
        } catch (IOException | RuntimeException | StackOverflowError e) {
            if (e instanceof BundleException be) {
                throw be;
            }
            throw new BundleException("model bundle " + source.describe() + " is inconsistent: " + e.getMessage(), e);
        }
    }

    /** Largest manifest and largest other file read from a bundle (a trained bundle's are well under a megabyte). */
    static final int MAX_MANIFEST_BYTES = 4 << 20;
    static final int MAX_FILE_BYTES = 256 << 20;
    static final int MAX_FILES = 64;
    private static final java.util.regex.Pattern FILE_NAME = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    /** A manifest may name only plain files inside the bundle: no paths, no parent, no hidden or device names. */
    static void checkFileName(String name, BundleSource source) {
        if (!FILE_NAME.matcher(name).matches() || name.contains("..")) {
            throw new BundleException("model bundle " + source.describe() + ": manifest names file '"
                    + (name.length() > 80 ? name.substring(0, 80) + "…" : name) + "', which is not a plain file name inside the bundle");
        }
    }

    private static byte[] readSignature(BundleSource source) {
        try (InputStream in = bounded(source.open(BundleSignature.FILE), 4096, BundleSignature.FILE)) {
            return in.readAllBytes();
        } catch (NoSuchFileException e) {
            throw new BundleException("model bundle " + source.describe() + " is not signed (no " + BundleSignature.FILE
                    + "), and this job accepts only bundles signed with its configured key");
        } catch (IOException e) {
            throw new BundleException("model bundle " + source.describe() + ": cannot read " + BundleSignature.FILE + ": " + e.getMessage(), e);
        }
    }

    private static byte[] readFile(BundleSource source, String name, int max) {
        try (InputStream in = bounded(source.open(name), max, name)) {
            return in.readAllBytes();
        } catch (NoSuchFileException e) {
            if (name.equals(MANIFEST)) {
                throw new BundleException("model bundle " + source.describe() + " has no " + MANIFEST
                        + " (is this a bundle directory written by the trainer?)");
            }
            throw new BundleException("model bundle " + source.describe() + ": file " + name + " is missing");
        } catch (IOException e) {
            throw new BundleException("model bundle " + source.describe() + ": cannot read " + name + ": " + e.getMessage(), e);
        }
    }

    /** A stream that fails once more than {@code max} bytes were read from it (a bundle file cannot be endless). */
    private static InputStream bounded(InputStream in, long max, String name) {
        return new java.io.FilterInputStream(in) {
            private long read;

            private int count(int n) throws IOException {
                if (n > 0 && (read += n) > max) {
                    throw new IOException(name + " is larger than the " + max + " bytes a bundle file may have");
                }
                return n;
            }

            @Override
            public int read() throws IOException {
                int b = super.read();
                count(b < 0 ? 0 : 1);
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return count(super.read(b, off, len));
            }
        };
    }

    public static AnomalyModel load(Path dir) {
        return read(BundleSource.directory(dir)).model();
    }

    // ---- JSON forms ----

    static ObjectNode definitionJson(AnomalyModel model) {
        ObjectNode d = MAPPER.createObjectNode();
        d.set("features", MAPPER.valueToTree(model.features()));
        d.put("window", model.window());
        ObjectNode scaler = d.putObject("scaler");
        scaler.put("kind", model.scaler().kind().id());
        scaler.set("center", MAPPER.valueToTree(model.scaler().center()));
        scaler.set("scale", MAPPER.valueToTree(model.scaler().scale()));
        FeatureStats s = model.featureStats();
        ObjectNode stats = d.putObject("featureStats");
        stats.set("mean", MAPPER.valueToTree(s.mean()));
        stats.set("std", MAPPER.valueToTree(s.std()));
        stats.set("median", MAPPER.valueToTree(s.median()));
        stats.set("min", MAPPER.valueToTree(s.min()));
        stats.set("max", MAPPER.valueToTree(s.max()));
        ObjectNode threshold = d.putObject("threshold");
        threshold.put("value", model.threshold());
        threshold.put("quantile", model.thresholdQuantile());
        threshold.put("method", "quantile of validation scores");
        d.set("errorStats", MAPPER.valueToTree(model.errorStats()));
        d.set("featureErrorMean", MAPPER.valueToTree(model.featureErrorMean()));
        // Written only for families other than the original dense one, so dense bundles keep their content hash.
        if (!Autoencoder.DENSE.equals(model.network().family())) {
            d.put("family", model.network().family());
        }
        // Written only when used, so bundles of models that score raw readings keep their content hash.
        if (model.smoothing() < 1) {
            ObjectNode smoothing = d.putObject("smoothing");
            smoothing.put("method", "exponential");
            smoothing.put("alpha", model.smoothing());
        }
        return d;
    }

    /** The manifest's description of the encoder half (see the class comment). */
    static ObjectNode latentJson(Autoencoder network) {
        ObjectNode l = MAPPER.createObjectNode();
        l.put("layer", network.latentLayer());
        l.put("size", network.latentSize());
        l.put("definition", Autoencoder.CONV1D.equals(network.family())
                ? "output of layers 0..layer of weights.json: the bottleneck channels at every time step of the window, time-major"
                : "output of layers 0..layer of weights.json: the bottleneck activations");
        return l;
    }

    /** A recorded latent section must name the bottleneck the layers have (absent: a bundle from before it existed). */
    private static void checkLatent(JsonNode latent, Autoencoder network) {
        if (latent.isMissingNode()) {
            return;
        }
        if (latent.path("layer").asInt(-1) != network.latentLayer() || latent.path("size").asInt(-1) != network.latentSize()) {
            throw new BundleException(MANIFEST + " names latent layer " + latent.path("layer") + " of size " + latent.path("size")
                    + " but the bottleneck of " + WEIGHTS + " is layer " + network.latentLayer() + " of size " + network.latentSize());
        }
    }

    private static AnomalyModel parseModel(ObjectNode m, Autoencoder network) {
        String family = m.path("family").asText(Autoencoder.DENSE);
        if (!family.equals(network.family())) {
            throw new BundleException(MANIFEST + " names model family '" + family + "' but " + WEIGHTS + " holds a "
                    + network.family() + " network");
        }
        List<String> features = new ArrayList<>();
        m.path("features").forEach(n -> features.add(n.asText()));
        JsonNode sc = m.path("scaler");
        FeatureScaler scaler = new FeatureScaler(FeatureScaler.Kind.parse(sc.path("kind").asText()),
                doubles(sc.path("center")), doubles(sc.path("scale")));
        JsonNode st = m.path("featureStats");
        FeatureStats stats = new FeatureStats(doubles(st.path("mean")), doubles(st.path("std")),
                doubles(st.path("median")), doubles(st.path("min")), doubles(st.path("max")));
        ErrorStats errorStats;
        try {
            errorStats = MAPPER.treeToValue(m.path("errorStats"), ErrorStats.class);
        } catch (IOException e) {
            throw new BundleException("errorStats: " + e.getMessage(), e);
        }
        return new AnomalyModel(m.path("version").asText(), features, m.path("window").asInt(), scaler, stats, network,
                m.path("threshold").path("value").asDouble(), m.path("threshold").path("quantile").asDouble(),
                errorStats, doubles(m.path("featureErrorMean")),
                // Bundles written before smoothing existed scored raw readings.
                m.path("smoothing").path("alpha").asDouble(1.0));
    }

    static ObjectNode weightsJson(Autoencoder network) {
        ObjectNode w = MAPPER.createObjectNode();
        boolean dense = Autoencoder.DENSE.equals(network.family());
        w.put("format", dense ? WEIGHTS_FORMAT : WEIGHTS_FORMAT_TYPED);
        if (!dense) {
            w.put("family", network.family());
        }
        ArrayNode layers = w.putArray("layers");
        for (NetworkLayer nl : network.layers()) {
            ObjectNode layer = layers.addObject();
            if (nl instanceof DenseLayer l) {
                if (!dense) {
                    layer.put("type", "dense");
                }
                layer.put("nIn", l.nIn());
                layer.put("nOut", l.nOut());
                layer.put("activation", l.activation().name().toLowerCase(java.util.Locale.ROOT));
                ArrayNode rows = layer.putArray("W");
                double[] weights = l.weights();
                for (int i = 0; i < l.nIn(); i++) {
                    ArrayNode row = rows.addArray();
                    for (int j = 0; j < l.nOut(); j++) {
                        row.add(weights[i * l.nOut() + j]);
                    }
                }
                layer.set("b", MAPPER.valueToTree(l.bias()));
            } else if (nl instanceof Conv1DLayer c) {
                layer.put("type", "conv1d");
                layer.put("length", c.length());
                layer.put("nIn", c.nIn());
                layer.put("nOut", c.nOut());
                layer.put("kernel", c.kernel());
                layer.put("activation", c.activation().name().toLowerCase(java.util.Locale.ROOT));
                ArrayNode outs = layer.putArray("W");
                double[] weights = c.weights();
                for (int o = 0; o < c.nOut(); o++) {
                    ArrayNode ins = outs.addArray();
                    for (int i = 0; i < c.nIn(); i++) {
                        ArrayNode taps = ins.addArray();
                        for (int u = 0; u < c.kernel(); u++) {
                            taps.add(weights[(o * c.nIn() + i) * c.kernel() + u]);
                        }
                    }
                }
                layer.set("b", MAPPER.valueToTree(c.bias()));
            }
        }
        return w;
    }

    static Autoencoder parseWeights(JsonNode w) {
        String format = w.path("format").asText();
        boolean typed = WEIGHTS_FORMAT_TYPED.equals(format);
        if (!typed && !WEIGHTS_FORMAT.equals(format)) {
            throw new BundleException(WEIGHTS + " has format '" + format + "', expected " + WEIGHTS_FORMAT + " or " + WEIGHTS_FORMAT_TYPED);
        }
        List<NetworkLayer> layers = new ArrayList<>();
        int index = 0;
        for (JsonNode layer : w.path("layers")) {
            String type = typed ? layer.path("type").asText() : "dense";
            String where = WEIGHTS + " layer " + index++;
            int nIn = size(layer, "nIn", where);
            int nOut = size(layer, "nOut", where);
            Activation activation;
            try {
                activation = Activation.parse(layer.path("activation").asText());
            } catch (IllegalArgumentException e) {
                throw new BundleException(where + ": " + e.getMessage(), e);
            }
            JsonNode rows = layer.path("W");
            switch (type) {
                case "dense" -> {
                    if ((long) nIn * nOut > MAX_LAYER_PARAMETERS) {
                        throw new BundleException(where + ": " + nIn + "x" + nOut + " weights exceed the limit of " + MAX_LAYER_PARAMETERS);
                    }
                    if (rows.size() != nIn) {
                        throw new BundleException(where + ": declares nIn=" + nIn + " but has " + rows.size() + " rows");
                    }
                    double[] weights = new double[nIn * nOut];
                    for (int i = 0; i < nIn; i++) {
                        double[] row = doubles(rows.get(i));
                        if (row.length != nOut) {
                            throw new BundleException(where + ": row " + i + " has " + row.length + " values, expected " + nOut);
                        }
                        System.arraycopy(row, 0, weights, i * nOut, nOut);
                    }
                    layers.add(new DenseLayer(nIn, nOut, weights, doubles(layer.path("b")), activation));
                }
                case "conv1d" -> {
                    int length = size(layer, "length", where);
                    int kernel = size(layer, "kernel", where);
                    if ((long) nIn * nOut * kernel > MAX_LAYER_PARAMETERS) {
                        throw new BundleException(where + ": " + nOut + "x" + nIn + "x" + kernel + " weights exceed the limit of " + MAX_LAYER_PARAMETERS);
                    }
                    if (rows.size() != nOut) {
                        throw new BundleException(where + ": declares nOut=" + nOut + " but W has " + rows.size() + " output channels");
                    }
                    double[] weights = new double[nOut * nIn * kernel];
                    for (int o = 0; o < nOut; o++) {
                        JsonNode ins = rows.get(o);
                        if (ins.size() != nIn) {
                            throw new BundleException(where + ": output channel " + o + " has " + ins.size() + " input channels, expected " + nIn);
                        }
                        for (int i = 0; i < nIn; i++) {
                            double[] taps = doubles(ins.get(i));
                            if (taps.length != kernel) {
                                throw new BundleException(where + ": W[" + o + "][" + i + "] has " + taps.length + " taps, expected " + kernel);
                            }
                            System.arraycopy(taps, 0, weights, (o * nIn + i) * kernel, kernel);
                        }
                    }
                    try {
                        layers.add(new Conv1DLayer(length, nIn, nOut, kernel, weights, doubles(layer.path("b")), activation));
                    } catch (IllegalArgumentException e) {
                        throw new BundleException(where + ": " + e.getMessage(), e);
                    }
                }
                default -> throw new BundleException(where + " has type '" + type + "', expected dense or conv1d");
            }
        }
        if (layers.isEmpty()) {
            throw new BundleException(WEIGHTS + " has no layers");
        }
        Autoencoder network = new Autoencoder(layers);
        if (typed && !network.family().equals(w.path("family").asText(network.family()))) {
            throw new BundleException(WEIGHTS + " names family '" + w.path("family").asText() + "' but its layers make a "
                    + network.family() + " network");
        }
        return network;
    }

    private static int size(JsonNode layer, String field, String where) {
        JsonNode n = layer.path(field);
        if (!n.canConvertToInt() || n.asInt() < 1 || n.asInt() > MAX_LAYER_SIZE) {
            throw new BundleException(where + ": '" + field + "' must be an integer within 1.." + MAX_LAYER_SIZE + ": " + n);
        }
        return n.asInt();
    }

    private static double[] doubles(JsonNode array) {
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asDouble();
        }
        return out;
    }

    // ---- hashes ----

    private static String contentVersion(ObjectNode definition, String weightsSha) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(MAPPER.writeValueAsBytes(definition));
            md.update(weightsSha.getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(md.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String selfChecksum(ObjectNode manifest) {
        ObjectNode copy = manifest.deepCopy();
        copy.remove(SELF_CHECKSUM);
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(MAPPER.writeValueAsBytes(copy)));
        } catch (NoSuchAlgorithmException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return sha256(in);
        }
    }

    /** Hex sha256 of {@code bytes}. */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sha256(InputStream in) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            try (DigestInputStream din = new DigestInputStream(in, md); OutputStream sink = OutputStream.nullOutputStream()) {
                din.transferTo(sink);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static AnomalyModel withVersion(AnomalyModel m, String version) {
        return m.withVersion(version);
    }

    static {
        MAPPER.disable(SerializationFeature.INDENT_OUTPUT);
    }
}
