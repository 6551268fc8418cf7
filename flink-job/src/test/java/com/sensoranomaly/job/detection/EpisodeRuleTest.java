package com.sensoranomaly.job.detection;

import com.sensoranomaly.job.config.JobConfig.RuleMode;
import com.sensoranomaly.job.detection.EpisodeRule.Transition;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class EpisodeRuleTest {
    private static final double T = 1.0;

    @Test
    void shouldOpenOnlyWhenThreeOfTheLastFiveExceed() {
        EpisodeRule rule = new EpisodeRule(RuleMode.K_OF_N, 3, 5, 2);
        EpisodeState s = EpisodeState.create(5);
        assertThat(rule.apply(s, 1, 2.0, T)).isEqualTo(Transition.NONE);
        assertThat(rule.apply(s, 2, 0.1, T)).isEqualTo(Transition.NONE);
        assertThat(rule.apply(s, 3, 2.0, T)).isEqualTo(Transition.NONE);
        assertThat(rule.apply(s, 4, 0.1, T)).isEqualTo(Transition.NONE);
        assertThat(rule.apply(s, 5, 2.0, T)).isEqualTo(Transition.OPENED);
        assertThat(s.episodeStart).as("starts at the first exceeding reading of the window").isEqualTo(1);
    }

    @Test
    void shouldNotOpenWhenExceedancesAreFurtherApartThanTheWindow() {
        EpisodeRule rule = new EpisodeRule(RuleMode.K_OF_N, 2, 3, 2);
        EpisodeState s = EpisodeState.create(3);
        for (int i = 0; i < 30; i++) {
            assertThat(rule.apply(s, i, i % 3 == 0 ? 5.0 : 0.0, T)).isEqualTo(Transition.NONE);
        }
    }

    @Test
    void shouldCloseOnlyAfterMConsecutiveNormalReadings() {
        EpisodeRule rule = new EpisodeRule(RuleMode.K_OF_N, 1, 1, 3);
        EpisodeState s = EpisodeState.create(1);
        assertThat(rule.apply(s, 1, 2.0, T)).isEqualTo(Transition.OPENED);
        assertThat(rule.apply(s, 2, 0.1, T)).isEqualTo(Transition.NONE);
        assertThat(rule.apply(s, 3, 0.1, T)).isEqualTo(Transition.NONE);
        assertThat(rule.apply(s, 4, 2.0, T)).as("an exceedance restarts the count").isEqualTo(Transition.NONE);
        assertThat(rule.apply(s, 5, 0.1, T)).isEqualTo(Transition.NONE);
        assertThat(rule.apply(s, 6, 0.1, T)).isEqualTo(Transition.NONE);
        assertThat(rule.apply(s, 7, 0.1, T)).isEqualTo(Transition.CLOSED);
        assertThat(s.open).isFalse();
    }

    @Test
    void shouldOpenInMeanModeWhenTheWindowMeanExceedsEvenIfNoSingleScoreDoesAlone() {
        EpisodeRule rule = new EpisodeRule(RuleMode.MEAN, 1, 4, 2);
        EpisodeState s = EpisodeState.create(4);
        assertThat(rule.apply(s, 1, 0.9, T)).isEqualTo(Transition.NONE);
        assertThat(rule.apply(s, 2, 0.9, T)).isEqualTo(Transition.NONE);
        assertThat(rule.apply(s, 3, 0.9, T)).as("window not full yet").isEqualTo(Transition.NONE);
        assertThat(rule.apply(s, 4, 1.5, T)).isEqualTo(Transition.OPENED);
    }
}
