package com.sensoranomaly.cli.bench;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The scoring operator's input count of a job running in this JVM, read straight from its Flink counter.
 *
 * <p>The bench samples this count every few milliseconds to measure the rate once every device has its own model.
 * Reading it through the REST API instead (the job's details, with metrics refreshed every 100 ms) cost the run about a
 * third as much CPU as the scoring itself (JFR: REST and metric-fetcher threads 513 samples against the two scoring
 * threads' 859), on the same two cores as the job it was measuring. A metric reporter receives the counter objects
 * themselves as Flink registers them, so a sample costs a few volatile reads.
 */
public final class ScoredReadings implements MetricReporter {
    private static final String OPERATOR = "score readings";
    /** Counters of the scoring operator's subtasks, by job name, then by the counter's full identifier. */
    private static final Map<String, Map<String, Counter>> COUNTERS = new ConcurrentHashMap<>();

    /** Registers the reporter in a local environment's configuration. */
    static Configuration addTo(Configuration conf) {
        conf.setString("metrics.reporter.bench_scored.factory.class", Factory.class.getName());
        return conf;
    }

    /** Forgets the counts of an earlier job of that name. */
    static void reset(String jobName) {
        COUNTERS.remove(jobName);
    }

    /** Readings the scoring operator of job {@code jobName} has taken in so far, over its subtasks. */
    static long of(String jobName) {
        long n = 0;
        for (Counter c : COUNTERS.getOrDefault(jobName, Map.of()).values()) {
            n += c.getCount();
        }
        return n;
    }

    @Override
    public void open(MetricConfig config) {}

    @Override
    public void close() {}

    @Override
    public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
        if (metric instanceof Counter c && name.equals("numRecordsIn") && isScoringOperator(group)) {
            String job = group.getAllVariables().get("<job_name>");
            COUNTERS.computeIfAbsent(job, j -> new ConcurrentHashMap<>()).put(group.getMetricIdentifier(name), c);
        }
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {
        if (metric instanceof Counter c && name.equals("numRecordsIn") && isScoringOperator(group)) {
            Map<String, Counter> job = COUNTERS.get(group.getAllVariables().get("<job_name>"));
            if (job != null) {
                // A subtask that finishes keeps its final count, so the job's total never goes back.
                SimpleCounter last = new SimpleCounter();
                last.inc(c.getCount());
                job.put(group.getMetricIdentifier(name), last);
            }
        }
    }

    private static boolean isScoringOperator(MetricGroup group) {
        return OPERATOR.equals(group.getAllVariables().get("<operator_name>"));
    }

    /** Flink finds reporters through this factory (listed in META-INF/services). */
    public static final class Factory implements MetricReporterFactory {
        @Override
        public MetricReporter createMetricReporter(Properties properties) {
            return new ScoredReadings();
        }
    }
}
