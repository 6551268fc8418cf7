package com.sensoranomaly.cli;

import com.sensoranomaly.cli.alerts.AlertsCommand;
import com.sensoranomaly.cli.dlq.DlqCommand;
import com.sensoranomaly.cli.bench.BenchCommand;
import com.sensoranomaly.cli.demo.DemoCommand;
import com.sensoranomaly.cli.evaluate.EvaluateCommand;
import com.sensoranomaly.cli.forward.ForwardCommand;
import com.sensoranomaly.cli.replay.ReplayCommand;
import com.sensoranomaly.cli.rollout.RolloutCommand;
import com.sensoranomaly.cli.rollout.KeygenCommand;
import com.sensoranomaly.cli.rollout.SignCommand;
import com.sensoranomaly.cli.score.ScoreCommand;
import com.sensoranomaly.cli.serve.ServeCommand;
import com.sensoranomaly.cli.simulate.SimulateCommand;
import com.sensoranomaly.trainer.TrainCommand;
import com.sensoranomaly.trainer.TrainerMain;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code ./anomaly} command line: one entry point for every tool of the product.
 * Exit codes: 0 ok, 1 failure (bad file, unusable data), 2 usage (unknown option, bad value).
 */
@Command(name = "anomaly", mixinStandardHelpOptions = true, version = "sensor-anomaly 0.1.0",
        description = "Streaming anomaly detection for industrial sensors: train models, run the job locally, feed and watch topics.",
        subcommands = {DemoCommand.class, TrainCommand.class, EvaluateCommand.class, SimulateCommand.class, ReplayCommand.class,
                AlertsCommand.class, DlqCommand.class, ForwardCommand.class, RolloutCommand.class, KeygenCommand.class, SignCommand.class,
                BenchCommand.class, ServeCommand.class, ScoreCommand.class})
public final class AnomalyCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    public static CommandLine commandLine() {
        return TrainerMain.commandLine(new AnomalyCli());
    }
}
