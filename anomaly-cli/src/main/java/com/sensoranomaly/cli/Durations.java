package com.sensoranomaly.cli;

import com.sensoranomaly.job.config.JobConfig;

import picocli.CommandLine;

import java.time.Duration;

/** Durations on the command line, written as the job's settings are (500ms, 90s, 10m, 24h, 1d); a plain number is seconds. */
public final class Durations {
    private Durations() {}

    /** Null for null text; a usage error naming the option otherwise. */
    public static Duration parse(CommandLine cl, String option, String text) {
        if (text == null) {
            return null;
        }
        String t = text.trim();
        try {
            return t.matches("\\d+") ? Duration.ofSeconds(Long.parseLong(t)) : JobConfig.parseDuration(option, t);
        } catch (RuntimeException e) {
            throw new CommandLine.ParameterException(cl, option + " must be a duration such as 500ms, 90s, 10m, 24h or a number of seconds: '" + text + "'");
        }
    }
}
