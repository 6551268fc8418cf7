package com.sensoranomaly.job.idle;

import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.TimerService;

import java.io.Serializable;
import java.time.Duration;

/**
 * One event-time timer per device at its newest reading + the idle timeout, rounded up to a sixtieth of the timeout
 * (at least a second) so that it moves at most that often instead of on every reading. Event time, not processing
 * time: an outage of the job itself must not make every device look silent once it is restored.
 */
public final class IdleTimer implements Serializable {
    private static final long serialVersionUID = 1L;

    private final long idleMs;
    private final long granularityMs;

    public IdleTimer(Duration idleTimeout) {
        this.idleMs = idleTimeout.toMillis();
        this.granularityMs = Math.max(1000, idleMs / 60);
    }

    public Duration timeout() {
        return Duration.ofMillis(idleMs);
    }

    /**
     * Moves the device's timer ({@code pending}, 0 for none) for a reading at {@code eventTime}; returns the timer now
     * pending, to be kept in the device's state.
     */
    public long move(TimerService timers, long pending, long eventTime) {
        long due = ((eventTime + idleMs) / granularityMs + 1) * granularityMs;
        if (due <= pending) {
            return pending;
        }
        if (pending != 0) {
            // Either domain: state written before idle timers moved to event time has a processing-time one.
            timers.deleteEventTimeTimer(pending);
            timers.deleteProcessingTimeTimer(pending);
        }
        timers.registerEventTimeTimer(due);
        return due;
    }

    /** Whether a firing timer is the device's idle timer (and not a stale or processing-time one). */
    public static boolean fired(long timestamp, TimeDomain domain, long pending) {
        return domain == TimeDomain.EVENT_TIME && timestamp == pending;
    }
}
