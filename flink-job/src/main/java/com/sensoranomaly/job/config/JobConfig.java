package com.sensoranomaly.job.config;

import java.io.IOException;
import java.io.Reader;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

import com.sensoranomaly.model.DeviceModel;
import com.sensoranomaly.schema.format.RegistryConfig;
import com.sensoranomaly.schema.format.WireFormat;
import com.sensoranomaly.model.Imputation;

/**
 * The job's whole configuration: one typed, immutable object, built once at submission from
 * {@code --key value} arguments and, optionally, a properties file ({@code --config FILE}; arguments win).
 * Every setting, its default and its meaning is listed in {@link #HELP}; an unknown or invalid setting
 * stops the submission with a message naming it.
 *
 * <p>Settings that start with {@code kafka.} are passed unchanged (prefix removed) to every Kafka client
 * of the job, so SASL and TLS work without code changes: e.g. {@code --kafka.security.protocol SASL_SSL}.
 * Their values are never logged.
 */
public final class JobConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    public enum StartFrom { COMMITTED, EARLIEST, LATEST }
    public enum Delivery { EXACTLY_ONCE, AT_LEAST_ONCE, NONE }
    public enum Calibration { NONE, THRESHOLD, BASELINE, DEVICE_MODEL }
    public enum RuleMode { K_OF_N, MEAN }

    /** Setting name → default ("" = none) and description, in the order help shows them. */
    public static final Map<String, String[]> SETTINGS = new LinkedHashMap<>();

    private static void setting(String key, String def, String doc) {
        SETTINGS.put(key, new String[] {def, doc});
    }

    static {
        setting("bootstrap.servers", "", "Kafka bootstrap servers (required)");
        setting("bundle", "", "model bundle directory: a path or any Flink file system URI, file://, s3://, ... (required)");
        setting("bundle.public-key", "", "PEM file of the Ed25519 key bundles must be signed with (./anomaly keygen, train --signing-key); the submitted bundle and every model update must verify (empty: signatures not required)");
        setting("bundle.allowed-locations", "", "comma-separated locations (URI prefixes) model updates may load bundles from (empty: the directory holding the submitted bundle)");
        setting("rollout.load-timeout", "5m", "a model update whose bundle takes longer than this to load and verify is refused");
        setting("topic.readings", "sensor-readings", "topic of SensorReading records");
        setting("topic.alerts", "anomaly-alerts", "topic the AnomalyAlert records go to");
        setting("topic.dead-letters", "sensor-readings-dlq", "topic of DeadLetter records (unusable input, with the reason)");
        setting("topic.scores", "", "optional topic of one AnomalyScore per reading (empty: off)");
        setting("topic.embeddings", "", "optional topic of one ReadingEmbedding (the model's latent code) per scored reading (empty: off)");
        setting("topic.model-updates", "", "optional control topic of ModelUpdate records: switch models without a restart (empty: off)");
        setting("input.format", "avro", "how readings are encoded: avro (Avro single-object encoding, no registry) | registry-avro (schema-registry framing; the writer schema is fetched by id from registry.url and resolved against the contract, so compatible producer changes need no job change) | json (one JSON object per record, the contract's field names)");
        setting("output.format", "avro", "how alerts, scores and dead letters are encoded: avro | registry-avro (their schemas registered under <topic>-value at start) | json");
        setting("registry.url", "", "Confluent-compatible schema registry REST API, e.g. http://registry:8080/apis/ccompat/v7 (Apicurio); required by registry-avro");
        setting("registry.user-info", "", "HTTP basic credentials for the registry as user:password (never logged); or the environment variable ANOMALY_REGISTRY_USER_INFO");
        setting("registry.truststore", "", "trust store file for an https registry (empty: the JVM's default trust)");
        setting("registry.truststore-password", "", "password of registry.truststore (never logged)");
        setting("registry.truststore-type", "", "type of registry.truststore: PKCS12 | JKS (empty: the JVM's default)");
        setting("group.id", "anomaly-detector", "consumer group of the readings source");
        setting("start.from", "committed", "committed (the group's offsets, else earliest) | earliest | latest");
        setting("source.stop-at-latest", "false", "true: read up to the offsets that are latest at start, then finish (backfills, evaluation)");
        setting("watermark.out-of-orderness", "5s", "how late a reading may arrive in event time");
        setting("watermark.idleness", "1m", "a partition without data this long stops holding back the watermark");
        setting("validation.max-future", "1d", "readings further than this ahead of the wall clock are dead-lettered (BAD_TIMESTAMP)");
        setting("validation.min-time", "2000-01-01T00:00:00Z", "readings before this instant are dead-lettered (BAD_TIMESTAMP)");
        setting("validation.max-record-bytes", "262144", "a record (key or value) larger than this is dead-lettered (OVERSIZED) with its first bytes, size and sha256; keeps every output record far below Kafka's 1 MB default");
        setting("validation.max-device-id-length", "256", "a longer device id is dead-lettered (OVERSIZED): it would become a state key and travel in every alert");
        setting("validation.max-labels", "32", "a reading with more labels is dead-lettered (OVERSIZED)");
        setting("validation.max-label-length", "256", "a label key or value longer than this is dead-lettered (OVERSIZED)");
        setting("validation.clock-skew", "1m", "a device whose newest reading is further ahead of the wall clock than this, and which then sends a reading within it, is taken to have had its clock corrected: its window restarts instead of every later reading being OUT_OF_ORDER");
        setting("validation.range-factor", "1000", "a value further outside the training range than this many ranges is treated as missing (absurd, not anomalous)");
        setting("impute.strategy", "model", "mean | last | model: how missing values are filled (they never count toward the score)");
        setting("impute.max-age", "5m", "how old a last observed value may be for 'last' and 'model'");
        setting("impute.rounds", "3", "reconstruction rounds of 'model' imputation");
        setting("threshold.scale", "1.0", "multiplies the bundle's calibrated threshold and each device model's control limit");
        setting("threshold.value", "", "absolute threshold overriding the bundle's (empty: the bundle's)");
        setting("calibration.mode", "device-model", "device-model (each device fits its own model of normal from its first events; the bundle's model scores it until then) | baseline (per-device sensor offsets, then threshold) | threshold (per-device threshold from its first events) | none");
        setting("calibration.events", "400", "readings per device used for calibration; the device uses the bundle's model and global threshold until then");
        setting("calibration.window", "auto", "readings per window of a device's own model (calibration.mode=device-model); auto: the longest that leaves 5 warm-up windows per model dimension, events / (5 × features), e.g. 10 for 400 events of 8 sensors");
        setting("scoring.model-cache", String.valueOf(com.sensoranomaly.job.scoring.ScoringFunction.DEFAULT_MODEL_CACHE), "devices per subtask whose fitted models stay deserialized on the heap (about 10 KB each at the default window; 0: none); a RocksDB backend otherwise reads and deserializes a device's model at each of its readings");
        setting("rule.mode", "k-of-n", "k-of-n (k of the last n scores above the threshold) | mean (mean of the last n scores above it)");
        setting("rule.k", "10", "k of the k-of-n rule");
        setting("rule.n", "10", "n: readings in the decision window (1..64)");
        setting("rule.clear", "1", "m: consecutive readings below the threshold that close an episode (1: at the first normal reading; re-opening needs k exceedances again)");
        setting("device.idle-timeout", "1h", "a device silent this long (processing time) has its open episode resolved and its state dropped");
        setting("alert.top-features", "3", "contributing features listed per alert");
        setting("job.name", "anomaly-detection", "Flink job name (stable across model changes: the model version in force is the scoring.model.<version>.loaded metric)");
        setting("parallelism", "", "job parallelism (empty: the cluster's default)");
        setting("buffer-timeout", "10ms", "longest a partly filled network buffer waits before it is sent downstream (Flink's own default is 100ms, which made most of the alert latency tail); a full buffer goes at once, so a busy job is not slowed. Flink's execution.buffer-timeout.interval / .enabled win unless this is given");
        setting("checkpoint.interval", "10s", "checkpoint interval; exactly-once alerts become visible at each checkpoint");
        setting("delivery.guarantee", "exactly-once", "exactly-once | at-least-once | none");
        setting("transactional-id-prefix", "", "Kafka transactional id prefix of the sinks; must be unique per job, or two jobs fence each other's transactions (empty: the job's group.id, which is unique per job already)");
        setting("transaction.timeout", "15m", "Kafka transaction timeout; must not exceed the broker's transaction.max.timeout.ms (15m by default)");
    }

    public static final String HELP = buildHelp();

    private final Map<String, String> values;
    private final Properties kafka;

    private final java.util.Set<String> given;

    private JobConfig(Map<String, String> values, Properties kafka, java.util.Set<String> given) {
        this.values = Map.copyOf(values);
        this.kafka = kafka;
        this.given = given;
        validate();
    }

    /** Prefix of job settings given in Flink's configuration (config.yaml, a FlinkDeployment's flinkConfiguration). */
    public static final String FLINK_CONFIG_PREFIX = "anomaly.";

    /** Parses {@code --key value} pairs (and {@code --config FILE}); throws {@link ConfigException} on any problem. */
    public static JobConfig fromArgs(String... args) {
        return fromArgs(Map.of(), args);
    }

    /**
     * As {@link #fromArgs(String...)}, under the job settings found in Flink's configuration: keys {@code anomaly.<setting>}
     * (e.g. {@code anomaly.bundle}, {@code anomaly.kafka.security.protocol}). Arguments win over a {@code --config} file,
     * which wins over Flink's configuration.
     */
    public static JobConfig fromArgs(Map<String, String> flinkConfiguration, String... args) {
        Map<String, String> fromFlink = new LinkedHashMap<>();
        flinkConfiguration.forEach((k, v) -> {
            if (k.startsWith(FLINK_CONFIG_PREFIX)) {
                fromFlink.put(k.substring(FLINK_CONFIG_PREFIX.length()), v);
            }
        });
        Map<String, String> given = new LinkedHashMap<>();
        Path file = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new ConfigException("unexpected argument '" + a + "': settings are given as --key value");
            }
            String key = a.substring(2);
            String value;
            int eq = key.indexOf('=');
            if (eq >= 0) {
                value = key.substring(eq + 1);
                key = key.substring(0, eq);
            } else {
                if (i + 1 >= args.length) {
                    throw new ConfigException("setting '" + key + "' has no value");
                }
                value = args[++i];
            }
            if (key.equals("config")) {
                file = Path.of(value);
            } else {
                given.put(key, value);
            }
        }
        Map<String, String> merged = new LinkedHashMap<>(fromFlink);
        if (file != null) {
            merged.putAll(readProperties(file));
        }
        merged.putAll(given);
        return fromMap(merged);
    }

    public static JobConfig fromMap(Map<String, String> settings) {
        Map<String, String> values = new LinkedHashMap<>();
        Properties kafka = new Properties();
        for (Map.Entry<String, String> e : settings.entrySet()) {
            String key = e.getKey().trim();
            if (key.startsWith("kafka.")) {
                kafka.setProperty(key.substring("kafka.".length()), e.getValue());
            } else if (SETTINGS.containsKey(key)) {
                values.put(key, e.getValue().trim());
            } else {
                throw new ConfigException("unknown setting '" + key + "' (known: " + String.join(", ", SETTINGS.keySet())
                        + ", and kafka.* for Kafka client properties)");
            }
        }
        java.util.Set<String> given = java.util.Set.copyOf(values.keySet());
        for (Map.Entry<String, String[]> s : SETTINGS.entrySet()) {
            values.putIfAbsent(s.getKey(), s.getValue()[0]);
        }
        return new JobConfig(values, kafka, given);
    }

    private static Map<String, String> readProperties(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (String k : new TreeSet<>(p.stringPropertyNames())) {
            m.put(k, p.getProperty(k));
        }
        return m;
    }

    private void validate() {
        require("bootstrap.servers");
        require("bundle");
        require("topic.readings");
        require("topic.alerts");
        require("topic.dead-letters");
        require("group.id");
        startFrom();
        stopAtLatest();
        WireFormat in = inputFormat();
        WireFormat out = outputFormat();
        if ((in == WireFormat.REGISTRY_AVRO || out == WireFormat.REGISTRY_AVRO) && registry().isEmpty()) {
            throw new ConfigException("setting 'registry.url' is required by the registry-avro format (input.format="
                    + in.settingName() + ", output.format=" + out.settingName() + ")");
        }
        positive("watermark.out-of-orderness", watermarkOutOfOrderness(), true);
        positive("watermark.idleness", watermarkIdleness(), false);
        positive("validation.max-future", maxFuture(), true);
        minTime();
        if (maxRecordBytes() < 64) {
            throw new ConfigException("setting 'validation.max-record-bytes' must be at least 64: " + maxRecordBytes());
        }
        for (String key : List.of("validation.max-device-id-length", "validation.max-labels", "validation.max-label-length")) {
            if (intValue(key) < 1) {
                throw new ConfigException("setting '" + key + "' must be at least 1: " + get(key));
            }
        }
        positive("validation.clock-skew", clockSkew(), true);
        if (modelCacheSize() < 0) {
            throw new ConfigException("setting 'scoring.model-cache' must not be negative: " + get("scoring.model-cache"));
        }
        positive("rollout.load-timeout", rolloutLoadTimeout(), false);
        if (!(rangeFactor() > 0)) {
            throw new ConfigException("setting 'validation.range-factor' must be positive: " + get("validation.range-factor"));
        }
        imputation();
        if (!(thresholdScale() > 0)) {
            throw new ConfigException("setting 'threshold.scale' must be positive: " + get("threshold.scale"));
        }
        thresholdOverride().ifPresent(v -> {
            if (!(v > 0)) {
                throw new ConfigException("setting 'threshold.value' must be positive: " + v);
            }
        });
        calibration();
        int ce = intValue("calibration.events");
        int cw = calibrationWindow();
        if (cw != 0 && (cw < 1 || cw > 64)) {
            throw new ConfigException("setting 'calibration.window' must be auto or within 1..64: " + cw);
        }
        // auto is longest with one feature, so only very short warm-ups can be too short for it.
        int window = cw != 0 ? cw : DeviceModel.autoWindow(ce, 1);
        if (calibration() == Calibration.DEVICE_MODEL && ce <= 2 * window) {
            throw new ConfigException("setting 'calibration.events' (" + ce + ") must exceed twice the device model's window ("
                    + window + ") to fit a device model");
        }
        if (ce < 2) {
            throw new ConfigException("setting 'calibration.events' must be at least 2: " + ce);
        }
        ruleMode();
        int n = ruleN();
        if (n < 1 || n > 64) {
            throw new ConfigException("setting 'rule.n' must be within 1..64: " + n);
        }
        int k = ruleK();
        if (k < 1 || k > n) {
            throw new ConfigException("setting 'rule.k' must be within 1..rule.n (" + n + "): " + k);
        }
        if (ruleClear() < 1) {
            throw new ConfigException("setting 'rule.clear' must be at least 1: " + ruleClear());
        }
        positive("device.idle-timeout", deviceIdleTimeout(), false);
        if (topFeatures() < 0) {
            throw new ConfigException("setting 'alert.top-features' must not be negative");
        }
        parallelism().ifPresent(p -> {
            if (p < 1) {
                throw new ConfigException("setting 'parallelism' must be at least 1: " + p);
            }
        });
        positive("checkpoint.interval", checkpointInterval(), false);
        positive("buffer-timeout", bufferTimeout(), true);
        delivery();
        Duration tt = transactionTimeout();
        positive("transaction.timeout", tt, false);
        if (tt.compareTo(checkpointInterval()) <= 0) {
            throw new ConfigException("setting 'transaction.timeout' (" + tt + ") must be longer than 'checkpoint.interval' ("
                    + checkpointInterval() + "): transactions stay open for a whole checkpoint");
        }
    }

    // ---- typed accessors ----

    public String bootstrapServers() { return get("bootstrap.servers"); }
    public String bundle() { return get("bundle"); }
    public String readingsTopic() { return get("topic.readings"); }
    public String alertsTopic() { return get("topic.alerts"); }
    public String deadLetterTopic() { return get("topic.dead-letters"); }
    public Optional<String> scoresTopic() { return optional("topic.scores"); }
    public Optional<String> embeddingsTopic() { return optional("topic.embeddings"); }
    public Optional<String> modelUpdatesTopic() { return optional("topic.model-updates"); }
    public String groupId() { return get("group.id"); }
    public WireFormat inputFormat() { return format("input.format"); }
    public WireFormat outputFormat() { return format("output.format"); }

    /** The schema registry, if one is configured (credentials from the setting, else ANOMALY_REGISTRY_USER_INFO). */
    public Optional<RegistryConfig> registry() {
        Optional<String> url = optional("registry.url");
        if (url.isEmpty()) {
            return Optional.empty();
        }
        String userInfo = optional("registry.user-info").orElse(System.getenv("ANOMALY_REGISTRY_USER_INFO"));
        try {
            return Optional.of(new RegistryConfig(url.get(), userInfo, get("registry.truststore"), get("registry.truststore-password"),
                    get("registry.truststore-type")));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("setting 'registry.*': " + e.getMessage());
        }
    }

    private WireFormat format(String key) {
        try {
            return WireFormat.parse(get(key));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("setting '" + key + "': " + e.getMessage());
        }
    }
    public StartFrom startFrom() { return enumValue("start.from", StartFrom.class); }
    public boolean stopAtLatest() { return booleanValue("source.stop-at-latest"); }
    public Duration watermarkOutOfOrderness() { return duration("watermark.out-of-orderness"); }
    public Duration watermarkIdleness() { return duration("watermark.idleness"); }
    public Duration maxFuture() { return duration("validation.max-future"); }
    public int maxRecordBytes() { return intValue("validation.max-record-bytes"); }
    public Duration clockSkew() { return duration("validation.clock-skew"); }
    /** The size limits readings must keep to (checked before anything else is done with them). */
    public com.sensoranomaly.job.ingest.InputLimits inputLimits() {
        return new com.sensoranomaly.job.ingest.InputLimits(maxRecordBytes(), intValue("validation.max-device-id-length"),
                intValue("validation.max-labels"), intValue("validation.max-label-length"));
    }
    public double rangeFactor() { return doubleValue("validation.range-factor"); }
    public String jobName() { return get("job.name"); }
    public Duration rolloutLoadTimeout() { return duration("rollout.load-timeout"); }

    /**
     * What bundles must satisfy: the release key (read here, at submission, so it travels with the job and task managers
     * need no file) and the locations model updates may name (by default the submitted bundle's directory's parent).
     */
    public com.sensoranomaly.job.bundle.BundlePolicy bundlePolicy() {
        String pem = null;
        Optional<String> keyFile = optional("bundle.public-key");
        if (keyFile.isPresent()) {
            try {
                pem = Files.readString(Path.of(keyFile.get()));
            } catch (IOException e) {
                throw new ConfigException("setting 'bundle.public-key': cannot read " + keyFile.get() + ": " + e);
            }
        }
        List<String> allowed = optional("bundle.allowed-locations")
                .map(v -> java.util.Arrays.stream(v.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList())
                .orElseGet(() -> List.of(parentOf(bundle())));
        try {
            return new com.sensoranomaly.job.bundle.BundlePolicy(pem, allowed);
        } catch (RuntimeException e) {
            throw new ConfigException("setting 'bundle.public-key': " + e.getMessage());
        }
    }

    private static String parentOf(String location) {
        String s = location.endsWith("/") ? location.substring(0, location.length() - 1) : location;
        int slash = s.lastIndexOf('/');
        return slash > 0 ? s.substring(0, slash) : s;
    }

    public double thresholdScale() { return doubleValue("threshold.scale"); }
    public Calibration calibration() { return enumValue("calibration.mode", Calibration.class); }
    public int calibrationEvents() { return intValue("calibration.events"); }
    /** The device model's window; 0 for auto (chosen from the warm-up length and the number of features). */
    public int calibrationWindow() {
        return get("calibration.window").trim().equalsIgnoreCase("auto") ? 0 : intValue("calibration.window");
    }
    public RuleMode ruleMode() { return enumValue("rule.mode", RuleMode.class); }
    public int modelCacheSize() { return intValue("scoring.model-cache"); }
    public int ruleK() { return intValue("rule.k"); }
    public int ruleN() { return intValue("rule.n"); }
    public int ruleClear() { return intValue("rule.clear"); }
    public Duration deviceIdleTimeout() { return duration("device.idle-timeout"); }
    public int topFeatures() { return intValue("alert.top-features"); }
    public Duration checkpointInterval() { return duration("checkpoint.interval"); }
    public Duration bufferTimeout() { return duration("buffer-timeout"); }
    public Delivery delivery() { return enumValue("delivery.guarantee", Delivery.class); }
    public String transactionalIdPrefix() { return optional("transactional-id-prefix").orElse(groupId()); }
    /** Whether a setting was given (not just defaulted): job settings given explicitly win over Flink's configuration. */
    public boolean isGiven(String key) { return given.contains(key); }
    public Duration transactionTimeout() { return duration("transaction.timeout"); }

    public Optional<Integer> parallelism() {
        return optional("parallelism").map(v -> parseInt("parallelism", v));
    }

    public Optional<Double> thresholdOverride() {
        return optional("threshold.value").map(v -> parseDouble("threshold.value", v));
    }

    public Instant minTime() {
        try {
            return Instant.parse(get("validation.min-time"));
        } catch (DateTimeParseException e) {
            throw new ConfigException("setting 'validation.min-time' is not an ISO-8601 instant: " + get("validation.min-time"));
        }
    }

    public Imputation imputation() {
        Imputation.Strategy s;
        try {
            s = Imputation.Strategy.parse(get("impute.strategy"));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("setting 'impute.strategy': " + e.getMessage());
        }
        try {
            return new Imputation(s, duration("impute.max-age"), intValue("impute.rounds"));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("setting 'impute.*': " + e.getMessage());
        }
    }

    /** Kafka client properties given as kafka.* settings (a copy). */
    public Properties kafkaProperties() {
        Properties p = new Properties();
        p.putAll(kafka);
        return p;
    }

    /** Settings for logs: every job setting, and only the names of the Kafka properties (values may be secrets). */
    @Override
    public String toString() {
        Set<String> kafkaKeys = new TreeSet<>(kafka.stringPropertyNames());
        java.util.TreeMap<String, String> shown = new java.util.TreeMap<>(values);
        for (String secret : List.of("registry.user-info", "registry.truststore-password")) {
            shown.computeIfPresent(secret, (k, v) -> v.isEmpty() ? v : "******");
        }
        return "JobConfig" + shown + " kafka properties set: " + kafkaKeys;
    }

    // ---- parsing helpers ----

    private String get(String key) {
        return values.getOrDefault(key, "");
    }

    private Optional<String> optional(String key) {
        String v = get(key);
        return v.isEmpty() ? Optional.empty() : Optional.of(v);
    }

    private void require(String key) {
        if (get(key).isEmpty()) {
            throw new ConfigException("setting '" + key + "' is required (" + SETTINGS.get(key)[1] + ")");
        }
    }

    private static void positive(String key, Duration d, boolean zeroAllowed) {
        if (d.isNegative() || (!zeroAllowed && d.isZero())) {
            throw new ConfigException("setting '" + key + "' must be " + (zeroAllowed ? "zero or more" : "positive") + ": " + d);
        }
    }

    private boolean booleanValue(String key) {
        String v = get(key).trim().toLowerCase(Locale.ROOT);
        if (!v.equals("true") && !v.equals("false")) {
            throw new ConfigException("setting '" + key + "' must be true or false: '" + get(key) + "'");
        }
        return Boolean.parseBoolean(v);
    }

    private int intValue(String key) {
        return parseInt(key, get(key));
    }

    private static int parseInt(String key, String v) {
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException("setting '" + key + "' must be an integer: '" + v + "'");
        }
    }

    private double doubleValue(String key) {
        return parseDouble(key, get(key));
    }

    private static double parseDouble(String key, String v) {
        try {
            double d = Double.parseDouble(v.trim());
            if (!Double.isFinite(d)) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new ConfigException("setting '" + key + "' must be a number: '" + v + "'");
        }
    }

    private <E extends Enum<E>> E enumValue(String key, Class<E> type) {
        String v = get(key).trim().toUpperCase(Locale.ROOT).replace('-', '_');
        try {
            return Enum.valueOf(type, v);
        } catch (IllegalArgumentException e) {
            StringBuilder known = new StringBuilder();
            for (E c : type.getEnumConstants()) {
                known.append(known.length() == 0 ? "" : ", ").append(c.name().toLowerCase(Locale.ROOT).replace('_', '-'));
            }
            throw new ConfigException("setting '" + key + "' must be one of " + known + ": '" + get(key) + "'");
        }
    }

    private Duration duration(String key) {
        return parseDuration(key, get(key));
    }

    /** Parses "500ms", "5s", "2m", "1h", "1d" or ISO-8601 ("PT5S"). */
    public static Duration parseDuration(String key, String v) {
        String s = v.trim().toLowerCase(Locale.ROOT);
        try {
            if (s.startsWith("p")) {
                return Duration.parse(s.toUpperCase(Locale.ROOT));
            }
            if (s.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2).trim()));
            }
            long n = Long.parseLong(s.substring(0, s.length() - 1).trim());
            switch (s.charAt(s.length() - 1)) {
                case 's': return Duration.ofSeconds(n);
                case 'm': return Duration.ofMinutes(n);
                case 'h': return Duration.ofHours(n);
                case 'd': return Duration.ofDays(n);
                default: throw new NumberFormatException();
            }
        } catch (RuntimeException e) {
            throw new ConfigException("setting '" + key + "' must be a duration such as 500ms, 5s, 2m, 1h, 1d: '" + v + "'");
        }
    }

    private static String buildHelp() {
        StringBuilder sb = new StringBuilder("Settings (--key value, or key=value lines in --config FILE):\n");
        for (Map.Entry<String, String[]> e : SETTINGS.entrySet()) {
            sb.append(String.format("  --%-28s %s%s%n", e.getKey(), e.getValue()[1],
                    e.getValue()[0].isEmpty() ? "" : " [default: " + e.getValue()[0] + "]"));
        }
        sb.append("  --kafka.<property> <value>     any Kafka client property, passed unchanged (e.g. kafka.security.protocol)\n");
        return sb.toString();
    }
}
