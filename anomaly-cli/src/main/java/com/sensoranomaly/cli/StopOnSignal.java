package com.sensoranomaly.cli;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Ctrl-C (or SIGTERM) for a command that loops until told to stop: the JVM's shutdown waits up to
 * {@code grace} for the loop to notice {@link #requested()} and finish its current step (print a summary,
 * commit offsets), instead of dying mid-step. Closing it removes the hook once the loop ended on its own.
 */
public final class StopOnSignal implements AutoCloseable {
    private final AtomicBoolean requested = new AtomicBoolean();
    private final Thread hook;

    private StopOnSignal(Duration grace) {
        Thread loop = Thread.currentThread();
        hook = new Thread(() -> {
            requested.set(true);
            try {
                loop.join(grace.toMillis());
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /** Installs the hook; the calling thread is the loop the shutdown waits for. */
    public static StopOnSignal install(Duration grace) {
        StopOnSignal s = new StopOnSignal(grace);
        Runtime.getRuntime().addShutdownHook(s.hook);
        return s;
    }

    public boolean requested() {
        return requested.get();
    }

    /** Asks the loop to stop from inside (e.g. after enough records). */
    public void request() {
        requested.set(true);
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // Ctrl-C: the hook is running already.
        }
    }
}
