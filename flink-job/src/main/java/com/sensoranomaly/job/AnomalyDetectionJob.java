package com.sensoranomaly.job;

import com.sensoranomaly.job.bundle.BundleLoader;
import com.sensoranomaly.job.config.ConfigException;
import com.sensoranomaly.job.config.JobConfig;
import com.sensoranomaly.job.deadletter.DeadLetterEvent;
import com.sensoranomaly.job.detection.AlertEvent;
import com.sensoranomaly.job.detection.EpisodeDetector;
import com.sensoranomaly.job.detection.EpisodeRule;
import com.sensoranomaly.job.detection.ScoreEvent;
import com.sensoranomaly.job.ingest.DeadLetterSplitter;
import com.sensoranomaly.job.ingest.Reading;
import com.sensoranomaly.job.ingest.ReadingDeserializer;
import com.sensoranomaly.job.ingest.ReadingValidator;
import com.sensoranomaly.job.ingest.SourceRecord;
import com.sensoranomaly.job.output.AvroKafkaSerializer;
import com.sensoranomaly.schema.AnomalyAlert;
import com.sensoranomaly.schema.AnomalyScore;
import com.sensoranomaly.schema.DeadLetter;
import com.sensoranomaly.schema.ReadingEmbedding;
import com.sensoranomaly.job.output.Encoders;
import com.sensoranomaly.job.output.TransactionTimeoutCheck;
import com.sensoranomaly.job.rollout.ModelUpdateDeserializer;
import com.sensoranomaly.job.rollout.ModelUpdateRequest;
import com.sensoranomaly.job.rollout.ModelUpdateLoader;
import com.sensoranomaly.job.rollout.ModelUpdateRouter;
import com.sensoranomaly.job.rollout.ModelUpdateValidator;
import com.sensoranomaly.job.rollout.WithoutEventTime;
import com.sensoranomaly.job.scoring.Detector;
import com.sensoranomaly.job.scoring.EmbeddingEvent;
import com.sensoranomaly.job.scoring.EmbeddingExtractor;
import com.sensoranomaly.job.scoring.ModelSwitch;
import com.sensoranomaly.job.scoring.ScoredReading;
import com.sensoranomaly.job.scoring.ScoringFunction;
import com.sensoranomaly.model.AnomalyModel;
import com.sensoranomaly.model.Reconstructor;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.CheckpointConfig;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The streaming anomaly detector: Kafka readings in, anomaly alerts out.
 *
 * <pre>
 *  readings topic ─► decode+validate ─┬─► keyBy(device) ─► score ─┬─► episodes (k-of-n) ─┬─► alerts topic
 *   (SensorReading)   (ingest)        │                 (scoring) │   (detection)        └─► scores topic (optional)
 *                                     │                    ▲      └─► latent codes ─► embeddings topic (optional)
 *                                     │                    │ broadcast
 *  model-updates topic ─► check bundle ───────────────────┘ (rollout, optional)
 *                                     └─► dead-letter topic ◄── out-of-order readings, rejected model updates
 * </pre>
 *
 * Submit with {@code flink run -c com.sensoranomaly.job.AnomalyDetectionJob flink-job-*-job.jar --bootstrap.servers ...
 * --bundle ...}; {@code --help} lists every setting ({@link JobConfig}).
 */
public final class AnomalyDetectionJob {

    private AnomalyDetectionJob() {}

