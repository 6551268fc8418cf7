package com.sensoranomaly.model;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class SymmetricEigenTest {

    @Test
    void shouldFindTheEigenvaluesOfAKnownMatrixLargestFirst() {
        // [[2,1],[1,2]] has eigenvalues 3 (along (1,1)) and 1 (along (1,-1)).
        SymmetricEigen e = SymmetricEigen.of(new double[][] {{2, 1}, {1, 2}});
        assertThat(e.values()[0]).isCloseTo(3, within(1e-12));
        assertThat(e.values()[1]).isCloseTo(1, within(1e-12));
        assertThat(Math.abs(e.vectors()[0][0])).isCloseTo(Math.sqrt(0.5), within(1e-12));
        assertThat(e.vectors()[0][0] * e.vectors()[1][0]).as("first vector along (1,1)").isPositive();
    }

    @Test
    void shouldRebuildARandomSymmetricMatrixFromItsDecomposition() {
        Random rnd = new Random(7);
        int n = 40;
        double[][] b = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                b[i][j] = rnd.nextGaussian();
            }
        }
        double[][] a = new double[n][n]; // a = bᵀb: symmetric, positive semi-definite
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                for (int k = 0; k < n; k++) {
                    a[i][j] += b[k][i] * b[k][j];
                }
            }
        }
        SymmetricEigen e = SymmetricEigen.of(a);
        for (int r = 1; r < n; r++) {
            assertThat(e.values()[r]).isLessThanOrEqualTo(e.values()[r - 1]);
        }
        double worst = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double rebuilt = 0, dot = 0;
                for (int r = 0; r < n; r++) {
                    rebuilt += e.vectors()[i][r] * e.values()[r] * e.vectors()[j][r];
                    dot += e.vectors()[r][i] * e.vectors()[r][j];
                }
                worst = Math.max(worst, Math.abs(rebuilt - a[i][j]));
                assertThat(dot).as("orthonormal vectors").isCloseTo(i == j ? 1 : 0, within(1e-9));
            }
        }
        assertThat(worst).isLessThan(1e-8);
    }
}
