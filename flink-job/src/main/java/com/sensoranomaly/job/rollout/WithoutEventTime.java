package com.sensoranomaly.job.rollout;

import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;

/**
 * Passes records on and declares its output permanently idle: no watermark, no watermark status from upstream.
 *
 * <p>Why: model switches reach the scoring operator on its second input, and an operator's event time is the minimum
 * over its active inputs. An input that finishes (no updates topic: the placeholder source ends at once) counts as
 * Long.MAX_VALUE, an input that never emits counts as Long.MIN_VALUE. With the first, every idle timer fired as soon
 * as the readings went idle (a broker outage, a quiet minute): all device state dropped and event time stuck at the
 * maximum for good. With the second, event time would never advance. An idle input is simply left out: event time is
 * the readings' alone, and when the readings are idle too, the operator is idle and its event time stands still.
 */
public final class WithoutEventTime<T> extends AbstractStreamOperator<T> implements OneInputStreamOperator<T, T> {
    private static final long serialVersionUID = 1L;

    @Override
    public void open() throws Exception {
        super.open();
        output.emitWatermarkStatus(WatermarkStatus.IDLE);
    }

    @Override
    public void processElement(StreamRecord<T> element) {
        output.collect(element);
    }

    @Override
    public void processWatermark(Watermark mark) {
        // Swallowed, Long.MAX_VALUE at the end of input included; the status stays idle.
        output.emitWatermarkStatus(WatermarkStatus.IDLE);
    }

    @Override
    public void processWatermarkStatus(WatermarkStatus status) {
        output.emitWatermarkStatus(WatermarkStatus.IDLE);
    }
}
