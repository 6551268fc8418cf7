package com.sensoranomaly.job.ingest;

import com.sensoranomaly.job.deadletter.DeadLetterEvent;

import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/** Passes usable readings on and sends dead letters to the {@link #DEAD_LETTERS} side output. */
public final class DeadLetterSplitter extends ProcessFunction<SourceRecord, Reading> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<DeadLetterEvent> DEAD_LETTERS = new OutputTag<>("dead-letters") {};

    @Override
    public void processElement(SourceRecord value, Context ctx, Collector<Reading> out) {
        if (value.reading != null) {
            out.collect(value.reading);
        } else {
            ctx.output(DEAD_LETTERS, value.deadLetter);
        }
    }
}
