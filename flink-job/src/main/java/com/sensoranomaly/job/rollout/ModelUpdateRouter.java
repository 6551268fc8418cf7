package com.sensoranomaly.job.rollout;

import com.sensoranomaly.job.deadletter.DeadLetterEvent;
import com.sensoranomaly.job.deadletter.DeadLetterReason;
import com.sensoranomaly.job.scoring.ModelSwitch;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Passes accepted model switches on to the scoring subtasks and refused updates to the dead-letter topic, counted. */
public final class ModelUpdateRouter extends ProcessFunction<ModelUpdateOutcome, ModelSwitch> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ModelUpdateRouter.class);

    public static final OutputTag<DeadLetterEvent> DEAD_LETTERS = new OutputTag<>("rejected-model-updates") {};

    private transient Counter rejected;

    @Override
    public void open(OpenContext ctx) {
        rejected = getRuntimeContext().getMetricGroup().addGroup("ingest").addGroup("deadLetters")
                .counter(DeadLetterReason.MODEL_UPDATE_REJECTED.metricName());
    }

    @Override
    public void processElement(ModelUpdateOutcome o, Context ctx, Collector<ModelSwitch> out) {
        if (o.rejected != null) {
            LOG.warn("model update refused: {}", o.rejected.errorMessage);
            if (rejected != null) {
                rejected.inc();
            }
            ctx.output(DEAD_LETTERS, o.rejected);
        } else {
            LOG.info("model update accepted: {} (version {})", o.accepted.bundle, o.accepted.version);
            out.collect(o.accepted);
        }
    }
}
