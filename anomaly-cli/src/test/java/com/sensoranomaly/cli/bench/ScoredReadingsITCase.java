package com.sensoranomaly.cli.bench;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ScoredReadingsITCase {

    @Test
    void countsWhatTheScoringOperatorTookInAcrossItsSubtasksAndKeepsItAfterTheJobEnds() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2, ScoredReadings.addTo(new Configuration()));
        Sink<Long> discard = new DiscardingSink<>();
        // As in the job: the scoring operator heads a chain after a keyed shuffle; another operator must not count.
        env.fromSequence(1, 5000).name("source")
                .keyBy(x -> x % 7).map(x -> x * 2).name("score readings")
                .filter(x -> x % 4 == 0).name("other")
                .sinkTo(discard);
        ScoredReadings.reset("scored-readings-test");
        env.execute("scored-readings-test");
        assertThat(ScoredReadings.of("scored-readings-test")).isEqualTo(5000);
        assertThat(ScoredReadings.of("another job")).isZero();
    }
}
