package com.sensoranomaly.job.scoring;

/**
 * Where a device's warm-up readings are kept in blocks until its own model is fitted. In the job it is a keyed list
 * state: a block is appended once and never rewritten (on RocksDB an append is a merge, with no read of what is there),
 * so a warming device's state that changes at a reading is the one block still filling, not every reading it has sent.
 */
public interface WarmupBlocks {
    /** Appends a block of readings (row-major, features per reading; NaN = missing). */
    void append(float[] block) throws Exception;

    /** The blocks appended since the last {@link #clear}, oldest first. */
    Iterable<float[]> blocks() throws Exception;

    void clear() throws Exception;

    /** Blocks on the heap: for tests and tools outside a stream. */
    final class InMemory implements WarmupBlocks {
        private final java.util.List<float[]> blocks = new java.util.ArrayList<>();

        @Override
        public void append(float[] block) {
            blocks.add(block);
        }

        @Override
        public Iterable<float[]> blocks() {
            return blocks;
        }

        @Override
        public void clear() {
            blocks.clear();
        }
    }
}
