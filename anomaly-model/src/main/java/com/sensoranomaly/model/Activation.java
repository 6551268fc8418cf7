package com.sensoranomaly.model;

/**
 * Activation functions of the dense layers, named as Deeplearning4j names them so a trained
 * network's configuration maps onto them one to one.
 */
public enum Activation {
    IDENTITY, RELU, LEAKYRELU, TANH, SIGMOID, ELU, SOFTPLUS;

    /** DL4J's default alpha for leaky ReLU. */
    private static final double LEAKY_ALPHA = 0.01;

    public double apply(double x) {
        switch (this) {
            case IDENTITY: return x;
            case RELU: return x > 0 ? x : 0;
            case LEAKYRELU: return x > 0 ? x : LEAKY_ALPHA * x;
            case TANH: return Math.tanh(x);
            case SIGMOID: return 1.0 / (1.0 + Math.exp(-x));
            case ELU: return x > 0 ? x : Math.expm1(x);
            // log(1 + e^x) written so that e^x cannot overflow: the naive form is +Infinity beyond x ≈ 709,
            // which would turn one extreme reading into an infinite score instead of a large one.
            case SOFTPLUS: return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
            default: throw new IllegalStateException(name());
        }
    }

    /** Parses a name as written in a bundle or on a command line (case-insensitive). */
    public static Activation parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown activation '" + name + "' (known: "
                    + java.util.Arrays.toString(values()).toLowerCase(java.util.Locale.ROOT) + ")");
        }
    }
}
