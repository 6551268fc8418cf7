package com.sensoranomaly.job.scoring;

import com.sensoranomaly.model.DeviceModel;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DeviceModelCacheTest {
    private final DeviceModel a = new DeviceModel();
    private final DeviceModel b = new DeviceModel();

    @Test
    void servesAModelOnlyToTheStateStampedWhenItWasWritten() {
        DeviceModelCache cache = new DeviceModelCache(4);
        cache.put("pump-1", 1000, a);
        assertThat(cache.get("pump-1", 1000)).isSameAs(a);
        assertThat(cache.get("pump-1", 2000)).as("the state holds a model written at another time").isNull();
        assertThat(cache.get("pump-2", 1000)).isNull();
        cache.put("pump-1", 2000, b);
        assertThat(cache.get("pump-1", 1000)).isNull();
        assertThat(cache.get("pump-1", 2000)).isSameAs(b);
    }

    @Test
    void forgetsADroppedModel() {
        DeviceModelCache cache = new DeviceModelCache(4);
        cache.put("pump-1", 1000, a);
        cache.remove("pump-1");
        assertThat(cache.get("pump-1", 1000)).isNull();
        assertThat(cache.size()).isZero();
    }

    @Test
    void letsTheLeastRecentlyUsedDeviceGoFirstWhenFull() {
        DeviceModelCache cache = new DeviceModelCache(2);
        cache.put("pump-1", 1, a);
        cache.put("pump-2", 1, b);
        cache.get("pump-1", 1); // pump-2 is now the least recently used
        cache.put("pump-3", 1, a);
        assertThat(cache.size()).isEqualTo(2);
        assertThat(cache.get("pump-2", 1)).isNull();
        assertThat(cache.get("pump-1", 1)).isSameAs(a);
        assertThat(cache.get("pump-3", 1)).isSameAs(a);
    }

    @Test
    void holdsNothingAtCapacityZeroAndRefusesANegativeOne() {
        DeviceModelCache off = new DeviceModelCache(0);
        off.put("pump-1", 1, a);
        assertThat(off.get("pump-1", 1)).isNull();
        assertThatThrownBy(() -> new DeviceModelCache(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
