package com.sensoranomaly.job.scoring;

import com.sensoranomaly.job.TestModels;
import com.sensoranomaly.job.config.JobConfig;
import com.sensoranomaly.model.AnomalyModel;
import com.sensoranomaly.model.DeviceModel;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** A device that fits its own model keeps only the warm-up readings it has sent, and fits the same model as before. */
class DeviceCalibratorTest {

    @Test
    void shouldMoveAWarmingDevicesReadingsOutOfItsStateInBlocksAndFitTheSameModel() throws Exception {
        AnomalyModel model = TestModels.correlatedPair();
        int events = 100;
        DeviceCalibrator calibrator = new DeviceCalibrator(JobConfig.Calibration.DEVICE_MODEL, events, 0, 1.0, model);
        DeviceState s = calibrator.newState();
        WarmupBlocks.InMemory blocks = new WarmupBlocks.InMemory();
        assertThat(s.warmup).as("a device's state holds one block of readings, not the whole warm-up").hasSize(16 * 2);

        Random rnd = new Random(7);
        double[] all = new double[events * 2];
        DeviceModel fitted = null;
        for (int i = 0; i < events; i++) {
            double a = 1 + 0.1 * rnd.nextGaussian();
            double[] raw = {a, a + 0.01 * rnd.nextGaussian()};
            all[2 * i] = (float) raw[0];
            all[2 * i + 1] = (float) raw[1];
            fitted = calibrator.observeWarmup(s, raw, blocks);
            assertThat(fitted == null).as("fitted at the last warm-up reading only").isEqualTo(i < events - 1);
            if (i < events - 1) {
                assertThat(s.warmup).hasSize(16 * 2);
                assertThat(blocks.blocks()).as("full blocks moved out").hasSize((i + 1) / 16);
            }
        }

        assertThat(s.warmup).as("dropped once the model is fitted").isNull();
        assertThat(blocks.blocks()).as("and the blocks with it").isEmpty();
        assertThat(calibrator.hasDeviceModel(s)).isTrue();
        DeviceModel expected = DeviceModel.fit(all, events, 2, DeviceModel.autoWindow(events, 2),
                DeviceModel.spreadFloor(model.featureStats().std()));
        assertThat(fitted.limit).as("the same readings, the same model").isEqualTo(expected.limit);
        assertThat(fitted.recent).as("the model handed out never changes: its window ring is the device's").isNull();
        assertThat(s.modelWindow).containsExactly(expected.recent);
        assertThat(s.modelSlot).isEqualTo(expected.next);
        assertThat(s.deviceModel).as("no copy of the model in the device's state").isNull();
    }

    @Test
    void shouldFinishAWarmupWhoseReadingsAnEarlierVersionKeptAllInTheDevicesState() throws Exception {
        AnomalyModel model = TestModels.correlatedPair();
        int events = 100;
        DeviceCalibrator calibrator = new DeviceCalibrator(JobConfig.Calibration.DEVICE_MODEL, events, 0, 1.0, model);
        Random rnd = new Random(8);
        double[] all = new double[events * 2];
        for (int i = 0; i < events; i++) {
            double a = 1 + 0.1 * rnd.nextGaussian();
            all[2 * i] = (float) a;
            all[2 * i + 1] = (float) (a + 0.01 * rnd.nextGaussian());
        }
        // As earlier versions left it: 60 readings in one buffer, nothing in blocks.
        DeviceState s = calibrator.newState();
        s.warmup = new float[64 * 2];
        for (int k = 0; k < 60 * 2; k++) {
            s.warmup[k] = (float) all[k];
        }
        s.warmupCount = 60;
        WarmupBlocks.InMemory blocks = new WarmupBlocks.InMemory();
        DeviceModel fitted = null;
        for (int i = 60; i < events; i++) {
            fitted = calibrator.observeWarmup(s, new double[] {all[2 * i], all[2 * i + 1]}, blocks);
            if (i == 60) {
                assertThat(blocks.blocks()).as("the earlier buffer moved out as one block").hasSize(1);
                assertThat(s.warmup).hasSize(16 * 2);
            }
        }
        DeviceModel expected = DeviceModel.fit(all, events, 2, DeviceModel.autoWindow(events, 2),
                DeviceModel.spreadFloor(model.featureStats().std()));
        assertThat(fitted).isNotNull();
        assertThat(fitted.limit).as("every reading in its place").isEqualTo(expected.limit);
    }
}
