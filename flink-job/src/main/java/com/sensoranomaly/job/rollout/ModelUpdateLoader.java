package com.sensoranomaly.job.rollout;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Loads requested bundles on a thread of its own (Flink async I/O), so reading a bundle from a slow or hostile store
 * never blocks the operator's mailbox: checkpoint barriers pass while a load runs, and an in-flight request is part
 * of the checkpoint. One load at a time, in request order; a load that takes longer than {@code timeout} is refused.
 */
public final class ModelUpdateLoader extends RichAsyncFunction<ModelUpdateRequest, ModelUpdateOutcome> {
    private static final long serialVersionUID = 1L;

    private final ModelUpdateValidator validator;
    private final Duration timeout;
    private transient ExecutorService loads;

    public ModelUpdateLoader(ModelUpdateValidator validator, Duration timeout) {
        this.validator = validator;
        this.timeout = timeout;
    }

    @Override
    public void open(OpenContext ctx) {
        loads = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "model-update-loader");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public void asyncInvoke(ModelUpdateRequest r, ResultFuture<ModelUpdateOutcome> result) {
        CompletableFuture.supplyAsync(() -> validator.validate(r), loads).whenComplete((outcome, error) -> {
            if (error != null) { // validate() turns failures into refusals; this is the executor itself failing
                outcome = ModelUpdateOutcome.rejected(ModelUpdateValidator.refusal(r, "bundle " + r.bundle + " cannot be used: " + error));
            }
            result.complete(List.of(outcome));
        });
    }

    @Override
    public void timeout(ModelUpdateRequest r, ResultFuture<ModelUpdateOutcome> result) {
        result.complete(List.of(ModelUpdateOutcome.rejected(ModelUpdateValidator.refusal(r,
                "bundle " + r.bundle + " cannot be used: loading it took longer than " + timeout))));
    }

    @Override
    public void close() {
        if (loads != null) {
            loads.shutdownNow();
        }
    }
}