    /** Where the pipeline's outputs go; tests and tools may plug in their own. */
    public record Outputs(Consumer<DataStream<AlertEvent>> alerts,
                          Consumer<DataStream<DeadLetterEvent>> deadLetters,
                          Consumer<DataStream<ScoreEvent>> scores,
                          Consumer<DataStream<EmbeddingEvent>> embeddings) {

        /** Outputs of a pipeline without embeddings (they are used only with {@code topic.embeddings}). */
        public Outputs(Consumer<DataStream<AlertEvent>> alerts, Consumer<DataStream<DeadLetterEvent>> deadLetters,
                       Consumer<DataStream<ScoreEvent>> scores) {
            this(alerts, deadLetters, scores, embeddings -> {
                throw new IllegalStateException("topic.embeddings is set but these outputs have no embeddings sink");
            });
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            System.out.println("Usage: flink run <job jar> --bootstrap.servers HOST:PORT --bundle DIR [--key value ...]");
            System.out.println(JobConfig.HELP);
            return;
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        JobConfig config;
        AnomalyModel model;
        try {
            // Job settings may come from Flink's configuration too (anomaly.<setting>), so a FlinkDeployment can hold them.
            config = JobConfig.fromArgs(env.getConfiguration() instanceof org.apache.flink.configuration.Configuration c
                    ? c.toMap() : java.util.Map.of(), args);
            model = BundleLoader.load(config.bundle(), config.bundlePolicy());
            TransactionTimeoutCheck.check(config, w -> System.err.println("anomaly-detection: warning: " + w));
        } catch (ConfigException | com.sensoranomaly.model.BundleException e) {
            // One line naming the problem; flink run shows it as the submission's failure.
            System.err.println("anomaly-detection: " + e.getMessage());
            throw e;
        }
        configure(env, config);
        buildPipeline(env, config, model, kafkaSource(config, model), modelUpdatesSource(config), kafkaOutputs(config),
                Reconstructor.PLAIN_JAVA);
        // A stable job name: dashboards and alert rules keyed on it survive model changes (the version is a metric).
        env.execute(config.jobName());
    }

    /** Failed checkpoints in a row tolerated before the job restarts (unless Flink's configuration says otherwise). */
    static final int TOLERABLE_CHECKPOINT_FAILURES = 3;

    /**
     * Checkpointing, parallelism and the execution settings the pipeline relies on. Flink's own configuration
     * (config.yaml, a FlinkDeployment's flinkConfiguration) is respected: the checkpoint interval comes from a job
     * setting only when one is given, and the safe defaults below apply only where the cluster configures nothing:
     * <ul>
     *   <li>checkpoints are retained when the job is cancelled or fails for good, so its episodes, device models and
     *       source offsets can be restored ({@code flink run -s <checkpoint>}) instead of lost;</li>
     *   <li>a few failed checkpoints in a row are tolerated (a slow store or a broker hiccup), instead of restarting the
     *       job at the first;</li>
     *   <li>a partly filled network buffer is sent after {@code buffer-timeout} (10 ms) instead of Flink's 100 ms: at a
     *       moderate load a reading otherwise waits up to 100 ms at the keyed shuffle and again before the alert sink,
     *       which made the alert latency tail. Full buffers are sent at once either way, so throughput holds.</li>
     * </ul>
     */
    public static void configure(StreamExecutionEnvironment env, JobConfig config) {
        config.parallelism().ifPresent(env::setParallelism);
        ReadableConfig flink = env.getConfiguration();
        CheckpointingMode mode = config.delivery() == JobConfig.Delivery.EXACTLY_ONCE
                ? CheckpointingMode.EXACTLY_ONCE : CheckpointingMode.AT_LEAST_ONCE;
        java.time.Duration interval = config.isGiven("checkpoint.interval") ? config.checkpointInterval()
                : flink.getOptional(CheckpointingOptions.CHECKPOINTING_INTERVAL).orElse(config.checkpointInterval());
        env.enableCheckpointing(interval.toMillis(), mode);
        CheckpointConfig checkpoints = env.getCheckpointConfig();
        if (flink.getOptional(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION).isEmpty()) {
            checkpoints.setExternalizedCheckpointRetention(ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        }
        if (flink.getOptional(CheckpointingOptions.TOLERABLE_FAILURE_NUMBER).isEmpty()) {
            checkpoints.setTolerableCheckpointFailureNumber(TOLERABLE_CHECKPOINT_FAILURES);
        }
        boolean flinkSetsBufferTimeout = flink.getOptional(ExecutionOptions.BUFFER_TIMEOUT).isPresent()
                || flink.getOptional(ExecutionOptions.BUFFER_TIMEOUT_ENABLED).isPresent();
        if (config.isGiven("buffer-timeout") || !flinkSetsBufferTimeout) {
            env.setBufferTimeout(config.bufferTimeout().toMillis());
        }
        // Operators never hold on to or mutate their inputs, so records can pass between chained operators uncopied.
        env.getConfig().enableObjectReuse();
    }

    /** The dataflow: the one place that shows where data enters, where it is scored and where alerts leave. */
    public static void buildPipeline(StreamExecutionEnvironment env, JobConfig config, AnomalyModel model,
                                     Source<SourceRecord, ?, ?> source, Outputs outputs) {
        buildPipeline(env, config, model, source, outputs, Reconstructor.PLAIN_JAVA);
    }

    /** As above, with another forward-pass engine (benchmarks compare engines on the same job). */
    public static void buildPipeline(StreamExecutionEnvironment env, JobConfig config, AnomalyModel model,
                                     Source<SourceRecord, ?, ?> source, Outputs outputs, Reconstructor.Factory engine) {
        buildPipeline(env, config, model, source, null, outputs, engine);
    }

    /**
     * As above, with a source of model updates (null: none): the model can then be switched without a restart.
     */
    public static void buildPipeline(StreamExecutionEnvironment env, JobConfig config, AnomalyModel model,
                                     Source<SourceRecord, ?, ?> source, Source<ModelUpdateRequest, ?, ?> modelUpdates,
                                     Outputs outputs, Reconstructor.Factory engine) {
        // The model in force, as one value: scoring runs it, a rollout replaces it with another built the same way.
        Detector detector = Detector.create(model, config, engine);
        WatermarkStrategy<SourceRecord> watermarks = WatermarkStrategy
                .<SourceRecord>forBoundedOutOfOrderness(config.watermarkOutOfOrderness())
                .withIdleness(config.watermarkIdleness())
                .withTimestampAssigner((record, kafkaTimestamp) -> record.eventTimeOrMin());

        SingleOutputStreamOperator<Reading> readings = env
                .fromSource(source, watermarks, "readings")
                .uid("readings-source")
                .process(new DeadLetterSplitter())
                .uid("split-dead-letters").name("split dead letters");

        // Model updates are checked once (one subtask), then broadcast to every scoring subtask. Without an updates
        // topic the broadcast input is empty and finishes at once.
        // (fromData of an empty collection fails in Flink 2.2: one placeholder, filtered out.)
        DataStream<ModelUpdateRequest> updates = (modelUpdates == null
                ? env.fromData(TypeInformation.of(ModelUpdateRequest.class), new ModelUpdateRequest()).uid("no-model-updates")
                        .setParallelism(1).filter(none -> false).uid("no-model-updates-filter").name("no model updates")
                : env.fromSource(modelUpdates, WatermarkStrategy.noWatermarks(), "model updates").uid("model-updates-source"))
                .setParallelism(1);
        // Loading a bundle can take long (remote stores, large files): it runs off the processing path, in order.
        SingleOutputStreamOperator<ModelSwitch> switches = AsyncDataStream.orderedWait(updates,
                        new ModelUpdateLoader(new ModelUpdateValidator(detector, config.bundlePolicy()), config.rolloutLoadTimeout()),
                        config.rolloutLoadTimeout().toMillis(), TimeUnit.MILLISECONDS, 4).setParallelism(1)
                .uid("load-model-updates").name("load model updates")
                .process(new ModelUpdateRouter()).setParallelism(1)
                .uid("check-model-updates").name("route model updates");
        // Event time is the readings' alone: the model-switch input is declared idle for good (see WithoutEventTime).
        DataStream<ModelSwitch> switchesWithoutEventTime = switches
                .transform("model switches carry no event time", TypeInformation.of(ModelSwitch.class), new WithoutEventTime<ModelSwitch>())
                .setParallelism(1).uid("model-switches-without-event-time");

        SingleOutputStreamOperator<ScoredReading> scored = readings
                .keyBy(Reading::getDeviceId)
                .connect(switchesWithoutEventTime.broadcast(ScoringFunction.MODEL))
                .process(new ScoringFunction(detector, config.deviceIdleTimeout(), config.clockSkew(),
                        config.embeddingsTopic().isPresent(), config.modelCacheSize()))
                .uid("score").name("score readings");

        // Scoring keeps the device partitioning, so the detector reuses it instead of shuffling again.
        SingleOutputStreamOperator<AlertEvent> alerts = DataStreamUtils
                .reinterpretAsKeyedStream(scored, ScoredReading::getDeviceId)
                .process(new EpisodeDetector(new EpisodeRule(config.ruleMode(), config.ruleK(), config.ruleN(), config.ruleClear()),
                        model.features(), config.topFeatures(), config.deviceIdleTimeout(), config.scoresTopic().isPresent()))
                .uid("detect-episodes").name("detect episodes");

        outputs.alerts().accept(alerts);
        outputs.deadLetters().accept(readings.getSideOutput(DeadLetterSplitter.DEAD_LETTERS)
                .union(scored.getSideOutput(ScoringFunction.DEAD_LETTERS),
                        switches.getSideOutput(ModelUpdateRouter.DEAD_LETTERS)));
        if (config.scoresTopic().isPresent()) {
            outputs.scores().accept(alerts.getSideOutput(EpisodeDetector.SCORES));
        }
        // Only with the setting: without it the job graph (and what a savepoint maps onto) is unchanged.
        if (config.embeddingsTopic().isPresent()) {
            outputs.embeddings().accept(scored.flatMap(new EmbeddingExtractor())
                    .uid("extract-embeddings").name("extract embeddings"));
        }
    }

    public static KafkaSource<SourceRecord> kafkaSource(JobConfig config, AnomalyModel model) {
        Properties props = config.kafkaProperties();
        // Producers may write readings in transactions: never score what they aborted.
        props.putIfAbsent("isolation.level", "read_committed");
        OffsetsInitializer start = switch (config.startFrom()) {
            case COMMITTED -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
            case EARLIEST -> OffsetsInitializer.earliest();
            case LATEST -> OffsetsInitializer.latest();
        };
        ReadingValidator validator = new ReadingValidator(model, config.minTime().toEpochMilli(),
                config.maxFuture().toMillis(), config.rangeFactor(),
                config.inputLimits());
        var builder = KafkaSource.<SourceRecord>builder()
                .setBootstrapServers(config.bootstrapServers())
                .setTopics(config.readingsTopic())
                .setGroupId(config.groupId())
                .setStartingOffsets(start)
                .setProperties(props)
                .setDeserializer(new ReadingDeserializer(validator, model.features(), config.inputFormat(), config.registry().orElse(null)));
        if (config.stopAtLatest()) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        return builder.build();
    }

    /** The control topic of model updates, if configured: read from its newest record on a fresh start. */
    public static KafkaSource<ModelUpdateRequest> modelUpdatesSource(JobConfig config) {
        if (config.modelUpdatesTopic().isEmpty()) {
            return null;
        }
        Properties props = config.kafkaProperties();
        props.putIfAbsent("isolation.level", "read_committed");
        return KafkaSource.<ModelUpdateRequest>builder()
                .setBootstrapServers(config.bootstrapServers())
                .setTopics(config.modelUpdatesTopic().get())
                .setGroupId(config.groupId() + "-model-updates")
                // The submitted --bundle is the model at (re)submission; only later updates apply. After a failure
                // the checkpointed offsets and the broadcast state carry the switches already made.
                .setStartingOffsets(OffsetsInitializer.latest())
                .setProperties(props)
                .setDeserializer(new ModelUpdateDeserializer())
                .build();
    }

    /** The production outputs: Kafka sinks sharing the delivery guarantee (optional ones used only when configured). */
    public static Outputs kafkaOutputs(JobConfig config) {
        return new Outputs(
                alerts -> alerts.sinkTo(kafkaSink(config, "alerts", new AvroKafkaSerializer<AlertEvent, AnomalyAlert>(config.alertsTopic(),
                                a -> a.deviceId, Encoders::toAvro, AnomalyAlert.class, config.outputFormat(), config.registry().orElse(null))))
                        .uid("alerts-sink").name("alerts → " + config.alertsTopic()),
                dead -> dead.sinkTo(kafkaSink(config, "dead-letters", new AvroKafkaSerializer<DeadLetterEvent, DeadLetter>(config.deadLetterTopic(),
                                d -> d.deviceId, Encoders::toAvro, DeadLetter.class, config.outputFormat(), config.registry().orElse(null))))
                        .uid("dead-letter-sink").name("dead letters → " + config.deadLetterTopic()),
                scores -> scores.sinkTo(kafkaSink(config, "scores", new AvroKafkaSerializer<ScoreEvent, AnomalyScore>(config.scoresTopic().orElseThrow(),
                                s -> s.deviceId, Encoders::toAvro, AnomalyScore.class, config.outputFormat(), config.registry().orElse(null))))
                        .uid("scores-sink").name("scores → " + config.scoresTopic().orElse("")),
                embeddings -> embeddings.sinkTo(kafkaSink(config, "embeddings", new AvroKafkaSerializer<EmbeddingEvent, ReadingEmbedding>(
                                config.embeddingsTopic().orElseThrow(), e -> e.deviceId, Encoders::toAvro, ReadingEmbedding.class,
                                config.outputFormat(), config.registry().orElse(null))))
                        .uid("embeddings-sink").name("embeddings → " + config.embeddingsTopic().orElse("")));
    }

    private static <T> KafkaSink<T> kafkaSink(JobConfig config, String name,
                                              org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema<T> serializer) {
        Properties props = config.kafkaProperties();
        // The broker refuses transactions longer than its transaction.max.timeout.ms (15 min by default).
        props.setProperty("transaction.timeout.ms", String.valueOf(config.transactionTimeout().toMillis()));
        DeliveryGuarantee guarantee = switch (config.delivery()) {
            case EXACTLY_ONCE -> DeliveryGuarantee.EXACTLY_ONCE;
            case AT_LEAST_ONCE -> DeliveryGuarantee.AT_LEAST_ONCE;
            case NONE -> DeliveryGuarantee.NONE;
        };
        return KafkaSink.<T>builder()
                .setBootstrapServers(config.bootstrapServers())
                .setKafkaProducerConfig(props)
                .setRecordSerializer(serializer)
                .setDeliveryGuarantee(guarantee)
                .setTransactionalIdPrefix(config.transactionalIdPrefix() + "-" + name)
                .build();
    }
}
