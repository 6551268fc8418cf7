package com.sensoranomaly.job.rollout;

import com.sensoranomaly.job.deadletter.DeadLetterEvent;
import com.sensoranomaly.job.scoring.ModelSwitch;

/** What became of one model update: the switch to make, or the dead letter saying why not (exactly one is set). */
public class ModelUpdateOutcome {
    public ModelSwitch accepted;
    public DeadLetterEvent rejected;

    public ModelUpdateOutcome() {}

    static ModelUpdateOutcome accepted(ModelSwitch s) {
        ModelUpdateOutcome o = new ModelUpdateOutcome();
        o.accepted = s;
        return o;
    }

    static ModelUpdateOutcome rejected(DeadLetterEvent d) {
        ModelUpdateOutcome o = new ModelUpdateOutcome();
        o.rejected = d;
        return o;
    }
}
