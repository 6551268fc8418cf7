package com.sensoranomaly.model;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ActivationTest {

    @Test
    void shouldComputeEachActivationAsDeeplearning4jDefinesIt() {
        assertThat(Activation.IDENTITY.apply(-2.5)).isEqualTo(-2.5);
        assertThat(Activation.RELU.apply(-2)).isEqualTo(0);
        assertThat(Activation.RELU.apply(3)).isEqualTo(3);
        assertThat(Activation.LEAKYRELU.apply(-2)).isCloseTo(-0.02, within(1e-15));
        assertThat(Activation.TANH.apply(0.5)).isCloseTo(0.46211715726000974, within(1e-15));
        assertThat(Activation.SIGMOID.apply(0)).isEqualTo(0.5);
        assertThat(Activation.ELU.apply(-1)).isCloseTo(Math.exp(-1) - 1, within(1e-15));
        assertThat(Activation.SOFTPLUS.apply(0)).isCloseTo(Math.log(2), within(1e-15));
        assertThat(Activation.SOFTPLUS.apply(-3)).isCloseTo(Math.log1p(Math.exp(-3)), within(1e-15));
    }

    @Test
    void shouldKeepSoftplusFiniteForExtremeInputs() {
        // The naive log1p(exp(x)) is +Infinity from x ≈ 710: one extreme reading would score infinity.
        assertThat(Activation.SOFTPLUS.apply(800)).isEqualTo(800);
        assertThat(Activation.SOFTPLUS.apply(-800)).isEqualTo(0);
        assertThat(Activation.SIGMOID.apply(-800)).isEqualTo(0);
    }

    @Test
    void shouldParseNamesCaseInsensitivelyAndListTheKnownOnesOtherwise() {
        assertThat(Activation.parse(" Tanh ")).isEqualTo(Activation.TANH);
        assertThatThrownBy(() -> Activation.parse("softmax")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("softmax").hasMessageContaining("tanh");
    }
}
