package com.sensoranomaly.cli.evaluate;

/**
 * What the streaming job decided for each row of one series: its score, the threshold in force, and
 * whether the device was in an alert episode after the row. Rows the job did not score (window still
 * filling, calibrating, dead-lettered) carry NaN scores and the previous row's episode state.
 */
public record JobDecisions(double[] score, double[] threshold, boolean[] inEpisode, int missing) {}
