package com.sensoranomaly.cli.simulate;

/** Kinds of injected faults, each a way real pumps fail or real sensors lie. */
public enum FaultKind {
    /** A short, large excursion of one sensor (electrical noise, a knock). */
    SPIKE,
    /** One sensor slowly ramps away from normal (fouling, bearing wear, sensor ageing). */
    DRIFT,
    /** One sensor repeats the same value (frozen transmitter). */
    STUCK,
    /** Flow and pressure fall while the motor current stays (cavitation, a closing inlet valve). */
    CORRELATION_BREAK
}
